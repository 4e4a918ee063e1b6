/**
 * `pinlab check <scenario> --policy P`: every interleaving, every kernel and
 * hardware choice, within bounds. Each property is proved (Never) or refuted
 * by its shortest witness.
 */
import { cpus } from "node:os";
import { type CheckResult, checkScenario } from "../../engine/check/check.js";
import type { ExploreStats } from "../../engine/explore/types.js";
import { renderCheck } from "../../report/check.js";
import { checkJson } from "../../report/check-json.js";
import { wrapLines } from "../../report/wrap.js";
import { flag, opt, parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { EXIT_BAD_INPUT, type Host } from "../host.js";
import { parseParams, selectPolicies, timeParamNote } from "../policy-args.js";
import { loadScenario } from "../scenarios.js";

const USAGE = `pinlab check <scenario> --policy <name> [options]

Explores every interleaving of the scenario's processes, peers, kernel and
hardware (DMA completion order, lease-break timers, writeback, injected
faults) breadth first, so every witness is a shortest one. Each property is
Never (proved over the reachable states) or Sometimes (with its witness
printed like 'run' and a replay token); the scenario's expectations are
judged against these verdicts.

  --policy <name>       a policy, repeatable, or 'all'; or a plugin file
                        (./mine.js or .ts, docs/plugins.md)
  --param name=value    a policy parameter
  --max-states N        stop after N distinct states (incomplete, exit 3)
  --max-time SECONDS    stop after this long (incomplete, exit 3)
  --max-memory MB       stop before the process would use more (incomplete, exit 3);
                        default 80% of the machine's (or the container's) memory,
                        and 90% of the address space under ulimit -v
  --workers N           explore with N worker threads (same verdicts and counts;
                        stopped by --max-states, the count past the bound varies)
  --no-reduce           switch partial-order and symmetry reduction off
  --all-witnesses       also print examples of possibilities (e.g. rdma-on-dax)
  --json                print results as JSON (schema pinlab.check/2, docs/json.md)
  --mail                plain text wrapped at 72 columns, to paste into a mail
  --progress            draw the progress line even when stderr is not a terminal

Ctrl-C stops the search and prints what was found so far (exit 3).
Exit status: 0 every expectation met, 1 one failed, 2 bad input, 3 incomplete.`;

function positiveInt(text: string | undefined, name: string): number | string | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0)
    return `--${name} expects a positive number (got '${text}')`;
  return Number(text);
}

export const checkCommand: Command = {
  name: "check",
  summary: "explore every interleaving; prove each property or print its shortest counterexample",
  usage: USAGE,
  async run(argv, host) {
    const parsed = parseArgs(argv, [
      { name: "policy", value: true, repeat: true },
      { name: "param", value: true, repeat: true },
      { name: "max-states", value: true },
      { name: "max-time", value: true },
      { name: "max-memory", value: true },
      { name: "workers", value: true },
      { name: "no-reduce", value: false },
      { name: "all-witnesses", value: false },
      { name: "json", value: false },
      { name: "mail", value: false },
      { name: "progress", value: false },
    ]);
    if (!parsed.ok) return bad(host, parsed.error);
    const a = parsed.args;
    if (a.positionals.length !== 1)
      return bad(host, "expected exactly one scenario (a bundled name or a .pin file)");
    if (!a.options.has("policy"))
      return bad(host, "which policy? give --policy <name> or --policy all");
    const nums: Record<string, number | undefined> = {};
    for (const k of ["max-states", "max-time", "max-memory", "workers"]) {
      const v = positiveInt(opt(a, k), k);
      if (typeof v === "string") return bad(host, v);
      nums[k] = v;
    }
    const params = parseParams(a.options.get("param") ?? []);
    if (!params.ok) return bad(host, params.error);
    const sel = selectPolicies(a.options.get("policy") ?? [], params.params);
    if (!sel.ok) return bad(host, sel.error);
    const note = timeParamNote(params.params, "check");
    if (note) host.err(note);
    const ref = a.positionals[0]!;
    const loaded = loadScenario(ref, host);
    if (!loaded.ok) return bad(host, loaded.error, loaded.exit);
    const controller = new AbortController();
    const stopInterrupt = host.onInterrupt?.(() => controller.abort());
    const progress = progressLine(host, flag(a, "progress"));
    const results: CheckResult[] = [];
    try {
      for (const policy of sel.policies) {
        const r = await checkScenario(
          { spec: loaded.spec, policy: policy.name, params: policy.params },
          {
            ...(nums["max-states"] ? { maxStates: nums["max-states"] } : {}),
            ...(nums["max-time"] ? { maxTimeMs: nums["max-time"] * 1000 } : {}),
            ...(nums["max-memory"] ? { maxMemoryBytes: nums["max-memory"] * 2 ** 20 } : {}),
            workers: nums.workers ? Math.min(nums.workers, Math.max(1, cpus().length * 2)) : 1,
            reduce: !flag(a, "no-reduce"),
            signal: controller.signal,
            progress: (s) => progress.update(`${ref} under ${policy.name}`, s),
            now: host.now,
          },
        );
        progress.clear();
        results.push(r);
        if (!flag(a, "json")) {
          if (results.length > 1) host.out(`\n${"─".repeat(72)}\n\n`);
          const mail = flag(a, "mail");
          const text = renderCheck(r, loaded.origin, {
            allWitnesses: flag(a, "all-witnesses"),
            width: mail ? 72 : 100,
          });
          host.out(mail ? wrapLines(text, 72) : text);
        }
        if (controller.signal.aborted) break;
      }
    } finally {
      progress.clear();
      stopInterrupt?.();
    }
    if (flag(a, "json")) {
      const docs = results.map((r) => checkJson(r, loaded.origin));
      host.out(`${JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 2)}\n`);
    }
    if (results.some((r) => r.exit === 1)) return 1;
    if (controller.signal.aborted || results.some((r) => r.exit === 3)) return 3;
    return 0;
  },
};

/** A progress line on stderr for searches that run longer than a second. */
export function progressLine(host: Host, force: boolean) {
  let shown = false;
  const start = host.now();
  return {
    update(label: string, s: ExploreStats) {
      if (!(host.tty || force) || host.now() - start < 1000) return;
      shown = true;
      const mem = Math.round(s.peakMemoryBytes / 2 ** 20);
      const queued = s.queued !== undefined ? `  queue ${s.queued.toLocaleString("en")}` : "";
      host.status(
        `${elapsed(host.now() - start)}  ${label}: ${s.states.toLocaleString("en")} states${queued}  ${Math.round(s.statesPerSec).toLocaleString("en")}/s  depth ${s.depth}  ${mem} MiB   `,
      );
    },
    clear() {
      if (shown) host.status("");
      shown = false;
    },
  };
}

/** Elapsed time as m:ss (h:mm:ss past an hour). */
export function elapsed(ms: number): string {
  const t = Math.floor(ms / 1000);
  const ss = String(t % 60).padStart(2, "0");
  const m = Math.floor(t / 60);
  return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

function bad(host: Host, message: string, exit = EXIT_BAD_INPUT): number {
  host.err(`pinlab check: ${message}\n`);
  return exit;
}
