/**
 * The matrix's aggregation, pure (no threads, no I/O): one policy and one
 * property summed up over every scenario's cell. Reports and the playground
 * import it from here; compare.ts (which runs cells on worker threads)
 * re-exports it.
 */
import type { Cell } from "./cell.js";

export const COMPARE_SCHEMA = "pinlab.compare/2";

export type Aggregate = {
  readonly verdict: "Never" | "Sometimes";
  /** Every cell complete: a Never is a proof. */
  readonly proved: boolean;
  /** Scenarios in which it showed. */
  readonly scenarios: readonly string[];
  /** Scenarios whose Never is vacuous: no page was ever pinned there. */
  readonly vacuous: readonly string[];
  /** Scenarios whose verdict rests on their stated assumptions (without them it differs). */
  readonly assumed: readonly string[];
  /** The scenario with the shortest witness, and its length. */
  readonly shortest: { readonly scenario: string; readonly length: number } | null;
};

/** Per policy and property: Sometimes if any scenario shows it. */
export function aggregate(cells: readonly Cell[], policy: string, property: string): Aggregate {
  const mine = cells.filter((c) => c.policy === policy);
  const shown: { scenario: string; length: number }[] = [];
  const vacuous: string[] = [];
  const assumed: string[] = [];
  for (const c of mine) {
    const v = c.verdicts.find((x) => x.name === property);
    if (v?.assumption) assumed.push(c.scenario);
    if (v?.verdict === "Never" && v.vacuous) vacuous.push(c.scenario);
    if (v?.verdict === "Sometimes")
      shown.push({ scenario: c.scenario, length: v.witnessLength ?? 0 });
  }
  shown.sort((a, b) => a.length - b.length || a.scenario.localeCompare(b.scenario));
  return {
    verdict: shown.length > 0 ? "Sometimes" : "Never",
    proved: mine.every((c) => c.status === "complete"),
    scenarios: shown.map((s) => s.scenario),
    vacuous,
    assumed,
    shortest: shown[0] ?? null,
  };
}
