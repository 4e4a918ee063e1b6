/**
 * Benchmark of the explorer on the toy pins-vs-lease-break model
 * (engine/toy-pins.ts: N pinners, one breaker, "wait" policy, handlers that
 * cancel), for N = 2…6, one and two workers, without reduction, with sleep
 * sets only ("por": the same states, fewer transitions) and with sleep sets
 * and symmetry ("yes").
 *
 * Prints distinct states per second (wall clock, and per CPU second of the
 * whole process: on a shared machine the latter is the steadier figure;
 * with workers it sums every thread), the threads that did the search (with
 * two workers, searches under 50,000 states finish before the hand-over),
 * transitions per second, bytes per visited state (visited set + parent
 * links, divided by states; the visited set alone in brackets), the bytes
 * per state of the pending-state graph kept for liveness, and peak resident
 * memory (of the whole process, so far). Figures only; nothing is asserted (machines are noisy).
 */
import { explore } from "../engine/explore/explore.js";
import type { ExploreOptions, ExploreResult } from "../engine/explore/types.js";
import { type ToyPinsParams, toyPinsFactory, toyPinsSystem } from "../testing/systems/toy-pins.js";

export interface ExploreBenchOptions {
  readonly sizes?: readonly number[];
  readonly workers?: readonly number[];
  readonly now?: () => number;
}

/** none; sleep sets only (same states, fewer transitions); sleep sets and symmetry. */
type Reduction = "no" | "por" | "yes";

interface Row {
  readonly n: number;
  readonly workers: number;
  readonly reduce: Reduction;
  readonly r: ExploreResult;
  readonly cpuMs: number;
}

const fmt = (x: number) => Math.round(x).toLocaleString("en-US");

export async function runExploreBench(
  print: (line: string) => void,
  o: ExploreBenchOptions = {},
): Promise<void> {
  const sizes = o.sizes ?? [2, 3, 4, 5, 6];
  const workerCounts = o.workers ?? [1, 2];
  const now = o.now ?? (() => performance.now());
  print("explore: toy pins vs. lease break (N pinners, one breaker; policy wait, handler cancel)");
  print(
    [
      "N".padStart(2),
      "wk".padStart(3),
      "thr".padStart(3),
      "reduce".padEnd(6),
      "states".padStart(11),
      "transitions".padStart(12),
      "ms".padStart(7),
      "states/s".padStart(11),
      "states/cpu-s".padStart(13),
      "trans/s".padStart(11),
      "B/state".padStart(13),
      "live B/st".padStart(9),
      "peak RSS".padStart(9),
      "vs 1 wk".padStart(7),
    ].join(" "),
  );
  const rows: Row[] = [];
  for (const n of sizes)
    for (const reduce of ["no", "por", "yes"] as const)
      for (const workers of workerCounts) {
        const params: ToyPinsParams = { n, mode: "wait", handler: "cancel" };
        const target = workers > 1 ? toyPinsFactory(params) : toyPinsSystem(params);
        const opt: ExploreOptions = {
          workers,
          now,
          ...(reduce === "por" ? { por: true } : { reduce: reduce === "yes" }),
        };
        // small sizes finish in milliseconds: repeat and keep the best run
        const reps = n <= 4 ? 5 : 1;
        let best: Row | null = null;
        for (let i = 0; i < reps; i++) {
          const c0 = process.cpuUsage();
          const r = await explore(target, opt);
          const c = process.cpuUsage(c0);
          const row = { n, workers, reduce, r, cpuMs: (c.user + c.system) / 1000 };
          if (!best || r.stats.timeMs < best.r.stats.timeMs) best = row;
        }
        rows.push(best!);
        const one = rows.find((x) => x.n === n && x.reduce === reduce && x.workers === 1);
        const s = best!.r.stats;
        const speedup = one && workers > 1 ? `${(one.r.stats.timeMs / s.timeMs).toFixed(2)}×` : "";
        print(
          [
            String(n).padStart(2),
            String(workers).padStart(3),
            String(best!.r.workers).padStart(3),
            reduce.padEnd(6),
            fmt(s.states).padStart(11),
            fmt(s.transitions).padStart(12),
            fmt(s.timeMs).padStart(7),
            fmt(s.statesPerSec).padStart(11),
            fmt(s.states / (best!.cpuMs / 1000)).padStart(13),
            fmt(s.transitionsPerSec).padStart(11),
            `${s.bytesPerState.toFixed(1)} (${(s.tableBytes / s.states).toFixed(1)})`.padStart(13),
            (s.livenessBytes / s.states).toFixed(1).padStart(9),
            `${fmt(s.peakMemoryBytes / 2 ** 20)}M`.padStart(9),
            speedup.padStart(7),
          ].join(" "),
        );
      }
}
