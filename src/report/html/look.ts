/**
 * One vocabulary for verdicts (mirrored by `look` in the inline script), so
 * the matrix, the scenario grids and the drill-down say the same thing, with
 * the marks of every other format (../marks.ts).
 */
import { OUTCOMES, type Outcome, outcomeOf } from "../marks.js";

/**
 * How a verdict is shown: its outcome is its colour (a CSS class), and each
 * outcome has a symbol and words, so colour is never the only signal. A
 * violation, a liveness failure, a cost, a possibility and a shown result
 * each look different; a cost is never painted like corruption.
 */
export type Tone = Outcome;

/** A verdict as the page shows it: its tone (the colour), a symbol and words. */
export interface Look {
  readonly tone: Tone;
  readonly symbol: string;
  /** `Sometimes` or `Never`, as herd7 says it. */
  readonly word: string;
  readonly note: string;
}

/** How a verdict of a property of the given group and kind reads, everywhere on the page. */
export function look(
  p: { readonly group?: string; readonly kind: string },
  verdict: string,
  proved: boolean,
): Look {
  const tone = outcomeOf(p, verdict, proved);
  const o = OUTCOMES[tone];
  return {
    tone,
    symbol: o.symbol,
    word: verdict === "Sometimes" ? "Sometimes" : "Never",
    note: o.note,
  };
}
