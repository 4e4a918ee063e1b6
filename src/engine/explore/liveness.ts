/**
 * Liveness: an obligation (a `pending` bit, e.g. "a truncate is blocked") is
 * violated if some reachable run keeps it pending for ever: a terminal state
 * with the bit set (a dead end, found during the search), or a reachable cycle
 * whose every state has the bit set (a lasso, found here after the search).
 *
 * During the search the explorer records only what a lasso can use: each
 * expanded pending state (id, depth, fingerprint, mask) and each edge between
 * two states that share a pending bit, as the target's fingerprint. Afterwards, per bit, Tarjan's algorithm
 * finds the strongly connected components of the sub-graph of states with
 * that bit; a component with an edge inside is a cycle. The witness starts at
 * the shallowest state of such a component (shortest prefix) and takes the
 * shortest cycle through it (a BFS inside the component).
 *
 * Memory is proportional to the pending part of the graph only, and counts
 * against the explorer's memory budget like everything else.
 *
 * Three recordings. `PendingGraph`: rows with the fingerprint, edges as the
 * target's fingerprint (eight bytes). The serial search records `IdGraph`:
 * the fingerprint is stored once, in the visited set with its id (table.ts),
 * and an edge is the target's id, written as its difference from the
 * previous target of the same state (from the state's own id for the first)
 * in a varint: successors found together have neighbouring ids, so an edge
 * costs about two bytes instead of four. Per state only its mask and edge
 * count (a byte each, mostly), its depth from where each level's ids begin.
 * The lasso is then found on ids, and the fingerprints of its few states are
 * computed again by replaying their paths (result.ts). Both give the same
 * components in the same order, hence the same lassos.
 *
 * The parallel search records `SplitGraph`s, one per worker, on global ids
 * too. A worker does not know the id its peer gives a state, but the peer
 * does when it inserts the successor: so the source keeps, per edge, only
 * which worker owns the target (a bit with two workers), and the owner
 * appends the target's id to its stream for that source (as a varint of its
 * difference from the stream's previous id). Batches between two workers
 * arrive in the order they were sent, so the k-th edge the source sent to an
 * owner is the k-th id in the owner's stream for it. `joinGraphs` pairs them up afterwards, with
 * the serial search's IdGraph of the states before the hand-over, into one
 * `NodeGraph` ordered by depth: about three bytes an edge and two a state
 * during the search instead of eight and twenty-four.
 */
import { Rows, VarintChunks, VarintReader } from "./columns.js";
import { PackedInts, SmallInts } from "./small-ints.js";
import type { AllowGrowth } from "./table.js";

/** Pending state row: [id, depth, hi, lo, mask, first edge]; its edges run to the next row's first. */
const S_ID = 0;
const S_DEPTH = 1;
const S_HI = 2;
const S_LO = 3;
const S_MASK = 4;
const S_EDGES = 5;
export const STATE_WIDTH = 6;
/**
 * Edge row: the target's fingerprint [hi, lo]. The source is implicit (edges
 * are recorded right after their source's row) and so is the action: the
 * witness is rebuilt by finding, from the concrete state, an action that
 * reaches the target (witness.ts). Eight bytes an edge.
 */
export const EDGE_WIDTH = 2;

export class PendingGraph {
  readonly states: Rows;
  readonly edges: Rows;
  constructor(allow?: AllowGrowth) {
    this.states = new Rows(STATE_WIDTH, 256, allow);
    this.edges = new Rows(EDGE_WIDTH, 1024, allow);
  }

  get bytes(): number {
    return this.states.bytes + this.edges.bytes;
  }

  /** Records an expanded pending state; its edges follow with `addEdge`. */
  addState(id: number, depth: number, hi: number, lo: number, mask: number): void {
    const o = this.states.push();
    const d = this.states.data;
    d[o + S_ID] = id;
    d[o + S_DEPTH] = depth;
    d[o + S_HI] = hi;
    d[o + S_LO] = lo;
    d[o + S_MASK] = mask;
    d[o + S_EDGES] = this.edges.length;
  }

  /** An edge from the last recorded state to the state with this fingerprint. */
  addEdge(hi: number, lo: number): void {
    const o = this.edges.push();
    const d = this.edges.data;
    d[o] = hi;
    d[o + 1] = lo;
  }
}

/**
 * The serial search's pending graph on state ids (BFS discovery order).
 * States are added in id order, each before its edges.
 */
export class IdGraph {
  /** Per state id: the pending mask of an expanded state with successors (0: none recorded). */
  readonly masks: SmallInts;
  /** Per state id: how many of the edges are its own. */
  readonly counts: SmallInts;
  /**
   * Target ids, by source id, then in the order of the source's actions, each
   * as its difference from the one before it in its source's row (from the
   * source's id for the first).
   */
  readonly edges: VarintChunks;
  /** levels[d]: the first id at depth d. */
  readonly levels: number[] = [0];
  /** The last state recorded (-1: none). */
  last = -1;
  /** The target of the last edge recorded (the last state's id before its first). */
  private prev = 0;

  constructor(allow?: AllowGrowth) {
    this.masks = new SmallInts(1024, allow);
    this.counts = new SmallInts(1024, allow);
    this.edges = new VarintChunks(allow);
  }

  get bytes(): number {
    return this.masks.bytes + this.counts.bytes + this.edges.bytes + this.levels.length * 8;
  }

  /** Records an expanded pending state; its edges follow with `addEdge`. */
  addState(id: number, mask: number): void {
    if (id <= this.last) throw new Error("pinlab bug: IdGraph states out of order");
    this.last = id;
    this.prev = id;
    this.masks.set(id, mask);
    this.counts.set(id, 0);
  }

  /** An edge from the last recorded state to the state with id `target`. */
  addEdge(target: number): void {
    this.edges.push(target - this.prev);
    this.prev = target;
    this.counts.set(this.last, this.counts.get(this.last) + 1);
  }

  /** The depth of state `id` (the level whose ids hold it). */
  depthOf(id: number): number {
    return levelOf(this.levels, id);
  }
}

/**
 * Edges by source node for `cycleForBit`: node v's run from cursor start(v)
 * to end(v); `read(c, prev)` is the target at cursor c, given the target read
 * before it in the same run (v itself before the first), and leaves the next
 * cursor in `after`.
 */
interface Adjacency {
  start(v: number): number;
  end(v: number): number;
  read(c: number, prev: number): number;
  after: number;
}

/** CSR adjacency: node v's edges are adj[deg[v], deg[v+1]). */
class CsrAdjacency implements Adjacency {
  after = 0;
  constructor(
    private readonly deg: Int32Array,
    private readonly adj: Int32Array,
  ) {}
  start(v: number): number {
    return this.deg[v]!;
  }
  end(v: number): number {
    return this.deg[v + 1]!;
  }
  read(c: number): number {
    this.after = c + 1;
    return this.adj[c]!;
  }
}

/** An IdGraph's edges: cursors are byte offsets into its varint stream. */
class VarintAdjacency implements Adjacency {
  after = 0;
  constructor(
    private readonly starts: Float64Array,
    private readonly edges: VarintChunks,
  ) {}
  start(v: number): number {
    return this.starts[v]!;
  }
  end(v: number): number {
    return this.starts[v + 1]!;
  }
  read(c: number, prev: number): number {
    const d = this.edges.read(c);
    this.after = this.edges.after;
    return prev + d;
  }
}

/** The last k with starts[k] ≤ x (starts ascending, starts[0] ≤ x). */
function levelOf(starts: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Per bit of `bits`, a reachable cycle of states all pending that bit, in an
 * IdGraph of `states` states; `fpOf(id)` gives the fingerprint (hi, lo) of a
 * state's canonical form, for the few states of each cycle.
 */
export function findCyclesById(
  g: IdGraph,
  states: number,
  bits: number,
  fpOf: (id: number) => [number, number],
): FoundCycle[] {
  const n = Math.min(states, g.last + 1);
  const edges = g.edges;
  if (n <= 0 || edges.count === 0 || bits === 0) return [];
  const masks = g.masks.view(n);
  const counts = g.counts.view(n);
  // where each state's run of edges begins in the stream
  const starts = new Float64Array(n + 1);
  let at = 0;
  for (let v = 0; v < n; v++) {
    starts[v] = at;
    at = edges.skip(at, counts[v]!);
  }
  starts[n] = at;
  const adj = new VarintAdjacency(starts, edges);
  const out: FoundCycle[] = [];
  for (let b = 0; b < 32; b++) {
    if ((bits & (1 << b)) === 0) continue;
    const bit = 1 << b;
    const c = cycleForBit(
      n,
      adj,
      (v) => v < n && (masks[v]! & bit) !== 0,
      (v) => g.depthOf(v),
    );
    if (c)
      out.push({
        bit: b,
        startId: c.start,
        startDepth: g.depthOf(c.start),
        targets: c.rows.map(fpOf),
      });
  }
  return out;
}

/** Concatenates pending graphs (e.g. of several workers), shifting each one's edge indices. */
export function concatGraphs(gs: ReadonlyArray<{ states: Int32Array; edges: Int32Array }>): {
  states: Int32Array;
  edges: Int32Array;
} {
  const states = new Int32Array(gs.reduce((t, g) => t + g.states.length, 0));
  const edges = new Int32Array(gs.reduce((t, g) => t + g.edges.length, 0));
  let so = 0;
  let eo = 0;
  for (const g of gs) {
    states.set(g.states, so);
    edges.set(g.edges, eo);
    const shift = eo / EDGE_WIDTH;
    for (let r = so; r < so + g.states.length; r += STATE_WIDTH) states[r + S_EDGES]! += shift;
    so += g.states.length;
    eo += g.edges.length;
  }
  return { states, edges };
}

/** A cycle found for one obligation bit: its first state, and the fingerprints along it. */
export interface FoundCycle {
  readonly bit: number;
  readonly startId: number;
  readonly startDepth: number;
  /** Fingerprints (hi, lo) of the states after each step; the last is the start's. */
  readonly targets: Array<[number, number]>;
}

/**
 * Finds, per bit of `bits`, a reachable cycle of states all pending that bit,
 * in the rows of one PendingGraph (or of several, concatenated).
 */
export function findCycles(states: Int32Array, edges: Int32Array, bits: number): FoundCycle[] {
  const n = states.length / STATE_WIDTH;
  const m = edges.length / EDGE_WIDTH;
  if (n === 0 || m === 0 || bits === 0) return [];
  const target = resolveTargets(states, edges);
  // adjacency in CSR form: the edges of row r are adj[deg[r], deg[r+1]);
  // edges are stored row by row, so this only drops the unresolved ones
  const deg = new Int32Array(n + 1);
  const adj = target;
  let k = 0;
  for (let r = 0; r < n; r++) {
    deg[r] = k;
    const from = states[r * STATE_WIDTH + S_EDGES]!;
    const to = r + 1 < n ? states[(r + 1) * STATE_WIDTH + S_EDGES]! : m;
    for (let e = from; e < to; e++) {
      const v = target[e]!;
      if (v >= 0) adj[k++] = v; // edges to states never expanded (a bound hit) are dropped
    }
  }
  deg[n] = k;
  const csr = new CsrAdjacency(deg, adj);
  const out: FoundCycle[] = [];
  for (let b = 0; b < 32; b++) {
    if ((bits & (1 << b)) === 0) continue;
    const bit = 1 << b;
    const c = cycleForBit(
      n,
      csr,
      (r) => (states[r * STATE_WIDTH + S_MASK]! & bit) !== 0,
      (r) => depthOf(states, r),
    );
    if (c)
      out.push({
        bit: b,
        startId: states[c.start * STATE_WIDTH + S_ID]!,
        startDepth: depthOf(states, c.start),
        targets: c.rows.map((r) => [
          states[r * STATE_WIDTH + S_HI]!,
          states[r * STATE_WIDTH + S_LO]!,
        ]),
      });
  }
  return out;
}

/** Buckets for resolving edge targets (a power of two), and passes over them. */
const BUCKET_BITS = 10;
const PASSES = 4;

/**
 * The row of each edge's target (-1: not a recorded state). Looking up tens
 * of millions of fingerprints in one big hash map is a cache miss each, and
 * so is reading the edges in any order but their own. So the edges are read
 * in order and copied, bucket by bucket (buckets by fingerprint bits), into
 * contiguous runs; each bucket is then resolved against a map of its states
 * small enough to stay in cache, and only the answers are written back out
 * of order (writes do not stall the way reads do). A quarter of the buckets
 * per pass bounds the copies to a quarter of the edges.
 */
function resolveTargets(states: Int32Array, edges: Int32Array): Int32Array {
  const n = states.length / STATE_WIDTH;
  const m = edges.length / EDGE_WIDTH;
  const B = 1 << BUCKET_BITS;
  const shift = 32 - BUCKET_BITS;
  // state rows ordered by bucket (counting sort)
  const sStart = new Int32Array(B + 1);
  for (let r = 0; r < n; r++) sStart[(states[r * STATE_WIDTH + S_LO]! >>> shift) + 1]!++;
  for (let b = 0; b < B; b++) sStart[b + 1]! += sStart[b]!;
  // (rows with their fingerprints, so that a bucket is read in one run)
  const sRow = new Int32Array(n);
  const sKeys = new Int32Array(n * 2);
  const sFill = sStart.slice(0, B);
  for (let r = 0; r < n; r++) {
    const lo = states[r * STATE_WIDTH + S_LO]!;
    const i = sFill[lo >>> shift]!++;
    sRow[i] = r;
    sKeys[i * 2] = states[r * STATE_WIDTH + S_HI]!;
    sKeys[i * 2 + 1] = lo;
  }
  // edges per bucket
  const eCount = new Int32Array(B);
  for (let e = 0; e < m; e++) eCount[edges[e * EDGE_WIDTH + 1]! >>> shift]!++;
  let biggest = 1;
  for (let b = 0; b < B; b++) biggest = Math.max(biggest, sStart[b + 1]! - sStart[b]!);
  let cap = 16;
  while (cap < biggest * 2) cap *= 2;
  const keys = new Int32Array(cap * 2);
  const vals = new Int32Array(cap);
  const target = new Int32Array(m).fill(-1);
  const per = B / PASSES;
  let most = 0;
  for (let p = 0; p < PASSES; p++) {
    let k = 0;
    for (let b = p * per; b < (p + 1) * per; b++) k += eCount[b]!;
    most = Math.max(most, k);
  }
  const eKeys = new Int32Array(most * 2);
  const eIdx = new Int32Array(most);
  const eFill = new Int32Array(per + 1);
  for (let p = 0; p < PASSES; p++) {
    const b0 = p * per;
    eFill[0] = 0;
    for (let b = 0; b < per; b++) eFill[b + 1] = eFill[b]! + eCount[b0 + b]!;
    const eStart = eFill.slice();
    for (let e = 0; e < m; e++) {
      const lo = edges[e * EDGE_WIDTH + 1]!;
      const b = (lo >>> shift) - b0;
      if (b < 0 || b >= per) continue;
      const i = eFill[b]!++;
      eKeys[i * 2] = edges[e * EDGE_WIDTH]!;
      eKeys[i * 2 + 1] = lo;
      eIdx[i] = e;
    }
    for (let b = 0; b < per; b++) {
      const s0 = sStart[b0 + b]!;
      const s1 = sStart[b0 + b + 1]!;
      if (s0 === s1) continue;
      let c = 16;
      while (c < (s1 - s0) * 2) c *= 2;
      const mask = c - 1;
      vals.fill(-1, 0, c);
      for (let i = s0; i < s1; i++) {
        const hi = sKeys[i * 2]!;
        const lo = sKeys[i * 2 + 1]!;
        let j = (hi ^ lo) & mask;
        while (vals[j] !== -1 && !(keys[j * 2] === hi && keys[j * 2 + 1] === lo))
          j = (j + 1) & mask;
        if (vals[j] !== -1) continue; // recorded twice (cannot happen in one search): keep one
        keys[j * 2] = hi;
        keys[j * 2 + 1] = lo;
        vals[j] = sRow[i]!;
      }
      for (let i = eStart[b]!; i < eStart[b + 1]!; i++) {
        const hi = eKeys[i * 2]!;
        const lo = eKeys[i * 2 + 1]!;
        let j = (hi ^ lo) & mask;
        while (vals[j] !== -1 && !(keys[j * 2] === hi && keys[j * 2 + 1] === lo))
          j = (j + 1) & mask;
        target[eIdx[i]!] = vals[j]!;
      }
    }
  }
  return target;
}

/**
 * The cycle for one bit, over nodes 0..n-1 with the edges of `adj` (CSR, or
 * an IdGraph's varint runs), each node's in their recorded order.
 * `start`: the shallowest node of a cyclic component (the first such
 * component on ties); `rows`: the node after each step of a shortest cycle
 * through it, the last being `start` again. Null if no node with `has` lies on a cycle of such nodes.
 *
 * The components are Pearce's (A space-efficient algorithm for finding
 * strongly connected components, IPL 116(1), 2016: PEA_FIND_SCC2, made
 * iterative): one word a node, `rindex`, holds the DFS index of a node being
 * visited, then its low link, then its component's number (counted down from
 * n - 1, so always above every index in use), instead of Tarjan's index, low
 * link, component and on-stack flag. With the preorder number kept for the
 * tie below, 8 bytes a node and 4 per node on the stack, against 33 for
 * Tarjan's arrays: what the search after a big run needs on top of the graph.
 * The components, the order they complete in, and so the lasso, are
 * Tarjan's; within a component the shallowest node is taken, the one
 * discovered last on ties (as popping Tarjan's stack, which holds nodes in
 * preorder, found it).
 */
export function cycleForBit(
  n: number,
  adj: Adjacency,
  has: (v: number) => boolean,
  depthOfNode: (v: number) => number,
): { start: number; rows: number[] } | null {
  const rindex = new Int32Array(n);
  const pre = new Int32Array(n);
  const stack = new Int32Array(n);
  // the DFS path: per frame its node, the cursor of its next edge, the target
  // read before it, and whether the node is still a component's root
  let frames = 1024;
  let callV = new Int32Array(frames);
  let callE = new Float64Array(frames);
  let callP = new Int32Array(frames);
  let callRoot = new Uint8Array(frames);
  let sp = 0;
  let index = 1;
  let order = 0;
  let c = n - 1;
  let best = -1;
  let bestComp = -1;
  for (let r = 0; r < n; r++) {
    if (rindex[r] !== 0 || !has(r)) continue;
    let cp = 0;
    callV[0] = r;
    callE[0] = adj.start(r);
    callP[0] = r;
    callRoot[0] = 1;
    rindex[r] = index++;
    pre[r] = order++;
    while (cp >= 0) {
      const v = callV[cp]!;
      const e = callE[cp]!;
      if (e < adj.end(v)) {
        const w = adj.read(e, callP[cp]!);
        callE[cp] = adj.after;
        callP[cp] = w;
        if (!has(w)) continue;
        if (rindex[w] === 0) {
          if (++cp === frames) {
            frames *= 2;
            callV = grown(callV, new Int32Array(frames));
            callE = grown(callE, new Float64Array(frames));
            callP = grown(callP, new Int32Array(frames));
            callRoot = grown(callRoot, new Uint8Array(frames));
          }
          rindex[w] = index++;
          pre[w] = order++;
          callV[cp] = w;
          callE[cp] = adj.start(w);
          callP[cp] = w;
          callRoot[cp] = 1;
        } else if (rindex[w]! < rindex[v]!) {
          rindex[v] = rindex[w]!;
          callRoot[cp] = 0;
        }
        continue;
      }
      if (callRoot[cp] === 1) {
        // v closes a component: v and the nodes above its index on the stack
        index--;
        const rv = rindex[v]!;
        let size = 1;
        let shallow = -1;
        while (sp > 0 && rv <= rindex[stack[sp - 1]!]!) {
          const w = stack[--sp]!;
          rindex[w] = c;
          index--;
          size++;
          if (shallow < 0 || shallower(w, shallow, depthOfNode, pre)) shallow = w;
        }
        if (shallow < 0 || depthOfNode(v) < depthOfNode(shallow)) shallow = v;
        rindex[v] = c;
        const cyclic = size > 1 || selfLoop(v, adj);
        if (cyclic && (best < 0 || depthOfNode(shallow) < depthOfNode(best))) {
          best = shallow;
          bestComp = c;
        }
        c--;
      } else stack[sp++] = v;
      cp--;
      if (cp >= 0) {
        const u = callV[cp]!;
        if (rindex[v]! < rindex[u]!) {
          rindex[u] = rindex[v]!;
          callRoot[cp] = 0;
        }
      }
    }
  }
  if (best < 0) return null;
  // shortest cycle through `best` inside its component (rindex: the component)
  const from = pre.fill(-1);
  const queue = stack;
  let qh = 0;
  let qt = 0;
  queue[qt++] = best;
  let last = -1;
  search: while (qh < qt) {
    const v = queue[qh++]!;
    const end = adj.end(v);
    for (let e = adj.start(v), w = v; e < end; e = adj.after) {
      w = adj.read(e, w);
      if (!has(w) || rindex[w] !== bestComp) continue;
      if (w === best) {
        last = v;
        break search;
      }
      if (from[w] !== -1) continue;
      from[w] = v;
      queue[qt++] = w;
    }
  }
  // collected backwards from the closing edge: then rows[i] is the state after step i
  const rows: number[] = [best];
  for (let v = last; v !== best; v = from[v]!) rows.push(v);
  rows.reverse();
  return { start: best, rows };
}

/** Whether w is shallower than x, or as deep and discovered later. */
function shallower(
  w: number,
  x: number,
  depthOfNode: (v: number) => number,
  pre: Int32Array,
): boolean {
  const dw = depthOfNode(w);
  const dx = depthOfNode(x);
  return dw < dx || (dw === dx && pre[w]! > pre[x]!);
}

function grown<T extends Int32Array | Float64Array | Uint8Array>(a: T, b: T): T {
  b.set(a as never);
  return b;
}

function depthOf(states: Int32Array, r: number): number {
  return states[r * STATE_WIDTH + S_DEPTH]!;
}

function selfLoop(v: number, adj: Adjacency): boolean {
  const end = adj.end(v);
  for (let e = adj.start(v), w = v; e < end; e = adj.after) {
    w = adj.read(e, w);
    if (w === v) return true;
  }
  return false;
}

/**
 * One worker's share of the parallel pending graph (see above). States are
 * numbered by expansion order in the worker: first its part of the level it
 * was seeded with (global ids in `seedIds`), then its own states, local
 * index l at expansion number `seeded + l`.
 */
export class SplitGraph {
  /** Per expansion number: the pending mask of an expanded state with successors (0: none recorded). */
  readonly masks: SmallInts;
  /** Per expansion number: how many of the edges are its own. */
  readonly counts: SmallInts;
  /** Per edge recorded here, in order: the worker that owns its target. */
  readonly owners: PackedInts;
  edges = 0;
  /**
   * Per source worker: the ids of the targets of its edges that this worker
   * owns, in its order, each as its difference from the one before (varints).
   */
  readonly targets: VarintChunks[] = [];
  /** Per source worker: the last id in its stream (0 before the first). */
  private readonly lastTarget: number[] = [];
  /** levelStarts[k]: the first expansion number of level `firstLevel + k`. */
  readonly levelStarts: number[] = [];
  firstLevel = 0;
  private last = -1;

  constructor(workers: number, allow?: AllowGrowth) {
    this.masks = new SmallInts(1024, allow);
    this.counts = new SmallInts(1024, allow);
    this.owners = new PackedInts(PackedInts.bitsFor(workers), allow);
    for (let w = 0; w < workers; w++) {
      this.targets.push(new VarintChunks(allow));
      this.lastTarget.push(0);
    }
  }

  get bytes(): number {
    return (
      this.masks.bytes +
      this.counts.bytes +
      this.owners.bytes +
      this.targets.reduce((t, c) => t + c.bytes, 0) +
      this.levelStarts.length * 8
    );
  }

  /** Level `level` begins with expansion number `x`. */
  beginLevel(level: number, x: number): void {
    if (this.levelStarts.length === 0) this.firstLevel = level;
    this.levelStarts.push(x);
  }

  /** Records an expanded pending state (expansion number x); its edges follow with `addEdge`. */
  addState(x: number, mask: number): void {
    this.last = x;
    this.masks.set(x, mask);
    this.counts.set(x, 0);
  }

  /** The target of an edge from worker `from`, owned here: its global id, next in the stream for `from`. */
  addTarget(from: number, gid: number): void {
    this.targets[from]!.push(gid - this.lastTarget[from]!);
    this.lastTarget[from] = gid;
  }

  /** An edge from the last recorded state to a state owned by worker `owner`. */
  addEdge(owner: number): void {
    this.owners.set(this.edges++, owner);
    this.counts.set(this.last, this.counts.get(this.last) + 1);
  }

  /** What the coordinator needs, as typed arrays (views, to be transferred). */
  export(expanded: number): SplitGraphData {
    return {
      masks: this.masks.view(Math.min(expanded, this.last + 1)),
      counts: this.counts.view(Math.min(expanded, this.last + 1)),
      owners: this.owners.view(this.edges),
      ownerBits: this.owners.bits,
      targets: this.targets.map((c) => c.parts()),
      levelStarts: Int32Array.from(this.levelStarts),
      firstLevel: this.firstLevel,
    };
  }
}

type Small = Uint8Array | Uint16Array | Int32Array;

/** A SplitGraph as sent to the coordinator. */
export interface SplitGraphData {
  readonly masks: Small;
  readonly counts: Small;
  /** Per edge, the worker owning its target, `ownerBits` bits each (small-ints.ts PackedInts). */
  readonly owners: Uint32Array;
  readonly ownerBits: number;
  /** Per source worker, the parts of its stream (VarintChunks). */
  readonly targets: readonly (readonly Uint8Array[])[];
  readonly levelStarts: Int32Array;
  readonly firstLevel: number;
}

/** The buffers of a SplitGraphData, to transfer. */
export function splitGraphBuffers(g: SplitGraphData): ArrayBuffer[] {
  return [g.masks, g.counts, g.owners, g.levelStarts, ...g.targets.flat()].map(
    (a) => a.buffer as ArrayBuffer,
  );
}

/** A worker's graph with how its expansion numbers map to global ids. */
export interface WorkerGraph {
  readonly graph: SplitGraphData;
  /** Global ids of the states it was seeded with (expansion numbers 0…). */
  readonly seedIds: Int32Array;
  /** Global id of local state l: gidBase + l × workers + worker. */
  readonly gidBase: number;
}

/**
 * The pending graph as nodes 0..n-1 (expanded pending states with successors)
 * in CSR form: node v's edges are adj[deg[v], deg[v+1]), -1 for a target that
 * is not a node. Nodes are ordered by depth, then as `joinGraphs` takes them.
 */
export interface NodeGraph {
  readonly n: number;
  readonly deg: Int32Array;
  readonly adj: Int32Array;
  readonly masks: Int32Array;
  readonly depths: Int32Array;
  readonly ids: Int32Array;
}

/**
 * Joins the serial search's IdGraph (states expanded before the hand-over,
 * ids below `expandedBefore`) and the workers' SplitGraphs into one graph
 * over global ids below `idLimit`. At one depth: the serial states, then
 * worker 0's, then worker 1's, each in its own order.
 */
export function joinGraphs(
  serial: IdGraph,
  expandedBefore: number,
  parts: readonly WorkerGraph[],
  idLimit: number,
): NodeGraph {
  const W = parts.length;
  const sn = Math.min(expandedBefore, serial.last + 1);
  const sMasks = serial.masks.view(Math.max(0, sn));
  // per worker: expansion number → depth, and → global id
  // each worker's expansion numbers level by level: f(depth, from, to) for [from, to)
  const byLevel = (p: WorkerGraph, f: (d: number, from: number, to: number) => void): void => {
    const ls = p.graph.levelStarts;
    const end = p.graph.masks.length;
    for (let k = 0; k < ls.length; k++) {
      // as levelOf: the last level starting at or before x (the first one from 0)
      const from = k === 0 ? 0 : Math.min(ls[k]!, end);
      const to = k + 1 < ls.length ? Math.min(ls[k + 1]!, end) : end;
      if (from < to) f(p.graph.firstLevel + k, from, to);
    }
  };
  const gidAt = (p: WorkerGraph, w: number, x: number): number =>
    x < p.seedIds.length ? p.seedIds[x]! : p.gidBase + (x - p.seedIds.length) * W + w;
  // count the nodes per depth (counting sort by depth)
  let maxDepth = serial.levels.length;
  for (const p of parts)
    maxDepth = Math.max(maxDepth, p.graph.firstLevel + p.graph.levelStarts.length);
  const perDepth = new Int32Array(maxDepth + 2);
  for (let v = 0; v < sn; v++) if (sMasks[v]! !== 0) perDepth[serial.depthOf(v) + 1]!++;
  for (const p of parts) {
    const m = p.graph.masks;
    byLevel(p, (d, from, to) => {
      let c = 0;
      for (let x = from; x < to; x++) if (m[x]! !== 0) c++;
      perDepth[d + 1]! += c;
    });
  }
  for (let d = 0; d <= maxDepth; d++) perDepth[d + 1]! += perDepth[d]!;
  const n = perDepth[maxDepth + 1]!;
  const masks = new Int32Array(n);
  const depths = new Int32Array(n);
  const ids = new Int32Array(n);
  const counts = new Int32Array(n);
  const nodeOf = new Int32Array(idLimit).fill(-1);
  const fill = perDepth.slice();
  const place = (id: number, d: number, mask: number, count: number) => {
    const v = fill[d]!++;
    masks[v] = mask;
    depths[v] = d;
    ids[v] = id;
    counts[v] = count;
    if (id < idLimit) nodeOf[id] = v;
  };
  const sCounts = serial.counts.view(Math.max(0, sn));
  for (let v = 0; v < sn; v++)
    if (sMasks[v]! !== 0) place(v, serial.depthOf(v), sMasks[v]!, sCounts[v]!);
  parts.forEach((p, w) => {
    const m = p.graph.masks;
    const counts = p.graph.counts;
    byLevel(p, (d, from, to) => {
      for (let x = from; x < to; x++) if (m[x]! !== 0) place(gidAt(p, w, x), d, m[x]!, counts[x]!);
    });
  });
  const deg = new Int32Array(n + 1);
  for (let v = 0; v < n; v++) deg[v + 1] = deg[v]! + counts[v]!;
  const adj = new Int32Array(deg[n]!);
  const target = (id: number) => (id >= 0 && id < idLimit ? nodeOf[id]! : -1);
  // the serial edges, in id order
  const stream = serial.edges;
  let at = 0;
  for (let v = 0; v < sn; v++) {
    const c = sCounts[v]!;
    const o = sMasks[v]! === 0 ? -1 : deg[nodeOf[v]!]!;
    let prev = v;
    for (let k = 0; k < c; k++) {
      prev += stream.read(at);
      at = stream.after;
      if (o >= 0) adj[o + k] = target(prev);
    }
  }
  // each worker's edges, in its order, the k-th to owner o being o's k-th for it
  parts.forEach((p, w) => {
    const g = p.graph;
    const readers = parts.map((q) => new PartsReader(q.graph.targets[w] ?? []));
    let edge = 0;
    for (let x = 0; x < g.masks.length; x++) {
      if (g.masks[x]! === 0) continue;
      const c = g.counts[x]!;
      const o = deg[nodeOf[gidAt(p, w, x)]!]!;
      for (let k = 0; k < c; k++) {
        const r = readers[PackedInts.at(g.owners, g.ownerBits, edge++)];
        adj[o + k] = r ? target(r.next()) : -1;
      }
    }
  });
  return { n, deg, adj, masks, depths, ids };
}

/** Reads a stream of SplitGraph.targets in order; -1 past its end (a run stopped mid-level). */
class PartsReader {
  private readonly r: VarintReader;
  private last = 0;
  constructor(parts: readonly Uint8Array[]) {
    this.r = new VarintReader(parts);
  }
  next(): number {
    if (!this.r.more) return -1;
    this.last += this.r.next();
    return this.last;
  }
}

/** Per bit of `bits`, a reachable cycle of nodes all pending that bit (see findCyclesById). */
export function findCyclesOnNodes(
  g: NodeGraph,
  bits: number,
  fpOf: (id: number) => [number, number],
): FoundCycle[] {
  if (g.n === 0 || g.adj.length === 0 || bits === 0) return [];
  const out: FoundCycle[] = [];
  const adj = new CsrAdjacency(g.deg, g.adj);
  // the bits every node has (often all: one obligation): for those a node is
  // simply a target that is not -1, and the DFS does not read a mask per edge,
  // which is a cache miss in a big graph
  let common = -1;
  for (let v = 0; v < g.n; v++) common &= g.masks[v]!;
  for (let b = 0; b < 32; b++) {
    if ((bits & (1 << b)) === 0) continue;
    const bit = 1 << b;
    const c = cycleForBit(
      g.n,
      adj,
      (common & bit) !== 0 ? (v) => v >= 0 : (v) => v >= 0 && (g.masks[v]! & bit) !== 0,
      (v) => g.depths[v]!,
    );
    if (c)
      out.push({
        bit: b,
        startId: g.ids[c.start]!,
        startDepth: g.depths[c.start]!,
        targets: c.rows.map((r) => fpOf(g.ids[r]!)),
      });
  }
  return out;
}
