/**
 * O_DIRECT bios as short-term references: fs-DAX layout changes wait for them
 * and then go on (dax_layout_busy_page()); the unsafe baseline frees the block
 * under them; the page cache never waits.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { scenario } from "../../scenario/builder.js";
import { modelOf, resultOf, runOf, stepProc } from "../../testing/run.js";
import { EFAULT } from "../errno.js";
import type { ModelEvent } from "../events.js";
import { FR_REF, frm, GUP_PIN_COUNTING_BIAS, type State } from "../layout.js";
import type { FsKind } from "../spec.js";
import { A_CRASH, actionIndex, actionKind, enabled, step } from "../step.js";

function dioScenario(o: { fs?: FsKind; prot?: "r" | "rw"; write?: boolean; munmap?: boolean }) {
  return scenario("dio")
    .fs(o.fs ?? "dax", 4)
    .user("alice")
    .user("bob")
    .file("data", { owner: "alice", pages: 1 })
    .proc("reader", "alice", (p) => {
      p.open("fd", "data", "rw").mmap("va", "fd", 0, 0, { shared: true, prot: o.prot ?? "rw" });
      if (o.munmap) p.munmap("va");
      return o.write ? p.dioWrite("va", 0) : p.dioRead("va", 0);
    })
    .proc("admin", "alice", (p) => p.truncate("data", 0))
    .proc("intruder", "bob", (p) => p.open("g", "other", "rw", true).fallocate("g", "alloc", 0, 0))
    .build();
}

for (const policy of [
  "linux",
  "wait",
  "ebusy",
  "revoke",
  "layout-lease",
  "immutable",
  "deferred-free",
  "odp",
]) {
  test(`${policy}: a DAX truncate waits for an in-flight O_DIRECT bio, then returns`, () => {
    const m = modelOf(dioScenario({}), policy);
    const s = { v: m.init.slice() as State };
    stepProc(m, s, "reader"); // open
    stepProc(m, s, "reader"); // mmap
    const issue = stepProc(m, s, "reader");
    assert.ok(issue.some((e) => e.k === "dio-issue"));
    assert.ok(issue.some((e) => e.k === "block"));
    assert.equal(s.v[frm(m, 0) + FR_REF], GUP_PIN_COUNTING_BIAS, "the bio holds block 0");
    const t = stepProc(m, s, "admin");
    const blocked = t.find((e) => e.k === "block");
    assert.ok(blocked && blocked.k === "block", "the truncate waits");
    assert.match(blocked.why, /dax_layout_busy_page/);
    assert.deepEqual(blocked.blockers, [m.procs.findIndex((x) => x.name === "reader")]);
    const done = stepProc(m, s, "reader");
    const dma = done.find((e) => e.k === "dma");
    assert.ok(
      dma && dma.k === "dma" && dma.outcome === "ok",
      "the bio lands in the file's own block",
    );
    assert.equal(s.v[frm(m, 0) + FR_REF], 0);
    const again = stepProc(m, s, "admin");
    assert.ok(
      again.some((e) => e.k === "ret" && e.result === 0),
      "the truncate returns",
    );
    assert.ok(again.some((e) => e.k === "blocks-freed"));
  });
}

test("unsafe (before dax_layout_busy_page): truncate frees the block under the bio", () => {
  const m = modelOf(dioScenario({}), "unsafe");
  const s = { v: m.init.slice() as State };
  for (let i = 0; i < 3; i++) stepProc(m, s, "reader");
  const t = stepProc(m, s, "admin");
  assert.ok(t.some((e) => e.k === "ret" && e.result === 0));
  stepProc(m, s, "intruder");
  stepProc(m, s, "intruder"); // block 0 is bob's now
  const done = stepProc(m, s, "reader");
  const dma = done.find((e) => e.k === "dma");
  assert.ok(dma && dma.k === "dma" && dma.outcome === "foreign" && dma.via === "dio");
});

test("page cache: truncate does not wait for an O_DIRECT reference (the page is orphaned)", () => {
  const m = modelOf(dioScenario({ fs: "pagecache" }), "linux");
  const s = { v: m.init.slice() as State };
  for (let i = 0; i < 3; i++) stepProc(m, s, "reader");
  const t = stepProc(m, s, "admin");
  assert.ok(t.some((e) => e.k === "ret" && e.result === 0));
  assert.ok(t.some((e) => e.k === "orphaned"));
});

test("dio errnos: a read into a read-only mapping, or into no mapping, is EFAULT; a write from one is fine", () => {
  assert.equal(resultOf(runOf(dioScenario({ prot: "r" }), "linux"), "reader", "dio_read"), -EFAULT);
  assert.equal(
    resultOf(runOf(dioScenario({ munmap: true }), "linux"), "reader", "dio_read"),
    -EFAULT,
  );
  assert.equal(
    resultOf(runOf(dioScenario({ prot: "r", write: true }), "linux"), "reader", "dio_write"),
    0,
  );
});

test("a process that dies with a bio in flight leaves no reference behind", () => {
  const spec = dioScenario({});
  const m = modelOf({ ...spec, faults: { ...spec.faults, crash: ["reader"] } }, "linux");
  const st = { v: m.init.slice() as State };
  for (let i = 0; i < 3; i++) stepProc(m, st, "reader");
  let s: State = st.v;
  const p = m.procs.findIndex((x) => x.name === "reader");
  const crash = enabled(m, s).find((a) => actionKind(a) === A_CRASH && actionIndex(a) === p);
  assert.ok(crash !== undefined);
  const ev: ModelEvent[] = [];
  s = step(m, s, crash, ev);
  assert.ok(ev.some((e) => e.k === "dio-done"));
  assert.equal(s[frm(m, 0) + FR_REF], 0);
});
