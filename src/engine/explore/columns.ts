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
