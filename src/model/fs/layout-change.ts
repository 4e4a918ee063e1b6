/**
 * Layout changes: truncate, hole punch, collapse range, allocation, reflink
 * and device removal all change the file-offset → block map that a pinned
 * page's DMA relies on. The shared path is the filesystem's
 * xfs_break_layouts()/ext4_break_layouts(): unmap the range everywhere (which
 * fires MMU notifiers), then look for pages still referenced and ask the
 * policy what to do with them. The kernel's own answer is to wait
 * (dax_layout_busy_page + ___wait_var_event, no timeout; kernel-semantics §1c).
 */

import { fsdax } from "../backing.js";
import { block, type Ctx, emit } from "../ctx.js";
import {
  ext,
  FF_DIRTY,
  FF_DMA_CLEAN,
  FR_FLAGS,
  FR_INODE,
  FR_REF,
  frm,
  INO_EXISTS,
  INO_SIZE,
  ino,
  MR_VALID,
  MRL_BREAKING,
  MRL_HELD,
  mr as mrOff,
  pcache,
} from "../layout.js";
import { breakLayoutLeases, breakLayoutOutcome, LEASE_BREAKS, LEASE_FREE } from "../locks/lease.js";
import { dioHolders } from "../mm/dio.js";
import { type FrameSet, frameBusy, frameMarks, releaseIfIdle } from "../mm/frames.js";
import { maybeDmaPinned, pinnerKind } from "../mm/gup.js";
import { spliceHolds } from "../mm/splice.js";
import { mapsRange, unmapMappingRange } from "../mm/unmap.js";
import type { LayoutChangeKind, LayoutDecision } from "../policy.js";
import { sendLeaseSignal } from "../proc/deliver.js";
import { SIGIO } from "../proc/signum.js";
import { revokeQuery } from "../rdma/escalate.js";
import { invalidateMr } from "../rdma/mr.js";
import {
  endInvalidating,
  invalidateOdpRange,
  markInvalidating,
  ODP_CHANGES,
  ODP_NONE,
  odpInflightInRange,
  odpInvalidationOutcome,
} from "../rdma/odp.js";
import { inodeOwner } from "./attr.js";
import { dropBlock } from "./blocks.js";

/** Pages [first, last] of an inode (empty when first > last). */
export interface PageRange {
  readonly inode: number;
  readonly first: number;
  readonly last: number;
}

export const GO_PROCEED = 0;
export const GO_DEFER = 1;

/**
 * Decides whether a layout change over `ranges` may go ahead now.
 * Returns GO_PROCEED, GO_DEFER (free pinned blocks later), -errno, or BLOCK.
 */
export function layoutGate(
  ctx: Ctx,
  kind: LayoutChangeKind,
  caller: number,
  ranges: readonly PageRange[],
  opts: { readonly evenCows?: boolean; readonly leasesOnly?: boolean } = {},
): number {
  const { m, s } = ctx;
  const policy = m.policy;
  // An inode being evicted has no open file left, hence no lease.
  if (policy.layoutLeases && kind !== "unplug" && kind !== "evict") {
    for (const r of ranges) {
      const e = breakLayoutLeases(ctx, r.inode, caller);
      if (e !== 0) return e;
    }
  }
  if (opts.leasesOnly) return GO_PROCEED;
  // ext4 allocates without breaking layouts (ext4_fallocate() → ext4_do_fallocate()
  // before the invalidate lock); XFS runs xfs_break_layouts(BREAK_UNMAP) for every mode.
  if (kind === "alloc" && m.flavor === "ext4") return GO_PROCEED;
  // Which pages are unmapped and checked for references. fs-DAX on XFS: the
  // whole file, always (xfs_break_dax_layouts() passes the whole mapping, and
  // when Ira Weiny's RFC v2 07/19 passed sub-ranges, Dave Chinner answered that
  // a truncate must break up to the maximum file offset and an extending one
  // the last block: https://lore.kernel.org/r/20190809233037.GB7777@dread.disaster.area).
  // ext4 (ext4_break_layouts()), and the page cache: the policy's scope.
  const { scopes, unmapScopes } = gateScopes(ctx, ranges);
  const evenCows = opts.evenCows ?? kind === "truncate";
  // mmu_notifier_invalidate_range_start() runs before the page tables are zapped and
  // the pages freed: ODP translations go first, and the invalidation does not return
  // while the device may still access the pages, private COW copies included;
  // device faults wait for it meanwhile (rdma/odp.ts).
  for (const r of unmapScopes) invalidateOdpRange(ctx, r);
  const waitFor = odpInflightInRange(ctx, unmapScopes);
  if (waitFor >= 0) {
    markInvalidating(ctx, caller, unmapScopes);
    // the invalidation callback cannot be interrupted by a signal
    const r = block(ctx, "MMU notifier waits for in-flight ODP access", [m.mrs[waitFor]!.proc]);
    ctx.uninterruptible = true;
    return r;
  }
  endInvalidating(ctx, caller);
  for (const r of unmapScopes) unmapMappingRange(ctx, r.inode, r.first, r.last, evenCows);
  const busy = busyFrames(ctx, scopes);
  if (busy.size === 0) return GO_PROCEED;
  const holders = pinHolders(ctx, busy);
  const bios = dioHolders(ctx, busy);
  if (holders.mrs.length === 0 && bios.length > 0 && kind !== "unplug") {
    // Only short-term references (O_DIRECT bios, mm/dio.ts, which end by themselves;
    // vmsplice pipe buffers, mm/splice.ts, which end when the pipe is read or closed):
    // fs-DAX waits for them (dax_layout_busy_page() finds page_ref_count() > 1, and
    // xfs_break_dax_layouts() waits interruptibly); the page cache never waits
    // (truncate_inode_pages_range() orphans a referenced page).
    if (shortTermProceeds(ctx, ranges)) return GO_PROCEED;
    return block(
      ctx,
      spliceHolds(ctx, busy)
        ? "waiting for page references to drop (dax_layout_busy_page): vmsplice pipe buffers not yet read"
        : "waiting for page references to drop (dax_layout_busy_page): O_DIRECT I/O in flight",
      bios,
    );
  }
  for (const q of bios) if (!holders.procs.includes(q)) holders.procs.push(q);
  const inode = ranges[0]!.inode;
  const decision = askPolicy(ctx, kind, caller, ranges, holders, bios.length > 0);
  switch (decision.do) {
    case "proceed":
      return GO_PROCEED;
    case "defer":
      return GO_DEFER;
    case "fail":
      ctx.blockers = holders.procs;
      return -decision.errno;
    case "wait": {
      if (kind === "evict") {
        // dax_break_layout_final() → wait_page_idle_uninterruptible(): TASK_UNINTERRUPTIBLE
        // (fs/dax.c, v6.15; called from xfs_fs_evict_inode() and ext4_evict_inode())
        const r = block(
          ctx,
          s[ino(m, inode) + INO_EXISTS] === 1
            ? "evicting the inode (I_DONTCACHE after its DAX flag changed): waiting for its pages to be idle (dax_break_layout_final)"
            : "evicting the unlinked inode: waiting for its pages to be idle (dax_break_layout_final)",
          holders.procs,
        );
        ctx.uninterruptible = true;
        return r;
      }
      if (kind === "unplug") {
        // memunmap_pages() → wait_for_completion(&pgmap->done): TASK_UNINTERRUPTIBLE (mm/memremap.c)
        const r = block(ctx, "waiting for page references to drop (memunmap_pages)", holders.procs);
        ctx.uninterruptible = true;
        return r;
      }
      // ___wait_var_event(..., TASK_INTERRUPTIBLE, ...) in xfs_break_dax_layouts()/ext4_break_layouts()
      return block(
        ctx,
        "waiting for pinned pages to be released (dax_layout_busy_page)",
        holders.procs,
      );
    }
    case "revoke": {
      const by = kind === "unplug" ? -1 : caller;
      for (const x of holders.mrs) {
        const o = mrOff(m, x);
        if (s[o + 1] !== MRL_HELD) continue;
        const owner = m.mrs[x]!.proc;
        const inode = m.vmas[m.mrs[x]!.vma]!.inode;
        // The policy's answer for this pinner (policy.ts revokePinner).
        const q = revokeQuery(m, s, x, kind, by, by === owner);
        const act = policy.revokePinner(q);
        if (act === "wait") continue;
        if (act === "invalidate" && q.invalidate !== "none") {
          // Invalidated at once without asking the holder, as the timer's `invalidate`
          // does (rdma/escalate.ts); the change then waits as for any other pin.
          emit(ctx, {
            k: "escalate",
            proc: owner,
            mr: x,
            how: "invalidate",
            fenced: q.invalidate === "fence",
          });
          invalidateMr(ctx, x, q.invalidate === "fence");
          continue;
        }
        s[o + 1] = MRL_BREAKING;
        emit(ctx, { k: "lease-break", holder: owner, inode, what: "revoke pin", by });
        sendLeaseSignal(ctx, owner, SIGIO, by >= 0 && by !== owner, inode);
      }
      const r = block(
        ctx,
        "revoking pins: waiting for the holder or lease-break-time",
        holders.procs,
      );
      // memunmap_pages() and dax_break_layout_final() sleep uninterruptibly
      ctx.uninterruptible = kind === "unplug" || kind === "evict";
      return r;
    }
  }
}

/**
 * Which pages are unmapped and checked for references. fs-DAX on XFS: the
 * whole file, always (xfs_break_dax_layouts() passes the whole mapping, and
 * when Ira Weiny's RFC v2 07/19 passed sub-ranges, Dave Chinner answered that
 * a truncate must break up to the maximum file offset and an extending one
 * the last block: https://lore.kernel.org/r/20190809233037.GB7777@dread.disaster.area).
 * ext4 (ext4_break_layouts()), and the page cache: the policy's scope.
 */
function gateScopes(
  ctx: Pick<Ctx, "m" | "s">,
  ranges: readonly PageRange[],
): { scopes: PageRange[]; unmapScopes: PageRange[] } {
  const { m, s } = ctx;
  const wholeFile = (r: PageRange) =>
    m.policy.busyScope === "file" || (fsdax(m, r.inode) && m.flavor === "xfs");
  const scopes = ranges.map((r) =>
    wholeFile(r)
      ? { inode: r.inode, first: 0, last: Math.max(r.last, s[ino(m, r.inode) + INO_SIZE]! - 1) }
      : r,
  );
  const unmapScopes = ranges.map((r, i) => (fsdax(m, r.inode) ? scopes[i]! : r));
  return { scopes, unmapScopes };
}

/**
 * The frames of the scopes still referenced: fs-DAX's dax_layout_busy_page()
 * waits for any reference beyond the mapping's; in the page cache, which holds
 * its own references, only pins can be seen, through folio_maybe_dma_pinned().
 */
function busyFrames(ctx: Pick<Ctx, "m" | "s">, scopes: readonly PageRange[]): FrameSet {
  const { m, s } = ctx;
  const busy = frameMarks(m);
  for (const scope of scopes) {
    const dax = fsdax(m, scope.inode);
    // the frames backing the scope: block pfns on fs-DAX, cached pages otherwise
    for (let p = scope.first; p <= scope.last && p < m.maxPages; p++) {
      const slot = dax ? s[ext(m, scope.inode, p)]! : s[pcache(m, scope.inode, p)]!;
      if (slot <= 0) continue;
      const f = slot - 1;
      if (dax ? frameBusy(m, s, f) : maybeDmaPinned(ctx, f)) busy.add(f);
    }
  }
  return busy;
}

/** Whether a change held up only by short-term references goes ahead: not fs-DAX, or the policy says so. */
function shortTermProceeds(ctx: Pick<Ctx, "m">, ranges: readonly PageRange[]): boolean {
  return !fsdax(ctx.m, ranges[0]!.inode) || ctx.m.policy.shortTermRefs === "proceed";
}

/**
 * The policy's decision on a layout change held up by pins (the policies decide
 * for fs-DAX files; for every other backing they let the change proceed), with
 * the kernel's own answers where it cannot fail.
 */
function askPolicy(
  ctx: Pick<Ctx, "m" | "s">,
  kind: LayoutChangeKind,
  caller: number,
  ranges: readonly PageRange[],
  holders: { readonly mrs: readonly number[]; readonly procs: readonly number[] },
  dio: boolean,
): LayoutDecision {
  const { m, s } = ctx;
  const dax = fsdax(m, ranges[0]!.inode);
  const inode = ranges[0]!.inode;
  const pinners = holders.mrs.map((x) => pinnerKind(m, x));
  if (dio) pinners.push("dio");
  const callerUser = caller >= 0 ? m.procs[caller]!.user : -1;
  const decision = m.policy.layoutChange({
    model: m,
    state: s,
    kind,
    caller,
    inode,
    dax,
    holders: holders.procs,
    pinners: [...new Set(pinners)],
    owner: holders.procs.every((p) => p === caller),
    sameUser: holders.procs.every((p) => m.procs[p]!.user === callerUser),
    fileOwner: inodeOwner(m, s, inode) === callerUser,
    privileged: callerUser >= 0 && m.users[callerUser]!.caps.includes("CAP_SYS_ADMIN"),
  });
  if (
    kind === "unplug" &&
    (decision.do === "fail" || decision.do === "proceed" || decision.do === "defer")
  )
    return { do: "wait" }; // device removal cannot fail: memunmap_pages() waits for page references
  // Eviction cannot fail either (evict() returns nothing): a refusal becomes the
  // kernel's own answer, dax_break_layout_final()'s wait on fs-DAX, and in the
  // page cache truncate_inode_pages_final(), which drops pinned pages unwaited.
  if (kind === "evict" && decision.do === "fail") return dax ? { do: "wait" } : { do: "proceed" };
  return decision;
}

/**
 * What retrying a layout change blocked in `layoutGate` does, decided without
 * running it (proc/program.ts retryPredicate): true when the retry changes
 * the state (the gate lets the change go on, or acts: zaps mappings, revokes a
 * pin), false when it blocks again exactly as before (`uninterruptible`: the
 * process's current TASK_UNINTERRUPTIBLE flag, which the block rewrites).
 */
export function layoutGateRetry(
  ctx: Pick<Ctx, "m" | "s">,
  kind: LayoutChangeKind,
  caller: number,
  ranges: readonly PageRange[],
  opts: { readonly evenCows?: boolean; readonly leasesOnly?: boolean },
  uninterruptible: boolean,
): boolean {
  const { m, s } = ctx;
  const policy = m.policy;
  if (policy.layoutLeases && kind !== "unplug" && kind !== "evict")
    for (const r of ranges) {
      const lease = breakLayoutOutcome(m, s, r.inode, caller);
      // break_layout() waits interruptibly
      if (lease !== LEASE_FREE) return lease === LEASE_BREAKS || uninterruptible;
    }
  if (opts.leasesOnly) return true;
  if (kind === "alloc" && m.flavor === "ext4") return true;
  const { scopes, unmapScopes } = gateScopes(ctx, ranges);
  // the notifier's invalidation: its wait for an in-flight ODP access is uninterruptible
  const odp = odpInvalidationOutcome(m, s, caller, unmapScopes);
  if (odp !== ODP_NONE) return odp === ODP_CHANGES || !uninterruptible;
  const evenCows = opts.evenCows ?? kind === "truncate";
  for (const r of unmapScopes) if (mapsRange(m, s, r.inode, r.first, r.last, evenCows)) return true;
  const busy = busyFrames(ctx, scopes);
  if (busy.size === 0) return true;
  const holders = pinHolders(ctx, busy);
  const bios = dioHolders(ctx, busy);
  if (holders.mrs.length === 0 && bios.length > 0 && kind !== "unplug")
    return shortTermProceeds(ctx, ranges) || uninterruptible;
  for (const q of bios) if (!holders.procs.includes(q)) holders.procs.push(q);
  const decision = askPolicy(ctx, kind, caller, ranges, holders, bios.length > 0);
  const sleepsUninterruptible = kind === "unplug" || kind === "evict";
  switch (decision.do) {
    case "proceed":
    case "defer":
    case "fail":
      return true;
    case "wait":
      return uninterruptible !== sleepsUninterruptible;
    case "revoke": {
      const by = kind === "unplug" ? -1 : caller;
      for (const x of holders.mrs) {
        if (s[mrOff(m, x) + 1] !== MRL_HELD) continue;
        // any answer but `wait` marks the pin breaking or invalidates it
        const q = revokeQuery(m, s, x, kind, by, by === m.mrs[x]!.proc);
        if (policy.revokePinner(q) !== "wait") return true;
      }
      return uninterruptible !== sleepsUninterruptible;
    }
  }
}

/** The registrations (and their processes) pinning any of the frames. */
function pinHolders(
  ctx: Pick<Ctx, "m" | "s">,
  frames: FrameSet,
): { mrs: number[]; procs: number[] } {
  const { m, s } = ctx;
  const mrs: number[] = [];
  const procs: number[] = [];
  for (let x = 0; x < m.mrs.length; x++) {
    const mi = m.mrs[x]!;
    if (mi.odp) continue;
    const o = mrOff(m, x);
    if (s[o] !== MR_VALID) continue;
    for (let k = 0; k < mi.pages; k++) {
      if (frames.has(s[o + 2 + k]! - 1)) {
        mrs.push(x);
        if (!procs.includes(mi.proc)) procs.push(mi.proc);
        break;
      }
    }
  }
  return { mrs, procs };
}

/** Removes pages [first, last] from the file: blocks freed (or held busy), cached pages dropped or orphaned. */
export function removePages(
  ctx: Ctx,
  inode: number,
  first: number,
  last: number,
  defer: boolean,
): void {
  const { m, s } = ctx;
  const freed: number[] = [];
  const busy: number[] = [];
  const orphaned: number[] = [];
  for (let p = first; p <= last && p < m.maxPages; p++) {
    const pc = pcache(m, inode, p);
    if (!fsdax(m, inode) && s[pc]! > 0) {
      const f = s[pc]! - 1;
      s[pc] = 0;
      const fo = frm(m, f);
      s[fo + FR_INODE] = 0;
      s[fo + FR_FLAGS] = s[fo + FR_FLAGS]! & ~(FF_DIRTY | FF_DMA_CLEAN);
      if (s[fo + FR_REF]! > 0) orphaned.push(f);
      else releaseIfIdle(ctx, f);
    }
    const e = ext(m, inode, p);
    if (s[e]! > 0) {
      const b = s[e]! - 1;
      s[e] = 0;
      const r = dropBlock(ctx, b, defer);
      if (r === 1) freed.push(b);
      else if (r === 2) busy.push(b);
    }
  }
  if (orphaned.length > 0) emit(ctx, { k: "orphaned", inode, frames: orphaned });
  if (freed.length > 0) emit(ctx, { k: "blocks-freed", inode, blocks: freed });
  if (busy.length > 0) emit(ctx, { k: "blocks-busy", inode, blocks: busy });
}

/** Shifts pages (last, size) down to first (FALLOC_FL_COLLAPSE_RANGE after the range is removed). */
export function shiftDown(ctx: Ctx, inode: number, first: number, last: number): void {
  const { m, s } = ctx;
  const n = last - first + 1;
  const size = s[ino(m, inode) + INO_SIZE]!;
  for (let p = last + 1; p < size; p++) {
    s[ext(m, inode, p - n)] = s[ext(m, inode, p)]!;
    s[ext(m, inode, p)] = 0;
  }
  s[ino(m, inode) + INO_SIZE] = size - n;
}
