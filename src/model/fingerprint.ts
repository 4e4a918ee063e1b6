/**
 * The 64-bit fingerprint of a state: two independent 32-bit hashes over the
 * canonical encoding (the Int32Array itself). Equal states have equal
 * fingerprints by construction; the explorer stores only fingerprints.
 *
 * Each lane is a multiply-rotate mix in the style of MurmurHash3's x86_32 body
 * with a different seed and finaliser, computed in one pass over the words.
 */

/** Lane 1 of the fingerprint (high 32 bits), unsigned. */
export function fpHi(s: Int32Array): number {
  let h = 0x9747b28c | 0;
  for (let i = 0; i < s.length; i++) {
    let k = Math.imul(s[i]! ^ i, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= s.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Lane 2 of the fingerprint (low 32 bits), unsigned; independent of lane 1. */
export function fpLo(s: Int32Array): number {
  let h = 0x2f693b5d | 0;
  for (let i = 0; i < s.length; i++) {
    let k = Math.imul(s[i]! + Math.imul(i, 0x27d4eb2d), 0x85ebca77);
    k = (k << 13) | (k >>> 19);
    h = Math.imul(h ^ k, 0x9e3779b1);
    h = (h << 17) | (h >>> 15);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return h >>> 0;
}

/** The fingerprint as a 16-digit hex string (for tokens and tests). */
export function fingerprintHex(s: Int32Array): string {
  return fpHi(s).toString(16).padStart(8, "0") + fpLo(s).toString(16).padStart(8, "0");
}
