/**
 * `pinlab simulate <scenario>`: seeded timed simulations over the same model
 * as run and check, per policy, with the figures' 95 % confidence intervals.
 */

import { cpus } from "node:os";
import { distributionError } from "../../engine/simulate/distribution.js";
import type { SimulationResult } from "../../engine/simulate/result.js";
import { shrinkerFor } from "../../engine/simulate/shrink.js";
import type { SeedStats } from "../../engine/simulate/sim.js";
import {
  type CollectedRuns,
  collectRuns,
  DEFAULT_HORIZON,
  encodePool,
  finishSimulation,
  type simulateScenario,
} from "../../engine/simulate/simulate.js";
import { policyOrigin } from "../../policies/index.js";
import { renderSimulation } from "../../report/simulate.js";
import { simulateJson } from "../../report/simulate-json.js";
import { parseDuration } from "../../scenario/time.js";
import { flag, opt, parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { EXIT_BAD_INPUT, EXIT_INCOMPLETE, EXIT_OK, type Host } from "../host.js";
import { parseParams, selectPolicies } from "../policy-args.js";
import { loadScenario } from "../scenarios.js";
import { simulateShardDoc } from "../sim-shards.js";
import { elapsed } from "./check.js";

const USAGE = `pinlab simulate <scenario> [options]

Runs the scenario in virtual time: every action takes a duration sampled
from its distribution (the scenario's timing entries, else the defaults in
docs/simulate.md), the earliest fires, and lease-break timers race the
holders' answers for real (no timing assumption). Each seed is one run; per
policy the figures are the mean over the runs with a 95 % confidence
interval: truncate and punch latency, kills and connection failures per
hour, lease breaks ending in a kill, foreign DMAs, stale reads, lost writes,
stranded and busy blocks, ENOSPC. A safety violation is printed with its
seed and a replay token of its shrunk witness (pinlab replay, run --token).

  --policy <name>       a policy, repeatable, or 'all' (the default); or a plugin
                        file (./mine.js or .ts, docs/plugins.md)
  --param name=value    a policy parameter (e.g. lease-break-time=5)
  --seeds N             runs per policy (default 100)
  --seed S              the first seed (default 1): runs use S..S+N-1
  --horizon T           virtual time per run: seconds, or with a unit
                        (500ms, 90s, 30min, 24h, 7d); default the scenario's
                        horizon, else 1h
  --workers N           worker threads (default: the number of cores); the
                        result does not depend on it
  --json                print the result as JSON (schema pinlab.simulate/1, docs/json.md)
  --html FILE           also write a self-contained HTML report with plots (latency
                        CDFs per policy, stranded space and kills over time)
  --progress            draw the progress bar even when stderr is not a terminal
  --shard I/N           run only shard I of N (1-based) of the seeds: the seeds at
                        positions I, I+N, I+2N, ... of S..S+N-1, every policy
  --out FILE            also write the runs as a shard document (schema
                        pinlab.simulate-shard/1); join the shards' files with
                        'pinlab merge' into the result of one run of all the seeds

Ctrl-C stops and prints the runs that finished (exit 3).
Exit status: 0 done, 2 bad input, 3 interrupted.`;

/** A duration as the scenario format writes it (`90s`, `30min`, `24h`, `7d`), or bare seconds; or a message. */
export function parseHorizon(text: string, name: string): number | string {
  const v = /^\d+(\.\d+)?$/.test(text) ? Number(text) : parseDuration(text);
  if (v === undefined || !(v > 0) || !Number.isFinite(v))
    return `--${name} expects a positive duration such as 3600, 90s, 30min or 24h (got '${text}')`;
  return v;
}

function count(text: string | undefined, name: string, min: number): number | string | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text)))
    return `--${name} expects a whole number ≥ ${min} (got '${text}')`;
  return Number(text);
}

export const simulateCommand: Command = {
  name: "simulate",
  summary: "timed seeded simulations per policy: latencies, kills, failures, stranded space",
  usage: USAGE,
  async run(argv, host) {
    const parsed = parseArgs(argv, [
      { name: "policy", value: true, repeat: true },
      { name: "param", value: true, repeat: true },
      { name: "seeds", value: true },
      { name: "seed", value: true },
      { name: "horizon", value: true },
      { name: "workers", value: true },
      { name: "json", value: false },
      { name: "html", value: true },
      { name: "progress", value: false },
      { name: "shard", value: true },
      { name: "out", value: true },
    ]);
    if (!parsed.ok) return bad(host, parsed.error);
    const a = parsed.args;
    if (a.positionals.length !== 1)
      return bad(host, "expected exactly one scenario (a bundled name or a .pin file)");
    const seeds = count(opt(a, "seeds"), "seeds", 1) ?? 100;
    const first = count(opt(a, "seed"), "seed", 0) ?? 1;
    const workers = count(opt(a, "workers"), "workers", 1) ?? cpus().length;
    for (const v of [seeds, first, workers]) if (typeof v === "string") return bad(host, v);
    if ((first as number) + (seeds as number) > 2 ** 32)
      return bad(host, "--seed and --seeds: seeds are 32-bit numbers (S+N-1 must stay below 2^32)");
    const horizonText = opt(a, "horizon");
    const horizon = horizonText === undefined ? undefined : parseHorizon(horizonText, "horizon");
    if (typeof horizon === "string") return bad(host, horizon);
    const params = parseParams(a.options.get("param") ?? []);
    if (!params.ok) return bad(host, params.error);
    const sel = selectPolicies(a.options.get("policy") ?? [], params.params);
    if (!sel.ok) return bad(host, sel.error);
    const html = opt(a, "html");
    if (html !== undefined && html.trim() === "") return bad(host, "--html expects a file name");
    const out = opt(a, "out");
    if (out !== undefined && out.trim() === "") return bad(host, "--out expects a file name");
    const shard = parseShard(opt(a, "shard"));
    if (typeof shard === "string") return bad(host, shard);
    if (shard && out === undefined)
      return bad(host, "--shard needs --out FILE: the shard's runs go there, for pinlab merge");
    const ref = a.positionals[0]!;
    const loaded = loadScenario(ref, host);
    if (!loaded.ok) return bad(host, loaded.error, loaded.exit);
    for (const e of loaded.spec.timing ?? []) {
      const err = distributionError(e.dist);
      if (err) return bad(host, `timing ${e.key}${e.target ? ` ${e.target}` : ""}: ${err}`);
    }
    const controller = new AbortController();
    const stopInterrupt = host.onInterrupt?.(() => controller.abort());
    const bar = progressBar(host, flag(a, "progress"));
    let result: Awaited<ReturnType<typeof simulateScenario>>;
    const policies = sel.policies.map((p) => ({ name: p.name, params: p.params }));
    const runs: SeedStats[][] = policies.map(() => []);
    let collected: CollectedRuns;
    try {
      const o = {
        policies,
        seeds: seeds as number,
        firstSeed: first as number,
        ...(horizon !== undefined ? { horizon } : {}),
        workers: Math.min(workers as number, Math.max(1, cpus().length * 2)),
        signal: controller.signal,
        origin: loaded.origin,
        shrink: shrinkerFor(loaded.spec, loaded.origin),
        progress: (done: number, total: number, policy: string) =>
          bar.update(done, total, `${ref} under ${policy}`),
        ...(shard ? { shard } : {}),
        onRun: (p: number, r: SeedStats) => runs[p]!.push(r),
      };
      collected = await collectRuns(loaded.spec, o);
      result = finishSimulation(loaded.spec, collected, o);
    } finally {
      bar.clear();
      stopInterrupt?.();
    }
    if (shard) result = { ...result, notes: [...result.notes, shardNote(shard, seeds as number)] };
    await emitSimulation(result, host, { json: flag(a, "json"), html });
    if (out !== undefined) {
      if (result.interrupted) {
        host.err(`pinlab simulate: interrupted: ${out} not written (a shard holds all its runs)\n`);
        return EXIT_INCOMPLETE;
      }
      const doc = simulateShardDoc(
        loaded.spec,
        loaded.origin,
        {
          // A plugin's file is named by its hash: merge refuses shards of two versions of it.
          policies: policies.map((p) => {
            const plugin = policyOrigin(p.name);
            return { ...p, ...(plugin ? { plugin } : {}) };
          }),
          firstSeed: first as number,
          seeds: seeds as number,
          horizon: collected.horizon,
        },
        shard ?? { index: 1, count: 1 },
        runs,
        collected.policies.map((p) => encodePool(p.pool)),
      );
      host.writeFile(out, `${JSON.stringify(doc)}\n`);
      host.err(`wrote ${out}\n`);
    }
    if (result.interrupted) {
      host.err(
        `pinlab simulate: interrupted: ${result.policies.length} of ${sel.policies.length} policies, ${result.seeds} of ${seeds} runs each (horizon ${horizon ?? loaded.spec.horizon ?? DEFAULT_HORIZON} s)\n`,
      );
      return EXIT_INCOMPLETE;
    }
    return EXIT_OK;
  },
};

/** `--shard I/N`: null when absent, or a message. */
export function parseShard(
  text: string | undefined,
): { index: number; count: number } | null | string {
  if (text === undefined) return null;
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2]) || !Number.isSafeInteger(Number(m[2])))
    return `--shard expects I/N with 1 <= I <= N (got '${text}')`;
  return { index: Number(m[1]), count: Number(m[2]) };
}

function shardNote(shard: { index: number; count: number }, seeds: number): string {
  const mine = Array.from({ length: seeds }, (_, k) => k).filter(
    (k) => k % shard.count === shard.index - 1,
  ).length;
  return `shard ${shard.index}/${shard.count}: ${mine} of the ${seeds} seeds; pinlab merge joins the shards into the whole result`;
}

/** A simulation's result on stdout (text or JSON), and its page with --html. */
export async function emitSimulation(
  result: SimulationResult & { interrupted: boolean },
  host: Host,
  o: { json: boolean; html: string | undefined },
): Promise<void> {
  if (o.json) host.out(`${JSON.stringify(simulateJson(result, result.interrupted), null, 2)}\n`);
  else host.out(renderSimulation(result));
  if (o.html !== undefined) {
    // Vega and Vega-Lite load only for a page: they take a third of a second.
    const { renderSimulationHtml } = await import("../../report/simulate-html.js");
    host.writeFile(o.html, await renderSimulationHtml(result));
    host.err(`wrote ${o.html}\n`);
  }
}

/** A progress bar on stderr (on a terminal, or with --progress), redrawn at most every 100 ms. */
function progressBar(host: Host, force: boolean) {
  let shown = false;
  const start = host.now();
  let last = -1e9;
  return {
    update(done: number, total: number, label: string) {
      if (!(host.tty || force)) return;
      const t = host.now();
      if (t - last < 100 && done < total) return;
      last = t;
      shown = true;
      const width = 30;
      const fill = Math.round((done / total) * width);
      host.status(
        `${elapsed(t - start)} [${"#".repeat(fill)}${".".repeat(width - fill)}] ${done}/${total} runs  ${label.slice(0, 40)}`,
      );
    },
    clear() {
      if (shown) host.status("");
      shown = false;
    },
  };
}

function bad(host: Host, message: string, exit = EXIT_BAD_INPUT): number {
  host.err(`pinlab simulate: ${message}\n`);
  return exit;
}
