/**
 * The fingerprints of one BFS level's pending states: what the search keeps,
 * instead of the pending graph, to show that no cycle of pending states can
 * exist (see `SerialSearch`, liveness watch). Open addressing with linear
 * probing; (0, 0) marks an empty slot and the fingerprint (0, 0) is kept as
 * (0, 1), as in the visited set. Emptied at the start of every level, so it
 * holds at most one level's pending states.
 */
import type { AllowGrowth } from "./table.js";

const MIN_SLOTS = 1024;

export class LevelSet {
  size = 0;
  private tab: Int32Array;
  private mask: number;

  constructor(private readonly allow: AllowGrowth = () => true) {
    this.tab = new Int32Array(MIN_SLOTS * 2);
    this.mask = MIN_SLOTS - 1;
  }

  get bytes(): number {
    return this.tab.byteLength;
  }

  clear(): void {
    if (this.size === 0) return;
    this.tab.fill(0);
    this.size = 0;
  }

  add(hi: number, lo: number): void {
    if ((hi | lo) === 0) lo = 1;
    if ((this.size + 1) * 4 > (this.mask + 1) * 3) this.grow();
    const t = this.tab;
    const m = this.mask;
    let i = (hi ^ lo) & m;
    for (;;) {
      const j = i << 1;
      if (t[j] === hi && t[j + 1] === lo) return;
      if ((t[j]! | t[j + 1]!) === 0) {
        t[j] = hi;
        t[j + 1] = lo;
        this.size++;
        return;
      }
      i = (i + 1) & m;
    }
  }

  has(hi: number, lo: number): boolean {
    if ((hi | lo) === 0) lo = 1;
    const t = this.tab;
    const m = this.mask;
    let i = (hi ^ lo) & m;
    for (;;) {
      const j = i << 1;
      if (t[j] === hi && t[j + 1] === lo) return true;
      if ((t[j]! | t[j + 1]!) === 0) return false;
      i = (i + 1) & m;
    }
  }

  private grow(): void {
    const old = this.tab;
    const slots = (this.mask + 1) * 2;
    if (!this.allow(slots * 8)) throw new RangeError("memory budget");
    const t = new Int32Array(slots * 2);
    const m = slots - 1;
    for (let j = 0; j < old.length; j += 2) {
      const hi = old[j]!;
      const lo = old[j + 1]!;
      if ((hi | lo) === 0) continue;
      let i = (hi ^ lo) & m;
      while ((t[i << 1]! | t[(i << 1) + 1]!) !== 0) i = (i + 1) & m;
      t[i << 1] = hi;
      t[(i << 1) + 1] = lo;
    }
    this.tab = t;
    this.mask = m;
  }
}
