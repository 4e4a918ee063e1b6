/**
 * ib_umem_get()'s accounting before any pin (drivers/infiniband/core/umem.c):
 * ib_check_mr_access() EINVAL (ib_uverbs_reg_mr) → can_do_mlock() EPERM →
 * pinned_vm over RLIMIT_MEMLOCK without CAP_IPC_LOCK ENOMEM → the GUP errors.
 * ODP registrations (ib_umem_odp_get) pin nothing and charge nothing; until v5.3
 * they passed ib_umem_get()'s can_do_mlock() first.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { scenario } from "../../scenario/builder.js";
import { resultOf, runOf } from "../../testing/run.js";
import { EFAULT, EINVAL, ENOMEM, EPERM } from "../errno.js";
import { type Access, type Cap, DEFAULT_MEMLOCK_PAGES } from "../spec.js";

function spec(o: {
  memlock?: number;
  caps?: Cap[];
  access?: Access[];
  prot?: "r" | "rw";
  odp?: boolean;
  second?: boolean;
  dereg?: boolean;
}) {
  const access = o.access ?? ["local_write", "remote_write"];
  return scenario("memlock")
    .fs("pagecache", 6)
    .user("alice", o.caps ?? [])
    .file("data", { owner: "alice", pages: 2 })
    .proc(
      "p",
      { user: "alice", ...(o.memlock !== undefined ? { memlock: o.memlock } : {}) },
      (p) => {
        p.open("fd", "data", "rw")
          .mmap("va", "fd", 0, 1, { shared: false, prot: o.prot ?? "rw" })
          .regMr("mr", "va", access, { odp: o.odp ?? false });
        if (o.dereg) p.deregMr("mr");
        if (o.second) p.regMr("mr2", "va", ["local_write"]).as("again");
        return p;
      },
    )
    .build();
}

const ok = (r: ReturnType<typeof runOf>, op = "reg_mr") =>
  assert.ok((resultOf(r, "p", op) as number) >= 0, `${op} should succeed`);

test("the default RLIMIT_MEMLOCK is the kernel's 8 MiB: small registrations fit", () => {
  assert.equal(DEFAULT_MEMLOCK_PAGES, 2048);
  ok(runOf(spec({}), "linux"));
});

test("pinned_vm over RLIMIT_MEMLOCK → ENOMEM, and registrations add up until dereg", () => {
  assert.equal(resultOf(runOf(spec({ memlock: 1 }), "linux"), "p", "reg_mr"), -ENOMEM);
  ok(runOf(spec({ memlock: 2 }), "linux"));
  assert.equal(resultOf(runOf(spec({ memlock: 3, second: true }), "linux"), "p", "again"), -ENOMEM);
  ok(runOf(spec({ memlock: 2, second: true, dereg: true }), "linux"), "again");
});

test("CAP_IPC_LOCK lifts both limits", () => {
  ok(runOf(spec({ memlock: 1, caps: ["CAP_IPC_LOCK"] }), "linux"));
  ok(runOf(spec({ memlock: 0, caps: ["CAP_IPC_LOCK"] }), "linux"));
});

test("RLIMIT_MEMLOCK 0 → EPERM (can_do_mlock), before the ENOMEM of the limit", () => {
  assert.equal(resultOf(runOf(spec({ memlock: 0 }), "linux"), "p", "reg_mr"), -EPERM);
});

test("precedence: EINVAL (access) → EPERM → ENOMEM → GUP's EFAULT", () => {
  const bad: Access[] = ["remote_write"];
  assert.equal(resultOf(runOf(spec({ memlock: 0, access: bad }), "linux"), "p", "reg_mr"), -EINVAL);
  // A writable MR over a PROT_READ mapping is GUP's EFAULT, but the limit is checked first.
  assert.equal(resultOf(runOf(spec({ prot: "r" }), "linux"), "p", "reg_mr"), -EFAULT);
  assert.equal(resultOf(runOf(spec({ prot: "r", memlock: 1 }), "linux"), "p", "reg_mr"), -ENOMEM);
  assert.equal(resultOf(runOf(spec({ prot: "r", memlock: 0 }), "linux"), "p", "reg_mr"), -EPERM);
});

test("an ODP registration pins nothing and is not charged; can_do_mlock() applies to it only while it went through ib_umem_get() (to v5.3)", () => {
  // v5.4+ (linux): ib_umem_odp_get() straight from the driver, no limit checked
  ok(runOf(spec({ memlock: 0, odp: true }), "linux"));
  // 2019 (unsafe): ib_umem_get() ran can_do_mlock() before the ODP branch → EPERM
  assert.equal(resultOf(runOf(spec({ memlock: 0, odp: true }), "unsafe"), "p", "reg_mr"), -EPERM);
  ok(runOf(spec({ memlock: 0, odp: true, caps: ["CAP_IPC_LOCK"] }), "unsafe"));
  // never charged to pinned_vm: a 1-page limit does not refuse a 2-page ODP MR in either era
  ok(runOf(spec({ memlock: 1, odp: true }), "unsafe"));
  ok(runOf(spec({ memlock: 1, odp: true }), "linux"));
  // EINVAL (access) still comes first
  const bad: Access[] = ["remote_write"];
  assert.equal(
    resultOf(runOf(spec({ memlock: 0, odp: true, access: bad }), "unsafe"), "p", "reg_mr"),
    -EINVAL,
  );
});
