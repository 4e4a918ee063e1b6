/**
 * A worker thread of `simulate`: one of a pool shared by every policy. It
 * runs the (policy, seed) it is sent, builds each policy's model the first
 * time it meets it, and posts each run's figures as it finishes; sent `end`,
 * it posts its latencies per policy. A shared flag set by the main thread
 * (Ctrl-C) stops the running seed within a few thousand steps.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { ScenarioSpec } from "../../model/spec.js";
import { loadPluginsInWorker, type PluginRef } from "../plugins/load.js";
import { type LatencyPool, latencyPool, type SimModel, simModel, simulateSeed } from "./sim.js";
import { encodePool, simulationModel } from "./simulate.js";

const job = workerData as {
  spec: ScenarioSpec;
  policies: { name: string; params: Record<string, string> }[];
  horizon: number;
  stop: Int32Array;
  plugins: readonly PluginRef[];
};
// the policies and properties of plugin files, as in the main thread (the
// port holds the runs sent meanwhile until the listener below is attached)
await loadPluginsInWorker(job.plugins);
const stop = () => Atomics.load(job.stop, 0) === 1;
const models = new Map<number, SimModel>();
const pools: (LatencyPool | null)[] = job.policies.map(() => null);
parentPort!.on("message", (msg: { p: number; seed: number } | { end: true }) => {
  if ("end" in msg) {
    parentPort!.postMessage({ pools: pools.map((p) => (p ? encodePool(p) : null)) });
    return;
  }
  let sm = models.get(msg.p);
  if (!sm) {
    const pol = job.policies[msg.p]!;
    sm = simModel(simulationModel(job.spec, pol.name, pol.params));
    models.set(msg.p, sm);
  }
  const pool = pools[msg.p] ?? latencyPool();
  pools[msg.p] = pool;
  parentPort!.postMessage({
    p: msg.p,
    seed: simulateSeed(sm, msg.seed, { horizon: job.horizon, stop, pool }),
  });
});
