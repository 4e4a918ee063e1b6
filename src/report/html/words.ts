/**
 * Numbers and counts in words, shared by the header, the matrix and the
 * scenario grids so that they read alike.
 */

/** "1 step", "8 steps", "9 policies". */
export const plural = (n: number, word: string, many = `${word}s`) =>
  `${n} ${n === 1 ? word : many}`;

/** Thousands separated the English way, whatever the locale of the machine. */
export const fmt = (n: number) => n.toLocaleString("en");
