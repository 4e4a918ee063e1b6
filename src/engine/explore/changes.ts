/**
 * The words in which a record differs from the one before it, found four at a
 * time by a WebAssembly SIMD function assembled here: the BFS queue
 * (frontier.ts) writes each record as those differences, and comparing every
 * word in JavaScript took most of a push (a 293-word state of repw-3-10:
 * about 300 ns of loop alone, of 620 ns a push, on a 2.45 GHz AMD EPYC; about
 * 260 ns a push with this). With 128-bit compares, a group of four unchanged
 * words costs one branch.
 *
 * Memory: the record compared (`rec`), the previous record (`prev`) and the
 * output (`out`: per changed word its index and its previous value, in
 * order). `prev` stands for one queue at a time, its owner: a queue that
 * pushes after another first hands the previous record back (`claim`), so
 * each queue's differences are against its own previous record. A search
 * pushes to one queue at a time, so this happens once per level at most.
 *
 * The thread's instance is made at first use, sized for the longest record
 * asked for (made again, bigger, if a longer one comes). Where WebAssembly is
 * off (wasm.ts) or cannot be had, there is none and the queue uses
 * `changedWords`, the same function in JavaScript.
 */
import {
  BLOCK,
  br,
  brIf,
  END,
  get,
  I32_ADD,
  I32_AND,
  I32_GE_U,
  I32_SHR_U,
  I32_SUB,
  I32T,
  I32X4_BITMASK,
  I32X4_NE,
  IF,
  i32,
  LOOP,
  load32,
  moduleOf,
  set,
  store32,
  tee,
  v128load,
  v128store,
  webAssemblyIsOff,
} from "../../model/wasm.js";
import { checkAddressSpace } from "./budget.js";

// params: rec, prev, out (byte addresses), n (bytes, a multiple of 16); locals: i, k, mask
const REC = 0;
const PREV = 1;
const OUT = 2;
const N = 3;
const I = 4;
const K = 5;
const M = 6;

/** For lane j of the group at i, if its bit is in the mask: out[k] = i/4 + j, out[k + 1] = prev's word; k += 8 bytes. */
const lane = (j: number) => [
  ...get(M),
  ...i32(1 << j),
  ...I32_AND,
  ...IF,
  ...get(K),
  ...get(I),
  ...i32(2),
  ...I32_SHR_U,
  ...i32(j),
  ...I32_ADD,
  ...store32(0),
  ...get(K),
  ...get(PREV),
  ...get(I),
  ...I32_ADD,
  ...load32(4 * j),
  ...store32(4),
  ...get(K),
  ...i32(8),
  ...I32_ADD,
  ...set(K),
  ...END,
];

/** (func (param rec prev out n) (result i32)): the number of changed words; prev becomes rec. */
const BODY = [
  ...get(OUT),
  ...set(K),
  ...BLOCK,
  ...LOOP,
  ...get(I),
  ...get(N),
  ...I32_GE_U,
  ...brIf(1),
  ...get(REC),
  ...get(I),
  ...I32_ADD,
  ...v128load(0),
  ...get(PREV),
  ...get(I),
  ...I32_ADD,
  ...v128load(0),
  ...I32X4_NE,
  ...I32X4_BITMASK,
  ...tee(M),
  ...IF,
  ...lane(0),
  ...lane(1),
  ...lane(2),
  ...lane(3),
  ...get(PREV),
  ...get(I),
  ...I32_ADD,
  ...get(REC),
  ...get(I),
  ...I32_ADD,
  ...v128load(0),
  ...v128store(0),
  ...END,
  ...get(I),
  ...i32(16),
  ...I32_ADD,
  ...set(I),
  ...br(0),
  ...END,
  ...END,
  ...get(K),
  ...get(OUT),
  ...I32_SUB,
  ...i32(3),
  ...I32_SHR_U,
  ...END,
];

const PAGE = 65536;
let compiled: WebAssembly.Module | null = null;
let shared: Changes | null = null;
let unavailable = false;

export class Changes {
  /** The record compared, padded to a multiple of four words (the padding stays 0). */
  readonly rec: Int32Array;
  /** Per changed word: its index, then its value in the previous record. */
  readonly out: Int32Array;
  private readonly prev: Int32Array;
  private readonly run: (rec: number, prev: number, out: number, n: number) => number;
  /** The previous-record array of the queue whose record `prev` holds (it is stale in the meantime). */
  private owner: Int32Array | null = null;

  private constructor(readonly capacity: number) {
    const words = Math.ceil(capacity / 4) * 4;
    const bytes = words * 4 * 4;
    compiled ??= new WebAssembly.Module(
      moduleOf("d", [I32T, I32T, I32T, I32T], [I32T], [[3, I32T]], BODY),
    );
    const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
    const inst = new WebAssembly.Instance(compiled, { e: { m: memory } });
    this.run = inst.exports.d as (rec: number, prev: number, out: number, n: number) => number;
    this.rec = new Int32Array(memory.buffer, 0, words);
    this.prev = new Int32Array(memory.buffer, words * 4, words);
    this.out = new Int32Array(memory.buffer, words * 8, words * 2);
  }

  /** This thread's instance for records of `words` words, or null where there can be none. */
  static forRecords(words: number): Changes | null {
    if (shared !== null && shared.capacity >= words) return shared;
    checkAddressSpace();
    if (unavailable || webAssemblyIsOff()) return null;
    try {
      const made = new Changes(Math.max(words, shared?.capacity ?? 0));
      shared?.release();
      shared = made;
      return made;
    } catch {
      // no SIMD, no WebAssembly (a page's policy), or no memory: JavaScript then
      unavailable = true;
      return null;
    }
  }

  /**
   * Compares src[at, at + last.length) with the previous record of the queue
   * that `last` belongs to: returns how many words changed, listed in `out`.
   */
  diff(last: Int32Array, src: Int32Array, at: number): number {
    const n = last.length;
    if (this.owner !== last) this.claim(last);
    const rec = this.rec;
    rec.set(src.subarray(at, at + n));
    const groups = Math.ceil(n / 4);
    // the last group's words past the record, left over from a longer one
    for (let i = n; i < groups * 4; i++) rec[i] = 0;
    const words = rec.length;
    return this.run(0, words * 4, words * 8, groups * 16);
  }

  /** Makes `prev` stand for the queue of `last`, handing the current owner's record back. */
  private claim(last: Int32Array): void {
    this.release();
    this.prev.fill(0);
    this.prev.set(last);
    this.owner = last;
  }

  /** Hands the owner's previous record back to it. */
  private release(): void {
    const o = this.owner;
    if (o !== null) o.set(this.prev.subarray(0, o.length));
    this.owner = null;
  }
}

/**
 * What the WebAssembly function computes, in JavaScript: the words of
 * src[at, at + prev.length) that differ from `prev`, as (index, previous
 * value) pairs in `out`; `prev` becomes the record. Returns their number.
 */
export function changedWords(
  prev: Int32Array,
  src: Int32Array,
  at: number,
  out: Int32Array,
): number {
  let k = 0;
  for (let i = 0; i < prev.length; i++) {
    const v = src[at + i]!;
    const was = prev[i]!;
    if (v === was) continue;
    out[k++] = i;
    out[k++] = was;
    prev[i] = v;
  }
  return k >> 1;
}
