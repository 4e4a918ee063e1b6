/**
 * io_uring fixed buffers: the errnos of IORING_REGISTER_BUFFERS in
 * io_sqe_buffers_register() order, the per-user RLIMIT_MEMLOCK accounting,
 * unregister, fixed I/O through the pinned pages, and what each policy's
 * lease break or revoke does to the ring.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { PROPERTIES } from "../../properties/index.js";
import { renderSteps } from "../../report/trace.js";
import { type ProcBuilder, scenario } from "../../scenario/builder.js";
import {
  events,
  modelOf,
  pinnedDaxTruncate,
  resultOf,
  runOf,
  stepKind,
  toBreak,
} from "../../testing/run.js";
import { EBUSY, EFAULT, ENOMEM, ENXIO, EOPNOTSUPP, EPERM } from "../errno.js";
import type { ModelEvent } from "../events.js";
import { FR_REF, frm, GUP_PIN_COUNTING_BIAS } from "../layout.js";
import type { Cap, FsKind, LeaseBreakBehaviour } from "../spec.js";
import { A_PIN_TIMER, A_PROC } from "../step.js";

function ringScenario(o: {
  fs?: FsKind;
  shared?: boolean;
  prot?: "r" | "rw";
  kind?: "regular" | "pfnmap";
  memlock?: number;
  caps?: Cap[];
  body?: (p: ProcBuilder) => ProcBuilder;
}) {
  return scenario("ring")
    .fs(o.fs ?? "pagecache", 8)
    .user("alice", o.caps ?? [])
    .file("data", { owner: "alice", pages: 2, kind: o.kind ?? "regular" })
    .file("more", { owner: "alice", pages: 1 })
    .proc(
      "app",
      { user: "alice", ...(o.memlock !== undefined ? { memlock: o.memlock } : {}) },
      (p) => {
        p.open("fd", "data", "rw").mmap("va", "fd", 0, 1, {
          shared: o.shared ?? false,
          prot: o.prot ?? "rw",
        });
        p.ioUringRegister("buf", "va");
        return o.body ? o.body(p) : p;
      },
    )
    .build();
}

test("gup_longterm.c io_uring rows: MAP_SHARED page-cache file → EFAULT (v6.5), MAP_PRIVATE → ok", () => {
  assert.equal(
    resultOf(runOf(ringScenario({ shared: true }), "linux"), "app", "io_uring_register"),
    -EFAULT,
  );
  assert.equal(
    resultOf(runOf(ringScenario({ shared: false }), "linux"), "app", "io_uring_register"),
    0,
  );
  // 2019's rules had no writable-file-mapping check: the shared pin succeeds.
  assert.equal(
    resultOf(runOf(ringScenario({ shared: true }), "unsafe"), "app", "io_uring_register"),
    0,
  );
});

test("io_uring pins FOLL_WRITE: a read-only mapping is EFAULT even where a R/O MR would pin", () => {
  const r = runOf(ringScenario({ shared: true, prot: "r" }), "linux");
  assert.equal(resultOf(r, "app", "io_uring_register"), -EFAULT);
});

test("check_vma_flags() order: VM_IO|VM_PFNMAP EFAULT before the fs-DAX EOPNOTSUPP", () => {
  const dax = runOf(ringScenario({ fs: "dax", shared: true }), "linux");
  assert.equal(resultOf(dax, "app", "io_uring_register"), -EOPNOTSUPP);
  const pfn = runOf(ringScenario({ fs: "dax", shared: true, kind: "pfnmap" }), "linux");
  assert.equal(resultOf(pfn, "app", "io_uring_register"), -EFAULT);
  // io_uring has no on-demand paging: under odp it is pinned by today's rules.
  const odp = runOf(ringScenario({ fs: "dax", shared: true }), "odp");
  assert.equal(resultOf(odp, "app", "io_uring_register"), -EOPNOTSUPP);
});

test("EBUSY (a buffer table is registered) comes before every GUP check", () => {
  const spec = ringScenario({
    body: (p) =>
      p
        .open("fd2", "data", "rw")
        .mmap("va2", "fd2", 0, 0, { shared: true })
        .ioUringRegister("b2", "va2"),
  });
  const r = runOf(spec, "linux");
  const p = r.model.procs.findIndex((x) => x.name === "app");
  const at = (pc: number) =>
    events(r).find(
      (e): e is Extract<ModelEvent, { k: "ret" }> => e.k === "ret" && e.proc === p && e.pc === pc,
    )?.result;
  assert.equal(at(2), 0);
  // The second mapping is MAP_SHARED of a page-cache file (EFAULT by GUP): EBUSY comes first.
  assert.equal(at(5), -EBUSY);
});

test("RLIMIT_MEMLOCK is checked after the pin (io_buffer_account_pin), with no can_do_mlock() EPERM", () => {
  // memlock=0: ENOMEM, not reg_mr's EPERM, and the pages are unpinned again.
  const r = runOf(ringScenario({ memlock: 0 }), "linux");
  assert.equal(resultOf(r, "app", "io_uring_register"), -ENOMEM);
  const ev = events(r);
  assert.ok(ev.some((e) => e.k === "pin") && ev.some((e) => e.k === "unpin"));
  // A GUP error wins over the limit: it comes first.
  const dax = runOf(ringScenario({ fs: "dax", shared: true, memlock: 0 }), "linux");
  assert.equal(resultOf(dax, "app", "io_uring_register"), -EOPNOTSUPP);
  // CAP_IPC_LOCK: the ring has no ctx->user and nothing is accounted.
  const cap = runOf(ringScenario({ memlock: 0, caps: ["CAP_IPC_LOCK"] }), "linux");
  assert.equal(resultOf(cap, "app", "io_uring_register"), 0);
  // Exactly at the limit is fine (new_pages > page_limit fails).
  assert.equal(
    resultOf(runOf(ringScenario({ memlock: 2 }), "linux"), "app", "io_uring_register"),
    0,
  );
  assert.equal(
    resultOf(runOf(ringScenario({ memlock: 1 }), "linux"), "app", "io_uring_register"),
    -ENOMEM,
  );
});

test("the io_uring count is per user (user->locked_vm), across processes, unlike RDMA's per-mm pinned_vm", () => {
  const two = (sameUser: boolean) =>
    scenario("two")
      .fs("pagecache", 8)
      .user("alice")
      .user("bob")
      .file("data", { owner: "alice", pages: 1, mode: 0o666 })
      .proc("a", { user: "alice", memlock: 1 }, (p) =>
        p
          .open("fd", "data", "rw")
          .mmap("va", "fd", 0, 0, { shared: false })
          .ioUringRegister("buf", "va"),
      )
      .proc("b", { user: sameUser ? "alice" : "bob", memlock: 1 }, (p) =>
        p
          .open("fd", "data", "rw")
          .mmap("va", "fd", 0, 0, { shared: false })
          .ioUringRegister("buf", "va"),
      )
      .build();
  const same = runOf(two(true), "linux");
  assert.equal(resultOf(same, "a", "io_uring_register"), 0);
  assert.equal(resultOf(same, "b", "io_uring_register"), -ENOMEM);
  const other = runOf(two(false), "linux");
  assert.equal(resultOf(other, "b", "io_uring_register"), 1); // ok: the buffer's slot
});

test("unregister drops the pins without dirtying; a second one is ENXIO; fixed I/O after it is EFAULT", () => {
  const spec = ringScenario({
    body: (p) =>
      p.writeFixed("buf", 0).ioUringUnregister("buf").ioUringUnregister("buf").readFixed("buf", 1),
  });
  const r = runOf(spec, "linux");
  const p = r.model.procs.findIndex((x) => x.name === "app");
  const rets = events(r).filter(
    (e): e is Extract<ModelEvent, { k: "ret" }> => e.k === "ret" && e.proc === p,
  );
  assert.deepEqual(
    rets.slice(3).map((e) => e.result),
    [0, 0, -ENXIO, -EFAULT],
  );
  const unpin = events(r).find((e) => e.k === "unpin");
  assert.ok(
    unpin && unpin.k === "unpin" && unpin.dirty === false,
    "unpin_user_folio() dirties nothing",
  );
  for (let f = 0; f < r.model.nFrames; f++)
    assert.equal(r.run.final[frm(r.model, f) + FR_REF]! % GUP_PIN_COUNTING_BIAS, 0);
});

test("READ_FIXED writes the pinned page, not what the page tables map now", () => {
  const spec = ringScenario({
    fs: "pagecache",
    shared: false,
    body: (p) => p.munmap("va").readFixed("buf", 0),
  });
  const r = runOf(spec, "unsafe");
  const dma = events(r).find((e) => e.k === "dma");
  // The private copy was unmapped but stays pinned: the kernel writes it still.
  assert.ok(dma && dma.k === "dma" && dma.via === "io_uring" && dma.outcome === "anon");
});

/** A DAX file pinned by `app`'s ring, truncated by `admin`. */
function revokeScenario(onLeaseBreak: LeaseBreakBehaviour) {
  return pinnedDaxTruncate("revoke-ring", "app", onLeaseBreak, (p) =>
    p.ioUringRegister("buf", "va").readFixed("buf", 0),
  );
}

test("revoke, escalation=invalidate: the kernel empties the ring's slot; the process lives, fixed I/O fails EFAULT", () => {
  const m = modelOf(revokeScenario("ignore"), "revoke", { escalation: "invalidate" });
  const s = toBreak(m);
  const esc = stepKind(m, s, A_PIN_TIMER, 0);
  assert.ok(esc.some((e) => e.k === "escalate" && e.how === "invalidate" && e.fenced === true));
  assert.ok(!esc.some((e) => e.k === "exit"));
  assert.equal(s.v[frm(m, 0) + FR_REF], 0, "the slot's pins are gone");
  const rf = stepKind(m, s, A_PROC, 0);
  assert.ok(rf.some((e) => e.k === "ret" && e.result === -EFAULT));
  const t = stepKind(m, s, A_PROC, 1);
  assert.ok(t.some((e) => e.k === "ret" && e.result === 0));
});

test("revoke, escalation=sigkill: no NIC is needed to kill; the ring dies with the process", () => {
  const m = modelOf(revokeScenario("ignore"), "revoke");
  const s = toBreak(m);
  const esc = stepKind(m, s, A_PIN_TIMER, 0);
  assert.ok(esc.some((e) => e.k === "escalate" && e.how === "sigkill"));
  assert.ok(esc.some((e) => e.k === "exit" && e.how === "killed"));
  assert.equal(s.v[frm(m, 0) + FR_REF], 0);
});

test("revoke with a cancel handler: the handler unregisters the buffers itself (no peer to ask)", () => {
  const m = modelOf(revokeScenario("cancel"), "revoke");
  const s = toBreak(m);
  const done = stepKind(m, s, 2 /* A_HANDLER */, 0);
  assert.ok(done.some((e) => e.k === "handler-done"));
  assert.equal(s.v[frm(m, 0) + FR_REF], 0);
});

test("io_uring traces speak of the ring, never of rkeys, IBV_WC or dereg_mr", () => {
  for (const [policy, params] of [
    ["revoke", {}],
    ["revoke", { escalation: "invalidate" }],
    ["unsafe", {}],
  ] as const) {
    for (const lb of ["cancel", "ignore", "terminate"] as const) {
      const r = runOf(revokeScenario(lb), policy, { params });
      const text = renderSteps(r.run, PROPERTIES).join("\n");
      assert.doesNotMatch(text, /rkey|IBV_WC|dereg_mr|RDMA|QP/, text);
    }
  }
  const r = runOf(revokeScenario("cancel"), "revoke");
  assert.match(renderSteps(r.run, PROPERTIES).join("\n"), /io_uring_unregister app\.buf/);
});

test("registration errnos under the other policies: layout-lease wants a layout lease (EPERM)", () => {
  const r = runOf(revokeScenario("cancel"), "layout-lease");
  assert.equal(resultOf(r, "app", "io_uring_register"), -EPERM);
});

test("passing the uverbs file keeps MRs alive, never the ring's buffers: they go with their process", () => {
  const spec = scenario("uverbs-ring")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("app", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 0, 0, { shared: true })
        .ioUringRegister("buf", "va")
        .sendUverbs("keeper")
        .exit(),
    )
    .proc("keeper", "alice", (p) => p)
    .build();
  const r = runOf(spec, "wait");
  assert.equal(resultOf(r, "app", "io_uring_register"), 0);
  assert.ok(!events(r).some((e) => e.k === "mr-kept"));
  assert.equal(r.run.final[frm(r.model, 0) + FR_REF], 0);
});
