/**
 * The in-thread search loop shared by the serial search and by the parallel
 * search before it hands over to workers: slices of expansions between looks
 * at the bounds, progress and the event loop.
 */

import type { SerialSearch } from "./bfs.js";
import { type Budget, yieldToEventLoop } from "./budget.js";
import type { System } from "./system.js";
import type { ExploreOptions, ExploreStats, IncompleteReason } from "./types.js";

/**
 * Expansions between two looks at the clock: adapted to what a state costs,
 * so that a slice takes about SLICE_MS whether a state costs a microsecond
 * (the toy systems) or a millisecond (a large scenario on a loaded machine).
 */
const SLICE_MIN = 16;
const SLICE_MAX = 4096;
const SLICE_MS = 10;
/** Longest stretch without letting the event loop run (for Ctrl-C). */
const YIELD_MS = 50;

/** Which reductions apply to `sys` under `opt`. */
export function reductionsFor(
  sys: System,
  opt: ExploreOptions,
): { por: boolean; symmetry: boolean } {
  const por = (opt.por ?? opt.reduce ?? false) && typeof sys.independent === "function";
  const symmetry = (opt.symmetry ?? opt.reduce ?? false) && typeof sys.canonical === "function";
  return { por, symmetry };
}

/**
 * Runs a serial search in slices until it is done, a bound is hit, or (with
 * `pauseFrom`) a level ends once that many states are stored; between slices
 * it checks bounds, reports progress, calls `between` and lets the event loop
 * run. Returns the bound hit, if any; also returns (null) when a search in
 * liveness "watch" mode finds that a cycle may form (`cycleMayForm`).
 */
export async function drive(
  search: SerialSearch<unknown>,
  budget: Budget,
  stats: () => ExploreStats,
  maxStates: number,
  pauseFrom = Number.POSITIVE_INFINITY,
  between: () => void = () => {},
  maxDepth = Number.POSITIVE_INFINITY,
): Promise<IncompleteReason | null> {
  let yieldAt = budget.elapsed();
  let slice = 256;
  try {
    while (search.more) {
      const r = budget.check(search.states);
      if (r) return r;
      between();
      if (search.atDepth(maxDepth)) return "max-depth";
      if (search.states >= pauseFrom && search.atLevelEnd) return null;
      const t0 = budget.elapsed();
      search.run(slice, maxStates, pauseFrom, maxDepth);
      if (search.table.full) return "max-memory";
      if (search.cycleMayForm) return null; // the caller searches again, recording the graph
      budget.tick(stats);
      const t = budget.elapsed();
      if (t - t0 < SLICE_MS / 2) slice = Math.min(SLICE_MAX, slice * 2);
      else if (t - t0 > SLICE_MS * 2) slice = Math.max(SLICE_MIN, slice >> 1);
      if (t - yieldAt >= YIELD_MS) {
        yieldAt = t;
        await yieldToEventLoop();
      }
    }
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return "max-memory";
  }
  return null;
}
