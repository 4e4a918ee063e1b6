/**
 * mprotect, madvise(MADV_DONTNEED) and mremap under a long-term pin and
 * under ODP (mm/vma-ops.ts), stepped one call at a time.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { PROPERTIES } from "../../properties/index.js";
import type { PeerBuilder, ProcBuilder } from "../../scenario/builder.js";
import { scenario } from "../../scenario/builder.js";
import { modelOf, stepKind, stepProc } from "../../testing/run.js";
import type { ModelEvent } from "../events.js";
import {
  FR_REF,
  frm,
  GUP_PIN_COUNTING_BIAS,
  type Model,
  mr as mrOff,
  PTE_RO,
  PTE_RW,
  peer as peerOff,
  QP_ERROR,
  R_QP,
  type State,
  vma as vmaOff,
} from "../layout.js";
import { A_LAND, A_ODP_FAULT, A_PEER } from "../step.js";
import { pteFrame, ptePerm } from "./pte.js";

const RW = ["local_write", "remote_write"] as const;

/** `server` runs `body` over mapping `va`; a peer, when `peer` is given, runs it. */
function spec(
  body: (p: ProcBuilder) => ProcBuilder,
  peer?: (r: PeerBuilder) => PeerBuilder,
  file?: { pfnmap?: boolean },
) {
  const b = scenario("vma-ops").fs("pagecache", 4).user("alice");
  if (file)
    b.file("data", { owner: "alice", pages: 1, ...(file.pfnmap ? { kind: "pfnmap" } : {}) });
  b.proc("server", "alice", body);
  if (peer) b.peer("peer", peer);
  return b.build();
}

const run = (m: Model, n: number) => {
  const s = { v: m.init.slice() as State };
  const ev: ModelEvent[] = [];
  for (let i = 0; i < n; i++) ev.push(...stepProc(m, s, "server"));
  return { s, ev };
};
const rets = (ev: readonly ModelEvent[]): (number | "blocks")[] =>
  ev.flatMap((e): (number | "blocks")[] =>
    e.k === "ret" ? [e.result] : e.k === "block" ? ["blocks"] : [],
  );
const pte = (m: Model, s: State, v: number, k = 0) => s[vmaOff(m, v) + 1 + k]!;
const pinnedFrame = (m: Model, s: State, x = 0) => s[mrOff(m, x) + 2]! - 1;

/** A peer step, then (if the write is issued to a frame) the NIC landing it; the events. */
function peerWrite(m: Model, s: { v: State }): ModelEvent[] {
  const ev = [...stepKind(m, s, A_PEER, 0), ...stepKind(m, s, A_PEER, 0)];
  const issue = ev.find((e) => e.k === "issue");
  if (issue?.k === "issue" && issue.frame < 0) ev.push(...stepKind(m, s, A_ODP_FAULT, 0));
  if (!ev.some((e) => e.k === "rdma-error")) ev.push(...stepKind(m, s, A_LAND, 0));
  return ev;
}

test("MADV_DONTNEED of pinned private anonymous memory: the pin keeps the page, a load maps the zero page", () => {
  const m = modelOf(
    spec((p) =>
      p
        .mmapAnon("va", 1)
        .store("va", 0)
        .regMr("mr", "va", [...RW])
        .madvise("va", "dontneed")
        .load("va", 0),
    ),
    "linux",
  );
  const { s, ev } = run(m, 4);
  assert.deepEqual(rets(ev).slice(-1), [0]);
  const f = pinnedFrame(m, s.v);
  assert.equal(pte(m, s.v, 0), 0, "the PTE is zapped");
  assert.ok(s.v[frm(m, f) + FR_REF]! >= GUP_PIN_COUNTING_BIAS, "the page stays pinned");
  stepProc(m, s, "server"); // load
  assert.equal(pteFrame(pte(m, s.v, 0)), m.nFrames, "the refault maps the shared zero page");
});

test("lost-write: a DMA into the pinned page after MADV_DONTNEED of private anonymous memory", () => {
  const lost = PROPERTIES.find((p) => p.name === "lost-write")!;
  for (const shared of [false, true]) {
    const m = modelOf(
      spec(
        (p) =>
          p
            .mmapAnon("va", 1, { shared })
            .store("va", 0)
            .regMr("mr", "va", [...RW])
            .madvise("va", "dontneed")
            .send("peer", "mr"),
        (r) => r.recv("mr").rdmaWrite("mr", 0),
      ),
      "linux",
    );
    const { s } = run(m, 5);
    const before = s.v.slice() as State;
    const ev = peerWrite(m, s);
    const finding = lost.onStep?.(m, before, s.v, ev) ?? null;
    if (shared) assert.equal(finding, null, "a shared mapping refaults the same shmem page");
    else assert.match(finding?.message ?? "", /MADV_DONTNEED/);
  }
});

test("MADV_DONTNEED: ENOMEM for an unmapped range, EINVAL for a VM_PFNMAP mapping", () => {
  const gone = modelOf(
    spec((p) => p.mmapAnon("va", 1).munmap("va").madvise("va", "dontneed")),
    "linux",
  );
  assert.equal(rets(run(gone, 3).ev)[2], -12);
  const pfn = modelOf(
    spec(
      (p) => p.open("fd", "data", "rw").mmap("va", "fd", 0, 0).madvise("va", "dontneed"),
      undefined,
      { pfnmap: true },
    ),
    "linux",
  );
  assert.equal(rets(run(pfn, 3).ev)[2], -22);
});

test("mprotect: the pin survives PROT_READ, a store is then SIGSEGV and a writable pin EFAULT", () => {
  const m = modelOf(
    spec((p) =>
      p
        .mmapAnon("va", 1)
        .store("va", 0)
        .regMr("mr", "va", [...RW])
        .mprotect("va", "r")
        .regMr("late", "va", ["local_write"])
        .store("va", 0),
    ),
    "linux",
  );
  const { s, ev } = run(m, 5);
  assert.deepEqual(rets(ev).slice(3), [0, -14]);
  assert.equal(ptePerm(pte(m, s.v, 0)), PTE_RO, "the PTE is write-protected");
  const f = pinnedFrame(m, s.v);
  assert.equal(pteFrame(pte(m, s.v, 0)), f, "the process still maps the pinned page");
  const died = stepProc(m, s, "server");
  assert.ok(
    died.some((e) => e.k === "exit" && e.how === "killed" && JSON.stringify(e).includes("SIGSEGV")),
  );
});

test("mprotect: ENOMEM unmapped, EACCES for PROT_WRITE on a shared mapping of a read-only fd; rw again allows stores", () => {
  const m = modelOf(
    spec(
      (p) =>
        p
          .open("fd", "data", "r")
          .mmap("ro", "fd", 0, 0, { prot: "r" })
          .mprotect("ro", "rw")
          .mmapAnon("a", 1)
          .mprotect("a", "r")
          .mprotect("a", "rw")
          .store("a", 0)
          .munmap("a")
          .mprotect("a", "r"),
      undefined,
      {},
    ),
    "linux",
  );
  const { s, ev } = run(m, 9);
  assert.deepEqual(rets(ev).slice(2), [-13, 1, 0, 0, 0, 0, -12]);
  assert.equal(s.v[vmaOff(m, 1)], 2);
});

test("mprotect under ODP: the translation goes, the device's next write faults on the read-only VMA and fails", () => {
  const m = modelOf(
    spec(
      (p) =>
        p
          .mmapAnon("va", 1)
          .store("va", 0)
          .regMr("mr", "va", [...RW], { odp: true })
          .send("peer", "mr"),
      (r) => r.recv("mr").rdmaWrite("mr", 0).rdmaWrite("mr", 0),
    ),
    "linux",
  );
  const { s } = run(m, 4);
  peerWrite(m, s);
  assert.ok(s.v[mrOff(m, 0) + 2]! > 0, "the first write left a translation");
  const spec2 = spec(
    (p) =>
      p
        .mmapAnon("va", 1)
        .store("va", 0)
        .regMr("mr", "va", [...RW], { odp: true })
        .send("peer", "mr")
        .mprotect("va", "r"),
    (r) => r.recv("mr").rdmaWrite("mr", 0).rdmaWrite("mr", 0),
  );
  const m2 = modelOf(spec2, "linux");
  const s2 = run(m2, 4).s;
  peerWrite(m2, s2);
  const ev = stepProc(m2, s2, "server");
  assert.ok(
    ev.some((e) => e.k === "odp-invalidate"),
    "mprotect fires the MMU notifier",
  );
  assert.equal(s2.v[mrOff(m2, 0) + 2], 0);
  const w = [...stepKind(m2, s2, A_PEER, 0), ...stepKind(m2, s2, A_ODP_FAULT, 0)];
  assert.ok(w.some((e) => e.k === "rdma-error"));
  assert.equal(s2.v[peerOff(m2, 0) + R_QP], QP_ERROR);
});

test("mremap moves the PTEs and keeps the pinned page; the old range is gone, or empty with MREMAP_DONTUNMAP", () => {
  for (const dontunmap of [false, true]) {
    const m = modelOf(
      spec((p) =>
        p
          .mmapAnon("va", 1)
          .store("va", 0)
          .regMr("mr", "va", [...RW])
          .mremap("nva", "va", { fixed: !dontunmap, dontunmap })
          .mremap("gone", "va"),
      ),
      "linux",
    );
    const { s, ev } = run(m, 4);
    const f = pinnedFrame(m, s.v);
    assert.equal(rets(ev)[3], 1, "mremap returns the new mapping");
    assert.equal(pteFrame(pte(m, s.v, 1)), f, "the new range maps the pinned page");
    assert.equal(ptePerm(pte(m, s.v, 1)), PTE_RW);
    assert.equal(pte(m, s.v, 0), 0);
    assert.equal(s.v[vmaOff(m, 0)], dontunmap ? 1 : 2);
    // mremap of the old address again, same size, no flag: EFAULT once unmapped; with
    // DONTUNMAP the empty range is still mapped and stays where it is
    const again = rets(stepProc(m, s, "server"));
    assert.deepEqual(again, dontunmap ? [0] : [-14]);
  }
});

test("mremap under ODP: the device faults through the MR's old range, which maps nothing", () => {
  const m = modelOf(
    spec(
      (p) =>
        p
          .mmapAnon("va", 1)
          .store("va", 0)
          .regMr("mr", "va", [...RW], { odp: true })
          .mremap("nva", "va", { fixed: true })
          .send("peer", "mr"),
      (r) => r.recv("mr").rdmaWrite("mr", 0),
    ),
    "linux",
  );
  const { s } = run(m, 5);
  const w = [
    ...stepKind(m, s, A_PEER, 0),
    ...stepKind(m, s, A_PEER, 0),
    ...stepKind(m, s, A_ODP_FAULT, 0),
  ];
  assert.ok(w.some((e) => e.k === "rdma-error"));
});
