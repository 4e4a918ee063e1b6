/**
 * A growable table of int32 rows with a fixed number of columns, in one typed
 * array: the explorer's side records (pending states, their edges) without an
 * object per row.
 */
import type { AllowGrowth } from "./table.js";

export class Rows {
  data: Int32Array;
  length = 0;

  constructor(
    readonly width: number,
    initialRows = 256,
    private readonly allow: AllowGrowth = () => true,
  ) {
    this.data = new Int32Array(width * initialRows);
  }

  get bytes(): number {
    return this.data.byteLength;
  }

  /** Offset of a new row (re-read `data` afterwards: it may have grown). */
  push(): number {
    const o = this.length * this.width;
    if (o + this.width > this.data.length) {
      // grow by half: these tables can be the biggest thing a search keeps
      const n = Math.ceil((this.data.length * 1.5) / this.width) * this.width + this.width;
      if (!this.allow(n * 4)) throw new RangeError("memory budget");
      const d = new Int32Array(n);
      d.set(this.data);
      this.data = d;
    }
    this.length++;
    return o;
  }

  /** The used part, e.g. to transfer to another thread. */
  used(): Int32Array {
    return this.data.subarray(0, this.length * this.width);
  }
}

/** Words per chunk of `Chunks` (a power of two: 256 KiB). */
const CHUNK_BITS = 16;
const CHUNK_WORDS = 1 << CHUNK_BITS;

/**
 * A growable array of int32 values in fixed-size chunks: it grows without
 * copying and without the slack of a doubling array (at most one chunk), for
 * the biggest side records of a long search (the liveness graph's edges).
 */
export class Chunks {
  length = 0;
  private readonly chunks: Int32Array[] = [];

  constructor(private readonly allow: AllowGrowth = () => true) {}

  get bytes(): number {
    return this.chunks.length * CHUNK_WORDS * 4;
  }

  push(v: number): void {
    const c = this.length >>> CHUNK_BITS;
    if (c === this.chunks.length) {
      if (!this.allow(CHUNK_WORDS * 4)) throw new RangeError("memory budget");
      this.chunks.push(new Int32Array(CHUNK_WORDS));
    }
    this.chunks[c]![this.length & (CHUNK_WORDS - 1)] = v;
    this.length++;
  }

  get(i: number): number {
    return this.chunks[i >>> CHUNK_BITS]![i & (CHUNK_WORDS - 1)]!;
  }

  /** Value i of what `parts` returned (e.g. in another thread). */
  static at(parts: readonly Int32Array[], i: number): number {
    return parts[i >>> CHUNK_BITS]![i & (CHUNK_WORDS - 1)]!;
  }

  /** The used parts of the chunks, in order (views, e.g. to transfer to another thread). */
  parts(): Int32Array[] {
    return this.chunks.map((c, i) =>
      i === this.chunks.length - 1 ? c.subarray(0, this.length - (i << CHUNK_BITS)) : c,
    );
  }
}
