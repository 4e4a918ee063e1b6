/**
 * Which worker owns a state: a function of its fingerprint, so that every
 * worker agrees without asking. It uses the low 16 bits of the high lane,
 * which neither the visited set's segment choice (top bits of the high lane)
 * nor its home slot (the low lane) uses: each worker's table stays uniform.
 */
export function ownerOf(hi: number, workers: number): number {
  return ((hi & 0xffff) * workers) >>> 16;
}
