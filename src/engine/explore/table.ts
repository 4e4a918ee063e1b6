/**
 * The visited set: 64-bit fingerprints (two int32 lanes) in open-addressing
 * tables with linear probing. Nothing but the fingerprints is stored, so a
 * visited state costs 8 bytes divided by the load factor.
 *
 * Why segments: one table that doubles swings between half full and full, so
 * bytes per state would swing by 2× and every doubling would rehash (and
 * briefly hold 1.5×) the whole store. Here the fingerprint space is split into
 * SEGMENTS tables by the top bits of the high lane, with shares growing
 * geometrically (2^(i/SEGMENTS)). Each segment doubles on its own when its
 * load passes MAX_LOAD, so the doublings are spread evenly over time: loads
 * stay spread between MAX_LOAD/2 and MAX_LOAD, bytes per state stay near
 * 8·ln2⁻¹/MAX_LOAD, and a rehash touches 1/SEGMENTS of the store.
 *
 * The home slot uses the low lane, so segment choice and slot are independent.
 * (0, 0) marks an empty slot; the fingerprint (0, 0) is stored as (0, 1).
 */

const SPLIT_BITS = 10;
const SPLIT_SHIFT = 32 - SPLIT_BITS;
export const SEGMENTS = 16;
/** Load factor at which a segment doubles. Linear probing stays short below ~0.85. */
export const MAX_LOAD = 0.8;
const MIN_SLOTS = 256;

/** Asked before a segment grows: may `extraBytes` more be allocated? */
export type AllowGrowth = (extraBytes: number) => boolean;

export class FingerprintTable {
  /** Fingerprints stored. */
  size = 0;
  /** Set when a segment could not grow (memory budget or allocation failure). */
  full = false;
  private readonly segOf = new Uint8Array(1 << SPLIT_BITS);
  private readonly tabs: Int32Array[] = [];
  private readonly masks = new Int32Array(SEGMENTS);
  private readonly counts = new Int32Array(SEGMENTS);
  private readonly limits = new Int32Array(SEGMENTS);
  private totalSlots = 0;

  /** `expected`: states to size for up front (0: start small). */
  constructor(
    expected = 0,
    private readonly allow: AllowGrowth = () => true,
  ) {
    const w: number[] = [];
    let sum = 0;
    for (let i = 0; i < SEGMENTS; i++) {
      w.push(2 ** (i / SEGMENTS));
      sum += w[i]!;
    }
    let acc = 0;
    let b = 0;
    for (let i = 0; i < SEGMENTS; i++) {
      acc += w[i]!;
      const end =
        i === SEGMENTS - 1 ? 1 << SPLIT_BITS : Math.round((acc / sum) * (1 << SPLIT_BITS));
      for (; b < end; b++) this.segOf[b] = i;
      let slots = MIN_SLOTS;
      while (slots * MAX_LOAD < (expected * w[i]!) / sum) slots *= 2;
      this.tabs.push(new Int32Array(slots * 2));
      this.masks[i] = slots - 1;
      this.limits[i] = Math.floor(slots * MAX_LOAD);
      this.totalSlots += slots;
    }
  }

  /** Bytes held by the tables. */
  get bytes(): number {
    return this.totalSlots * 8;
  }

  /** Inserts the fingerprint; true if it was not there before. */
  add(hi: number, lo: number): boolean {
    if ((hi | lo) === 0) lo = 1;
    const k = this.segOf[hi >>> SPLIT_SHIFT]!;
    const t = this.tabs[k]!;
    const m = this.masks[k]!;
    let i = lo & m;
    for (;;) {
      const j = i << 1;
      const h = t[j]!;
      const l = t[j + 1]!;
      if (h === hi && l === lo) return false;
      if ((h | l) === 0) {
        t[j] = hi;
        t[j + 1] = lo;
        this.size++;
        if (++this.counts[k]! >= this.limits[k]!) this.grow(k);
        return true;
      }
      i = (i + 1) & m;
    }
  }

  /**
   * Reads the fingerprint's home slot and nothing else. Touching the home
   * slots of a batch of fingerprints before probing them lets the processor
   * fetch them from memory in parallel: a probe of a large table is a cache
   * miss, and misses overlap only when their addresses are known up front.
   */
  touch(hi: number, lo: number): number {
    const k = this.segOf[hi >>> SPLIT_SHIFT]!;
    return this.tabs[k]![(lo & this.masks[k]!) << 1]!;
  }

  /** Whether the fingerprint is stored. */
  has(hi: number, lo: number): boolean {
    if ((hi | lo) === 0) lo = 1;
    const k = this.segOf[hi >>> SPLIT_SHIFT]!;
    const t = this.tabs[k]!;
    const m = this.masks[k]!;
    let i = lo & m;
    for (;;) {
      const j = i << 1;
      const h = t[j]!;
      const l = t[j + 1]!;
      if (h === hi && l === lo) return true;
      if ((h | l) === 0) return false;
      i = (i + 1) & m;
    }
  }

  private grow(k: number): void {
    const old = this.tabs[k]!;
    const slots = (this.masks[k]! + 1) * 2;
    let t: Int32Array;
    try {
      if (!this.allow(slots * 8)) throw new RangeError("memory budget");
      t = new Int32Array(slots * 2);
    } catch {
      // Keep going at a higher load: the explorer sees `full` and stops soon.
      // A segment one slot short of full accepts nothing more (see `add`).
      this.full = true;
      this.limits[k] = this.masks[k]!; // next check at capacity - 1
      if (this.counts[k]! >= this.masks[k]!) throw new RangeError("fingerprint table full");
      return;
    }
    const m = slots - 1;
    for (let j = 0; j < old.length; j += 2) {
      const hi = old[j]!;
      const lo = old[j + 1]!;
      if ((hi | lo) === 0) continue;
      let i = lo & m;
      while ((t[i << 1]! | t[(i << 1) + 1]!) !== 0) i = (i + 1) & m;
      t[i << 1] = hi;
      t[(i << 1) + 1] = lo;
    }
    this.tabs[k] = t;
    this.masks[k] = m;
    this.limits[k] = Math.floor(slots * MAX_LOAD);
    this.totalSlots += slots / 2;
  }
}
