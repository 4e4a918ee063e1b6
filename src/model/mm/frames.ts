/**
 * Page frames. On fs-DAX, frame b is the pfn of device block b (the page *is*
 * the storage); frames from nBlocks on are RAM (anonymous COW copies). On a
 * page-cache filesystem every frame is RAM. The shared zero page is the
 * virtual frame `zeroFrame(m)`: never refcounted, never pinned
 * (pin_user_pages on the zero page is a no-op, mm/gup.c try_grab_folio).
 */
import { type Ctx, emit } from "../ctx.js";
import {
  BLK_BUSY,
  BLK_CONTENT,
  BLK_USERS,
  blk,
  CONTENT_ZERO,
  FF_ANON,
  FF_POISON,
  FF_USED,
  FR_CONTENT,
  FR_FLAGS,
  FR_INDEX,
  FR_INODE,
  FR_REF,
  frm,
  type Model,
  type State,
} from "../layout.js";
import { mapcount } from "./mapcount.js";
import { pteFrame } from "./pte.js";

export const zeroFrame = (m: Model): number => m.nFrames;

/** A RAM frame, or -1 when memory is exhausted. */
export function allocFrame(ctx: Ctx, flags: number, content: number): number {
  const { m, s } = ctx;
  for (let f = m.dax ? m.nBlocks : 0; f < m.nFrames; f++) {
    const o = frm(m, f);
    if ((s[o + FR_FLAGS]! & FF_USED) === 0) {
      s[o + FR_REF] = 0;
      s[o + FR_INODE] = 0;
      s[o + FR_INDEX] = 0;
      s[o + FR_FLAGS] = FF_USED | flags;
      s[o + FR_CONTENT] = content;
      return f;
    }
  }
  return -1;
}

export function isDaxFrame(m: Model, f: number): boolean {
  return m.dax && f < m.nBlocks;
}

/** The content a frame holds (fs-DAX frames read their block). */
export function frameContent(m: Model, s: State, f: number): number {
  if (f === zeroFrame(m)) return CONTENT_ZERO;
  if (isDaxFrame(m, f)) return s[blk(m, f) + BLK_CONTENT]!;
  return s[frm(m, f) + FR_CONTENT]!;
}

/**
 * Drops a RAM frame that nothing references any more: out of the page cache
 * (orphaned or anonymous) and no pin or GUP reference left.
 */
export function releaseIfIdle(ctx: Ctx, f: number): void {
  const { m, s } = ctx;
  if (f === zeroFrame(m) || isDaxFrame(m, f)) return;
  const o = frm(m, f);
  // A poisoned page never returns to the allocator (memory_failure() keeps it off the free lists).
  if ((s[o + FR_FLAGS]! & FF_POISON) !== 0) return;
  // A page some PTE still maps stays: the mapping's own reference (an anonymous
  // page after its pin is dropped, or one fork left shared).
  if ((s[o + FR_FLAGS]! & FF_ANON) !== 0 && anonMapped(m, s, f)) return;
  if (s[o + FR_REF]! === 0 && s[o + FR_INODE]! === 0 && mapcount(m, s, f) === 0) {
    s[o + FR_FLAGS] = 0;
    s[o + FR_CONTENT] = 0;
    s[o + FR_INDEX] = 0;
  }
}

/** Whether a present PTE of a mapped VMA points at frame f. */
function anonMapped(m: Model, s: State, f: number): boolean {
  for (let v = 0; v < m.vmas.length; v++) {
    const vi = m.vmas[v]!;
    if (s[vi.off] !== 1) continue;
    for (let k = 0; k < vi.pages; k++) {
      const pte = s[vi.off + 1 + k]!;
      if (pte !== 0 && pteFrame(pte) === f) return true;
    }
  }
  return false;
}

/** The shared-or-owned test used by dax_layout_busy_page(): any reference beyond the mapping's. */
export function frameBusy(m: Model, s: State, f: number): boolean {
  return f !== zeroFrame(m) && s[frm(m, f) + FR_REF]! > 0;
}

/**
 * When the last reference to a busy (deferred-free) block's pfn drops, the
 * block returns to the free pool (the extent-busy list idea, option (i)).
 */
export function reclaimIfBusy(ctx: Ctx, b: number): void {
  const { m, s } = ctx;
  const o = blk(m, b);
  if (s[o + BLK_BUSY] === 1 && s[o + BLK_USERS] === 0 && s[frm(m, b) + FR_REF]! === 0) {
    s[o + BLK_BUSY] = 0;
    emit(ctx, { k: "blocks-reclaimed", blocks: [b] });
  }
}

export function isAnon(s: State, m: Model, f: number): boolean {
  return !isDaxFrame(m, f) && f !== zeroFrame(m) && (s[frm(m, f) + FR_FLAGS]! & FF_ANON) !== 0;
}

/** Frames as a set that answers membership (what a layout change finds busy). */
export interface FrameSet {
  readonly size: number;
  has(f: number): boolean;
}

/**
 * A FrameSet reused from one question to the next: a mark per frame, and a
 * stamp that clears them all at once. The layout gate asks for the busy
 * frames in every state where a change is blocked, so the set is not
 * allocated each time; `frameMarks` hands out the one of the model, valid
 * until it is asked for again.
 */
class FrameMarks implements FrameSet {
  size = 0;
  private stamp = 0;
  private readonly marks: Int32Array;
  constructor(n: number) {
    this.marks = new Int32Array(n);
  }
  clear(): this {
    this.size = 0;
    if (++this.stamp === 0x7fffffff) {
      this.marks.fill(0);
      this.stamp = 1;
    }
    return this;
  }
  add(f: number): void {
    if (this.marks[f] === this.stamp) return;
    this.marks[f] = this.stamp;
    this.size++;
  }
  has(f: number): boolean {
    return f >= 0 && f < this.marks.length && this.marks[f] === this.stamp;
  }
}

let marksModel: Model | null = null;
let marks: FrameMarks | null = null;

/** The model's reusable, now empty, frame set (the zero page included). */
export function frameMarks(m: Model): FrameMarks {
  if (marksModel !== m || marks === null) {
    marks = new FrameMarks(m.nFrames + 1);
    marksModel = m;
  }
  return marks.clear();
}
