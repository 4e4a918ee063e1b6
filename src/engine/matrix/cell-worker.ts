/**
 * A worker thread of `compare`: checks the cells it is sent, one at a time.
 * An `abort` message stops the running check (it ends "interrupted" and its
 * partial cell is sent back as usual).
 */
import { parentPort, workerData } from "node:worker_threads";
import type { ExploreOptions } from "../explore/types.js";
import { type CellJob, runCell } from "./cell.js";

const explore = (workerData as { explore: ExploreOptions }).explore;
const controller = new AbortController();
parentPort!.on("message", async (msg: { k: number; job: CellJob } | { abort: true }) => {
  if ("abort" in msg) {
    controller.abort();
    return;
  }
  parentPort!.postMessage(await runCell(msg.job, { ...explore, signal: controller.signal }));
});
