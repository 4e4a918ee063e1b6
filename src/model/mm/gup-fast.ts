/**
 * pin_user_pages_fast() with FOLL_LONGTERM (mm/gup.c, gup_fast_pte_range()):
 * a lockless walk of the page tables that never looks at the VMA, so
 * check_vma_flags() does not run for what it pins. A page it may not pin
 * sends the whole call to the slow path (__gup_longterm_locked()), which runs
 * every check from the start. The fast path pins a page only if
 * - its PTE is present, and writable when FOLL_WRITE (pte_write());
 * - it is not a devmap page (gup_fast_pte_range(): pte_devmap() with
 *   FOLL_LONGTERM falls back: fs-DAX and device-DAX);
 * - it is long-term pinnable (folio_is_longterm_pinnable(): not ZONE_MOVABLE/CMA);
 * - without FOLL_WRITE, gup_must_unshare(NULL, ...) is false: only for an
 *   anonymous page (a non-anonymous one under FOLL_LONGTERM needs the VMA);
 * - gup_fast_folio_allowed(): with FOLL_PIN|FOLL_LONGTERM|FOLL_WRITE, only
 *   anonymous, hugetlb and shmem folios pass; a folio with no mapping
 *   (truncated) falls back.
 * The model sends the whole range to the slow path when one page falls back
 * (the kernel keeps what the fast path pinned and continues from there; the
 * slow path pins the same pages or fails the same way for every backing here).
 * Anonymous pages count as exclusive (PageAnonExclusive): no process shares
 * anonymous pages with another in this model.
 */
import type { Ctx } from "../ctx.js";
import { FF_ANON, FF_MOVABLE, FR_FLAGS, FR_INODE, frm, PTE_RW, vma as vmaOff } from "../layout.js";
import { isDaxFrame, zeroFrame } from "./frames.js";
import { grabPins } from "./gup.js";
import { pteFrame, ptePerm } from "./pte.js";

/** Pins every page of gup_test pin x on the fast path; false (nothing pinned) when one must fall back. */
export function fastPinAll(ctx: Ctx, x: number): boolean {
  const { m, s } = ctx;
  const mi = m.mrs[x]!;
  const vo = vmaOff(m, mi.vma);
  if (s[vo] !== 1) return false;
  const frames: number[] = [];
  for (let k = 0; k < mi.pages; k++) {
    const pte = s[vo + 1 + k]!;
    if (pte === 0) return false;
    if (mi.writable && ptePerm(pte) !== PTE_RW) return false;
    const f = pteFrame(pte);
    if (!fastAllowed(ctx, f, mi.writable)) return false;
    frames.push(f);
  }
  grabPins(ctx, x, frames);
  return true;
}

function fastAllowed(ctx: Ctx, f: number, write: boolean): boolean {
  const { m, s } = ctx;
  if (f === zeroFrame(m) || isDaxFrame(m, f)) return false;
  const flags = s[frm(m, f) + FR_FLAGS]!;
  if ((flags & FF_MOVABLE) !== 0) return false;
  if ((flags & FF_ANON) !== 0) return true;
  const inode = s[frm(m, f) + FR_INODE]! - 1;
  if (inode < 0 || !write) return false;
  const b = m.inodes[inode]!.backing;
  return b === "tmpfs" || b === "hugetlbfs";
}
