/** A worker thread of `compare`: checks the cells it is sent, one at a time. */
import { parentPort, workerData } from "node:worker_threads";
import { type CellJob, runCell } from "./cell.js";
import type { ExploreOptions } from "./explore/types.js";

const explore = (workerData as { explore: ExploreOptions }).explore;
parentPort!.on("message", async (msg: { k: number; job: CellJob }) => {
  parentPort!.postMessage(await runCell(msg.job, explore));
});
