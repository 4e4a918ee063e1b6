/**
 * Changes of a mapping that keep its pages pinned: mprotect(2),
 * madvise(MADV_DONTNEED) and mremap(2). None of them touches a long-term pin
 * (a pin is a reference on the page, not on the page table), so an MR keeps
 * the pages it pinned while the process's page tables move on:
 *
 * - mprotect (mm/mprotect.c do_mprotect_pkey → mprotect_fixup →
 *   change_protection): new VMA flags and PTE permissions; the device may go
 *   on writing a page the process made read-only.
 * - MADV_DONTNEED (mm/madvise.c madvise_dontneed_single_vma →
 *   zap_page_range_single, mm/memory.c): the PTEs go. A private anonymous
 *   page refaults as a fresh zero page (or a new page on a write) while the MR
 *   keeps the old one: device and CPU see different memory. A shared mapping
 *   refaults the same page-cache (or shmem) page, which stays coherent.
 * - mremap (mm/mremap.c move_vma → move_page_tables): the PTEs move to the new
 *   address with the same pages, so a pinned MR stays coherent, but the range
 *   the MR was registered over no longer maps them.
 *
 * Each fires the MMU notifier over the range (MMU_NOTIFY_PROTECTION_VMA in
 * change_pud_range, MMU_NOTIFY_CLEAR in zap_page_range_single,
 * MMU_NOTIFY_UNMAP in move_page_tables): an ODP MR loses its translations,
 * the invalidation waits out a device access already translated, and the
 * device's next access faults onto whatever the MR's address range maps then,
 * or fails if nothing is mapped (rdma/odp.ts, rdma/nic.ts odpFault).
 */
import { BLOCK, type Ctx } from "../ctx.js";
import { EACCES, EFAULT, EINVAL, ENOMEM } from "../errno.js";
import {
  PTE_RO,
  PTE_RW,
  VMF_PROT_MASK,
  VMF_PROT_NONE,
  VMF_PROT_R,
  VMF_PROT_RW,
  vmaFlags,
  vma as vmaOff,
  vmaSharedMayWrite,
} from "../layout.js";
import { odpUnmapWait } from "../rdma/odp.js";
import { releaseIfIdle } from "./frames.js";
import { pteFrame, ptePack, ptePerm } from "./pte.js";

/** BLOCK's why while an MMU notifier of these calls waits for an in-flight ODP access. */
const ODP_WAIT = "MMU notifier waits for in-flight ODP access";

/**
 * The MMU notifier over the whole of VMA v, fired by `caller`: ODP
 * translations go, and an access already translated is waited out. Returns
 * the owner of the MR waited for (the call blocks), or -1.
 */
function notify(ctx: Ctx, caller: number, v: number): number {
  const owner = odpUnmapWait(ctx, caller, v);
  if (owner >= 0) {
    ctx.why = ODP_WAIT;
    ctx.blockers = [owner];
  }
  return owner;
}

/**
 * mprotect(2) of the whole of VMA v to PROT_READ (`r`), PROT_READ|PROT_WRITE
 * (`rw`) or PROT_NONE (`none`), in do_mprotect_pkey()'s order: ENOMEM when
 * the range is not mapped (find_vma), then EACCES when PROT_WRITE asks for a
 * VM_WRITE the VMA may not have: a MAP_SHARED mapping of a file not open for
 * writing has no VM_MAYWRITE (do_mmap). A private mapping always has it.
 * Returns 0, -errno, or BLOCK (the notifier waits for an ODP access).
 */
export function sysMprotect(
  ctx: Ctx,
  caller: number,
  v: number,
  prot: "r" | "rw" | "none",
): number {
  const { m, s } = ctx;
  const vi = m.vmas[v]!;
  const vo = vmaOff(m, v);
  if (s[vo] !== 1) return -ENOMEM;
  // (newflags & ~(newflags >> 4)) & VM_ACCESS_FLAGS: VM_WRITE without VM_MAYWRITE
  // (a file not open for writing, or a write-sealed memfd's: VMF_NOMAYWRITE)
  if (prot === "rw" && vi.shared && !vmaSharedMayWrite(m, s, v)) return -EACCES;
  // change_protection() → change_pud_range(): mmu_notifier_invalidate_range_start
  // (MMU_NOTIFY_PROTECTION_VMA) over the populated range
  if (notify(ctx, caller, v) >= 0) return BLOCK;
  const fo = vmaFlags(m, v);
  const bits = prot === "r" ? VMF_PROT_R : prot === "rw" ? VMF_PROT_RW : VMF_PROT_NONE;
  s[fo] = (s[fo]! & ~VMF_PROT_MASK) | bits;
  // Taking PROT_WRITE away write-protects every PTE; giving it leaves them
  // read-only until the next write fault (dirty tracking, COW). PROT_NONE PTEs
  // stay, but no access goes through them (fault.ts checks vmaReadable).
  if (prot !== "rw")
    for (let k = 0; k < vi.pages; k++) {
      const pte = s[vo + 1 + k]!;
      if (pte !== 0 && ptePerm(pte) === PTE_RW) s[vo + 1 + k] = ptePack(pteFrame(pte), PTE_RO);
    }
  return 0;
}

/**
 * madvise(MADV_DONTNEED) of the whole of VMA v: ENOMEM when the range is not
 * mapped (madvise_walk_vmas), EINVAL for a VM_PFNMAP mapping
 * (madvise_dontneed_free_valid_vma; VM_LOCKED, its other refusal, has no
 * mlock here to set it). hugetlbfs is allowed (one model page is one huge
 * page, so the range is aligned). Then zap_page_range_single(): the notifier
 * (MMU_NOTIFY_CLEAR), then every PTE goes; anonymous pages no one else
 * references are freed, pinned ones live on in their pins.
 */
export function sysDontneed(ctx: Ctx, caller: number, v: number): number {
  const { m, s } = ctx;
  const vi = m.vmas[v]!;
  const vo = vmaOff(m, v);
  if (s[vo] !== 1) return -ENOMEM;
  if (m.inodes[vi.inode]!.pfnmap) return -EINVAL;
  if (notify(ctx, caller, v) >= 0) return BLOCK;
  zapPtes(ctx, v);
  return 0;
}

/** Clears every PTE of VMA v, freeing anonymous pages that nothing else references. */
function zapPtes(ctx: Ctx, v: number): void {
  const { m, s } = ctx;
  const vo = vmaOff(m, v);
  for (let k = 0; k < m.vmas[v]!.pages; k++) {
    const pte = s[vo + 1 + k]!;
    if (pte === 0) continue;
    s[vo + 1 + k] = 0;
    releaseIfIdle(ctx, pteFrame(pte));
  }
}

/**
 * mremap(old, len, len, MREMAP_MAYMOVE | MREMAP_FIXED and/or MREMAP_DONTUNMAP)
 * of the whole of VMA v to VMA w, a new address of the same size. In the kernel's order:
 * EFAULT when nothing is mapped at the address (vma_lookup in
 * SYSCALL_DEFINE5(mremap), -EFAULT), then EINVAL for MREMAP_DONTUNMAP of a
 * VM_DONTEXPAND|VM_PFNMAP mapping (check_prep_vma / vma_to_resize since v5.13,
 * which also allowed it for shared and file mappings). move_vma() then
 * copies the VMA (flags included), and move_page_tables() fires the notifier
 * over the old range (MMU_NOTIFY_UNMAP) and moves the PTEs: the new range maps
 * the same pages. Without MREMAP_DONTUNMAP the old range is unmapped (the
 * file reference moves with the VMA: no fput); with it the old VMA stays,
 * empty, and refaults (a private anonymous page as a fresh zero page).
 * Returns w, -errno, or BLOCK.
 */
export function sysMremap(
  ctx: Ctx,
  caller: number,
  v: number,
  w: number,
  dontunmap: boolean,
): number {
  const { m, s } = ctx;
  const vi = m.vmas[v]!;
  const vo = vmaOff(m, v);
  if (s[vo] !== 1) return -EFAULT;
  if (dontunmap && m.inodes[vi.inode]!.pfnmap) return -EINVAL;
  if (notify(ctx, caller, v) >= 0) return BLOCK;
  const wo = vmaOff(m, w);
  s[wo] = 1;
  for (let k = 0; k < vi.pages; k++) {
    s[wo + 1 + k] = s[vo + 1 + k]!;
    s[vo + 1 + k] = 0;
  }
  s[vmaFlags(m, w)] = s[vmaFlags(m, v)]!;
  if (!dontunmap) s[vo] = 2;
  return w;
}

/**
 * mremap(old, len, len, MREMAP_MAYMOVE) without MREMAP_FIXED or
 * MREMAP_DONTUNMAP: the same size needs no move (MREMAP_NO_RESIZE in
 * mm/mremap.c; before v6.16 the `old_len >= new_len` shrink path), so the
 * mapping stays where it is and its address is returned. EFAULT when nothing
 * is mapped there (vma_lookup).
 */
export function sysMremapInPlace(ctx: Ctx, v: number): number {
  return ctx.s[vmaOff(ctx.m, v)] === 1 ? v : -EFAULT;
}

/** Why a store or load through VMA v gets SIGSEGV rather than SIGBUS: no mapping, or its protection. */
export function protectionFault(ctx: Ctx, v: number, write: boolean): boolean {
  const { m, s } = ctx;
  const p = s[vmaFlags(m, v)]! & VMF_PROT_MASK;
  if (p === VMF_PROT_NONE) return true;
  return write && (p === 0 ? !m.vmas[v]!.writable : p !== VMF_PROT_RW);
}
