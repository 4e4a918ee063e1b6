/**
 * One vocabulary for verdicts (mirrored by `look` in the inline script), so
 * the matrix, the scenario grids and the drill-down say the same thing.
 */

/**
 * How a verdict is shown. A safety or liveness property that is "Sometimes"
 * is a violation (bad news); a possibility that is "Sometimes" (e.g. RDMA on
 * fs-DAX works at all) is good news. Each tone has a symbol and words, so
 * colour is never the only signal.
 */
export type Tone = "bad" | "good" | "unknown" | "possible" | "impossible";

/** A verdict as the page shows it: its tone (the colour), a symbol and words. */
export interface Look {
  readonly tone: Tone;
  readonly symbol: string;
  readonly word: string;
  readonly note: string;
}

/** How a verdict of a property of the given kind reads, everywhere on the page. */
export function look(kind: string, verdict: string, proved: boolean): Look {
  const possibility = kind === "possibility";
  if (verdict === "Sometimes")
    return possibility
      ? { tone: "possible", symbol: "◆", word: "Sometimes", note: "possible" }
      : { tone: "bad", symbol: "✗", word: "Sometimes", note: "violated" };
  if (!proved) return { tone: "unknown", symbol: "?", word: "Never", note: "not proved" };
  return possibility
    ? { tone: "impossible", symbol: "–", word: "Never", note: "impossible" }
    : { tone: "good", symbol: "✓", word: "Never", note: "proved" };
}
