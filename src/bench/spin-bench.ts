/**
 * pinlab against SPIN on the same state space: bench/spin/core.pml is a
 * Promela twin of scenarios/core.pin (wait, unsafe and revoke policies) whose
 * reachable states correspond one to one with pinlab's. bench/spin/run.sh
 * builds and times SPIN's pan (with and without its partial-order
 * reduction); then pinlab's check runs here, in-process, with and without
 * reductions, and both are printed side by side with the verdicts on the
 * properties the twin checks. Figures only; nothing is asserted (these
 * machines are shared and noisy). Without spin installed, run.sh says so and
 * only pinlab's figures are printed. Then the generated twin of repw-N-P at
 * about 10^6 and 10^7 states (spin-repw.ts, docs/spin.md).
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { memoryHost } from "../cli/host.js";
import { loadPinFile } from "../cli/pin-file.js";
import { checkScenario } from "../engine/check/check.js";
import { runRepwSpinBench } from "./spin-repw.js";
import type { TwinShape } from "./spin-twin.js";

const run = promisify(execFile);

/** The properties the twin checks: two assertions and an end-state check. */
const TWIN_PROPERTIES = ["foreign-dma", "stale-exposure", "truncate-hang"] as const;

export interface SpinBenchOptions {
  /** core.pin (default) or no-cancel.pin, the twin's -DNOCANCEL variant. */
  readonly scenario?: "core" | "no-cancel";
  /** Policies the twin models (default all three: wait, unsafe, revoke). */
  readonly policies?: readonly ("wait" | "unsafe" | "revoke")[];
  /** Timed runs per configuration of the core.pin twin, the best kept (default 3). */
  readonly reps?: number;
  readonly now?: () => number;
}

/** One line of run.sh: one pan build and search. */
export interface SpinRun {
  readonly scenario: string;
  readonly policy: string;
  readonly reduction: "por" | "noreduce";
  readonly states: number;
  /** pan's "transitions (= stored+matched)": the edges, plus one for the initial state. */
  readonly transitions: number;
  readonly depth: number;
  readonly errors: number;
  readonly violated: readonly string[];
  readonly wallMs: number;
  readonly memoryMb: number;
  /** The same search with a hash table sized to the states found (pan -w<fitW>). */
  readonly fitW: number;
  readonly fitWallMs: number;
  readonly fitMemoryMb: number;
  readonly compileMs: number;
}

/** Parses a "spin <scenario> <policy> <por|noreduce>: key=value ..." line of run.sh. */
export function parseSpinLine(line: string): SpinRun | null {
  const m = /^spin (\S+) (\S+) (por|noreduce): (.*)$/.exec(line);
  if (!m) return null;
  const kv = new Map<string, string>();
  for (const pair of m[4]!.trim().split(/\s+/)) {
    const i = pair.indexOf("=");
    if (i > 0) kv.set(pair.slice(0, i), pair.slice(i + 1));
  }
  const num = (k: string) => Number(kv.get(k) ?? Number.NaN);
  const violated = kv.get("violated") ?? "none";
  return {
    scenario: m[1]!,
    policy: m[2]!,
    reduction: m[3] as "por" | "noreduce",
    states: num("states"),
    transitions: num("transitions"),
    depth: num("depth"),
    errors: num("errors"),
    violated: violated === "none" ? [] : violated.split(","),
    wallMs: num("wall_ms"),
    memoryMb: num("memory_mb"),
    fitW: num("fit_w"),
    fitWallMs: num("fit_wall_ms"),
    fitMemoryMb: num("fit_memory_mb"),
    compileMs: num("compile_ms"),
  };
}

interface Row {
  readonly policy: string;
  readonly tool: string;
  readonly reduction: string;
  readonly states: number;
  readonly edges: number;
  readonly depth: number;
  readonly wallMs: number;
  readonly memoryMb: number;
  readonly buildMs: number | null;
  readonly violated: readonly string[];
}

const fmt = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "?");
const fmt1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "?");

function line(r: Row): string {
  const perSec = r.wallMs > 0 ? (r.states / r.wallMs) * 1000 : Number.NaN;
  return [
    r.policy.padEnd(7),
    r.tool.padEnd(7),
    r.reduction.padEnd(16),
    fmt(r.states).padStart(7),
    fmt(r.edges).padStart(6),
    String(r.depth).padStart(5),
    fmt1(r.wallMs).padStart(8),
    fmt(perSec).padStart(9),
    fmt1(r.memoryMb).padStart(7),
    (r.buildMs === null ? "-" : fmt(r.buildMs)).padStart(8),
    `  ${r.violated.length > 0 ? r.violated.join(",") : "none"}`,
  ].join(" ");
}

const HEADER = [
  "policy".padEnd(7),
  "tool".padEnd(7),
  "reduction".padEnd(16),
  "states".padStart(7),
  "edges".padStart(6),
  "depth".padStart(5),
  "wall ms".padStart(8),
  "states/s".padStart(9),
  "mem MB".padStart(7),
  "build ms".padStart(8),
  "  violated",
].join(" ");

export async function runSpinBench(
  print: (line: string) => void,
  o: SpinBenchOptions = {},
): Promise<void> {
  const scenario = o.scenario ?? "core";
  const policies = o.policies ?? ["wait", "unsafe", "revoke"];
  const reps = Math.max(1, o.reps ?? 3);
  const now = o.now ?? (() => performance.now());
  const script = fileURLToPath(new URL("../../bench/spin/run.sh", import.meta.url));
  const pin = fileURLToPath(new URL(`../../scenarios/${scenario}.pin`, import.meta.url));

  print(`spin twin: scenarios/${scenario}.pin, SPIN (bench/spin/core.pml) and pinlab check`);
  let spinOut = "";
  try {
    const r = await run("bash", [script, scenario, ...policies], {
      env: { ...process.env, SPIN_BENCH_REPS: String(reps) },
      maxBuffer: 1 << 22,
    });
    spinOut = r.stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message?: string };
    print(`spin twin: run.sh failed: ${(err.stderr || err.message || String(e)).trim()}`);
    spinOut = err.stdout ?? "";
  }
  const spin: SpinRun[] = [];
  for (const l of spinOut.split("\n")) {
    const p = parseSpinLine(l);
    if (p) spin.push(p);
    else if (l.startsWith("#") || l.startsWith("spin twin:")) print(l);
  }

  const loaded = loadPinFile(pin, memoryHost());
  if (!loaded.ok) {
    print(`spin twin: cannot load ${pin}: ${loaded.error}`);
    return;
  }
  print(
    `# pinlab: checkScenario in this process, best wall time of ${reps} after a warm-up; SPIN: the pan process, best of ${reps}`,
  );
  print(
    "# edges: transitions explored (pan prints edges + 1); mem: pan's own accounting / pinlab's peak RSS",
  );
  print(HEADER);
  for (const policy of policies) {
    const rows: Row[] = [];
    for (const reduction of ["por", "noreduce"] as const) {
      const s = spin.find((x) => x.policy === policy && x.reduction === reduction);
      if (!s) continue;
      const name = reduction === "por" ? "POR" : "none";
      const base = {
        policy,
        tool: "SPIN",
        states: s.states,
        edges: s.transitions - 1,
        depth: s.depth,
        buildMs: s.compileMs,
        violated: s.violated,
      };
      rows.push({ ...base, reduction: `${name}, -w24`, wallMs: s.wallMs, memoryMb: s.memoryMb });
      rows.push({
        ...base,
        reduction: `${name}, -w${s.fitW}`,
        wallMs: s.fitWallMs,
        memoryMb: s.fitMemoryMb,
      });
    }
    for (const reduce of [true, false]) {
      const arg = { spec: loaded.spec, policy, params: {} };
      await checkScenario(arg, { reduce }); // warm-up: let the JIT compile the model first
      let best = Number.POSITIVE_INFINITY;
      let result: Awaited<ReturnType<typeof checkScenario>> | null = null;
      for (let i = 0; i < reps; i++) {
        const t0 = now();
        const r = await checkScenario(arg, { reduce, now });
        const t = now() - t0;
        if (t < best) {
          best = t;
          result = r;
        }
      }
      const st = result!.explore.stats;
      const shown = result!.verdicts
        .filter(
          (v) =>
            v.verdict === "Sometimes" && (TWIN_PROPERTIES as readonly string[]).includes(v.name),
        )
        .map((v) => v.name);
      rows.push({
        policy,
        tool: "pinlab",
        reduction: reduce ? "reduce" : "none",
        states: st.states,
        edges: st.transitions,
        depth: st.depth,
        wallMs: best,
        memoryMb: st.peakMemoryBytes / 2 ** 20,
        buildMs: null,
        violated: shown,
      });
    }
    for (const r of rows) print(line(r));
    const spinPlain = rows.find((r) => r.tool === "SPIN" && r.reduction.startsWith("none"));
    const pinPlain = rows.find((r) => r.tool === "pinlab" && r.reduction === "none");
    if (spinPlain && pinPlain) {
      const same = spinPlain.states === pinPlain.states && spinPlain.edges === pinPlain.edges;
      const key = (v: readonly string[]) => [...v].sort().join(",");
      const agree = key(spinPlain.violated) === key(pinPlain.violated);
      print(
        `${policy.padEnd(7)} ${same ? "same state space" : "state spaces differ"} (states ${fmt(spinPlain.states)} / ${fmt(pinPlain.states)}, edges ${fmt(spinPlain.edges)} / ${fmt(pinPlain.edges)}); verdicts ${agree ? "agree" : "differ"}`,
      );
    }
  }
  print("");
  await runRepwSpinBench(print, repwOptions());
}

/**
 * The sizes and rounds of the repw-N-P comparison: PINLAB_SPIN_SHAPES=3x4,3x10
 * (N x P, default spin-repw.ts SPIN_SHAPES) and PINLAB_SPIN_ROUNDS=3,2 (rounds
 * per size, default 3 for the first and 2 for the others).
 */
function repwOptions(): { shapes?: TwinShape[]; rounds: number[] } {
  const shapes = process.env.PINLAB_SPIN_SHAPES?.split(",").map((x) => {
    const [n, pages] = x.split("x").map(Number);
    if (!Number.isInteger(n) || !Number.isInteger(pages) || n! < 1 || pages! < 1)
      throw new Error(`PINLAB_SPIN_SHAPES: '${x}' is not NxP (e.g. 3x4)`);
    return { n: n!, pages: pages! };
  });
  const given = process.env.PINLAB_SPIN_ROUNDS?.split(",").map(Number);
  const count = shapes?.length ?? 2;
  const rounds = [...Array(count).keys()].map(
    (i) => given?.[i] ?? given?.at(-1) ?? (i === 0 ? 3 : 2),
  );
  return shapes ? { shapes, rounds } : { rounds };
}
