/**
 * A worker thread of `compare`: checks the cells it is sent, one at a time,
 * and hands each on as its finish renders it. An `abort` message stops the
 * running check (it ends "interrupted" and its partial cell is sent back as
 * usual).
 */
import { parentPort, workerData } from "node:worker_threads";
import type { ExploreOptions } from "../explore/types.js";
import { loadPluginsInWorker, type PluginRef } from "../plugins/load.js";
import { type CellJob, checkCell } from "./cell.js";
import { type CellFinish, loadFinish } from "./finish.js";

const data = workerData as {
  explore: ExploreOptions;
  plugins: readonly PluginRef[];
  finish?: CellFinish;
};
const explore = data.explore;
// the policies and properties of plugin files, as in the main thread
const ready = loadPluginsInWorker(data.plugins).then(() => loadFinish(data.finish));
const controller = new AbortController();
parentPort!.on("message", async (msg: { k: number; job: CellJob } | { abort: true }) => {
  if ("abort" in msg) {
    controller.abort();
    return;
  }
  const finish = await ready;
  const checked = await checkCell(
    msg.job,
    { ...explore, signal: controller.signal },
    data.finish?.keepStates ?? false,
  );
  parentPort!.postMessage(finish(checked));
});
