/**
 * Shards of a simulation: `simulate --shard I/N --out FILE` runs the seeds
 * at positions k with k % N = I - 1 (engine/simulate/simulate.ts
 * `shardSeeds`) for every policy and writes what one run of all the seeds
 * needs to produce the same result: every finished run's figures (SeedStats)
 * and the pooled latencies per policy. `pinlab merge` folds the shards' runs
 * in seed order, exactly as one run folds them, and turns the first
 * violations into witnesses again from their seeds; so the merged table,
 * JSON and HTML are those of one `simulate` over all the seeds.
 *
 * What merge checks: the schema and the digest (a shard changed after it
 * was written, by hand or by damage; no signature); one pinlab version;
 * one scenario (rebuilt from the text or bundled name the shard carries,
 * against its content hash), one list of policies and parameters, one
 * first seed, seed count and horizon; shards 1..N of one N, each once, none
 * interrupted; each shard's runs are exactly its seeds, for every policy.
 * Each first violation is simulated again from its seed and must show its
 * property at the same step. The figures are not recomputed: that is the
 * work the shards were for.
 */

import type { TokenScenario } from "../engine/explore/token.js";
import { PolicyMerge } from "../engine/simulate/merge.js";
import type { SimulationResult } from "../engine/simulate/result.js";
import { shrinkerFor } from "../engine/simulate/shrink.js";
import { latencyPool, type SeedStats, simModel, simulateSeed } from "../engine/simulate/sim.js";
import { finishSimulation, shardSeeds, simulationModel } from "../engine/simulate/simulate.js";
import { decodeHistogram } from "../engine/simulate/stats.js";
import type { ScenarioSpec } from "../model/spec.js";
import { type PluginOrigin, policyOrigin } from "../policies/index.js";
import { docDigest } from "../report/compare.js";
import { parseScenario } from "../scenario/pin.js";
import { sourceHash } from "../scenario/source-hash.js";
import type { Host } from "./host.js";
import { loadBundled } from "./scenarios.js";
import { PINLAB_VERSION } from "./version.js";

export const SIMULATE_SHARD_SCHEMA = "pinlab.simulate-shard/1";

type Pol = {
  readonly name: string;
  readonly params: Readonly<Record<string, string>>;
  /** A plugin's policy: its file's name and content hash. */
  readonly plugin?: PluginOrigin;
};

export interface SimulateShardDoc {
  readonly schema: typeof SIMULATE_SHARD_SCHEMA;
  readonly pinlab: string;
  /** Where the scenario comes from (a bundled name, or the whole text) and the file name it was read as. */
  readonly scenario: { readonly origin: TokenScenario; readonly file: string | null };
  readonly run: {
    readonly policies: readonly Pol[];
    readonly firstSeed: number;
    readonly seeds: number;
    readonly horizon: number;
  };
  readonly shard: { readonly index: number; readonly count: number };
  /** Per policy, in the run's order: its finished runs in seed order, and its latencies pooled. */
  readonly policies: readonly {
    readonly policy: string;
    readonly runs: readonly SeedStats[];
    readonly pool: { readonly truncate: string; readonly punch: string };
  }[];
  readonly digest: string;
}

/** The document a shard writes. */
export function simulateShardDoc(
  spec: ScenarioSpec,
  origin: TokenScenario,
  run: SimulateShardDoc["run"],
  shard: SimulateShardDoc["shard"],
  runs: readonly (readonly SeedStats[])[],
  pools: readonly { truncate: string; punch: string }[],
): SimulateShardDoc {
  const body = {
    schema: SIMULATE_SHARD_SCHEMA,
    pinlab: PINLAB_VERSION,
    scenario: { origin, file: spec.file ?? null },
    run,
    shard,
    policies: run.policies.map((p, i) => ({
      policy: p.name,
      runs: [...runs[i]!].sort((a, b) => a.seed - b.seed),
      pool: pools[i]!,
    })),
  } as const;
  return { ...body, digest: docDigest(body) };
}

/** Whether a parsed JSON document says it is a simulation shard. */
export function isSimulateShard(raw: unknown): boolean {
  return (
    typeof raw === "object" &&
    raw !== null &&
    (raw as { schema?: unknown }).schema === SIMULATE_SHARD_SCHEMA
  );
}

type Joined =
  | { ok: true; result: SimulationResult & { interrupted: boolean }; spec: ScenarioSpec }
  | { ok: false; error: string };

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Joins the shards (parsed JSON, with the path each came from) into one simulation's result. */
export function joinSimulateShards(
  files: readonly { path: string; raw: unknown }[],
  host: Host,
): Joined {
  const docs: { path: string; doc: SimulateShardDoc }[] = [];
  for (const f of files) {
    const d = readShard(f.path, f.raw);
    if (typeof d === "string") return fail(d);
    docs.push({ path: f.path, doc: d });
  }
  const a = docs[0]!;
  for (const b of docs.slice(1)) {
    const pair = `${a.path} and ${b.path}`;
    if (a.doc.pinlab !== b.doc.pinlab)
      return fail(
        `${pair} come from different versions of pinlab (${a.doc.pinlab} and ${b.doc.pinlab}): simulate every shard with one version`,
      );
    if (
      a.doc.scenario.origin.hash !== b.doc.scenario.origin.hash ||
      !same(a.doc.scenario, b.doc.scenario)
    )
      return fail(`${pair} are shards of simulations of different scenarios`);
    if (!same(a.doc.run, b.doc.run))
      return fail(
        `${pair} are shards of different simulations (policies, parameters, seeds or horizon differ: ${JSON.stringify(a.doc.run)} against ${JSON.stringify(b.doc.run)})`,
      );
    if (a.doc.shard.count !== b.doc.shard.count)
      return fail(
        `${a.path} is shard ${a.doc.shard.index}/${a.doc.shard.count} but ${b.path} is shard ${b.doc.shard.index}/${b.doc.shard.count}: shards of different splits`,
      );
  }
  const n = a.doc.shard.count;
  const byIndex = new Map<number, string>();
  for (const d of docs) {
    const prev = byIndex.get(d.doc.shard.index);
    if (prev !== undefined)
      return fail(`${prev} and ${d.path} are both shard ${d.doc.shard.index}/${n}`);
    byIndex.set(d.doc.shard.index, d.path);
  }
  if (byIndex.size !== n) {
    const missing: string[] = [];
    for (let i = 1; i <= n && missing.length < 8; i++)
      if (!byIndex.has(i)) missing.push(`${i}/${n}`);
    return fail(
      `missing shard${n - byIndex.size === 1 ? "" : "s"} ${missing.join(", ")}${n - byIndex.size > missing.length ? " and more" : ""} of the split into ${n}: the figures would cover only some of the seeds`,
    );
  }
  const spec = rebuild(a.doc.scenario, host);
  if (typeof spec === "string") return fail(`${a.path}: ${spec}`);
  const run = a.doc.run;
  const seeds = Array.from({ length: run.seeds }, (_, k) => run.firstSeed + k);
  const policies = [];
  for (const [p, pol] of run.policies.entries()) {
    // The plugin given to merge must be the file the shards were simulated with.
    const here = policyOrigin(pol.name);
    if (pol.plugin && here?.hash !== pol.plugin.hash)
      return fail(
        `policy ${pol.name}: the shards were simulated with ${pol.plugin.file} (content hash ${pol.plugin.hash}), but ${here ? `the file given is ${here.file} (content hash ${here.hash})` : "no plugin file defines it here"}: give merge the same file with --policy FILE`,
      );
    let model: ReturnType<typeof simulationModel>;
    try {
      model = simulationModel(spec, pol.name, pol.params);
    } catch {
      return fail(
        `${a.path}: policy ${pol.name} with ${JSON.stringify(pol.params)} is not one this pinlab has`,
      );
    }
    const sm = simModel(model);
    const merge = new PolicyMerge(seeds, run.horizon);
    const pool = latencyPool();
    for (const d of docs) {
      const mine = shardSeeds(seeds, d.doc.shard);
      const got = d.doc.policies[p];
      if (!got || got.policy !== pol.name)
        return fail(`${d.path}: its runs are not listed per policy in the simulation's order`);
      if (
        !same(
          got.runs.map((r) => r.seed),
          mine,
        )
      )
        return fail(
          `${d.path}: under ${pol.name} its runs are not exactly the seeds of shard ${d.doc.shard.index}/${n} (an interrupted shard writes only the runs it finished)`,
        );
      for (const r of got.runs) {
        const bad = seedStatsError(r);
        if (bad) return fail(`${d.path}: under ${pol.name}, seed ${r.seed}: ${bad}`);
        // Each first violation is the seed's own: simulated again up to it, it shows there.
        for (const v of r.violations) {
          const again = simulateSeed(sm, r.seed, { horizon: run.horizon, record: v.step });
          if (!again.violations.some((x) => x.property === v.property && x.step === v.step))
            return fail(
              `${d.path}: under ${pol.name}, seed ${r.seed} does not show ${v.property} at step ${v.step} when simulated again`,
            );
        }
        merge.offer(r.seed, r);
      }
      try {
        if (got.pool.truncate) pool.truncate.add(decodeHistogram(got.pool.truncate));
        if (got.pool.punch) pool.punch.add(decodeHistogram(got.pool.punch));
      } catch {
        return fail(`${d.path}: under ${pol.name}, its pooled latencies do not decode`);
      }
    }
    merge.flush();
    policies.push({ pol, merge, pool });
  }
  const origin = a.doc.scenario.origin;
  const result = finishSimulation(
    spec,
    { horizon: run.horizon, firstSeed: run.firstSeed, seeds, policies },
    { origin, shrink: shrinkerFor(spec, origin) },
  );
  return { ok: true, result, spec };
}

/** One shard: of the schema, its digest intact, its fields of the right kinds. */
function readShard(path: string, raw: unknown): SimulateShardDoc | string {
  if (!isSimulateShard(raw))
    return `${path} is not a simulation shard (schema ${SIMULATE_SHARD_SCHEMA})`;
  const { digest, ...body } = raw as Record<string, unknown>;
  if (docDigest(body) !== digest)
    return `${path} was changed after simulate wrote it: its digest does not match its content`;
  const d = raw as SimulateShardDoc;
  const whole = (x: unknown, min: number) => Number.isSafeInteger(x) && (x as number) >= min;
  const ok =
    typeof d.pinlab === "string" &&
    d.scenario &&
    typeof d.scenario.origin === "object" &&
    d.run &&
    Array.isArray(d.run.policies) &&
    d.run.policies.length > 0 &&
    d.run.policies.every(
      (p) => typeof p?.name === "string" && typeof p.params === "object" && p.params !== null,
    ) &&
    whole(d.run.firstSeed, 0) &&
    whole(d.run.seeds, 1) &&
    typeof d.run.horizon === "number" &&
    d.run.horizon > 0 &&
    d.shard &&
    whole(d.shard.count, 1) &&
    whole(d.shard.index, 1) &&
    d.shard.index <= d.shard.count &&
    Array.isArray(d.policies) &&
    d.policies.every(
      (p) => Array.isArray(p?.runs) && typeof p.pool === "object" && p.pool !== null,
    );
  return ok ? d : `${path}: not a well-formed simulation shard (written by another pinlab?)`;
}

/** What is wrong with one run's figures, or null (their kinds only). */
function seedStatsError(r: SeedStats): string | null {
  const num = (x: unknown) => typeof x === "number" && Number.isFinite(x);
  if (!num(r.events) || !num(r.end) || !num(r.kills) || r.interrupted !== false)
    return "not the figures of a finished run";
  if (!r.series || !Array.isArray(r.series.busy) || !Array.isArray(r.violations))
    return "not the figures of a finished run";
  return null;
}

/** The scenario a shard carries (its text) or names (bundled), against its content hash. */
function rebuild(sc: SimulateShardDoc["scenario"], host: Host): ScenarioSpec | string {
  const o = sc.origin;
  if (o.kind === "text") {
    if (typeof o.text !== "string" || sourceHash(o.text) !== o.hash)
      return "its scenario text does not match its content hash";
    const parsed = parseScenario(o.text, sc.file ?? "scenario carried in the shard");
    if (!parsed.spec) return "its scenario text does not parse";
    return parsed.spec;
  }
  const l = typeof o.name === "string" ? loadBundled(o.name, host) : undefined;
  if (!l)
    return `it names scenario '${String(o.name).slice(0, 60)}', which is no bundled scenario of this pinlab`;
  if (!l.ok) return l.error;
  if (l.origin.hash !== o.hash)
    return `the bundled scenario ${o.name} changed since the shard was simulated (content hash ${l.origin.hash} now, ${o.hash} then)`;
  return l.spec;
}
