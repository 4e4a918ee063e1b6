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
import { encodeToken, type TokenBounds, type TokenScenario } from "../explore/token.js";
import { loadedPlugins } from "../plugins/load.js";
import { type FirstViolation, PolicyMerge } from "./merge.js";
import type { PolicySimulation, SimulationResult, SimViolation } from "./result.js";
import { specWithBounds } from "./shrink.js";
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
  ) => { steps: number; actions: readonly number[]; bounds?: TokenBounds } | null;
  /** Run only this shard's seeds (shardSeeds); `pinlab merge` joins the shards. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Each finished (not interrupted) run as it comes, with its policy's index. */
  readonly onRun?: (policy: number, s: SeedStats) => void;
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

/** The seeds of a shard: shard i of n takes the seeds at positions k with k % n = i - 1. */
export function shardSeeds(
  seeds: readonly number[],
  shard: { readonly index: number; readonly count: number } | undefined,
): number[] {
  if (!shard) return [...seeds];
  return seeds.filter((_, k) => k % shard.count === shard.index - 1);
}

type Pol = { readonly name: string; readonly params: Readonly<Record<string, string>> };

/** One policy's runs, folded as they came. */
export interface PolicyRuns {
  readonly pol: Pol;
  readonly merge: PolicyMerge;
  readonly pool: LatencyPool;
}

/** Every policy's runs of one simulation, before the violations become witnesses. */
export interface CollectedRuns {
  readonly horizon: number;
  readonly firstSeed: number;
  /** The seeds asked for (all shards' together). */
  readonly seeds: readonly number[];
  readonly policies: readonly PolicyRuns[];
}

/**
 * Runs every (policy, seed) of this simulation (of its shard, with
 * `o.shard`) on one pool of worker threads, dealt out one run at a time in
 * policy order, and folds each policy's runs in seed order.
 */
export async function collectRuns(spec: ScenarioSpec, o: SimulateOptions): Promise<CollectedRuns> {
  const horizon = o.horizon ?? spec.horizon ?? DEFAULT_HORIZON;
  const first = o.firstSeed ?? 1;
  const seeds = Array.from({ length: o.seeds }, (_, k) => first + k);
  const mine = shardSeeds(seeds, o.shard);
  const total = mine.length * o.policies.length;
  let done = 0;
  const runs: PolicyRuns[] = o.policies.map((pol) => ({
    pol,
    merge: new PolicyMerge(mine, horizon),
    pool: latencyPool(),
  }));
  const onRun = (p: number, r: SeedStats) => {
    runs[p]!.merge.offer(r.seed, r.interrupted ? null : r);
    if (!r.interrupted) o.onRun?.(p, r);
    o.progress?.(++done, total, o.policies[p]!.name);
  };
  const jobs: Job[] = [];
  for (let p = 0; p < o.policies.length; p++) for (const seed of mine) jobs.push({ p, seed });
  if ((o.workers ?? 0) <= 0) runHere(spec, o.policies, jobs, horizon, runs, o.signal, onRun);
  else await runPool(spec, o.policies, jobs, horizon, o.workers!, runs, o.signal, onRun);
  for (const r of runs) r.merge.flush();
  return { horizon, firstSeed: first, seeds, policies: runs };
}

/** Runs every policy's seeds and merges them. */
export async function simulateScenario(
  spec: ScenarioSpec,
  o: SimulateOptions,
): Promise<SimulationResult & { interrupted: boolean }> {
  return finishSimulation(spec, await collectRuns(spec, o), o);
}

/**
 * The result of collected runs: each policy's figures, and each first
 * violation replayed from its seed, shrunk and given its token. Policies
 * after the first one with no finished run are left out (interrupted).
 */
export function finishSimulation(
  spec: ScenarioSpec,
  c: CollectedRuns,
  o: Pick<SimulateOptions, "origin" | "shrink">,
): SimulationResult & { interrupted: boolean } {
  const { horizon } = c;
  const notes = new Set<string>(specNotes(spec));
  const policies: PolicySimulation[] = [];
  for (const { pol, merge, pool } of c.policies) {
    const m = simulationModel(spec, pol.name, pol.params);
    const sm = simModel(m);
    for (const n of sm.timing.notes) notes.add(n);
    if (merge.count === 0) break;
    const violations = [...merge.first.values()].map((v) => {
      const w = witness(sm, m, v, pol, horizon, o);
      // A token replays the scenario as written: with its assumptions, if
      // any, its repeating tails bounded by `bounds repeats` and its replica
      // groups cut to `bounds replicas`, unless the token carries wider bounds.
      if (w.violation.token && !replays(compileAsWritten(spec, pol, w.bounds), w.actions)) {
        notes.add(
          `${pol.name}: the witness of ${v.property} (seed ${v.seed}, ${w.actions.length} steps) is no run of the scenario as check and replay bound it (its assumptions, bounds repeats and bounds replicas), so it has no replay token`,
        );
        return { ...w.violation, token: "" };
      }
      return w.violation;
    });
    policies.push(merge.result(pol, violations, pool, sm.conditions));
  }
  const wanted = c.policies.length > 0 ? c.policies[0]!.merge.wanted : 0;
  const counted = policies.length === 0 ? 0 : Math.min(...policies.map((p) => p.seeds));
  const interrupted = policies.length < c.policies.length || counted < wanted;
  if (interrupted)
    notes.add(
      `interrupted: ${policies.length} of ${c.policies.length} policies simulated, ${counted} of ${wanted} seeds each`,
    );
  return {
    scenario: spec.name,
    hash: specHash(spec),
    firstSeed: c.firstSeed,
    seeds: counted,
    horizon,
    policies,
    notes: [...notes],
    interrupted,
  };
}

/** One run: policy p (an index into the options' policies), one seed. */
interface Job {
  readonly p: number;
  readonly seed: number;
}

function runHere(
  spec: ScenarioSpec,
  pols: readonly Pol[],
  jobs: readonly Job[],
  horizon: number,
  runs: readonly PolicyRuns[],
  signal: AbortSignal | undefined,
  onRun: (p: number, r: SeedStats) => void,
): void {
  const sms = new Map<number, ReturnType<typeof simModel>>();
  const mine = pols.map(() => latencyPool());
  for (const j of jobs) {
    if (signal?.aborted) break;
    let sm = sms.get(j.p);
    if (!sm) {
      sm = simModel(simulationModel(spec, pols[j.p]!.name, pols[j.p]!.params));
      sms.set(j.p, sm);
    }
    const stop = () => signal?.aborted === true;
    onRun(j.p, simulateSeed(sm, j.seed, { horizon, pool: mine[j.p]!, stop }));
  }
  // Through the same encoding as a worker's pool, so that the CDF does not depend on where it ran.
  for (const [p, r] of runs.entries()) addEncoded(r.pool, encodePool(mine[p]!));
}

/** Runs in flight per worker: the next one is there when a run ends. */
const IN_FLIGHT = 2;

/**
 * One pool of worker threads for every policy and seed: each worker takes
 * the next run when one of its runs ends, builds each policy's model the
 * first time it meets it, and at the end sends its latencies per policy.
 */
async function runPool(
  spec: ScenarioSpec,
  pols: readonly Pol[],
  jobs: readonly Job[],
  horizon: number,
  workers: number,
  runs: readonly PolicyRuns[],
  signal: AbortSignal | undefined,
  onRun: (p: number, r: SeedStats) => void,
): Promise<void> {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = () => Atomics.store(stop, 0, 1);
  signal?.addEventListener("abort", onAbort);
  if (signal?.aborted) onAbort();
  const n = Math.max(0, Math.min(workers, jobs.length));
  let next = 0;
  try {
    await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise<void>((resolve, reject) => {
            const worker = new Worker(new URL("./worker.js", import.meta.url), {
              workerData: { spec, policies: pols, horizon, stop, plugins: loadedPlugins() },
            });
            let inFlight = 0;
            let ended = false;
            const feed = () => {
              while (inFlight < IN_FLIGHT && next < jobs.length && Atomics.load(stop, 0) === 0) {
                worker.postMessage(jobs[next++]);
                inFlight++;
              }
              if (inFlight === 0 && !ended) {
                ended = true;
                worker.postMessage({ end: true });
              }
            };
            worker.on(
              "message",
              (
                msg:
                  | { p: number; seed: SeedStats }
                  | { pools: ({ truncate: string; punch: string } | null)[] },
              ) => {
                if ("seed" in msg) {
                  inFlight--;
                  onRun(msg.p, msg.seed);
                  feed();
                } else {
                  // An interrupted seed is dropped, but its latencies are in the pool: the
                  // CDF then covers a little more than the seeds counted.
                  for (const [p, e] of msg.pools.entries()) if (e) addEncoded(runs[p]!.pool, e);
                  void worker.terminate();
                  resolve();
                }
              },
            );
            worker.once("error", reject);
            feed();
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
  pol: Pol,
  horizon: number,
  o: Pick<SimulateOptions, "origin" | "shrink">,
): {
  violation: SimViolation & { message: string };
  actions: readonly number[];
  bounds: TokenBounds | null;
} {
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
  const bounds = shrunk?.bounds ?? null;
  const token = o.origin
    ? encodeToken({
        scenario: o.origin,
        policy: pol.name,
        plugin: policyOrigin(pol.name) ?? null,
        params: pol.params,
        claim: { what: v.property, loop: null },
        actions,
        ...(bounds ? { bounds } : {}),
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
    bounds,
  };
}

/** The model `run` and `replay` build for a token: the spec as written, under the token's bounds. */
function compileAsWritten(spec: ScenarioSpec, pol: Pol, bounds: TokenBounds | null): Model | null {
  const p = makePolicy(pol.name, pol.params);
  if (!p.ok) return null;
  const c = compile(specWithBounds(spec, bounds), p.policy);
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
