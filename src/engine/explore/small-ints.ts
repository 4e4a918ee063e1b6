/**
 * A growable array of integers that starts as bytes and widens (to 16, then
 * 32 bits) only when a value does not fit: actions and child counts are
 * nearly always small, and they are stored once per state.
 */
import type { AllowGrowth } from "./table.js";

type Cells = Uint8Array | Uint16Array | Int32Array;

export class SmallInts {
  private a: Cells;

  constructor(
    initial = 1024,
    private readonly allow: AllowGrowth = () => true,
  ) {
    this.a = new Uint8Array(initial);
  }

  get bytes(): number {
    return this.a.byteLength;
  }

  get(i: number): number {
    return this.a[i]!;
  }

  set(i: number, v: number): void {
    if (i >= this.a.length) this.enlarge(i + 1);
    const a = this.a;
    a[i] = v;
    if (a[i] !== v) {
      this.widen(v);
      this.a[i] = v;
    }
  }

  /** The first n values, without a copy (of whichever width they are stored in). */
  view(n: number): Uint8Array | Uint16Array | Int32Array {
    return this.a.subarray(0, n);
  }

  /** The first n values as an Int32Array (a copy). */
  toInt32(n: number): Int32Array {
    const out = new Int32Array(n);
    out.set(this.a.subarray(0, n));
    return out;
  }

  private make(n: number, like: Cells): Cells {
    if (like instanceof Uint8Array) return new Uint8Array(n);
    if (like instanceof Uint16Array) return new Uint16Array(n);
    return new Int32Array(n);
  }

  private enlarge(min: number): void {
    // by half: once a search is big these arrays are a good part of its memory,
    // and doubling leaves them a quarter empty on average
    let n = Math.ceil(this.a.length * 1.5);
    while (n < min) n = Math.ceil(n * 1.5);
    if (!this.allow(n * this.a.BYTES_PER_ELEMENT)) throw new RangeError("memory budget");
    const b = this.make(n, this.a);
    b.set(this.a);
    this.a = b;
  }

  private widen(v: number): void {
    const a = this.a;
    const fits16 = v >= 0 && v < 65536;
    const b: Cells =
      a instanceof Uint8Array && fits16 ? new Uint16Array(a.length) : new Int32Array(a.length);
    if (!this.allow(b.byteLength)) throw new RangeError("memory budget");
    b.set(a);
    this.a = b;
  }
}

/**
 * Dense codes for a system's actions, numbered in the order they are first
 * seen: an action may be a wide number (the model's are kind << 16 | index)
 * but a search meets few distinct ones, so a SmallInts of codes stays one
 * byte a state where the actions themselves would take four.
 */
export class ActionCodes {
  /** Code → action. */
  readonly actions: number[] = [];
  private readonly codes = new Map<number, number>();

  get bytes(): number {
    return this.actions.length * 16;
  }

  code(a: number): number {
    let c = this.codes.get(a);
    if (c === undefined) {
      c = this.actions.length;
      this.actions.push(a | 0); // as an int32 store would give it back (-0 is 0)
      this.codes.set(a, c);
    }
    return c;
  }
}

/**
 * A growable array of integers of a fixed number of bits (1, 2, 4, 8 or 16),
 * packed into 32-bit words: the owner of each edge of a worker's pending
 * graph takes one bit with two workers, where a byte would take eight.
 */
export class PackedInts {
  private a: Uint32Array;
  private readonly per: number;
  private readonly perBits: number;
  private readonly mask: number;

  constructor(
    readonly bits: 1 | 2 | 4 | 8 | 16,
    private readonly allow: AllowGrowth = () => true,
  ) {
    this.per = 32 / bits;
    this.perBits = Math.log2(this.per);
    this.mask = bits === 16 ? 0xffff : (1 << bits) - 1;
    this.a = new Uint32Array(64);
  }

  /** The fewest bits that hold values below n. */
  static bitsFor(n: number): 1 | 2 | 4 | 8 | 16 {
    for (const b of [1, 2, 4, 8] as const) if (n <= 2 ** b) return b;
    if (n > 2 ** 16) throw new Error(`pinlab bug: PackedInts of ${n} values`);
    return 16;
  }

  get bytes(): number {
    return this.a.byteLength;
  }

  get(i: number): number {
    return PackedInts.at(this.a, this.bits, i);
  }

  /** Value i of the words `view` returned (e.g. in another thread). */
  static at(words: Uint32Array, bits: number, i: number): number {
    // shifts, not a division: bits and 32 / bits are powers of two (i < 2^32)
    const lb = 31 - Math.clz32(bits);
    const perBits = 5 - lb;
    return (words[i >>> perBits]! >>> ((i & ((1 << perBits) - 1)) << lb)) & ((1 << bits) - 1);
  }

  set(i: number, v: number): void {
    const w = i >>> this.perBits;
    if (w >= this.a.length) {
      let n = Math.ceil(this.a.length * 1.5);
      while (n <= w) n = Math.ceil(n * 1.5);
      if (!this.allow(n * 4)) throw new RangeError("memory budget");
      const b = new Uint32Array(n);
      b.set(this.a);
      this.a = b;
    }
    const sh = (i & (this.per - 1)) * this.bits;
    this.a[w] = ((this.a[w]! & ~(this.mask << sh)) | ((v & this.mask) << sh)) >>> 0;
  }

  /** The words holding the first n values, without a copy. */
  view(n: number): Uint32Array {
    return this.a.subarray(0, Math.ceil(n / this.per));
  }
}
