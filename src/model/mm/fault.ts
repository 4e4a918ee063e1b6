/**
 * Page faults on file mappings (handle_mm_fault): what a CPU access, GUP or an
 * ODP device fault (hmm_range_fault) resolves a virtual page to.
 *
 * - fs-DAX: the pfn of the block (dax_iomap_fault); a read of a hole maps the
 *   zero page (dax_load_hole); a write allocates a zeroed block, and a write to
 *   a block shared by reflink copies it first (fsdax COW).
 * - page cache: the cached page, read in from its block; a write fault calls
 *   ->page_mkwrite (allocating a hole's block) and dirties the page.
 * - MAP_PRIVATE write: copy-on-write into an anonymous page.
 * - past EOF: VM_FAULT_SIGBUS, which GUP turns into -EFAULT (mm/gup.c).
 */

import { fsdax, memOnly, writesBack } from "../backing.js";
import { type Ctx, emit } from "../ctx.js";
import { EFAULT, ENOMEM, ENOSPC } from "../errno.js";
import { allocBlock, blockReadContent, dropBlock, writeBlock } from "../fs/blocks.js";
import {
  BLK_CONTENT,
  BLK_UNWRITTEN,
  BLK_USERS,
  blk,
  CONTENT_ZERO,
  contentOf,
  ext,
  FF_ANON,
  FF_DIRTY,
  FF_DMA_CLEAN,
  FF_MOVABLE,
  FF_POISON,
  FR_CONTENT,
  FR_FLAGS,
  FR_INDEX,
  FR_INODE,
  frm,
  INO_SIZE,
  ino,
  K_UNPLUGGED,
  type Model,
  PTE_RO,
  PTE_RW,
  pcache,
  type State,
  vma as vmaOff,
} from "../layout.js";
import { allocFrame, frameContent, isAnon, zeroFrame } from "./frames.js";
import { mapcount } from "./mapcount.js";
import { pteFrame, ptePack, ptePerm } from "./pte.js";
import { invalidateOdp, unmapMappingRange } from "./unmap.js";

/** The cached page of (inode, page), reading it in from its block if needed; -1 if out of memory. */
export function pageCacheGet(ctx: Ctx, inode: number, page: number): number {
  const { m, s } = ctx;
  const slot = pcache(m, inode, page);
  if (s[slot]! > 0) return s[slot]! - 1;
  // shmem_get_folio() / hugetlb_fault(): a page of a memory-only file starts zeroed (no block).
  const b1 = memOnly(m, inode) ? 0 : s[ext(m, inode, page)]!;
  const content = b1 > 0 ? blockReadContent(m, s, b1 - 1) : CONTENT_ZERO;
  const f = allocFrame(ctx, m.inodes[inode]!.movable ? FF_MOVABLE : 0, content);
  if (f < 0) return -1;
  s[frm(m, f) + FR_INODE] = inode + 1;
  s[frm(m, f) + FR_INDEX] = page;
  s[slot] = f + 1;
  return f;
}

/**
 * Makes (inode, page) writable in place: allocates a hole's block, and breaks
 * reflink sharing by moving the page to a private copy of the block. Moving
 * the page changes the file's layout, so every mapping of it is zapped first
 * (unmap_mapping_range, which also fires MMU notifiers). Returns 0 or -errno.
 */
export function prepareWrite(ctx: Ctx, inode: number, page: number): number {
  const { m, s } = ctx;
  if (memOnly(m, inode)) return 0; // tmpfs, hugetlbfs, device-DAX: the page is the storage
  const e = ext(m, inode, page);
  const b1 = s[e]!;
  if (b1 === 0) {
    const b = allocBlock(ctx, inode);
    if (b < 0) return -ENOSPC;
    s[e] = b + 1;
    return 0;
  }
  const old = b1 - 1;
  if (s[blk(m, old) + BLK_USERS]! <= 1) {
    // fs-DAX writes in place, so an unwritten extent is zeroed and converted
    // first (xfs_iomap_write_direct: XFS_BMAPI_CONVERT|XFS_BMAPI_ZERO under DAX).
    // The page cache converts it at writeback.
    if (fsdax(m, inode) && s[blk(m, old) + BLK_UNWRITTEN] === 1)
      writeBlock(m, s, old, CONTENT_ZERO);
    return 0;
  }
  // Shared extent: copy-on-write (xfs_reflink_allocate_cow / iomap COW).
  const b = allocBlock(ctx, inode, blockReadContent(m, s, old));
  if (b < 0) return -ENOSPC;
  unmapMappingRange(ctx, inode, page, page, false);
  s[e] = b + 1;
  dropBlock(ctx, old, false);
  emit(ctx, { k: "cow", inode, page, from: old, to: b });
  return 0;
}

/**
 * Resolves page k of VMA v for a read or a write access by process p.
 * Returns the frame, or -errno (-EFAULT stands for SIGBUS/SIGSEGV).
 */
export function fault(ctx: Ctx, v: number, k: number, write: boolean): number {
  const { m, s } = ctx;
  const vi = m.vmas[v]!;
  const vo = vmaOff(m, v);
  if (s[vo] !== 1) return -EFAULT; // no VMA: SIGSEGV
  if (write && !vi.writable) return -EFAULT;
  const inode = vi.inode;
  const page = vi.first + k;
  if (fsdax(m, inode) && s[m.offKernel + K_UNPLUGGED] === 1) return -EFAULT;
  if (page >= s[ino(m, inode) + INO_SIZE]!) return -EFAULT; // VM_FAULT_SIGBUS
  const pte = s[vo + 1 + k]!;
  // A hwpoison entry (memory_failure() of a dirty page-cache page left the PTE
  // pointing at the bad frame here): do_swap_page() → VM_FAULT_HWPOISON.
  if (pte !== 0 && frameBad(m, s, pteFrame(pte))) return -EFAULT;
  if (pte !== 0 && (ptePerm(pte) === PTE_RW || !write)) return pteFrame(pte);

  if (!vi.shared && write) {
    // A write-protected anonymous page no one else maps is reused in place
    // (do_wp_page → wp_page_reuse: PageAnonExclusive since v5.19, page_mapcount()
    // == 1 in 2019). After fork (proc/fork.ts) a shared page is still mapped twice.
    if (pte !== 0 && isAnon(s, m, pteFrame(pte)) && mapcount(m, s, pteFrame(pte)) === 1) {
      s[vo + 1 + k] = ptePack(pteFrame(pte), PTE_RW);
      return pteFrame(pte);
    }
    // MAP_PRIVATE write: copy the file page into an anonymous page (do_cow_fault / wp_page_copy).
    const src = pte !== 0 ? pteFrame(pte) : fileFrame(ctx, inode, page, false);
    if (src < 0 && src !== -1) return src;
    const content = src >= 0 ? frameContent(m, s, src) : CONTENT_ZERO;
    const f = allocFrame(ctx, FF_ANON, content);
    if (f < 0) return -ENOMEM;
    // wp_page_copy(): the MMU notifier over this page (MMU_NOTIFY_CLEAR) removes
    // ODP translations of the old page before the PTE changes; the device
    // re-faults and gets the copy (the wait for an access in flight: rdma/odp.ts cowOdpWait)
    if (pte !== 0) invalidateOdp(ctx, v, k, k);
    s[vo + 1 + k] = ptePack(f, PTE_RW);
    return f;
  }
  if (write) {
    const r = prepareWrite(ctx, inode, page);
    if (r < 0) return -EFAULT; // ENOSPC in a fault is VM_FAULT_SIGBUS
  }
  const f = fileFrame(ctx, inode, page, write);
  if (f < 0) return f === -1 ? -ENOMEM : f;
  // fs-DAX: dax_iomap_direct_access() → the pmem driver's badblocks → -EHWPOISON →
  // dax_fault_return() → vmf_error(): VM_FAULT_HWPOISON (SIGBUS BUS_MCEERR_AR; GUP
  // without FOLL_HWPOISON makes it -EFAULT, vm_fault_to_errno()).
  if (frameBad(m, s, f)) return -EFAULT;
  if (write && writesBack(m, inode)) {
    // ->page_mkwrite then set_page_dirty: the filesystem knows the page is dirty.
    const o = frm(m, f);
    s[o + FR_FLAGS] = (s[o + FR_FLAGS]! | FF_DIRTY) & ~FF_DMA_CLEAN;
  }
  s[vo + 1 + k] = ptePack(f, write ? PTE_RW : PTE_RO);
  return f;
}

/** PG_hwpoison on frame f (proc/memory-failure.ts poisoned(), inlined to keep mm below proc). */
function frameBad(m: Model, s: State, f: number): boolean {
  return f >= 0 && f < m.nFrames && (s[frm(m, f) + FR_FLAGS]! & FF_POISON) !== 0;
}

/** The frame backing a file page: the block's pfn on fs-DAX (zero page for a hole), else the cached page. */
function fileFrame(ctx: Ctx, inode: number, page: number, write: boolean): number {
  const { m, s } = ctx;
  // Private anonymous memory: a read maps the shared zero page (do_anonymous_page()).
  if (m.inodes[inode]!.backing === "anon") return write ? -1 : zeroFrame(m);
  if (fsdax(m, inode)) {
    const b1 = s[ext(m, inode, page)]!;
    // A hole or an unwritten extent reads as the zero page (dax_load_hole()).
    if (b1 === 0 || (!write && s[blk(m, b1 - 1) + BLK_UNWRITTEN] === 1))
      return write ? -EFAULT : zeroFrame(m);
    return b1 - 1;
  }
  return pageCacheGet(ctx, inode, page);
}

/** A CPU store: the data written is the file's own (or the process's private copy). */
export function cpuStore(ctx: Ctx, v: number, k: number): number {
  const { m, s } = ctx;
  const f = fault(ctx, v, k, true);
  if (f < 0) return f;
  const vi = m.vmas[v]!;
  const data = contentOf(vi.inode);
  if (m.dax && f < m.nBlocks) s[blk(m, f) + BLK_CONTENT] = data;
  else s[frm(m, f) + FR_CONTENT] = data;
  return 0;
}
