/**
 * ODP and the MMU notifier's invalidation (mm/mmu_notifier.c,
 * drivers/infiniband/core/umem_odp.c).
 *
 * - An invalidation of a range (unmap_mapping_range → mmu_notifier_invalidate_range_start
 *   → the driver's mmu_interval_notifier ->invalidate, e.g. mlx5_ib_invalidate_range)
 *   removes the device's translations of every virtual page in the range,
 *   whatever page backs it (a file page or the process's private COW copy),
 *   and does not return while the device may still access those pages: an
 *   access already translated (issued, not landed) is waited out.
 * - While an invalidation is in progress, a device page fault on the same
 *   interval does not resolve: ib_umem_odp_map_dma_and_lock() starts with
 *   mmu_interval_read_begin(), which sleeps until no invalidation of the
 *   interval is in progress, and retries if mmu_interval_read_retry() says one
 *   started meanwhile. The fault then sees the layout after the change.
 * The model's layout changes invalidate in one step unless they must wait for
 * an in-flight access; the MR's invalidator field (layout.ts mrInval) marks
 * that wait, and a fault on the MR stays pending until it ends.
 */
import type { Ctx } from "../ctx.js";
import { block } from "../ctx.js";
import {
  INF_READ,
  INF_WRITE,
  type Model,
  mrInval,
  P_STATUS,
  PS_BLOCKED,
  PTE_RO,
  peer as peerOff,
  proc,
  R_INFL,
  R_OPMR,
  R_OPPAGE,
  R_TGT,
  type State,
  vma as vmaOff,
  vmaWritable,
} from "../layout.js";
import { ptePerm } from "../mm/pte.js";
import { invalidateOdp, odpTranslated } from "../mm/unmap.js";

/** Pages [first, last] of an inode. */
interface Range {
  readonly inode: number;
  readonly first: number;
  readonly last: number;
}

/** Whether ODP MR x's virtual page k lies in one of the ranges being invalidated. */
function covers(m: Model, x: number, k: number, ranges: readonly Range[]): boolean {
  const vi = m.vmas[m.mrs[x]!.vma]!;
  const page = vi.first + k;
  return ranges.some((r) => r.inode === vi.inode && page >= r.first && page <= r.last);
}

/**
 * The ODP MR whose already-translated access into the ranges the invalidation
 * must wait out, or -1. Any virtual page of the range counts, so an access
 * to a MAP_PRIVATE mapping's anonymous copy is waited out as well.
 */
export function odpInflightInRange(ctx: Pick<Ctx, "m" | "s">, ranges: readonly Range[]): number {
  const { m, s } = ctx;
  for (let q = 0; q < m.peers.length; q++) {
    const po = peerOff(m, q);
    const infl = s[po + R_INFL]!;
    if (infl !== INF_WRITE && infl !== INF_READ) continue;
    const x = s[po + R_OPMR]! - 1;
    if (x < 0 || !m.mrs[x]!.odp) continue;
    if (s[vmaOff(m, m.mrs[x]!.vma)] !== 1) continue;
    if (covers(m, x, s[po + R_OPPAGE]!, ranges)) return x;
  }
  return -1;
}

/** The notifier callbacks for an inode's pages [first, last]: every ODP MR over them loses its translations. */
export function invalidateOdpRange(ctx: Ctx, r: Range): void {
  const { m, s } = ctx;
  for (let v = 0; v < m.vmas.length; v++) {
    const vi = m.vmas[v]!;
    if (vi.inode !== r.inode || s[vmaOff(m, v)] !== 1) continue;
    const lo = Math.max(r.first, vi.first);
    const hi = Math.min(r.last, vi.first + vi.pages - 1);
    if (lo <= hi) invalidateOdp(ctx, v, lo - vi.first, hi - vi.first);
  }
}

/**
 * Whether an ODP access already translated to frame f is in flight. Writeback's
 * folio_mkclean() fires the MMU notifier (MMU_NOTIFY_PROTECTION_PAGE), whose ODP
 * callback waits it out, so writeback of f cannot start meanwhile.
 */
export function odpInflightOnFrame(m: Model, s: State, f: number): boolean {
  for (let q = 0; q < m.peers.length; q++) {
    const po = peerOff(m, q);
    const infl = s[po + R_INFL]!;
    if (infl !== INF_WRITE && infl !== INF_READ) continue;
    const x = s[po + R_OPMR]! - 1;
    if (x >= 0 && m.mrs[x]!.odp && s[po + R_TGT] === f + 1) return true;
  }
  return false;
}

/**
 * munmap(2) of VMA v by `caller`: the notifier (MMU_NOTIFY_UNMAP) removes the
 * device's translations of the whole VMA and waits out an access already
 * translated. Returns the owner of the MR waited for, or -1 when the unmap may go on.
 */
export function odpUnmapWait(ctx: Ctx, caller: number, v: number): number {
  const { m, s } = ctx;
  const vi = m.vmas[v]!;
  invalidateOdp(ctx, v, 0, vi.pages - 1);
  const range = [{ inode: vi.inode, first: vi.first, last: vi.first + vi.pages - 1 }];
  for (let q = 0; q < m.peers.length; q++) {
    const po = peerOff(m, q);
    const infl = s[po + R_INFL]!;
    if (infl !== INF_WRITE && infl !== INF_READ) continue;
    const x = s[po + R_OPMR]! - 1;
    if (x < 0 || !m.mrs[x]!.odp || m.mrs[x]!.vma !== v) continue;
    markInvalidating(ctx, caller, range);
    return m.mrs[x]!.proc;
  }
  endInvalidating(ctx, caller);
  return -1;
}

/** Marks every ODP MR over the ranges as inside `caller`'s invalidation (it waits). */
export function markInvalidating(ctx: Ctx, caller: number, ranges: readonly Range[]): void {
  const { m, s } = ctx;
  for (let x = 0; x < m.mrs.length; x++)
    if (marks(m, s, x, caller, ranges)) s[mrInval(m, x)] = caller + 1;
}

/** Whether `markInvalidating` sets ODP MR x's invalidator to `caller`. */
function marks(m: Model, s: State, x: number, caller: number, ranges: readonly Range[]): boolean {
  const mi = m.mrs[x]!;
  if (!mi.odp) return false;
  // A second invalidation of the interval waits alongside the first; the
  // mark stays with the first while it waits (one field, no alternation).
  const cur = s[mrInval(m, x)]!;
  if (cur !== 0 && cur !== caller + 1 && s[proc(m, cur - 1) + P_STATUS] === PS_BLOCKED)
    return false;
  for (let k = 0; k < mi.pages; k++) if (covers(m, x, k, ranges)) return true;
  return false;
}

/**
 * What a layout change's invalidation of the ranges does in s (layout-change.ts
 * layoutGateRetry), decided without running it: ODP_CHANGES when it removes a
 * translation, marks an MR or ends `caller`'s earlier mark; ODP_WAITS when it
 * only waits again for an in-flight access (uninterruptibly); ODP_NONE when it
 * changes nothing and lets the change go on.
 */
export function odpInvalidationOutcome(
  m: Model,
  s: State,
  caller: number,
  ranges: readonly Range[],
): number {
  let odp = false;
  for (let x = 0; x < m.mrs.length && !odp; x++) odp = m.mrs[x]!.odp;
  if (!odp) return ODP_NONE; // no translation, no mark, no access to wait for
  for (let v = 0; v < m.vmas.length; v++) {
    const vi = m.vmas[v]!;
    if (s[vmaOff(m, v)] !== 1) continue;
    for (const r of ranges) {
      if (vi.inode !== r.inode) continue;
      const lo = Math.max(r.first, vi.first);
      const hi = Math.min(r.last, vi.first + vi.pages - 1);
      if (lo <= hi && odpTranslated(m, s, v, lo - vi.first, hi - vi.first)) return ODP_CHANGES;
    }
  }
  if (odpInflightInRange({ m, s }, ranges) >= 0) {
    for (let x = 0; x < m.mrs.length; x++)
      if (marks(m, s, x, caller, ranges) && s[mrInval(m, x)] !== caller + 1) return ODP_CHANGES;
    return ODP_WAITS;
  }
  for (let x = 0; x < m.mrs.length; x++) if (s[mrInval(m, x)] === caller + 1) return ODP_CHANGES;
  return ODP_NONE;
}

export const ODP_NONE = 0;
export const ODP_WAITS = 1;
export const ODP_CHANGES = 2;

/** `caller`'s invalidation is over (mmu_interval_notifier ->invalidate returned). */
export function endInvalidating(ctx: Ctx, caller: number): void {
  const { m, s } = ctx;
  for (let x = 0; x < m.mrs.length; x++) if (s[mrInval(m, x)] === caller + 1) s[mrInval(m, x)] = 0;
}

/**
 * Whether an ODP page fault on MR x can resolve now: no invalidation of its
 * interval is in progress (mmu_interval_read_begin). An invalidator that is no
 * longer waiting (it was killed) has ended its invalidation.
 */
export function odpFaultMayResolve(m: Model, s: State, x: number): boolean {
  const p1 = s[mrInval(m, x)]!;
  return p1 === 0 || s[proc(m, p1 - 1) + P_STATUS] !== PS_BLOCKED;
}

/**
 * A CPU write through a MAP_PRIVATE mapping whose page table maps the file
 * page read-only copies it (do_wp_page → wp_page_copy(), mm/memory.c):
 * mmu_notifier_invalidate_range_start(MMU_NOTIFY_CLEAR) over that one page,
 * [address & PAGE_MASK, + PAGE_SIZE), runs before the PTE is switched to the
 * private copy. For ODP MRs over the mapping that is an invalidation of the
 * page's translation like any other: it waits out a device access already
 * translated to the old page (the driver's ->invalidate under umem_mutex),
 * and a device fault of that interval meanwhile does not resolve
 * (mmu_interval_read_begin sleeps; a fault that had begun retries on
 * mmu_interval_read_retry) and then maps the private copy. fault() drops the
 * translation itself (mm/fault.ts); this is the wait, before the store.
 * Returns 0 (no access to wait for, or no copy to make) or BLOCK (uninterruptible).
 */
export function cowOdpWait(ctx: Ctx, caller: number, v: number, k: number): number {
  const { m, s } = ctx;
  const vi = m.vmas[v]!;
  const vo = vmaOff(m, v);
  if (vi.shared || !vmaWritable(m, s, v) || s[vo] !== 1) return 0;
  const pte = s[vo + 1 + k]!;
  // no PTE: do_cow_fault() fills it with the copy, no notifier (nothing was translated);
  // a writable PTE is already the private copy
  if (pte === 0 || ptePerm(pte) !== PTE_RO) return 0;
  let waitFor = -1;
  for (let q = 0; q < m.peers.length && waitFor < 0; q++) {
    const po = peerOff(m, q);
    const infl = s[po + R_INFL]!;
    if (infl !== INF_WRITE && infl !== INF_READ) continue;
    const x = s[po + R_OPMR]! - 1;
    if (x >= 0 && m.mrs[x]!.odp && m.mrs[x]!.vma === v && s[po + R_OPPAGE] === k) waitFor = x;
  }
  for (let x = 0; x < m.mrs.length; x++) {
    if (!m.mrs[x]!.odp || m.mrs[x]!.vma !== v) continue;
    if (waitFor >= 0) s[mrInval(m, x)] = caller + 1;
    else if (s[mrInval(m, x)] === caller + 1) s[mrInval(m, x)] = 0;
  }
  if (waitFor < 0) return 0;
  const r = block(ctx, "MMU notifier of a COW waits for in-flight ODP access", [
    m.mrs[waitFor]!.proc,
  ]);
  ctx.uninterruptible = true;
  return r;
}
