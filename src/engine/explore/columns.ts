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

/** Bytes per chunk of `VarintChunks` (a power of two: 256 KiB). */
const BYTE_CHUNK_BITS = 18;
const BYTE_CHUNK = 1 << BYTE_CHUNK_BITS;

/** Zigzag: v ≥ 0 as 2v, v < 0 as −2v − 1, so that small magnitudes make small varints. */
export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

/** The inverse of `zigzag`. */
export function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/**
 * The value of the varint at byte offset `at` of `chunks` (whole BYTE_CHUNK
 * chunks, the last perhaps shorter); `cur.after` gets the offset after it.
 */
function readAt(chunks: readonly Uint8Array[], at: number, cur: { after: number }): number {
  let c = at < 0x80000000 ? at >>> BYTE_CHUNK_BITS : Math.floor(at / BYTE_CHUNK);
  let chunk = chunks[c]!;
  let i = at - c * BYTE_CHUNK;
  let b = chunk[i]!;
  if (b < 0x80) {
    // one byte: most edges
    cur.after = at + 1;
    return b & 1 ? -((b + 1) >>> 1) : b >>> 1;
  }
  let z = b & 0x7f;
  let scale = 0x80;
  let pos = at + 1;
  for (;;) {
    if (++i === BYTE_CHUNK) {
      chunk = chunks[++c]!;
      i = 0;
    }
    b = chunk[i]!;
    z += (b & 0x7f) * scale;
    pos++;
    if (b < 0x80) break;
    scale *= 0x80;
  }
  cur.after = pos;
  return unzigzag(z);
}

/**
 * A growable stream of signed integers, each written as a zigzag varint (LEB128
 * of 2v for v ≥ 0, −2v − 1 for v < 0: seven bits a byte, the high bit set on
 * every byte but the last) in fixed-size byte chunks. A small magnitude costs
 * one byte, up to ±8 Ki two, up to ±1 Mi three. Values are read back from a
 * byte offset (`read`, then `after` is the offset of the next), in order.
 */
export class VarintChunks {
  /** Bytes written. */
  length = 0;
  /** Values written. */
  count = 0;
  /** Offset after the value `read` returned last. */
  after = 0;
  private readonly chunks: Uint8Array[] = [];

  constructor(private readonly allow: AllowGrowth = () => true) {}

  get bytes(): number {
    return (this.chunks.length + (this.ahead ? 1 : 0)) * BYTE_CHUNK;
  }

  /** Appends v: whole, or (when a chunk cannot be had) not at all. */
  push(v: number): void {
    let z = zigzag(v);
    // at most 8 bytes (53 bits): the next chunk, if these may reach it, comes first
    if (this.fill + 8 > BYTE_CHUNK && this.ahead === null) {
      if (!this.allow(BYTE_CHUNK)) throw new RangeError("memory budget");
      this.ahead = new Uint8Array(BYTE_CHUNK);
    }
    while (z >= 0x80) {
      this.byte((z & 0x7f) | 0x80);
      z = Math.floor(z / 0x80);
    }
    this.byte(z);
    this.count++;
  }

  /** The chunk being written, the next byte's index in it, and the one to write next. */
  private tail: Uint8Array | null = null;
  private fill = BYTE_CHUNK;
  private ahead: Uint8Array | null = null;

  private byte(b: number): void {
    if (this.fill === BYTE_CHUNK) {
      this.tail = this.ahead!;
      this.ahead = null;
      this.chunks.push(this.tail);
      this.fill = 0;
    }
    this.tail![this.fill++] = b;
    this.length++;
  }

  /** The used parts of the chunks, in order (views, e.g. to transfer to another thread). */
  parts(): Uint8Array[] {
    return this.chunks.map((c, i) => (i === this.chunks.length - 1 ? c.subarray(0, this.fill) : c));
  }

  /** The value that starts at byte offset `at`; sets `after` to the offset of the next one. */
  read(at: number): number {
    return readAt(this.chunks, at, this);
  }

  /** The byte offset after the `k` values that start at byte offset `at`. */
  skip(at: number, k: number): number {
    let pos = at;
    let c = pos < 0x80000000 ? pos >>> BYTE_CHUNK_BITS : Math.floor(pos / BYTE_CHUNK);
    let i = pos - c * BYTE_CHUNK;
    let chunk = this.chunks[c];
    while (k > 0) {
      if (chunk![i++]! < 0x80) k--;
      pos++;
      if (i === BYTE_CHUNK) {
        chunk = this.chunks[++c];
        i = 0;
      }
    }
    return pos;
  }
}

/**
 * Reads the values of VarintChunks' `parts` in order (e.g. in another
 * thread), keeping its place in the current part: it runs once per edge of a
 * joined pending graph. A varint may run across two parts.
 */
export class VarintReader {
  private part = 0;
  private i = 0;
  private cur: Uint8Array;

  /** `at`: the byte offset to start from (parts are whole chunks but the last). */
  constructor(
    private readonly parts: readonly Uint8Array[],
    at = 0,
  ) {
    const c = at < 0x80000000 ? at >>> BYTE_CHUNK_BITS : Math.floor(at / BYTE_CHUNK);
    this.part = c;
    this.cur = parts[c] ?? new Uint8Array(0);
    this.i = at - c * BYTE_CHUNK;
  }

  /** Whether a value remains. */
  get more(): boolean {
    return this.i < this.cur.length || this.nextPart();
  }

  /** The next value (call only while `more`). */
  next(): number {
    const c = this.cur;
    if (this.i < c.length) {
      const b = c[this.i]!;
      if (b < 0x80) {
        // one byte: most values
        this.i++;
        return b & 1 ? -((b + 1) >>> 1) : b >>> 1;
      }
    }
    // (pushes are whole, so a stream never ends inside a varint)
    let b = this.byte();
    let z = b & 0x7f;
    for (let scale = 0x80; b >= 0x80; scale *= 0x80) {
      b = this.byte();
      z += (b & 0x7f) * scale;
    }
    return unzigzag(z);
  }

  private byte(): number {
    if (this.i >= this.cur.length) this.nextPart();
    return this.cur[this.i++]!;
  }

  /** Moves to the next part that is not empty; false if there is none. */
  private nextPart(): boolean {
    while (this.i >= this.cur.length) {
      if (this.part + 1 >= this.parts.length) return false;
      this.cur = this.parts[++this.part]!;
      this.i = 0;
    }
    return true;
  }
}

/** Values a checkpoint of `DeltaLinks` covers. */
const LINK_CHECK = 64;

/** What `DeltaLinks.export` gives, to read with `DeltaLinks.at` (e.g. in another thread). */
export interface DeltaLinksData {
  readonly parts: readonly Uint8Array[];
  /** Per checkpoint: its first value, and the byte offset of its run. */
  readonly base: Float64Array;
  readonly offsets: Float64Array;
}

/**
 * A growable array of integers that change little from one to the next (a
 * worker's parent links: states stored one after the other mostly share their
 * parent or follow it), as varints of the difference from the previous value,
 * about a byte each. Every LINK_CHECK values a checkpoint keeps the value
 * and where its run starts, so reading value i decodes at most LINK_CHECK
 * values: cheap for the few paths a witness rebuilds.
 */
export class DeltaLinks {
  length = 0;
  private last = 0;
  private readonly stream: VarintChunks;
  private readonly base: number[] = [];
  private readonly offsets: number[] = [];

  constructor(allow: AllowGrowth = () => true) {
    this.stream = new VarintChunks(allow);
  }

  get bytes(): number {
    return this.stream.bytes + this.base.length * 16;
  }

  push(v: number): void {
    // the stream first: if it cannot grow, nothing here has changed
    const check = this.length % LINK_CHECK === 0;
    const at = this.stream.length;
    this.stream.push(check ? 0 : v - this.last);
    if (check) {
      this.base.push(v);
      this.offsets.push(at);
    }
    this.last = v;
    this.length++;
  }

  /** The data, as views (nothing copied but the checkpoints). */
  export(): DeltaLinksData {
    return {
      parts: this.stream.parts(),
      base: Float64Array.from(this.base),
      offsets: Float64Array.from(this.offsets),
    };
  }

  /** Value i of exported data. */
  static at(d: DeltaLinksData, i: number): number {
    const k = Math.floor(i / LINK_CHECK);
    const r = new VarintReader(d.parts, d.offsets[k]!);
    let v = d.base[k]!;
    for (let j = k * LINK_CHECK; j <= i; j++) v += r.next();
    return v;
  }
}
