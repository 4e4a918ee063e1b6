/**
 * The serial breadth-first search. States are numbered in discovery order
 * (0 = initial); the queue holds the states (each as its difference from the
 * one queued before it, frontier.ts), the visited set only their 64-bit
 * fingerprints, and the parent links about two bytes per state.
 *
 * States are expanded in batches (up to BATCH states, never across a level
 * boundary), in three passes: (1) every successor of every state in the
 * batch is computed, judged and fingerprinted into scratch arrays reused
 * across batches; (2) the home slot of each fingerprint in the visited set is
 * read, so that the cache misses of a large table overlap instead of
 * queueing one after another; (3) the fingerprints are inserted in order and
 * the new states queued. Insertion order, hence numbering, parent links and
 * witnesses, is exactly that of a plain one-state-at-a-time BFS.
 *
 * Liveness (the system's `pending`) is kept one of three ways. "graph"
 * records the pending graph for the lasso search on state ids (liveness.ts:
 * IdGraph; the visited set then keeps each state's id beside its
 * fingerprint), "fingerprints" the same graph on fingerprints (PendingGraph,
 * which the parallel search can join with its workers' graphs). "watch"
 * records no graph and proves instead that none is needed: a cycle of states
 * sharing a pending bit must contain an edge, between two states sharing that
 * bit, to a state no deeper than its source (BFS depths rise by at most one a
 * step, and a cycle comes back to where it began). A BFS edge reaches either
 * a new state or one already stored; stored ones one level down are exactly
 * those in the set of the next level's pending fingerprints (level-set.ts),
 * so any other such edge sets `cycleMayForm`: the search stops there and the
 * caller runs it again with "graph". Without that edge, no lasso exists, and
 * the search holds one level's pending fingerprints instead of a graph.
 *
 * `run` does a bounded slice of work so that the driver can check bounds,
 * report progress and let Ctrl-C through between slices; the loop allocates
 * nothing but what the system's `enabled`, `step` and `canonical` return.
 */
import { fpHi, fpLo } from "../../model/fingerprint.js";
import type { Hasher } from "../../model/xxh64.js";
import { stateHasher } from "./budget.js";
import { Findings } from "./findings.js";
import { Frontier } from "./frontier.js";
import { LevelSet } from "./level-set.js";
import { IdGraph, PendingGraph } from "./liveness.js";
import { ParentLog } from "./parents.js";
import { asleep, childSleep, SLEEP_SLOTS } from "./por.js";
import type { System } from "./system.js";
import { type AllowGrowth, FingerprintTable } from "./table.js";

/** States per batch: enough successors for the memory system to overlap their probes. */
const BATCH = 64;

export interface SearchConfig {
  readonly por: boolean;
  readonly symmetry: boolean;
  readonly expectedStates: number;
  readonly allow: AllowGrowth;
  /** How liveness is kept (see above); "fingerprints" when not given. */
  readonly liveness?: LivenessMode;
}

/**
 * "graph": the pending graph on ids; "fingerprints": on fingerprints;
 * "watch": none, and stop if a cycle could form.
 */
export type LivenessMode = "graph" | "fingerprints" | "watch";

export class SerialSearch<E> {
  readonly table: FingerprintTable;
  readonly queue: Frontier;
  readonly log: ParentLog;
  readonly found = new Findings();
  readonly graph: PendingGraph | null;
  /** In "graph" mode: the pending graph on state ids. */
  readonly idGraph: IdGraph | null;
  /** In "watch" mode: the pending fingerprints of the level being discovered. */
  readonly watch: LevelSet | null;
  /**
   * In "watch" mode: an edge between two states sharing a pending bit reached
   * a state no deeper than its source, so a lasso may exist and the search
   * must run again with "graph". The search stops once this is set.
   */
  cycleMayForm = false;
  states = 1;
  transitions = 0;
  depth = 0;
  /** Index of the next state to expand. */
  private next = 0;
  /** First index of the level after the one being expanded. */
  private levelEnd = 1;
  private readonly L: number;
  private readonly width: number;
  private readonly cur: Int32Array;
  private readonly tmp: Int32Array;
  /** A record being queued: a state, then its sleep set with POR. */
  private readonly rec: Int32Array;
  /** One fingerprint (hi, lo). */
  private readonly fp = new Int32Array(2);
  /** Fingerprints states; `cur`, `tmp` and `canon` live in its memory, so it hashes them in place. */
  private readonly hasher: Hasher;
  /** Where a canonical form that differs from its state is written. */
  private readonly canon: Int32Array;
  private readonly events: E[] = [];
  /** The enabled actions of the state being expanded (System.enabledInto). */
  private readonly en: number[] = [];
  // the batch: parent records (state + sleep set) and where their successors end
  private readonly parents: Int32Array;
  private readonly ends = new Int32Array(BATCH);
  // successors of the batch: states, fingerprints (hi, lo pairs), actions
  private succ: Int32Array;
  private fps: Int32Array;
  private acts: Int32Array;
  /** In "watch" and "graph" modes, per successor: 1 if the edge is between states sharing a pending bit. */
  private shared: Uint8Array;
  /** In "graph" mode, per state of the batch: its pending mask if it has successors, else 0. */
  private readonly pendOf = new Int32Array(BATCH);
  /** Where touched slot values go, so the loads are not optimised away. */
  sink = 0;

  constructor(
    readonly sys: System<E>,
    readonly cfg: SearchConfig,
  ) {
    const L = sys.init.length;
    this.L = L;
    this.width = cfg.por ? L + 1 + SLEEP_SLOTS : L;
    this.table = new FingerprintTable(
      cfg.expectedStates,
      cfg.allow,
      sys.pending !== undefined && cfg.liveness === "graph",
    );
    this.queue = new Frontier(this.width, cfg.allow);
    this.rec = new Int32Array(this.width);
    this.log = new ParentLog(cfg.allow);
    const mode = sys.pending === undefined ? null : (cfg.liveness ?? "fingerprints");
    this.graph = mode === "fingerprints" ? new PendingGraph(cfg.allow) : null;
    this.idGraph = mode === "graph" ? new IdGraph(cfg.allow) : null;
    this.watch = mode === "watch" ? new LevelSet(cfg.allow) : null;
    this.hasher = stateHasher(L, 3);
    [this.cur, this.tmp, this.canon] = this.hasher.buffers as [Int32Array, Int32Array, Int32Array];
    this.parents = new Int32Array(BATCH * this.width);
    // successors of a batch: room for two per state at first, grown by `room`
    this.succ = new Int32Array(BATCH * 2 * L);
    this.fps = new Int32Array(BATCH * 2 * 2);
    this.acts = new Int32Array(BATCH * 2);
    this.shared = new Uint8Array(BATCH * 2);
    const key = cfg.symmetry && sys.canonical ? sys.canonical(sys.init) : sys.init;
    this.table.add(fpHi(key) | 0, fpLo(key) | 0);
    // (the sleep set of the initial state is empty: rec is all zeros)
    this.rec.set(sys.init);
    this.queue.push(this.rec, 0);
  }

  /** Makes room for `n` successors in the batch. */
  private room(n: number): void {
    if (n <= this.acts.length) return;
    const c = Math.max(n, this.acts.length * 2);
    const s = new Int32Array(c * this.L);
    s.set(this.succ);
    this.succ = s;
    const f = new Int32Array(c * 2);
    f.set(this.fps);
    this.fps = f;
    const a = new Int32Array(c);
    a.set(this.acts);
    this.acts = a;
    const sh = new Uint8Array(c);
    sh.set(this.shared);
    this.shared = sh;
  }

  /** Bytes of the visited set and parent links. */
  get tableBytes(): number {
    return this.table.bytes;
  }
  get traceBytes(): number {
    return this.log.bytes;
  }
  /** Bytes kept for liveness: the pending graph, or the level set that stands for it. */
  get livenessBytes(): number {
    return (this.graph?.bytes ?? 0) + (this.idGraph?.bytes ?? 0) + (this.watch?.bytes ?? 0);
  }

  /** Whether states remain to expand. */
  get more(): boolean {
    return this.queue.count > 0;
  }

  /** Whether every state of the levels begun so far is expanded (the queue holds one whole level). */
  get atLevelEnd(): boolean {
    return this.next === this.levelEnd;
  }

  /** Whether the states left to expand are `maxDepth` or more steps from the initial state. */
  atDepth(maxDepth: number): boolean {
    return this.queue.count > 0 && this.atLevelEnd && this.depth + 1 >= maxDepth;
  }

  /** Index of the next state to expand (the first queued one). */
  get nextId(): number {
    return this.next;
  }

  /**
   * Expands at least `budget` states (whole batches); stops early once `maxStates` states are
   * stored, at the end of a level once `pauseFrom` states are stored, or
   * before the level of states `maxDepth` steps from the initial state.
   */
  run(
    budget: number,
    maxStates: number,
    pauseFrom = Number.POSITIVE_INFINITY,
    maxDepth = Number.POSITIVE_INFINITY,
  ): void {
    while (
      budget > 0 &&
      this.queue.count > 0 &&
      this.states < maxStates &&
      !this.table.full &&
      !this.cycleMayForm
    ) {
      if (this.next === this.levelEnd) {
        if (this.states >= pauseFrom && this.next > 0) return;
        if (this.depth + 1 >= maxDepth) return;
        this.depth++;
        this.levelEnd = this.states;
        this.watch?.clear();
        this.idGraph?.levels.push(this.next);
      }
      // Batches are cut by BATCH and level ends only, never by the budget: the
      // budget follows the clock (drive.ts), and a bound checked between
      // batches must stop at the same state on every run.
      const b = Math.min(BATCH, this.queue.count, this.levelEnd - this.next);
      this.batch(b);
      budget -= b;
    }
  }

  /** Expands the next `b` queued states, all of the current level. */
  private batch(b: number): void {
    const sys = this.sys;
    const L = this.L;
    const W = this.width;
    const q = this.queue;
    const found = this.found;
    const cur = this.cur;
    const tmp = this.tmp;
    const events = this.events;
    const graph = this.graph;
    const watch = this.watch;
    const idg = this.idGraph;
    const pendOf = this.pendOf;
    const live = sys.pending !== undefined;
    const por = this.cfg.por;
    const par = this.parents;
    const ends = this.ends;
    const canon = canonicalOf(sys, this.cfg.symmetry, this.canon);
    const into = sys.stepInto ? sys.stepInto.bind(sys) : null;
    const enInto = sys.enabledInto ? sys.enabledInto.bind(sys) : null;
    const enBuf = this.en;
    const d = this.depth;
    const first = this.next;
    const hasher = this.hasher;
    // pass 1: successors, judgements, fingerprints
    let m = 0;
    for (let p = 0; p < b; p++) {
      const id = first + p;
      const po = p * W;
      // with sleep sets the record (state, sleep set) is kept for pass 3; without, only the state
      if (por) {
        q.shift(par, po);
        cur.set(par.subarray(po, po + L));
      } else q.shift(cur, 0);
      const en = enInto ? enBuf : sys.enabled(cur);
      const n = enInto ? enInto(cur, enBuf) : en.length;
      const pend = live ? sys.pending!(cur) : 0;
      found.pendingBits |= pend;
      pendOf[p] = 0;
      if (n === 0) {
        found.terminal(id, d, sys.judgeEnd(cur), pend);
        ends[p] = m;
        continue;
      }
      pendOf[p] = pend;
      if (pend !== 0) {
        if (graph) {
          const fp = this.fp;
          hasher.into(canon ? canon(cur) : cur, fp, 0);
          graph.addState(id, d, fp[0]!, fp[1]!, pend);
        }
        if (por) par[po + L] = 0; // liveness needs every edge of a pending state
      }
      if (m + n > this.acts.length) this.room(m + n);
      const succ = this.succ;
      const fps = this.fps;
      const acts = this.acts;
      const shared = this.shared;
      for (let i = 0; i < n; i++) {
        const a = en[i]!;
        if (por && asleep(par, po + L, a)) continue;
        // pop, not `length = 0`, which drops the backing store and regrows it every transition
        while (events.length !== 0) events.pop();
        let nx = tmp;
        if (into) into(cur, a, tmp, events);
        else nx = sys.step(cur, a, events);
        const bits = sys.judge(cur, a, nx, events);
        if (bits !== 0n) found.transition(bits, id, a, d + 1);
        hasher.into(canon ? canon(nx) : nx, fps, 2 * m);
        if (pend !== 0 && (sys.pending!(nx) & pend) !== 0) {
          if (graph) graph.addEdge(fps[2 * m]!, fps[2 * m + 1]!);
          else shared[m] = 1;
        } else shared[m] = 0;
        succ.set(nx, m * L);
        acts[m++] = a;
      }
      ends[p] = m;
    }
    this.next = first + b;
    this.transitions += m;
    // pass 2: touch every home slot
    const table = this.table;
    const fps = this.fps;
    let t = 0;
    for (let k = 0; k < m; k++) t ^= table.touch(fps[2 * k]!, fps[2 * k + 1]!);
    this.sink ^= t;
    // pass 3: insert in order, queue the new states
    const log = this.log;
    const rec = this.rec;
    const succ = this.succ;
    const acts = this.acts;
    const shared = this.shared;
    let k = 0;
    for (let p = 0; p < b; p++) {
      log.expand();
      if (idg && pendOf[p] !== 0) idg.addState(first + p, pendOf[p]!);
      const start = k;
      const end = ends[p]!;
      if (por && end > start) cur.set(par.subarray(p * W, p * W + L));
      for (; k < end; k++) {
        const hi = fps[2 * k]!;
        const lo = fps[2 * k + 1]!;
        // with the graph, the id of a state stored before (-1 if new); else 0 or -1
        const old = idg ? table.addOrId(hi, lo) : table.add(hi, lo) ? -1 : 0;
        if (old >= 0) {
          // stored before: one level down (in the level set) or no deeper than here
          if (shared[k] === 1) {
            if (watch && !watch.has(hi, lo)) this.cycleMayForm = true;
            else if (idg) idg.addEdge(old);
          }
          continue;
        }
        if (idg && shared[k] === 1) idg.addEdge(this.states);
        this.states++;
        log.child(acts[k]!);
        const so = k * L;
        if (watch && sys.pending!(succ.subarray(so, so + L)) !== 0) watch.add(hi, lo);
        if (por) {
          rec.set(succ.subarray(so, so + L));
          // explored before acts[k] here: acts[start, k)
          childSleep(sys, cur, acts[k]!, par, p * W + L, acts, start, k, rec, L);
          q.push(rec, 0);
        } else q.push(succ, so);
      }
    }
  }
}

/**
 * The system's canonical form as a function, or null without symmetry: the
 * allocation-free `canonicalInto` writing into `scratch` when the system has
 * it. What it returns is read at once (fingerprinted), never kept.
 */
export function canonicalOf<E>(
  sys: System<E>,
  symmetry: boolean,
  scratch: Int32Array,
): ((s: Int32Array) => Int32Array) | null {
  if (!symmetry) return null;
  if (sys.canonicalInto) {
    const f = sys.canonicalInto.bind(sys);
    return (s) => f(s, scratch);
  }
  return sys.canonical ? sys.canonical.bind(sys) : null;
}
