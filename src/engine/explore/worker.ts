/**
 * One worker of the parallel explorer (see parallel.ts). It owns the states
 * whose fingerprint maps to it (partition.ts): it keeps their fingerprints,
 * their parent links and the frontier of its part of each BFS level.
 *
 * Per level: expand the owned frontier, appending every successor as a record
 * [hi, lo, parent gid, action, state…] to the outbox of its owner. A full
 * outbox of a peer is sent through a MessagePort (its buffer transferred, not
 * copied); the outbox of this worker is inserted here. Either way a batch is
 * inserted in two passes, touching every home slot first so that the cache
 * misses overlap (as in bfs.ts). Peers' batches are inserted between chunks of
 * expansion work. After its last batch a worker sends each peer an
 * end-of-level mark; ports deliver in order, so when all marks are in, the
 * next level's part is complete, and the worker reports to the coordinator
 * and waits for the next level.
 *
 * The waits are not idle: while peers finish a level, the worker expands the
 * next level's states it holds so far, and after reporting, the rest of them
 * until the coordinator's word. Every state held is at its BFS depth (the
 * levels above are complete), but its successors are not yet comparable with
 * the level still being found: so a batch carries the level it was expanded
 * from, and its owner (this worker too, for its own) keeps a batch from a
 * level ahead of its own until its level is complete. Witnesses and counts
 * are those of the level-by-level search; the states past `maxDepth` are
 * never expanded.
 *
 * Liveness "watch" (bfs.ts): no pending graph; an edge between two states
 * sharing a pending bit is flagged in its record (SHARED), and its owner,
 * which alone knows whether the target is new, stored one level down (in its
 * level set of pending fingerprints) or no deeper than the source, raises
 * CTL_CYCLE in the last case: every worker stops and the coordinator runs
 * the search again with the graph. Flagged records bypass the sent cache,
 * since their owner must see each of them.
 *
 * With the pending graph (SplitGraph, liveness.ts), edges between states
 * sharing a pending bit are flagged the same way; the source records only the
 * target's owner, and the owner, which knows the target's global id (from its
 * visited set's id lane, or the id it gives a new state), appends it to its
 * stream for the source.
 *
 * The shared state counter is updated once per chunk, not per state: an
 * atomic on a cache line two threads write is slow.
 */
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import type { Hasher } from "../../model/xxh64.js";
import { canonicalOf } from "./bfs.js";
import { MemoryGate, stateHasher } from "./budget.js";
import { DeltaLinks } from "./columns.js";
import { loadSystem } from "./factory.js";
import { Findings } from "./findings.js";
import { Frontier } from "./frontier.js";
import { LevelSet } from "./level-set.js";
import { SplitGraph, splitGraphBuffers } from "./liveness.js";
import { ownerOf } from "./partition.js";
import { CTL_CYCLE, CTL_STATES, CTL_STOP, type WorkerInit } from "./protocol.js";
import { ActionCodes, SmallInts } from "./small-ints.js";
import type { System } from "./system.js";
import { FingerprintTable } from "./table.js";

/** States expanded between two looks at peers' batches and the stop flag. */
const CHUNK = 1024;
/** Records per batch. */
const BATCH_RECORDS = 1024;
/** Int32 words a batch may take (big states get fewer records). */
const BUFFER_WORDS = 1 << 18;
/** Whole batch buffers a worker keeps to send again (`spare`): at most 8 MiB. */
const SPARE_BATCHES = 8;
/**
 * States a worker expands ahead per level (see `level`): their successors
 * wait, whole, at their owners, so this bounds that memory (some tens of MB
 * for the biggest states) while covering a peer's lag at the end of a level.
 */
const AHEAD_STATES = 16 * CHUNK;
/** A progress tick every this many expansions. */
const TICK_EVERY = 32768;
/** Slots of the cache of fingerprints already sent to peers (a power of two). */
const SENT_SLOTS = 1 << 16;
/** In a record's action word: the edge is between states sharing a pending bit (watch mode). */
const SHARED = 1 << 30;

/** A batch of records from the expansion of level `level`, or a peer's end of a level. */
type PeerMessage =
  | { readonly batch: Int32Array; readonly level: number }
  | { readonly done: number };
type CoordMessage =
  | { readonly type: "ports"; readonly ports: Record<number, MessagePort> }
  | {
      readonly type: "seed";
      readonly fps: Int32Array;
      /** With the pending graph: the global id of each of `fps`. */
      readonly ids: Int32Array | null;
      readonly frontier: Int32Array;
      readonly gidBase: number;
      /** The depth of the frontier's states. */
      readonly level: number;
    }
  | { readonly type: "level"; readonly level: number }
  | { readonly type: "finish" };

class Part {
  readonly L: number;
  readonly rec: number;
  /** Records per batch to a peer. */
  private readonly batchRecords: number;
  readonly table: FingerprintTable;
  /** Per local state: the parent's global id (as differences: about a byte a state, columns.ts DeltaLinks). */
  readonly links: DeltaLinks;
  /** Per state stored, the code of the action from its parent. */
  readonly actions: SmallInts;
  /** The codes `actions` holds (small-ints.ts ActionCodes). */
  readonly codes = new ActionCodes();
  readonly found = new Findings();
  readonly graph: SplitGraph | null;
  /** Watch mode: the pending fingerprints of the level being discovered. */
  readonly watch: LevelSet | null;
  cycleMayForm = false;
  readonly ctl: Int32Array;
  ports: Record<number, MessagePort> = {};
  /**
   * States of the level being expanded, and of the next one, as queues
   * (frontier.ts): both are read in the order they were stored, the current
   * level from `curDone` on, the next one (ahead) from `nextDone` on.
   */
  cur: Frontier;
  curCount = 0;
  curStart = 0;
  /** States of the current level already expanded (ahead of its turn, see `ahead`). */
  curDone = 0;
  /** The level of the current states. */
  lvl = 0;
  /** Of the next level's states, those already expanded while this level was finishing. */
  nextDone = 0;
  /** The level of the states being expanded (whose successors the outboxes hold). */
  private expLevel = 0;
  /** Batches from the expansion of the next level, to insert once this one is complete. */
  private readonly deferred: Array<{ readonly batch: Int32Array; readonly from: number }> = [];
  /**
   * Whole batch buffers that peers sent and this worker has inserted, kept to
   * be sent on as its next outboxes: the traffic between workers runs both
   * ways, so after the first batches none is allocated (a fresh buffer is
   * zeroed memory to fault in, and garbage for the collector once read).
   */
  private readonly spare: Int32Array[] = [];
  /** Expansion ahead of the coordinator's word (see `ahead`), while it runs. */
  private aheadRun: Promise<void> | null = null;
  private aheadStop = false;
  /** States expanded ahead since the last level began (at most AHEAD_STATES). */
  private aheadCount = 0;
  /** The last level begun in the graph. */
  private graphLevel = -1;
  /** Global ids of the seeded level (states handed over by the coordinator), else null. */
  curGids: Int32Array | null = null;
  gidBase = 0;
  /** With the graph: the global ids of the seeded fingerprints (table ids below their count). */
  private seedIds: Int32Array = new Int32Array(0);
  /** With the graph: the global ids of the seeded level, kept for the graph's numbering. */
  seedGids: Int32Array = new Int32Array(0);
  next: Frontier;
  /** The level queues' memory gate (see the constructor). */
  private readonly keep: (bytes: number) => boolean;
  nextCount = 0;
  transitions = 0;
  expanded = 0;
  memoryFull = false;
  /** Where touched slot values go, so the loads are not optimised away. */
  sink = 0;
  private readonly outbox: Int32Array[] = [];
  private readonly outN: number[] = [];
  /** End-of-level marks received, per level (a fast peer may be a level ahead). */
  private readonly doneFor = new Map<number, number>();
  private wake: (() => void) | null = null;
  private readonly tmp: Int32Array;
  private readonly canonBuf: Int32Array;
  /** Fingerprints states; `tmp` and `canonBuf` live in its memory, so it hashes them in place. */
  private readonly hasher: Hasher;
  private readonly state: Int32Array;
  private readonly pendScratch: Int32Array;
  private readonly fp = new Int32Array(2);
  private readonly events: unknown[] = [];
  /** The enabled actions of the state being expanded (System.enabledInto). */
  private readonly en: number[] = [];
  private lastTick = 0;
  /** New states not yet added to the shared counter. */
  private uncounted = 0;
  /**
   * Fingerprints recently sent to peers, direct-mapped (hi, lo pairs). A
   * successor found here was already sent: its owner has it or will insert
   * it within this level, so sending it again would only cost bandwidth.
   * Most transitions lead to known states, many of them shortly after.
   */
  private readonly sent = new Int32Array(SENT_SLOTS * 2);
  private readonly allow: (bytes: number) => boolean;

  constructor(
    readonly sys: System,
    readonly init: WorkerInit,
  ) {
    this.L = sys.init.length;
    this.rec = 4 + this.L;
    const gate = new MemoryGate(init.maxMemoryBytes);
    const allow = (bytes: number) => {
      const ok = gate.allow(bytes);
      if (!ok) this.memoryFull = true;
      return ok;
    };
    this.allow = allow;
    this.graph = sys.pending && !init.watch ? new SplitGraph(init.workers, allow) : null;
    this.table = new FingerprintTable(
      init.expectedStates / init.workers,
      allow,
      this.graph !== null,
    );
    this.links = new DeltaLinks(allow);
    this.actions = new SmallInts(1024, allow);
    this.watch = sys.pending && init.watch ? new LevelSet(allow) : null;
    this.ctl = new Int32Array(init.control);
    // buffers sized in words, not records: a model's state can be big
    this.batchRecords = Math.max(1, Math.min(BATCH_RECORDS, Math.floor(BUFFER_WORDS / this.rec)));
    // a found state must be kept: its chunk is allocated even over budget (the
    // gate then marks the part full and the run stops), as the table grows
    this.keep = (bytes: number) => {
      allow(bytes);
      return true;
    };
    this.cur = new Frontier(this.L, this.keep);
    this.next = new Frontier(this.L, this.keep);
    this.hasher = stateHasher(this.L, 2);
    [this.tmp, this.canonBuf] = this.hasher.buffers as [Int32Array, Int32Array];
    this.state = new Int32Array(this.L);
    this.pendScratch = new Int32Array(this.L);
    for (let w = 0; w < init.workers; w++) {
      this.outbox.push(new Int32Array(this.batchRecords * this.rec));
      this.outN.push(0);
    }
  }

  /**
   * Takes over from the coordinator's serial search: the fingerprints it
   * stored that this worker owns, and this worker's part of the level to
   * expand next (records [gid, state…]). States found from here get global
   * ids from `gidBase` on: gidBase + local index × workers + worker id.
   */
  seed(fps: Int32Array, ids: Int32Array | null, frontier: Int32Array, gidBase: number): void {
    for (let i = 0; i < fps.length; i += 2) this.table.add(fps[i]!, fps[i + 1]!);
    if (ids) this.seedIds = ids;
    const n = frontier.length / (this.L + 1);
    const gids = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const o = i * (this.L + 1);
      gids[i] = frontier[o]!;
      this.cur.push(frontier, o + 1);
    }
    this.curGids = gids;
    this.seedGids = gids;
    this.curCount = n;
    this.curStart = 0;
    this.curDone = 0;
    this.gidBase = gidBase;
  }

  /**
   * The next level's part becomes the current one. Called only when the
   * level is complete (every peer's end mark is in) and before this worker
   * reports it, so no batch of a later level can have arrived yet.
   */
  private advance(): void {
    // a level read to its end leaves its queue empty, to take the level after
    // next (one left over by a run that stops is not reused)
    const fresh = this.cur.count === 0 ? this.cur : new Frontier(this.L, this.keep);
    this.cur = this.next;
    this.curCount = this.nextCount;
    this.curStart = this.links.length - this.nextCount;
    this.curDone = this.nextDone;
    this.curGids = null;
    this.next = fresh;
    this.nextCount = 0;
    this.nextDone = 0;
    this.aheadCount = 0;
    this.lvl++;
    this.watch?.clear();
    // what the expansion of this level sent ahead: its successors go to the new next level
    const d = this.deferred.splice(0);
    for (const m of d) {
      this.insert(m.batch, m.batch.length / this.rec, m.from);
      this.recycle(m.batch);
    }
    // then the rest of this worker's own, so that its edges resolve in the order they were found
    this.flush(this.init.id);
  }

  /** The global id of the state with this table id (with the graph). */
  private gidOf(tid: number): number {
    const s = this.seedIds.length;
    return tid < s
      ? this.seedIds[tid]!
      : this.gidBase + (tid - s) * this.init.workers + this.init.id;
  }

  /** The global id of the state stored last. */
  private lastGid(): number {
    return this.gidBase + (this.links.length - 1) * this.init.workers + this.init.id;
  }

  /** Publishes the states stored since the last call. */
  private count(): void {
    if (this.uncounted === 0) return;
    Atomics.add(this.ctl, CTL_STATES, this.uncounted);
    this.uncounted = 0;
  }

  /**
   * Inserts `n` records of batch `m` from worker `from`: new states go to the
   * next frontier with their parent link. With the graph, the id of each
   * flagged record's target goes to the stream for `from`.
   */
  private insert(m: Int32Array, n: number, from: number): void {
    const R = this.rec;
    const table = this.table;
    let t = 0;
    for (let k = 0; k < n; k++) t ^= table.touch(m[k * R]!, m[k * R + 1]!);
    this.sink ^= t;
    for (let k = 0; k < n; k++) {
      const o = k * R;
      const a = m[o + 3]!;
      const old = this.added(m[o]!, m[o + 1]!);
      if (old < 0) {
        this.store(m, o + 4, m[o + 2]!, a & ~SHARED, m[o]!, m[o + 1]!);
        if ((a & SHARED) !== 0 && this.graph) this.graph.addTarget(from, this.lastGid());
      } else if ((a & SHARED) !== 0) this.sharedEdgeTo(m[o]!, m[o + 1]!, old, from);
    }
  }

  /**
   * Inserts a fingerprint: -1 if it is new, else (with the graph) its table id,
   * or 0 (without, where no id is kept).
   */
  private added(hi: number, lo: number): number {
    if (this.graph) return this.table.addOrId(hi, lo);
    return this.table.add(hi, lo) ? -1 : 0;
  }

  /**
   * An edge from worker `from` between states sharing a pending bit reached a
   * stored state (table id `tid`, with the graph): with the graph, its global
   * id goes to the stream for `from`; when watching, it is one level down, or
   * a cycle may form.
   */
  private sharedEdgeTo(hi: number, lo: number, tid: number, from: number): void {
    if (this.graph) {
      this.graph.addTarget(from, this.gidOf(tid));
      return;
    }
    if (this.watch === null || this.watch.has(hi, lo)) return;
    this.cycleMayForm = true;
    Atomics.store(this.ctl, CTL_CYCLE, 1);
  }

  /** Appends a new state (at src[off…], fingerprint hi, lo) to the next frontier, with its parent link. */
  private store(
    src: Int32Array,
    off: number,
    parent: number,
    a: number,
    hi: number,
    lo: number,
  ): void {
    // a found state must be kept: if even allocating fails, the RangeError ends the level (see `level`)
    this.next.push(src, off);
    this.nextCount++;
    if (this.watch) {
      const s = this.pendScratch;
      s.set(src.subarray(off, off + this.L));
      if (this.sys.pending!(s) !== 0) this.watch.add(hi, lo);
    }
    this.actions.set(this.links.length, this.codes.code(a));
    this.links.push(parent);
    this.uncounted++;
  }

  /** Keeps a batch buffer that was read to the end, if it is a whole one, to send again. */
  private recycle(b: Int32Array): void {
    if (b.length === this.batchRecords * this.rec && this.spare.length < SPARE_BATCHES)
      this.spare.push(b);
  }

  /** A peer's message: a batch of records, or its end of a level. */
  receive(m: PeerMessage, from: number): void {
    if ("batch" in m) {
      // a batch from a peer a level ahead waits until this level is complete
      if (m.level > this.lvl) this.deferred.push({ batch: m.batch, from });
      else if (this.guard(() => this.insert(m.batch, m.batch.length / this.rec, from)))
        this.recycle(m.batch);
    } else this.doneFor.set(m.done, (this.doneFor.get(m.done) ?? 0) + 1);
    this.wake?.();
  }

  /** Sends (or, for this worker, inserts) the outbox of worker w. */
  private flush(w: number): void {
    const n = this.outN[w]!;
    if (n === 0) return;
    this.outN[w] = 0;
    const b = this.outbox[w]!;
    if (w === this.init.id) {
      // own successors of states expanded ahead wait like a peer's
      if (this.expLevel > this.lvl)
        this.deferred.push({ batch: b.slice(0, n * this.rec), from: w });
      else this.insert(b, n, w);
      return;
    }
    const data = n * this.rec === b.length ? b : b.slice(0, n * this.rec);
    this.ports[w]!.postMessage({ batch: data, level: this.expLevel }, [data.buffer as ArrayBuffer]);
    if (data === b)
      this.outbox[w] = this.spare.pop() ?? new Int32Array(this.batchRecords * this.rec);
  }

  /**
   * Runs `f`; an allocation that fails (RangeError: over the memory gate, or
   * refused by the system, e.g. under `ulimit -v`) marks this part full, so
   * that the run ends "max-memory" as the serial search does, instead of the
   * thread dying.
   */
  guard(f: () => void): boolean {
    try {
      f();
      return true;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      this.memoryFull = true;
      return false;
    }
  }

  private stopped(): boolean {
    return (
      Atomics.load(this.ctl, CTL_STOP) !== 0 ||
      Atomics.load(this.ctl, CTL_STATES) >= this.init.maxStates ||
      Atomics.load(this.ctl, CTL_CYCLE) !== 0 ||
      this.memoryFull ||
      this.table.full
    );
  }

  /**
   * Expands this worker's part of level `level` (states at depth `level`),
   * those not yet expanded ahead. While peers finish the level, it expands
   * states of the next level found so far (every state there is at its
   * depth: the levels above are complete); the successors of those wait at
   * their owners until the level is complete everywhere, so every state is
   * still stored at its BFS depth.
   * The hot loop lives in the synchronous `expand`: locals of an async
   * function live in its heap-allocated frame, which is measurably slower.
   */
  async level(level: number): Promise<{ broke: boolean; nextCount: number }> {
    await this.stopAhead();
    const W = this.init.workers;
    const me = this.init.id;
    let broke = false;
    this.expLevel = level;
    this.beginLevel(level, false);
    while (this.curDone < this.curCount) {
      if (this.curDone > 0) {
        this.count();
        if (this.stopped()) {
          broke = true;
          break;
        }
        await yieldNow();
      }
      const from = this.curDone;
      const to = Math.min(this.curCount, from + CHUNK);
      if (!this.guard(() => this.expand(level, from, to, false))) {
        broke = true;
        break;
      }
      this.curDone = to;
    }
    // the end of the level is always marked, so that no peer waits for ever
    for (let w = 0; w < W; w++) {
      if (!this.guard(() => this.flush(w))) this.outN[w] = 0;
      if (w !== me) this.ports[w]!.postMessage({ done: level });
    }
    this.expLevel = level + 1;
    while ((this.doneFor.get(level) ?? 0) < W - 1) {
      if (!broke && this.mayGoOn(level + 1) && this.nextDone < this.nextCount) {
        const from = this.nextDone;
        const to = Math.min(this.nextCount, from + CHUNK);
        this.beginLevel(level + 1, true);
        this.aheadCount += to - from;
        if (!this.guard(() => this.expand(level + 1, from, to, true))) broke = true;
        else this.nextDone = to;
        this.count();
        await yieldNow();
        continue;
      }
      await new Promise<void>((r) => {
        this.wake = r;
      });
      this.wake = null;
    }
    this.doneFor.delete(level);
    this.count();
    const nextCount = this.nextCount;
    if (!this.guard(() => this.advance())) broke = true;
    return { broke, nextCount };
  }

  /** Whether states of `level` may be expanded before the coordinator asks. */
  private mayGoOn(level: number): boolean {
    return level < this.init.maxDepth && this.aheadCount < AHEAD_STATES && !this.stopped();
  }

  /** Records in the graph where `level` begins (once), in the current or (ahead) the next states. */
  private beginLevel(level: number, ahead: boolean): void {
    if (!this.graph || level <= this.graphLevel) return;
    this.graphLevel = level;
    const start = ahead ? this.links.length - this.nextCount : this.curStart;
    this.graph.beginLevel(level, this.curGids && !ahead ? 0 : this.seedGids.length + start);
  }

  /**
   * After reporting a level: expands the next one's states until the
   * coordinator asks for the level (or stops the run).
   */
  ahead(): void {
    this.aheadStop = false;
    const lv = this.lvl;
    this.aheadRun = (async () => {
      this.expLevel = lv;
      while (!this.aheadStop && this.curDone < this.curCount && this.mayGoOn(lv)) {
        const from = this.curDone;
        const to = Math.min(this.curCount, from + CHUNK);
        this.beginLevel(lv, false);
        this.aheadCount += to - from;
        if (!this.guard(() => this.expand(lv, from, to, false))) break;
        this.curDone = to;
        this.count();
        await yieldNow();
      }
    })();
  }

  async stopAhead(): Promise<void> {
    this.aheadStop = true;
    await this.aheadRun;
    this.aheadRun = null;
  }

  /**
   * Expands states [from, to) of the current level, or (`ahead`) of the next
   * one; then every successor goes through an outbox, this worker's own too.
   */
  private expand(level: number, from: number, to: number, ahead: boolean): void {
    const sys = this.sys;
    const R = this.rec;
    const W = this.init.workers;
    const me = this.init.id;
    const canon = canonicalOf(sys, this.init.symmetry, this.canonBuf);
    const into = sys.stepInto ? sys.stepInto.bind(sys) : null;
    const enInto = sys.enabledInto ? sys.enabledInto.bind(sys) : null;
    const enBuf = this.en;
    const s = this.state;
    const tmp = this.tmp;
    const fp = this.fp;
    const hasher = this.hasher;
    const events = this.events;
    const graph = this.graph;
    const outbox = this.outbox;
    const outN = this.outN;
    const found = this.found;
    const cur = ahead ? this.next : this.cur;
    const gids = ahead ? null : this.curGids;
    const start = ahead ? this.links.length - this.nextCount : this.curStart;
    const x0 = gids ? 0 : this.seedGids.length + start;
    const sent = this.sent;
    let transitions = 0;
    for (let i = from; i < to; i++) {
      const gid = gids ? gids[i]! : this.gidBase + (start + i) * W + me;
      cur.shift(s, 0);
      const en = enInto ? enBuf : sys.enabled(s);
      const n = enInto ? enInto(s, enBuf) : en.length;
      const pend = graph || this.watch ? sys.pending!(s) : 0;
      found.pendingBits |= pend;
      if (n === 0) {
        found.terminal(gid, level, sys.judgeEnd(s), pend);
        continue;
      }
      if (pend !== 0 && graph) graph.addState(x0 + i, pend);
      for (let e = 0; e < n; e++) {
        const a = en[e]!;
        // pop, not `length = 0`, which drops the backing store and regrows it every transition
        while (events.length !== 0) events.pop();
        let nx = tmp;
        if (into) into(s, a, tmp, events);
        else nx = sys.step(s, a, events);
        const bits = sys.judge(s, a, nx, events);
        if (bits !== 0n) found.transition(bits, gid, a, level + 1);
        hasher.into(canon ? canon(nx) : nx, fp, 0);
        const hi = fp[0]!;
        const lo = fp[1]!;
        const w = ownerOf(hi, W);
        let shared = 0;
        if (pend !== 0 && (sys.pending!(nx) & pend) !== 0) {
          shared = SHARED;
          graph?.addEdge(w);
        }
        if (w === me && !ahead) {
          // owned here: insert at once (the table's front cache answers most repeats)
          const old = this.added(hi, lo);
          if (old < 0) {
            this.store(nx, 0, gid, a, hi, lo);
            if (shared !== 0 && graph) graph.addTarget(me, this.lastGid());
          } else if (shared !== 0) this.sharedEdgeTo(hi, lo, old, me);
          continue;
        }
        if (shared === 0) {
          const c = (lo & (SENT_SLOTS - 1)) << 1;
          if (sent[c] === hi && sent[c + 1] === lo && (hi | lo) !== 0) continue;
          sent[c] = hi;
          sent[c + 1] = lo;
        }
        const b = outbox[w]!;
        const o = outN[w]! * R;
        b[o] = hi;
        b[o + 1] = lo;
        b[o + 2] = gid;
        b[o + 3] = a | shared;
        b.set(nx, o + 4);
        if (++outN[w]! === this.batchRecords) this.flush(w);
      }
      transitions += n;
    }
    this.transitions += transitions;
    this.expanded += to - from;
    if (this.expanded - this.lastTick >= TICK_EVERY) {
      this.lastTick = this.expanded;
      parentPort!.postMessage({
        type: "tick",
        expanded: this.expanded,
        transitions: this.transitions,
      });
    }
  }
}

function yieldNow(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const sys = await loadSystem(init.factory);
  const part = new Part(sys, init);
  const port = parentPort!;
  port.on("message", async (m: CoordMessage) => {
    if (m.type === "ports") {
      part.ports = m.ports;
      for (const [w, p] of Object.entries(m.ports))
        p.on("message", (x: PeerMessage) => part.receive(x, Number(w)));
      port.postMessage({ type: "ready" });
    } else if (m.type === "seed") {
      part.lvl = m.level;
      part.guard(() => part.seed(m.fps, m.ids, m.frontier, m.gidBase));
      port.postMessage({ type: "seeded" });
    } else if (m.type === "level") {
      const r = await part.level(m.level);
      port.postMessage({
        type: "level-done",
        level: m.level,
        broke: r.broke,
        memoryFull: part.memoryFull || part.table.full,
        nextCount: r.nextCount,
        states: part.links.length,
        expanded: part.expanded,
        transitions: part.transitions,
        tableBytes: part.table.bytes,
        traceBytes: part.links.bytes + part.actions.bytes + part.codes.bytes,
        livenessBytes: (part.graph?.bytes ?? 0) + (part.watch?.bytes ?? 0),
        cycleMayForm: part.cycleMayForm,
        found: part.found,
      });
      part.ahead();
    } else {
      await part.stopAhead();
      // views, not copies: the buffers are handed over whole (no allocation
      // here, where memory may be what ended the run, but the links'
      // checkpoints: 16 bytes per 64 states)
      const parents = part.links.export();
      const actions = part.actions.view(part.links.length);
      const graph = part.graph ? part.graph.export(part.expanded) : null;
      const seedIds = part.seedGids;
      const transfer = [...parents.parts, parents.base, parents.offsets, actions].map(
        (a) => a.buffer as ArrayBuffer,
      );
      if (graph) transfer.push(...splitGraphBuffers(graph));
      port.postMessage(
        {
          type: "final",
          states: part.links.length,
          parents,
          actions,
          actionCodes: Int32Array.from(part.codes.actions),
          graph,
          seedIds,
          gidBase: part.gidBase,
          coverage: part.sys.coverage?.() ?? null,
        },
        transfer,
      );
      for (const p of Object.values(part.ports)) p.close();
    }
  });
  port.postMessage({ type: "booted" });
}

void main();
