/**
 * VFIO type1 DMA mappings: VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_UNMAP_DMA and the
 * assigned device's DMA through them. A mapping lives in the pin table
 * beside the RDMA MRs (MrInfo.pinner = "vfio"): the same long-term pin and
 * the same lease and revocation machinery, but no rkey and no remote peer.
 * The container (one per process, implicit) already has an IOMMU-capable
 * group attached, and each mapping gets its own IOVA range, so the
 * EEXIST of an overlapping IOVA (vfio_find_dma) never happens.
 *
 * drivers/vfio/vfio_iommu_type1.c vfio_dma_do_map() checks, in this order:
 *   1. no prot (neither VFIO_DMA_MAP_FLAG_READ nor _WRITE), a zero or
 *      unaligned size → EINVAL (the format always gives a prot: never here)
 *   2. an overlapping IOVA → EEXIST; dma_entry_limit reached → ENOSPC (never here)
 *   3. vfio_pin_map_dma() → vfio_pin_pages_remote() → vaddr_get_pfns():
 *      pin_user_pages_remote(FOLL_LONGTERM, and FOLL_WRITE only for
 *      IOMMU_WRITE), i.e. check_vma_flags() (gup.ts: fs-DAX → the policy,
 *      the v6.5 writable-file-mapping rule → EFAULT, a R/O long-term pin of
 *      a private mapping unshares). A VM_PFNMAP VMA falls back to
 *      follow_fault_pfn() and maps the PFN unpinned (lint PIN240: not modelled).
 *   4. after each pinned page: !dma->lock_cap && mm->locked_vm + 1 > RLIMIT_MEMLOCK
 *      → ENOMEM, every page pinned so far released (put_pfn). lock_cap is
 *      capable(CAP_IPC_LOCK) at MAP_DMA time; the count is the mm's
 *      locked_vm (vfio_lock_acct), not RDMA's pinned_vm or io_uring's
 *      user->locked_vm. The model counts the process's VFIO pages only (no mlock).
 * Unmapping (vfio_remove_dma → vfio_unmap_unpin) removes the IOMMU
 * translations and flushes the IOTLB before it unpins, and put_pfn() unpins
 * with unpin_user_pages_dirty_lock(…, prot & IOMMU_WRITE): a writable
 * mapping dirties its pages, as ib_umem_release() does.
 */
import type { Ctx } from "../ctx.js";
import { EFAULT, ENOMEM } from "../errno.js";
import { type Model, MR_DEREG, MR_INVALID, MR_VALID, mr as mrOff, type State } from "../layout.js";
import { pinMrPages, unpinMrPages } from "../mm/gup.js";
import { deviceAccess } from "../rdma/nic.js";

/** Whether pin-table slot x is a VFIO DMA mapping. */
export const isVfioMapping = (m: Model, x: number): boolean => m.mrs[x]!.pinner === "vfio";

/** mm->locked_vm of process p as VFIO counts it: the pages of its valid DMA mappings. */
export function vfioLockedVm(m: Model, s: State, p: number): number {
  let n = 0;
  for (let y = 0; y < m.mrs.length; y++) {
    const mi = m.mrs[y]!;
    if (mi.pinner === "vfio" && mi.proc === p && s[mrOff(m, y)] === MR_VALID) n += mi.pages;
  }
  return n;
}

/** VFIO_IOMMU_MAP_DMA of slot x by process p. Returns x, or -errno with nothing pinned. */
export function vfioMap(ctx: Ctx, p: number, x: number): number {
  const { m, s } = ctx;
  const e = pinMrPages(ctx, x); // vaddr_get_pfns(): pin_user_pages_remote(FOLL_LONGTERM [| FOLL_WRITE])
  if (e < 0) return e;
  const info = m.procs[p]!;
  // vfio_pin_pages_remote(): the RLIMIT_MEMLOCK test follows the pin; on failure
  // every page pinned so far is put (unpin_out:).
  if (!m.users[info.user]!.capIpcLock && vfioLockedVm(m, s, p) + m.mrs[x]!.pages > info.memlock) {
    unpinMrPages(ctx, x);
    return -ENOMEM;
  }
  s[mrOff(m, x)] = MR_VALID;
  return x;
}

/**
 * VFIO_IOMMU_UNMAP_DMA of the mapping's IOVA range: vfio_dma_do_unmap()
 * returns 0 and reports the size unmapped, which is 0 when nothing is mapped
 * there any more (already unmapped, or removed by the kernel). A slot the
 * kernel emptied (MR_INVALID) has nothing left to unpin.
 */
export function vfioUnmap(ctx: Ctx, x: number): number {
  const { m, s } = ctx;
  const o = mrOff(m, x);
  if (s[o] === MR_VALID) unpinMrPages(ctx, x);
  if (s[o] === MR_VALID || s[o] === MR_INVALID) {
    s[o] = MR_DEREG;
    s[o + 1] = 0;
  }
  return 0;
}

/**
 * The assigned device writes (`deviceWrites`) or reads page k of DMA mapping
 * x, through the IOMMU: the access goes to the pinned page, wherever the
 * process's page tables point now. Without a translation at that IOVA, or
 * without the permission (IOMMU_WRITE / IOMMU_READ), the IOMMU blocks the
 * access with a DMA fault and no memory is touched: the model returns
 * EFAULT (the device's driver sees an error completion; no syscall returns it).
 */
export function vfioDma(ctx: Ctx, x: number, k: number, deviceWrites: boolean): number {
  const { m, s } = ctx;
  const o = mrOff(m, x);
  const mi = m.mrs[x]!;
  if (s[o] !== MR_VALID) return -EFAULT;
  if (deviceWrites ? !mi.writable : !mi.iommuRead) return -EFAULT;
  const f = s[o + 2 + k]! - 1;
  const vi = m.vmas[mi.vma]!;
  deviceAccess(ctx, f, vi.inode, vi.first + k, deviceWrites, { peer: -1, mr: x, via: "vfio" });
  return 0;
}

/** The pins a lease break is about are all VFIO DMA mappings: no peer to cancel with. */
export function onlyVfioMappings(m: Model, xs: readonly number[]): boolean {
  return xs.length > 0 && xs.every((x) => isVfioMapping(m, x));
}
