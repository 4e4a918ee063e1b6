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
 * A record never straddles two chunks: one starts in the next chunk when
 * the room left could not hold the longest record (11 bytes a word), which
 * wastes at most an eighth of a chunk. So a push either writes its record
 * whole or, when a chunk cannot be had, throws before writing anything.
 *
 * Usage: `q.push(rec, at)` to enqueue rec[at, at + record), `q.shift(out, at)`
 * to dequeue the oldest into out[at, at + record).
 */
import { Changes, changedWords } from "./changes.js";
import { unzigzag, zigzag } from "./columns.js";
import type { AllowGrowth } from "./table.js";

/** Bytes per chunk at least (a power of two); more for big records, see `chunk`. */
const MIN_CHUNK = 1 << 16;
/** Read chunks kept for the writer to reuse. */
const SPARE_CHUNKS = 16;

export class Frontier {
  /** Records queued. */
  count = 0;
  /** The last record pushed, and the last shifted. */
  private readonly lastIn: Int32Array;
  private readonly lastOut: Int32Array;
  /** Bytes a record may take at most, and per chunk (at least eight times that). */
  private readonly most: number;
  private readonly chunk: number;
  /** Chunks in use, oldest first; `readAt` in the first, `writeAt` in the last. */
  private readonly chunks: Uint8Array[] = [];
  private readAt = 0;
  private writeAt: number;
  private readonly spare: Uint8Array[] = [];

  /** Finds the changed words (changes.ts), or null: `changedWords` into `changed`. */
  private readonly changes: Changes | null;
  private readonly changed: Int32Array;

  /** `simd`: false to compare in JavaScript (for tests). */
  constructor(
    readonly record: number,
    private readonly allow: AllowGrowth = () => true,
    simd = true,
  ) {
    this.changes = simd ? Changes.forRecords(record) : null;
    this.changed = new Int32Array(this.changes === null ? 2 * record : 0);
    this.lastIn = new Int32Array(record);
    this.lastOut = new Int32Array(record);
    this.most = record * 11 + 1;
    let c = MIN_CHUNK;
    while (c < this.most * 8) c *= 2;
    this.chunk = c;
    this.writeAt = c;
    // the first chunk is not asked for: a search always holds its initial state
    this.spare.push(new Uint8Array(c));
  }

  /** Bytes of the chunks in use and kept. */
  get bytes(): number {
    return (this.chunks.length + this.spare.length) * this.chunk;
  }

  /** Queues rec[at, at + record). */
  push(rec: Int32Array, at: number): void {
    if (this.chunk - this.writeAt < this.most) {
      // the record starts a chunk (allocated before anything is written)
      let c = this.spare.pop();
      if (c === undefined) {
        if (!this.allow(this.chunk)) throw new RangeError("memory budget");
        c = new Uint8Array(this.chunk);
      }
      this.chunks.push(c);
      this.writeAt = 0;
    }
    const c = this.chunks[this.chunks.length - 1]!;
    const prev = this.lastIn;
    let w = this.writeAt;
    let last = -1;
    // the changed words with their previous values (changes.ts), found by SIMD
    // or by the JavaScript twin: either way the same bytes
    const ch = this.changes;
    const out = ch !== null ? ch.out : this.changed;
    const k = ch !== null ? ch.diff(prev, rec, at) : changedWords(prev, rec, at, out);
    for (let j = 0; j < k; j++) {
      const i = out[2 * j]!;
      let z = i - last;
      while (z >= 0x80) {
        c[w++] = (z & 0x7f) | 0x80;
        z >>>= 7;
      }
      c[w++] = z;
      z = zigzag(rec[at + i]! - out[2 * j + 1]!);
      while (z >= 0x80) {
        c[w++] = (z & 0x7f) | 0x80;
        z = Math.floor(z / 0x80);
      }
      c[w++] = z;
      last = i;
    }
    c[w++] = 0;
    this.writeAt = w;
    this.count++;
  }

  /** Dequeues the oldest record into out[at, at + record); only when `count > 0`. */
  shift(out: Int32Array, at: number): void {
    if (this.chunk - this.readAt < this.most) {
      // the writer went on to the next chunk here: this one is read to its end
      const done = this.chunks.shift()!;
      if (this.spare.length < SPARE_CHUNKS) this.spare.push(done);
      this.readAt = 0;
    }
    const c = this.chunks[0]!;
    const cur = this.lastOut;
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
      cur[i] = cur[i]! + unzigzag(z);
    }
    this.readAt = r;
    out.set(cur, at);
    this.count--;
  }
}
