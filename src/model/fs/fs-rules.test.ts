/**
 * Filesystem rules: unwritten extents, the XFS and ext4 order of checks in
 * layout changes, the immutable proposal's frozen block map, and SIGBUS to the
 * mappers at pmem unbind. Each test names the kernel function or mail it models.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkScenario } from "../../engine/check/check.js";
import { type ProcBuilder, scenario } from "../../scenario/builder.js";
import { events, resultOf, runOf } from "../../testing/run.js";
import { EACCES, EBUSY, EINVAL, EOPNOTSUPP, ETXTBSY } from "../errno.js";
import {
  BLK_CONTENT,
  BLK_UNWRITTEN,
  blk,
  CONTENT_STALE,
  CONTENT_ZERO,
  contentOf,
  ext,
  P_STATUS,
  PS_KILLED,
  proc,
} from "../layout.js";
import type { FsFlavor, FsKind, ScenarioSpec } from "../spec.js";

const RW = ["local_write", "remote_write"] as const;

function reads(r: ReturnType<typeof runOf>, label: string): number[] {
  const p = r.model.procs.findIndex((x) => x.name === "a");
  const pcs = r.model.procs[p]!.prog.filter((o) => o.spec.label === label).map((o) => o.index);
  const out: number[] = [];
  for (const st of r.run.steps) {
    const ret = st.events.find((e) => e.k === "ret" && e.proc === p);
    if (ret?.k !== "ret" || !pcs.includes(ret.pc)) continue;
    for (const e of st.events) if (e.k === "read") out.push(e.content);
  }
  return out;
}

// xfs_alloc_file_space() (XFS_BMAPI_PREALLOC) and ext4_alloc_file_blocks()
// (EXT4_GET_BLOCKS_CREATE_UNWRIT_EXT) preallocate unwritten extents; reads of
// them return zeroes (dax_iomap_rw/iomap: IOMAP_UNWRITTEN is read as a hole).
for (const kind of ["dax", "pagecache"] as FsKind[]) {
  test(`${kind}: fallocate makes an unwritten extent that reads as zeroes while its block keeps old bytes`, () => {
    const spec = scenario("unwritten")
      .fs(kind, 2)
      .user("alice")
      .file("data", { owner: "alice", pages: 1, layout: "sparse" })
      .proc("a", "alice", (p) =>
        p.open("fd", "data", "rw").fallocate("fd", "alloc", 0, 0).read("fd", 0).as("r"),
      )
      .build();
    const r = runOf(spec, "linux");
    assert.deepEqual(reads(r, "r"), [CONTENT_ZERO]);
    const b = r.run.final[ext(r.model, 0, 0)]! - 1;
    assert.ok(b >= 0);
    assert.equal(r.run.final[blk(r.model, b) + BLK_UNWRITTEN], 1);
    assert.equal(r.run.final[blk(r.model, b) + BLK_CONTENT], CONTENT_STALE);
    assert.ok(!r.run.occurrences.has("stale-exposure"));
  });
}

// fs-DAX: a read fault on an unwritten extent maps the zero page (dax_load_hole);
// a write fault zeroes and converts the block before mapping it
// (xfs_iomap_write_direct: XFS_BMAPI_CONVERT|XFS_BMAPI_ZERO under DAX).
test("fs-DAX: load of an unwritten extent sees zeroes; a store zeroes and converts the block", () => {
  const spec = scenario("unwritten-fault")
    .fs("dax", 2)
    .user("alice")
    .file("data", { owner: "alice", pages: 1, layout: "sparse" })
    .proc("a", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .fallocate("fd", "alloc", 0, 0)
        .mmap("va", "fd", 0, 0)
        .load("va", 0)
        .as("l")
        .store("va", 0),
    )
    .build();
  const r = runOf(spec, "linux");
  assert.deepEqual(reads(r, "l"), [CONTENT_ZERO]);
  const b = r.run.final[ext(r.model, 0, 0)]! - 1;
  assert.equal(r.run.final[blk(r.model, b) + BLK_UNWRITTEN], 0);
  assert.equal(r.run.final[blk(r.model, b) + BLK_CONTENT], contentOf(0));
});

// Page cache: writeback (->writepages) converts the unwritten extent with the page's data.
test("page cache: pwrite then fsync converts the unwritten extent with the data", () => {
  const spec = scenario("unwritten-wb")
    .fs("pagecache", 2)
    .user("alice")
    .file("data", { owner: "alice", pages: 1, layout: "sparse" })
    .proc("a", "alice", (p) =>
      p.open("fd", "data", "rw").fallocate("fd", "alloc", 0, 0).write("fd", 0).fsync("fd"),
    )
    .build();
  const r = runOf(spec, "linux");
  const b = r.run.final[ext(r.model, 0, 0)]! - 1;
  assert.equal(r.run.final[blk(r.model, b) + BLK_UNWRITTEN], 0);
  assert.equal(r.run.final[blk(r.model, b) + BLK_CONTENT], contentOf(0));
});

// Stale exposure the kernel can really produce: a device still addressing a
// block after it was freed and reused by another file (here under unsafe).
test("a pinned block freed by truncate and reused by another file exposes that file's data to the peer", () => {
  const spec = scenario("reuse")
    .fs("dax", 1)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("a", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 0, 0)
        .regMr("mr", "va", ["remote_read"])
        .truncate("data", 0)
        .create("g", "other")
        .fallocate("g", "alloc", 0, 0)
        .write("g", 0)
        .send("peer", "mr"),
    )
    .peer("peer", (r) => r.recv("mr").rdmaRead("mr", 0))
    .build();
  const u = runOf(spec, "unsafe");
  assert.match(u.run.occurrences.get("stale-exposure")!.message, /other's data/);
  assert.equal(resultOf(runOf(spec, "ebusy"), "a", "truncate"), -EBUSY);
});

// A legitimate FICLONE: the clone holds its source's data by design.
test("reading a clone made by FICLONE is no stale exposure; the clone's own data neither", () => {
  const spec = scenario("clone")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .file("copy", { owner: "alice", pages: 1 })
    .proc("a", "alice", (p) =>
      p
        .open("src", "data", "rw")
        .write("src", 0)
        .open("dst", "copy", "rw")
        .reflink("src", "dst")
        .read("dst", 0)
        .as("r")
        .write("dst", 0)
        .read("dst", 0)
        .as("r2"),
    )
    .build();
  const r = runOf(spec, "linux");
  assert.deepEqual(reads(r, "r"), [contentOf(0)]);
  assert.deepEqual(reads(r, "r2"), [contentOf(1)]);
  assert.ok(!r.run.occurrences.has("stale-exposure"));
});

test("a hypothetical unzeroed file is reported, and labelled hypothetical", () => {
  const spec = scenario("hyp")
    .fs("dax", 2)
    .user("alice")
    .file("data", { owner: "alice", pages: 1, zeroed: false })
    .proc("a", "alice", (p) => p.open("fd", "data", "r").read("fd", 0))
    .build();
  const r = runOf(spec, "linux");
  assert.match(r.run.occurrences.get("stale-exposure")!.message, /hypothetical/);
});

/** Process a pins page 0 of a 3-page file, then runs `then`. */
function pinned(flavor: FsFlavor, then: (p: ProcBuilder) => ProcBuilder): ScenarioSpec {
  return scenario("flavor")
    .fs("dax", 6, flavor)
    .user("alice")
    .file("data", { owner: "alice", pages: 3 })
    .proc("a", "alice", (p) =>
      then(
        p
          .open("fd", "data", "rw")
          .mmap("va", "fd", 0, 0)
          .regMr("mr", "va", [...RW]),
      ),
    )
    .build();
}

// Collapse to EOF: ext4_collapse_range() returns EINVAL before ext4_break_layouts()
// (up to v6.13); xfs_file_fallocate() calls xfs_break_layouts() first and
// checks `offset + len >= i_size` afterwards.
test("collapse reaching EOF: ext4 EINVAL first; XFS waits for the pin (wait) or fails with the policy's errno (ebusy)", () => {
  const spec = (f: FsFlavor) => pinned(f, (p) => p.fallocate("fd", "collapse", 1, 2));
  assert.equal(resultOf(runOf(spec("ext4"), "wait"), "a", "fallocate"), -EINVAL);
  assert.equal(resultOf(runOf(spec("ext4"), "ebusy"), "a", "fallocate"), -EINVAL);
  assert.equal(resultOf(runOf(spec("xfs"), "wait"), "a", "fallocate"), "blocks");
  assert.equal(resultOf(runOf(spec("xfs"), "ebusy"), "a", "fallocate"), -EBUSY);
});

// XFS: xfs_break_layouts() looks at the whole file; ext4 under a range-based
// busy check (Ira Weiny's RFC) only at the changed range.
test("punching an unpinned page: XFS sees the pin elsewhere in the file, ext4 with a range check does not", () => {
  const spec = (f: FsFlavor) => pinned(f, (p) => p.fallocate("fd", "punch", 2, 2));
  assert.equal(resultOf(runOf(spec("xfs"), "ebusy"), "a", "fallocate"), -EBUSY);
  assert.equal(resultOf(runOf(spec("ext4"), "ebusy"), "a", "fallocate"), 0);
});

// ext4_fallocate(): a plain allocation goes to ext4_do_fallocate() without
// ext4_break_layouts(); xfs_file_fallocate() breaks layouts for every mode.
test("plain allocation: XFS breaks layouts (and meets the pin), ext4 does not", () => {
  const spec = (f: FsFlavor) => pinned(f, (p) => p.fallocate("fd", "alloc", 3, 3));
  assert.equal(resultOf(runOf(spec("xfs"), "ebusy"), "a", "fallocate"), -EBUSY);
  assert.equal(resultOf(runOf(spec("ext4"), "ebusy"), "a", "fallocate"), 0);
});

// xfs_vn_setattr() and ext4_setattr() both break layouts for any ATTR_SIZE change;
// Dave Chinner: "truncate up still needs to break the layout on the last
// filesystem block" (https://lore.kernel.org/r/20190809233037.GB7777@dread.disaster.area).
test("an extending truncate breaks layouts too: it meets the pin on the last block", () => {
  const spec = scenario("extend")
    .fs("dax", 6, "ext4")
    .user("alice")
    .file("data", { owner: "alice", pages: 2 })
    .proc("a", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 1, 1)
        .regMr("mr", "va", [...RW])
        .ftruncate("fd", 4),
    )
    .build();
  assert.equal(resultOf(runOf(spec, "ebusy"), "a", "ftruncate"), -EBUSY);
  assert.equal(resultOf(runOf(spec, "wait"), "a", "ftruncate"), "blocks");
  // In the page cache an extension moves no cached page: the pin is not looked at.
  const pc = scenario("extend-pc")
    .fs("pagecache", 6)
    .user("alice")
    .file("data", { owner: "alice", pages: 2 })
    .proc("a", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 1, 1, { shared: true, prot: "r" })
        .regMr("mr", "va", ["remote_read"])
        .ftruncate("fd", 4)
        .as("grow")
        .ftruncate("fd", 1)
        .as("shrink"),
    )
    .build();
  const r = runOf(pc, "ebusy");
  assert.equal(resultOf(r, "a", "grow"), 0);
  assert.equal(resultOf(r, "a", "shrink"), -EBUSY);
});

// immutable: the size-change refusal in the VFS (swap-check=vfs) comes before
// the filesystem; at mainline's inode_newsize_ok() (swap-check=newsize) XFS
// is already waiting in xfs_break_layouts(), while ext4 gets ETXTBSY for a shrink.
test("immutable: where the swapfile check sits decides whether XFS truncate returns ETXTBSY or hangs", () => {
  const spec = (f: FsFlavor, pages: number) => pinned(f, (p) => p.ftruncate("fd", pages));
  const vfs = { params: { "swap-check": "vfs" } };
  const newsize = { params: { "swap-check": "newsize" } };
  for (const f of ["xfs", "ext4"] as FsFlavor[])
    for (const pages of [1, 5])
      assert.equal(resultOf(runOf(spec(f, pages), "immutable", vfs), "a", "ftruncate"), -ETXTBSY);
  assert.equal(resultOf(runOf(spec("xfs", 1), "immutable", newsize), "a", "ftruncate"), "blocks");
  assert.equal(resultOf(runOf(spec("ext4", 1), "immutable", newsize), "a", "ftruncate"), -ETXTBSY);
  // A growth passes inode_newsize_ok(), and ext4's range-based busy check (pages 2..4)
  // misses the pin on page 0: the file grows under the pin.
  assert.equal(resultOf(runOf(spec("ext4", 5), "immutable", newsize), "a", "ftruncate"), 0);
});

// immutable: only the block map is frozen (Chinner; Lameter). pwrite into an
// allocated block succeeds; a write past EOF fails with ETXTBSY; a new shared
// writable mmap fails with ETXTBSY after do_mmap's EACCES (the v5.4 swapfile
// check), and a read-only one succeeds.
test("immutable: contents stay mutable, the block map and the size do not; new writable mmaps follow the swapfile rule", () => {
  const spec = scenario("immutable-write")
    .fs("dax", 6)
    .user("alice")
    .user("bob")
    .file("data", { owner: "alice", pages: 2 })
    .proc("a", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 0, 1)
        .regMr("mr", "va", [...RW])
        .write("fd", 1)
        .as("inside")
        .write("fd", 2)
        .as("extend")
        .mmap("va2", "fd", 0, 0)
        .as("mmap-rw")
        .mmap("va3", "fd", 0, 0, { shared: true, prot: "r" })
        .as("mmap-ro")
        .open("ro", "data", "r")
        .mmap("va4", "ro", 0, 0)
        .as("mmap-ro-fd"),
    )
    .build();
  const r = runOf(spec, "immutable");
  assert.equal(resultOf(r, "a", "inside"), 1);
  assert.equal(resultOf(r, "a", "extend"), -ETXTBSY);
  assert.equal(resultOf(r, "a", "mmap-rw"), -ETXTBSY);
  assert.ok((resultOf(r, "a", "mmap-ro") as number) >= 0);
  assert.equal(resultOf(r, "a", "mmap-ro-fd"), -EACCES); // EACCES before ETXTBSY
});

// v6.8: pmem unbind → MF_MEM_PRE_REMOVE → xfs_dax_notify_failure() →
// mf_dax_kill_procs(): every process mapping a file of the device gets SIGBUS.
// ext4 has no ->notify_failure; the 2019 proposals predate it.
test("pmem unbind: XFS under linux sends SIGBUS to every mapper; ext4 and 2019 policies do not", async () => {
  const spec = (f: FsFlavor) =>
    scenario("unbind")
      .fs("dax", 4, f)
      .user("alice")
      .user("root")
      .file("data", { owner: "alice", pages: 1 })
      .proc("a", "alice", (p) => p.open("fd", "data", "r").mmap("va", "fd", 0, 0, { prot: "r" }))
      .proc("admin", "root", (p) => p.unplug())
      .build();
  const xfs = await checkScenario({ spec: spec("xfs"), policy: "linux", params: {} });
  assert.equal(xfs.verdicts.find((v) => v.name === "kill")!.verdict, "Sometimes");
  const ext4 = await checkScenario({ spec: spec("ext4"), policy: "linux", params: {} });
  assert.equal(ext4.verdicts.find((v) => v.name === "kill")!.verdict, "Never");
  const wait = await checkScenario({ spec: spec("xfs"), policy: "wait", params: {} });
  assert.equal(wait.verdicts.find((v) => v.name === "kill")!.verdict, "Never");
  // In one schedule where the mapping exists first, the mapper ends killed by SIGBUS.
  const one = scenario("unbind-seq")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("a", "alice", (p) =>
      p.open("fd", "data", "r").mmap("va", "fd", 0, 0, { prot: "r" }).unplug(),
    )
    .build();
  const r = runOf(one, "linux");
  assert.equal(r.run.final[proc(r.model, 0) + P_STATUS], PS_KILLED);
  assert.ok(events(r).some((e) => e.k === "exit" && e.cause === "memory-failure"));
});

// FICLONE: ext4 has no ->remap_file_range (EOPNOTSUPP after EBADF and EXDEV).
// XFS on fs-DAX waits for both files' DAX pages
// (xfs_mmaplock_two_inodes_and_break_dax_layout) before the swapfile check of
// dax_remap_file_range_prep(): under immutable the VFS check must come first.
test("reflink: ext4 EOPNOTSUPP; XFS under immutable ETXTBSY with the VFS check, a wait with mainline's", () => {
  const spec = (f: FsFlavor) =>
    scenario("clone-pinned")
      .fs("dax", 6, f)
      .user("alice")
      .file("data", { owner: "alice", pages: 1 })
      .file("copy", { owner: "alice", pages: 1 })
      .proc("a", "alice", (p) =>
        p
          .open("fd", "data", "rw")
          .mmap("va", "fd", 0, 0)
          .regMr("mr", "va", [...RW])
          .open("ro", "data", "r")
          .open("dst", "copy", "rw")
          .reflink("ro", "dst")
          .as("clone"),
      )
      .build();
  assert.equal(resultOf(runOf(spec("ext4"), "immutable"), "a", "clone"), -EOPNOTSUPP);
  const vfs = runOf(spec("xfs"), "immutable");
  assert.equal(resultOf(vfs, "a", "clone"), -ETXTBSY);
  const late = runOf(spec("xfs"), "immutable", { params: { "swap-check": "newsize" } });
  assert.equal(resultOf(late, "a", "clone"), "blocks");
});

// The same reuse, the other way: a DMA landing after the free writes the
// pinner's data into another file's written block, and that file's reader sees it.
test("a DMA landing in a freed and reused, written block shows the pinner's data to the new owner", () => {
  const spec = scenario("reuse-write")
    .fs("dax", 1)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("a", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 0, 0)
        .regMr("mr", "va", [...RW])
        .truncate("data", 0)
        .create("g", "other")
        .fallocate("g", "alloc", 0, 0)
        .read("g", 0)
        .as("unwritten")
        .write("g", 0)
        .send("peer", "mr")
        .await("peer")
        .read("g", 0)
        .as("after"),
    )
    .peer("peer", (r) => r.recv("mr").rdmaWrite("mr", 0))
    .build();
  const r = runOf(spec, "unsafe");
  assert.deepEqual(reads(r, "unwritten"), [CONTENT_ZERO]);
  assert.deepEqual(reads(r, "after"), [contentOf(0)]);
  assert.match(r.run.occurrences.get("foreign-dma")!.message, /now belongs to other/);
  assert.match(
    r.run.occurrences.get("stale-exposure")!.message,
    /read other page 0 and got data's data/,
  );
});

// XFS unmaps the whole file, so the MMU notifier of a truncate beyond an ODP
// page in flight still waits that access out; two such truncates wait side by
// side, and both return once the access has landed.
test("XFS: two truncates waiting out the same in-flight ODP access both return", async () => {
  const spec = scenario("two-invalidations")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 2 })
    .proc("server", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 0, 1)
        .regMr("mr", "va", [...RW], { odp: true })
        .send("peer", "mr")
        .truncate("data", 1),
    )
    .peer("peer", (r) => r.recv("mr").rdmaWrite("mr", 0))
    .proc("admin", "alice", (p) => p.truncate("data", 0))
    .build();
  const r = await checkScenario({ spec, policy: "wait", params: {} });
  assert.equal(r.verdicts.find((v) => v.name === "truncate-hang")!.verdict, "Never");
});
