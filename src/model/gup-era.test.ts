/**
 * GUP rules of each era (mm/gup.c check_vma_flags(), gup_must_unshare() in
 * mm/internal.h, migrate_longterm_unpinnable_folios()), as RDMA registration
 * (drivers/infiniband/core/umem.c ib_umem_get) meets them.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { POLICIES } from "../policies/index.js";
import { scenario } from "../scenario/builder.js";
import { Driver } from "../testing/drive.js";
import { events, modelOf, resultOf, runOf } from "../testing/run.js";
import { EFAULT, EINVAL, ENOMEM } from "./errno.js";
import { FF_ANON, FR_FLAGS, FR_REF, frm, MR_NONE, mr as mrOff, vma } from "./layout.js";
import { ptePerm } from "./mm/pte.js";
import type { Access, FsKind } from "./spec.js";
import { A_PROC } from "./step.js";

function one(o: {
  fs: FsKind;
  shared: boolean;
  prot: "r" | "rw";
  fd: "r" | "rw";
  access: readonly Access[];
}) {
  return scenario("era")
    .fs(o.fs, 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("p", "alice", (p) =>
      p
        .open("fd", "data", o.fd)
        .mmap("va", "fd", 0, 0, { shared: o.shared, prot: o.prot })
        .regMr("mr", "va", o.access),
    )
    .build();
}

const RO_SHARED = { shared: true, prot: "r", fd: "r", access: ["remote_read"] } as const;
const RO_PRIVATE = { shared: false, prot: "r", fd: "r", access: ["remote_read"] } as const;

test("every policy states its GUP era: unsafe and wait 2019, linux and the proposals v6.2", () => {
  const era = new Map(POLICIES.map((p) => [p.name, p.create({}).gupEra]));
  assert.equal(era.get("unsafe"), "2019");
  assert.equal(era.get("wait"), "2019");
  for (const p of ["linux", "ebusy", "revoke", "layout-lease", "immutable", "deferred-free", "odp"])
    assert.equal(era.get(p), "v6.2", p);
});

// 2019 ib_umem_get(): gup_flags = FOLL_WRITE, | FOLL_FORCE if !umem->writable
// (https://github.com/torvalds/linux/blob/0446cad9ca385c3b8d6e5a1184e59650fa7a7a6d/drivers/infiniband/core/umem.c);
// check_vma_flags(): a forced write into a !VM_WRITE vma needs is_cow_mapping() → else EFAULT.
test("2019: a R/O MR over a R/O MAP_SHARED mapping fails EFAULT; v6.2 pins it", () => {
  for (const fs of ["pagecache", "dax"] as const) {
    for (const pol of ["unsafe", "wait"])
      assert.equal(resultOf(runOf(one({ fs, ...RO_SHARED }), pol), "p", "reg_mr"), -EFAULT, pol);
    // ebusy takes today's rules (and allows fs-DAX pins): the R/O pin succeeds.
    assert.ok((resultOf(runOf(one({ fs, ...RO_SHARED }), "ebusy"), "p", "reg_mr") as number) >= 0);
  }
  assert.ok(
    (resultOf(runOf(one({ fs: "pagecache", ...RO_SHARED }), "linux"), "p", "reg_mr") as number) >=
      0,
  );
});

test("2019: ib_check_mr_access() EINVAL comes before the FOLL_WRITE|FOLL_FORCE EFAULT", () => {
  const spec = one({ fs: "pagecache", ...RO_SHARED, access: ["remote_write"] });
  assert.equal(resultOf(runOf(spec, "unsafe"), "p", "reg_mr"), -EINVAL);
});

test("2019: a R/O MR over a R/O MAP_PRIVATE mapping is a forced COW: the pin holds a private copy", () => {
  const r = runOf(one({ fs: "pagecache", ...RO_PRIVATE }), "unsafe");
  assert.ok((resultOf(r, "p", "reg_mr") as number) >= 0);
  const pin = events(r).find((e) => e.k === "pin");
  assert.ok(pin && pin.k === "pin");
  const f = pin.frames[0]!;
  assert.notEqual(r.run.final[frm(r.model, f) + FR_FLAGS]! & FF_ANON, 0);
});

// gup_must_unshare(): FOLL_PIN|FOLL_LONGTERM without FOLL_WRITE on a non-anonymous
// page → is_cow_mapping(vm_flags), which is true for MAP_PRIVATE even with PROT_READ.
test("v6.2: a R/O long-term pin of a R/O MAP_PRIVATE mapping unshares into a read-only anonymous copy", () => {
  for (const [fs, pol] of [
    ["pagecache", "linux"],
    ["dax", "ebusy"],
  ] as const) {
    const r = runOf(one({ fs, ...RO_PRIVATE }), pol);
    assert.ok((resultOf(r, "p", "reg_mr") as number) >= 0, `${fs} ${pol}`);
    const m = r.model;
    const pin = events(r).find((e) => e.k === "pin");
    assert.ok(pin && pin.k === "pin");
    const f = pin.frames[0]!;
    assert.notEqual(
      r.run.final[frm(m, f) + FR_FLAGS]! & FF_ANON,
      0,
      "the pinned page is anonymous",
    );
    if (fs === "dax") assert.ok(f >= m.nBlocks, "not the file's block");
    const pte = r.run.final[vma(m, 0) + 1]!;
    assert.equal(ptePerm(pte), 1, "mapped read-only (FAULT_FLAG_UNSHARE)");
  }
  // A shared mapping is no COW mapping: the pin holds the file's own page.
  const sh = runOf(one({ fs: "pagecache", ...RO_SHARED }), "linux");
  const pin = events(sh).find((e) => e.k === "pin");
  assert.ok(pin && pin.k === "pin");
  assert.equal(sh.run.final[frm(sh.model, pin.frames[0]!) + FR_FLAGS]! & FF_ANON, 0);
});

// migrate_longterm_unpinnable_folios(): migrate_pages() failing → -ENOMEM after
// unpinning everything; a folio with unexpected references cannot be migrated.
test("a ZONE_MOVABLE page that cannot migrate fails the pin with ENOMEM and pins nothing", () => {
  const spec = scenario("mig")
    .fs("pagecache", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 2, movable: true })
    .proc("p", "alice", (p) =>
      p
        .open("fd", "data", "r")
        .mmap("va", "fd", 0, 1, { prot: "r" })
        .load("va", 1)
        .regMr("mr", "va", ["remote_read"]),
    )
    .build();
  const m = modelOf(spec, "linux");
  const d = new Driver(m);
  d.proc(0, 3);
  // Page 1 is cached in ZONE_MOVABLE; give it one reference beyond the mapping's
  // (a short-term GUP, e.g. O_DIRECT in flight), so migration cannot freeze it.
  const pte = d.s[vma(m, 0) + 2]!;
  const f = (pte >> 2) - 1;
  d.s[frm(m, f) + FR_REF] = 1;
  const ev = d.do(A_PROC, 0);
  const ret = ev.find((e) => e.k === "ret");
  assert.ok(ret && ret.k === "ret");
  assert.equal(ret.result, -ENOMEM);
  assert.ok(!ev.some((e) => e.k === "pin"));
  assert.ok(ev.some((e) => e.k === "migrate-failed"));
  assert.equal(d.s[frm(m, f) + FR_REF], 1, "migration never copies or takes pins");
  assert.equal(d.s[mrOff(m, 0)], MR_NONE);
  // Without the extra reference the same pin migrates both pages and succeeds.
  const ok = runOf(spec, "linux");
  assert.ok((resultOf(ok, "p", "reg_mr") as number) >= 0);
  assert.equal(events(ok).filter((e) => e.k === "migrate").length, 2);
});
