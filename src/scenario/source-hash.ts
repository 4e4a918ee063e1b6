/**
 * A scenario's content hash: 16 hex digits over its source text, so that a
 * replay token, a shard or a report can tell whether the scenario it was made
 * from is the one at hand. Pure (no node:crypto), so it runs in a browser too.
 * It detects edits, not adversaries.
 */

/** Hash of a `.pin` file's text (every character counts, comments included). */
export function sourceHash(text: string): string {
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x9747b28c | 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 ^= text.length;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b);
  h1 = Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0x2c1b3c6d);
  h2 ^= h2 >>> 12;
  const hex = (h: number) => (h >>> 0).toString(16).padStart(8, "0");
  return hex(h1) + hex(h2);
}

/**
 * Hash of a scenario that has no source file (a builder scenario): its plain
 * data, which the builder produces in a fixed order.
 */
export function specHash(spec: unknown): string {
  return sourceHash(JSON.stringify(spec));
}

/** The content hash of a scenario: of its source text when it has one, else of its data. */
export function scenarioHash(spec: unknown, source: string | null): string {
  return source === null ? specHash(spec) : sourceHash(source);
}
