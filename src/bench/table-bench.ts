/**
 * The rows of the performance table: `check` on replicas.pin grown to N
 * pairs (bench/check-bench.ts), unreduced and reduced, one and two workers:
 * states per CPU-second of the whole process (per core: with two workers it
 * sums both threads), bytes per state (visited set + parent links +
 * liveness graph), two workers against one (wall clock), and the time of
 * `compare` over the bundled library. The last rows are `check --no-reduce`
 * of 4 pairs x 2 pages (5,008,897 states) with one and two workers, timed
 * whole (`--quick` leaves them out; `--huge` adds 5 pairs). Figures
 * only; nothing is asserted (shared machines are noisy): quote the load.
 */
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { checkScenario } from "../engine/check/check.js";
import { grownReplicas } from "./check-bench.js";

const fmt = (x: number) => Math.round(x).toLocaleString("en-US");

interface Timed {
  readonly states: number;
  readonly transitions: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly bytes: number;
  readonly liveBytes: number;
  readonly exit: number;
  readonly workers: number;
}

async function timed(n: number, reduce: boolean, workers: number, now: () => number) {
  const c0 = process.cpuUsage();
  const t0 = now();
  const r = await checkScenario(
    { spec: grownReplicas(n), policy: "revoke", params: {} },
    { reduce, workers },
  );
  const wallMs = now() - t0;
  const c = process.cpuUsage(c0);
  const s = r.explore.stats;
  return {
    states: s.states,
    transitions: s.transitions,
    wallMs,
    cpuMs: (c.user + c.system) / 1000,
    bytes: s.bytesPerState * s.states + s.livenessBytes,
    liveBytes: s.livenessBytes,
    exit: r.exit,
    workers: r.explore.workers,
  } satisfies Timed;
}

export async function runTableBench(
  print: (line: string) => void,
  now: () => number,
  o: { readonly big?: boolean; readonly huge?: boolean } = {},
): Promise<void> {
  const load = () =>
    loadavg()
      .map((x) => x.toFixed(1))
      .join(" ");
  print(`table: check of replicas.pin grown to N pairs under revoke (load average ${load()})`);
  print(
    `${"N".padStart(2)} ${"reduce".padEnd(6)} ${"wk".padStart(2)} ${"states".padStart(10)} ${"transitions".padStart(12)} ${"wall ms".padStart(9)} ${"states/cpu-s".padStart(13)} ${"B/state".padStart(8)} ${"live B/st".padStart(9)} ${"vs 1 wk".padStart(7)}`,
  );
  for (const n of [3])
    for (const reduce of [false, true]) {
      let one: Timed | null = null;
      for (const workers of [1, 2]) {
        const t = await timed(n, reduce, workers, now);
        if (workers === 1) one = t;
        const ratio = workers > 1 && one ? `${(one.wallMs / t.wallMs).toFixed(2)}×` : "";
        print(
          `${String(n).padStart(2)} ${String(reduce).padEnd(6)} ${String(t.workers).padStart(2)} ${fmt(t.states).padStart(10)} ${fmt(t.transitions).padStart(12)} ${fmt(t.wallMs).padStart(9)} ${fmt(t.states / (t.cpuMs / 1000)).padStart(13)} ${(t.bytes / t.states).toFixed(1).padStart(8)} ${(t.liveBytes / t.states).toFixed(1).padStart(9)} ${ratio.padStart(7)}`,
        );
      }
    }
  // `compare` over the bundled library, as a user runs it (a process of its own).
  const cli = fileURLToPath(new URL("../cli/main.js", import.meta.url));
  const t0 = now();
  try {
    execFileSync(process.execPath, [cli, "compare"], { stdio: "ignore" });
  } catch {
    // an expectation that fails exits 1: the time still counts
  }
  print(`compare over the bundled library: ${fmt(now() - t0)} ms wall (load ${load()})`);
  if (o.big === false) return;
  // 4 pairs: 5,008,897 states unreduced; 5 pairs (--huge): more than 185 M (2 workers had not finished in 26 min).
  for (const n of o.huge ? [4, 5] : [4]) {
    let one: Timed | null = null;
    for (const workers of [1, 2]) {
      const t = await timed(n, false, workers, now);
      if (workers === 1) one = t;
      const ratio = workers > 1 && one ? `, ${(one.wallMs / t.wallMs).toFixed(2)}× one worker` : "";
      print(
        `check --no-reduce of replicas.pin grown to ${n} pairs x 2 pages, ${t.workers} worker${t.workers > 1 ? "s" : ""}: ${fmt(t.states)} states, ${fmt(t.transitions)} transitions, ${fmt(t.wallMs)} ms wall, ${(t.cpuMs / 1000).toFixed(1)} cpu-s, ${fmt(t.states / (t.cpuMs / 1000))} states/cpu-s, ${(t.bytes / t.states).toFixed(1)} B/state (${(t.liveBytes / t.states).toFixed(1)} liveness)${ratio} (load ${load()})`,
      );
    }
  }
}
