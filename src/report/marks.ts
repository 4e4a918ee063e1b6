/**
 * One vocabulary of marks for every format (text, Markdown, JSON, HTML), so
 * that a shown result is never drawn as a violation and a cost is never
 * painted like corruption.
 *
 * A property that happens is one of five things, by its group and kind:
 * - `violation`: a safety property's event (corruption, a kernel bug);
 * - `hang`: a liveness failure (an operation that never returns);
 * - `cost`: what progress costs (a refusal, a revoke, a kill, stranded space);
 * - `possible`: a capability that can happen (good news);
 * - `shown`: a scenario's `expect P.op returns R` that some run gets.
 * When it does not happen the outcome is `proved` (a Never over a complete
 * search), `impossible` (a capability that can never happen), `not-shown`
 * (a result no run gets) or `unproved` (a bound was hit).
 */

/** What a property's occurrence is. */
export type Mark = "violation" | "hang" | "cost" | "possible" | "shown";

/** A verdict as every format shows it: a mark when it happened, else how it did not. */
export type Outcome = Mark | "proved" | "impossible" | "not-shown" | "unproved";

/** The groups of properties (`result`: the synthetic `expect P.op returns R` properties). */
export type Group = "safety" | "cost" | "capability" | "result";

export interface OutcomeLook {
  /** One character, the same in the terminal and on the page. */
  readonly symbol: string;
  /** What the mark says after the property's name: `foreign-dma violated`. */
  readonly word: string;
  /** The outcome in a few words, for legends and tooltips. */
  readonly note: string;
}

export const OUTCOMES: Readonly<Record<Outcome, OutcomeLook>> = {
  violation: { symbol: "✗", word: "violated", note: "violated" },
  hang: { symbol: "∞", word: "never returns", note: "liveness failure" },
  cost: { symbol: "▲", word: "happens", note: "a cost paid" },
  possible: { symbol: "◆", word: "possible", note: "possible" },
  shown: { symbol: "⚑", word: "shown", note: "result shown" },
  proved: { symbol: "✓", word: "never", note: "proved" },
  impossible: { symbol: "–", word: "never", note: "impossible" },
  "not-shown": { symbol: "–", word: "not shown", note: "result never shown" },
  unproved: { symbol: "?", word: "not seen", note: "not proved" },
};

/** The group of a property by name: a bundled one's own, else a result expectation's. */
export function groupOf(
  name: string,
  properties: readonly { readonly name: string; readonly group?: string }[],
): Group {
  const p = properties.find((x) => x.name === name);
  if (!p) return "result";
  return (p.group ?? "safety") as Group;
}

/** What an occurrence of a property of this group and kind is. */
export function markOf(p: { readonly group?: string; readonly kind: string }): Mark {
  if (p.group === "result") return "shown";
  if (p.kind === "possibility") return "possible";
  if (p.kind === "liveness") return "hang";
  if (p.group === "cost") return "cost";
  return "violation";
}

/** The outcome of a verdict (`Sometimes` or `Never`, proved or not). */
export function outcomeOf(
  p: { readonly group?: string; readonly kind: string },
  verdict: string,
  proved: boolean,
): Outcome {
  if (verdict === "Sometimes") return markOf(p);
  if (!proved) return "unproved";
  if (p.group === "result") return "not-shown";
  return p.kind === "possibility" ? "impossible" : "proved";
}

/** A step's mark in words: `✗ foreign-dma violated`, `⚑ server.reg_mr returns ok shown`. */
export function markText(name: string, mark: Mark): string {
  const l = OUTCOMES[mark];
  return `${l.symbol} ${name} ${l.word}`;
}

/**
 * Beside a verdict that rests on a scenario's stated assumption (`assume
 * holders answer within lease_break_time`): explored without it, the
 * verdict differs. The same character in the terminal, Markdown and HTML.
 */
export const ASSUMED = {
  symbol: "*",
  note: "rests on an assumption the scenario states: without it the verdict differs",
} as const;
