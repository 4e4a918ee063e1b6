/**
 * pinlab against SPIN on repw-N-P (check-bench.ts replicas(N, P) under
 * revoke) at about 10^6 and 10^7 states. For each size, in one interleaved
 * run (every configuration once per round, rounds one after the other, so
 * that the machine's drift falls on all of them alike):
 *
 * - SPIN, POR and -DNOREDUCE: `spin -a` + gcc + pan on the generated twin
 *   (spin-twin.ts), each round rebuilding it, the whole pipeline timed;
 * - `pinlab check` on the same scenario as `.pin` (spin-twin.ts repwPin), a
 *   process of its own as a user runs it: reduced and `--no-reduce`, with 1
 *   and 2 workers.
 *
 * It checks that SPIN's unreduced search stores pinlab's unreduced states and
 * explores its edges (the twin is the same state space, or the timing means
 * nothing), and prints the medians and the ratios pair by pair (per round).
 * Figures only; nothing is asserted (shared machines are noisy: quote the
 * load it prints).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildPan,
  hashBitsFor,
  type PanResult,
  removeBuild,
  runPan,
  spinMissing,
  type Timed,
  timedSpawn,
} from "./spin-pan.js";
import { repwPin, repwPromela, type TwinShape, twinName } from "./spin-twin.js";

/** The sizes: 975,024 and 8,558,046 states unreduced under revoke. */
export const SPIN_SHAPES: readonly TwinShape[] = [
  { n: 3, pages: 4 },
  { n: 3, pages: 10 },
];

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number | null;
  readonly rssMb: number | null;
  readonly states: number;
  readonly edges: number;
  /** SPIN: spin -a + gcc; pan's search alone is wallMs - buildMs. */
  readonly buildMs: number;
  readonly searchMs: number;
  readonly searchCpuMs: number | null;
  readonly bytesPerState: number;
  readonly workers: number;
  readonly note: string;
}

interface Config {
  readonly name: string;
  readonly run: () => Sample;
}

const fmt = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "?");
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "?");
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
};
const spread = (xs: readonly number[], f: (x: number) => string) =>
  xs.length > 1 ? `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})` : f(median(xs));
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(" ");

function pinlabConfig(file: string, reduce: boolean, workers: number): Config {
  const cli = fileURLToPath(new URL("../cli/main.js", import.meta.url));
  const args = [cli, "check", file, "--policy", "revoke", "--workers", String(workers), "--json"];
  if (!reduce) args.push("--no-reduce");
  return {
    name: `pinlab check ${reduce ? "reduce" : "--no-reduce"}, ${workers} worker${workers > 1 ? "s" : ""}`,
    run: () => {
      const t: Timed = timedSpawn(process.execPath, args);
      let j: {
        status?: string;
        workers?: number;
        stats?: {
          states: number;
          transitions: number;
          timeMs: number;
          bytesPerState: number;
          livenessBytes: number;
        };
      } = {};
      try {
        j = JSON.parse(t.stdout);
      } catch {
        throw new Error(
          `pinlab check printed no JSON (exit ${t.status}): ${t.stderr.slice(-1000)}`,
        );
      }
      const s = j.stats!;
      return {
        wallMs: t.wallMs,
        cpuMs: t.cpuMs,
        rssMb: t.maxRssMb,
        states: s.states,
        edges: s.transitions,
        buildMs: 0,
        searchMs: s.timeMs,
        searchCpuMs: null,
        bytesPerState: s.bytesPerState + s.livenessBytes / Math.max(1, s.states),
        workers: j.workers ?? workers,
        note: j.status === "complete" ? "" : `(${j.status})`,
      };
    },
  };
}

function spinConfig(shape: TwinShape, noreduce: boolean, states: () => number): Config {
  const pml = repwPromela(shape);
  return {
    name: `SPIN spin -a + gcc + pan, ${noreduce ? "-DNOREDUCE" : "POR"}`,
    run: () => {
      const b = buildPan(pml, { policy: "revoke", noreduce });
      try {
        const p: PanResult = runPan(b, hashBitsFor(states()));
        return {
          wallMs: b.buildMs + p.wallMs,
          cpuMs: p.cpuMs,
          rssMb: p.maxRssMb,
          states: p.states,
          edges: p.edges,
          buildMs: b.buildMs,
          searchMs: p.wallMs,
          searchCpuMs: p.cpuMs,
          bytesPerState: (p.panMemoryMb * 2 ** 20) / p.states,
          workers: 1,
          note: p.errors > 0 ? `(${p.errors} errors: ${p.violated.join(",")})` : "",
        };
      } finally {
        removeBuild(b);
      }
    },
  };
}

export async function runRepwSpinBench(
  print: (line: string) => void,
  o: { readonly shapes?: readonly TwinShape[]; readonly rounds?: readonly number[] } = {},
): Promise<void> {
  const shapes = o.shapes ?? SPIN_SHAPES;
  const missing = spinMissing();
  print(
    `spin twin of repw-N-P (replicas(N, P) under revoke): ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, node ${process.version}`,
  );
  if (missing) print(`spin twin: SPIN rows skipped: ${missing}`);
  else {
    const v = timedSpawn("spin", ["-V"]);
    const cc = timedSpawn(process.env.CC || "gcc", ["--version"]);
    print(`# ${v.stdout.trim().split("\n")[0]}; ${cc.stdout.trim().split("\n")[0]}`);
  }
  print(
    "# one interleaved run per size: each round runs every configuration once; wall = the whole process (SPIN: spin -a + gcc -O2 -DSAFETY + pan -c0), median (min–max) over the rounds",
  );
  const dir = mkdtempSync(join(tmpdir(), "pinlab-repw-"));
  try {
    for (const [k, shape] of shapes.entries()) {
      const rounds = Math.max(1, o.rounds?.[k] ?? 2);
      const file = join(dir, `${twinName(shape)}.pin`);
      writeFileSync(file, repwPin(shape));
      let unreduced = Number.NaN;
      const configs: Config[] = [
        pinlabConfig(file, false, 1),
        pinlabConfig(file, false, 2),
        pinlabConfig(file, true, 1),
        pinlabConfig(file, true, 2),
      ];
      if (!missing)
        configs.push(
          spinConfig(shape, false, () => unreduced),
          spinConfig(shape, true, () => unreduced),
        );
      const samples = configs.map(() => [] as Sample[]);
      print(`${twinName(shape)}: ${rounds} rounds, load average ${load()} at the start`);
      for (let r = 0; r < rounds; r++)
        for (const [i, c] of configs.entries()) {
          const s = c.run();
          if (i === 0) unreduced = s.states;
          samples[i]!.push(s);
        }
      print(`${twinName(shape)}: load average ${load()} at the end`);
      print(
        `  ${"configuration".padEnd(44)} ${"states".padStart(10)} ${"edges".padStart(11)} ${"wk".padStart(2)} ${"wall ms".padStart(24)} ${"build ms".padStart(8)} ${"states/cpu-s".padStart(12)} ${"MB".padStart(6)} ${"B/state".padStart(7)}`,
      );
      for (const [i, c] of configs.entries()) {
        const xs = samples[i]!;
        const s0 = xs[0]!;
        const cpu = xs.map((x) => x.cpuMs).filter((x): x is number => x !== null);
        const rate = cpu.length > 0 ? s0.states / (median(cpu) / 1000) : Number.NaN;
        const rss = xs.map((x) => x.rssMb).filter((x): x is number => x !== null);
        print(
          `  ${c.name.padEnd(44)} ${fmt(s0.states).padStart(10)} ${fmt(s0.edges).padStart(11)} ${String(s0.workers).padStart(2)} ${spread(
            xs.map((x) => x.wallMs),
            fmt,
          ).padStart(
            24,
          )} ${(s0.buildMs > 0 ? fmt(median(xs.map((x) => x.buildMs))) : "-").padStart(8)} ${fmt(rate).padStart(12)} ${(rss.length > 0 ? fmt(Math.max(...rss)) : "?").padStart(6)} ${s0.bytesPerState.toFixed(0).padStart(7)} ${s0.note}`,
        );
      }
      const [none1, none2, red1, red2, por, nored] = samples;
      const same = (a: Sample, b: Sample) => a.states === b.states && a.edges === b.edges;
      if (nored && por) {
        print(
          `  twin: SPIN -DNOREDUCE ${fmt(nored[0]!.states)} states, ${fmt(nored[0]!.edges)} edges; pinlab --no-reduce ${fmt(none1![0]!.states)}, ${fmt(none1![0]!.edges)}: ${same(nored[0]!, none1![0]!) ? "the same state space" : "STATE SPACES DIFFER: the twin has drifted from the model, the timings below compare different searches"}; SPIN's POR stores ${fmt(por[0]!.states)}`,
        );
      }
      for (const [what, a, b] of [
        ["--no-reduce", none1![0]!, none2![0]!],
        ["reduce", red1![0]!, red2![0]!],
      ] as const)
        if (!same(a, b))
          print(
            `  pinlab ${what}: 2 workers counted ${fmt(b.states)} states, ${fmt(b.edges)} edges; 1 worker ${fmt(a.states)}, ${fmt(a.edges)}`,
          );
      // Ratios pair by pair: round r of one configuration against round r of another.
      const ratio = (a: Sample[], b: Sample[], f: (s: Sample) => number) =>
        a.map((x, r) => f(x) / f(b[r]!));
      const wall = (s: Sample) => s.wallMs;
      const line = (what: string, xs: number[]) => print(`  ${what.padEnd(64)} ${spread(xs, f2)}×`);
      print("  paired ratios, median (min–max) over the rounds:");
      line(
        "2 workers vs 1, --no-reduce: wall of 1 worker / wall of 2",
        ratio(none1!, none2!, wall),
      );
      line("2 workers vs 1, reduce: wall of 1 worker / wall of 2", ratio(red1!, red2!, wall));
      if (por && nored) {
        line(
          "time to verdict, check --no-reduce (1 worker) / SPIN with POR",
          ratio(none1!, por, wall),
        );
        line(
          "time to verdict, check --no-reduce (2 workers) / SPIN with POR",
          ratio(none2!, por, wall),
        );
        line(
          "time to verdict, check --no-reduce (1 worker) / SPIN -DNOREDUCE",
          ratio(none1!, nored, wall),
        );
        line(
          "default check (1 worker) faster than SPIN with POR: SPIN / check",
          ratio(por, red1!, wall),
        );
        line(
          "default check (2 workers) faster than SPIN with POR: SPIN / check",
          ratio(por, red2!, wall),
        );
        const cpuRate = (s: Sample) =>
          s.searchCpuMs !== null ? s.states / s.searchCpuMs : s.states / (s.cpuMs ?? Number.NaN);
        line(
          "unreduced states per CPU-second, pinlab (1 worker) / pan -DNOREDUCE",
          ratio(none1!, nored, cpuRate),
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
