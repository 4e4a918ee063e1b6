/**
 * One worker of the parallel explorer (see parallel.ts). It owns the states
 * whose fingerprint maps to it (partition.ts): it keeps their fingerprints,
 * their parent links and the frontier of its part of each BFS level.
 *
 * Per level: expand the owned frontier; a successor owned here is inserted
 * at once, others are batched per owner and sent through a MessagePort (the
 * buffer is transferred, not copied). Batches received from peers are
 * inserted between chunks of expansion work. After its last batch a worker
 * sends each peer an end-of-level mark; ports deliver in order, so when all
 * marks are in, the next level's part is complete, and the worker reports to
 * the coordinator and waits for the next level.
 */
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import type { System } from "../system.js";
import { Rows } from "./columns.js";
import { loadSystem } from "./factory.js";
import { Findings } from "./findings.js";
import { fingerprintInto } from "./fingerprint.js";
import { PendingGraph } from "./liveness.js";
import { ownerOf } from "./partition.js";
import { CTL_STATES, CTL_STOP, type WorkerInit } from "./protocol.js";
import { FingerprintTable } from "./table.js";

/** States expanded between two looks at peers' batches and the stop flag. */
const CHUNK = 1024;
/** Records per batch sent to a peer. */
const BATCH_RECORDS = 2048;
/** A progress tick every this many expansions. */
const TICK_EVERY = 32768;

type PeerMessage = Int32Array | { readonly done: number };
type CoordMessage =
  | { readonly type: "ports"; readonly ports: Record<number, MessagePort> }
  | { readonly type: "level"; readonly level: number }
  | { readonly type: "finish" };

class Part {
  readonly L: number;
  readonly rec: number;
  readonly table: FingerprintTable;
  /** Per local state: [parent gid, action]. */
  readonly links: Rows;
  readonly found = new Findings();
  readonly graph: PendingGraph | null;
  readonly ctl: Int32Array;
  ports: Record<number, MessagePort> = {};
  /** States of the level being expanded, and of the next one. */
  cur: Int32Array;
  curCount = 0;
  curStart = 0;
  next: Int32Array;
  nextCount = 0;
  transitions = 0;
  expanded = 0;
  private outbox: Int32Array[] = [];
  private outN: number[] = [];
  /** End-of-level marks received, per level (a fast peer may be a level ahead). */
  private doneFor = new Map<number, number>();
  /** Where touched slot values go, so the loads are not optimised away. */
  sink = 0;
  private wake: (() => void) | null = null;
  private readonly tmp: Int32Array;
  private readonly state: Int32Array;
  private readonly fp = new Int32Array(2);
  private readonly events: unknown[] = [];
  private lastTick = 0;
  memoryFull = false;

  constructor(
    readonly sys: System,
    readonly init: WorkerInit,
  ) {
    this.L = sys.init.length;
    this.rec = 4 + this.L;
    const allow = (bytes: number) => {
      const ok = process.memoryUsage.rss() + bytes <= init.maxMemoryBytes;
      if (!ok) this.memoryFull = true;
      return ok;
    };
    this.table = new FingerprintTable(init.expectedStates / init.workers, allow);
    this.links = new Rows(2, 1024, allow);
    this.graph = sys.pending ? new PendingGraph(allow) : null;
    this.ctl = new Int32Array(init.control);
    this.cur = new Int32Array(1024 * this.L);
    this.next = new Int32Array(1024 * this.L);
    this.tmp = new Int32Array(this.L);
    this.state = new Int32Array(this.L);
    for (let w = 0; w < init.workers; w++) {
      this.outbox.push(new Int32Array(BATCH_RECORDS * this.rec));
      this.outN.push(0);
    }
    const key = init.symmetry && sys.canonical ? sys.canonical(sys.init) : sys.init;
    fingerprintInto(key, this.fp, 0);
    if (ownerOf(this.fp[0]!, init.workers) === init.id)
      this.add(this.fp[0]!, this.fp[1]!, -1, -1, sys.init, 0);
    this.advance();
  }

  /**
   * The next level's part becomes the current one. Called only when the
   * level is complete (every peer's end mark is in) and before this worker
   * reports it, so no batch of a later level can have arrived yet.
   */
  private advance(): void {
    const t = this.cur;
    this.cur = this.next;
    this.curCount = this.nextCount;
    this.curStart = this.links.length - this.nextCount;
    this.next = t;
    this.nextCount = 0;
  }

  /** Inserts a state if new: next frontier, parent link, shared count. */
  private add(
    hi: number,
    lo: number,
    parent: number,
    a: number,
    src: Int32Array,
    off: number,
  ): void {
    if (!this.table.add(hi, lo)) return;
    const L = this.L;
    if ((this.nextCount + 1) * L > this.next.length) {
      const n = new Int32Array(this.next.length * 2);
      n.set(this.next);
      this.next = n;
    }
    const o = this.nextCount++ * L;
    for (let i = 0; i < L; i++) this.next[o + i] = src[off + i]!;
    const r = this.links.push();
    this.links.data[r] = parent;
    this.links.data[r + 1] = a;
    Atomics.add(this.ctl, CTL_STATES, 1);
  }

  /** A peer's message: a batch of [hi, lo, parent gid, action, state…] records, or its end of level. */
  receive(m: PeerMessage): void {
    if (m instanceof Int32Array) {
      const R = this.rec;
      const n = m.length / R;
      let t = 0;
      for (let k = 0; k < n; k++) t ^= this.table.touch(m[k * R]!, m[k * R + 1]!);
      this.sink ^= t;
      for (let k = 0; k < n; k++) {
        const o = k * R;
        this.add(m[o]!, m[o + 1]!, m[o + 2]!, m[o + 3]!, m, o + 4);
      }
    } else {
      this.doneFor.set(m.done, (this.doneFor.get(m.done) ?? 0) + 1);
    }
    this.wake?.();
  }

  private flush(w: number): void {
    const n = this.outN[w]!;
    if (n === 0) return;
    const b = this.outbox[w]!;
    const data = n * this.rec === b.length ? b : b.slice(0, n * this.rec);
    this.ports[w]!.postMessage(data, [data.buffer as ArrayBuffer]);
    this.outbox[w] = new Int32Array(BATCH_RECORDS * this.rec);
    this.outN[w] = 0;
  }

  private send(w: number, hi: number, lo: number, parent: number, a: number, s: Int32Array): void {
    const b = this.outbox[w]!;
    const o = this.outN[w]! * this.rec;
    b[o] = hi;
    b[o + 1] = lo;
    b[o + 2] = parent;
    b[o + 3] = a;
    for (let i = 0; i < this.L; i++) b[o + 4 + i] = s[i]!;
    if (++this.outN[w]! === BATCH_RECORDS) this.flush(w);
  }

  private stopped(): boolean {
    return (
      Atomics.load(this.ctl, CTL_STOP) !== 0 ||
      Atomics.load(this.ctl, CTL_STATES) >= this.init.maxStates ||
      this.memoryFull ||
      this.table.full
    );
  }

  /** Expands this worker's part of level `level` (states at depth `level`). */
  async level(level: number): Promise<{ broke: boolean; nextCount: number }> {
    const sys = this.sys;
    const L = this.L;
    const W = this.init.workers;
    const me = this.init.id;
    const canon = this.init.symmetry && sys.canonical ? sys.canonical.bind(sys) : null;
    const into = sys.stepInto ? sys.stepInto.bind(sys) : null;
    const s = this.state;
    const tmp = this.tmp;
    const fp = this.fp;
    const events = this.events;
    const graph = this.graph;
    let broke = false;
    for (let i = 0; i < this.curCount; i++) {
      if (i % CHUNK === 0 && i > 0) {
        if (this.stopped()) {
          broke = true;
          break;
        }
        await yieldNow();
      }
      const gid = (this.curStart + i) * W + me;
      for (let j = 0; j < L; j++) s[j] = this.cur[i * L + j]!;
      this.expanded++;
      const en = sys.enabled(s);
      const pend = graph ? sys.pending!(s) : 0;
      this.found.pendingBits |= pend;
      if (en.length === 0) {
        this.found.terminal(gid, level, sys.judgeEnd(s), pend);
        continue;
      }
      let row = -1;
      if (pend !== 0) {
        fingerprintInto(canon ? canon(s) : s, fp, 0);
        row = graph!.addState(gid, level, fp[0]!, fp[1]!, pend);
      }
      for (const a of en) {
        if (events.length !== 0) events.length = 0;
        let nx = tmp;
        if (into) into(s, a, tmp, events);
        else nx = sys.step(s, a, events);
        this.transitions++;
        const bits = sys.judge(s, a, nx, events);
        if (bits !== 0) this.found.transition(bits, gid, a, level + 1);
        fingerprintInto(canon ? canon(nx) : nx, fp, 0);
        const hi = fp[0]!;
        const lo = fp[1]!;
        if (row >= 0 && (sys.pending!(nx) & pend) !== 0) graph!.addEdge(row, a, hi, lo);
        const w = ownerOf(hi, W);
        if (w === me) this.add(hi, lo, gid, a, nx, 0);
        else this.send(w, hi, lo, gid, a, nx);
      }
      if (this.expanded - this.lastTick >= TICK_EVERY) {
        this.lastTick = this.expanded;
        parentPort!.postMessage({
          type: "tick",
          expanded: this.expanded,
          transitions: this.transitions,
        });
      }
    }
    for (let w = 0; w < W; w++) {
      if (w === me) continue;
      this.flush(w);
      this.ports[w]!.postMessage({ done: level });
    }
    while ((this.doneFor.get(level) ?? 0) < W - 1) {
      await new Promise<void>((r) => {
        this.wake = r;
      });
      this.wake = null;
    }
    this.doneFor.delete(level);
    const nextCount = this.nextCount;
    this.advance();
    return { broke, nextCount };
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
      for (const p of Object.values(m.ports)) p.on("message", (x: PeerMessage) => part.receive(x));
      port.postMessage({ type: "ready" });
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
        traceBytes: part.links.bytes,
        found: part.found,
      });
    } else {
      const links = part.links.used().slice();
      const ps = part.graph ? part.graph.states.used().slice() : null;
      const pe = part.graph ? part.graph.edges.used().slice() : null;
      const transfer = [links, ...(ps ? [ps] : []), ...(pe ? [pe] : [])].map(
        (a) => a.buffer as ArrayBuffer,
      );
      port.postMessage({ type: "final", links, pendingStates: ps, pendingEdges: pe }, transfer);
      for (const p of Object.values(part.ports)) p.close();
    }
  });
  port.postMessage({ type: "booted" });
}

void main();
