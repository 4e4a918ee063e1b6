/** Order of checks in truncate(2), ftruncate(2), fallocate(2) and FICLONE. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { scenario } from "../../scenario/builder.js";
import { resultOf, runOf } from "../../testing/run.js";
import { EACCES, EBADF, EINVAL, ETXTBSY } from "../errno.js";

test("truncate by a user without write permission is EACCES, before the swapfile ETXTBSY", () => {
  const spec = scenario("perm")
    .fs("dax", 4)
    .user("alice")
    .user("bob")
    .file("data", { owner: "alice", pages: 2 })
    .proc("a", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 0, 1)
        .regMr("mr", "va", ["local_write", "remote_write"]),
    )
    .proc("b", "bob", (p) => p.truncate("data", 0))
    .proc("c", "alice", (p) => p.truncate("data", 0))
    .build();
  const r = runOf(spec, "immutable");
  assert.equal(resultOf(r, "b", "truncate"), -EACCES);
  assert.equal(resultOf(r, "c", "truncate"), -ETXTBSY);
});

test("fallocate: a read-only descriptor is EBADF before the swapfile ETXTBSY; collapse to EOF is EINVAL", () => {
  const spec = scenario("falloc")
    .fs("dax", 6)
    .user("alice")
    .file("data", { owner: "alice", pages: 3 })
    .proc("a", "alice", (p) =>
      p
        .open("ro", "data", "r")
        .open("fd", "data", "rw")
        .fallocate("fd", "collapse", 1, 2)
        .as("toeof")
        .mmap("va", "fd", 0, 1)
        .regMr("mr", "va", ["local_write", "remote_write"])
        .fallocate("ro", "punch", 0, 0)
        .as("ro")
        .fallocate("fd", "punch", 0, 0)
        .as("rw"),
    )
    .build();
  const r = runOf(spec, "immutable");
  assert.equal(resultOf(r, "a", "toeof"), -EINVAL);
  assert.equal(resultOf(r, "a", "ro"), -EBADF);
  assert.equal(resultOf(r, "a", "rw"), -ETXTBSY);
});

test("ftruncate on a descriptor not open for writing is EINVAL (do_sys_ftruncate)", () => {
  const spec = scenario("ftrunc")
    .fs("pagecache", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 2 })
    .proc("a", "alice", (p) => p.open("fd", "data", "r").ftruncate("fd", 0))
    .build();
  assert.equal(resultOf(runOf(spec, "linux"), "a", "ftruncate"), -EINVAL);
});

test("reflink of a pinned extent shares the block: a later DMA corrupts the clone under unsafe", () => {
  const spec = scenario("reflink")
    .fs("dax", 6)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .file("copy", { owner: "alice", pages: 1 })
    .proc("a", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 0, 0)
        .regMr("mr", "va", ["local_write", "remote_write"])
        .send("peer", "mr")
        .open("dst", "copy", "rw")
        .reflink("fd", "dst"),
    )
    .peer("peer", (r) => r.recv("mr").rdmaWrite("mr", 0))
    .build();
  const u = runOf(spec, "unsafe");
  assert.match(u.run.occurrences.get("foreign-dma")!.message, /shared by reflink with copy/);
  const w = runOf(spec, "ebusy");
  assert.ok(!w.run.occurrences.has("foreign-dma"));
});
