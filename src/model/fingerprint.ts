/**
 * The 64-bit fingerprint of a state: XXH64 of its words (xxh64.ts), split
 * into two 32-bit lanes. Equal states have equal fingerprints by
 * construction; the explorer stores only fingerprints, so two distinct states
 * of a search of n states share one with probability about n²/2⁶⁵ (10⁻⁵ at
 * 2·10⁷ states), as with any 64-bit hash compaction.
 */
import { Hasher } from "./xxh64.js";

/** Made at the first use, so that it follows `webAssemblyOff` (wasm.ts). */
let shared: Hasher | null = null;

/** Writes (fpHi(s) | 0, fpLo(s) | 0) to out[at], out[at + 1]. */
export function fingerprintInto(s: Int32Array, out: Int32Array, at: number): void {
  if (shared === null || s.length > shared.words) shared = new Hasher(Math.max(64, 2 * s.length));
  shared.into(s, out, at);
}

const lanes = new Int32Array(2);

/** The high 32 bits of the fingerprint, unsigned. */
export function fpHi(s: Int32Array): number {
  fingerprintInto(s, lanes, 0);
  return lanes[0]! >>> 0;
}

/** The low 32 bits of the fingerprint, unsigned. */
export function fpLo(s: Int32Array): number {
  fingerprintInto(s, lanes, 0);
  return lanes[1]! >>> 0;
}

/** The fingerprint as a 16-digit hex string (for tokens and tests). */
export function fingerprintHex(s: Int32Array): string {
  return fpHi(s).toString(16).padStart(8, "0") + fpLo(s).toString(16).padStart(8, "0");
}
