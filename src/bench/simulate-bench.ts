/**
 * `simulate` throughput and memory: simulated events (transitions) per
 * second on one core, in this thread, over bundled scenarios; the share of
 * that time spent in the model's own enabled+step (replaying the same
 * schedules without the simulator: the memo of states, memo.ts, can take
 * the simulator past it); and memory against the horizon.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { simModel, simulateSeed } from "../engine/simulate/sim.js";
import { simulationModel } from "../engine/simulate/simulate.js";
import type { ModelEvent } from "../model/events.js";
import type { ScenarioSpec } from "../model/spec.js";
import { enabledInto, stepInto } from "../model/step.js";
import { parseScenario } from "../scenario/index.js";
import { LIBRARY } from "../scenario/library.js";
import type { BenchClock } from "./model-bench.js";

const TARGET = 5_000_000;

const fmt = (x: number) => Math.round(x).toLocaleString("en");

export function runSimulateBench(
  print: (line: string) => void,
  clock: BenchClock,
  budgetMs = 600,
): void {
  const cpu = () => clock.cpu?.() ?? 0;
  print(
    `simulate: seeded runs in one thread (events = transitions; target ${TARGET.toLocaleString("en")}/s per core)`,
  );
  print(
    `${"scenario/policy".padEnd(34)} ${"events/s".padStart(12)} ${"per cpu-s".padStart(12)} ${"model only".padStart(12)} ${"events/run".padStart(11)} memo`,
  );
  // Short runs of the bundled scenarios (per-seed cost), and hour-long runs of
  // a workload of a hundred actors, where states seldom repeat and the memo goes off.
  const cases: [string, string][] = [
    ["core", "revoke"],
    ["core-ignore", "revoke"],
    ["pagecache-writeback", "linux"],
    ["workloads/database-100-mrs", "revoke"],
  ];
  for (const [name, policy] of cases) {
    const spec = caseSpec(name);
    if (!spec) continue;
    const sm = simModel(simulationModel(spec, policy, {}));
    // Warm-up, not counted: the JIT compiles the loop and the model first.
    for (let k = 1, w = clock.now(); clock.now() - w < budgetMs / 2; k++)
      simulateSeed(sm, k, { horizon: 3600 });
    let events = 0;
    let runs = 0;
    const schedules: number[][] = [];
    const t0 = clock.now();
    const c0 = cpu();
    // The clock is read every 16 runs: a run of ten events costs about as much as reading it.
    while (clock.now() - t0 < budgetMs)
      for (let k = 0; k < 16; k++) {
        const r = simulateSeed(sm, runs + 1, { horizon: 3600 });
        events += r.events;
        runs++;
      }
    const rate = (events * 1000) / (clock.now() - t0);
    const cpuRate = (events * 1000) / Math.max(1e-3, cpu() - c0);
    for (let k = 1; k <= Math.min(runs, 200); k++)
      schedules.push([
        ...(simulateSeed(sm, k, { horizon: 3600, record: Number.MAX_SAFE_INTEGER }).recorded ?? []),
      ]);
    // The same schedules through the bare model: what the simulator cannot go below.
    const m = sm.model;
    let a = Int32Array.from(m.init);
    let b = new Int32Array(a.length);
    let modelEvents = 0;
    const en: number[] = [];
    const ev: ModelEvent[] = [];
    const t1 = clock.now();
    while (clock.now() - t1 < budgetMs / 2) {
      for (const sch of schedules) {
        a.set(m.init);
        for (const act of sch) {
          enabledInto(m, a, en);
          while (ev.length > 0) ev.pop();
          stepInto(m, a, act, b, ev);
          const t = a;
          a = b;
          b = t;
          modelEvents++;
        }
      }
    }
    const modelRate = (modelEvents * 1000) / (clock.now() - t1);
    print(
      `${`${name}/${policy}`.padEnd(34)} ${fmt(rate).padStart(12)} ${(clock.cpu ? fmt(cpuRate) : "-").padStart(12)} ${fmt(modelRate).padStart(12)} ${(events / runs).toFixed(1).padStart(11)} ${sm.memo.on ? "on" : "off"}`,
    );
  }
  print("");
  print(
    "simulate: one long run, a peer writing through a pinned MR at 10 k/s (repeating tail), against the horizon",
  );
  print(
    `${"horizon".padStart(9)} ${"events".padStart(10)} ${"events/s".padStart(10)} ${"per cpu-s".padStart(10)} ${"heap".padStart(9)}`,
  );
  const parsed = parseScenario(STREAM, "stream.pin");
  if (!parsed.spec) throw new Error("pinlab bug: the bench's stream scenario does not parse");
  const stream = simModel(simulationModel(parsed.spec, "linux", {}));
  // Warm-up, not counted, as above: the JIT compiles the whole loop (not only
  // its first entry's on-stack replacement) before the first horizon is timed.
  for (let w = clock.now(); clock.now() - w < budgetMs / 2; )
    simulateSeed(stream, 1, { horizon: 2 });
  const gc = (globalThis as { gc?: () => void }).gc;
  for (const horizon of [1, 10, 60, 300]) {
    if (gc) {
      // A collection drops the compiled code that held objects of the earlier
      // rows' models: compiled again (untimed) before the run is timed.
      gc();
      for (let w = clock.now(); clock.now() - w < budgetMs / 6; )
        simulateSeed(stream, 1, { horizon: 2 });
      gc();
    }
    const t0 = clock.now();
    const c0 = cpu();
    const r = simulateSeed(stream, 1, { horizon });
    const dt = clock.now() - t0;
    const dc = Math.max(1e-3, cpu() - c0);
    const heap = process.memoryUsage().heapUsed;
    print(
      `${`${horizon} s`.padStart(9)} ${r.events.toLocaleString("en").padStart(10)} ${fmt(
        (r.events * 1000) / dt,
      ).padStart(
        10,
      )} ${(clock.cpu ? fmt((r.events * 1000) / dc) : "-").padStart(10)} ${`${(heap / 2 ** 20).toFixed(1)} MiB`.padStart(9)}`,
    );
  }
  print(
    "  (memory: the state, the enabled actions' schedule, fixed-size statistics and the bounded memo of states; flat in the horizon)",
  );
}

/** A scenario of the library by name, or a bundled file as `workloads/NAME`. */
function caseSpec(name: string): ScenarioSpec | null {
  if (!name.startsWith("workloads/")) return LIBRARY[name]?.() ?? null;
  const file = fileURLToPath(new URL(`../../${name}.pin`, import.meta.url));
  const parsed = parseScenario(readFileSync(file, "utf8"), `${name}.pin`);
  if (!parsed.spec) throw new Error(`pinlab bug: ${name}.pin does not parse`);
  return parsed.spec;
}

const STREAM = `scenario "a peer writing at 10 k/s"
fs dax blocks=4
user alice
file data owner=alice mode=0644 pages=2
proc server user=alice {
  fd = open data rw
  va = mmap fd pages=0..1 shared rw
  mr = reg_mr va access=local_write,remote_write
  send client mr
}
remote client {
  mr = recv
  repeat every exp 100us { rdma_write mr page=0 }
}
timing pace peer=client 0s
`;
