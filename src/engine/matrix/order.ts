/**
 * The order in which compare starts its cells: the costliest first, so that
 * no worker is left with a long check while the others idle at the end
 * (longest-processing-time scheduling). A cell's cost is predicted from its
 * scenario's size alone: how many ways the actors' operations can interleave.
 */
import { asExplored } from "../../model/replicas.js";
import type { ScenarioSpec } from "../../model/spec.js";
import type { CellJob } from "./cell.js";

/**
 * The log of the number of interleavings of the explored actors' programs
 * (the multinomial n! / (n1! n2! ...)), doubled for a scenario whose stated
 * assumptions make `check` explore it twice. It ranks the bundled library's
 * cells as their measured times do at the top (replicas, multi-pinner,
 * rereg-mr); kernel and hardware choices come on top of it alike everywhere.
 */
export function predictedCost(spec: ScenarioSpec): number {
  const s = asExplored(spec);
  const lengths = [
    ...s.procs.map((p) => p.program.length),
    ...s.peers.map((r) => r.program.length),
  ];
  const n = lengths.reduce((a, b) => a + b, 0);
  let log = logFactorial(n);
  for (const k of lengths) log -= logFactorial(k);
  return log + ((spec.assumptions?.length ?? 0) > 0 ? Math.LN2 : 0);
}

function logFactorial(n: number): number {
  let x = 0;
  for (let k = 2; k <= n; k++) x += Math.log(k);
  return x;
}

/** Job indices, the costliest predicted first (ties in job order). */
export function costliestFirst(jobs: readonly CellJob[]): number[] {
  const bySpec = new Map<ScenarioSpec, number>();
  const cost = jobs.map((j) => {
    const known = bySpec.get(j.spec);
    if (known !== undefined) return known;
    const c = predictedCost(j.spec);
    bySpec.set(j.spec, c);
    return c;
  });
  return jobs.map((_, k) => k).sort((a, b) => cost[b]! - cost[a]! || a - b);
}
