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

import { type LivenessMode, SerialSearch } from "./bfs.js";
import { Budget } from "./budget.js";
import { drive, reductionsFor } from "./drive.js";
import { loadSystem } from "./factory.js";
import { serialResult } from "./result.js";
import type { System, SystemFactory } from "./system.js";
import type { ExploreOptions, ExploreResult } from "./types.js";

const PARALLEL = "./parallel.js";

export function isFactory(x: System | SystemFactory): x is SystemFactory {
  return typeof (x as SystemFactory).module === "string";
}

export async function explore(
  target: System | SystemFactory,
  opt: ExploreOptions = {},
): Promise<ExploreResult> {
  const workers = Math.max(1, Math.floor(opt.workers ?? 1));
  if (workers > 1) {
    const factory = isFactory(target) ? target : target.factory;
    if (!factory) throw new Error("explore: workers > 1 needs a SystemFactory (system.factory)");
    // Loaded only when asked for: it needs node:worker_threads, and the serial
    // search also runs where there are none (the playground's Web Worker).
    const { exploreParallel } = (await import(
      /* @vite-ignore */ PARALLEL
    )) as typeof import("./parallel.js");
    return exploreParallel(factory, workers, opt);
  }
  const sys = isFactory(target) ? await loadSystem(target) : target;
  return exploreSerial(sys, opt);
}

async function exploreSerial(sys: System, opt: ExploreOptions): Promise<ExploreResult> {
  const budget = new Budget(opt);
  const red = reductionsFor(sys, opt);
  const maxStates = opt.maxStates ?? Number.POSITIVE_INFINITY;
  const maxDepth = opt.maxDepth ?? Number.POSITIVE_INFINITY;
  // First without the pending graph; if a cycle of pending states may form,
  // once more with it (bfs.ts). The second search is the first one repeated
  // (same order, same counts), so it reaches the same verdicts and witnesses.
  let mode: LivenessMode = opt.liveness ?? "watch";
  for (;;) {
    const search = new SerialSearch(sys, {
      ...red,
      expectedStates: opt.expectedStates ?? 0,
      allow: budget.allow,
      liveness: mode,
    });
    const stats = () =>
      budget.stats(
        search.states,
        search.transitions,
        search.depth,
        search.tableBytes,
        search.traceBytes,
        search.livenessBytes,
        search.queue.count,
      );
    let reason = await drive(search, budget, stats, maxStates, undefined, undefined, maxDepth);
    if (search.cycleMayForm) {
      mode = "graph";
      continue;
    }
    if (!reason && search.more) reason = "max-states";
    return serialResult(sys, search, stats, reason, red);
  }
}
