/**
 * The BFS queue: fixed-size Int32 records (a state's words, plus whatever the
 * search keeps beside it, e.g. a sleep set), first in, first out, each kept
 * as its difference from the record queued before it.
 *
 * Why differences: the queue holds a whole BFS level, and a level of a big
 * search is millions of states; kept whole, it is most of the search's
 * memory (a state of the kernel model is a couple of hundred words, its
 * fingerprint in the visited set eight bytes). States queued one after the
 * other are successors of neighbouring states and differ in a few words. So
 * a record is written as the words that changed since the previous record:
 * per changed word, a varint of its distance from the previous changed word
 * and a zigzag varint of the change, then a 0. Records come out in the order
 * they went in, so reading applies the same differences to the previous
 * record read. Bytes go to fixed-size chunks, freed (kept for reuse) once
 * read: memory follows the records queued, and nothing is copied as it grows.
 *
 * Usage: `q.push(rec, at)` to enqueue rec[at, at + record), `q.shift(out, at)`
 * to dequeue the oldest into out[at, at + record).
 */
import type { AllowGrowth } from "./table.js";

/** Bytes per chunk (a power of two). */
const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
/** Read chunks kept for the writer to reuse. */
const SPARE_CHUNKS = 16;

export class Frontier {
  /** Records queued. */
  count = 0;
  /** The last record pushed, and the last shifted. */
  private readonly lastIn: Int32Array;
  private readonly lastOut: Int32Array;
  /** Chunks in use, oldest first; `readAt` in the first, `writeAt` in the last. */
  private readonly chunks: Uint8Array[] = [];
  private readAt = 0;
  private writeAt = CHUNK;
  private readonly spare: Uint8Array[] = [];

  constructor(
    readonly record: number,
    private readonly allow: AllowGrowth = () => true,
  ) {
    this.lastIn = new Int32Array(record);
    this.lastOut = new Int32Array(record);
    // the first chunk is not asked for: a search always holds its initial state
    this.spare.push(new Uint8Array(CHUNK));
  }

  /** Bytes of the chunks in use and kept. */
  get bytes(): number {
    return (this.chunks.length + this.spare.length) * CHUNK;
  }

  /** Queues rec[at, at + record). */
  push(rec: Int32Array, at: number): void {
    const prev = this.lastIn;
    const n = this.record;
    this.count++;
    // a record takes at most 11 bytes a word and the end mark: with that much
    // room left in the chunk, write without asking for room byte by byte
    if (CHUNK - this.writeAt < n * 11 + 1) {
      this.pushSlow(rec, at);
      return;
    }
    const c = this.chunks[this.chunks.length - 1]!;
    let w = this.writeAt;
    let last = -1;
    for (let i = 0; i < n; i++) {
      const v = rec[at + i]!;
      const was = prev[i]!;
      if (v === was) continue;
      let z = i - last;
      while (z >= 0x80) {
        c[w++] = (z & 0x7f) | 0x80;
        z >>>= 7;
      }
      c[w++] = z;
      const d = v - was;
      z = d >= 0 ? d * 2 : -d * 2 - 1;
      while (z >= 0x80) {
        c[w++] = (z & 0x7f) | 0x80;
        z = Math.floor(z / 0x80);
      }
      c[w++] = z;
      prev[i] = v;
      last = i;
    }
    c[w++] = 0;
    this.writeAt = w;
  }

  private pushSlow(rec: Int32Array, at: number): void {
    const prev = this.lastIn;
    let last = -1;
    for (let i = 0; i < this.record; i++) {
      const v = rec[at + i]!;
      const was = prev[i]!;
      if (v === was) continue;
      this.varint(i - last);
      const d = v - was;
      this.varint(d >= 0 ? d * 2 : -d * 2 - 1);
      prev[i] = v;
      last = i;
    }
    this.byte(0);
  }

  /** Dequeues the oldest record into out[at, at + record); only when `count > 0`. */
  shift(out: Int32Array, at: number): void {
    const cur = this.lastOut;
    this.count--;
    if (CHUNK - this.readAt < this.record * 11 + 1) {
      this.shiftSlow();
      out.set(cur, at);
      return;
    }
    const c = this.chunks[0]!;
    let r = this.readAt;
    let i = -1;
    for (;;) {
      let b = c[r++]!;
      let gap = b & 0x7f;
      for (let s = 7; b >= 0x80; s += 7) {
        b = c[r++]!;
        gap |= (b & 0x7f) << s;
      }
      if (gap === 0) break;
      i += gap;
      b = c[r++]!;
      let z = b & 0x7f;
      for (let scale = 0x80; b >= 0x80; scale *= 0x80) {
        b = c[r++]!;
        z += (b & 0x7f) * scale;
      }
      cur[i] = cur[i]! + (z % 2 === 0 ? z / 2 : -(z + 1) / 2);
    }
    this.readAt = r;
    out.set(cur, at);
  }

  private shiftSlow(): void {
    const cur = this.lastOut;
    let i = -1;
    for (;;) {
      const gap = this.readVarint();
      if (gap === 0) break;
      i += gap;
      const z = this.readVarint();
      cur[i] = cur[i]! + (z % 2 === 0 ? z / 2 : -(z + 1) / 2);
    }
  }

  /** Writes z ≥ 0 as a varint (seven bits a byte, high bit on all but the last). */
  private varint(z: number): void {
    while (z >= 0x80) {
      this.byte((z & 0x7f) | 0x80);
      z = Math.floor(z / 0x80);
    }
    this.byte(z);
  }

  private byte(b: number): void {
    if (this.writeAt === CHUNK) {
      const c = this.spare.pop() ?? this.fresh();
      this.chunks.push(c);
      this.writeAt = 0;
    }
    this.chunks[this.chunks.length - 1]![this.writeAt++] = b;
  }

  private fresh(): Uint8Array {
    if (!this.allow(CHUNK)) throw new RangeError("memory budget");
    return new Uint8Array(CHUNK);
  }

  private readVarint(): number {
    let z = 0;
    let scale = 1;
    for (;;) {
      if (this.readAt === CHUNK) {
        // the first chunk is read to its end: keep it for the writer
        const done = this.chunks.shift()!;
        if (this.spare.length < SPARE_CHUNKS) this.spare.push(done);
        this.readAt = 0;
      }
      const b = this.chunks[0]![this.readAt++]!;
      z += (b & 0x7f) * scale;
      if (b < 0x80) return z;
      scale *= 0x80;
    }
  }
}
