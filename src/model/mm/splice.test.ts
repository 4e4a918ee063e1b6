/**
 * vmsplice pipe buffers as short-term references that end only when the pipe
 * is read or closed: fs-DAX layout changes wait for them (dax_layout_busy_page())
 * and go on once the pipe is read; a splicer that never reads keeps the
 * truncate waiting; the page cache never waits; the unsafe baseline frees the
 * block under the buffer.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type ProcBuilder, scenario } from "../../scenario/builder.js";
import { canStep, drive, returned } from "../../testing/drive.js";
import { events, modelOf, resultOf, runOf, stepProc } from "../../testing/run.js";
import { EAGAIN, EFAULT } from "../errno.js";
import type { ModelEvent } from "../events.js";
import { contentInode, FR_REF, frm, type State } from "../layout.js";
import type { FsKind } from "../spec.js";
import { A_CRASH, actionIndex, actionKind, enabled, step } from "../step.js";

function spliceScenario(o: {
  fs?: FsKind;
  prot?: "r" | "rw";
  body?: (p: ProcBuilder) => ProcBuilder;
}) {
  return scenario("splice")
    .fs(o.fs ?? "dax", 4)
    .user("alice")
    .user("bob")
    .file("data", { owner: "alice", pages: 1 })
    .proc("splicer", "alice", (p) => {
      p.open("fd", "data", "rw").mmap("va", "fd", 0, 0, { shared: true, prot: o.prot ?? "rw" });
      return o.body ? o.body(p) : p.vmsplice("va", 0).pipeRead();
    })
    .proc("admin", "alice", (p) => p.truncate("data", 0))
    .proc("intruder", "bob", (p) =>
      p.open("g", "other", "rw", true).fallocate("g", "alloc", 0, 0).write("g", 0),
    )
    .build();
}

for (const policy of ["linux", "wait", "ebusy", "revoke", "immutable", "deferred-free", "odp"]) {
  test(`${policy}: a DAX truncate waits for a vmsplice pipe buffer, and returns once the pipe is read`, () => {
    const m = modelOf(spliceScenario({}), policy);
    const s = { v: m.init.slice() as State };
    stepProc(m, s, "splicer"); // open
    stepProc(m, s, "splicer"); // mmap
    const get = stepProc(m, s, "splicer");
    assert.ok(get.some((e) => e.k === "splice-get"));
    assert.ok(!get.some((e) => e.k === "block"), "vmsplice itself does not wait");
    assert.equal(s.v[frm(m, 0) + FR_REF], 1, "a plain reference (FOLL_GET), not a pin");
    const t = stepProc(m, s, "admin");
    const blocked = t.find((e) => e.k === "block");
    assert.ok(blocked && blocked.k === "block", "the truncate waits");
    assert.match(blocked.why, /vmsplice/);
    assert.deepEqual(blocked.blockers, [m.procs.findIndex((x) => x.name === "splicer")]);
    const read = stepProc(m, s, "splicer");
    const r = read.find((e) => e.k === "read");
    assert.ok(r && r.k === "read", "the reader copies the page");
    assert.ok(read.some((e) => e.k === "splice-release" && e.why === "read"));
    assert.equal(s.v[frm(m, 0) + FR_REF], 0);
    const again = stepProc(m, s, "admin");
    assert.ok(
      again.some((e) => e.k === "ret" && e.result === 0),
      "the truncate returns",
    );
  });
}

test("linux: a splicer that reads its pipe only after the truncate deadlocks it (truncate-hang)", () => {
  const spec = spliceScenario({
    body: (p) => p.vmsplice("va", 0).waitFor("admin", "t").pipeRead(),
  });
  const labelled = {
    ...spec,
    procs: spec.procs.map((p) =>
      p.name === "admin" ? { ...p, program: [{ ...p.program[0]!, label: "t" }] } : p,
    ),
  };
  const m = modelOf(labelled, "linux");
  let { s } = drive(m, ["splicer", "splicer", "splicer", "admin", "splicer"]);
  // Neither can move on: each retry finds the other still waiting.
  for (let round = 0; round < 4; round++)
    for (const name of ["admin", "splicer"]) {
      if (!canStep(m, s, name)) continue;
      const d = drive(m, [name], s);
      s = d.s;
      assert.equal(
        returned(m, d.events, "admin", "truncate"),
        undefined,
        "the truncate never returns",
      );
    }
  assert.equal(s[frm(m, 0) + FR_REF], 1, "the pipe still holds block 0");
});

test("page cache: truncate does not wait for a pipe buffer's reference (the page is orphaned)", () => {
  const m = modelOf(spliceScenario({ fs: "pagecache" }), "linux");
  const s = { v: m.init.slice() as State };
  for (let i = 0; i < 3; i++) stepProc(m, s, "splicer");
  const t = stepProc(m, s, "admin");
  assert.ok(t.some((e) => e.k === "ret" && e.result === 0));
  assert.ok(t.some((e) => e.k === "orphaned"));
});

test("unsafe (before dax_layout_busy_page): the block is freed under the buffer and the pipe reads bob's data", () => {
  const m = modelOf(spliceScenario({}), "unsafe");
  const s = { v: m.init.slice() as State };
  for (let i = 0; i < 3; i++) stepProc(m, s, "splicer");
  const t = stepProc(m, s, "admin");
  assert.ok(t.some((e) => e.k === "ret" && e.result === 0));
  for (let i = 0; i < 3; i++) stepProc(m, s, "intruder");
  const read = stepProc(m, s, "splicer");
  const r = read.find((e) => e.k === "read");
  assert.ok(r && r.k === "read");
  const other = m.inodes.findIndex((x) => x.name === "other");
  assert.equal(contentInode(r.content), other, "the pipe reads the other file's data");
});

test("errnos: vmsplice takes no FOLL_WRITE (a R/O mapping is fine), EFAULT without a mapping; an empty pipe is EAGAIN", () => {
  assert.equal(resultOf(runOf(spliceScenario({ prot: "r" }), "linux"), "splicer", "vmsplice"), 0);
  const gone = runOf(spliceScenario({ body: (p) => p.munmap("va").vmsplice("va", 0) }), "linux");
  assert.equal(resultOf(gone, "splicer", "vmsplice"), -EFAULT);
  const empty = runOf(spliceScenario({ body: (p) => p.pipeRead() }), "linux");
  assert.equal(resultOf(empty, "splicer", "pipe_read"), -EAGAIN);
  // fs-DAX refuses FOLL_LONGTERM only: vmsplice on it is fine under linux.
  assert.equal(resultOf(runOf(spliceScenario({}), "linux"), "splicer", "vmsplice"), 0);
  assert.ok(!events(runOf(spliceScenario({}), "linux")).some((e) => e.k === "pin"));
});

test("the pipe dies with its process: a crash drops the buffer's reference", () => {
  const spec = spliceScenario({ body: (p) => p.vmsplice("va", 0) });
  const m = modelOf({ ...spec, faults: { ...spec.faults, crash: ["splicer"] } }, "linux");
  const st = { v: m.init.slice() as State };
  for (let i = 0; i < 3; i++) stepProc(m, st, "splicer");
  const p = m.procs.findIndex((x) => x.name === "splicer");
  const crash = enabled(m, st.v).find((a) => actionKind(a) === A_CRASH && actionIndex(a) === p);
  assert.ok(crash !== undefined);
  const ev: ModelEvent[] = [];
  const s = step(m, st.v, crash, ev);
  assert.ok(ev.some((e) => e.k === "splice-release" && e.why === "close"));
  assert.equal(s[frm(m, 0) + FR_REF], 0);
});
