/**
 * ib_umem_get()'s accounting before any pin (drivers/infiniband/core/umem.c):
 * ib_check_mr_access() EINVAL (ib_uverbs_reg_mr) → can_do_mlock() EPERM →
 * pinned_vm over RLIMIT_MEMLOCK without CAP_IPC_LOCK ENOMEM → the GUP errors.
 * ODP registrations (ib_umem_odp_get) pin nothing and charge nothing.
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

test("an ODP registration pins nothing and is not charged", () => {
  ok(runOf(spec({ memlock: 0, odp: true }), "linux"));
});
