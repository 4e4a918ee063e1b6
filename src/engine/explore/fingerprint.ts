/**
 * Both lanes of the state fingerprint (model/fingerprint.ts: fpHi, fpLo) in
 * one pass over the words: the explorer fingerprints every successor, and
 * one loop instead of two saves about a third of that cost. The arithmetic is
 * lane for lane that of fpHi and fpLo (a test pins them equal), so
 * fingerprints agree wherever they are computed.
 */

/** Writes (fpHi(s) | 0, fpLo(s) | 0) to out[at], out[at + 1]. */
export function fingerprintInto(s: Int32Array, out: Int32Array, at: number): void {
  let h = 0x9747b28c | 0;
  let g = 0x2f693b5d | 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const w = s[i]!;
    let k = Math.imul(w ^ i, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    let q = Math.imul(w + Math.imul(i, 0x27d4eb2d), 0x85ebca77);
    q = (q << 13) | (q >>> 19);
    g = Math.imul(g ^ q, 0x9e3779b1);
    g = (g << 17) | (g >>> 15);
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  g ^= g >>> 15;
  g = Math.imul(g, 0x2c1b3c6d);
  g ^= g >>> 12;
  g = Math.imul(g, 0x297a2d39);
  g ^= g >>> 15;
  out[at] = h;
  out[at + 1] = g;
}
