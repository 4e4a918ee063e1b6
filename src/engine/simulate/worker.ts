/**
 * A worker thread of `simulate`: runs the seeds it is given for one policy
 * and posts each seed's figures as it finishes. A shared flag set by the
 * main thread (Ctrl-C) stops the running seed within a few thousand steps.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { ScenarioSpec } from "../../model/spec.js";
import { loadPluginsInWorker, type PluginRef } from "../plugins/load.js";
import { latencyPool, simModel, simulateSeed } from "./sim.js";
import { encodePool, simulationModel } from "./simulate.js";

const job = workerData as {
  spec: ScenarioSpec;
  policy: string;
  params: Record<string, string>;
  seeds: number[];
  horizon: number;
  stop: Int32Array;
  plugins: readonly PluginRef[];
};
await loadPluginsInWorker(job.plugins);
const sm = simModel(simulationModel(job.spec, job.policy, job.params));
const stop = () => Atomics.load(job.stop, 0) === 1;
const pool = latencyPool();
for (const seed of job.seeds) {
  if (stop()) break;
  parentPort!.postMessage({ seed: simulateSeed(sm, seed, { horizon: job.horizon, stop, pool }) });
}
parentPort!.postMessage(encodePool(pool));
