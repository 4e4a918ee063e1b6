/**
 * The least-bad-options matrix: every policy × scenario cell checked, in
 * parallel over worker threads, then aggregated per policy and property.
 * Cells are independent, so a matrix also splits into shards (`--shard i/N`)
 * that plain processes run anywhere and `merge` joins.
 */
import { Worker } from "node:worker_threads";
import type { ExploreOptions } from "../explore/types.js";
import { loadedPlugins } from "../plugins/load.js";
import { type Cell, type CellJob, checkCell } from "./cell.js";
import { type CellFinish, loadFinish } from "./finish.js";

// The pure parts (no threads): the aggregation and the schema name, for reports and the browser.
export { type Aggregate, aggregate, COMPARE_SCHEMA } from "./aggregate.js";

/** The cells of shard i of n (1-based), in a fixed order. */
export function shardJobs<T>(
  jobs: readonly T[],
  shard: { index: number; count: number } | undefined,
): T[] {
  if (!shard) return [...jobs];
  return jobs.filter((_, k) => k % shard.count === shard.index - 1);
}

export interface CompareOptions<C extends Cell = Cell> {
  readonly workers: number;
  readonly explore: Omit<ExploreOptions, "signal" | "progress" | "workers">;
  readonly signal?: AbortSignal;
  /** Called when a cell starts. */
  readonly onStart?: (job: CellJob) => void;
  /** Called after each finished cell. */
  readonly onCell?: (done: number, total: number, cell: C) => void;
  /** What the thread that checked a cell makes of it (default: the plain cell). */
  readonly finish?: CellFinish;
}

/** Checks every job; results come back in job order. */
export async function checkCells<C extends Cell = Cell>(
  jobs: readonly CellJob[],
  o: CompareOptions<C>,
): Promise<C[]> {
  const out: C[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const finish = (k: number, cell: C) => {
    out[k] = cell;
    done++;
    o.onCell?.(done, jobs.length, cell);
  };
  if (o.workers <= 1 || jobs.length <= 1) {
    const render = await loadFinish<C>(o.finish);
    for (let k = 0; k < jobs.length && !o.signal?.aborted; k++) {
      o.onStart?.(jobs[k]!);
      const opts = { ...o.explore, ...(o.signal ? { signal: o.signal } : {}) };
      finish(k, render(await checkCell(jobs[k]!, opts, o.finish?.keepStates ?? false)));
    }
    return out.filter(Boolean);
  }
  // On abort, every running check is told at once: it ends "interrupted"
  // within a slice of work and its partial cell comes back like any other.
  const running = new Set<Worker>();
  const onAbort = () => {
    for (const w of running) w.postMessage({ abort: true });
  };
  o.signal?.addEventListener("abort", onAbort);
  const lanes = Array.from(
    { length: Math.min(o.workers, jobs.length) },
    () =>
      new Promise<void>((resolve, reject) => {
        const w = new Worker(new URL("./cell-worker.js", import.meta.url), {
          workerData: {
            explore: o.explore,
            plugins: loadedPlugins(),
            ...(o.finish ? { finish: o.finish } : {}),
          },
        });
        running.add(w);
        if (o.signal?.aborted) w.postMessage({ abort: true });
        const feed = () => {
          if (next >= jobs.length || o.signal?.aborted) {
            running.delete(w);
            void w.terminate();
            resolve();
            return;
          }
          const k = next++;
          o.onStart?.(jobs[k]!);
          w.once("message", (cell: C) => {
            finish(k, cell);
            feed();
          });
          w.postMessage({ k, job: jobs[k] });
        };
        w.once("error", reject);
        feed();
      }),
  );
  try {
    await Promise.all(lanes);
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
  }
  return out.filter(Boolean);
}
