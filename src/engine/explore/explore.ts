/**
 * `explore`: every reachable state of a System, breadth first, within bounds.
 * Returns a value in every case; see types.ts for what it holds.
 *
 * Reductions (option `reduce`) keep every verdict exact: sleep sets (por.ts)
 * when the system offers `independent`, and symmetry when it offers
 * `canonical` (states are stored by the fingerprint of their canonical form,
 * witnesses stay concrete paths). With symmetry, state counts are counts of
 * symmetry classes; with sleep sets alone, they are unchanged.
 *
 * With `workers > 1` (parallel.ts) the search starts here and is handed to
 * worker threads once it is big enough; counts and verdicts are those of
 * the serial search.
 */
import type { System, SystemFactory } from "../system.js";
import { SerialSearch } from "./bfs.js";
import { Budget, yieldToEventLoop } from "./budget.js";
import { loadSystem } from "./factory.js";
import { exploreParallel } from "./parallel.js";
import { serialResult } from "./result.js";
import type { ExploreOptions, ExploreResult, ExploreStats, IncompleteReason } from "./types.js";

/** Expansions between two looks at the clock. */
const SLICE = 4096;
/** Longest stretch without letting the event loop run (for Ctrl-C). */
const YIELD_MS = 50;

export function isFactory(x: System | SystemFactory): x is SystemFactory {
  return typeof (x as SystemFactory).module === "string";
}

/** Which reductions apply to `sys` under `opt`. */
export function reductionsFor(
  sys: System,
  opt: ExploreOptions,
): { por: boolean; symmetry: boolean } {
  const por = (opt.por ?? opt.reduce ?? false) && typeof sys.independent === "function";
  const symmetry = (opt.symmetry ?? opt.reduce ?? false) && typeof sys.canonical === "function";
  return { por, symmetry };
}

export async function explore(
  target: System | SystemFactory,
  opt: ExploreOptions = {},
): Promise<ExploreResult> {
  const workers = Math.max(1, Math.floor(opt.workers ?? 1));
  if (workers > 1) {
    const factory = isFactory(target) ? target : target.factory;
    if (!factory) throw new Error("explore: workers > 1 needs a SystemFactory (system.factory)");
    return exploreParallel(factory, workers, opt);
  }
  const sys = isFactory(target) ? await loadSystem(target) : target;
  return exploreSerial(sys, opt);
}

/**
 * Runs a serial search in slices until it is done, a bound is hit, or (with
 * `pauseFrom`) a level ends once that many states are stored; between slices
 * it checks bounds, reports progress, calls `between` and lets the event loop
 * run. Returns the bound hit, if any.
 */
export async function drive(
  search: SerialSearch<unknown>,
  budget: Budget,
  stats: () => ExploreStats,
  maxStates: number,
  pauseFrom = Number.POSITIVE_INFINITY,
  between: () => void = () => {},
): Promise<IncompleteReason | null> {
  let yieldAt = budget.elapsed();
  try {
    while (search.more) {
      const r = budget.check(search.states);
      if (r) return r;
      between();
      if (search.states >= pauseFrom && search.atLevelEnd) return null;
      search.run(SLICE, maxStates, pauseFrom);
      if (search.table.full) return "max-memory";
      budget.tick(stats);
      const t = budget.elapsed();
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

async function exploreSerial(sys: System, opt: ExploreOptions): Promise<ExploreResult> {
  const budget = new Budget(opt);
  const red = reductionsFor(sys, opt);
  const search = new SerialSearch(sys, {
    ...red,
    expectedStates: opt.expectedStates ?? 0,
    allow: budget.allow,
  });
  const maxStates = opt.maxStates ?? Number.POSITIVE_INFINITY;
  const stats = () =>
    budget.stats(
      search.states,
      search.transitions,
      search.depth,
      search.tableBytes,
      search.traceBytes,
      search.graph?.bytes ?? 0,
      search.queue.count,
    );
  let reason = await drive(search, budget, stats, maxStates);
  if (!reason && search.more) reason = "max-states";
  return serialResult(sys, search, stats, reason, red);
}
