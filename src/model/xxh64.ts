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

const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;

// ---- a few WebAssembly instructions (binary format, WebAssembly core spec §5) ----

function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

function sleb(v: bigint): number[] {
  let x = BigInt.asIntN(64, v);
  const out: number[] = [];
  for (;;) {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    if ((x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));

const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const tee = (i: number) => [0x22, i];
const i32 = (v: number) => [0x41, ...sleb(BigInt(v))];
const i64 = (v: bigint) => [0x42, ...sleb(v)];
const I32_ADD = [0x6a];
const I32_SUB = [0x6b];
const I32_LE_U = [0x4d];
const I32_GT_U = [0x4b];
const I32_GE_U = [0x4f];
const I64_ADD = [0x7c];
const I64_MUL = [0x7e];
const I64_XOR = [0x85];
const I64_SHR_U = [0x88];
const I64_ROTL = [0x89];
const I64_EXTEND_I32_U = [0xad];
const load64 = (offset: number) => [0x29, 3, ...uleb(offset)];
const load32u = (offset: number) => [0x35, 2, ...uleb(offset)];
const store64 = (offset: number) => [0x37, 3, ...uleb(offset)];
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const IF = [0x04, 0x40];
const ELSE = [0x05];
const END = [0x0b];
const brIf = (depth: number) => [0x0d, depth];
const br = (depth: number) => [0x0c, depth];

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

const I32T = 0x7f;
const I64T = 0x7e;

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const fn = [
    ...vec([
      [...uleb(2), I32T],
      [...uleb(5), I64T],
    ]),
    ...BODY,
  ];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec([[0x60, ...vec([[I32T], [I32T]]), ...vec([])]])), // type: (i32 i32) -> ()
    ...section(2, vec([[...name("e"), ...name("m"), 0x02, 0x00, 0x01]])), // import memory e.m, min 1 page
    ...section(3, vec([[0]])), // one function of type 0
    ...section(7, vec([[...name("h"), 0x00, 0]])), // export it as h
    ...section(10, vec([[...uleb(fn.length), ...fn]])),
  ]);
}

let compiled: WebAssembly.Module | null = null;
let javascriptOnly = false;

/**
 * Makes every Hasher made from now on in this thread run the JavaScript
 * version: where the address space is bounded (`ulimit -v`), each
 * WebAssembly memory would take gigabytes of it.
 */
export function fingerprintInJavaScript(): void {
  javascriptOnly = true;
}

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
      if (js || javascriptOnly) throw new Error("JavaScript asked for");
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
