/**
 * Measured costs beside the proved verdicts (`compare --simulate`): each
 * workload of a workload library simulated under each policy, reduced to the
 * few figures that say what a policy costs while nothing goes wrong: kills
 * and connection failures per hour, the 99th percentile of truncate latency,
 * and truncates that stalled for more than a second, per hour. Each figure is
 * a mean over seeds with its 95 % confidence interval, as `simulate` gives it.
 *
 * The simulator is passed in (`Simulate`), so the matrix does not depend on
 * how it runs; the command line hands in the real one.
 */
import type { ScenarioSpec } from "../../model/spec.js";
import type { TokenScenario } from "../explore/token.js";
import type {
  Interval,
  PolicySimulation,
  SimulationResult,
  SimViolation,
} from "../simulate/result.js";

/** What `compare --simulate` asks of a simulator: the options `simulate` takes, in its own names. */
export interface SimulateRequest {
  readonly policies: readonly {
    readonly name: string;
    readonly params: Readonly<Record<string, string>>;
  }[];
  readonly seeds: number;
  readonly firstSeed: number;
  /** Seconds of virtual time; absent: the workload's own `horizon`, else the simulator's default. */
  readonly horizon?: number;
  /** Worker threads (0: in this thread). */
  readonly workers?: number;
  readonly signal?: AbortSignal;
  /** Where the workload came from, for the replay tokens of violations. */
  readonly origin: TokenScenario;
}

/** A simulator: every requested policy over the seeds of one workload. */
export type Simulate = (
  spec: ScenarioSpec,
  o: SimulateRequest,
) => Promise<SimulationResult> | SimulationResult;

/** The figures of the cost columns, in column order. */
export const COST_KEYS = [
  "killsPerHour",
  "commFailuresPerHour",
  "truncateP99",
  "stallsPerHour",
] as const;
export type CostKey = (typeof COST_KEYS)[number];

/** Each cost column: its code in the text table, its heading, and what it measures. */
export const COST_COLUMNS: Readonly<
  Record<
    CostKey,
    {
      readonly code: string;
      readonly title: string;
      readonly summary: string;
      readonly seconds: boolean;
    }
  >
> = {
  killsPerHour: {
    code: "KILL/h",
    title: "kills / h",
    summary: "processes killed per hour (a lease-break timer's SIGKILL, a revoke's escalation)",
    seconds: false,
  },
  commFailuresPerHour: {
    code: "COMM/h",
    title: "connection failures / h",
    summary: "peers' connections failed per hour (a QP moved to the error state under them)",
    seconds: false,
  },
  truncateP99: {
    code: "TRUNC p99",
    title: "truncate p99",
    summary: "99th percentile of truncate latency, from the call to its return",
    seconds: true,
  },
  stallsPerHour: {
    code: "STALL/h",
    title: "stalls > 1 s / h",
    summary: "truncates per hour that took longer than 1 s, or had not returned by the horizon",
    seconds: false,
  },
};

/** One workload under one policy: the cost figures, and what unsafe the simulation found. */
export interface WorkloadCost {
  readonly workload: string;
  readonly policy: string;
  readonly params: Readonly<Record<string, string>>;
  /** Seeds simulated and the virtual time of each. */
  readonly seeds: number;
  readonly horizon: number;
  readonly events: number;
  readonly killsPerHour: Interval;
  readonly commFailuresPerHour: Interval;
  /** Null: no truncate returned in any seed. */
  readonly truncateP99: Interval | null;
  readonly stallsPerHour: Interval;
  /** Safety properties violated in some seed, each shrunk to a witness with its replay token. */
  readonly violations: readonly SimViolation[];
}

/** The simulated half of a comparison (`CompareDoc.simulation`). */
export interface CompareSimulation {
  readonly firstSeed: number;
  readonly seeds: number;
  /** The horizon given on the command line (null: each workload's own). */
  readonly horizon: number | null;
  readonly workloads: readonly {
    readonly ref: string;
    readonly title: string;
    readonly hash: string;
    readonly horizon: number;
  }[];
  readonly costs: readonly WorkloadCost[];
  /** What a simulation could not honour, each prefixed with its workload. */
  readonly notes: readonly string[];
}

/** An interval scaled by a constant (a count per run becomes a rate). */
function scaled(i: Interval, k: number): Interval {
  return { mean: i.mean * k, lo: i.lo * k, hi: i.hi * k, n: i.n };
}

/** One policy's simulation of a workload, as cost figures. */
export function workloadCost(workload: string, p: PolicySimulation, horizon: number): WorkloadCost {
  const perHour = horizon > 0 ? 3600 / horizon : 0;
  return {
    workload,
    policy: p.policy,
    params: p.params,
    seeds: p.seeds,
    horizon,
    events: p.events,
    killsPerHour: p.killsPerHour,
    commFailuresPerHour: p.commFailuresPerHour,
    truncateP99: p.truncate.count.mean > 0 ? p.truncate.p99 : null,
    stallsPerHour: scaled(p.truncate.stallsOver1s, perHour),
    violations: p.violations,
  };
}

export interface WorkloadInput {
  readonly ref: string;
  readonly spec: ScenarioSpec;
  readonly hash: string;
  readonly origin: TokenScenario;
}

/** Simulates every workload under every policy, one workload at a time. */
export async function simulateCosts(
  workloads: readonly WorkloadInput[],
  simulate: Simulate,
  o: Omit<SimulateRequest, "origin"> & {
    readonly onWorkload?: (ref: string, done: number) => void;
  },
): Promise<CompareSimulation> {
  const costs: WorkloadCost[] = [];
  const notes: string[] = [];
  const done: CompareSimulation["workloads"][number][] = [];
  for (const w of workloads) {
    if (o.signal?.aborted) break;
    o.onWorkload?.(w.ref, done.length);
    const r = await simulate(w.spec, {
      policies: o.policies,
      seeds: o.seeds,
      firstSeed: o.firstSeed,
      ...(o.horizon !== undefined ? { horizon: o.horizon } : {}),
      ...(o.workers !== undefined ? { workers: o.workers } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      origin: w.origin,
    });
    done.push({ ref: w.ref, title: w.spec.name, hash: w.hash, horizon: r.horizon });
    for (const p of r.policies) costs.push(workloadCost(w.ref, p, r.horizon));
    for (const n of r.notes) notes.push(`${w.ref}: ${n}`);
  }
  return {
    firstSeed: o.firstSeed,
    seeds: o.seeds,
    horizon: o.horizon ?? null,
    workloads: done,
    costs,
    notes,
  };
}

/**
 * A policy's figure in a cost column: its worst workload (the highest mean),
 * with that workload's interval; null when no workload measured it.
 */
export function worstCost(
  sim: CompareSimulation,
  policy: string,
  key: CostKey,
): { readonly interval: Interval; readonly workload: string } | null {
  let best: { interval: Interval; workload: string } | null = null;
  for (const c of sim.costs) {
    if (c.policy !== policy) continue;
    const i = c[key];
    if (i && (best === null || i.mean > best.interval.mean))
      best = { interval: i, workload: c.workload };
  }
  return best;
}
