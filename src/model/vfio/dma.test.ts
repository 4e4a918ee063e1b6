/**
 * VFIO type1 DMA mappings: the GUP flags of vaddr_get_pfns() (FOLL_WRITE only
 * for IOMMU_WRITE, never FOLL_FORCE), the per-mm RLIMIT_MEMLOCK accounting
 * after the pin, unmap (dirtying, idempotent), the device's DMA through the
 * IOMMU, and what each policy's lease break or revoke does to the mapping.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { makePolicy } from "../../policies/index.js";
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
import { compile } from "../compile.js";
import { EFAULT, ENOMEM, EOPNOTSUPP, EPERM } from "../errno.js";
import type { ModelEvent } from "../events.js";
import { FR_REF, frm, GUP_PIN_COUNTING_BIAS } from "../layout.js";
import type { Cap, FsKind, LeaseBreakBehaviour } from "../spec.js";
import { A_PIN_TIMER, A_PROC } from "../step.js";

type Prot = readonly ("read" | "write")[];

function vfioScenario(o: {
  fs?: FsKind;
  shared?: boolean;
  mprot?: "r" | "rw";
  prot?: Prot;
  memlock?: number;
  caps?: Cap[];
  body?: (p: ProcBuilder) => ProcBuilder;
}) {
  return scenario("vfio")
    .fs(o.fs ?? "pagecache", 8)
    .user("alice", o.caps ?? [])
    .file("data", { owner: "alice", pages: 2 })
    .proc(
      "vmm",
      { user: "alice", ...(o.memlock !== undefined ? { memlock: o.memlock } : {}) },
      (p) => {
        p.open("fd", "data", "rw").mmap("va", "fd", 0, 1, {
          shared: o.shared ?? false,
          prot: o.mprot ?? "rw",
        });
        p.vfioMapDma("dma", "va", o.prot);
        return o.body ? o.body(p) : p;
      },
    )
    .build();
}

const rets = (r: ReturnType<typeof runOf>, proc: string): number[] => {
  const p = r.model.procs.findIndex((x) => x.name === proc);
  return events(r)
    .filter((e): e is Extract<ModelEvent, { k: "ret" }> => e.k === "ret" && e.proc === p)
    .map((e) => e.result);
};

test("FOLL_WRITE only for prot=write: a R/O DMA mapping of a R/O MAP_SHARED file mapping pins", () => {
  const ro = vfioScenario({ shared: true, mprot: "r", prot: ["read"] });
  assert.equal(resultOf(runOf(ro, "linux"), "vmm", "vfio_map_dma"), 0);
  // No FOLL_FORCE in 2019 either (unlike ib_umem_get's R/O MRs, which failed EFAULT here).
  assert.equal(resultOf(runOf(ro, "unsafe"), "vmm", "vfio_map_dma"), 0);
  // The device may write: FOLL_WRITE of a R/O mapping is EFAULT.
  const rw = vfioScenario({ shared: true, mprot: "r" });
  assert.equal(resultOf(runOf(rw, "linux"), "vmm", "vfio_map_dma"), -EFAULT);
});

test("writable_file_mapping_allowed() (v6.5): a writable DMA mapping of a shared page-cache mapping is EFAULT", () => {
  const spec = vfioScenario({ shared: true, prot: ["read", "write"] });
  assert.equal(resultOf(runOf(spec, "linux"), "vmm", "vfio_map_dma"), -EFAULT);
  assert.equal(resultOf(runOf(spec, "unsafe"), "vmm", "vfio_map_dma"), 0);
  // Private guest RAM (the usual VMM case) pins its own anonymous copies.
  assert.equal(resultOf(runOf(vfioScenario({}), "linux"), "vmm", "vfio_map_dma"), 0);
});

test("fs-DAX: check_vma_flags() refuses FOLL_LONGTERM (EOPNOTSUPP) under linux and odp; layout-lease wants its lease", () => {
  const spec = vfioScenario({ fs: "dax", shared: true });
  assert.equal(resultOf(runOf(spec, "linux"), "vmm", "vfio_map_dma"), -EOPNOTSUPP);
  assert.equal(resultOf(runOf(spec, "odp"), "vmm", "vfio_map_dma"), -EOPNOTSUPP);
  assert.equal(resultOf(runOf(spec, "layout-lease"), "vmm", "vfio_map_dma"), -EPERM);
  assert.equal(resultOf(runOf(spec, "wait"), "vmm", "vfio_map_dma"), 0);
});

test("RLIMIT_MEMLOCK after the pin, per mm (not per user), skipped with CAP_IPC_LOCK", () => {
  const r = runOf(vfioScenario({ memlock: 1 }), "linux");
  assert.equal(resultOf(r, "vmm", "vfio_map_dma"), -ENOMEM);
  const ev = events(r);
  assert.ok(ev.some((e) => e.k === "pin") && ev.some((e) => e.k === "unpin"), "pinned, then put");
  // A GUP error comes first.
  const dax = runOf(vfioScenario({ fs: "dax", shared: true, memlock: 0 }), "linux");
  assert.equal(resultOf(dax, "vmm", "vfio_map_dma"), -EOPNOTSUPP);
  const cap = runOf(vfioScenario({ memlock: 0, caps: ["CAP_IPC_LOCK"] }), "linux");
  assert.equal(resultOf(cap, "vmm", "vfio_map_dma"), 0);
  assert.equal(resultOf(runOf(vfioScenario({ memlock: 2 }), "linux"), "vmm", "vfio_map_dma"), 0);
  // Two processes of one user, 1 page each under memlock=1: both fit (mm->locked_vm).
  const two = scenario("two")
    .fs("pagecache", 8)
    .user("alice")
    .file("data", { owner: "alice", pages: 1, mode: 0o666 })
    .proc("a", { user: "alice", memlock: 1 }, (p) =>
      p.open("fd", "data", "rw").mmap("va", "fd", 0, 0, { shared: false }).vfioMapDma("dma", "va"),
    )
    .proc("b", { user: "alice", memlock: 1 }, (p) =>
      p.open("fd", "data", "rw").mmap("va", "fd", 0, 0, { shared: false }).vfioMapDma("dma", "va"),
    )
    .build();
  const both = runOf(two, "linux");
  assert.ok((resultOf(both, "a", "vfio_map_dma") as number) >= 0);
  assert.ok((resultOf(both, "b", "vfio_map_dma") as number) >= 0);
});

test("unmap dirties a writable mapping's pages and is idempotent; DMA after it is blocked (EFAULT)", () => {
  const spec = vfioScenario({
    fs: "pagecache",
    shared: false,
    body: (p) =>
      p.vfioDmaWrite("dma", 0).vfioUnmapDma("dma").vfioUnmapDma("dma").vfioDmaRead("dma", 1),
  });
  const r = runOf(spec, "linux");
  assert.deepEqual(rets(r, "vmm").slice(3), [0, 0, 0, -EFAULT]);
  const unpin = events(r).find((e) => e.k === "unpin");
  assert.ok(unpin && unpin.k === "unpin" && unpin.dirty === true, "put_pfn dirties (IOMMU_WRITE)");
  for (let f = 0; f < r.model.nFrames; f++)
    assert.equal(r.run.final[frm(r.model, f) + FR_REF]! % GUP_PIN_COUNTING_BIAS, 0);
  // A read-only mapping is unpinned clean.
  const ro = runOf(vfioScenario({ prot: ["read"], body: (p) => p.vfioUnmapDma("dma") }), "linux");
  const u2 = events(ro).find((e) => e.k === "unpin");
  assert.ok(u2 && u2.k === "unpin" && u2.dirty === false);
});

test("the IOMMU enforces prot: a DMA write through a read-only mapping, or a read through a write-only one, is EFAULT", () => {
  const ro = runOf(
    vfioScenario({ prot: ["read"], body: (p) => p.vfioDmaWrite("dma", 0).vfioDmaRead("dma", 0) }),
    "linux",
  );
  assert.deepEqual(rets(ro, "vmm").slice(3), [-EFAULT, 0]);
  const wo = runOf(
    vfioScenario({ prot: ["write"], body: (p) => p.vfioDmaRead("dma", 0).vfioDmaWrite("dma", 0) }),
    "linux",
  );
  assert.deepEqual(rets(wo, "vmm").slice(3), [-EFAULT, 0]);
});

test("device DMA goes to the pinned page, not to what the page tables map now", () => {
  const spec = vfioScenario({ body: (p) => p.munmap("va").vfioDmaWrite("dma", 0) });
  const r = runOf(spec, "linux");
  const dma = events(r).find((e) => e.k === "dma");
  assert.ok(dma && dma.k === "dma" && dma.via === "vfio" && dma.outcome === "anon");
});

test("a DMA mapping of a device file (VM_PFNMAP) is refused at compile time: VFIO maps it unpinned", () => {
  const spec = scenario("pfn")
    .fs("pagecache", 4)
    .user("alice")
    .file("bar", { owner: "alice", pages: 1, kind: "pfnmap" })
    .proc("vmm", "alice", (p) =>
      p.open("fd", "bar", "rw").mmap("va", "fd", 0, 0, { shared: true }).vfioMapDma("dma", "va"),
    )
    .build();
  const pol = makePolicy("linux", {});
  assert.ok(pol.ok);
  const c = compile(spec, pol.policy);
  assert.ok(!c.ok && c.errors.some((e) => /VM_PFNMAP/.test(e.message)));
});

/** A DAX file pinned by `vmm`'s DMA mapping, truncated by `admin`. */
function revokeScenario(onLeaseBreak: LeaseBreakBehaviour) {
  return pinnedDaxTruncate("revoke-vfio", "vmm", onLeaseBreak, (p) =>
    p.vfioMapDma("dma", "va").vfioDmaWrite("dma", 0),
  );
}

test("revoke, escalation=invalidate: the kernel removes the DMA mapping (a fence); the VMM lives, its device's DMA is blocked", () => {
  const m = modelOf(revokeScenario("ignore"), "revoke", { escalation: "invalidate" });
  const s = toBreak(m);
  const esc = stepKind(m, s, A_PIN_TIMER, 0);
  assert.ok(esc.some((e) => e.k === "escalate" && e.how === "invalidate" && e.fenced === true));
  assert.ok(!esc.some((e) => e.k === "exit"));
  assert.equal(s.v[frm(m, 0) + FR_REF], 0, "the mapping's pins are gone");
  const w = stepKind(m, s, A_PROC, 0);
  assert.ok(w.some((e) => e.k === "ret" && e.result === -EFAULT));
  const t = stepKind(m, s, A_PROC, 1);
  assert.ok(t.some((e) => e.k === "ret" && e.result === 0));
});

test("revoke, escalation=sigkill: the VMM is killed and its container goes with it", () => {
  const m = modelOf(revokeScenario("ignore"), "revoke");
  const s = toBreak(m);
  const esc = stepKind(m, s, A_PIN_TIMER, 0);
  assert.ok(esc.some((e) => e.k === "escalate" && e.how === "sigkill"));
  assert.ok(esc.some((e) => e.k === "exit" && e.how === "killed"));
  assert.equal(s.v[frm(m, 0) + FR_REF], 0);
});

test("revoke with a cancel handler: the handler unmaps the DMA mapping itself; traces speak VFIO, not RDMA", () => {
  const m = modelOf(revokeScenario("cancel"), "revoke");
  const s = toBreak(m);
  const done = stepKind(m, s, 2 /* A_HANDLER */, 0);
  assert.ok(done.some((e) => e.k === "handler-done"));
  assert.equal(s.v[frm(m, 0) + FR_REF], 0);
  for (const [policy, params] of [
    ["revoke", {}],
    ["revoke", { escalation: "invalidate" }],
    ["unsafe", {}],
  ] as const) {
    for (const lb of ["cancel", "ignore", "terminate"] as const) {
      const r = runOf(revokeScenario(lb), policy, { params });
      const text = renderSteps(r.run, PROPERTIES).join("\n");
      assert.doesNotMatch(text, /rkey|IBV_WC|dereg_mr|RDMA|QP|io_uring/, text);
    }
  }
  const r = runOf(revokeScenario("cancel"), "revoke");
  assert.match(renderSteps(r.run, PROPERTIES).join("\n"), /vfio_unmap_dma vmm\.dma/);
});

test("passing the uverbs file keeps MRs alive, never a VFIO mapping: it goes with its process", () => {
  const spec = scenario("uverbs-vfio")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("vmm", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 0, 0, { shared: true })
        .vfioMapDma("dma", "va")
        .sendUverbs("keeper")
        .exit(),
    )
    .proc("keeper", "alice", (p) => p)
    .build();
  const r = runOf(spec, "wait");
  assert.equal(resultOf(r, "vmm", "vfio_map_dma"), 0);
  assert.ok(!events(r).some((e) => e.k === "mr-kept"));
  assert.equal(r.run.final[frm(r.model, 0) + FR_REF], 0);
});

test("a forked child holds the container: the DMA mapping outlives its parent until the child exits", () => {
  const spec = scenario("fork-vfio")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("vmm", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 0, 0, { shared: true })
        .vfioMapDma("dma", "va")
        .fork("child")
        .exit(),
    )
    .proc("child", { user: "alice", forked: true }, (p) => p.waitFor("vmm", "gone").exit())
    .build();
  const labelled = {
    ...spec,
    procs: spec.procs.map((p) =>
      p.name === "vmm"
        ? { ...p, program: p.program.map((op, i) => (i === 4 ? { ...op, label: "gone" } : op)) }
        : p,
    ),
  };
  const r = runOf(labelled, "wait");
  const ev = events(r);
  assert.ok(
    ev.some((e) => e.k === "mr-kept"),
    "the parent's death keeps the mapping",
  );
  const text = renderSteps(r.run, PROPERTIES).join("\n");
  assert.match(text, /vmm\.dma and its pins live on: child still holds the VFIO container/);
  assert.doesNotMatch(text, /uverbs/);
  assert.equal(r.run.final[frm(r.model, 0) + FR_REF], 0, "gone once the child exits too");
});
