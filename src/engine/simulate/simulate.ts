/**
 * `simulate`: N seeded simulations of a scenario per policy, split over
 * worker threads and merged in seed order, so that the same seeds give the
 * same result whatever the number of workers.
 */
import { Worker } from "node:worker_threads";
import { compile } from "../../model/compile.js";
import type { Model } from "../../model/layout.js";
import { forSimulation } from "../../model/replicas.js";
import type { ScenarioSpec } from "../../model/spec.js";
import { enabled, step } from "../../model/step.js";
import { makePolicy, policyOrigin } from "../../policies/index.js";
import { specHash } from "../../scenario/source-hash.js";
import { encodeToken, type TokenScenario } from "../explore/token.js";
import { loadedPlugins } from "../plugins/load.js";
import { type FirstViolation, PolicyMerge } from "./merge.js";
import type { PolicySimulation, SimulationResult, SimViolation } from "./result.js";
import {
  type LatencyPool,
  latencyPool,
  type SeedStats,
  scheduleOf,
  simModel,
  simulateSeed,
} from "./sim.js";
import { decodeHistogram } from "./stats.js";

/** One hour of virtual time: the horizon when neither the scenario nor the caller gives one. */
export const DEFAULT_HORIZON = 3600;

/**
 * The spec a simulation runs, in one call: no timing assumption (`assume` is
 * for check only: in a simulation the timer races the answer for real),
 * every copy of every replica group, and repeating tails without end
 * (forSimulation, model/replicas.ts).
 */
export function simulationSpec(spec: ScenarioSpec): ScenarioSpec {
  return forSimulation({ ...spec, assumptions: [] });
}

/** What the result's notes say about the spec as simulated. */
function specNotes(spec: ScenarioSpec): string[] {
  const notes: string[] = [];
  if ((spec.assumptions ?? []).length > 0)
    notes.push(
      "the scenario's timing assumptions (assume) are for check only: here every lease-break timer races the holder's answer",
    );
  return notes;
}

/** A violation as found: the seed and its schedule from the initial state. */
export interface RawViolation {
  readonly property: string;
  readonly seed: number;
  readonly time: number;
  readonly message: string;
  readonly policy: string;
  readonly params: Readonly<Record<string, string>>;
  /** The actions from the initial state up to and including the violating one. */
  readonly schedule: readonly number[];
}

export interface SimulateOptions {
  readonly policies: readonly {
    readonly name: string;
    readonly params: Readonly<Record<string, string>>;
  }[];
  readonly seeds: number;
  readonly firstSeed?: number;
  /** Seconds of virtual time; absent: the scenario's `horizon`, else DEFAULT_HORIZON. */
  readonly horizon?: number;
  /** Worker threads; 0: simulate in this thread (tests, bench). */
  readonly workers?: number;
  readonly signal?: AbortSignal;
  /** After each seed: how many of all (policy × seed) runs are done. */
  readonly progress?: (done: number, total: number, policy: string) => void;
  /** Where the scenario came from, for replay tokens of violations. */
  readonly origin?: TokenScenario;
  /**
   * Shrinks a violation's schedule to a short witness (delta debugging);
   * absent: the witness is the whole schedule.
   */
  readonly shrink?: (
    v: RawViolation,
    model: Model,
  ) => { steps: number; actions: readonly number[] } | null;
}

/** The model of spec under a policy, or a message. */
export function simulationModel(
  spec: ScenarioSpec,
  policy: string,
  params: Readonly<Record<string, string>>,
): Model {
  const p = makePolicy(policy, params);
  if (!p.ok) throw new Error(`pinlab bug: ${p.error}`);
  const c = compile(simulationSpec(spec), p.policy);
  if (!c.ok) throw new Error(`pinlab bug: scenario does not compile: ${c.errors[0]?.message}`);
  return c.model;
}

/** Runs every policy's seeds and merges them. */
export async function simulateScenario(
  spec: ScenarioSpec,
  o: SimulateOptions,
): Promise<SimulationResult & { interrupted: boolean }> {
  const horizon = o.horizon ?? spec.horizon ?? DEFAULT_HORIZON;
  const first = o.firstSeed ?? 1;
  const seeds = Array.from({ length: o.seeds }, (_, k) => first + k);
  const total = seeds.length * o.policies.length;
  let done = 0;
  const notes = new Set<string>(specNotes(spec));
  const policies: PolicySimulation[] = [];
  for (const pol of o.policies) {
    if (o.signal?.aborted) break;
    const m = simulationModel(spec, pol.name, pol.params);
    const sm = simModel(m);
    for (const n of sm.timing.notes) notes.add(n);
    const onSeed = () => o.progress?.(++done, total, pol.name);
    const pool = latencyPool();
    const merge = new PolicyMerge(seeds, horizon);
    if ((o.workers ?? 0) <= 0) runHere(sm, seeds, horizon, pool, merge, o.signal, onSeed);
    else await runWorkers(spec, pol, seeds, horizon, o.workers!, pool, merge, o.signal, onSeed);
    merge.flush();
    if (merge.count === 0) break;
    const replayModel = compileAsWritten(spec, pol);
    const violations = [...merge.first.values()].map((v) => {
      const w = witness(sm, m, v, pol, horizon, o);
      // A token replays the scenario as written: with its assumptions, if
      // any, its repeating tails bounded by `bounds repeats` and its replica
      // groups cut to `bounds replicas`.
      if (w.violation.token && !replays(replayModel, w.actions)) {
        notes.add(
          `${pol.name}: the witness of ${v.property} (seed ${v.seed}, ${w.actions.length} steps) is no run of the scenario as check and replay bound it (its assumptions, bounds repeats and bounds replicas), so it has no replay token`,
        );
        return { ...w.violation, token: "" };
      }
      return w.violation;
    });
    policies.push(merge.result(pol, violations, pool));
  }
  const counted = policies.length === 0 ? 0 : Math.min(...policies.map((p) => p.seeds));
  const interrupted = policies.length < o.policies.length || counted < seeds.length;
  if (interrupted)
    notes.add(
      `interrupted: ${policies.length} of ${o.policies.length} policies simulated, ${counted} of ${seeds.length} seeds each`,
    );
  return {
    scenario: spec.name,
    hash: specHash(spec),
    firstSeed: first,
    seeds: counted,
    horizon,
    policies,
    notes: [...notes],
    interrupted,
  };
}

function runHere(
  sm: ReturnType<typeof simModel>,
  seeds: readonly number[],
  horizon: number,
  pool: LatencyPool,
  merge: PolicyMerge,
  signal: AbortSignal | undefined,
  onSeed: () => void,
): void {
  const mine = latencyPool();
  for (const seed of seeds) {
    if (signal?.aborted) break;
    const r = simulateSeed(sm, seed, { horizon, pool: mine, stop: () => signal?.aborted === true });
    merge.offer(seed, r.interrupted ? null : r);
    onSeed();
  }
  // Through the same encoding as a worker's pool, so that the CDF does not depend on where it ran.
  addEncoded(pool, encodePool(mine));
}

/** Seeds dealt round-robin to the workers; answers sorted back into seed order. */
async function runWorkers(
  spec: ScenarioSpec,
  pol: { readonly name: string; readonly params: Readonly<Record<string, string>> },
  seeds: readonly number[],
  horizon: number,
  workers: number,
  pool: LatencyPool,
  merge: PolicyMerge,
  signal: AbortSignal | undefined,
  onSeed: () => void,
): Promise<void> {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = () => Atomics.store(stop, 0, 1);
  signal?.addEventListener("abort", onAbort);
  if (signal?.aborted) onAbort();
  const n = Math.max(1, Math.min(workers, seeds.length));
  try {
    await Promise.all(
      Array.from(
        { length: n },
        (_, w) =>
          new Promise<void>((resolve, reject) => {
            const mine = seeds.filter((_, k) => k % n === w);
            const worker = new Worker(new URL("./worker.js", import.meta.url), {
              workerData: {
                spec,
                policy: pol.name,
                params: pol.params,
                seeds: mine,
                horizon,
                stop,
                plugins: loadedPlugins(),
              },
            });
            worker.on(
              "message",
              (msg: { seed: SeedStats } | { truncate: string; punch: string }) => {
                if ("seed" in msg) {
                  merge.offer(msg.seed.seed, msg.seed.interrupted ? null : msg.seed);
                  onSeed();
                } else {
                  // An interrupted seed is dropped, but its latencies are in the pool: the
                  // CDF then covers a little more than the seeds counted.
                  addEncoded(pool, msg);
                  void worker.terminate();
                  resolve();
                }
              },
            );
            worker.once("error", reject);
          }),
      ),
    );
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/** A pool as text, for the trip between threads. */
export function encodePool(p: LatencyPool): { truncate: string; punch: string } {
  return {
    truncate: p.truncate.count > 0 ? p.truncate.encode() : "",
    punch: p.punch.count > 0 ? p.punch.encode() : "",
  };
}

function addEncoded(pool: LatencyPool, e: { truncate: string; punch: string }): void {
  if (e.truncate) pool.truncate.add(decodeHistogram(e.truncate));
  if (e.punch) pool.punch.add(decodeHistogram(e.punch));
}

function witness(
  sm: ReturnType<typeof simModel>,
  m: Model,
  v: FirstViolation,
  pol: { readonly name: string; readonly params: Readonly<Record<string, string>> },
  horizon: number,
  o: SimulateOptions,
): { violation: SimViolation & { message: string }; actions: readonly number[] } {
  const schedule = scheduleOf(sm, v.seed, horizon, v.step);
  const raw: RawViolation = {
    property: v.property,
    seed: v.seed,
    time: v.time,
    message: v.message,
    policy: pol.name,
    params: pol.params,
    schedule,
  };
  const shrunk = o.shrink?.(raw, m) ?? null;
  const actions = shrunk ? shrunk.actions : schedule;
  const token = o.origin
    ? encodeToken({
        scenario: o.origin,
        policy: pol.name,
        plugin: policyOrigin(pol.name) ?? null,
        params: pol.params,
        claim: { what: v.property, loop: null },
        actions,
      })
    : "";
  return {
    violation: {
      property: v.property,
      seed: v.seed,
      time: v.time,
      steps: actions.length,
      token,
      message: v.message,
    },
    actions,
  };
}

/** The model `run` and `replay` build for a token: the spec as written. */
function compileAsWritten(
  spec: ScenarioSpec,
  pol: { readonly name: string; readonly params: Readonly<Record<string, string>> },
): Model | null {
  const p = makePolicy(pol.name, pol.params);
  if (!p.ok) return null;
  const c = compile(spec, p.policy);
  return c.ok ? c.model : null;
}

/** Whether every action of the schedule is enabled in turn from the initial state. */
function replays(m: Model | null, actions: readonly number[]): boolean {
  if (m === null) return false;
  let s = m.init;
  for (const a of actions) {
    if (!enabled(m, s).includes(a)) return false;
    s = step(m, s, a, null);
  }
  return true;
}
