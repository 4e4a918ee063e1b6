/**
 * File system calls on paths and file descriptors, each with its checks in
 * the kernel's order. Layout-changing calls share layoutGate().
 */

import { charDevice, fsdax, memOnly, sealable, sealRefuses, writesBack } from "../backing.js";
import { BLOCK, block, type Ctx, emit } from "../ctx.js";
import {
  EACCES,
  EBADF,
  EEXIST,
  EINVAL,
  EIO,
  ENODEV,
  ENOENT,
  ENOSPC,
  EOPNOTSUPP,
  ETXTBSY,
  EXDEV,
} from "../errno.js";
import {
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
} from "../layout.js";
import { breakLayoutLeases, breakLease } from "../locks/lease.js";
import { pageCacheGet, prepareWrite } from "../mm/fault.js";
import { writeback, writebackPending } from "../mm/writeback.js";
import { odpInflightOnFrame } from "../rdma/odp.js";
import { allocUnwritten, blockReadContent, writeBlock } from "./blocks.js";
import { GO_DEFER, layoutGate, type PageRange, removePages, shiftDown } from "./layout-change.js";

/** inode_permission(): owner bits for the owner, "other" bits for everyone else (no groups). */
export function mayAccess(m: Model, user: number, inode: number, write: boolean): boolean {
  const info = m.inodes[inode]!;
  const bits = info.owner === user ? info.mode >> 6 : info.mode;
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
const unplugged = (ctx: Ctx, inode: number): boolean =>
  fsdax(ctx.m, inode) && ctx.s[ctx.m.offKernel + K_UNPLUGGED] === 1;

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
      (info.read && !mayAccess(m, user, inode, false)) ||
      (info.write && !mayAccess(m, user, inode, true))
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
  const prepare = (): number =>
    m.policy.swapfileCheck === "newsize" && shrink && s[io + INO_SWAP]! > 0
      ? swapBusy(ctx, inode)
      : 0;
  if (m.flavor === "ext4") {
    const e = prepare();
    if (e < 0) return e;
  }
  const range: PageRange = shrink
    ? { inode, first: pages, last: size - 1 }
    : { inode, first: Math.max(size - 1, 0), last: Math.max(pages - 1, size - 1, 0) };
  // An extension zaps no private COW copies: truncate_pagecache() runs only on a
  // shrink. Nor does it move any cached page: in the page cache only its lease
  // break is left (xfs_break_dax_layouts() does nothing without DAX).
  const go = layoutGate(ctx, "truncate", p, [range], {
    evenCows: shrink,
    leasesOnly: !shrink && !fsdax(m, inode),
  });
  if (go < 0) return go;
  if (m.flavor === "xfs") {
    const e = prepare();
    if (e < 0) return e;
  }
  if (shrink) removePages(ctx, inode, pages, size - 1, go === GO_DEFER);
  s[io + INO_SIZE] = pages;
  return 0;
}

/**
 * Where a proposal that makes pinned files swapfile-like must refuse a size
 * change: in the VFS before ->setattr (`vfs`), for every size change. At
 * mainline's place, inode_newsize_ok() inside setattr_prepare() (`newsize`),
 * XFS would already be waiting for the pins in xfs_break_layouts(), forever.
 */
function swapSizeCheck(ctx: Ctx, inode: number): number {
  const { m, s } = ctx;
  if (m.policy.swapfileCheck === "vfs" && s[ino(m, inode) + INO_SWAP]! > 0)
    return swapBusy(ctx, inode);
  return 0;
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
  if (!mayAccess(m, m.procs[p]!.user, inode, true)) return -EACCES;
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

/**
 * fallocate(2), vfs_fallocate() order: not writable → EBADF, active swapfile →
 * ETXTBSY (before ->fallocate, so XFS never waits on the pins of a
 * swapfile-like file), not regular → ENODEV; then the filesystem: XFS breaks
 * layouts for every mode before checking a collapse (EINVAL), ext4 checks
 * first and breaks layouts for every mode but a plain allocation.
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
  if (!openFd(ctx, o) || !m.ofds[o]!.write) return -EBADF;
  const inode = m.ofds[o]!.inode;
  const io = ino(m, inode);
  if (s[io + INO_SWAP]! > 0) return swapBusy(ctx, inode);
  if (charDevice(m, inode)) return -ENODEV;
  if (unplugged(ctx, inode)) return -EIO;
  const size = s[io + INO_SIZE]!;
  if (sealable(m, inode)) {
    // shmem_fallocate() / hugetlbfs_fallocate(): only KEEP_SIZE and PUNCH_HOLE → else EOPNOTSUPP;
    // a punch under a write seal, an allocation past EOF under F_SEAL_GROW → EPERM.
    if (mode === 2) return -EOPNOTSUPP;
    const sealed = sealRefuses(ctx, inode, mode === 1 ? "punch" : "alloc", last);
    if (sealed < 0) return sealed;
  }
  // ext4 (before v6.14) checks a collapse reaching EOF before ext4_break_layouts()
  // (ext4_collapse_range); XFS breaks layouts first, waiting for pins, and
  // returns EINVAL afterwards (xfs_file_fallocate). Since v6.14 ("ext4: move out
  // common parts into ext4_fallocate()") ext4 breaks layouts first too; the
  // proposals that let fs-DAX pins exist are of the 2019 era.
  const collapseToEof = mode === 2 && last >= size - 1;
  if (collapseToEof && m.flavor === "ext4") return -EINVAL;
  // ext4_punch_hole() returns at once for a hole beyond EOF; XFS breaks layouts first.
  if (mode === 1 && first >= size && m.flavor === "ext4") return 0;
  const kind = mode === 0 ? "alloc" : mode === 1 ? "punch" : "collapse";
  const range: PageRange = { inode, first, last: mode === 2 ? Math.max(size - 1, last) : last };
  const go = layoutGate(ctx, kind, p, [range]);
  if (go < 0) return go;
  if (collapseToEof) return -EINVAL;
  if (mode === 0) {
    for (let page = first; page <= last && !memOnly(m, inode); page++) {
      const e = ext(m, inode, page);
      if (s[e]! > 0) continue;
      const b = allocUnwritten(ctx, inode);
      if (b < 0) return -ENOSPC;
      s[e] = b + 1;
    }
    if (last + 1 > size) s[io + INO_SIZE] = last + 1;
    return 0;
  }
  if (mode === 1) {
    removePages(ctx, inode, first, Math.min(last, size - 1), go === GO_DEFER);
    return 0;
  }
  removePages(ctx, inode, first, last, go === GO_DEFER);
  dropCache(ctx, inode, last + 1, size - 1);
  shiftDown(ctx, inode, first, last);
  return 0;
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
