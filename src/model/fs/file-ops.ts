/**
 * File system calls on paths and file descriptors, each with its checks in
 * the kernel's order. Layout-changing calls share layoutGate().
 */
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
  ETXTBSY,
  EXDEV,
} from "../errno.js";
import {
  BLK_CONTENT,
  BLK_USERS,
  blk,
  CONTENT_ZERO,
  contentOf,
  ext,
  FF_DIRTY,
  FF_DMA_CLEAN,
  FR_CONTENT,
  FR_FLAGS,
  frm,
  INO_EXISTS,
  INO_SIZE,
  INO_SWAP,
  ino,
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
import { allocBlock } from "./blocks.js";
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
function swapBusy(ctx: Ctx, inode: number): number {
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

const unplugged = (ctx: Ctx): boolean => ctx.m.dax && ctx.s[ctx.m.offKernel + K_UNPLUGGED] === 1;

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
  if (m.dax) {
    const b1 = s[ext(m, inode, page)]!;
    return b1 > 0 ? s[blk(m, b1 - 1) + BLK_CONTENT]! : CONTENT_ZERO;
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
  if (unplugged(ctx)) return -EIO;
  const inode = m.ofds[o]!.inode;
  if (page >= s[ino(m, inode) + INO_SIZE]!) return 0;
  const content = readPage(ctx, inode, page);
  emit(ctx, { k: "read", proc: p, inode, page, content });
  return 1;
}

/**
 * pwrite(2) of one page by process p; generic_write_checks() refuses an active
 * swapfile with ETXTBSY. A write that changes the layout (allocating-write rule
 * of the layout-lease policy) breaks layout leases first.
 */
export function sysWrite(ctx: Ctx, p: number, o: number, page: number): number {
  const { m, s } = ctx;
  if (!openFd(ctx, o) || !m.ofds[o]!.write) return -EBADF;
  const inode = m.ofds[o]!.inode;
  const io = ino(m, inode);
  if (s[io + INO_SWAP]! > 0) return -ETXTBSY;
  if (unplugged(ctx)) return -EIO;
  if (m.policy.layoutLeases && writeChangesLayout(ctx, inode, page)) {
    const e = breakLayoutLeases(ctx, inode, p);
    if (e !== 0) return e;
  }
  const e = prepareWrite(ctx, inode, page);
  if (e < 0) return e;
  const data = contentOf(inode);
  if (m.dax) s[blk(m, s[ext(m, inode, page)]! - 1) + BLK_CONTENT] = data;
  else {
    const f = pageCacheGet(ctx, inode, page);
    if (f < 0) return -ENOSPC;
    const fo = frm(m, f);
    s[fo + FR_CONTENT] = data;
    s[fo + FR_FLAGS] = (s[fo + FR_FLAGS]! | FF_DIRTY) & ~FF_DMA_CLEAN;
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
  const b1 = s[ext(m, inode, page)]!;
  return b1 === 0 || s[blk(m, b1 - 1) + BLK_USERS]! > 1;
}

/** fsync(2): write back the file's dirty pages. */
export function sysFsync(ctx: Ctx, o: number): number {
  const { m, s } = ctx;
  if (!openFd(ctx, o)) return -EBADF;
  if (unplugged(ctx)) return -EIO;
  const inode = m.ofds[o]!.inode;
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

/** Shrinks or extends the file to `pages`, as truncate(2) and ftruncate(2) do after their checks. */
function setSize(ctx: Ctx, p: number, inode: number, pages: number): number {
  const { m, s } = ctx;
  const io = ino(m, inode);
  const size = s[io + INO_SIZE]!;
  if (pages >= size) {
    s[io + INO_SIZE] = pages;
    return 0;
  }
  const range: PageRange = { inode, first: pages, last: size - 1 };
  const go = layoutGate(ctx, "truncate", p, [range]);
  if (go < 0) return go;
  removePages(ctx, inode, pages, size - 1, go === GO_DEFER);
  s[io + INO_SIZE] = pages;
  return 0;
}

/**
 * truncate(2), vfs_truncate() order: not regular → EINVAL, inode_permission(MAY_WRITE)
 * → EACCES, break_lease(O_WRONLY) (blocks), then notify_change() refuses a size
 * change of an active swapfile with ETXTBSY, then the filesystem breaks layouts.
 */
export function sysTruncate(ctx: Ctx, p: number, inode: number, pages: number): number {
  const { m, s } = ctx;
  if (s[ino(m, inode) + INO_EXISTS] !== 1) return -ENOENT;
  if (m.inodes[inode]!.pfnmap) return -EINVAL;
  if (!mayAccess(m, m.procs[p]!.user, inode, true)) return -EACCES;
  if (breakLease(ctx, inode, true, p) === BLOCK) return BLOCK;
  if (s[ino(m, inode) + INO_SWAP]! > 0) return swapBusy(ctx, inode);
  if (unplugged(ctx)) return -EIO;
  return setSize(ctx, p, inode, pages);
}

/** ftruncate(2), do_sys_ftruncate(): a descriptor not open for writing → EINVAL; no lease break. */
export function sysFtruncate(ctx: Ctx, p: number, o: number, pages: number): number {
  const { m, s } = ctx;
  if (!openFd(ctx, o)) return -EBADF;
  const inode = m.ofds[o]!.inode;
  if (!m.ofds[o]!.write || m.inodes[inode]!.pfnmap) return -EINVAL;
  if (s[ino(m, inode) + INO_SWAP]! > 0) return swapBusy(ctx, inode);
  if (unplugged(ctx)) return -EIO;
  return setSize(ctx, p, inode, pages);
}

/**
 * fallocate(2), vfs_fallocate() order: not writable → EBADF, active swapfile →
 * ETXTBSY, not regular → ENODEV; collapse must end before EOF (EINVAL); then
 * xfs_file_fallocate() breaks layouts for every mode.
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
  if (m.inodes[inode]!.pfnmap) return -ENODEV;
  if (unplugged(ctx)) return -EIO;
  const size = s[io + INO_SIZE]!;
  if (mode === 2 && last >= size - 1) return -EINVAL;
  const kind = mode === 0 ? "alloc" : mode === 1 ? "punch" : "collapse";
  const range: PageRange = { inode, first, last: mode === 2 ? size - 1 : last };
  const go = layoutGate(ctx, kind, p, [range]);
  if (go < 0) return go;
  if (mode === 0) {
    for (let page = first; page <= last; page++) {
      const e = ext(m, inode, page);
      if (s[e]! > 0) continue;
      const b = allocBlock(ctx, inode);
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
  if (m.dax) return;
  const saved: number[] = [];
  for (let page = first; page <= last; page++) saved.push(s[ext(m, inode, page)]!);
  for (let page = first; page <= last; page++) s[ext(m, inode, page)] = 0;
  removePages(ctx, inode, first, last, false);
  for (let page = first; page <= last; page++) s[ext(m, inode, page)] = saved[page - first]!;
}

/**
 * ioctl(dst, FICLONE, src): vfs_clone_file_range() checks the descriptors
 * (EBADF), the filesystem (EXDEV), then generic_remap_file_range_prep()
 * refuses swapfiles (ETXTBSY); XFS breaks the layouts of both files.
 */
export function sysReflink(ctx: Ctx, p: number, src: number, dst: number): number {
  const { m, s } = ctx;
  if (!openFd(ctx, src) || !openFd(ctx, dst) || !m.ofds[src]!.read || !m.ofds[dst]!.write)
    return -EBADF;
  const si = m.ofds[src]!.inode;
  const di = m.ofds[dst]!.inode;
  if (m.inodes[si]!.pfnmap || m.inodes[di]!.pfnmap) return -EXDEV;
  if (si === di) return -EINVAL;
  if (s[ino(m, si) + INO_SWAP]! > 0) return swapBusy(ctx, si);
  if (s[ino(m, di) + INO_SWAP]! > 0) return swapBusy(ctx, di);
  if (unplugged(ctx)) return -EIO;
  const ssize = s[ino(m, si) + INO_SIZE]!;
  const dsize = s[ino(m, di) + INO_SIZE]!;
  const go = layoutGate(ctx, "reflink", p, [
    { inode: si, first: 0, last: ssize - 1 },
    { inode: di, first: 0, last: Math.max(dsize, ssize) - 1 },
  ]);
  if (go < 0) return go;
  removePages(ctx, di, 0, dsize - 1, go === GO_DEFER);
  for (let page = 0; page < m.maxPages; page++) {
    const b1 = s[ext(m, si, page)]!;
    s[ext(m, di, page)] = b1;
    if (b1 > 0) s[blk(m, b1 - 1) + BLK_USERS]! += 1;
  }
  s[ino(m, di) + INO_SIZE] = ssize;
  return 0;
}

/** Removal of the pmem device: every file's layout goes; the driver waits for page references. */
export function sysUnplug(ctx: Ctx, p: number): number {
  const { m, s } = ctx;
  if (!m.dax) return -EINVAL;
  if (unplugged(ctx)) return -ENODEV;
  const ranges: PageRange[] = [];
  for (let i = 0; i < m.inodes.length; i++)
    if (s[ino(m, i) + INO_EXISTS] === 1) ranges.push({ inode: i, first: 0, last: m.maxPages - 1 });
  const go = layoutGate(ctx, "unplug", p, ranges);
  if (go < 0) return go;
  for (const r of ranges) removePages(ctx, r.inode, 0, m.maxPages - 1, false);
  s[m.offKernel + K_UNPLUGGED] = 1;
  return 0;
}
