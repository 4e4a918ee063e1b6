/**
 * `pinlab compare`: every policy × scenario checked over every interleaving,
 * and the matrix of verdicts that the 2019 thread could not produce.
 */
import { readdirSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TokenScenario } from "../../engine/explore/token.js";
import type { CellJob } from "../../engine/matrix/cell.js";
import { cellChecker, shardJobs } from "../../engine/matrix/compare.js";
import {
  type CompareSimulation,
  type Simulate,
  simulateCosts,
  type WorkloadInput,
} from "../../engine/matrix/costs.js";
import { policyOrigin } from "../../policies/index.js";
import {
  buildRenderedDoc,
  type CompareDoc,
  type Comparison,
  type DocCell,
  MARK_CHECKED,
  RENDER_CHECKED,
  renderCompareMarkdown,
  renderCompareText,
  type ScenarioInput,
} from "../../report/compare.js";
import { type ConformTarget, parseConformJson } from "../../report/conform.js";
import { renderCompareHtml } from "../../report/html.js";
import { scenarioHash } from "../../scenario/source-hash.js";
import { flag, type OptionSpec, opt, type ParsedArgs, parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { durationArg } from "../duration-arg.js";
import { EXIT_BAD_INPUT, type Host } from "../host.js";
import { parseParams, selectPolicies, timeParamNote } from "../policy-args.js";
import { bundledPins, loadFile, loadScenario } from "../scenarios.js";
import { SIMULATE } from "../simulator.js";
import { PINLAB_VERSION } from "../version.js";
import { elapsed } from "./check.js";

const USAGE = `pinlab compare [scenario...] [options]

Checks every scenario (default: the bundled library in scenarios/) under
every policy, exploring every interleaving of each, and prints the matrix:
rows are policies, columns are properties, each cell the number of scenarios
in which the property is violated (or '.' when proved never; 'v' when in
some scenario the proof is vacuous, because no page was ever pinned), then
per scenario the violations with their shortest witness length and the
vacuous proofs with the operations that never ran.

  --policy <name>       restrict to these policies (repeatable); default all;
                        a plugin file (./mine.js or .ts) adds its policies (docs/plugins.md)
  --param name=value    a policy parameter
  --md                  print Markdown (for an issue or a web page) instead of text
  --mail                plain text wrapped at 72 columns, to paste into a mail
  --json                print the comparison document (schema pinlab.compare/2)
  --html FILE           also write a self-contained HTML report with sequence diagrams
  --conform FILE        add the results of pinlab conform --json (FILE) to the HTML report
  --out FILE            also write the comparison document (JSON) to FILE
  --shard I/N           check only shard I of N (1-based); join shards with pinlab merge
  --workers N           worker threads (default: the number of cores)
  --max-states N        bound each check (incomplete cells are marked)
  --max-time SECONDS    bound each check
  --brief               the matrix only, without the per-scenario lines
  --simulate            also simulate every workload of a workload library under
                        each policy and add measured cost columns (kills/h,
                        connection failures/h, truncate p99, stalls over 1 s/h):
                        the worst workload's mean over the seeds, with its 95 %
                        confidence interval
  --workloads DIR       with --simulate: the .pin workloads to simulate (default
                        the bundled workloads/)
  --seeds N             with --simulate: seeds per workload and policy (default 20)
  --horizon T           with --simulate: virtual time per run (90s, 30m, 24h);
                        default each workload's own horizon

Exit status: 0 every expectation met, 1 one failed, 2 bad input, 3 a check was incomplete.`;

/** What compare needs from outside: the simulator for `--simulate` (null: none in this pinlab). */
export interface CompareDeps {
  readonly simulate: Simulate | null;
}

export const compareCommand: Command = compareWith({ simulate: SIMULATE });

/** The compare command over a given simulator (tests pass a fake one). */
export function compareWith(deps: CompareDeps): Command {
  return {
    name: "compare",
    summary: "check every policy x scenario and print the least-bad-options matrix",
    usage: USAGE,
    async run(argv, host) {
      const parsed = parseArgs(argv, [
        { name: "policy", value: true, repeat: true },
        { name: "param", value: true, repeat: true },
        ...OUTPUT_OPTIONS,
        { name: "shard", value: true },
        { name: "workers", value: true },
        { name: "max-states", value: true },
        { name: "max-time", value: true },
        { name: "progress", value: false },
        { name: "simulate", value: false },
        { name: "workloads", value: true },
        { name: "seeds", value: true },
        { name: "horizon", value: true },
      ]);
      if (!parsed.ok) return bad(host, parsed.error);
      const a = parsed.args;
      const simOpts = simulationOptions(a, deps);
      if (typeof simOpts === "string") return bad(host, simOpts);
      if (simOpts && opt(a, "shard") !== undefined)
        return bad(host, "--simulate does not go with --shard: simulate the workloads in one run");
      let shard: { index: number; count: number } | null = null;
      const shardText = opt(a, "shard");
      if (shardText !== undefined) {
        const m = /^(\d+)\/(\d+)$/.exec(shardText);
        if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2]))
          return bad(host, `--shard expects I/N with 1 <= I <= N (got '${shardText}')`);
        shard = { index: Number(m[1]), count: Number(m[2]) };
      }
      const num = (k: string): number | undefined | string => {
        const v = opt(a, k);
        if (v === undefined) return undefined;
        return /^\d+(\.\d+)?$/.test(v) && Number(v) > 0
          ? Number(v)
          : `--${k} expects a positive number (got '${v}')`;
      };
      const workers = num("workers");
      const maxStates = num("max-states");
      const maxTime = num("max-time");
      for (const v of [workers, maxStates, maxTime]) if (typeof v === "string") return bad(host, v);
      const params = parseParams(a.options.get("param") ?? []);
      if (!params.ok) return bad(host, params.error);
      const sel = selectPolicies(a.options.get("policy") ?? [], params.params, {
        instances: true,
      });
      if (!sel.ok) return bad(host, sel.error);
      const note = timeParamNote(params.params, "compare");
      // the verdicts cannot depend on it; the simulated cost columns do
      if (note)
        host.err(
          simOpts
            ? note.replace("(only pinlab simulate uses it)", "(the simulated costs use it)")
            : note,
        );
      const refs = a.positionals.length > 0 ? a.positionals : bundledPins();
      if (refs.length === 0)
        return bad(host, "no scenarios: give .pin files, or run from a checkout with scenarios/");
      const controller = new AbortController();
      const bar = progressBar(host, flag(a, "progress"));
      // The worker threads start now and load their modules while the scenarios are parsed.
      const cellCount = new Set(refs).size * sel.policies.length;
      const checker = cellChecker<DocCell>(
        {
          workers: Math.max(1, Math.floor((workers as number | undefined) ?? cpus().length)),
          explore: {
            reduce: true,
            ...(maxStates ? { maxStates: maxStates as number } : {}),
            ...(maxTime ? { maxTimeMs: (maxTime as number) * 1000 } : {}),
          },
          signal: controller.signal,
          // Each worker renders the cells it checked; witness steps only for a
          // document that is written out (JSON, HTML): text and Markdown never show them.
          finish: outputsDoc(outputOptions(a)) ? RENDER_CHECKED : MARK_CHECKED,
          onStart: (job) => bar.start(`${job.ref} under ${job.policy}`),
          onCell: (done, total, cell) =>
            bar.update(done, total, `${cell.scenario} under ${cell.policy}`),
        },
        shardJobs(Array.from({ length: cellCount }), shard ?? undefined).length,
      );
      const specs = new Map<string, ScenarioInput>();
      const origins = new Map<string, TokenScenario>();
      for (const ref of refs) {
        const l = loadScenario(ref, host);
        if (!l.ok) {
          checker.close();
          return bad(host, l.error, l.exit);
        }
        const source = l.source ?? null;
        specs.set(ref, { spec: l.spec, source, hash: scenarioHash(l.spec, source) });
        origins.set(ref, l.origin);
      }
      const jobs: CellJob[] = [];
      // A policy compared under several parameter sets is one row each, keyed by its label.
      for (const [ref, { spec }] of specs)
        for (const [i, p] of sel.policies.entries())
          jobs.push({
            ref,
            spec,
            origin: origins.get(ref)!,
            policy: sel.labels[i]!,
            params: p.params,
          });
      // Every shard records the whole comparison, so that merge can tell a complete split.
      const comparison: Comparison = {
        pinlab: PINLAB_VERSION,
        scenarios: [...specs].map(([ref, x]) => ({ ref, hash: x.hash })),
        // A plugin's file is named by its hash: merge refuses shards of two versions of it.
        policies: sel.policies.map((p, i) => {
          const plugin = policyOrigin(p.name);
          return { name: sel.labels[i]!, params: p.params, ...(plugin ? { plugin } : {}) };
        }),
        bounds: {
          maxStates: (maxStates as number | undefined) ?? null,
          maxTimeMs: maxTime ? (maxTime as number) * 1000 : null,
        },
      };
      const mine = shardJobs(jobs, shard ?? undefined);
      const stop = host.onInterrupt?.(() => controller.abort());
      let cells: DocCell[];
      try {
        cells = await checker.check(mine);
      } finally {
        bar.clear();
        stop?.();
      }
      let simulation: CompareSimulation | undefined;
      if (simOpts && !controller.signal.aborted) {
        const w = loadWorkloads(simOpts.dir, host);
        if (typeof w === "string") return bad(host, w);
        const stopSim = host.onInterrupt?.(() => controller.abort());
        try {
          simulation = await simulateCosts(w, simOpts.simulate, {
            policies: sel.policies.map((p, i) => ({ name: sel.labels[i]!, params: p.params })),
            seeds: simOpts.seeds,
            firstSeed: 1,
            ...(simOpts.horizon !== undefined ? { horizon: simOpts.horizon } : {}),
            workers: Math.max(1, Math.floor((workers as number | undefined) ?? cpus().length)),
            signal: controller.signal,
            onWorkload: (ref, done) => {
              if (host.tty || flag(a, "progress"))
                host.status(`simulating ${done + 1}/${w.length}: ${ref.slice(0, 60)}`);
            },
          });
        } finally {
          if (host.tty || flag(a, "progress")) host.status("");
          stopSim?.();
        }
      }
      const usedSpecs = new Map(
        [...specs].filter(([ref]) => cells.some((c) => c.scenario === ref)),
      );
      const doc = buildRenderedDoc(cells, usedSpecs, shard, comparison, simulation);
      return emit(doc, host, { ...outputOptions(a), interrupted: controller.signal.aborted });
    },
  };
}

/** `--simulate` and its options, checked; null without it, or a message. */
function simulationOptions(
  a: ParsedArgs,
  deps: CompareDeps,
): { simulate: Simulate; dir: string; seeds: number; horizon?: number } | null | string {
  const on = flag(a, "simulate");
  for (const o of ["workloads", "seeds", "horizon"])
    if (!on && a.options.has(o)) return `--${o} goes with --simulate`;
  if (!on) return null;
  if (!deps.simulate)
    return "--simulate needs the timed simulator, which this build of pinlab does not have";
  const seedsText = opt(a, "seeds") ?? "20";
  if (!/^\d+$/.test(seedsText) || Number(seedsText) < 2 || Number(seedsText) > 100_000)
    return `--seeds expects a whole number from 2 to 100000 (got '${seedsText}'): a confidence interval needs two seeds`;
  const horizonText = opt(a, "horizon");
  const horizon = horizonText === undefined ? undefined : durationArg(horizonText, "horizon");
  if (typeof horizon === "string") return horizon;
  return {
    simulate: deps.simulate,
    dir: opt(a, "workloads") ?? WORKLOADS_DIR,
    seeds: Number(seedsText),
    ...(horizon !== undefined ? { horizon } : {}),
  };
}

/** The bundled workload library, shipped beside dist/ as scenarios/ is. */
const WORKLOADS_DIR = fileURLToPath(new URL("../../../workloads/", import.meta.url));

/** Every `.pin` file of a workload directory, parsed (each token carries its text); or a message. */
function loadWorkloads(dir: string, host: Host): WorkloadInput[] | string {
  let names: string[];
  try {
    names = readdirSync(resolve(host.cwd, dir))
      .filter((f) => f.endsWith(".pin"))
      .sort();
  } catch (e) {
    return `cannot read the workloads in ${dir}: ${(e as Error).message}`;
  }
  if (names.length === 0) return `no workloads: ${dir} has no .pin file`;
  const out: WorkloadInput[] = [];
  for (const n of names) {
    // a bundled workload by its place in the package, a user's by the path given
    const ref = dir === WORKLOADS_DIR ? `workloads/${n}` : join(dir, n);
    const l = loadFile(join(dir, n), host);
    if (!l.ok) return l.error;
    out.push({ ref, spec: l.spec, hash: scenarioHash(l.spec, l.source ?? null), origin: l.origin });
  }
  return out;
}

/** How a comparison is printed and saved: shared by compare and merge. */
export const OUTPUT_OPTIONS: readonly OptionSpec[] = [
  { name: "md", value: false },
  { name: "mail", value: false },
  { name: "json", value: false },
  { name: "html", value: true },
  { name: "conform", value: true },
  { name: "out", value: true },
  { name: "brief", value: false },
];

/** Whether the options write the whole document (JSON or HTML), witness steps included. */
function outputsDoc(o: ReturnType<typeof outputOptions>): boolean {
  return o.json || o.out !== undefined || o.html !== undefined;
}

export function outputOptions(a: ParsedArgs) {
  return {
    md: flag(a, "md"),
    mail: flag(a, "mail"),
    json: flag(a, "json"),
    brief: flag(a, "brief"),
    html: opt(a, "html"),
    conform: opt(a, "conform"),
    out: opt(a, "out"),
  };
}

/** Prints a comparison document the way the options ask, writes its files, and picks the exit status. */
export function emit(
  doc: CompareDoc,
  host: Host,
  o: {
    md: boolean;
    mail: boolean;
    json: boolean;
    brief: boolean;
    html?: string | undefined;
    /** A pinlab.conform/1 file (pinlab conform --json): shown as a section of the HTML report. */
    conform?: string | undefined;
    out?: string | undefined;
    interrupted: boolean;
  },
): number {
  let conform: ConformTarget[] | undefined;
  if (o.conform !== undefined) {
    if (!o.html) {
      host.err("pinlab: --conform adds a section to the HTML report: give --html FILE too\n");
      return EXIT_BAD_INPUT;
    }
    let text: string;
    try {
      text = host.readFile(o.conform);
    } catch (e) {
      host.err(`pinlab: cannot read ${o.conform}: ${(e as Error).message}\n`);
      return EXIT_BAD_INPUT;
    }
    const c = parseConformJson(text);
    if ("error" in c) {
      host.err(`pinlab: ${o.conform}: ${c.error}\n`);
      return EXIT_BAD_INPUT;
    }
    conform = c.targets;
  }
  // the document's text only when it is printed or saved
  const json = o.json || o.out ? `${JSON.stringify(doc, null, 1)}\n` : "";
  if (o.json) host.out(json);
  else if (o.md) host.out(renderCompareMarkdown(doc));
  else host.out(renderCompareText(doc, { drill: !o.brief, width: o.mail ? 72 : 100 }));
  try {
    if (o.out) {
      host.writeFile(o.out, json);
      host.err(`wrote ${o.out}\n`);
    }
    if (o.html) {
      host.writeFile(o.html, renderCompareHtml(doc, conform ? { conform } : {}));
      host.err(`wrote ${o.html}\n`);
    }
  } catch (e) {
    host.err(`pinlab: cannot write: ${(e as Error).message}\n`);
    return EXIT_BAD_INPUT;
  }
  if (o.interrupted) {
    host.err(
      "interrupted: the matrix above covers the checks that finished; those that were running are marked incomplete\n",
    );
    return 3;
  }
  if (doc.totals.expectationsFailed > 0) return 1;
  if (doc.totals.incomplete > 0) return 3;
  return 0;
}

/** A progress bar on stderr (when it is a terminal, or with --progress). */
function progressBar(host: Host, force: boolean) {
  let shown = false;
  const start = host.now();
  const running: string[] = [];
  return {
    /** A cell started: shown (the oldest running one) until it finishes. */
    start(label: string) {
      running.push(label);
    },
    update(done: number, total: number, finished: string) {
      const i = running.indexOf(finished);
      if (i >= 0) running.splice(i, 1);
      const label = running[0] ?? "";
      if (!(host.tty || force)) return;
      shown = true;
      const width = 30;
      const fill = Math.round((done / total) * width);
      host.status(
        `${elapsed(host.now() - start)} [${"#".repeat(fill)}${".".repeat(width - fill)}] ${done}/${total}  queue ${total - done - running.length}  ${label.slice(0, 40).padEnd(40)}`,
      );
    },
    clear() {
      if (shown) host.status("");
      shown = false;
    },
  };
}

function bad(host: Host, message: string, exit = EXIT_BAD_INPUT): number {
  host.err(`pinlab compare: ${message}\n`);
  return exit;
}
