/**
 * XXH64 (Yann Collet's xxHash, 64-bit, seed 0; doc/xxhash_spec.md in
 * github.com/Cyan4973/xxHash) of a state's bytes, as a WebAssembly function
 * assembled here: JavaScript has no fast 64-bit multiply, and one 64-bit
 * multiply-rotate round per 8 bytes is a fifth of the cost of two 32-bit
 * multiply-rotate lanes per word in JavaScript (about 160 ns instead of 800
 * for a 191-word state).
 *
 * A state is a whole number of words, so only the 8- and 4-byte tails of the
 * algorithm occur. The bytes are the Int32Array's own (little-endian, as
 * WebAssembly memory always is), so the value is XXH64 of those bytes as any
 * implementation computes it (xxh64.test.ts holds it to one written from the
 * specification).
 *
 * A `Hasher` owns one instance with its own memory. Its `buffers` are views
 * into that memory, so a state built in one (the explorer's successor and
 * canonical scratch) is hashed where it lies; any other array is copied in
 * first. The memory never grows once buffers are handed out, since growing
 * would detach them.
 */
import {
  BLOCK,
  br,
  brIf,
  ELSE,
  END,
  get,
  I32_ADD,
  I32_GE_U,
  I32_GT_U,
  I32_LE_U,
  I32_SUB,
  I32T,
  I64_ADD,
  I64_EXTEND_I32_U,
  I64_MUL,
  I64_ROTL,
  I64_SHR_U,
  I64_XOR,
  I64T,
  IF,
  i32,
  i64,
  LOOP,
  load32u,
  load64,
  moduleOf,
  set,
  store64,
  tee,
  webAssemblyIsOff,
} from "./wasm.js";

const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;

// locals: params ptr, len (bytes); then end, limit (i32); v1..v4, h (i64)
const PTR = 0;
const LEN = 1;
const ENDP = 2;
const LIMIT = 3;
const V = [4, 5, 6, 7] as const;
const H = 8;

/** XXH64's round: rotl(acc + lane·P2, 31)·P1, `lane` being code that pushes the i64. */
const roundOf = (acc: number[], lane: number[]) => [
  ...acc,
  ...lane,
  ...i64(P2),
  ...I64_MUL,
  ...I64_ADD,
  ...i64(31n),
  ...I64_ROTL,
  ...i64(P1),
  ...I64_MUL,
];

/** h = (h ^ round(0, v))·P1 + P4 */
const merge = (v: number) => [
  ...get(H),
  ...roundOf(i64(0n), get(v)),
  ...I64_XOR,
  ...i64(P1),
  ...I64_MUL,
  ...i64(P4),
  ...I64_ADD,
  ...set(H),
];

/** (func (param ptr len)): XXH64 of memory[ptr, ptr + len), len a multiple of 4, stored at 0. */
const BODY = [
  ...get(PTR),
  ...get(LEN),
  ...I32_ADD,
  ...set(ENDP),
  ...get(LEN),
  ...i32(32),
  ...I32_GE_U,
  ...IF,
  // four accumulators over 32-byte stripes
  ...i64(P1 + P2),
  ...set(V[0]),
  ...i64(P2),
  ...set(V[1]),
  ...i64(0n),
  ...set(V[2]),
  ...i64(-P1),
  ...set(V[3]),
  ...get(ENDP),
  ...i32(32),
  ...I32_SUB,
  ...set(LIMIT),
  ...LOOP,
  ...V.flatMap((v, k) => [...roundOf(get(v), [...get(PTR), ...load64(8 * k)]), ...set(v)]),
  ...get(PTR),
  ...i32(32),
  ...I32_ADD,
  ...tee(PTR),
  ...get(LIMIT),
  ...I32_LE_U,
  ...brIf(0),
  ...END,
  ...[1n, 7n, 12n, 18n].flatMap((r, k) => [
    ...get(V[k]!),
    ...i64(r),
    ...I64_ROTL,
    ...(k > 0 ? I64_ADD : []),
  ]),
  ...set(H),
  ...V.flatMap(merge),
  ...ELSE,
  ...i64(P5),
  ...set(H),
  ...END,
  ...get(H),
  ...get(LEN),
  ...I64_EXTEND_I32_U,
  ...I64_ADD,
  ...set(H),
  // 8-byte tail
  ...BLOCK,
  ...LOOP,
  ...get(PTR),
  ...i32(8),
  ...I32_ADD,
  ...get(ENDP),
  ...I32_GT_U,
  ...brIf(1),
  ...get(H),
  ...roundOf(i64(0n), [...get(PTR), ...load64(0)]),
  ...I64_XOR,
  ...i64(27n),
  ...I64_ROTL,
  ...i64(P1),
  ...I64_MUL,
  ...i64(P4),
  ...I64_ADD,
  ...set(H),
  ...get(PTR),
  ...i32(8),
  ...I32_ADD,
  ...set(PTR),
  ...br(0),
  ...END,
  ...END,
  // 4-byte tail
  ...get(PTR),
  ...i32(4),
  ...I32_ADD,
  ...get(ENDP),
  ...I32_LE_U,
  ...IF,
  ...get(H),
  ...get(PTR),
  ...load32u(0),
  ...i64(P1),
  ...I64_MUL,
  ...I64_XOR,
  ...i64(23n),
  ...I64_ROTL,
  ...i64(P2),
  ...I64_MUL,
  ...i64(P3),
  ...I64_ADD,
  ...set(H),
  ...END,
  // avalanche
  ...get(H),
  ...get(H),
  ...i64(33n),
  ...I64_SHR_U,
  ...I64_XOR,
  ...i64(P2),
  ...I64_MUL,
  ...tee(H),
  ...get(H),
  ...i64(29n),
  ...I64_SHR_U,
  ...I64_XOR,
  ...i64(P3),
  ...I64_MUL,
  ...tee(H),
  ...get(H),
  ...i64(32n),
  ...I64_SHR_U,
  ...I64_XOR,
  ...set(H),
  ...i32(0),
  ...get(H),
  ...store64(0),
  ...END,
];

function moduleBytes(): Uint8Array<ArrayBuffer> {
  // (func (param ptr len)), locals end, limit (i32), v1..v4, h (i64)
  return moduleOf(
    "h",
    [I32T, I32T],
    [],
    [
      [2, I32T],
      [5, I64T],
    ],
    BODY,
  );
}

let compiled: WebAssembly.Module | null = null;
/** Bytes 0-7 hold the result; states start here. */
const BASE = 16;
const PAGE = 65536;

/** XXH64 over states of up to `words` words, with `buffers` state buffers in its memory. */
export class Hasher {
  private readonly hash: (ptr: number, len: number) => void;
  /** Whether the hash runs as WebAssembly (else as the JavaScript `xxh64Js`). */
  readonly wasm: boolean;
  private readonly out: Int32Array;
  private readonly stage: Int32Array;
  /** State buffers of `words` words each, hashed without a copy (at most three). */
  readonly buffers: Int32Array[];

  /** `js`: run the JavaScript version even where WebAssembly memory can be had (for tests). */
  constructor(
    readonly words: number,
    buffers = 0,
    js = false,
  ) {
    if (buffers > 3) throw new Error("pinlab bug: a Hasher has at most three buffers");
    const bytes = BASE + (buffers + 1) * words * 4;
    let buffer: ArrayBuffer;
    try {
      if (js || webAssemblyIsOff()) throw new Error("JavaScript asked for");
      compiled ??= new WebAssembly.Module(moduleBytes());
      const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
      const inst = new WebAssembly.Instance(compiled, { e: { m: memory } });
      this.hash = inst.exports.h as (ptr: number, len: number) => void;
      buffer = memory.buffer;
      this.wasm = true;
    } catch {
      // V8 reserves gigabytes of address space for a WebAssembly memory, which
      // fails under `ulimit -v`; a page's Content-Security-Policy may forbid
      // compiling WebAssembly. The same function then runs in JavaScript
      // (about 20 times slower, the same values).
      const m = new Int32Array(bytes / 4);
      this.hash = (ptr, len) => xxh64Js(m, ptr >> 2, len >> 2);
      buffer = m.buffer;
      this.wasm = false;
    }
    this.out = new Int32Array(buffer, 0, 2);
    this.stage = new Int32Array(buffer, BASE, words);
    this.buffers = Array.from(
      { length: buffers },
      (_, i) => new Int32Array(buffer, BASE + (i + 1) * words * 4, words),
    );
  }

  /**
   * Writes the high and low halves of XXH64(s) to out[at], out[at + 1].
   * `s` is one of `buffers`, or any array of at most `words` words (copied in).
   */
  into(s: Int32Array, out: Int32Array, at: number): void {
    const b = this.buffers;
    if (b.length > 0 && (s === b[0] || s === b[1] || s === b[2]))
      this.hash(s.byteOffset, s.length * 4);
    else {
      this.stage.set(s);
      this.hash(BASE, s.length * 4);
    }
    out[at] = this.out[1]!;
    out[at + 1] = this.out[0]!;
  }
}

// ---- the same function in JavaScript, on 32-bit halves ----

/**
 * The high and low halves of the 64-bit value last computed. In an
 * Int32Array, not two variables: a variable holding a number beyond 31 bits
 * is boxed, and each assignment would allocate.
 */
const R = new Int32Array(2);

/** (ah, al) · (bh, bl) mod 2⁶⁴ into R. */
function mul(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const carry = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  R[1] = Math.imul(al, bl);
  R[0] = (carry + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
}

function add(ah: number, al: number, bh: number, bl: number): void {
  const lo = (al >>> 0) + (bl >>> 0);
  R[1] = lo | 0;
  R[0] = (ah + bh + (lo > 0xffffffff ? 1 : 0)) | 0;
}

/** rotl by 0 < r < 32 */
function rotl(h: number, l: number, r: number): void {
  R[0] = (h << r) | (l >>> (32 - r));
  R[1] = (l << r) | (h >>> (32 - r));
}

const hi = (x: bigint) => Number(BigInt.asIntN(32, x >> 32n));
const lo = (x: bigint) => Number(BigInt.asIntN(32, x));
const P1H = hi(P1);
const P1L = lo(P1);
const P2H = hi(P2);
const P2L = lo(P2);
const P3H = hi(P3);
const P5H = hi(P5);
const P5L = lo(P5);
const P3L = lo(P3);
const P4H = hi(P4);
const P4L = lo(P4);
const V0 = [hi(P1 + P2), lo(P1 + P2), P2H, P2L, 0, 0, hi(-P1), lo(-P1)];
const v = new Int32Array(8);

/** round(acc, lane) into R. */
function round(ah: number, al: number, lh: number, ll: number): void {
  mul(lh, ll, P2H, P2L);
  add(ah, al, R[0]!, R[1]!);
  rotl(R[0]!, R[1]!, 31);
  mul(R[0]!, R[1]!, P1H, P1L);
}

/** XXH64 of words m[p, p + n), stored as low, high at m[0], m[1]. */
export function xxh64Js(m: Int32Array, p: number, n: number): void {
  const end = p + n;
  let h0: number;
  let l0: number;
  if (n >= 8) {
    v.set(V0);
    for (; p + 8 <= end; p += 8)
      for (let k = 0; k < 4; k++) {
        round(v[2 * k]!, v[2 * k + 1]!, m[p + 2 * k + 1]!, m[p + 2 * k]!);
        v[2 * k] = R[0]!;
        v[2 * k + 1] = R[1]!;
      }
    const rots = [1, 7, 12, 18];
    h0 = 0;
    l0 = 0;
    for (let k = 0; k < 4; k++) {
      rotl(v[2 * k]!, v[2 * k + 1]!, rots[k]!);
      add(h0, l0, R[0]!, R[1]!);
      h0 = R[0]!;
      l0 = R[1]!;
    }
    for (let k = 0; k < 4; k++) {
      round(0, 0, v[2 * k]!, v[2 * k + 1]!);
      mul(h0 ^ R[0]!, l0 ^ R[1]!, P1H, P1L);
      add(R[0]!, R[1]!, P4H, P4L);
      h0 = R[0]!;
      l0 = R[1]!;
    }
  } else {
    h0 = P5H;
    l0 = P5L;
  }
  add(h0, l0, 0, n * 4);
  h0 = R[0]!;
  l0 = R[1]!;
  for (; p + 2 <= end; p += 2) {
    round(0, 0, m[p + 1]!, m[p]!);
    rotl(h0 ^ R[0]!, l0 ^ R[1]!, 27);
    mul(R[0]!, R[1]!, P1H, P1L);
    add(R[0]!, R[1]!, P4H, P4L);
    h0 = R[0]!;
    l0 = R[1]!;
  }
  if (p < end) {
    mul(0, m[p]!, P1H, P1L);
    rotl(h0 ^ R[0]!, l0 ^ R[1]!, 23);
    mul(R[0]!, R[1]!, P2H, P2L);
    add(R[0]!, R[1]!, P3H, P3L);
    h0 = R[0]!;
    l0 = R[1]!;
  }
  // avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32
  mul(h0, l0 ^ (h0 >>> 1), P2H, P2L);
  h0 = R[0]!;
  l0 = R[1]!;
  mul(h0 ^ (h0 >>> 29), l0 ^ ((h0 << 3) | (l0 >>> 29)), P3H, P3L);
  h0 = R[0]!;
  l0 = R[1]!;
  m[0] = l0 ^ h0;
  m[1] = h0;
}
