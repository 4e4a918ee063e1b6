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
export function checkCells<C extends Cell = Cell>(
  jobs: readonly CellJob[],
  o: CompareOptions<C>,
): Promise<C[]> {
  return cellChecker(o, jobs.length).check(jobs);
}

/** A checker whose worker threads are started already (`cellChecker`). */
export interface CellChecker<C extends Cell> {
  /** Checks every job once (a checker checks one list); results come back in job order. */
  check(jobs: readonly CellJob[]): Promise<C[]>;
  /** Ends the threads of a checker that will not check after all. */
  close(): void;
}

/**
 * A checker for at most `jobs` cells whose worker threads start now, before
 * the jobs are known: they load their modules while the caller parses the
 * scenarios. One thread (or one job) checks in this thread instead.
 */
export function cellChecker<C extends Cell = Cell>(
  o: CompareOptions<C>,
  jobs: number,
): CellChecker<C> {
  const count = o.workers <= 1 || jobs <= 1 ? 0 : Math.min(o.workers, jobs);
  const threads = Array.from({ length: count }, () => {
    const w = new Worker(new URL("./cell-worker.js", import.meta.url), {
      workerData: {
        explore: o.explore,
        plugins: loadedPlugins(),
        ...(o.finish ? { finish: o.finish } : {}),
      },
    });
    // an error before the check starts is kept for it
    const failed = new Promise<never>((_, reject) => w.once("error", reject));
    failed.catch(() => {});
    return { w, failed };
  });
  return {
    check: (list) => (count === 0 ? checkHere(list, o) : checkOnThreads(list, threads, o)),
    close() {
      for (const t of threads) void t.w.terminate();
    },
  };
}

/** Checks the jobs one by one in this thread. */
async function checkHere<C extends Cell>(jobs: readonly CellJob[], o: CompareOptions<C>) {
  const out: C[] = [];
  const render = await loadFinish<C>(o.finish);
  const opts = { ...o.explore, ...(o.signal ? { signal: o.signal } : {}) };
  for (let k = 0; k < jobs.length && !o.signal?.aborted; k++) {
    o.onStart?.(jobs[k]!);
    out.push(render(await checkCell(jobs[k]!, opts, o.finish?.keepStates ?? false)));
    o.onCell?.(out.length, jobs.length, out[k]!);
  }
  return out;
}

/** Feeds the jobs to the threads in order, each thread a job at a time. */
async function checkOnThreads<C extends Cell>(
  jobs: readonly CellJob[],
  threads: readonly { w: Worker; failed: Promise<never> }[],
  o: CompareOptions<C>,
): Promise<C[]> {
  const out: C[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  // On abort, every running check is told at once: it ends "interrupted"
  // within a slice of work and its partial cell comes back like any other.
  const running = new Set(threads.map((t) => t.w));
  const onAbort = () => {
    for (const w of running) w.postMessage({ abort: true });
  };
  o.signal?.addEventListener("abort", onAbort);
  const lanes = threads.map(
    ({ w, failed }) =>
      new Promise<void>((resolve, reject) => {
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
            out[k] = cell;
            done++;
            o.onCell?.(done, jobs.length, cell);
            feed();
          });
          w.postMessage({ k, job: jobs[k] });
        };
        failed.catch(reject);
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
