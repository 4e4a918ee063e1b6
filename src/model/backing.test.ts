/**
 * Rules that differ by backing (backing.ts): admission of long-term pins on
 * each backing, GUP-fast against the slow path, memfd seals and
 * memfd_wait_for_pins(), device-DAX's refusals, and the errno order of each.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type ProcBuilder, scenario } from "../scenario/builder.js";
import { parseScenario } from "../scenario/pin.js";
import { drive, returned } from "../testing/drive.js";
import { events, modelOf, resultOf, runModel, runOf } from "../testing/run.js";
import { SEAL_BITS } from "./backing.js";
import { newCtx } from "./ctx.js";
import { EACCES, EBADF, EBUSY, EFAULT, EINVAL, ENODEV, EOPNOTSUPP, EPERM, EXDEV } from "./errno.js";
import { FF_ANON, FR_FLAGS, FR_REF, frm, INO_T_SEALS, inoTail, MR_VALID, mr } from "./layout.js";
import { zeroFrame } from "./mm/frames.js";
import { unpinMrPages } from "./mm/gup.js";
import type { Backing, FsKind, ScenarioSpec } from "./spec.js";

function one(
  backing: Backing,
  body: (p: ProcBuilder) => ProcBuilder,
  o: { fs?: FsKind; mode?: number; pages?: number; users?: [string, string] } = {},
) {
  return scenario(`one-${backing}`)
    .fs(o.fs ?? "pagecache", 4)
    .user("alice")
    .user("bob")
    .file("f", { owner: "alice", pages: o.pages ?? 1, mode: o.mode ?? 0o644, backing })
    .proc("p", o.users?.[0] ?? "alice", body)
    .build();
}

/** Opens f, maps page 0, touches it, pins it with gup_test; returns the pin's result. */
function pin(
  backing: Backing,
  o: {
    shared: boolean;
    write: boolean;
    fast: boolean;
    fs?: FsKind;
    touch?: "store" | "load" | "none";
  },
): number | "blocks" | "never" {
  const spec = one(
    backing,
    (p) => {
      p.open("fd", "f", "rw").mmap("va", "fd", 0, 0, { shared: o.shared, prot: "rw" });
      if ((o.touch ?? "store") === "store") p.store("va", 0);
      if (o.touch === "load") p.load("va", 0);
      return p.pinLongterm("pin", "va", { write: o.write, fast: o.fast });
    },
    { fs: o.fs ?? "pagecache" },
  );
  return resultOf(runOf(spec, "linux"), "p", "pin_longterm");
}

test("R/W long-term pins of a shared mapping: EFAULT where the mapping is dirty-tracked, fast or slow", () => {
  for (const fast of [false, true]) {
    assert.equal(pin("fs", { shared: true, write: true, fast }), -EFAULT, `fs fast=${fast}`);
    assert.equal(pin("other", { shared: true, write: true, fast }), -EFAULT, `other fast=${fast}`);
    for (const b of ["tmpfs", "hugetlbfs", "devdax"] as const)
      assert.ok((pin(b, { shared: true, write: true, fast }) as number) >= 0, `${b} fast=${fast}`);
  }
});

test("R/O and private long-term pins work on every backing but fs-DAX", () => {
  for (const b of ["fs", "other", "tmpfs", "hugetlbfs"] as const)
    for (const fast of [false, true]) {
      assert.ok((pin(b, { shared: true, write: false, fast }) as number) >= 0, `${b} shared R/O`);
      for (const write of [false, true])
        assert.ok((pin(b, { shared: false, write, fast }) as number) >= 0, `${b} private`);
    }
});

test("fs-DAX: the slow path refuses FOLL_LONGTERM (EOPNOTSUPP), GUP-fast pins a written private page", () => {
  // Measured on Debian 6.1 and 6.12 (kernel-semantics §1): the written pages of a
  // MAP_PRIVATE fs-DAX mapping are anonymous copies, which GUP-fast pins without the VMA.
  assert.equal(pin("fs", { fs: "dax", shared: false, write: true, fast: false }), -EOPNOTSUPP);
  assert.ok((pin("fs", { fs: "dax", shared: false, write: true, fast: true }) as number) >= 0);
  // Only read: the PTE maps the device page (devmap), and GUP-fast falls back.
  assert.equal(
    pin("fs", { fs: "dax", shared: false, write: true, fast: true, touch: "load" }),
    -EOPNOTSUPP,
  );
  assert.equal(pin("fs", { fs: "dax", shared: true, write: true, fast: true }), -EOPNOTSUPP);
  // device-DAX is not vma_is_fsdax(): allowed on the same filesystem.
  assert.ok((pin("devdax", { fs: "dax", shared: true, write: true, fast: true }) as number) >= 0);
});

test("GUP-fast falls back to the slow path for a page not yet faulted in and for a movable page", () => {
  // Nothing mapped yet: the slow path faults it in and pins it.
  assert.ok(
    (pin("tmpfs", { shared: true, write: true, fast: true, touch: "none" }) as number) >= 0,
  );
  const spec = scenario("movable")
    .fs("pagecache", 2)
    .user("alice")
    .file("f", { owner: "alice", pages: 1, backing: "tmpfs", movable: true })
    .proc("p", "alice", (p) =>
      p
        .open("fd", "f", "rw")
        .mmap("va", "fd", 0, 0, { shared: true })
        .store("va", 0)
        .pinLongterm("pin", "va", { fast: true }),
    )
    .build();
  const r = runOf(spec, "linux");
  assert.ok((resultOf(r, "p", "pin_longterm") as number) >= 0);
  // folio_is_longterm_pinnable() is false in ZONE_MOVABLE: the slow path migrates first.
  assert.ok(events(r).some((e) => e.k === "migrate"));
});

test("private anonymous memory: a read maps the zero page; a R/O long-term pin gets a page of its own", () => {
  const spec = scenario("anon")
    .fs("pagecache", 1)
    .user("alice")
    .proc("p", "alice", (p) =>
      p
        .mmapAnon("va", 1, { prot: "r" })
        .load("va", 0)
        .pinLongterm("pin", "va", { write: false })
        .unpinLongterm("pin")
        .store("va", 0),
    )
    .build();
  const m = modelOf(spec, "linux");
  const d = drive(m, ["p", "p", "p"]);
  assert.ok((returned(m, d.events, "p", "pin_longterm") ?? -1) >= 0);
  const pinned = d.events.find((e) => e.k === "pin");
  assert.ok(pinned && pinned.k === "pin");
  const f = pinned.frames[0]!;
  assert.notEqual(f, zeroFrame(m), "the shared zero page is never what a long-term pin holds");
  assert.ok((d.s[frm(m, f) + FR_FLAGS]! & FF_ANON) !== 0);
  // The store (PROT_READ) kills the process; the unpin before it keeps its page mapped.
  const d2 = drive(m, ["p"], d.s);
  assert.equal(d2.s[frm(m, f) + FR_REF], 0);
  assert.ok((d2.s[frm(m, f) + FR_FLAGS]! & FF_ANON) !== 0, "unpin leaves the mapped page alone");
});

test("every policy admits long-term pins of anonymous, shmem, hugetlbfs and device-DAX memory", () => {
  const policies = [
    "unsafe",
    "linux",
    "wait",
    "ebusy",
    "revoke",
    "layout-lease",
    "immutable",
    "deferred-free",
  ];
  for (const b of ["tmpfs", "hugetlbfs", "devdax"] as const) {
    const spec = one(
      b,
      (p) =>
        p
          .open("fd", "f", "rw")
          .mmap("va", "fd", 0, 0, { shared: true })
          .regMr("mr", "va", ["local_write", "remote_write"]),
      { fs: "dax" },
    );
    for (const pol of policies)
      assert.ok((resultOf(runOf(spec, pol), "p", "reg_mr") as number) >= 0, `${b} ${pol}`);
  }
  const anon = scenario("anon")
    .fs("dax", 1)
    .user("alice")
    .proc("p", "alice", (p) =>
      p.mmapAnon("va", 1).store("va", 0).regMr("mr", "va", ["local_write", "remote_write"]),
    )
    .build();
  for (const pol of policies) assert.ok((resultOf(runOf(anon, pol), "p", "reg_mr") as number) >= 0);
});

test("a tmpfs truncate orphans the pinned page under every policy that decides for fs-DAX only; ebusy refuses", () => {
  const spec = one(
    "tmpfs",
    (p) =>
      p
        .open("fd", "f", "rw")
        .mmap("va", "fd", 0, 0, { shared: true })
        .store("va", 0)
        .regMr("mr", "va", ["local_write", "remote_write"])
        .ftruncate("fd", 0),
    { fs: "dax" },
  );
  for (const pol of [
    "linux",
    "wait",
    "revoke",
    "layout-lease",
    "immutable",
    "deferred-free",
    "odp",
  ]) {
    const r = runOf(spec, pol);
    assert.equal(resultOf(r, "p", "ftruncate"), 0, pol);
    if (pol !== "odp")
      assert.ok(
        events(r).some((e) => e.k === "orphaned"),
        pol,
      );
  }
  // Doug Ledford's EBUSY is for any file with pinned pages, page cache and shmem alike.
  assert.equal(resultOf(runOf(spec, "ebusy"), "p", "ftruncate"), -EBUSY);
});

test("device-DAX: no private mapping, no read or write, no truncate, hole punch or lease", () => {
  const spec = one(
    "devdax",
    (p) =>
      p
        .open("fd", "f", "rw")
        .mmap("pv", "fd", 0, 0, { shared: false })
        .read("fd", 0)
        .write("fd", 0)
        .truncate("f", 0)
        .ftruncate("fd", 0)
        .fallocate("fd", "punch", 0, 0)
        .setlease("fd", "rd"),
    { fs: "dax" },
  );
  const r = runOf(spec, "linux");
  assert.equal(resultOf(r, "p", "mmap"), -EINVAL);
  assert.equal(resultOf(r, "p", "read"), -EINVAL);
  assert.equal(resultOf(r, "p", "write"), -EINVAL);
  assert.equal(resultOf(r, "p", "truncate"), -EINVAL);
  assert.equal(resultOf(r, "p", "ftruncate"), -EINVAL);
  assert.equal(resultOf(r, "p", "fallocate"), -ENODEV);
  assert.equal(resultOf(r, "p", "setlease"), -EINVAL);
});

test("device-DAX errno order: truncate's EINVAL before the permission check, a lease's EACCES before EINVAL", () => {
  const spec = one("devdax", (p) => p.truncate("f", 0).open("fd", "f", "r").setlease("fd", "rd"), {
    fs: "dax",
    users: ["bob", "bob"],
  });
  const r = runOf(spec, "linux");
  // vfs_truncate(): !S_ISREG → EINVAL comes before inode_permission() → EACCES.
  assert.equal(resultOf(r, "p", "truncate"), -EINVAL);
  // generic_setlease(): the owner check (EACCES) comes before the S_ISREG check (EINVAL).
  assert.equal(resultOf(r, "p", "setlease"), -EACCES);
});

test("hugetlbfs and tmpfs: no write(2) on hugetlbfs, no collapse, no reflink", () => {
  const huge = runOf(
    one("hugetlbfs", (p) =>
      p.open("fd", "f", "rw").write("fd", 0).fallocate("fd", "collapse", 0, 0),
    ),
    "linux",
  );
  assert.equal(resultOf(huge, "p", "write"), -EINVAL);
  assert.equal(resultOf(huge, "p", "fallocate"), -EOPNOTSUPP);
  const spec = scenario("clone")
    .fs("pagecache", 2)
    .user("alice")
    .file("a", { owner: "alice", pages: 1, backing: "tmpfs" })
    .file("b", { owner: "alice", pages: 1, backing: "tmpfs" })
    .file("c", { owner: "alice", pages: 1 })
    .proc("p", "alice", (p) =>
      p
        .open("a", "a", "rw")
        .open("b", "b", "rw")
        .open("c", "c", "rw")
        .reflink("a", "b")
        .as("same")
        .reflink("a", "c")
        .as("cross"),
    )
    .build();
  const r = runOf(spec, "linux");
  assert.equal(resultOf(r, "p", "same"), -EOPNOTSUPP);
  assert.equal(resultOf(r, "p", "cross"), -EXDEV);
});

test("add_seals errno order: EBADF, EPERM (fd not writable), EINVAL (not tmpfs/hugetlbfs), EPERM (F_SEAL_SEAL)", () => {
  const closed = runOf(
    one("tmpfs", (p) =>
      p.memfdCreate("m", { allowSealing: true }).close("m").addSeals("m", ["write"]),
    ),
    "linux",
  );
  assert.equal(resultOf(closed, "p", "add_seals"), -EBADF);
  // A read-only fd of a disk file: the FMODE_WRITE check comes before the file-type check.
  const ro = runOf(
    one("fs", (p) => p.open("fd", "f", "r").addSeals("fd", ["write"])),
    "linux",
  );
  assert.equal(resultOf(ro, "p", "add_seals"), -EPERM);
  const disk = runOf(
    one("fs", (p) => p.open("fd", "f", "rw").addSeals("fd", ["write"])),
    "linux",
  );
  assert.equal(resultOf(disk, "p", "add_seals"), -EINVAL);
  // Declared tmpfs files and memfds without MFD_ALLOW_SEALING start with F_SEAL_SEAL.
  const shm = runOf(
    one("tmpfs", (p) => p.open("fd", "f", "rw").addSeals("fd", ["grow"])),
    "linux",
  );
  assert.equal(resultOf(shm, "p", "add_seals"), -EPERM);
  const memfd = runOf(
    one("tmpfs", (p) => p.memfdCreate("m").addSeals("m", ["grow"])),
    "linux",
  );
  assert.equal(resultOf(memfd, "p", "add_seals"), -EPERM);
  const huge = runOf(
    one("tmpfs", (p) =>
      p.memfdCreate("m", { hugetlb: true, allowSealing: true }).addSeals("m", ["grow"]),
    ),
    "linux",
  );
  assert.equal(resultOf(huge, "p", "add_seals"), 0);
});

/** A memfd page pinned by an RDMA MR and no longer mapped, then F_SEAL_WRITE. */
function pinnedSeal() {
  return scenario("seal")
    .fs("pagecache", 1)
    .user("alice")
    .proc("p", "alice", (p) =>
      p
        .memfdCreate("m", { allowSealing: true })
        .ftruncate("m", 1)
        .mmap("va", "m", 0, 0, { shared: true })
        .store("va", 0)
        .regMr("mr", "va", ["local_write"])
        .addSeals("m", ["write"])
        .as("mapped")
        .munmap("va")
        .addSeals("m", ["write"]),
    )
    .build();
}

test("F_SEAL_WRITE: a shared writable mapping is EBUSY at once (mapping_deny_writable)", () => {
  const r = runOf(pinnedSeal(), "linux");
  assert.equal(resultOf(r, "p", "mapped"), -EBUSY);
});

test("F_SEAL_WRITE: a read-only shared mapping of a writable fd is EBUSY too (VM_MAYWRITE counts, not PROT_WRITE)", () => {
  const spec = scenario("seal-ro")
    .fs("pagecache", 1)
    .user("alice")
    .proc("p", "alice", (p) =>
      p
        .memfdCreate("m", { allowSealing: true })
        .ftruncate("m", 1)
        .mmap("va", "m", 0, 0, { shared: true, prot: "r" })
        .addSeals("m", ["write"])
        .as("mapped")
        .munmap("va")
        .addSeals("m", ["write"])
        .as("unmapped"),
    )
    .build();
  const r = runOf(spec, "linux");
  assert.equal(resultOf(r, "p", "mapped"), -EBUSY);
  assert.equal(resultOf(r, "p", "unmapped"), 0);
});

/** A write-sealed memfd mapped read-only and shared, then mprotect(rw) and (after FUTURE_WRITE) F_SEAL_WRITE. */
function sealedThenMapped(first: "write" | "future_write") {
  return scenario("sealed-map")
    .fs("pagecache", 1)
    .user("alice")
    .proc("p", "alice", (p) =>
      p
        .memfdCreate("m", { allowSealing: true })
        .ftruncate("m", 1)
        .addSeals("m", [first])
        .mmap("va", "m", 0, 0, { shared: true, prot: "r" })
        .as("map")
        .mprotect("va", "rw")
        .as("prot")
        .addSeals("m", ["write"])
        .as("seal"),
    )
    .build();
}

test("a read-only shared mapping of a write-sealed memfd: no VM_MAYWRITE (mprotect EACCES), not counted; a pre-v6.7 kernel's rule refuses or counts it", () => {
  const now = runOf(sealedThenMapped("write"), "linux");
  assert.ok(
    (resultOf(now, "p", "map") as number) >= 0,
    "v6.7+: seal_check_write() clears VM_MAYWRITE",
  );
  assert.equal(resultOf(now, "p", "prot"), -EACCES);
  const fw = runOf(sealedThenMapped("future_write"), "linux");
  assert.equal(resultOf(fw, "p", "prot"), -EACCES);
  assert.equal(resultOf(fw, "p", "seal"), 0);
  // Debian's 6.1 behaves as v6.7 (conform shows it): kernel=6.1 keeps the newer rule.
  const d61 = runOf(sealedThenMapped("future_write"), "linux", { params: { kernel: "6.1" } });
  assert.equal(resultOf(d61, "p", "seal"), 0);
  // An older kernel's rule, as a plugin would state it (KernelRules.sealCountsSharedMap).
  const older = (spec: ScenarioSpec) => {
    const m = modelOf(spec, "linux", { kernel: "6.1" });
    return runModel({
      ...m,
      policy: { ...m.policy, kernel: { ...m.policy.kernel!, sealCountsSharedMap: true } },
    });
  };
  assert.equal(
    resultOf(older(sealedThenMapped("write")), "p", "map"),
    -EPERM,
    "mapping_map_writable() on a denied i_mmap_writable",
  );
  const fwOld = older(sealedThenMapped("future_write"));
  assert.ok((resultOf(fwOld, "p", "map") as number) >= 0);
  assert.equal(resultOf(fwOld, "p", "prot"), -EACCES);
  assert.equal(resultOf(fwOld, "p", "seal"), -EBUSY);
});

test("F_SEAL_WRITE under a pin waits (blocks), then EBUSY without the seal; pins gone during the wait: sealed", () => {
  const m = modelOf(pinnedSeal(), "linux");
  const upTo = drive(m, ["p", "p", "p", "p", "p", "p", "p", "p"]);
  const last = m.procs[0]!.prog.length - 1;
  const blocked = upTo.events.filter((e) => e.k === "block" && e.pc === last);
  assert.equal(blocked.length, 1, "memfd_wait_for_pins() waits");
  const seals = (s: Int32Array) => s[inoTail(m, m.vmas[0]!.inode) + INO_T_SEALS]!;
  // The wait ends with the pin still there: EBUSY, and no seal.
  const timeout = drive(m, ["p"], upTo.s);
  const ret = timeout.events.find((e) => e.k === "ret" && e.pc === last);
  assert.ok(ret && ret.k === "ret");
  assert.equal(ret.result, -EBUSY);
  assert.equal(seals(timeout.s) & SEAL_BITS.write, 0);
  // The pin drops while the caller waits (as another holder's unpin would): the seal is set.
  const s = upTo.s.slice();
  const ctx = newCtx(m, s, null);
  assert.equal(s[mr(m, 0)], MR_VALID);
  unpinMrPages(ctx, 0);
  const done = drive(m, ["p"], s);
  const ret2 = done.events.find((e) => e.k === "ret" && e.pc === last);
  assert.ok(ret2 && ret2.k === "ret");
  assert.equal(ret2.result, 0);
  assert.notEqual(seals(done.s) & SEAL_BITS.write, 0);
});

test("seals refuse writes, shared writable mappings, resizes and punches; SEAL_EXEC implies the others", () => {
  const spec = one("tmpfs", (p) =>
    p
      .memfdCreate("m", { allowSealing: true })
      .ftruncate("m", 1)
      .addSeals("m", ["write", "grow", "shrink"])
      .write("m", 0)
      .mmap("w", "m", 0, 0, { shared: true, prot: "rw" })
      .as("wmap")
      .mmap("r", "m", 0, 0, { shared: true, prot: "r" })
      .as("rmap")
      .mmap("c", "m", 0, 0, { shared: false, prot: "rw" })
      .as("cow")
      .ftruncate("m", 2)
      .as("grow")
      .ftruncate("m", 0)
      .as("shrink")
      .fallocate("m", "punch", 0, 0)
      .as("punch")
      .memfdCreate("x", { allowSealing: true })
      .addSeals("x", ["exec"])
      .ftruncate("x", 1)
      .as("exec"),
  );
  const r = runOf(spec, "linux");
  assert.equal(resultOf(r, "p", "write"), -EPERM);
  assert.equal(resultOf(r, "p", "wmap"), -EPERM);
  assert.ok((resultOf(r, "p", "rmap") as number) >= 0);
  assert.ok((resultOf(r, "p", "cow") as number) >= 0, "a private mapping may still be written");
  assert.equal(resultOf(r, "p", "grow"), -EPERM);
  assert.equal(resultOf(r, "p", "shrink"), -EPERM);
  assert.equal(resultOf(r, "p", "punch"), -EPERM);
  // memfd's mode is 0777: F_SEAL_EXEC adds F_SEAL_GROW (memfd_add_seals()).
  assert.equal(resultOf(r, "p", "exec"), -EPERM);
});

test("a gup_test pin dirties nothing at unpin and is no RDMA registration", () => {
  const spec = one("fs", (p) =>
    p
      .open("fd", "f", "rw")
      .mmap("va", "fd", 0, 0, { shared: true, prot: "r" })
      .load("va", 0)
      .pinLongterm("pin", "va", { write: false })
      .unpinLongterm("pin")
      .unpinLongterm("pin")
      .as("again"),
  );
  const r = runOf(spec, "linux");
  const unpin = events(r).find((e) => e.k === "unpin");
  assert.ok(unpin && unpin.k === "unpin" && !unpin.dirty);
  assert.equal(resultOf(r, "p", "again"), -EINVAL);
});

test("a gup_test R/O pin takes no FOLL_WRITE|FOLL_FORCE, even under the 2019 GUP rules of ib_umem_get()", () => {
  for (const pol of ["unsafe", "wait", "linux"]) {
    const spec = one("tmpfs", (p) =>
      p
        .open("fd", "f", "rw")
        .mmap("va", "fd", 0, 0, { shared: true, prot: "r" })
        .load("va", 0)
        .pinLongterm("pin", "va", { write: false })
        .regMr("mr", "va", ["remote_read"]),
    );
    const r = runOf(spec, pol);
    assert.ok((resultOf(r, "p", "pin_longterm") as number) >= 0, pol);
    // ib_umem_get() of 2019 pinned a R/O MR with FOLL_WRITE|FOLL_FORCE: EFAULT on a R/O shared mapping.
    if (pol !== "linux") assert.equal(resultOf(r, "p", "reg_mr"), -EFAULT, pol);
  }
});

test("a memfd made again by a repeating tail is a new object: zeroed, unsealed", () => {
  const text = [
    "fs pagecache blocks=1",
    "user alice",
    "proc p user=alice {",
    "  repeat {",
    "    m = memfd_create allow_sealing",
    "    ftruncate m pages=1",
    "    va = mmap m pages=0..0 shared rw",
    "    load va page=0",
    "    store va page=0",
    "    munmap va",
    "    add_seals m seals=grow",
    "    close m",
    "  }",
    "}",
  ].join("\n");
  const parsed = parseScenario(text, "rep.pin");
  assert.ok(parsed.spec, JSON.stringify(parsed.diagnostics));
  const r = runOf(parsed.spec, "linux");
  const reads = events(r).filter((e) => e.k === "read");
  assert.equal(reads.length, 2);
  for (const e of reads)
    assert.ok(e.k === "read" && e.content === 0, "each iteration's memfd starts zeroed");
  // The second ftruncate grows the new memfd: no F_SEAL_GROW from the first one.
  const grows = events(r).filter((e) => e.k === "ret" && e.pc === 1);
  assert.deepEqual(
    grows.map((e) => e.k === "ret" && e.result),
    [0, 0],
  );
});
