/**
 * pin_user_pages(FOLL_PIN | FOLL_LONGTERM [| FOLL_WRITE]) as RDMA memory
 * registration uses it (ib_umem_get → pin_user_pages_fast → the slow path
 * __gup_longterm_locked, mm/gup.c), and the matching unpin.
 *
 * The admission checks run in check_vma_flags() order (kernel-semantics §2.2):
 *   1. VM_IO | VM_PFNMAP                          → EFAULT
 *   3. FOLL_LONGTERM && vma_is_fsdax()            → the policy's mayPin (stage `vma`,
 *                                                    asked for every backing; linux:
 *                                                    EOPNOTSUPP on fs-DAX only)
 *   6. FOLL_WRITE && !writable_file_mapping_allowed() → EFAULT (v6.5)
 *      FOLL_WRITE && !(vm_flags & VM_WRITE)        → EFAULT, unless FOLL_FORCE
 *                                                    on a COW mapping (2019's R/O MRs)
 * then each page is faulted in (past EOF: -EFAULT) and, for an fs-DAX page,
 * follow_page_pte() asks mayPin again (stage `page`: the layout-lease RFC's
 * EPERM without the lease), pages that may not be
 * long-term pinned (ZONE_MOVABLE/CMA) are migrated first
 * (check_and_migrate_movable_pages), and each page gets
 * GUP_PIN_COUNTING_BIAS references.
 */

import { dirtyTracked, fsdax, sealable, seals, writesBack } from "../backing.js";
import { type Ctx, emit } from "../ctx.js";
import { EFAULT, ENOMEM } from "../errno.js";
import { inodeOwner } from "../fs/attr.js";
import {
  FF_DIRTY,
  FF_MOVABLE,
  FR_CONTENT,
  FR_FLAGS,
  FR_INDEX,
  FR_INODE,
  FR_REF,
  frm,
  GUP_PIN_COUNTING_BIAS,
  INO_SWAP,
  ino,
  type Model,
  MRL_HELD,
  mr as mrOff,
  pcache,
  type State,
  vma as vmaOff,
  vmaReadable,
  vmaWritable,
} from "../layout.js";
import { pinLeaseHeld } from "../locks/lease.js";
import type { PinnerKind, PinQuery } from "../policy.js";
import { fault } from "./fault.js";
import {
  allocFrame,
  isAnon,
  isDaxFrame,
  reclaimIfBusy,
  releaseIfIdle,
  zeroFrame,
} from "./frames.js";
import { fastPinAll } from "./gup-fast.js";
import { pteFrame, ptePack, ptePerm } from "./pte.js";
import { unshareForPin } from "./unshare.js";

/** The kernel's folio_maybe_dma_pinned() for a small folio: refcount ≥ GUP_PIN_COUNTING_BIAS. */
export function maybeDmaPinned(ctx: Pick<Ctx, "m" | "s">, f: number): boolean {
  const { m, s } = ctx;
  return f !== zeroFrame(m) && s[frm(m, f) + FR_REF]! >= GUP_PIN_COUNTING_BIAS;
}

/** What kind of pinner registration x is (policy.ts PinnerKind). */
export function pinnerKind(m: Model, x: number): PinnerKind {
  const mi = m.mrs[x]!;
  if (mi.gupTest) return "gup_test";
  if (mi.pinner !== undefined) return mi.pinner;
  return mi.odp ? "odp" : "rdma";
}

/** Question 1 of the policy for registration x at a stage (policy.ts PinQuery). */
function pinQuery(m: Model, s: State, x: number, stage: PinQuery["stage"]): PinQuery {
  const mi = m.mrs[x]!;
  const vi = m.vmas[mi.vma]!;
  const user = m.procs[mi.proc]!.user;
  const inode = m.inodes[vi.inode]!;
  return {
    model: m,
    state: s,
    stage,
    proc: mi.proc,
    user,
    caps: m.users[user]!.caps,
    pinner: pinnerKind(m, x),
    inode: vi.inode,
    ofd: vi.ofd,
    writable: mi.writable,
    backing: inode.backing,
    dax: fsdax(m, vi.inode),
    fileOwner: inodeOwner(m, s, vi.inode) === user,
    seals: sealable(m, vi.inode) ? seals(m, s, vi.inode) : 0,
    shared: vi.shared,
    mappingWritable: vmaWritable(m, s, mi.vma),
    get leaseHeld() {
      return pinLeaseHeld(m, s, mi.proc, vi.inode);
    },
  };
}

/** Pins every page of MR x's VMA. Returns 0, or -errno with nothing left pinned. */
export function pinMrPages(ctx: Ctx, x: number): number {
  const { m, s } = ctx;
  const mi = m.mrs[x]!;
  const vi = m.vmas[mi.vma]!;
  const vo = vmaOff(m, mi.vma);
  if (s[vo] !== 1) return -EFAULT; // find_vma() finds nothing
  const inode = m.inodes[vi.inode]!;
  const dax = fsdax(m, vi.inode);
  // pin_user_pages_fast(): pages the fast path may pin skip check_vma_flags() (gup-fast.ts).
  // ib_umem_get() pins with pin_user_pages_fast() too (drivers/infiniband/core/umem.c,
  // 6.1 and 6.12): the `linux` policy's releases (KernelRules) take that path for
  // MRs, so a MAP_PRIVATE fs-DAX range whose pages are anonymous COW copies pins
  // without meeting the fs-DAX check (pinlab conform saw it on both kernels).
  const umemFast = m.policy.kernel !== undefined && mi.pinner === undefined && !mi.gupTest;
  if ((mi.gupTest?.fast || umemFast) && fastPinAll(ctx, x)) return 0;
  // check_vma_flags() 1: VM_IO | VM_PFNMAP
  if (inode.pfnmap) return -EFAULT;
  // check_vma_flags() 3: FOLL_LONGTERM on fs-DAX (vma_is_fsdax(): not device-DAX, not tmpfs).
  // The policy is asked here for every backing: today's kernel refuses fs-DAX only.
  const e = m.policy.mayPin(pinQuery(m, s, x, "vma"));
  if (e !== 0) return -e;
  // FOLL_WRITE: a writable MR, and in 2019 every MR (ib_umem_get started from
  // gup_flags = FOLL_WRITE and added FOLL_FORCE for a R/O one; v6.2 dropped both,
  // "RDMA/umem: remove FOLL_FORCE usage"). See unshare.ts.
  // A gup_test pin sets its own flags (FOLL_WRITE for a R/W test only, never FOLL_FORCE),
  // and so does VFIO (vaddr_get_pfns(): FOLL_WRITE only for IOMMU_WRITE, in 2019 too).
  // Linux before v6.2 (linux(kernel=6.1)) still pinned R/O MRs so (KernelRules.umemForce);
  // io_uring always pins FOLL_WRITE (io_pin_pages), its buffers are writable.
  // The 2019 rule is ib_umem_get()'s own.
  const era2019 =
    (m.policy.gupEra === "2019" || m.policy.kernel?.umemForce === true) &&
    mi.gupTest === undefined &&
    mi.pinner === undefined;
  const follWrite = mi.writable || era2019;
  const follForce = era2019 && !mi.writable;
  if (follWrite) {
    // writable_file_mapping_allowed(): vma_needs_dirty_tracking() is true for a shared
    // writable mapping of a file with ->page_mkwrite (ext4, xfs; DAX has ->pfn_mkwrite),
    // never for shmem, hugetlbfs, device-DAX or anonymous memory (backing.ts dirtyTracked).
    const rule = m.policy.writableFileRule;
    const applies = dirtyTracked(m, vi.inode) && (rule === "all" || (rule === "pagecache" && !dax));
    const vmWrite = vmaWritable(m, s, mi.vma);
    if (applies && vi.shared && vmWrite) return -EFAULT;
    // !VM_WRITE: EFAULT without FOLL_FORCE; with it, only a COW (private) mapping may be written.
    if (!vmWrite && (!follForce || vi.shared)) return -EFAULT;
  } else if (!vmaReadable(m, s, mi.vma)) return -EFAULT; // !VM_READ (mprotect PROT_NONE), no FOLL_FORCE
  // A private mapping's pin gets the process's own anonymous copy: a write fault
  // (FOLL_WRITE), or the unshare of a R/O long-term pin (gup_must_unshare, v6.2).
  const frames: number[] = [];
  for (let k = 0; k < mi.pages; k++) {
    const f = vi.shared ? fault(ctx, mi.vma, k, follWrite) : unshareForPin(ctx, mi.vma, k);
    if (f < 0) return f === -ENOMEM ? -ENOMEM : -EFAULT; // nothing pinned yet
    // follow_page_pte(), after check_vma_flags() and after faultin_page() resolved the
    // page (its fault has happened: a hole got its block): the policy's `page` stage,
    // where Ira Weiny's RFC (patch 04 of v1 and v2) refuses a FOLL_LONGTERM pin of an
    // fs-DAX page without the layout lease. Anonymous COW copies and the zero page are
    // not device pages and are not asked.
    if (dax && isDaxFrame(m, f)) {
      const e = m.policy.mayPin(pinQuery(m, s, x, "page"));
      if (e !== 0) return -e;
    }
    frames.push(f);
  }
  // check_and_migrate_movable_pages(): move pages out of ZONE_MOVABLE/CMA before pinning
  // (CMA since v5.1, ZONE_MOVABLE since v5.13; policies modelling older kernels skip it).
  // A failed migration fails the whole pin with ENOMEM and leaves nothing pinned
  // (migrate_longterm_unpinnable_folios(): migrate_pages() != 0 → -ENOMEM, pofs_unpin()).
  for (let k = 0; k < frames.length && m.policy.migrateBeforePin; k++) {
    const f = frames[k]!;
    if (f === zeroFrame(m) || isDaxFrame(m, f)) continue;
    if ((s[frm(m, f) + FR_FLAGS]! & FF_MOVABLE) === 0) continue;
    const g = migrate(ctx, f);
    if (g < 0) {
      emit(ctx, { k: "migrate-failed", inode: s[frm(m, f) + FR_INODE]! - 1, frame: f });
      return -ENOMEM;
    }
    frames[k] = g;
  }
  grabPins(ctx, x, frames);
  return 0;
}

/**
 * try_grab_folio(FOLL_PIN) on every frame of MR x's range, and what the
 * policies attach to a pin. `frames` is the caller's own array, which the
 * `pin` event keeps (the caller does not touch it afterwards).
 */
export function grabPins(ctx: Ctx, x: number, frames: number[]): void {
  const { m, s } = ctx;
  const mi = m.mrs[x]!;
  const vi = m.vmas[mi.vma]!;
  const dax = fsdax(m, vi.inode);
  const o = mrOff(m, x);
  for (let k = 0; k < frames.length; k++) {
    const f = frames[k]!;
    if (f !== zeroFrame(m)) s[frm(m, f) + FR_REF]! += GUP_PIN_COUNTING_BIAS;
    s[o + 2 + k] = f + 1;
  }
  if (dax && m.policy.swapfileOnPin) s[ino(m, vi.inode) + INO_SWAP]! += 1;
  if (dax && m.policy.revocablePins) s[o + 1] = MRL_HELD;
  if (ctx.ev === null) return;
  const movable: number[] = [];
  for (let k = 0; k < frames.length; k++) {
    const f = frames[k]!;
    if (f !== zeroFrame(m) && !isDaxFrame(m, f) && (s[frm(m, f) + FR_FLAGS]! & FF_MOVABLE) !== 0)
      movable.push(f);
  }
  emit(ctx, { k: "pin", proc: mi.proc, mr: x, frames, dax, movable });
}

/**
 * unpin_user_pages_dirty_lock(): drop the pins of MR x, marking the pages dirty
 * if the registration was writable (ib_umem_release). Dirtying a page-cache
 * page that writeback cleaned while it was pinned is the set_page_dirty()
 * without ->page_mkwrite that crashed ext4 (BUG_ON(!PagePrivate)).
 */
export function unpinMrPages(ctx: Ctx, x: number): void {
  const { m, s } = ctx;
  const mi = m.mrs[x]!;
  const o = mrOff(m, x);
  const frames: number[] = [];
  for (let k = 0; k < mi.pages; k++) {
    const f1 = s[o + 2 + k]!;
    if (f1 === 0) continue;
    s[o + 2 + k] = 0;
    const f = f1 - 1;
    frames.push(f);
    if (f === zeroFrame(m)) continue;
    const fo = frm(m, f);
    s[fo + FR_REF]! -= GUP_PIN_COUNTING_BIAS;
    // unpin_user_pages() of a gup_test pin and io_uring's unpin_user_folio() dirty nothing;
    // shmem and hugetlbfs pages have no writeback. VFIO's put_pfn() unpins with
    // unpin_user_pages_dirty_lock(…, prot & IOMMU_WRITE), as ib_umem_release() does.
    // (the cheap tests first: an fs-DAX frame is never dirtied)
    const dax = isDaxFrame(m, f);
    const inodeId = s[fo + FR_INODE]! - 1;
    if (
      mi.writable &&
      !dax &&
      !mi.gupTest &&
      mi.pinner !== "io_uring" &&
      (inodeId < 0 || writesBack(m, inodeId)) &&
      !isAnon(s, m, f)
    ) {
      if (inodeId >= 0 && (s[fo + FR_FLAGS]! & FF_DIRTY) === 0)
        emit(ctx, {
          k: "bug",
          frame: f,
          inode: inodeId,
          what: "set_page_dirty() on a pinned page that writeback cleaned: no ->page_mkwrite (ext4_writepage BUG_ON)",
        });
      s[fo + FR_FLAGS] = s[fo + FR_FLAGS]! | FF_DIRTY;
    }
    if (dax) reclaimIfBusy(ctx, f);
    else releaseIfIdle(ctx, f);
  }
  const vi = m.vmas[mi.vma]!;
  if (frames.length > 0 && m.policy.swapfileOnPin && fsdax(m, vi.inode))
    s[ino(m, vi.inode) + INO_SWAP]! -= 1;
  s[o + 1] = 0;
  if (frames.length > 0)
    emit(ctx, {
      k: "unpin",
      mr: x,
      frames,
      dirty: mi.writable && mi.gupTest === undefined && mi.pinner !== "io_uring",
    });
}

/**
 * Migrates page-cache frame f to a new frame outside ZONE_MOVABLE; returns the
 * new frame, or -1 when migration fails. Migration never copies pins: a page
 * with references beyond the mapping's (someone else's pin or GUP reference)
 * cannot be frozen and stays where it is (folio_migrate_mapping() expects the
 * mapping's references only; "We can't migrate folios with unexpected
 * references", migrate_longterm_unpinnable_folios()). Out of memory
 * (alloc_migration_target) fails too.
 */
function migrate(ctx: Ctx, f: number): number {
  const { m, s } = ctx;
  const fo = frm(m, f);
  if (s[fo + FR_REF]! > 0) return -1;
  const flags = s[fo + FR_FLAGS]! & ~FF_MOVABLE;
  const g = allocFrame(ctx, 0, s[fo + FR_CONTENT]!);
  if (g < 0) return -1;
  const go = frm(m, g);
  s[go + FR_FLAGS] = flags;
  s[go + FR_INODE] = s[fo + FR_INODE]!;
  s[go + FR_INDEX] = s[fo + FR_INDEX]!;
  const inode = s[fo + FR_INODE]! - 1;
  if (inode >= 0) s[pcache(m, inode, s[fo + FR_INDEX]!)] = g + 1;
  for (let v = 0; v < m.vmas.length; v++) {
    const vo = vmaOff(m, v);
    for (let k = 0; k < m.vmas[v]!.pages; k++) {
      const pte = s[vo + 1 + k]!;
      if (pte !== 0 && pteFrame(pte) === f) s[vo + 1 + k] = ptePack(g, ptePerm(pte));
    }
  }
  s[fo + FR_INODE] = 0;
  releaseIfIdle(ctx, f);
  emit(ctx, { k: "migrate", inode, page: s[go + FR_INDEX]!, from: f, to: g });
  return g;
}
