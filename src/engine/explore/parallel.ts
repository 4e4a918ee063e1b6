/**
 * Parallel exploration with worker threads: level-synchronous BFS with the
 * states partitioned among the workers by fingerprint (partition.ts). Each
 * worker builds the system itself from a SystemFactory, owns the visited set,
 * parent links and frontier of its part, and sends successors it does not own
 * to their owners in batches (worker.ts). This coordinator starts every level
 * once all workers have finished the previous one, so each state is stored at
 * its BFS depth and witnesses are as short as in the serial search; it also
 * watches the bounds and rebuilds witnesses from the workers' parent links.
 *
 * The distinct state count is that of the serial search: a state is stored
 * once, by its owner. Which parent is recorded for a state reached from two
 * parents in one level depends on timing, so witnesses may differ between
 * runs, never in length. Sleep-set reduction needs the serial discovery
 * order (see por.ts) and is not applied here; symmetry reduction is.
 */
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import type { SystemFactory } from "../system.js";
import { Budget } from "./budget.js";
import { reductionsFor } from "./explore.js";
import { loadSystem } from "./factory.js";
import { Findings, type FindingsData } from "./findings.js";
import { EDGE_WIDTH, STATE_WIDTH } from "./liveness.js";
import { CTL_STATES, CTL_STOP, CTL_WORDS, type WorkerInit } from "./protocol.js";
import { buildResult } from "./result.js";
import type { ExploreOptions, ExploreResult, IncompleteReason } from "./types.js";

interface LevelDone {
  readonly type: "level-done";
  readonly broke: boolean;
  readonly memoryFull: boolean;
  readonly nextCount: number;
  readonly states: number;
  readonly expanded: number;
  readonly transitions: number;
  readonly tableBytes: number;
  readonly traceBytes: number;
  readonly found: FindingsData;
}

interface Final {
  readonly type: "final";
  readonly links: Int32Array;
  readonly pendingStates: Int32Array | null;
  readonly pendingEdges: Int32Array | null;
}

type FromWorker =
  | { readonly type: "booted" }
  | { readonly type: "ready" }
  | { readonly type: "tick"; readonly expanded: number; readonly transitions: number }
  | LevelDone
  | Final;

/** One worker and a way to await its next message of a kind. */
class Handle {
  readonly worker: Worker;
  transitions = 0;
  private waiting = new Map<string, (m: FromWorker) => void>();
  private early = new Map<string, FromWorker>();

  constructor(data: WorkerInit, onTick: (h: Handle) => void, onError: (e: unknown) => void) {
    this.worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: data });
    this.worker.on("error", onError);
    this.worker.on("message", (m: FromWorker) => {
      if (m.type === "tick") {
        this.transitions = m.transitions;
        onTick(this);
        return;
      }
      const w = this.waiting.get(m.type);
      if (w) {
        this.waiting.delete(m.type);
        w(m);
      } else this.early.set(m.type, m);
    });
  }

  next<T extends FromWorker>(type: T["type"]): Promise<T> {
    const m = this.early.get(type);
    if (m) {
      this.early.delete(type);
      return Promise.resolve(m as T);
    }
    return new Promise((resolve) => this.waiting.set(type, resolve as (m: FromWorker) => void));
  }
}

export async function exploreParallel(
  factory: SystemFactory,
  workers: number,
  opt: ExploreOptions,
): Promise<ExploreResult> {
  const sys = await loadSystem(factory);
  const budget = new Budget(opt);
  const { symmetry } = reductionsFor(sys, opt);
  const control = new SharedArrayBuffer(CTL_WORDS * 4);
  const ctl = new Int32Array(control);
  let reason: IncompleteReason | null = null;
  let failure: unknown = null;
  let depth = 0;
  let tableBytes = 0;
  let traceBytes = 0;
  const stop = (r: IncompleteReason) => {
    reason ??= r;
    Atomics.store(ctl, CTL_STOP, 1);
  };
  const states = () => Atomics.load(ctl, CTL_STATES);
  const transitions = () => handles.reduce((t, h) => t + h.transitions, 0);
  const stats = () => budget.stats(states(), transitions(), depth, tableBytes, traceBytes);
  const onTick = () => {
    const r = budget.check(states());
    if (r) stop(r);
    budget.tick(stats);
  };
  const onAbort = () => stop("interrupted");
  opt.signal?.addEventListener("abort", onAbort);
  if (opt.signal?.aborted) stop("interrupted");
  const handles: Handle[] = [];
  let crash: (e: unknown) => void = () => {};
  const crashed = new Promise<never>((_, reject) => {
    crash = reject;
  });
  const onError = (e: unknown) => {
    failure = e;
    crash(e);
  };
  for (let id = 0; id < workers; id++) {
    const data: WorkerInit = {
      factory,
      id,
      workers,
      symmetry,
      control,
      maxStates: opt.maxStates ?? Number.POSITIVE_INFINITY,
      maxMemoryBytes: opt.maxMemoryBytes ?? Number.POSITIVE_INFINITY,
      expectedStates: opt.expectedStates ?? 0,
    };
    handles.push(new Handle(data, onTick, onError));
  }
  const all = <T extends FromWorker>(type: T["type"]): Promise<T[]> =>
    Promise.race([Promise.all(handles.map((h) => h.next<T>(type))), crashed]);
  try {
    await all("booted");
    // a MessageChannel between every pair of workers
    const ports: Array<Record<number, MessagePort>> = handles.map(() => ({}));
    for (let i = 0; i < workers; i++)
      for (let j = i + 1; j < workers; j++) {
        const ch = new MessageChannel();
        ports[i]![j] = ch.port1;
        ports[j]![i] = ch.port2;
      }
    handles.forEach((h, i) => {
      const p = ports[i]!;
      h.worker.postMessage({ type: "ports", ports: p }, Object.values(p) as never[]);
    });
    await all("ready");
    const found = new Findings();
    let last: LevelDone[] = [];
    for (let level = 0; ; level++) {
      depth = level;
      for (const h of handles) h.worker.postMessage({ type: "level", level });
      last = await all<LevelDone>("level-done");
      last.forEach((d, i) => {
        handles[i]!.transitions = d.transitions;
      });
      tableBytes = last.reduce((t, d) => t + d.tableBytes, 0);
      traceBytes = last.reduce((t, d) => t + d.traceBytes, 0);
      const next = last.reduce((t, d) => t + d.nextCount, 0);
      if (last.some((d) => d.memoryFull)) stop("max-memory");
      if (reason) break;
      if (last.some((d) => d.broke)) {
        stop(states() >= (opt.maxStates ?? Number.POSITIVE_INFINITY) ? "max-states" : "max-memory");
        break;
      }
      if (next === 0) break;
      depth = level + 1;
      const r = budget.check(states());
      if (r) {
        stop(r);
        break;
      }
      budget.tick(stats);
    }
    // each worker's findings are cumulative
    for (const d of last) found.merge(d.found);
    for (const h of handles) h.worker.postMessage({ type: "finish" });
    const finals = await all<Final>("final");
    return finish(finals);

    function finish(fs: Final[]): ExploreResult {
      const links = fs.map((f) => f.links);
      const pathTo = (gid: number): number[] => {
        const out: number[] = [];
        for (;;) {
          const w = gid % workers;
          const local = (gid - w) / workers;
          const l = links[w]!;
          const parent = l[local * 2]!;
          if (parent < 0) break;
          out.push(l[local * 2 + 1]!);
          gid = parent;
        }
        return out.reverse();
      };
      let pendingStates: Int32Array | null = null;
      let pendingEdges: Int32Array | null = null;
      if (sys.pending) {
        const sn = fs.reduce((t, f) => t + (f.pendingStates?.length ?? 0), 0);
        const en = fs.reduce((t, f) => t + (f.pendingEdges?.length ?? 0), 0);
        pendingStates = new Int32Array(sn);
        pendingEdges = new Int32Array(en);
        let so = 0;
        let eo = 0;
        for (const f of fs) {
          const base = so / STATE_WIDTH;
          if (f.pendingStates) pendingStates.set(f.pendingStates, so);
          if (f.pendingEdges) {
            pendingEdges.set(f.pendingEdges, eo);
            for (let e = eo; e < eo + f.pendingEdges.length; e += EDGE_WIDTH)
              pendingEdges[e]! += base;
          }
          so += f.pendingStates?.length ?? 0;
          eo += f.pendingEdges?.length ?? 0;
        }
      }
      return buildResult({
        sys,
        found,
        pathTo,
        pendingStates,
        pendingEdges,
        stats: stats(),
        reason,
        por: false,
        symmetry,
        workers,
      });
    }
  } catch (e) {
    if (failure) throw failure;
    throw e;
  } finally {
    opt.signal?.removeEventListener("abort", onAbort);
    await Promise.all(handles.map((h) => h.worker.terminate()));
  }
}
