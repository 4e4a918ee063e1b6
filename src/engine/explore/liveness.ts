/**
 * Liveness: an obligation (a `pending` bit, e.g. "a truncate is blocked") is
 * violated if some reachable run keeps it pending for ever: a terminal state
 * with the bit set (a dead end, found during the search), or a reachable cycle
 * whose every state has the bit set (a lasso, found here after the search).
 *
 * During the search the explorer records only what a lasso can use: each
 * expanded pending state (id, depth, fingerprint, mask) and each edge between
 * two states that share a pending bit. Afterwards, per bit, Tarjan's algorithm
 * finds the strongly connected components of the sub-graph of states with
 * that bit; a component with an edge inside is a cycle. The witness starts at
 * the shallowest state of such a component (shortest prefix) and takes the
 * shortest cycle through it (a BFS inside the component).
 *
 * Memory is proportional to the pending part of the graph only, and counts
 * against the explorer's memory budget like everything else.
 */
import { Rows } from "./columns.js";
import type { AllowGrowth } from "./table.js";

/** Pending state row: [id, depth, hi, lo, mask]. */
const S_ID = 0;
const S_DEPTH = 1;
const S_HI = 2;
const S_LO = 3;
const S_MASK = 4;
export const STATE_WIDTH = 5;
/** Edge row: [source row, action, target hi, target lo]. */
export const EDGE_WIDTH = 4;

export class PendingGraph {
  readonly states: Rows;
  readonly edges: Rows;
  constructor(allow?: AllowGrowth) {
    this.states = new Rows(STATE_WIDTH, 256, allow);
    this.edges = new Rows(EDGE_WIDTH, 256, allow);
  }

  get bytes(): number {
    return this.states.bytes + this.edges.bytes;
  }

  /** Records an expanded pending state; returns its row for `addEdge`. */
  addState(id: number, depth: number, hi: number, lo: number, mask: number): number {
    const o = this.states.push();
    const d = this.states.data;
    d[o + S_ID] = id;
    d[o + S_DEPTH] = depth;
    d[o + S_HI] = hi;
    d[o + S_LO] = lo;
    d[o + S_MASK] = mask;
    return this.states.length - 1;
  }

  addEdge(row: number, action: number, hi: number, lo: number): void {
    const o = this.edges.push();
    const d = this.edges.data;
    d[o] = row;
    d[o + 1] = action;
    d[o + 2] = hi;
    d[o + 3] = lo;
  }
}

/** A cycle found for one obligation bit: start state id, then the edges (action, target fingerprint). */
export interface FoundCycle {
  readonly bit: number;
  readonly startId: number;
  readonly startDepth: number;
  readonly actions: number[];
  /** Fingerprints (hi, lo) of the states after each action; the last is the start's. */
  readonly targets: Array<[number, number]>;
}

/**
 * Finds, per bit of `bits`, a reachable cycle of states all pending that bit.
 * `states`/`edges` are the concatenated rows of one or more PendingGraphs
 * (edge source rows relative to the start of `states`).
 */
export function findCycles(states: Int32Array, edges: Int32Array, bits: number): FoundCycle[] {
  const n = states.length / STATE_WIDTH;
  const m = edges.length / EDGE_WIDTH;
  if (n === 0 || m === 0 || bits === 0) return [];
  // fingerprint → row
  let cap = 16;
  while (cap < n * 2) cap *= 2;
  const keys = new Int32Array(cap * 2);
  const vals = new Int32Array(cap).fill(-1);
  const mask = cap - 1;
  const slotOf = (hi: number, lo: number): number => {
    let i = lo & mask;
    while (vals[i] !== -1 && !(keys[i * 2] === hi && keys[i * 2 + 1] === lo)) i = (i + 1) & mask;
    return i;
  };
  for (let r = 0; r < n; r++) {
    const i = slotOf(states[r * STATE_WIDTH + S_HI]!, states[r * STATE_WIDTH + S_LO]!);
    if (vals[i] !== -1) continue; // the same state recorded twice (a parallel race): keep one
    keys[i * 2] = states[r * STATE_WIDTH + S_HI]!;
    keys[i * 2 + 1] = states[r * STATE_WIDTH + S_LO]!;
    vals[i] = r;
  }
  // edges as (src, tgt, action), in CSR order by source
  const deg = new Int32Array(n + 1);
  const tgt = new Int32Array(m);
  for (let e = 0; e < m; e++) {
    const v = vals[slotOf(edges[e * EDGE_WIDTH + 2]!, edges[e * EDGE_WIDTH + 3]!)]!;
    tgt[e] = v;
    if (v >= 0) deg[edges[e * EDGE_WIDTH]! + 1]!++;
  }
  for (let r = 0; r < n; r++) deg[r + 1]! += deg[r]!;
  const adj = new Int32Array(deg[n]!);
  const act = new Int32Array(deg[n]!);
  const fill = deg.slice(0, n);
  for (let e = 0; e < m; e++) {
    if (tgt[e]! < 0) continue;
    const src = edges[e * EDGE_WIDTH]!;
    const k = fill[src]!++;
    adj[k] = tgt[e]!;
    act[k] = edges[e * EDGE_WIDTH + 1]!;
  }
  const out: FoundCycle[] = [];
  for (let b = 0; b < 31; b++) {
    if ((bits & (1 << b)) === 0) continue;
    const c = cycleForBit(states, n, deg, adj, act, 1 << b);
    if (c) out.push({ bit: b, ...c });
  }
  return out;
}

function cycleForBit(
  states: Int32Array,
  n: number,
  deg: Int32Array,
  adj: Int32Array,
  act: Int32Array,
  bit: number,
): Omit<FoundCycle, "bit"> | null {
  const has = (r: number) => (states[r * STATE_WIDTH + S_MASK]! & bit) !== 0;
  // iterative Tarjan
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const comp = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  const callV = new Int32Array(n);
  const callE = new Int32Array(n);
  let sp = 0;
  let next = 0;
  let comps = 0;
  let best = -1;
  let bestComp = -1;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1 || !has(root)) continue;
    let cp = 0;
    callV[0] = root;
    callE[0] = deg[root]!;
    index[root] = low[root] = next++;
    stack[sp++] = root;
    onStack[root] = 1;
    while (cp >= 0) {
      const v = callV[cp]!;
      const e = callE[cp]!;
      if (e < deg[v + 1]!) {
        callE[cp] = e + 1;
        const w = adj[e]!;
        if (!has(w)) continue;
        if (index[w] === -1) {
          index[w] = low[w] = next++;
          stack[sp++] = w;
          onStack[w] = 1;
          cp++;
          callV[cp] = w;
          callE[cp] = deg[w]!;
        } else if (onStack[w]) {
          if (index[w]! < low[v]!) low[v] = index[w]!;
        }
        continue;
      }
      if (low[v] === index[v]) {
        // pop a component; it is a cycle if it has two states or a self-loop
        const id = comps++;
        let size = 0;
        let shallow = -1;
        for (;;) {
          const w = stack[--sp]!;
          onStack[w] = 0;
          comp[w] = id;
          size++;
          if (shallow < 0 || depthOf(states, w) < depthOf(states, shallow)) shallow = w;
          if (w === v) break;
        }
        const cyclic = size > 1 || selfLoop(v, deg, adj);
        if (cyclic && (best < 0 || depthOf(states, shallow) < depthOf(states, best))) {
          best = shallow;
          bestComp = id;
        }
      }
      cp--;
      if (cp >= 0) {
        const u = callV[cp]!;
        if (low[v]! < low[u]!) low[u] = low[v]!;
      }
    }
  }
  if (best < 0) return null;
  // shortest cycle through `best` inside its component
  const from = new Int32Array(n).fill(-1);
  const via = new Int32Array(n);
  const queue = new Int32Array(n);
  let qh = 0;
  let qt = 0;
  queue[qt++] = best;
  let last = -1;
  let lastAct = 0;
  search: while (qh < qt) {
    const v = queue[qh++]!;
    for (let e = deg[v]!; e < deg[v + 1]!; e++) {
      const w = adj[e]!;
      if (comp[w] !== bestComp) continue;
      if (w === best) {
        last = v;
        lastAct = act[e]!;
        break search;
      }
      if (from[w] !== -1) continue;
      from[w] = v;
      via[w] = act[e]!;
      queue[qt++] = w;
    }
  }
  const actions: number[] = [lastAct];
  const rows: number[] = [best];
  for (let v = last; v !== best; v = from[v]!) {
    actions.push(via[v]!);
    rows.push(v);
  }
  // collected backwards from the closing edge: rows[i] is the state after actions[i]
  actions.reverse();
  rows.reverse();
  const targets: Array<[number, number]> = rows.map((r) => [
    states[r * STATE_WIDTH + S_HI]!,
    states[r * STATE_WIDTH + S_LO]!,
  ]);
  return {
    startId: states[best * STATE_WIDTH + S_ID]!,
    startDepth: depthOf(states, best),
    actions,
    targets,
  };
}

function depthOf(states: Int32Array, r: number): number {
  return states[r * STATE_WIDTH + S_DEPTH]!;
}

function selfLoop(v: number, deg: Int32Array, adj: Int32Array): boolean {
  for (let e = deg[v]!; e < deg[v + 1]!; e++) if (adj[e] === v) return true;
  return false;
}
