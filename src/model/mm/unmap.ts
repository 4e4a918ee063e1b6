/**
 * unmap_mapping_range(): zap the page-table entries of every VMA that maps a
 * file range, and fire the MMU notifiers of the address spaces involved, which
 * stops ODP devices from using those pages (mmu_interval_notifier callbacks
 * must remove the device's translations before they return).
 */
import { type Ctx, emit } from "../ctx.js";
import {
  FF_ANON,
  FR_FLAGS,
  frm,
  type Model,
  mr as mrOff,
  type State,
  vma as vmaOff,
} from "../layout.js";
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
      const z = zap(m, s, pte, evenCows);
      if (z === ZAP_NONE) continue;
      s[vo + 1 + k] = 0;
      if (z === ZAP_COW) releaseIfIdle(ctx, pteFrame(pte));
    }
    invalidateOdp(ctx, v, lo - vi.first, hi - vi.first);
  }
}

const ZAP_NONE = 0;
const ZAP_FILE = 1;
const ZAP_COW = 2;

/** What unmapping does to one page-table entry: nothing (empty, or a private COW copy kept), or zap it. */
function zap(m: Model, s: State, pte: number, evenCows: boolean): number {
  if (pte === 0) return ZAP_NONE;
  const f = pteFrame(pte);
  const anon =
    f !== zeroFrame(m) &&
    f >= (m.dax ? m.nBlocks : 0) &&
    (s[frm(m, f) + FR_FLAGS]! & FF_ANON) !== 0;
  if (!anon) return ZAP_FILE;
  return evenCows ? ZAP_COW : ZAP_NONE;
}

/**
 * Whether `unmapMappingRange` with the same arguments would zap an entry; ODP
 * registrations aside, it changes nothing when none is left.
 */
export function mapsRange(
  m: Model,
  s: State,
  inode: number,
  first: number,
  last: number,
  evenCows: boolean,
): boolean {
  for (let v = 0; v < m.vmas.length; v++) {
    const vi = m.vmas[v]!;
    const vo = vmaOff(m, v);
    if (vi.inode !== inode || s[vo] !== 1) continue;
    const hi = Math.min(last, vi.first + vi.pages - 1);
    for (let page = Math.max(first, vi.first); page <= hi; page++)
      if (zap(m, s, s[vo + 1 + page - vi.first]!, evenCows) !== ZAP_NONE) return true;
  }
  return false;
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

/** Whether `invalidateOdp(v, k0, k1)` has a translation to remove. */
export function odpTranslated(m: Model, s: State, v: number, k0: number, k1: number): boolean {
  for (let x = 0; x < m.mrs.length; x++) {
    const mi = m.mrs[x]!;
    if (!mi.odp || mi.vma !== v) continue;
    const o = mrOff(m, x);
    for (let k = k0; k <= k1; k++) if (s[o + 2 + k]! > 0) return true;
  }
  return false;
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
