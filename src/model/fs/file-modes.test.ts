/**
 * FALLOC_FL_ZERO_RANGE, INSERT_RANGE and UNSHARE_RANGE, FIDEDUPERANGE, chmod,
 * chown and the per-inode DAX flag: errnos in the kernel's order, and what
 * each does to the block map.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type ScenarioBuilder, scenario } from "../../scenario/builder.js";
import { events, resultOf, runOf } from "../../testing/run.js";
import { EACCES, EBADE, EINVAL, ENOTTY, EOPNOTSUPP, EPERM, EXDEV } from "../errno.js";
import {
  BLK_UNWRITTEN,
  BLK_USERS,
  blk,
  contentOf,
  ext,
  INO_SIZE,
  INO_T_XFLAGS,
  ino,
  inoTail,
  type Model,
  type State,
  XF_DAX,
  XF_DONTCACHE,
} from "../layout.js";
import type { FsFlavor } from "../spec.js";

const inodeOf = (m: Model, name: string): number => m.inodes.findIndex((i) => i.name === name);
const blockAt = (m: Model, s: State, file: string, page: number): number =>
  s[ext(m, inodeOf(m, file), page)]! - 1;
/** Contents of every read(2) of process 0, in order. */
const reads = (r: Parameters<typeof events>[0]): number[] =>
  events(r).flatMap((e) => (e.k === "read" ? [e.content] : []));

const twoPages = (flavor: FsFlavor, kind: "dax" | "pagecache" = "dax"): ScenarioBuilder =>
  scenario("modes").fs(kind, 6, flavor).user("alice").file("data", { owner: "alice", pages: 2 });

test("ZERO_RANGE: XFS punches and preallocates, ext4 keeps the block and makes it unwritten", () => {
  for (const flavor of ["xfs", "ext4"] as const) {
    const spec = twoPages(flavor)
      .proc("a", "alice", (p) =>
        p.open("fd", "data", "rw").write("fd", 0).fallocate("fd", "zero", 0, 0).read("fd", 0),
      )
      .build();
    const r = runOf(spec, "unsafe");
    const { model: m } = r;
    assert.equal(resultOf(r, "a", "fallocate"), 0, flavor);
    assert.deepEqual(reads(r), [0], `${flavor}: a zeroed page reads as zeroes`);
    const b = blockAt(m, r.run.final, "data", 0);
    assert.equal(r.run.final[blk(m, b) + BLK_UNWRITTEN], 1, `${flavor}: unwritten`);
    const freed = events(r).some((e) => e.k === "blocks-freed");
    assert.equal(freed, flavor === "xfs", `${flavor}: only XFS frees the zeroed block`);
  }
});

test("INSERT_RANGE shifts the pages up and grows the file; at EOF it is EINVAL", () => {
  const spec = twoPages("xfs")
    .proc("a", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .write("fd", 0)
        .fallocate("fd", "insert", 0, 0)
        .as("ins")
        .read("fd", 0)
        .read("fd", 1)
        .fallocate("fd", "insert", 3, 3)
        .as("eof"),
    )
    .build();
  const r = runOf(spec, "unsafe");
  const m = r.model;
  assert.equal(resultOf(r, "a", "ins"), 0);
  assert.equal(resultOf(r, "a", "eof"), -EINVAL);
  assert.equal(r.run.final[ino(m, inodeOf(m, "data")) + INO_SIZE], 3);
  assert.deepEqual(
    reads(r),
    [0, contentOf(inodeOf(m, "data"))],
    "page 0 is a hole, the data is at 1",
  );
});

test("COLLAPSE_RANGE writes back the dirty pages after the range before they move", () => {
  for (const flavor of ["xfs", "ext4"] as const) {
    const spec = scenario("collapse")
      .fs("pagecache", 6, flavor)
      .user("alice")
      .file("data", { owner: "alice", pages: 3 })
      .proc("a", "alice", (p) =>
        p.open("fd", "data", "rw").write("fd", 2).fallocate("fd", "collapse", 0, 0).read("fd", 1),
      )
      .build();
    const r = runOf(spec, "unsafe");
    assert.equal(resultOf(r, "a", "fallocate"), 0, flavor);
    assert.deepEqual(
      reads(r),
      [contentOf(inodeOf(r.model, "data"))],
      `${flavor}: the write moved to page 1`,
    );
  }
});

test("insert at EOF under a pin: XFS waits for the pin first, ext4 refuses first (EINVAL)", () => {
  for (const flavor of ["xfs", "ext4"] as const) {
    const spec = twoPages(flavor)
      .proc("s", "alice", (p) =>
        p
          .open("fd", "data", "rw")
          .mmap("va", "fd", 0, 0)
          .regMr("mr", "va", ["local_write"])
          .as("pin"),
      )
      .proc("a", "alice", (p) =>
        p.waitFor("s", "pin").open("fd", "data", "rw").fallocate("fd", "insert", 2, 2),
      )
      .build();
    const r = runOf(spec, "wait");
    assert.equal(resultOf(r, "a", "fallocate"), flavor === "xfs" ? "blocks" : -EINVAL, flavor);
  }
});

test("UNSHARE_RANGE copies a shared block; ext4 and tmpfs lack the mode (EOPNOTSUPP)", () => {
  const spec = scenario("unshare")
    .fs("dax", 6)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .file("copy", { owner: "alice", pages: 1, reflinkOf: "data" })
    .proc("a", "alice", (p) => p.open("fd", "copy", "rw").fallocate("fd", "unshare", 0, 0))
    .build();
  const r = runOf(spec, "unsafe");
  const m = r.model;
  const s = r.run.final;
  assert.equal(resultOf(r, "a", "fallocate"), 0);
  assert.notEqual(blockAt(m, s, "copy", 0), blockAt(m, s, "data", 0));
  assert.equal(s[blk(m, blockAt(m, s, "data", 0)) + BLK_USERS], 1);

  const e4 = twoPages("ext4")
    .proc("a", "alice", (p) => p.open("fd", "data", "rw").fallocate("fd", "unshare", 0, 0))
    .build();
  assert.equal(resultOf(runOf(e4, "linux"), "a", "fallocate"), -EOPNOTSUPP);
  const shm = twoPages("xfs")
    .proc("a", "alice", (p) => p.memfdCreate("m").ftruncate("m", 1).fallocate("m", "zero", 0, 0))
    .build();
  assert.equal(resultOf(runOf(shm, "linux"), "a", "fallocate"), -EOPNOTSUPP);
});

const dedupeOf = (
  flavor: FsFlavor,
  admin: (p: Parameters<Parameters<ScenarioBuilder["proc"]>[2]>[0]) => unknown,
  caps: readonly ("CAP_SYS_ADMIN" | "CAP_CHOWN" | "CAP_FOWNER")[] = [],
) =>
  scenario("dedupe")
    .fs("dax", 6, flavor)
    .user("alice")
    .user("bob", caps)
    .file("golden", { owner: "alice", pages: 1 })
    .file("data", { owner: "alice", pages: 1 })
    .proc("a", "alice", (p) => {
      admin(p);
      return p;
    })
    .build();

test("FIDEDUPERANGE: equal ranges share the source's block; different ones are EBADE", () => {
  const same = dedupeOf("xfs", (p) =>
    p.open("src", "golden", "r").open("dst", "data", "r").dedupe("src", "dst", 0, 0),
  );
  const r = runOf(same, "unsafe");
  const m = r.model;
  const s = r.run.final;
  assert.equal(resultOf(r, "a", "dedupe"), 0);
  assert.equal(blockAt(m, s, "data", 0), blockAt(m, s, "golden", 0));
  assert.equal(s[blk(m, blockAt(m, s, "golden", 0)) + BLK_USERS], 2);

  const differ = dedupeOf("xfs", (p) =>
    p
      .open("src", "golden", "rw")
      .write("src", 0)
      .open("dst", "data", "r")
      .dedupe("src", "dst", 0, 0),
  );
  assert.equal(resultOf(runOf(differ, "unsafe"), "a", "dedupe"), -EBADE);
});

test("FIDEDUPERANGE errnos: write-only source EINVAL, ext4 EOPNOTSUPP, past EOF EINVAL, other fs EXDEV", () => {
  const wo = dedupeOf("xfs", (p) =>
    p.open("src", "golden", "w").open("dst", "data", "r").dedupe("src", "dst", 0, 0),
  );
  assert.equal(resultOf(runOf(wo, "linux"), "a", "dedupe"), -EINVAL);
  const e4 = dedupeOf("ext4", (p) =>
    p.open("src", "golden", "r").open("dst", "data", "r").dedupe("src", "dst", 0, 0),
  );
  assert.equal(resultOf(runOf(e4, "linux"), "a", "dedupe"), -EOPNOTSUPP);
  const eof = dedupeOf("xfs", (p) =>
    p
      .open("src", "golden", "rw")
      .ftruncate("src", 2)
      .open("dst", "data", "r")
      .dedupe("src", "dst", 0, 1),
  );
  assert.equal(resultOf(runOf(eof, "linux"), "a", "dedupe"), -EINVAL);
  const xdev = dedupeOf("xfs", (p) =>
    p.open("src", "golden", "r").memfdCreate("dst").dedupe("src", "dst", 0, 0),
  );
  assert.equal(resultOf(runOf(xdev, "linux"), "a", "dedupe"), -EXDEV);
});

test("may_dedupe_file(): another user's read-only descriptor is EPERM, unless CAP_SYS_ADMIN", () => {
  for (const caps of [[], ["CAP_SYS_ADMIN"]] as const) {
    const spec = scenario("may")
      .fs("dax", 6)
      .user("alice")
      .user("bob", caps)
      .file("golden", { owner: "alice", pages: 1 })
      .file("data", { owner: "alice", pages: 1 })
      .proc("b", "bob", (p) =>
        p.open("src", "golden", "r").open("dst", "data", "r").dedupe("src", "dst", 0, 0),
      )
      .build();
    assert.equal(resultOf(runOf(spec, "linux"), "b", "dedupe"), caps.length ? 0 : -EPERM);
  }
});

test("chmod needs the owner or CAP_FOWNER; chown needs CAP_CHOWN; later opens see the change", () => {
  const spec = scenario("attr")
    .fs("pagecache", 4)
    .user("alice")
    .user("bob")
    .user("root", ["CAP_CHOWN", "CAP_FOWNER"])
    .file("data", { owner: "alice", mode: 0o644, pages: 1 })
    .proc("b", "bob", (p) =>
      p
        .chmod("data", 0o666)
        .as("bobmod")
        .waitFor("r", "given")
        .open("fd", "data", "rw")
        .as("reopen"),
    )
    .proc("a", "alice", (p) => p.chown("data", "bob").as("give").chmod("data", 0o600).as("own"))
    .proc("r", "root", (p) => p.waitFor("a", "own").chown("data", "bob").as("given"))
    .build();
  const r = runOf(spec, "linux");
  assert.equal(resultOf(r, "b", "bobmod"), -EPERM);
  assert.equal(resultOf(r, "a", "give"), -EPERM);
  assert.equal(resultOf(r, "a", "own"), 0);
  assert.equal(resultOf(r, "r", "given"), 0);
  // bob owns the file now: the owner bits (rw) apply to him
  const reopen = resultOf(r, "b", "reopen");
  assert.ok(typeof reopen === "number" && reopen >= 0, `reopen: ${reopen}`);
  const before = scenario("attr2")
    .fs("pagecache", 4)
    .user("alice")
    .user("bob")
    .file("data", { owner: "alice", mode: 0o644, pages: 1 })
    .proc("b", "bob", (p) => p.open("fd", "data", "rw"))
    .build();
  assert.equal(resultOf(runOf(before, "linux"), "b", "open"), -EACCES);
});

test("FS_IOC_FSSETXATTR: EPERM for another user, EOPNOTSUPP on tmpfs, ENOTTY on device-DAX", () => {
  const spec = scenario("xattr")
    .fs("dax", 4, "xfs", "inode")
    .user("alice")
    .user("bob")
    .file("data", { owner: "alice", pages: 1 })
    .file("dev", { owner: "alice", pages: 1, backing: "devdax" })
    .proc("b", "bob", (p) => p.open("fd", "data", "r").fssetxattr("fd", false))
    .proc("a", "alice", (p) =>
      p
        .memfdCreate("m")
        .fssetxattr("m", false)
        .as("shm")
        .open("d", "dev", "rw")
        .fssetxattr("d", false)
        .as("dev"),
    )
    .build();
  const r = runOf(spec, "linux");
  assert.equal(resultOf(r, "b", "fssetxattr"), -EPERM);
  assert.equal(resultOf(r, "a", "shm"), -EOPNOTSUPP);
  assert.equal(resultOf(r, "a", "dev"), -ENOTTY);
});

test("the DAX flag: I_DONTCACHE only on dax=inode and for a real change; the last close then waits for pins", () => {
  const flagged = (mount: "always" | "inode", dax: boolean) =>
    scenario("flag")
      .fs("dax", 4, "xfs", mount)
      .user("alice")
      .file("data", { owner: "alice", pages: 1 })
      .proc("s", "alice", (p) =>
        p
          .open("fd", "data", "rw")
          .mmap("va", "fd", 0, 0)
          .regMr("mr", "va", ["local_write"])
          .munmap("va")
          .fssetxattr("fd", dax)
          .close("fd"),
      )
      .build();
  const xflags = (r: ReturnType<typeof runOf>, when: "init" | "final") => {
    const m = r.model;
    const s = when === "init" ? m.init : r.run.final;
    return s[inoTail(m, inodeOf(m, "data")) + INO_T_XFLAGS]!;
  };
  const cleared = runOf(flagged("inode", false), "wait");
  assert.equal(xflags(cleared, "init"), XF_DAX, "dax=inode files start with the flag set");
  assert.equal(resultOf(cleared, "s", "fssetxattr"), 0);
  assert.equal(
    resultOf(cleared, "s", "close"),
    "blocks",
    "the last close evicts: waits for the pin",
  );
  assert.equal(xflags(cleared, "final") & XF_DONTCACHE, XF_DONTCACHE);
  const same = runOf(flagged("inode", true), "wait");
  assert.equal(resultOf(same, "s", "close"), 0, "setting the flag it has is no change");
  const always = runOf(flagged("always", false), "wait");
  assert.equal(resultOf(always, "s", "close"), 0, "dax=always: the flag changes nothing");
  assert.equal(xflags(always, "final"), 0);
});

test("chown moves the lease owner test: after the file is given to bob, bob may take a lease", () => {
  const spec = scenario("lease-owner")
    .fs("pagecache", 4)
    .user("alice")
    .user("bob")
    .user("root", ["CAP_CHOWN"])
    .file("data", { owner: "alice", mode: 0o644, pages: 1 })
    .proc("b", "bob", (p) =>
      p
        .open("fd", "data", "r")
        .setlease("fd", "rd")
        .as("before")
        .setlease("fd", "unlck")
        .waitFor("r", "given")
        .setlease("fd", "rd")
        .as("after"),
    )
    .proc("r", "root", (p) => p.waitFor("b", "before").chown("data", "bob").as("given"))
    .build();
  const r = runOf(spec, "linux");
  assert.equal(resultOf(r, "b", "before"), -EACCES);
  assert.equal(resultOf(r, "r", "given"), 0);
  assert.equal(resultOf(r, "b", "after"), 0);
});
