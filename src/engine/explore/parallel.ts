/**
 * Parallel exploration with worker threads: level-synchronous BFS with the
 * states partitioned among the workers by fingerprint (partition.ts).
 *
 * The search starts in this thread (bfs.ts) while the workers boot, since
 * most checks are small and a worker costs tens of milliseconds to start;
 * once `parallelFrom` states are stored it finishes the current level and
 * hands over: each worker gets the stored fingerprints it owns and its part
 * of the next level. From then on each worker owns the visited set, parent
 * links and frontier of its part, and sends successors it does not own to
 * their owners in batches (worker.ts). This coordinator starts every level
 * once all workers have finished the previous one, so each state is stored
 * at its BFS depth and witnesses are as short as in the serial search; it
 * also watches the bounds and rebuilds witnesses from the parent links.
 * Levels overlap without giving that up: a worker waiting for its peers, or
 * for the word to go on, expands the next level's states it already holds,
 * and their successors wait at their owners until the level is complete.
 *
 * The distinct state count is that of the serial search: a state is stored
 * once, by its owner. Which parent is recorded for a state reached from two
 * parents in one level depends on timing, so witnesses may differ between
 * runs, never in length. Sleep sets need the serial discovery order (see
 * por.ts), so they apply only to the part searched here; the workers expand
 * every state fully (more transitions, never fewer states). Symmetry
 * reduction applies throughout.
 */
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import { fpHi } from "../../model/fingerprint.js";
import { SerialSearch } from "./bfs.js";
import { Budget, defaultMemoryBound } from "./budget.js";
import { DeltaLinks, type DeltaLinksData } from "./columns.js";
import { drive, reductionsFor } from "./drive.js";
import { loadSystem } from "./factory.js";
import { Findings, type FindingsData } from "./findings.js";
import { joinGraphs, type NodeGraph, type SplitGraphData } from "./liveness.js";
import { ownerOf } from "./partition.js";
import { CTL_STATES, CTL_STOP, CTL_WORDS, type WorkerInit } from "./protocol.js";
import { buildResult, serialResult } from "./result.js";
import type { System, SystemFactory } from "./system.js";
import type { ExploreOptions, ExploreResult, IncompleteReason } from "./types.js";

/** States stored in this thread before the workers take over (when not given). */
export const PARALLEL_FROM = 50_000;

interface LevelDone {
  readonly type: "level-done";
  readonly broke: boolean;
  readonly memoryFull: boolean;
  readonly nextCount: number;
  readonly expanded: number;
  readonly transitions: number;
  readonly tableBytes: number;
  readonly traceBytes: number;
  readonly livenessBytes: number;
  /** Watching: an edge between states sharing a pending bit reached one no deeper than its source. */
  readonly cycleMayForm: boolean;
  readonly found: FindingsData;
}

interface Final {
  readonly type: "final";
  /** States this worker stored; per state, its parent's global id (chunks, columns.ts) and the action from it. */
  readonly states: number;
  readonly parents: DeltaLinksData;
  readonly actions: Uint8Array | Uint16Array | Int32Array;
  /** Code → action, for `actions` (small-ints.ts ActionCodes). */
  readonly actionCodes: Int32Array;
  /** With the pending graph: this worker's share of it, and its numbering. */
  readonly graph: SplitGraphData | null;
  readonly seedIds: Int32Array;
  readonly gidBase: number;
  readonly coverage: Uint8Array | null;
}

type FromWorker =
  | { readonly type: "booted" }
  | { readonly type: "ready" }
  | { readonly type: "seeded" }
  | { readonly type: "tick"; readonly expanded: number; readonly transitions: number }
  | LevelDone
  | Final;

/** One worker and a way to await its next message of a kind. */
class Handle {
  readonly worker: Worker;
  transitions = 0;
  expanded = 0;
  private waiting = new Map<string, (m: FromWorker) => void>();
  private early = new Map<string, FromWorker>();

  constructor(data: WorkerInit, onTick: () => void, onError: (e: unknown) => void) {
    this.worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: data });
    this.worker.on("error", onError);
    this.worker.on("message", (m: FromWorker) => {
      if (m.type === "tick") {
        this.transitions = m.transitions;
        this.expanded = m.expanded;
        onTick();
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

/** The workers, started in the background, with a rejection if one crashes. */
class Pool {
  readonly handles: Handle[] = [];
  readonly crashed: Promise<never>;
  failure: unknown = null;

  constructor(n: number, data: (id: number) => WorkerInit, onTick: () => void) {
    let crash: (e: unknown) => void = () => {};
    this.crashed = new Promise<never>((_, reject) => {
      crash = reject;
    });
    this.crashed.catch(() => {}); // observed where awaited
    for (let id = 0; id < n; id++)
      this.handles.push(
        new Handle(data(id), onTick, (e) => {
          this.failure ??= e;
          crash(e);
        }),
      );
  }

  all<T extends FromWorker>(type: T["type"]): Promise<T[]> {
    return Promise.race([Promise.all(this.handles.map((h) => h.next<T>(type))), this.crashed]);
  }

  async connect(): Promise<void> {
    await this.all("booted");
    const n = this.handles.length;
    const ports: Array<Record<number, MessagePort>> = this.handles.map(() => ({}));
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        const ch = new MessageChannel();
        ports[i]![j] = ch.port1;
        ports[j]![i] = ch.port2;
      }
    this.handles.forEach((h, i) => {
      const p = ports[i]!;
      h.worker.postMessage({ type: "ports", ports: p }, Object.values(p) as never[]);
    });
    await this.all("ready");
  }

  terminate(): Promise<unknown> {
    return Promise.all(this.handles.map((h) => h.worker.terminate()));
  }
}

/** What an attempt returns when a cycle of pending states may form and it must run again with the graph. */
const AGAIN = Symbol("again");

export async function exploreParallel(
  factory: SystemFactory,
  workers: number,
  opt: ExploreOptions,
): Promise<ExploreResult> {
  const sys = await loadSystem(factory);
  const budget = new Budget(opt);
  // As in the serial search (bfs.ts): first without the pending graph, every
  // thread watching for an edge that could close a cycle of pending states;
  // if one is seen, once more recording the graph (on global ids: the owner
  // of each edge's target resolves its id, liveness.ts).
  if (sys.pending && (opt.liveness ?? "watch") === "watch") {
    const r = await attempt(sys, factory, workers, opt, budget, true);
    if (r !== AGAIN) return r;
  }
  return (await attempt(sys, factory, workers, opt, budget, false)) as ExploreResult;
}

async function attempt(
  sys: System,
  factory: SystemFactory,
  workers: number,
  opt: ExploreOptions,
  budget: Budget,
  watch: boolean,
): Promise<ExploreResult | typeof AGAIN> {
  const red = reductionsFor(sys, opt);
  const maxStates = opt.maxStates ?? Number.POSITIVE_INFINITY;
  const maxDepth = opt.maxDepth ?? Number.POSITIVE_INFINITY;
  const from = Math.max(1, opt.parallelFrom ?? PARALLEL_FROM);
  const search = new SerialSearch(sys, {
    ...red,
    expectedStates: opt.expectedStates ?? 0,
    allow: budget.allow,
    // on ids, joined with the workers' graphs afterwards
    liveness: watch ? "watch" : "graph",
  });
  const control = new SharedArrayBuffer(CTL_WORDS * 4);
  const ctl = new Int32Array(control);
  let reason: IncompleteReason | null = null;
  let pool: Pool | null = null;
  let handed = false;
  let depth = 0;
  let tableBytes = 0;
  let traceBytes = 0;
  let livenessBytes = 0;
  const stop = (r: IncompleteReason) => {
    reason ??= r;
    Atomics.store(ctl, CTL_STOP, 1);
  };
  const states = () => (handed ? Atomics.load(ctl, CTL_STATES) : search.states);
  const transitions = () =>
    search.transitions + (pool?.handles.reduce((t, h) => t + h.transitions, 0) ?? 0);
  const stats = () =>
    budget.stats(
      states(),
      transitions(),
      handed ? depth : search.depth,
      search.tableBytes + tableBytes,
      search.traceBytes + traceBytes,
      search.livenessBytes + livenessBytes,
      handed
        ? Math.max(
            0,
            states() - search.nextId - (pool?.handles.reduce((t, h) => t + h.expanded, 0) ?? 0),
          )
        : search.queue.count,
    );
  const onTick = () => {
    if (!handed) return;
    const r = budget.check(states());
    if (r) stop(r);
    budget.tick(stats);
  };
  const onAbort = () => stop("interrupted");
  opt.signal?.addEventListener("abort", onAbort);
  const startPool = () =>
    new Pool(
      workers,
      (id) => ({
        factory,
        id,
        workers,
        symmetry: red.symmetry,
        control,
        maxStates,
        maxDepth,
        watch,
        maxMemoryBytes: opt.maxMemoryBytes ?? defaultMemoryBound(),
        expectedStates: opt.expectedStates ?? 0,
      }),
      onTick,
    );
  try {
    // 1. in this thread, until the search is big enough to share (or done)
    reason = await drive(
      search,
      budget,
      stats,
      maxStates,
      from,
      () => {
        if (!pool && search.states >= from / 4) pool = startPool(); // boots meanwhile
      },
      maxDepth,
    );
    if (search.cycleMayForm) return AGAIN;
    if (!search.more || reason) {
      return serialResult(sys, search, stats, reason, red);
    }
    // 2. hand over to the workers
    pool ??= startPool();
    await pool.connect();
    const base = search.states;
    Atomics.store(ctl, CTL_STATES, base);
    depth = search.depth + 1;
    seed(pool, sys, search, workers, red.symmetry);
    await pool.all("seeded");
    handed = true;
    // 3. level by level
    let last: LevelDone[] = [];
    for (let level = depth; ; level++) {
      if (level >= maxDepth) {
        depth = level - 1; // the last level expanded, as in the serial search
        stop("max-depth");
        break;
      }
      depth = level;
      for (const h of pool.handles) h.worker.postMessage({ type: "level", level });
      last = await pool.all<LevelDone>("level-done");
      if (last.some((d) => d.cycleMayForm)) return AGAIN;
      last.forEach((d, i) => {
        pool!.handles[i]!.transitions = d.transitions;
        pool!.handles[i]!.expanded = d.expanded;
      });
      tableBytes = last.reduce((t, d) => t + d.tableBytes, 0);
      traceBytes = last.reduce((t, d) => t + d.traceBytes, 0);
      livenessBytes = last.reduce((t, d) => t + d.livenessBytes, 0);
      const next = last.reduce((t, d) => t + d.nextCount, 0);
      if (last.some((d) => d.memoryFull)) stop("max-memory");
      if (reason) break;
      if (last.some((d) => d.broke)) {
        stop(states() >= maxStates ? "max-states" : "max-memory");
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
    // 4. gather: findings, parent links, pending graphs
    const found = new Findings();
    found.merge(search.found);
    for (const d of last) found.merge(d.found); // each worker's findings are cumulative
    for (const h of pool.handles) h.worker.postMessage({ type: "finish" });
    const finals = await pool.all<Final>("final");
    const pathTo = (gid: number): number[] => {
      const out: number[] = [];
      while (gid >= base) {
        const w = (gid - base) % workers;
        const local = (gid - base - w) / workers;
        const f = finals[w]!;
        out.push(f.actionCodes[f.actions[local]!]!);
        gid = DeltaLinks.at(f.parents, local);
      }
      return [...search.log.pathTo(gid), ...out.reverse()];
    };
    let nodeGraph: NodeGraph | null = null;
    try {
      if (sys.pending && !watch) {
        const idLimit = finals.reduce(
          (t, f, w) => Math.max(t, base + f.states * workers + w + 1),
          base,
        );
        nodeGraph = joinGraphs(
          search.idGraph!,
          search.nextId,
          finals.map((f) => ({ graph: f.graph!, seedIds: f.seedIds, gidBase: f.gidBase })),
          idLimit,
        );
      }
    } catch (e) {
      // joining the pending graphs needs memory too: without it, no lasso search
      if (!(e instanceof RangeError)) throw e;
      reason ??= "max-memory";
    }
    return buildResult({
      sys,
      found,
      pathTo,
      pendingStates: null,
      pendingEdges: null,
      nodeGraph,
      stats,
      reason,
      ...red,
      workers,
      coverage: finals.flatMap((f) => (f.coverage ? [f.coverage] : [])),
    });
  } catch (e) {
    if (pool?.failure) throw pool.failure;
    throw e;
  } finally {
    opt.signal?.removeEventListener("abort", onAbort);
    await pool?.terminate();
  }
}

/** Sends each worker the fingerprints it owns and its part of the queued level. */
function seed(
  pool: Pool,
  sys: System,
  search: SerialSearch<unknown>,
  n: number,
  sym: boolean,
): void {
  const L = sys.init.length;
  const fps: number[][] = Array.from({ length: n }, () => []);
  const withIds = search.idGraph !== null;
  const ids: number[][] = Array.from({ length: n }, () => []);
  search.table.forEach((hi, lo, id) => {
    const w = ownerOf(hi, n);
    fps[w]!.push(hi, lo);
    if (withIds) ids[w]!.push(id);
  });
  const parts: number[][] = Array.from({ length: n }, () => []);
  const q = search.queue;
  const rec = new Int32Array(q.record);
  const state = rec.subarray(0, L);
  for (let id = search.nextId; q.count > 0; id++) {
    q.shift(rec, 0);
    const key = sym && sys.canonical ? sys.canonical(state) : state;
    const part = parts[ownerOf(fpHi(key) | 0, n)]!;
    part.push(id);
    for (let j = 0; j < L; j++) part.push(state[j]!);
  }
  pool.handles.forEach((h, w) => {
    const f = Int32Array.from(fps[w]!);
    const fr = Int32Array.from(parts[w]!);
    const id = withIds ? Int32Array.from(ids[w]!) : null;
    h.worker.postMessage(
      {
        type: "seed",
        fps: f,
        ids: id,
        frontier: fr,
        gidBase: search.states,
        level: search.depth + 1,
      },
      [f.buffer, fr.buffer, ...(id ? [id.buffer] : [])],
    );
  });
}
