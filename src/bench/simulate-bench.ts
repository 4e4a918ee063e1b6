/**
 * `simulate` throughput and memory: simulated events (transitions) per
 * second on one core, in this thread, over bundled scenarios; the share of
 * that time spent in the model's own enabled+step (replaying the same
 * schedules without the simulator); and memory against the horizon.
 */
import { simModel, simulateSeed } from "../engine/simulate/sim.js";
import { simulationModel } from "../engine/simulate/simulate.js";
import type { ScenarioSpec } from "../model/spec.js";
import { enabled, stepInto } from "../model/step.js";
import { LIBRARY } from "../scenario/library.js";
import type { BenchClock } from "./model-bench.js";

const TARGET = 5_000_000;

export function runSimulateBench(
  print: (line: string) => void,
  clock: BenchClock,
  budgetMs = 600,
): void {
  print(
    `simulate: seeded runs in one thread (events = transitions; target ${TARGET.toLocaleString("en")}/s per core)`,
  );
  print(
    `${"scenario/policy".padEnd(22)} ${"events/s".padStart(12)} ${"model only".padStart(12)} ${"events/run".padStart(11)}`,
  );
  const cases: [string, string][] = [
    ["core", "revoke"],
    ["core-ignore", "revoke"],
    ["pagecache-writeback", "linux"],
  ];
  for (const [name, policy] of cases) {
    const make = LIBRARY[name];
    if (!make) continue;
    const spec: ScenarioSpec = make();
    const sm = simModel(simulationModel(spec, policy, {}));
    // Warm-up, not counted: the JIT compiles the loop and the model first.
    for (let k = 1, w = clock.now(); clock.now() - w < budgetMs / 2; k++)
      simulateSeed(sm, k, { horizon: 3600 });
    let events = 0;
    let runs = 0;
    const schedules: number[][] = [];
    const t0 = clock.now();
    while (clock.now() - t0 < budgetMs) {
      const r = simulateSeed(sm, runs + 1, { horizon: 3600 });
      events += r.events;
      runs++;
    }
    const rate = (events * 1000) / (clock.now() - t0);
    for (let k = 1; k <= Math.min(runs, 200); k++)
      schedules.push([
        ...(simulateSeed(sm, k, { horizon: 3600, record: Number.MAX_SAFE_INTEGER }).recorded ?? []),
      ]);
    // The same schedules through the bare model: what the simulator cannot go below.
    const m = sm.model;
    let a = Int32Array.from(m.init);
    let b = new Int32Array(a.length);
    let modelEvents = 0;
    const t1 = clock.now();
    while (clock.now() - t1 < budgetMs / 2) {
      for (const sch of schedules) {
        a.set(m.init);
        for (const act of sch) {
          enabled(m, a);
          stepInto(m, a, act, b, []);
          const t = a;
          a = b;
          b = t;
          modelEvents++;
        }
      }
    }
    const modelRate = (modelEvents * 1000) / (clock.now() - t1);
    print(
      `${`${name}/${policy}`.padEnd(22)} ${Math.round(rate).toLocaleString("en").padStart(12)} ${Math.round(modelRate).toLocaleString("en").padStart(12)} ${(events / runs).toFixed(1).padStart(11)}`,
    );
  }
  print("");
  print("simulate: memory against horizon (core under revoke, 200 runs each, heap after a GC)");
  const gc = (globalThis as { gc?: () => void }).gc;
  const sm = simModel(simulationModel(LIBRARY.core!(), "revoke", {}));
  for (const horizon of [3600, 86_400, 30 * 86_400]) {
    gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    for (let k = 1; k <= 200; k++) {
      simulateSeed(sm, k, { horizon });
      if (k % 50 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    print(
      `  horizon ${String(horizon).padStart(8)} s: heap ${(peak / 2 ** 20).toFixed(1)} MiB (${((peak - before) / 2 ** 20).toFixed(1)} MiB over the start)${gc ? "" : " (run node with --expose-gc for a steadier figure)"}`,
    );
  }
  print(
    "  (the bundled scenarios run once and fall quiet: a run's memory is its state, its schedule of enabled actions and fixed-size statistics, whatever the horizon)",
  );
}
