/**
 * unmap_mapping_range(): zap the page-table entries of every VMA that maps a
 * file range, and fire the MMU notifiers of the address spaces involved, which
 * stops ODP devices from using those pages (mmu_interval_notifier callbacks
 * must remove the device's translations before they return).
 */
import { type Ctx, emit } from "../ctx.js";
import { FF_ANON, FR_FLAGS, frm, mr as mrOff, vma as vmaOff } from "../layout.js";
import { releaseIfIdle, zeroFrame } from "./frames.js";
import { pteFrame } from "./pte.js";

/** Zaps pages [first, last] of `inode` everywhere; `evenCows` also zaps private COW copies (truncate). */
export function unmapMappingRange(
  ctx: Ctx,
  inode: number,
  first: number,
  last: number,
  evenCows: boolean,
): void {
  const { m, s } = ctx;
  for (let v = 0; v < m.vmas.length; v++) {
    const vi = m.vmas[v]!;
    if (vi.inode !== inode) continue;
    const vo = vmaOff(m, v);
    if (s[vo] !== 1) continue;
    const lo = Math.max(first, vi.first);
    const hi = Math.min(last, vi.first + vi.pages - 1);
    if (lo > hi) continue;
    for (let page = lo; page <= hi; page++) {
      const k = page - vi.first;
      const pte = s[vo + 1 + k]!;
      if (pte === 0) continue;
      const f = pteFrame(pte);
      const anon =
        f !== zeroFrame(m) &&
        f >= (m.dax ? m.nBlocks : 0) &&
        (s[frm(m, f) + FR_FLAGS]! & FF_ANON) !== 0;
      if (anon && !evenCows) continue;
      s[vo + 1 + k] = 0;
      if (anon) releaseIfIdle(ctx, f);
    }
    invalidateOdp(ctx, v, lo - vi.first, hi - vi.first);
  }
}

/** MMU-notifier invalidation of ODP registrations over pages [k0, k1] of VMA v. */
export function invalidateOdp(ctx: Ctx, v: number, k0: number, k1: number): void {
  const { m, s } = ctx;
  for (let x = 0; x < m.mrs.length; x++) {
    const mi = m.mrs[x]!;
    if (!mi.odp || mi.vma !== v) continue;
    const o = mrOff(m, x);
    const pages: number[] = [];
    for (let k = k0; k <= k1; k++) {
      if (s[o + 2 + k]! > 0) {
        s[o + 2 + k] = 0;
        pages.push(k);
      }
    }
    if (pages.length > 0) emit(ctx, { k: "odp-invalidate", mr: x, pages });
  }
}

/** Invalidate every ODP translation that points at frame f (folio_mkclean, migration). */
export function invalidateOdpFrame(ctx: Ctx, f: number): void {
  const { m, s } = ctx;
  for (let x = 0; x < m.mrs.length; x++) {
    const mi = m.mrs[x]!;
    if (!mi.odp) continue;
    const o = mrOff(m, x);
    for (let k = 0; k < mi.pages; k++) {
      if (s[o + 2 + k] === f + 1) {
        s[o + 2 + k] = 0;
        emit(ctx, { k: "odp-invalidate", mr: x, pages: [k] });
      }
    }
  }
}
