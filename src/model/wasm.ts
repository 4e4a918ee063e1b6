/**
 * A few WebAssembly instructions and the module's framing, in the binary
 * format (WebAssembly core specification §5), for the small functions
 * assembled by hand: xxh64.ts, and the explorer's word diff (engine/explore/changes.ts).
 * Each instruction is a function or constant giving its bytes.
 */

let off = false;

/**
 * From now on in this thread no WebAssembly memory is made, and each function
 * assembled here runs its JavaScript version: where the address space is
 * bounded (`ulimit -v`), V8's reservation of gigabytes for each memory would
 * count against the bound.
 */
export function webAssemblyOff(): void {
  off = true;
}

/** Whether `webAssemblyOff` was called in this thread. */
export function webAssemblyIsOff(): boolean {
  return off;
}

export function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

export function sleb(v: bigint): number[] {
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

export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));

export const get = (i: number) => [0x20, i];
export const set = (i: number) => [0x21, i];
export const tee = (i: number) => [0x22, i];
export const i32 = (v: number) => [0x41, ...sleb(BigInt(v))];
export const i64 = (v: bigint) => [0x42, ...sleb(v)];
export const I32_ADD = [0x6a];
export const I32_SUB = [0x6b];
export const I32_AND = [0x71];
export const I32_SHR_U = [0x76];
export const I32_LE_U = [0x4d];
export const I32_GT_U = [0x4b];
export const I32_GE_U = [0x4f];
export const I64_ADD = [0x7c];
export const I64_MUL = [0x7e];
export const I64_XOR = [0x85];
export const I64_SHR_U = [0x88];
export const I64_ROTL = [0x89];
export const I64_EXTEND_I32_U = [0xad];
export const load32 = (offset: number) => [0x28, 2, ...uleb(offset)];
export const load32u = (offset: number) => [0x35, 2, ...uleb(offset)];
export const load64 = (offset: number) => [0x29, 3, ...uleb(offset)];
export const store32 = (offset: number) => [0x36, 2, ...uleb(offset)];
export const store64 = (offset: number) => [0x37, 3, ...uleb(offset)];
/** 128-bit SIMD (the 0xfd prefix), aligned to 4 bytes: what an Int32Array guarantees. */
export const v128load = (offset: number) => [0xfd, ...uleb(0x00), 2, ...uleb(offset)];
export const v128store = (offset: number) => [0xfd, ...uleb(0x0b), 2, ...uleb(offset)];
export const I32X4_NE = [0xfd, ...uleb(0x38)];
export const I32X4_BITMASK = [0xfd, ...uleb(0xa4)];
export const BLOCK = [0x02, 0x40];
export const LOOP = [0x03, 0x40];
export const IF = [0x04, 0x40];
export const ELSE = [0x05];
export const END = [0x0b];
export const brIf = (depth: number) => [0x0d, depth];
export const br = (depth: number) => [0x0c, depth];
export const I32T = 0x7f;
export const I64T = 0x7e;
const V128T = 0x7b;

export { V128T };

/**
 * A module importing its memory as e.m (at least one page) and exporting one
 * function as `exportName`: its parameter and result types, its locals (as
 * [count, type] runs) and its body (ending in END).
 */
export function moduleOf(
  exportName: string,
  params: number[],
  results: number[],
  locals: [number, number][],
  body: number[],
): Uint8Array<ArrayBuffer> {
  const fn = [...vec(locals.map(([n, t]) => [...uleb(n), t])), ...body];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec([[0x60, ...vec(params.map((t) => [t])), ...vec(results.map((t) => [t]))]])),
    ...section(2, vec([[...name("e"), ...name("m"), 0x02, 0x00, 0x01]])), // import memory e.m, min 1 page
    ...section(3, vec([[0]])), // one function of type 0
    ...section(7, vec([[...name(exportName), 0x00, 0]])),
    ...section(10, vec([[...uleb(fn.length), ...fn]])),
  ]);
}
