/**
 * ODP against the MMU notifier (mm/mmu_notifier.c, drivers/infiniband/core/umem_odp.c):
 * - the invalidation waits out a device access already translated, for any
 *   virtual page of the range, a MAP_PRIVATE mapping's anonymous copy included;
 * - a device fault does not resolve while an invalidation of its interval is in
 *   progress (ib_umem_odp_map_dma_and_lock → mmu_interval_read_begin, which
 *   sleeps while mn_itree_is_invalidating(); mmu_interval_read_retry after);
 * - writeback's folio_mkclean() notifier waits out an in-flight access too.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { scenario } from "../../scenario/builder.js";
import { Driver } from "../../testing/drive.js";
import { modelOf } from "../../testing/run.js";
import { P_STATUS, PS_BLOCKED, proc } from "../layout.js";
import type { FsKind } from "../spec.js";
import { A_LAND, A_ODP_FAULT, A_PEER, A_PROC, A_WRITEBACK } from "../step.js";

function twoPeers(fs: FsKind, shared: boolean) {
  return scenario("odp")
    .fs(fs, 6)
    .user("alice")
    .file("data", { owner: "alice", pages: 2 })
    .proc("server", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 0, 1, { shared })
        .regMr("mr", "va", ["local_write", "remote_write"], { odp: true })
        .send("a", "mr")
        .send("b", "mr"),
    )
    .proc("admin", "alice", (p) => p.truncate("data", 0))
    .peer("a", (r) => r.recv("mr").rdmaWrite("mr", 0))
    .peer("b", (r) => r.recv("mr").rdmaWrite("mr", 1))
    .build();
}

test("a device fault waits while an invalidation of its MR is in progress, then sees the truncated file", () => {
  const m = modelOf(twoPeers("dax", true), "odp");
  const d = new Driver(m);
  d.proc(0, 5);
  d.do(A_PEER, 0); // a: recv
  d.do(A_PEER, 0); // a: rdma_write page 0 → ODP fault
  d.do(A_ODP_FAULT, 0); // resolved: in flight, translated
  d.do(A_PEER, 1); // b: recv
  d.do(A_PEER, 1); // b: rdma_write page 1 → ODP fault pending
  assert.ok(d.can(A_ODP_FAULT, 1), "no invalidation yet: b's fault may resolve");
  d.do(A_PROC, 1); // admin: truncate → the notifier waits for a's in-flight write
  assert.equal(d.s[proc(m, 1) + P_STATUS], PS_BLOCKED);
  assert.ok(!d.can(A_ODP_FAULT, 1), "mmu_interval_read_begin sleeps during the invalidation");
  d.do(A_LAND, 0);
  d.do(A_PROC, 1); // truncate goes on: invalidation over, blocks freed
  assert.notEqual(d.s[proc(m, 1) + P_STATUS], PS_BLOCKED);
  const ev = d.do(A_ODP_FAULT, 1);
  assert.ok(
    ev.some((e) => e.k === "rdma-error" && e.peer === 1),
    "the fault finds the page gone and fails the access",
  );
  assert.ok(!d.log.some((e) => e.k === "dma" && e.outcome !== "ok"));
});

test("the invalidation waits out an in-flight write to a MAP_PRIVATE mapping's private copy", () => {
  const m = modelOf(twoPeers("dax", false), "odp");
  const d = new Driver(m);
  d.proc(0, 5);
  d.do(A_PEER, 0);
  d.do(A_PEER, 0);
  const fault = d.do(A_ODP_FAULT, 0);
  const f = fault.find((e) => e.k === "odp-fault");
  assert.ok(f && f.k === "odp-fault" && f.frame >= m.nBlocks, "a write fault gives the COW copy");
  d.do(A_PROC, 1); // truncate zaps private copies too (even_cows): it must wait
  assert.equal(d.s[proc(m, 1) + P_STATUS], PS_BLOCKED);
  const land = d.do(A_LAND, 0);
  const dma = land.find((e) => e.k === "dma");
  assert.ok(dma && dma.k === "dma");
  assert.equal(dma.outcome, "anon", "the write lands in the process's own copy, still allocated");
});

test("writeback of a page waits while an ODP access to it is in flight (folio_mkclean notifier)", () => {
  const m = modelOf(twoPeers("pagecache", true), "odp");
  const d = new Driver(m);
  d.proc(0, 5);
  d.do(A_PEER, 0);
  d.do(A_PEER, 0);
  const fault = d.do(A_ODP_FAULT, 0); // write fault: ->page_mkwrite dirties the page
  const f = fault.find((e) => e.k === "odp-fault");
  assert.ok(f && f.k === "odp-fault");
  assert.ok(!d.can(A_WRITEBACK, f.frame), "writeback waits for the in-flight write");
  d.do(A_LAND, 0);
  assert.ok(d.can(A_WRITEBACK, f.frame));
});

test("munmap waits out an in-flight ODP access to the mapping's private copy before freeing it", () => {
  const spec = scenario("unmap")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("server", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 0, 0, { shared: false })
        .regMr("mr", "va", ["local_write", "remote_write"], { odp: true })
        .send("a", "mr")
        .munmap("va"),
    )
    .peer("a", (r) => r.recv("mr").rdmaWrite("mr", 0))
    .build();
  const m = modelOf(spec, "odp");
  const d = new Driver(m);
  d.proc(0, 4);
  d.do(A_PEER, 0);
  d.do(A_PEER, 0);
  d.do(A_ODP_FAULT, 0);
  d.do(A_PROC, 0); // munmap: the notifier waits
  assert.equal(d.s[proc(m, 0) + P_STATUS], PS_BLOCKED);
  const dma = d.do(A_LAND, 0).find((e) => e.k === "dma");
  assert.ok(dma && dma.k === "dma" && dma.outcome === "anon", "landed in the live private copy");
  d.do(A_PROC, 0);
  assert.notEqual(d.s[proc(m, 0) + P_STATUS], PS_BLOCKED);
});

test("fsync waits while an ODP write to a dirty page is in flight, then writes it", () => {
  const spec = scenario("fsync")
    .fs("pagecache", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("server", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 0, 0)
        .regMr("mr", "va", ["local_write", "remote_write"], { odp: true })
        .send("a", "mr")
        .fsync("fd"),
    )
    .peer("a", (r) => r.recv("mr").rdmaWrite("mr", 0))
    .build();
  const m = modelOf(spec, "odp");
  const d = new Driver(m);
  d.proc(0, 4);
  d.do(A_PEER, 0);
  d.do(A_PEER, 0);
  d.do(A_ODP_FAULT, 0); // write fault: the page is dirty
  d.do(A_PROC, 0);
  assert.equal(d.s[proc(m, 0) + P_STATUS], PS_BLOCKED, "fsync waits for the notifier");
  d.do(A_LAND, 0);
  const ev = d.do(A_PROC, 0);
  assert.ok(ev.some((e) => e.k === "writeback"));
});

/**
 * wp_page_copy() (mm/memory.c) against ODP: the COW of a MAP_PRIVATE page
 * fires mmu_notifier_invalidate_range_start(MMU_NOTIFY_CLEAR) over that one
 * page before it switches the PTE to the copy; the ODP fault path
 * (ib_umem_odp_map_dma_and_lock: mmu_interval_read_begin, hmm_range_fault,
 * mmu_interval_read_retry under umem_mutex) maps whatever the PTE is once no
 * invalidation is in progress.
 */
function cowSpec() {
  return scenario("cow")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("server", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 0, 0, { shared: false })
        .regMr("mr", "va", ["local_write", "remote_read"], { odp: true })
        .send("a", "mr")
        .store("va", 0),
    )
    .peer("a", (r) => r.recv("mr").rdmaRead("mr", 0).rdmaRead("mr", 0))
    .build();
}

test("a COW of a page the device has translated and is reading waits for the read, then drops the translation; the device re-faults onto the private copy", () => {
  const m = modelOf(cowSpec(), "odp");
  const d = new Driver(m);
  d.proc(0, 4);
  d.do(A_PEER, 0); // recv
  d.do(A_PEER, 0); // read page 0 → ODP fault
  const f1 = d.do(A_ODP_FAULT, 0).find((e) => e.k === "odp-fault");
  assert.ok(f1 && f1.k === "odp-fault" && f1.frame < m.nBlocks, "a read fault maps the file block");
  d.do(A_PROC, 0); // store: wp_page_copy's notifier waits for the translated read
  assert.equal(d.s[proc(m, 0) + P_STATUS], PS_BLOCKED);
  d.do(A_LAND, 0);
  const cow = d.do(A_PROC, 0);
  assert.ok(
    cow.some((e) => e.k === "odp-invalidate"),
    "the COW invalidates the page's translation",
  );
  d.do(A_PEER, 0); // the second read finds no translation
  const f2 = d.do(A_ODP_FAULT, 0).find((e) => e.k === "odp-fault");
  assert.ok(f2 && f2.k === "odp-fault" && f2.frame >= m.nBlocks, "the device reads the copy");
});

test("a device fault still pending when the COW runs resolves afterwards, to the private copy", () => {
  const m = modelOf(cowSpec(), "odp");
  const d = new Driver(m);
  d.proc(0, 4);
  d.do(A_PEER, 0);
  d.do(A_PEER, 0); // fault pending, nothing translated
  d.do(A_PROC, 0); // store: no translated access to wait for
  assert.notEqual(d.s[proc(m, 0) + P_STATUS], PS_BLOCKED);
  const f = d.do(A_ODP_FAULT, 0).find((e) => e.k === "odp-fault");
  assert.ok(f && f.k === "odp-fault" && f.frame >= m.nBlocks);
});

test("while the COW's notifier waits, another device fault on the MR does not resolve (mmu_interval_read_begin)", () => {
  const spec = scenario("cow2")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 2 })
    .proc("server", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 0, 1, { shared: false })
        .regMr("mr", "va", ["local_write", "remote_read"], { odp: true })
        .send("a", "mr")
        .send("b", "mr")
        .store("va", 0),
    )
    .peer("a", (r) => r.recv("mr").rdmaRead("mr", 0))
    .peer("b", (r) => r.recv("mr").rdmaRead("mr", 1))
    .build();
  const m = modelOf(spec, "odp");
  const d = new Driver(m);
  d.proc(0, 5);
  d.do(A_PEER, 0);
  d.do(A_PEER, 0);
  d.do(A_ODP_FAULT, 0);
  d.do(A_PEER, 1);
  d.do(A_PEER, 1);
  d.do(A_PROC, 0); // the COW waits for a's read
  assert.ok(!d.can(A_ODP_FAULT, 1));
  d.do(A_LAND, 0);
  d.do(A_PROC, 0);
  assert.ok(d.can(A_ODP_FAULT, 1));
});

test("a device write through a read fault's translation of a MAP_PRIVATE page faults again and lands in a private copy, not in the file", () => {
  const spec = scenario("ro")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("server", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 0, 0, { shared: false })
        .regMr("mr", "va", ["local_write", "remote_read", "remote_write"], { odp: true })
        .send("a", "mr"),
    )
    .peer("a", (r) => r.recv("mr").rdmaRead("mr", 0).rdmaWrite("mr", 0))
    .build();
  const m = modelOf(spec, "odp");
  const d = new Driver(m);
  d.proc(0, 4);
  d.do(A_PEER, 0);
  d.do(A_PEER, 0);
  const rf = d.do(A_ODP_FAULT, 0).find((e) => e.k === "odp-fault");
  assert.ok(rf && rf.k === "odp-fault" && rf.frame < m.nBlocks, "read: the file block, read-only");
  d.do(A_LAND, 0);
  d.do(A_PEER, 0); // the write needs write permission: a new fault
  assert.ok(d.can(A_ODP_FAULT, 0), "the read-only translation does not serve a write");
  const wf = d.do(A_ODP_FAULT, 0);
  assert.ok(
    wf.some((e) => e.k === "odp-invalidate"),
    "wp_page_copy's notifier drops the old one",
  );
  const f = wf.find((e) => e.k === "odp-fault");
  assert.ok(f && f.k === "odp-fault" && f.frame >= m.nBlocks);
  const dma = d.do(A_LAND, 0).find((e) => e.k === "dma");
  assert.ok(dma && dma.k === "dma" && dma.outcome === "anon");
});
