/**
 * Turns a search's findings into an ExploreResult: rebuilds witness paths from
 * parent links and runs the lasso search over the recorded pending graph.
 */

import { fingerprintInto } from "../../model/fingerprint.js";
import type { SerialSearch } from "./bfs.js";
import { type Findings, hasBit } from "./findings.js";
import {
  type FoundCycle,
  findCycles,
  findCyclesById,
  findCyclesOnNodes,
  type IdGraph,
  type NodeGraph,
} from "./liveness.js";
import type { System } from "./system.js";
import type {
  ExploreResult,
  ExploreStats,
  IncompleteReason,
  LivenessResult,
  PropertyResult,
} from "./types.js";
import { concretizeCycle, replay } from "./witness.js";

export interface Outcome {
  readonly sys: System;
  readonly found: Findings;
  /** Actions from the initial state to the state with this id. */
  readonly pathTo: (id: number) => number[];
  /** Rows of the pending graph(s), concatenated; null if the system has no `pending`. */
  readonly pendingStates: Int32Array | null;
  readonly pendingEdges: Int32Array | null;
  /** Or the pending graph on state ids (serial search), over this many states. */
  readonly idGraph?: { readonly graph: IdGraph; readonly states: number } | null;
  /** Or the parallel search's, joined (liveness.ts: joinGraphs). */
  readonly nodeGraph?: NodeGraph | null;
  /** Read last, so that time spent on lassos and witnesses counts. */
  readonly stats: () => ExploreStats;
  readonly reason: IncompleteReason | null;
  readonly por: boolean;
  readonly symmetry: boolean;
  readonly workers: number;
  /** Coverage bitmaps of other threads, OR-ed into this thread's. */
  readonly coverage?: readonly Uint8Array[];
}

/** The result of a search that ended in this thread (serial, or before the hand-over to workers). */
export function serialResult(
  sys: System,
  search: SerialSearch<unknown>,
  stats: () => ExploreStats,
  reason: IncompleteReason | null,
  red: { por: boolean; symmetry: boolean },
): ExploreResult {
  return buildResult({
    sys,
    found: search.found,
    pathTo: (id) => search.log.pathTo(id),
    pendingStates: search.graph?.states.used() ?? null,
    pendingEdges: search.graph?.edges.used() ?? null,
    idGraph: search.idGraph ? { graph: search.idGraph, states: search.states } : null,
    stats,
    reason,
    ...red,
    workers: 1,
  });
}

function unionCoverage(sys: System, others: readonly Uint8Array[]): Uint8Array | null {
  if (!sys.coverage) return null;
  const out = sys.coverage().slice();
  for (const c of others) for (let i = 0; i < out.length; i++) out[i]! |= c[i] ?? 0;
  return out;
}

export function buildResult(o: Outcome): ExploreResult {
  const { sys, found } = o;
  const properties: PropertyResult[] = sys.properties.map((name, b) => {
    if (!hasBit(found.shown, b)) return { name, shown: false };
    const id = found.ref[b]!;
    const a = found.act[b]!;
    const witness = a < 0 ? o.pathTo(id) : [...o.pathTo(id), a];
    return { name, shown: true, witness, kind: a < 0 ? "end" : "transition" };
  });
  const nObl = Math.max(
    sys.obligations?.length ?? 0,
    32 - Math.clz32(found.pendingBits | found.deadEnds),
  );
  let reason = o.reason;
  let cycles: FoundCycle[] = [];
  try {
    const bits = found.pendingBits & ~found.deadEnds;
    if (o.pendingStates && o.pendingEdges)
      cycles = findCycles(o.pendingStates, o.pendingEdges, bits);
    else if (o.idGraph || o.nodeGraph) {
      // the fingerprint of a cycle's state, as the search computed it: of the
      // state its BFS path reaches (the one it stored), in canonical form
      const fp = new Int32Array(2);
      const canon = o.symmetry && sys.canonical ? sys.canonical.bind(sys) : null;
      const fpOf = (id: number): [number, number] => {
        const s = replay(sys, o.pathTo(id));
        fingerprintInto(canon ? canon(s) : s, fp, 0);
        return [fp[0]!, fp[1]!];
      };
      cycles = o.idGraph
        ? findCyclesById(o.idGraph.graph, o.idGraph.states, bits, fpOf)
        : findCyclesOnNodes(o.nodeGraph!, bits, fpOf);
    }
  } catch (e) {
    // the lasso search needs memory proportional to the pending graph
    if (!(e instanceof RangeError)) throw e;
    reason ??= "max-memory";
  }
  const liveness: LivenessResult[] = [];
  for (let b = 0; b < nObl; b++) {
    const name = sys.obligations?.[b] ?? `obligation-${b}`;
    if (found.deadEnds & (1 << b)) {
      liveness.push({
        name,
        violated: true,
        deadEnd: true,
        witness: o.pathTo(found.deadEndId[b]!),
      });
      continue;
    }
    const c = cycles.find((x) => x.bit === b);
    if (!c) {
      liveness.push({ name, violated: false });
      continue;
    }
    const lasso = concretizeCycle(sys, o.pathTo(c.startId), c.targets, o.symmetry);
    if (!lasso)
      throw new Error(`pinlab bug: no concrete cycle for ${name} (step or canonical not pure?)`);
    liveness.push({
      name,
      violated: true,
      witness: [...lasso.prefix, ...lasso.cycle],
      lasso,
    });
  }
  const deadlocks =
    found.terminals > 0
      ? { count: found.terminals, witness: o.pathTo(found.terminalId) }
      : { count: 0 };
  return {
    status: reason ? "incomplete" : "complete",
    ...(reason ? { reason } : {}),
    stats: o.stats(),
    properties,
    deadlocks,
    liveness,
    coverage: unionCoverage(sys, o.coverage ?? []),
    reductions: { por: o.por, symmetry: o.symmetry },
    workers: o.workers,
  };
}
