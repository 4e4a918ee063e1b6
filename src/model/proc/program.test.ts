/** errno rules of the remaining system calls, each with the check that comes first. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { scenario } from "../../scenario/builder.js";
import { events, resultOf, runOf } from "../../testing/run.js";
import { EACCES, EEXIST, EPERM, ETXTBSY } from "../errno.js";

const ESRCH = 3;

test("open: EEXIST for O_CREAT|O_EXCL on an existing file, EACCES by mode bits", () => {
  const spec = scenario("open")
    .fs("dax", 4)
    .user("alice")
    .user("bob")
    .file("data", { owner: "alice", pages: 1, mode: 0o640 })
    .proc("a", "alice", (p) =>
      p
        .create("x", "fresh")
        .as("c1")
        .create("y", "fresh")
        .as("c2")
        .open("z", "data", "rw")
        .as("own"),
    )
    .proc("b", "bob", (p) => p.open("fd", "data", "r").as("o1"))
    .build();
  const r = runOf(spec, "linux");
  assert.ok((resultOf(r, "a", "c1") as number) >= 0);
  assert.equal(resultOf(r, "a", "c2"), -EEXIST);
  assert.ok((resultOf(r, "a", "own") as number) >= 0, "the owner's bits allow rw");
  assert.equal(resultOf(r, "b", "o1"), -EACCES, "0640: others may not read");
});

test("mmap: a shared writable mapping of a read-only descriptor is EACCES (do_mmap)", () => {
  const spec = scenario("mmap")
    .fs("pagecache", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("a", "alice", (p) =>
      p
        .open("fd", "data", "r")
        .mmap("va", "fd", 0, 0, { shared: true, prot: "rw" })
        .as("rw")
        .mmap("vb", "fd", 0, 0, { shared: false, prot: "rw" })
        .as("priv"),
    )
    .build();
  const r = runOf(spec, "linux");
  assert.equal(resultOf(r, "a", "rw"), -EACCES);
  assert.ok(
    (resultOf(r, "a", "priv") as number) >= 0,
    "a private writable mapping needs no write access",
  );
});

// immutable freezes the block map, not the contents (Chinner; Lameter,
// https://lore.kernel.org/r/01000168cdbe520b-2b2be741-8ceb-4a5d-92f2-9f68795d7db3-000000@email.amazonses.com):
// an overwrite succeeds, an extending write fails with ETXTBSY.
test("write to a pinned file under immutable: an overwrite succeeds, an extending write is ETXTBSY", () => {
  const spec = scenario("write")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("a", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 0, 0)
        .regMr("mr", "va", ["local_write", "remote_write"])
        .write("fd", 0)
        .as("over")
        .write("fd", 1)
        .as("extend"),
    )
    .build();
  const r = runOf(spec, "immutable");
  assert.equal(resultOf(r, "a", "over"), 1);
  assert.equal(resultOf(r, "a", "extend"), -ETXTBSY);
  assert.equal(resultOf(runOf(spec, "unsafe"), "a", "extend"), 1);
});

test("kill: another user's process is EPERM, a dead one ESRCH; SIGKILL releases the victim's pins", () => {
  const spec = scenario("kill")
    .fs("dax", 4)
    .user("alice")
    .user("bob")
    .file("data", { owner: "alice", pages: 1 })
    .proc("victim", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 0, 0)
        .regMr("mr", "va", ["local_write", "remote_write"]),
    )
    .proc("other", "bob", (p) => p.kill("victim").as("k"))
    .proc("owner", "alice", (p) => p.kill("victim").as("k1").kill("victim").as("k2"))
    .build();
  const r = runOf(spec, "unsafe");
  assert.equal(resultOf(r, "other", "k"), -EPERM);
  assert.equal(resultOf(r, "owner", "k1"), 0);
  assert.equal(resultOf(r, "owner", "k2"), -ESRCH);
  assert.ok(events(r).some((e) => e.k === "unpin"));
});

test("a store past EOF through a mapping kills with SIGBUS; without a mapping, SIGSEGV", () => {
  const spec = scenario("sigbus")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 2 })
    .proc("a", "alice", (p) =>
      p.open("fd", "data", "rw").mmap("va", "fd", 0, 1).ftruncate("fd", 1).store("va", 1),
    )
    .proc("b", "alice", (p) =>
      p.open("fd", "data", "rw").mmap("va", "fd", 0, 0).munmap("va").store("va", 0),
    )
    .build();
  const ev = events(runOf(spec, "linux"));
  const sigs = ev.flatMap((e) => (e.k === "exit" && e.cause === "signal" ? [e.sig] : []));
  assert.deepEqual(sigs, ["SIGBUS", "SIGSEGV"]);
});
