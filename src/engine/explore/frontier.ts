/**
 * The BFS queue: fixed-size Int32 records in one growable ring buffer. Every
 * state of a system has the same length, so a record is the state's words
 * (plus whatever the search keeps beside it, e.g. a sleep set) at a known
 * offset: no object per state, no per-state allocation.
 *
 * Usage: `const o = q.alloc(); q.buf.set(state, o)` to enqueue (re-read `buf`
 * after `alloc`, which may grow it), `q.head()` for the oldest record's
 * offset, `q.drop()` to dequeue it.
 */
import type { AllowGrowth } from "./table.js";

export class Frontier {
  buf: Int32Array;
  /** Records queued. */
  count = 0;
  private cap: number;
  private first = 0;

  constructor(
    readonly record: number,
    initialRecords = 1024,
    private readonly allow: AllowGrowth = () => true,
  ) {
    // a first buffer of at most 256 KiB: most searches are small, big states are big
    this.cap = Math.max(16, Math.min(initialRecords, Math.floor(2 ** 16 / record)));
    this.buf = new Int32Array(this.cap * record);
  }

  get bytes(): number {
    return this.buf.byteLength;
  }

  /** Offset of a new record at the tail (grows the ring when full). */
  alloc(): number {
    if (this.count === this.cap) this.grow();
    let r = this.first + this.count++;
    if (r >= this.cap) r -= this.cap;
    return r * this.record;
  }

  /** Offset of the oldest record; only when `count > 0`. */
  head(): number {
    return this.first * this.record;
  }

  drop(): void {
    this.count--;
    if (++this.first === this.cap) this.first = 0;
  }

  private grow(): void {
    const cap = this.cap * 2;
    if (!this.allow(cap * this.record * 4)) throw new RangeError("memory budget");
    const b = new Int32Array(cap * this.record);
    const r = this.record;
    const tailPart = (this.cap - this.first) * r;
    b.set(this.buf.subarray(this.first * r), 0);
    b.set(this.buf.subarray(0, this.first * r), tailPart);
    this.buf = b;
    this.first = 0;
    this.cap = cap;
  }
}
