/**
 * What holds a file's pages, and the rules that differ by backing (spec.ts
 * Backing). One scenario may hold files of several backings: each rule asks
 * the inode, not the scenario's filesystem.
 *
 * - `fs` on `fs dax`: the page is the block (vma_is_fsdax()); on `fs pagecache`
 *   and `other`: page-cache pages written back to blocks, mapped with
 *   ->page_mkwrite (generic_file_vm_ops, ext4_file_vm_ops, xfs_file_vm_ops).
 * - `tmpfs` (mm/shmem.c) and `hugetlbfs` (fs/hugetlbfs/inode.c): the pages are
 *   the only copy. No ->page_mkwrite in shmem_vm_ops or hugetlb_vm_ops, and
 *   no writeback (their backing device has no BDI_CAP_WRITEBACK), so
 *   vma_needs_dirty_tracking() (mm/mmap.c) is false and writable long-term
 *   pins are allowed.
 * - `devdax` (drivers/dax/device.c): a character device whose pages are the
 *   device's memory; not vma_is_fsdax() (which excludes device-DAX,
 *   include/linux/fs.h), so FOLL_LONGTERM is allowed; dax_vm_ops has no
 *   ->page_mkwrite; a character device cannot be truncated, punched or leased.
 * - `anon`: private anonymous memory; every page is the process's own.
 *
 * One model page is one page of the backing: for hugetlbfs one huge page.
 */
import { block, type Ctx } from "./ctx.js";
import { EBADF, EBUSY, EINVAL, EPERM } from "./errno.js";
import { inodeMode } from "./fs/attr.js";
import {
  FR_INODE,
  FR_REF,
  frm,
  INO_EXISTS,
  INO_SIZE,
  INO_T_SEALS,
  ino,
  inoTail,
  type Model,
  MR_VALID,
  mr as mrOff,
  OFD_OPEN,
  ofd,
  P_STATUS,
  PS_BLOCKED,
  pcache,
  proc,
  type State,
  VMF_NOMAYWRITE,
  vma as vmaOff,
  vmaSharedMayWrite,
} from "./layout.js";
import { releaseIfIdle } from "./mm/frames.js";
import type { Seal } from "./spec.js";

/** F_SEAL_* values (include/uapi/linux/fcntl.h). */
export const SEAL_BITS: Readonly<Record<Seal, number>> = {
  seal: 0x1,
  shrink: 0x2,
  grow: 0x4,
  write: 0x8,
  future_write: 0x10,
  exec: 0x20,
};
const WRITE_SEALS = SEAL_BITS.write | SEAL_BITS.future_write;

/** vma_is_fsdax(): a file of the scenario's `fs dax` filesystem. */
export function fsdax(m: Model, inode: number): boolean {
  return m.dax && m.inodes[inode]!.backing === "fs";
}

/** The pages live only in memory: no blocks behind them, nothing to write back. */
export function memOnly(m: Model, inode: number): boolean {
  const b = m.inodes[inode]!.backing;
  return b === "tmpfs" || b === "hugetlbfs" || b === "devdax" || b === "anon";
}

/** A page-cache file whose dirty pages writeback writes to blocks (fs pagecache, other). */
export function writesBack(m: Model, inode: number): boolean {
  return !memOnly(m, inode) && !fsdax(m, inode);
}

/**
 * vma_needs_dirty_tracking() of a shared writable mapping (mm/mmap.c): the
 * vm_ops have ->page_mkwrite or ->pfn_mkwrite (ext4, xfs, fs-DAX, the
 * generic_file_vm_ops of most other filesystems), or the mapping can write
 * back. shmem, hugetlbfs and device-DAX have neither.
 */
export function dirtyTracked(m: Model, inode: number): boolean {
  const b = m.inodes[inode]!.backing;
  return b === "fs" || b === "other";
}

/** A character device (not S_ISREG): a VM_PFNMAP device file or device-DAX. */
export function charDevice(m: Model, inode: number): boolean {
  const i = m.inodes[inode]!;
  return i.pfnmap || i.backing === "devdax";
}

/** A file that carries seals (memfd_file_seals_ptr(): shmem_file() or is_file_hugepages()). */
export function sealable(m: Model, inode: number): boolean {
  const b = m.inodes[inode]!.backing;
  return b === "tmpfs" || b === "hugetlbfs";
}

export function seals(m: Model, s: State, inode: number): number {
  return s[inoTail(m, inode) + INO_T_SEALS]!;
}

/**
 * Where a seal refuses an operation (mm/shmem.c, fs/hugetlbfs/inode.c; the
 * checks run after the VFS's own). Returns 0 or -EPERM.
 * - write(2): shmem_write_begin() / hugetlbfs has no write_iter at all (EINVAL,
 *   checked by the caller): F_SEAL_WRITE or F_SEAL_FUTURE_WRITE, or F_SEAL_GROW past EOF;
 * - mmap(MAP_SHARED, PROT_WRITE): memfd_check_seals_mmap() under a write seal;
 * - a size change: shmem_setattr() / hugetlbfs_setattr(): F_SEAL_SHRINK, F_SEAL_GROW;
 * - fallocate: a hole punch under a write seal, an allocation past EOF under
 *   F_SEAL_GROW (shmem_fallocate(), hugetlbfs_punch_hole(), hugetlbfs_fallocate()).
 */
export function sealRefuses(
  ctx: Pick<Ctx, "m" | "s">,
  inode: number,
  what: "write" | "mmap-write" | "resize" | "punch" | "alloc",
  page: number,
): number {
  const { m, s } = ctx;
  if (!sealable(m, inode)) return 0;
  const sl = seals(m, s, inode);
  const size = s[ino(m, inode) + INO_SIZE]!;
  switch (what) {
    case "write":
      if ((sl & WRITE_SEALS) !== 0) return -EPERM;
      if ((sl & SEAL_BITS.grow) !== 0 && page >= size) return -EPERM;
      return 0;
    case "mmap-write":
    case "punch":
      return (sl & WRITE_SEALS) !== 0 ? -EPERM : 0;
    case "resize":
      if (page < size && (sl & SEAL_BITS.shrink) !== 0) return -EPERM;
      if (page > size && (sl & SEAL_BITS.grow) !== 0) return -EPERM;
      return 0;
    case "alloc":
      return (sl & SEAL_BITS.grow) !== 0 && page >= size ? -EPERM : 0;
  }
}

/**
 * A MAP_SHARED read-only mapping v of a write-sealed memfd open for writing
 * (a writable one sealRefuses() refuses): ->mmap takes its VM_MAYWRITE away
 * (seal_check_write()), so the VMA's flags start as VMF_NOMAYWRITE. Before
 * v6.7 mmap_region() first counted it in i_mmap_writable, which F_SEAL_WRITE
 * had denied: EPERM (KernelRules.sealCountsSharedMap). Returns the VMA's
 * first flags word or -EPERM.
 */
export function sealedSharedMap(ctx: Ctx, v: number): number {
  const { m, s } = ctx;
  const vi = m.vmas[v]!;
  if (!vi.shared || vi.writable || !m.ofds[vi.ofd]!.write || !sealable(m, vi.inode)) return 0;
  const sl = seals(m, s, vi.inode);
  if ((sl & WRITE_SEALS) === 0) return 0;
  if ((sl & SEAL_BITS.write) !== 0 && m.policy.kernel?.sealCountsSharedMap === true) return -EPERM;
  return VMF_NOMAYWRITE;
}

/**
 * memfd_create(2) (mm/memfd.c): a new inode on the internal tmpfs mount
 * (shmem_file_setup()) or, with MFD_HUGETLB, hugetlbfs (hugetlb_file_setup()),
 * of size 0, mode 0777, open O_RDWR. Its seals start as F_SEAL_SEAL (every
 * shmem and hugetlbfs inode starts so), cleared by MFD_ALLOW_SEALING.
 */
export function sysMemfdCreate(
  ctx: Ctx,
  slot: number,
  inode: number,
  allowSealing: boolean,
): number {
  const { m, s } = ctx;
  const io = ino(m, inode);
  freshObject(ctx, inode);
  s[io + INO_EXISTS] = 1;
  s[io + INO_SIZE] = 0;
  s[inoTail(m, inode) + INO_T_SEALS] = allowSealing ? 0 : SEAL_BITS.seal;
  s[ofd(m, slot) + OFD_OPEN] = 1;
  return slot;
}

/**
 * mmap(MAP_ANONYMOUS): the VMA's own object comes into being with it. Shared,
 * it is a shmem file (shmem_zero_setup()) that only the mapping holds; private,
 * the pages are anonymous. The mapping holds the object like a closed fd's
 * file (OFD_MAPPED): munmap releases it.
 */
export function sysMmapAnon(ctx: Ctx, v: number): number {
  const { m, s } = ctx;
  const vi = m.vmas[v]!;
  const io = ino(m, vi.inode);
  freshObject(ctx, vi.inode);
  s[io + INO_EXISTS] = 1;
  s[io + INO_SIZE] = vi.pages;
  s[ofd(m, vi.ofd) + OFD_OPEN] = 3; // OFD_MAPPED: no fd, the mapping holds the object
  s[vmaOff(m, v)] = 1;
  return v;
}

/**
 * The object a memfd_create or an anonymous mapping makes again (a repeating
 * tail) is a new one: the previous object went at its last release
 * (evict(): truncate_inode_pages_final()), its pages with it; a page still
 * pinned stays, orphaned, until its last unpin.
 */
function freshObject(ctx: Ctx, inode: number): void {
  const { m, s } = ctx;
  for (let page = 0; page < m.maxPages; page++) {
    const slot = pcache(m, inode, page);
    const f1 = s[slot]!;
    if (f1 === 0) continue;
    s[slot] = 0;
    s[frm(m, f1 - 1) + FR_INODE] = 0;
    releaseIfIdle(ctx, f1 - 1);
  }
}

/** Page-cache pages of the inode with references beyond the cache's and the mappings' (pins). */
function pinnedPages(m: Model, s: State, inode: number): number[] {
  const out: number[] = [];
  for (let page = 0; page < m.maxPages; page++) {
    const f1 = s[pcache(m, inode, page)]!;
    if (f1 > 0 && s[frm(m, f1 - 1) + FR_REF]! > 0) out.push(f1 - 1);
  }
  return out;
}

/** Processes whose valid pins hold one of the frames. */
function pinOwners(m: Model, s: State, frames: readonly number[]): number[] {
  const owners: number[] = [];
  for (let x = 0; x < m.mrs.length; x++) {
    const mi = m.mrs[x]!;
    const o = mrOff(m, x);
    if (s[o] !== MR_VALID) continue;
    for (let k = 0; k < mi.pages; k++) {
      const f1 = s[o + 2 + k]!;
      if (f1 > 0 && frames.includes(f1 - 1) && !owners.includes(mi.proc)) owners.push(mi.proc);
    }
  }
  return owners;
}

/**
 * fcntl(fd, F_ADD_SEALS) → memfd_add_seals() (mm/memfd.c), in its order: an fd
 * not open for writing → EPERM; a file that is neither shmem nor hugetlbfs →
 * EINVAL; F_SEAL_SEAL already set → EPERM. A new F_SEAL_WRITE then needs
 * mapping_deny_writable() (a shared writable mapping exists → EBUSY) and
 * memfd_wait_for_pins(): pages with extra references (pins, in-flight I/O)
 * are waited for in up to LAST_SCAN = 4 killable sleeps, about 150 ms in
 * all, and if any is still held the call fails with EBUSY, the seal not set.
 * The model's wait: the call blocks while a page is pinned, and when next
 * scheduled either finds the pins gone (the seal is set) or times out (EBUSY),
 * so every order of the wait's end and the pins' release is explored.
 * F_SEAL_EXEC on a file with an x bit adds the write, grow and shrink seals.
 */
export function sysAddSeals(ctx: Ctx, p: number, o: number, mask: number): number {
  const { m, s } = ctx;
  if (s[ofd(m, o) + OFD_OPEN] !== 1) return -EBADF;
  const info = m.ofds[o]!;
  if (!info.write) return -EPERM;
  const inode = info.inode;
  if (!sealable(m, inode)) return -EINVAL;
  const t = inoTail(m, inode) + INO_T_SEALS;
  const cur = s[t]!;
  if ((cur & SEAL_BITS.seal) !== 0) return -EPERM;
  let add = mask;
  if ((add & SEAL_BITS.write) !== 0 && (cur & SEAL_BITS.write) === 0) {
    // mapping_deny_writable(): i_mmap_writable counts every VM_SHARED|VM_MAYWRITE VMA,
    // and do_mmap() leaves VM_MAYWRITE on a MAP_SHARED mapping of a file open for
    // writing whatever its PROT (include/linux/fs.h mapping_map_writable(): "vma may be
    // mprotected writable even if now readonly"). A PROT_READ mapping of the memfd's
    // own O_RDWR fd therefore refuses the seal too; before v6.7 even one whose
    // VM_MAYWRITE ->mmap took away (KernelRules.sealCountsSharedMap).
    const everyShared = m.policy.kernel?.sealCountsSharedMap === true;
    for (let v = 0; v < m.vmas.length; v++) {
      const vi = m.vmas[v]!;
      if (vi.inode !== inode || s[vmaOff(m, v)] !== 1) continue;
      if (everyShared ? vi.shared && m.ofds[vi.ofd]!.write : vmaSharedMayWrite(m, s, v))
        return -EBUSY;
    }
    const pinned = pinnedPages(m, s, inode);
    if (pinned.length > 0) {
      const owners = pinOwners(m, s, pinned);
      // A retry of the blocked call: the bounded wait ends without the pins gone.
      if (s[proc(m, p) + P_STATUS] === PS_BLOCKED) {
        ctx.blockers = owners;
        return -EBUSY;
      }
      return block(ctx, "memfd_wait_for_pins(): pinned pages, at most about 150 ms", owners);
    }
  }
  if ((add & SEAL_BITS.exec) !== 0 && (inodeMode(m, s, inode) & 0o111) !== 0)
    add |= SEAL_BITS.shrink | SEAL_BITS.grow | SEAL_BITS.write | SEAL_BITS.future_write;
  s[t] = cur | add;
  return 0;
}
