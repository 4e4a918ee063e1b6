/**
 * File system calls on paths and file descriptors, each with its checks in
 * the kernel's order. Layout-changing calls share layoutGate().
 */

import { charDevice, fsdax, memOnly, sealable, sealRefuses, writesBack } from "../backing.js";
import { BLOCK, block, type Ctx, emit } from "../ctx.js";
import {
  EACCES,
  EBADE,
  EBADF,
  EEXIST,
  EFBIG,
  EINVAL,
  EIO,
  ENODEV,
  ENOENT,
  ENOSPC,
  EOPNOTSUPP,
  EPERM,
  ETXTBSY,
  EXDEV,
} from "../errno.js";
import {
  BLK_UNWRITTEN,
  BLK_USERS,
  blk,
  CONTENT_ZERO,
  contentOf,
  ext,
  FF_DIRTY,
  FF_DMA_CLEAN,
  FF_POISON,
  FR_CONTENT,
  FR_FLAGS,
  frm,
  INO_EXISTS,
  INO_SIZE,
  INO_SWAP,
  INO_T_LINEAGE,
  ino,
  inoTail,
  K_UNPLUGGED,
  type Model,
  MR_VALID,
  mr,
  OFD_OPEN,
  ofd,
  pcache,
  type State,
} from "../layout.js";
import {
  breakLayoutLeases,
  breakLease,
  breakLeaseOutcome,
  LEASE_BREAKS,
  LEASE_FREE,
} from "../locks/lease.js";
import { pageCacheGet, prepareWrite } from "../mm/fault.js";
import { writeback, writebackPending } from "../mm/writeback.js";
import { odpInflightOnFrame } from "../rdma/odp.js";
import { inodeMode, inodeOwner } from "./attr.js";
import { allocBlock, allocUnwritten, blockReadContent, writeBlock } from "./blocks.js";
import {
  GO_DEFER,
  layoutGate,
  layoutGateRetry,
  type PageRange,
  removePages,
  shiftDown,
} from "./layout-change.js";

/**
 * inode_permission(): owner bits for the owner, "other" bits for everyone else
 * (no groups), as chmod and chown left them (fs/attr.ts).
 */
export function mayAccess(
  m: Model,
  s: State,
  user: number,
  inode: number,
  write: boolean,
): boolean {
  const mode = inodeMode(m, s, inode);
  const bits = inodeOwner(m, s, inode) === user ? mode >> 6 : mode;
  return (bits & (write ? 2 : 4)) !== 0;
}

/**
 * S_SWAPFILE-like refusal (immutable policy): ETXTBSY, naming the processes
 * whose pins made the file immutable.
 */
export function swapBusy(ctx: Ctx, inode: number): number {
  const { m, s } = ctx;
  const holders: number[] = [];
  for (let x = 0; x < m.mrs.length; x++) {
    const mi = m.mrs[x]!;
    if (m.vmas[mi.vma]!.inode === inode && s[mr(m, x)] === MR_VALID && !holders.includes(mi.proc))
      holders.push(mi.proc);
  }
  ctx.blockers = holders;
  return -ETXTBSY;
}

/** The pmem device is gone, and the file was on it. */
const unplugged = (ctx: Ctx, inode: number): boolean => unpluggedIn(ctx.m, ctx.s, inode);

function unpluggedIn(m: Model, s: State, inode: number): boolean {
  return fsdax(m, inode) && s[m.offKernel + K_UNPLUGGED] === 1;
}

/** Whether fs-DAX `inode`'s page has a poisoned block (memory_failure(), proc/memory-failure.ts). */
function daxPoisoned(ctx: Ctx, inode: number, page: number): boolean {
  const { m, s } = ctx;
  if (!fsdax(m, inode) || page >= m.maxPages) return false;
  const b1 = s[ext(m, inode, page)]!;
  return b1 > 0 && (s[frm(m, b1 - 1) + FR_FLAGS]! & FF_POISON) !== 0;
}

/** open(2), optionally O_CREAT|O_EXCL. */
export function sysOpen(ctx: Ctx, p: number, slot: number, inode: number, create: boolean): number {
  const { m, s } = ctx;
  const io = ino(m, inode);
  const info = m.ofds[slot]!;
  if (create) {
    if (s[io + INO_EXISTS] === 1) return -EEXIST;
  } else {
    if (s[io + INO_EXISTS] !== 1) return -ENOENT;
    const user = m.procs[p]!.user;
    if (
      (info.read && !mayAccess(m, s, user, inode, false)) ||
      (info.write && !mayAccess(m, s, user, inode, true))
    )
      return -EACCES;
    // do_dentry_open() → break_lease(inode, flags): the opener waits for conflicting leases.
    if (breakLease(ctx, inode, info.write, p) === BLOCK) return BLOCK;
  }
  if (create) {
    s[io + INO_EXISTS] = 1;
    s[io + INO_SIZE] = 0;
  }
  s[ofd(m, slot) + OFD_OPEN] = 1;
  return slot;
}

/** Content of a file page as read(2) sees it (through the page cache when there is one). */
function readPage(ctx: Ctx, inode: number, page: number): number {
  const { m, s } = ctx;
  if (fsdax(m, inode)) {
    const b1 = s[ext(m, inode, page)]!;
    return b1 > 0 ? blockReadContent(m, s, b1 - 1) : CONTENT_ZERO;
  }
  const f = pageCacheGet(ctx, inode, page);
  return f < 0 ? CONTENT_ZERO : s[frm(m, f) + FR_CONTENT]!;
}

function openFd(ctx: Ctx, o: number): boolean {
  return ctx.s[ofd(ctx.m, o) + OFD_OPEN] === 1;
}

/** pread(2) of one page: 1 page read, 0 at EOF. */
export function sysRead(ctx: Ctx, p: number, o: number, page: number): number {
  const { m, s } = ctx;
  if (!openFd(ctx, o) || !m.ofds[o]!.read) return -EBADF;
  const inode = m.ofds[o]!.inode;
  // vfs_read(): no ->read/->read_iter (FMODE_CAN_READ unset) → EINVAL: device-DAX
  if (m.inodes[inode]!.backing === "devdax") return -EINVAL;
  if (unplugged(ctx, inode)) return -EIO;
  if (page >= s[ino(m, inode) + INO_SIZE]!) return 0;
  // fs-DAX: dax_iomap_iter() → dax_direct_access() → -EHWPOISON for a bad pfn →
  // dax_mem2blk_err(): EIO. (A poisoned page-cache page left the cache: read re-reads the block.)
  if (daxPoisoned(ctx, inode, page)) return -EIO;
  const content = readPage(ctx, inode, page);
  emit(ctx, { k: "read", proc: p, inode, page, content });
  return 1;
}

/**
 * pwrite(2) of one page by process p. A file made swapfile-like by its pins
 * (immutable policy) keeps its contents mutable: only a write that would
 * change the block map, into a hole, over a shared extent, or past EOF, fails
 * with ETXTBSY, at the place of generic_write_checks()' swapfile test (which
 * refuses every write of a real swapfile). Converting an unwritten extent is
 * no layout change. A write that changes the layout (allocating-write rule of
 * the layout-lease policy) breaks layout leases first.
 */
export function sysWrite(ctx: Ctx, p: number, o: number, page: number): number {
  const { m, s } = ctx;
  if (!openFd(ctx, o) || !m.ofds[o]!.write) return -EBADF;
  const inode = m.ofds[o]!.inode;
  const io = ino(m, inode);
  // vfs_write(): no ->write/->write_iter (FMODE_CAN_WRITE unset) → EINVAL: hugetlbfs, device-DAX
  const b = m.inodes[inode]!.backing;
  if (b === "hugetlbfs" || b === "devdax") return -EINVAL;
  if (s[io + INO_SWAP]! > 0) {
    const b1 = s[ext(m, inode, page)]!;
    if (page >= s[io + INO_SIZE]! || b1 === 0 || s[blk(m, b1 - 1) + BLK_USERS]! > 1)
      return swapBusy(ctx, inode);
  }
  if (unplugged(ctx, inode)) return -EIO;
  const sealed = sealRefuses(ctx, inode, "write", page);
  if (sealed < 0) return sealed;
  if (m.policy.layoutLeases && writeChangesLayout(ctx, inode, page)) {
    const e = breakLayoutLeases(ctx, inode, p);
    if (e !== 0) return e;
  }
  const e = prepareWrite(ctx, inode, page);
  if (e < 0) return e;
  const data = contentOf(inode);
  if (fsdax(m, inode)) {
    const b = s[ext(m, inode, page)]! - 1;
    // dax_iomap_iter(): a write over a bad pfn is a recovery write (dax_recovery_write() →
    // pmem_recovery_write() clears the poison, pmem_clear_poison()), whole page here.
    s[frm(m, b) + FR_FLAGS]! &= ~FF_POISON;
    writeBlock(m, s, b, data);
  } else {
    const f = pageCacheGet(ctx, inode, page);
    if (f < 0) return -ENOSPC;
    const fo = frm(m, f);
    s[fo + FR_CONTENT] = data;
    if (writesBack(m, inode)) s[fo + FR_FLAGS] = (s[fo + FR_FLAGS]! | FF_DIRTY) & ~FF_DMA_CLEAN;
  }
  if (page + 1 > s[io + INO_SIZE]!) s[io + INO_SIZE] = page + 1;
  return 1;
}

/**
 * Whether a write of (inode, page) changes the file's layout: it extends the
 * file, fills a hole, or copies a block shared by reflink (COW). Such writes
 * break read layout leases, and fail with ETXTBSY under F_UNBREAK ("truncate(),
 * fallocate() or write() results in changing the underlying layout",
 * https://lore.kernel.org/r/20190923190853.GA3781@iweiny-DESK2.sc.intel.com).
 * The model applies the same rule under RFC v1 and v2, whose patches break
 * layout leases in truncate and fallocate; mainline XFS's xfs_file_write_checks()
 * breaks FL_LAYOUT leases on every write (BREAK_WRITE), which would break more.
 */
export function writeChangesLayout(ctx: Ctx, inode: number, page: number): boolean {
  const { m, s } = ctx;
  if (page >= s[ino(m, inode) + INO_SIZE]!) return true;
  if (memOnly(m, inode)) return false;
  const b1 = s[ext(m, inode, page)]!;
  return b1 === 0 || s[blk(m, b1 - 1) + BLK_USERS]! > 1;
}

/** fsync(2): write back the file's dirty pages. */
export function sysFsync(ctx: Ctx, o: number): number {
  const { m, s } = ctx;
  if (!openFd(ctx, o)) return -EBADF;
  const inode = m.ofds[o]!.inode;
  if (unplugged(ctx, inode)) return -EIO;
  // folio_mkclean()'s MMU notifier waits out an in-flight ODP access first (rdma/odp.ts).
  for (let page = 0; page < m.maxPages; page++) {
    const f1 = s[pcache(m, inode, page)]!;
    if (f1 > 0 && writebackPending(ctx, f1 - 1) && odpInflightOnFrame(m, s, f1 - 1))
      return block(ctx, "writeback waits for in-flight ODP access (MMU notifier)", []);
  }
  for (let page = 0; page < m.maxPages; page++) {
    const f1 = s[pcache(m, inode, page)]!;
    if (f1 > 0 && writebackPending(ctx, f1 - 1)) writeback(ctx, f1 - 1);
  }
  return 0;
}

/**
 * The filesystem's ->setattr(ATTR_SIZE) after the VFS checks. XFS
 * (xfs_vn_setattr) breaks layouts first, waiting for pinned pages, and only
 * then runs setattr_prepare() (xfs_vn_setattr_size → xfs_vn_change_ok); ext4
 * (ext4_setattr) runs setattr_prepare() first. setattr_prepare() →
 * inode_newsize_ok() is where mainline refuses to shrink an active swapfile
 * (ETXTBSY; growing one is allowed). Both filesystems break layouts for every
 * size change, extending ones included; a range-based busy check covers the
 * removed pages, or for an extension the old last block and the new ones
 * (Dave Chinner: "truncate up still needs to break the layout on the last
 * filesystem block", https://lore.kernel.org/r/20190809233037.GB7777@dread.disaster.area).
 */
function setSize(ctx: Ctx, p: number, inode: number, pages: number): number {
  const { m, s } = ctx;
  const io = ino(m, inode);
  const size = s[io + INO_SIZE]!;
  const shrink = pages < size;
  // shmem_setattr() / hugetlbfs_setattr(): F_SEAL_SHRINK, F_SEAL_GROW (after setattr_prepare()).
  const sealed = sealRefuses(ctx, inode, "resize", pages);
  if (sealed < 0) return sealed;
  if (m.flavor === "ext4") {
    const e = prepareRefuses(m, s, inode, pages) ? swapBusy(ctx, inode) : 0;
    if (e < 0) return e;
  }
  const go = layoutGate(
    ctx,
    "truncate",
    p,
    [sizeRange(inode, size, pages)],
    sizeGateOpts(m, shrink, inode),
  );
  if (go < 0) return go;
  if (m.flavor === "xfs") {
    const e = prepareRefuses(m, s, inode, pages) ? swapBusy(ctx, inode) : 0;
    if (e < 0) return e;
  }
  if (shrink) removePages(ctx, inode, pages, size - 1, go === GO_DEFER);
  s[io + INO_SIZE] = pages;
  return 0;
}

/** setattr_prepare() → inode_newsize_ok() refuses to shrink an active swapfile (the `newsize` proposal). */
function prepareRefuses(m: Model, s: State, inode: number, pages: number): boolean {
  const io = ino(m, inode);
  return m.policy.swapfileCheck === "newsize" && pages < s[io + INO_SIZE]! && s[io + INO_SWAP]! > 0;
}

/** The pages a size change from `size` to `pages` breaks the layout of: the removed ones, or the old last and the new ones. */
function sizeRange(inode: number, size: number, pages: number): PageRange {
  return pages < size
    ? { inode, first: pages, last: size - 1 }
    : { inode, first: Math.max(size - 1, 0), last: Math.max(pages - 1, size - 1, 0) };
}

/**
 * An extension zaps no private COW copies: truncate_pagecache() runs only on a
 * shrink. Nor does it move any cached page: in the page cache only its lease
 * break is left (xfs_break_dax_layouts() does nothing without DAX).
 */
function sizeGateOpts(m: Model, shrink: boolean, inode: number) {
  return shrink ? SHRINK_OPTS : fsdax(m, inode) ? EXTEND_OPTS : EXTEND_LEASES_OPTS;
}

// sizeGateOpts' three answers, made once (layoutGate only reads them).
const SHRINK_OPTS = Object.freeze({ evenCows: true, leasesOnly: false });
const EXTEND_OPTS = Object.freeze({ evenCows: false, leasesOnly: false });
const EXTEND_LEASES_OPTS = Object.freeze({ evenCows: false, leasesOnly: true });

/**
 * Whether retrying p's blocked truncate(2) of inode `target`, or ftruncate(2)
 * of open file description `target` (`viaFd`), changes the state (every return
 * does: the program counter moves), decided without running it, in
 * sysTruncate's, sysFtruncate's and setSize's order; false when it blocks again
 * as before (`uninterruptible`: the process's flag now; layoutGateRetry).
 */
export function resizeRetry(
  m: Model,
  s: State,
  p: number,
  viaFd: boolean,
  target: number,
  pages: number,
  uninterruptible: boolean,
): boolean {
  const inode = viaFd ? m.ofds[target]!.inode : target;
  if (charDevice(m, inode)) return true;
  if (viaFd) {
    if (s[ofd(m, target) + OFD_OPEN] !== 1 || !m.ofds[target]!.write) return true;
  } else {
    if (s[ino(m, inode) + INO_EXISTS] !== 1) return true;
    if (!mayAccess(m, s, m.procs[p]!.user, inode, true)) return true;
    const lease = breakLeaseOutcome(m, s, inode, true);
    // break_lease() waits interruptibly
    if (lease !== LEASE_FREE) return lease === LEASE_BREAKS || uninterruptible;
  }
  if (swapSizeRefuses(m, s, inode) || unpluggedIn(m, s, inode)) return true;
  const size = s[ino(m, inode) + INO_SIZE]!;
  const ctx = { m, s };
  if (sealRefuses(ctx, inode, "resize", pages) < 0) return true;
  if (m.flavor === "ext4" && prepareRefuses(m, s, inode, pages)) return true;
  const range = sizeRange(inode, size, pages);
  const opts = sizeGateOpts(m, pages < size, inode);
  return layoutGateRetry(ctx, "truncate", p, [range], opts, uninterruptible);
}

/**
 * Where a proposal that makes pinned files swapfile-like must refuse a size
 * change: in the VFS before ->setattr (`vfs`), for every size change. At
 * mainline's place, inode_newsize_ok() inside setattr_prepare() (`newsize`),
 * XFS would already be waiting for the pins in xfs_break_layouts(), forever.
 */
function swapSizeCheck(ctx: Ctx, inode: number): number {
  return swapSizeRefuses(ctx.m, ctx.s, inode) ? swapBusy(ctx, inode) : 0;
}

function swapSizeRefuses(m: Model, s: State, inode: number): boolean {
  return m.policy.swapfileCheck === "vfs" && s[ino(m, inode) + INO_SWAP]! > 0;
}

/**
 * truncate(2), vfs_truncate() order: not regular → EINVAL, inode_permission(MAY_WRITE)
 * → EACCES, break_lease(O_WRONLY) (blocks), then do_truncate() → notify_change()
 * → the filesystem's ->setattr (setSize).
 */
export function sysTruncate(ctx: Ctx, p: number, inode: number, pages: number): number {
  const { m, s } = ctx;
  if (s[ino(m, inode) + INO_EXISTS] !== 1) return -ENOENT;
  if (charDevice(m, inode)) return -EINVAL;
  if (!mayAccess(m, s, m.procs[p]!.user, inode, true)) return -EACCES;
  if (breakLease(ctx, inode, true, p) === BLOCK) return BLOCK;
  const e = swapSizeCheck(ctx, inode);
  if (e < 0) return e;
  if (unplugged(ctx, inode)) return -EIO;
  return setSize(ctx, p, inode, pages);
}

/** ftruncate(2), do_sys_ftruncate(): a descriptor not open for writing → EINVAL; no lease break. */
export function sysFtruncate(ctx: Ctx, p: number, o: number, pages: number): number {
  const { m } = ctx;
  if (!openFd(ctx, o)) return -EBADF;
  const inode = m.ofds[o]!.inode;
  if (!m.ofds[o]!.write || charDevice(m, inode)) return -EINVAL;
  const e = swapSizeCheck(ctx, inode);
  if (e < 0) return e;
  if (unplugged(ctx, inode)) return -EIO;
  return setSize(ctx, p, inode, pages);
}

/** sysFallocate() modes (compile.ts FALLOC_MODES; spec.ts FallocMode). */
export const FALLOC_ALLOC = 0;
export const FALLOC_PUNCH = 1;
export const FALLOC_COLLAPSE = 2;
export const FALLOC_ZERO = 3;
export const FALLOC_INSERT = 4;
export const FALLOC_UNSHARE = 5;
const FALLOC_KINDS = ["alloc", "punch", "collapse", "zero", "insert", "unshare"] as const;

/** fallocateEarly: an active swapfile refuses (ETXTBSY, swapBusy names the pinners). */
const EARLY_SWAPFILE = 1;
/** fallocateEarly: no early answer, the layout gate comes next. */
const EARLY_GATE = 2;

/**
 * sysFallocate's checks before the layout gate: an early result (-errno, or 0
 * for ext4's punch beyond EOF), EARLY_SWAPFILE, or EARLY_GATE.
 */
function fallocateEarly(
  m: Model,
  s: State,
  o: number,
  mode: number,
  first: number,
  last: number,
): number {
  if (s[ofd(m, o) + OFD_OPEN] !== 1 || !m.ofds[o]!.write) return -EBADF;
  const inode = m.ofds[o]!.inode;
  const io = ino(m, inode);
  if (s[io + INO_SWAP]! > 0) return EARLY_SWAPFILE;
  if (charDevice(m, inode)) return -ENODEV;
  if (unpluggedIn(m, s, inode)) return -EIO;
  const size = s[io + INO_SIZE]!;
  if (sealable(m, inode)) {
    // shmem_fallocate() / hugetlbfs_fallocate(): only KEEP_SIZE and PUNCH_HOLE → else EOPNOTSUPP;
    // a punch under a write seal, an allocation past EOF under F_SEAL_GROW → EPERM.
    if (mode !== FALLOC_ALLOC && mode !== FALLOC_PUNCH) return -EOPNOTSUPP;
    const sealed = sealRefuses({ m, s }, inode, mode === FALLOC_PUNCH ? "punch" : "alloc", last);
    if (sealed < 0) return sealed;
  }
  // ext4_fallocate(): FALLOC_FL_UNSHARE_RANGE is outside its supported modes.
  if (mode === FALLOC_UNSHARE && m.flavor === "ext4") return -EOPNOTSUPP;
  // ext4 (before v6.14) checks a collapse reaching EOF before ext4_break_layouts()
  // (ext4_collapse_range); XFS breaks layouts first, waiting for pins, and
  // returns EINVAL afterwards (xfs_file_fallocate). Since v6.14 ("ext4: move out
  // common parts into ext4_fallocate()") ext4 breaks layouts first too; the
  // proposals that let fs-DAX pins exist are of the 2019 era.
  if (mode === FALLOC_COLLAPSE && last >= size - 1 && m.flavor === "ext4") return -EINVAL;
  const insertErr = fallocInsertErr(m, mode, size, first, last - first + 1);
  if (insertErr < 0 && m.flavor === "ext4") return insertErr;
  // ext4_punch_hole() returns at once for a hole beyond EOF; XFS breaks layouts first.
  if (mode === FALLOC_PUNCH && first >= size && m.flavor === "ext4") return 0;
  return EARLY_GATE;
}

/**
 * INSERT_RANGE: the new size must fit s_maxbytes (EFBIG; the model's s_maxbytes is its
 * page bound) and the offset lie before EOF (EINVAL): ext4_insert_range() checks both
 * before ext4_break_layouts(), xfs_falloc_insert_range() after xfs_break_layouts().
 */
function fallocInsertErr(m: Model, mode: number, size: number, first: number, n: number): number {
  return mode !== FALLOC_INSERT ? 0 : size + n > m.maxPages ? -EFBIG : first >= size ? -EINVAL : 0;
}

/** The pages a fallocate of [first, last] in `mode` breaks the layout of. */
function fallocRange(
  inode: number,
  mode: number,
  size: number,
  first: number,
  last: number,
): PageRange {
  return mode === FALLOC_COLLAPSE
    ? { inode, first, last: Math.max(size - 1, last) }
    : mode === FALLOC_INSERT
      ? { inode, first: Math.min(first, Math.max(size - 1, 0)), last: Math.max(size - 1, first) }
      : { inode, first, last };
}

/**
 * UNSHARE_RANGE keeps the cached pages (iomap_file_unshare() dirties them, writeback
 * writes them out of place): in the page cache only its lease break is left.
 */
function fallocLeasesOnly(m: Model, mode: number, inode: number): boolean {
  return mode === FALLOC_UNSHARE && !fsdax(m, inode);
}

/**
 * Whether retrying p's blocked fallocate(2) changes the state, decided without
 * running it (every return does; layoutGateRetry).
 */
export function fallocateRetry(
  m: Model,
  s: State,
  p: number,
  call: { readonly a: number; readonly b: number; readonly c: number; readonly d: number },
  uninterruptible: boolean,
): boolean {
  const { a: o, b: mode, c: first, d: last } = call;
  if (fallocateEarly(m, s, o, mode, first, last) !== EARLY_GATE) return true;
  const inode = m.ofds[o]!.inode;
  const range = fallocRange(inode, mode, s[ino(m, inode) + INO_SIZE]!, first, last);
  const opts = { leasesOnly: fallocLeasesOnly(m, mode, inode) };
  return layoutGateRetry({ m, s }, FALLOC_KINDS[mode]!, p, [range], opts, uninterruptible);
}

/**
 * fallocate(2), vfs_fallocate() order: not writable → EBADF, active swapfile →
 * ETXTBSY (before ->fallocate, so XFS never waits on the pins of a
 * swapfile-like file), not regular → ENODEV; then the filesystem.
 *
 * XFS (xfs_file_fallocate, fs/xfs/xfs_file.c) supports every mode and runs
 * xfs_break_layouts(BREAK_UNMAP) for every mode before any argument check:
 * a collapse reaching EOF or an insert at or past EOF fails with EINVAL only
 * after the pins were waited for. Then: ZERO_RANGE punches the range
 * (xfs_free_file_space) and preallocates it again unwritten, so its blocks
 * may change; INSERT_RANGE grows the file and shifts the extents from the
 * offset up (xfs_insert_file_space, after writing back and dropping the page
 * cache from the offset on); UNSHARE_RANGE copies every block the range
 * shares by reflink into a new one (xfs_reflink_unshare) and preallocates
 * its holes. ZERO, UNSHARE and a plain allocation extend the size past EOF
 * (no FALLOC_FL_KEEP_SIZE in the model).
 *
 * ext4 (ext4_fallocate, fs/ext4/extents.c, before v6.14) has no
 * UNSHARE_RANGE (its mode mask: EOPNOTSUPP before any lock), checks an
 * insert at or past EOF (EINVAL, ext4_insert_range) and a collapse reaching
 * EOF before ext4_break_layouts(), and zeroes a range in place: ext4_zero_range()
 * breaks layouts, drops the range's page cache and converts its blocks to
 * unwritten extents (EXT4_GET_BLOCKS_CONVERT_UNWRITTEN), keeping them.
 * shmem and hugetlbfs know only allocation and PUNCH_HOLE (EOPNOTSUPP).
 */
export function sysFallocate(
  ctx: Ctx,
  p: number,
  o: number,
  mode: number,
  first: number,
  last: number,
): number {
  const { m, s } = ctx;
  const early = fallocateEarly(m, s, o, mode, first, last);
  const inode = m.ofds[o]!.inode;
  if (early === EARLY_SWAPFILE) return swapBusy(ctx, inode);
  if (early !== EARLY_GATE) return early;
  const size = s[ino(m, inode) + INO_SIZE]!;
  const n = last - first + 1;
  const collapseToEof = mode === FALLOC_COLLAPSE && last >= size - 1;
  const insertErr = fallocInsertErr(m, mode, size, first, n);
  const go = layoutGate(
    ctx,
    FALLOC_KINDS[mode]!,
    p,
    [fallocRange(inode, mode, size, first, last)],
    {
      leasesOnly: fallocLeasesOnly(m, mode, inode),
    },
  );
  if (go < 0) return go;
  if (collapseToEof) return -EINVAL;
  if (insertErr < 0) return insertErr;
  const defer = go === GO_DEFER;
  switch (mode) {
    case FALLOC_ALLOC:
      return allocRange(ctx, inode, first, last);
    case FALLOC_PUNCH:
      removePages(ctx, inode, first, Math.min(last, size - 1), defer);
      return 0;
    case FALLOC_COLLAPSE:
      removePages(ctx, inode, first, last, defer);
      // the pages after the range are written back before they move (xfs_prepare_shift()
      // → xfs_flush_unmap_range(); ext4_collapse_range(): filemap_write_and_wait_range())
      flushAndDrop(ctx, inode, last + 1, size - 1);
      shiftDown(ctx, inode, first, last);
      return 0;
    case FALLOC_ZERO:
      if (m.flavor === "ext4") {
        // truncate_pagecache_range(), then the range's blocks become unwritten in place
        dropCache(ctx, inode, first, Math.min(last, size - 1));
        for (let page = first; page <= last && !memOnly(m, inode); page++) {
          const b1 = s[ext(m, inode, page)]!;
          if (b1 > 0 && s[blk(m, b1 - 1) + BLK_USERS] === 1) s[blk(m, b1 - 1) + BLK_UNWRITTEN] = 1;
          else if (b1 > 0) removePages(ctx, inode, page, page, defer);
        }
      } else removePages(ctx, inode, first, Math.min(last, size - 1), defer);
      return allocRange(ctx, inode, first, last);
    case FALLOC_INSERT:
      insertRange(ctx, inode, first, n);
      return 0;
    default: {
      // xfs_reflink_unshare(): a shared block is copied to a block of this file's own.
      for (let page = first; page <= last && page < size; page++) {
        const e = ext(m, inode, page);
        const b1 = s[e]!;
        if (b1 === 0 || s[blk(m, b1 - 1) + BLK_USERS]! < 2) continue;
        const b = allocBlock(ctx, inode, blockReadContent(m, s, b1 - 1));
        if (b < 0) return -ENOSPC;
        s[blk(m, b1 - 1) + BLK_USERS]! -= 1;
        s[e] = b + 1;
      }
      return allocRange(ctx, inode, first, last);
    }
  }
}

/** Preallocates unwritten blocks in the holes of [first, last], extending the size (xfs_alloc_file_space). */
function allocRange(ctx: Ctx, inode: number, first: number, last: number): number {
  const { m, s } = ctx;
  for (let page = first; page <= last && !memOnly(m, inode); page++) {
    const e = ext(m, inode, page);
    if (s[e]! > 0) continue;
    const b = allocUnwritten(ctx, inode);
    if (b < 0) return -ENOSPC;
    s[e] = b + 1;
  }
  const io = ino(m, inode);
  if (last + 1 > s[io + INO_SIZE]!) s[io + INO_SIZE] = last + 1;
  return 0;
}

/**
 * FALLOC_FL_INSERT_RANGE of n pages at `first`: the cached pages from `first`
 * to EOF are written back and dropped (filemap_write_and_wait_range() and
 * truncate_pagecache() in xfs_flush_unmap_range() / ext4_insert_range()),
 * the size grows by n, and the extents from `first` on move up by n,
 * leaving a hole.
 */
function insertRange(ctx: Ctx, inode: number, first: number, n: number): void {
  const { m, s } = ctx;
  const io = ino(m, inode);
  const size = s[io + INO_SIZE]!;
  flushAndDrop(ctx, inode, first, size - 1);
  for (let page = size - 1; page >= first; page--) {
    s[ext(m, inode, page + n)] = s[ext(m, inode, page)]!;
    s[ext(m, inode, page)] = 0;
  }
  s[io + INO_SIZE] = size + n;
}

/** Writes back the dirty cached pages of [first, last], then drops them (filemap_write_and_wait_range + truncate_pagecache). */
function flushAndDrop(ctx: Ctx, inode: number, first: number, last: number): void {
  const { m, s } = ctx;
  for (let page = first; page <= last; page++) {
    const f1 = s[pcache(m, inode, page)]!;
    if (f1 > 0 && writebackPending(ctx, f1 - 1)) writeback(ctx, f1 - 1);
  }
  dropCache(ctx, inode, first, last);
}

/** Orphans or frees cached pages [first, last] without touching their blocks (the pages move). */
function dropCache(ctx: Ctx, inode: number, first: number, last: number): void {
  const { m, s } = ctx;
  if (fsdax(m, inode)) return;
  const saved: number[] = [];
  for (let page = first; page <= last; page++) saved.push(s[ext(m, inode, page)]!);
  for (let page = first; page <= last; page++) s[ext(m, inode, page)] = 0;
  removePages(ctx, inode, first, last, false);
  for (let page = first; page <= last; page++) s[ext(m, inode, page)] = saved[page - first]!;
}

/**
 * ioctl(dst, FICLONE, src): vfs_clone_file_range() checks the descriptors
 * (EBADF) and the filesystem (EXDEV); ext4 has no ->remap_file_range
 * (EOPNOTSUPP). Then generic_remap_file_range_prep() refuses swapfiles
 * (ETXTBSY) and XFS breaks the layouts of both files. On fs-DAX, XFS waits
 * for both files' DAX pages (xfs_reflink_remap_prep → xfs_ilock2_io_mmap →
 * xfs_mmaplock_two_inodes_and_break_dax_layout) before
 * dax_remap_file_range_prep() reaches the swapfile check, so under
 * `swap-check=newsize` the pins are waited for first; the proposal's VFS
 * check (`vfs`) refuses before. (XFS supports reflink on fs-DAX since v5.19;
 * in 2019 it refused to combine them.)
 */
export function sysReflink(ctx: Ctx, p: number, src: number, dst: number): number {
  const { m, s } = ctx;
  if (!openFd(ctx, src) || !openFd(ctx, dst) || !m.ofds[src]!.read || !m.ofds[dst]!.write)
    return -EBADF;
  const si = m.ofds[src]!.inode;
  const di = m.ofds[dst]!.inode;
  if (charDevice(m, si) || charDevice(m, di)) return -EXDEV;
  // vfs_clone_file_range(): files on different filesystems → EXDEV; tmpfs and hugetlbfs
  // have no ->remap_file_range → EOPNOTSUPP.
  const bs = m.inodes[si]!.backing;
  const bd = m.inodes[di]!.backing;
  if (bs !== bd) return -EXDEV;
  if (bs !== "fs") return -EOPNOTSUPP;
  if (m.flavor === "ext4") return -EOPNOTSUPP;
  if (si === di) return -EINVAL;
  const swapCheck = (): number => {
    if (s[ino(m, si) + INO_SWAP]! > 0) return swapBusy(ctx, si);
    if (s[ino(m, di) + INO_SWAP]! > 0) return swapBusy(ctx, di);
    return 0;
  };
  const late = m.policy.swapfileCheck === "newsize" && m.dax;
  if (!late) {
    const e = swapCheck();
    if (e < 0) return e;
  }
  if (unplugged(ctx, si) || unplugged(ctx, di)) return -EIO;
  const ssize = s[ino(m, si) + INO_SIZE]!;
  const dsize = s[ino(m, di) + INO_SIZE]!;
  const go = layoutGate(ctx, "reflink", p, [
    { inode: si, first: 0, last: ssize - 1 },
    { inode: di, first: 0, last: Math.max(dsize, ssize) - 1 },
  ]);
  if (go < 0) return go;
  if (late) {
    const e = swapCheck();
    if (e < 0) return e;
  }
  removePages(ctx, di, 0, dsize - 1, go === GO_DEFER);
  for (let page = 0; page < m.maxPages; page++) {
    const b1 = s[ext(m, si, page)]!;
    s[ext(m, di, page)] = b1;
    if (b1 > 0) s[blk(m, b1 - 1) + BLK_USERS]! += 1;
  }
  s[ino(m, di) + INO_SIZE] = ssize;
  // The clone now holds the source's data legitimately (and whatever it writes itself).
  s[inoTail(m, di) + INO_T_LINEAGE] = s[inoTail(m, si) + INO_T_LINEAGE]! | (1 << di);
  return 0;
}

/**
 * ioctl(src, FIDEDUPERANGE) with one destination, pages [first, last] at the
 * same offset in both files. vfs_dedupe_file_range() (fs/remap_range.c)
 * checks the source: FMODE_READ else EINVAL, a regular file (EINVAL), a
 * ->remap_file_range (EOPNOTSUPP: ext4, tmpfs, hugetlbfs have none), the
 * range within its EOF (EINVAL); these are the ioctl's return. Then, for the
 * destination, whose outcome the ioctl reports in info->status (here the
 * operation's result): a bad descriptor (EBADF), may_dedupe_file() (EPERM
 * unless CAP_SYS_ADMIN, open for writing, the owner, or writable by the
 * caller), another filesystem (EXDEV). XFS's xfs_reflink_remap_prep() then
 * locks both files and breaks their layouts, on fs-DAX waiting for both
 * files' pinned pages (xfs_ilock2_io_mmap → xfs_mmaplock_two_inodes_and_break_dax_layout),
 * before __generic_remap_file_range_prep() refuses a swapfile (ETXTBSY), a
 * range past the destination's EOF or overlapping itself in one file
 * (EINVAL), writes back both ranges and compares them: different contents
 * give FILE_DEDUPE_RANGE_DIFFERS, the compare's -EBADE (`EBADE` here). So
 * a dedupe whose contents differ still waits for the pins first. Equal ranges
 * are remapped: the destination's blocks are dropped (its cached pages too,
 * xfs_flush_unmap_range) and it shares the source's.
 */
export function sysDedupe(
  ctx: Ctx,
  p: number,
  src: number,
  dst: number,
  first: number,
  last: number,
): number {
  const { m, s } = ctx;
  if (!openFd(ctx, src)) return -EBADF;
  if (!m.ofds[src]!.read) return -EINVAL;
  const si = m.ofds[src]!.inode;
  if (charDevice(m, si)) return -EINVAL;
  if (m.inodes[si]!.backing !== "fs" || m.flavor === "ext4") return -EOPNOTSUPP;
  if (last + 1 > s[ino(m, si) + INO_SIZE]!) return -EINVAL;
  if (!openFd(ctx, dst)) return -EBADF;
  const di = m.ofds[dst]!.inode;
  const user = m.procs[p]!.user;
  const mayDedupe =
    m.users[user]!.caps.includes("CAP_SYS_ADMIN") ||
    m.ofds[dst]!.write ||
    inodeOwner(m, s, di) === user ||
    mayAccess(m, s, user, di, true);
  if (!mayDedupe) return -EPERM;
  if (m.inodes[di]!.backing !== "fs" || charDevice(m, di)) return -EXDEV;
  if (unplugged(ctx, si)) return -EIO;
  // The same place of the swapfile check as FICLONE's (sysReflink).
  const swapCheck = (): number => {
    if (s[ino(m, si) + INO_SWAP]! > 0) return swapBusy(ctx, si);
    if (s[ino(m, di) + INO_SWAP]! > 0) return swapBusy(ctx, di);
    return 0;
  };
  const late = m.policy.swapfileCheck === "newsize" && m.dax;
  if (!late) {
    const e = swapCheck();
    if (e < 0) return e;
  }
  // Both files' layout leases break (xfs_iolock_two_inodes_and_break_layout); on fs-DAX both
  // files' pages are waited for; in the page cache only the destination's range is unmapped.
  const srcRange: PageRange = { inode: si, first, last };
  const dstRange: PageRange = { inode: di, first, last };
  let go: number;
  if (fsdax(m, si)) go = layoutGate(ctx, "dedupe", p, [srcRange, dstRange]);
  else {
    go = layoutGate(ctx, "dedupe", p, [srcRange], { leasesOnly: true });
    if (go >= 0) go = layoutGate(ctx, "dedupe", p, [dstRange]);
  }
  if (go < 0) return go;
  if (late) {
    const e = swapCheck();
    if (e < 0) return e;
  }
  // generic_remap_checks(): a dedupe stays within both EOFs, and never overlaps itself
  if (last + 1 > s[ino(m, di) + INO_SIZE]!) return -EINVAL;
  if (si === di) return -EINVAL;
  for (const inode of [si, di])
    for (let page = first; page <= last; page++) {
      const f1 = s[pcache(m, inode, page)]!;
      if (f1 > 0 && writebackPending(ctx, f1 - 1)) writeback(ctx, f1 - 1);
    }
  for (let page = first; page <= last; page++)
    if (readPage(ctx, si, page) !== readPage(ctx, di, page)) return -EBADE;
  removePages(ctx, di, first, last, go === GO_DEFER);
  for (let page = first; page <= last; page++) {
    const b1 = s[ext(m, si, page)]!;
    s[ext(m, di, page)] = b1;
    if (b1 > 0) s[blk(m, b1 - 1) + BLK_USERS]! += 1;
  }
  // Equal contents: the destination may now hold the source's data legitimately.
  s[inoTail(m, di) + INO_T_LINEAGE] = s[inoTail(m, di) + INO_T_LINEAGE]! | (1 << si);
  return 0;
}

/** Removal of the pmem device: every file's layout goes; the driver waits for page references. */
export function sysUnplug(ctx: Ctx, p: number): number {
  const { m, s } = ctx;
  if (!m.dax) return -EINVAL;
  if (s[m.offKernel + K_UNPLUGGED] === 1) return -ENODEV;
  const ranges: PageRange[] = [];
  for (let i = 0; i < m.inodes.length; i++)
    if (s[ino(m, i) + INO_EXISTS] === 1 && fsdax(m, i))
      ranges.push({ inode: i, first: 0, last: m.maxPages - 1 });
  const go = layoutGate(ctx, "unplug", p, ranges);
  if (go < 0) return go;
  for (const r of ranges) removePages(ctx, r.inode, 0, m.maxPages - 1, false);
  s[m.offKernel + K_UNPLUGGED] = 1;
  return 0;
}
