/**
 * unlink(2), the last close and eviction under a pin: may_delete()'s errnos
 * in order, eviction at the last reference, and dax_break_layout_final()'s
 * uninterruptible wait for pinned fs-DAX pages.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ProcBuilder } from "../../scenario/builder.js";
import { scenario } from "../../scenario/builder.js";
import { events, resultOf, runOf } from "../../testing/run.js";
import { EACCES, ENOENT, EPERM } from "../errno.js";
import { BLK_USERS, blk, INO_EXISTS, ino, P_STATUS, PS_BLOCKED, PS_DONE, proc } from "../layout.js";

function spec(
  fs: "dax" | "pagecache",
  server: (p: ProcBuilder) => ProcBuilder,
  admin: (p: ProcBuilder) => ProcBuilder,
) {
  return scenario("unlink")
    .fs(fs, 4)
    .user("alice")
    .user("bob")
    .file("data", { owner: "alice", pages: 1 })
    .proc("server", "alice", server)
    .proc("admin", "alice", admin)
    .proc("bob", "bob", (p) => p.waitFor("admin", "u").unlink("data"))
    .build();
}

const pinAndLetGo = (p: ProcBuilder) =>
  p
    .open("fd", "data", "rw")
    .mmap("va", "fd", 0, 0)
    .regMr("mr", "va", ["local_write"])
    .munmap("va")
    .close("fd")
    .as("closed");

test("unlink of a file nothing holds evicts it: its blocks are freed, the name is gone", () => {
  const r = runOf(
    spec(
      "dax",
      (p) => p.open("fd", "data", "rw").close("fd").as("closed"),
      (p) => p.waitFor("server", "closed").unlink("data").as("u").open("g", "data", "r"),
    ),
    "linux",
  );
  const { model: m, run } = r;
  assert.equal(resultOf(r, "admin", "u"), 0);
  assert.equal(resultOf(r, "admin", "open"), -ENOENT);
  assert.equal(run.final[ino(m, 0) + INO_EXISTS], 0);
  assert.equal(run.final[blk(m, 0) + BLK_USERS], 0);
  assert.ok(events(r).some((e) => e.k === "evicted"));
  // may_delete(): the name is gone before any permission check: ENOENT, not EACCES
  assert.equal(resultOf(r, "bob", "unlink"), -ENOENT);
});

test("unlink by another user is EACCES (the directory is its owner's)", () => {
  const s = scenario("eacces")
    .fs("dax", 4)
    .user("alice")
    .user("bob")
    .file("data", { owner: "alice", pages: 1 })
    .proc("bob", "bob", (p) => p.unlink("data"))
    .build();
  assert.equal(resultOf(runOf(s, "linux"), "bob", "unlink"), -EACCES);
});

test("unlink of a pinned swapfile-like file is EPERM (may_delete: IS_SWAPFILE)", () => {
  const r = runOf(
    spec("dax", pinAndLetGo, (p) => p.waitFor("server", "closed").unlink("data").as("u")),
    "immutable",
  );
  assert.equal(resultOf(r, "admin", "u"), -EPERM);
});

test("an open file keeps the unlinked inode; the last close evicts it", () => {
  const r = runOf(
    spec(
      "dax",
      (p) => p.open("fd", "data", "rw").waitFor("admin", "u").close("fd"),
      (p) => p.unlink("data").as("u"),
    ),
    "linux",
  );
  const ev = events(r);
  const unlinked = ev.find((e) => e.k === "unlinked");
  assert.ok(unlinked && unlinked.k === "unlinked" && unlinked.held);
  const evicted = ev.find((e) => e.k === "evicted");
  assert.ok(evicted && evicted.k === "evicted" && evicted.proc === 0, "evicted by the close");
});

test("wait: the eviction waits uninterruptibly for the pin (dax_break_layout_final)", () => {
  const r = runOf(
    spec("dax", pinAndLetGo, (p) => p.waitFor("server", "closed").unlink("data").as("u")),
    "wait",
  );
  const { model: m, run } = r;
  // Nothing drops the pin: the unlink never returns, and a signal could not end it.
  assert.equal(resultOf(r, "admin", "u"), "blocks");
  assert.equal(run.final[proc(m, 1) + P_STATUS], PS_BLOCKED);
  assert.notEqual(
    run.final[proc(m, 1) + 2]! & 16,
    0,
    "TASK_UNINTERRUPTIBLE (SIGF_UNINTERRUPTIBLE)",
  );
  assert.equal(run.final[blk(m, 0) + BLK_USERS], 1, "the block is not freed");
});

test("wait: the eviction returns once the pinner deregisters", () => {
  // admin first, so that the priority schedule runs its unlink before the dereg
  const s = scenario("returns")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("admin", "alice", (p) => p.waitFor("server", "closed").unlink("data").as("u"))
    .proc("server", "alice", (p) => pinAndLetGo(p).deregMr("mr"))
    .build();
  const r = runOf(s, "wait");
  const ev = events(r);
  const blocked = ev.findIndex((e) => e.k === "block" && e.proc === 0);
  const unpin = ev.findIndex((e) => e.k === "unpin");
  const evicted = ev.findIndex((e) => e.k === "evicted");
  assert.ok(blocked >= 0 && unpin > blocked && evicted > unpin);
  assert.equal(resultOf(r, "admin", "u"), 0);
});

test("unsafe: the eviction frees the pinned blocks at once (no wait before v6.15)", () => {
  const r = runOf(
    spec("dax", pinAndLetGo, (p) => p.waitFor("server", "closed").unlink("data").as("u")),
    "unsafe",
  );
  const { model: m, run } = r;
  assert.equal(resultOf(r, "admin", "u"), 0);
  assert.equal(run.final[blk(m, 0) + BLK_USERS], 0);
  assert.equal(run.final[proc(m, 1) + P_STATUS], PS_DONE);
});

test("page cache under linux: eviction orphans the pinned page and returns", () => {
  const r = runOf(
    spec(
      "pagecache",
      (p) =>
        p
          .open("fd", "data", "rw")
          .mmap("va", "fd", 0, 0, { shared: false })
          .store("va", 0)
          .regMr("mr", "va", ["local_write"])
          .munmap("va")
          .close("fd")
          .as("closed"),
      (p) => p.waitFor("server", "closed").unlink("data").as("u"),
    ),
    "linux",
  );
  assert.equal(resultOf(r, "admin", "u"), 0);
  assert.ok(events(r).some((e) => e.k === "evicted"));
});
