/**
 * Liveness without the pending graph ("watch", the serial default): where no
 * edge between pending states reaches a state no deeper than its source, no
 * graph is kept; otherwise the search runs again with it ("graph": on state
 * ids). Either way the results are those of the search that records the
 * graph on fingerprints from the start (as the parallel search does).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  graphSystem,
  type LocalMove,
  productSystem,
} from "../../testing/systems/sample-systems.js";
import { toyPinsSystem } from "../../testing/systems/toy-pins.js";
import { type LivenessMode, SerialSearch } from "./bfs.js";
import { DeltaLinks, VarintChunks } from "./columns.js";
import { explore } from "./explore.js";
import {
  cycleForBit,
  findCyclesById,
  findCyclesOnNodes,
  IdGraph,
  joinGraphs,
  SplitGraph,
} from "./liveness.js";
import type { System } from "./system.js";
import type { ExploreResult } from "./types.js";

function searchAll(sys: System, liveness: LivenessMode): SerialSearch<unknown> {
  const s = new SerialSearch(sys, {
    por: false,
    symmetry: false,
    expectedStates: 0,
    allow: () => true,
    liveness,
  });
  while (s.more && !s.cycleMayForm) s.run(1 << 20, Number.POSITIVE_INFINITY);
  return s;
}

/** Everything but time and memory. */
function results(r: ExploreResult) {
  const { timeMs, statesPerSec, transitionsPerSec, peakMemoryBytes, bytesPerState, ...rest } =
    r.stats;
  void [timeMs, statesPerSec, transitionsPerSec, peakMemoryBytes, bytesPerState];
  const { tableBytes, traceBytes, livenessBytes, ...counts } = rest;
  void [tableBytes, traceBytes, livenessBytes];
  return { ...r, stats: counts };
}

describe("liveness without fingerprints in the graph, or without a graph", () => {
  it("a diamond of pending states keeps no graph", () => {
    // 0 → 1 → 3, 0 → 2 → 3 → 4, every state pending: no cycle, no edge back
    const sys = graphSystem({
      edges: [
        [0, 1],
        [0, 2],
        [1, 3],
        [2, 3],
        [3, 4],
      ],
      pending: [1, 1, 1, 1, 1],
    });
    const s = searchAll(sys, "watch");
    assert.equal(s.more, false);
    assert.equal(s.cycleMayForm, false);
    assert.equal(s.graph, null);
  });

  it("an edge to a state of the same level may close a cycle: the graph is needed", () => {
    // 0 → 1, 0 → 2, 1 → 2 (2 is as deep as 1), all pending: no cycle, but no proof either
    const sys = graphSystem({
      edges: [
        [0, 1],
        [0, 2],
        [1, 2],
      ],
      pending: [1, 1, 1],
    });
    assert.equal(searchAll(sys, "watch").cycleMayForm, true);
    // an edge to a state that is not pending proves nothing and needs nothing
    const quiet = graphSystem({
      edges: [
        [0, 1],
        [0, 2],
        [1, 2],
      ],
      pending: [1, 1, 0],
    });
    assert.equal(searchAll(quiet, "watch").cycleMayForm, false);
  });

  it("a self loop of a pending state is seen", () => {
    const sys = graphSystem({ edges: [[0, 0]], pending: [1] });
    assert.equal(searchAll(sys, "watch").cycleMayForm, true);
  });

  it("random product systems and the toy model: the same results with the graph on ids, on fingerprints, or none", async () => {
    const move = (xs: number, locals: number): fc.Arbitrary<LocalMove> =>
      fc.record({
        from: fc.nat(locals - 1),
        to: fc.nat(locals - 1),
        guard: fc.oneof(fc.constant(-1), fc.integer({ min: -1, max: xs - 1 })),
        set: fc.oneof(fc.constant(-1), fc.integer({ min: -1, max: xs - 1 })),
        bits: fc.constantFrom(0, 0, 1, 2),
        when: fc.integer({ min: 1, max: (1 << xs) - 1 }),
      });
    const product = fc
      .record({ xs: fc.integer({ min: 1, max: 3 }), locals: fc.integer({ min: 2, max: 4 }) })
      .chain(({ xs, locals }) =>
        fc.record({
          procs: fc.array(fc.array(move(xs, locals), { maxLength: 4 }), {
            minLength: 1,
            maxLength: 3,
          }),
          xs: fc.constant(xs),
          endX: fc.integer({ min: -1, max: xs - 1 }),
          pendX: fc.integer({ min: -1, max: xs - 1 }),
        }),
      );
    let proved = 0;
    await fc.assert(
      fc.asyncProperty(product, async (spec) => {
        const sys = productSystem(spec);
        for (const reduce of [false, true]) {
          const f = await explore(sys, { reduce, liveness: "fingerprints" });
          const g = await explore(sys, { reduce, liveness: "graph" });
          const w = await explore(sys, { reduce, liveness: "watch" });
          assert.deepEqual(results(g), results(f));
          assert.deepEqual(results(w), results(f));
        }
        if (!searchAll(sys, "watch").cycleMayForm) proved++;
      }),
      { numRuns: 200 },
    );
    assert.ok(proved > 20, `only ${proved} systems shown free of pending cycles`);
    for (const mode of ["unsafe", "wait", "revoke"] as const)
      for (const handler of ["cancel", "ignore"] as const) {
        const sys = toyPinsSystem({ n: 3, mode, handler });
        for (const reduce of [false, true]) {
          const f = results(await explore(sys, { reduce, liveness: "fingerprints" }));
          for (const liveness of ["graph", "watch"] as const)
            assert.deepEqual(
              results(await explore(sys, { reduce, liveness })),
              f,
              `${mode} ${handler} reduce=${reduce} ${liveness}`,
            );
        }
      }
  });
});

describe("the parallel pending graph on ids", () => {
  it("pairs each source's edges with its owners' streams, across the hand-over and the workers", () => {
    // serial part: 0 → 1, 0 → 2 (depth 1), 1 → 3, 2 → 3 (3 at depth 2, queued, seeded to worker 1)
    const serial = new IdGraph();
    serial.levels.push(1, 3);
    serial.addState(0, 1);
    serial.addEdge(1);
    serial.addEdge(2);
    serial.addState(1, 1);
    serial.addEdge(3);
    serial.addState(2, 1);
    serial.addEdge(3);
    // worker 1 expands 3 (level 2): to 4 (owned by worker 0) and back to 1 (owned by worker 1)
    const w1 = new SplitGraph(2);
    w1.beginLevel(2, 0);
    w1.addState(0, 1);
    w1.addEdge(0);
    w1.addEdge(1);
    // worker 0 expands 4 = gidBase + 0 × 2 + 0 (level 3): back to 3 (owned by worker 1)
    const w0 = new SplitGraph(2);
    w0.beginLevel(2, 0);
    w0.beginLevel(3, 0);
    w0.addState(0, 1);
    w0.addEdge(1);
    w0.addTarget(1, 4); // worker 1's edge to 4, resolved by its owner
    w1.addTarget(1, 1);
    w1.addTarget(0, 3);
    const g = joinGraphs(
      serial,
      3,
      [
        { graph: w0.export(1), seedIds: new Int32Array(0), gidBase: 4 },
        { graph: w1.export(1), seedIds: Int32Array.of(3), gidBase: 4 },
      ],
      6,
    );
    assert.deepEqual([...g.ids], [0, 1, 2, 3, 4]);
    assert.deepEqual([...g.depths], [0, 1, 1, 2, 3]);
    const edges = (v: number) => [...g.adj.subarray(g.deg[v]!, g.deg[v + 1]!)].map((n) => g.ids[n]);
    assert.deepEqual([0, 1, 2, 3, 4].map(edges), [[1, 2], [3], [3], [4, 1], [3]]);
    const [c] = findCyclesOnNodes(g, 1, (id) => [id, 0]);
    assert.deepEqual(c, {
      bit: 0,
      startId: 1,
      startDepth: 1,
      targets: [
        [3, 0],
        [1, 0],
      ],
    });
  });

  it("drops edges whose target id never arrived (a run cut short)", () => {
    const w = new SplitGraph(1);
    w.beginLevel(0, 0);
    w.addState(0, 1);
    w.addEdge(0);
    w.addEdge(0);
    w.addTarget(0, 0);
    const g = joinGraphs(
      new IdGraph(),
      0,
      [{ graph: w.export(1), seedIds: Int32Array.of(0), gidBase: 1 }],
      2,
    );
    assert.deepEqual([...g.adj], [0, -1]);
    assert.equal(findCyclesOnNodes(g, 1, (id) => [id, 0])[0]?.startId, 0);
  });
});

describe("the serial pending graph's varint edges", () => {
  it("round-trip any integer, across chunk boundaries", () => {
    const values = fc.sample(
      fc.oneof(
        fc.integer({ min: -200, max: 200 }),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
      ),
      { numRuns: 120_000, seed: 7 },
    );
    const s = new VarintChunks();
    for (const v of values) s.push(v);
    assert.equal(s.count, values.length);
    assert.ok(s.length > 1 << 18, "the values span more than one chunk");
    let at = 0;
    for (const v of values) {
      assert.equal(s.read(at), v);
      assert.equal(s.skip(at, 1), s.after);
      at = s.after;
    }
    assert.equal(at, s.length);
    assert.equal(s.skip(0, values.length), s.length);
  });

  it("give the same lassos as the same graph in CSR form", () => {
    for (const seed of [1, 2, 3]) {
      // a big random graph, every state pending some bits, with targets far and near
      const n = 40_000;
      const rnd = fc.sample(fc.integer({ min: 0, max: 2 ** 30 }), { numRuns: 9 * n, seed });
      let r = 0;
      const g = new IdGraph();
      const masks = new Int32Array(n);
      const deg = new Int32Array(n + 1);
      const adj: number[] = [];
      for (let v = 0; v < n; v++) {
        if (v > 0 && v % 5_000 === 0) g.levels.push(v);
        masks[v] = 1 + (rnd[r++]! % 3);
        g.addState(v, masks[v]!);
        const k = rnd[r++]! % 6;
        for (let e = 0; e < k; e++) {
          const x = rnd[r++]!;
          const t = x % 4 === 0 ? v + (x % 7) : x % n;
          if (t >= n) continue;
          g.addEdge(t);
          adj.push(t);
        }
        deg[v + 1] = adj.length;
      }
      const depths = Int32Array.from({ length: n }, (_, v) => g.depthOf(v));
      const ids = Int32Array.from({ length: n }, (_, v) => v);
      const fpOf = (id: number): [number, number] => [id, -id];
      const byId = findCyclesById(g, n, 3, fpOf);
      const byNodes = findCyclesOnNodes(
        { n, deg, adj: Int32Array.from(adj), masks, depths, ids },
        3,
        fpOf,
      );
      assert.ok(byId.length > 0, "the random graph has lassos");
      assert.deepEqual(byId, byNodes, `seed ${seed}`);
    }
  });
});

describe("a worker's parent links as differences", () => {
  it("give back every value, near and far, across checkpoints and chunks", () => {
    const values = fc.sample(
      fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
      { numRuns: 150_000, seed: 11 },
    );
    const links = new DeltaLinks();
    let v = 0;
    const want: number[] = [];
    for (const d of values) {
      // mostly a small step from the previous link, sometimes anywhere
      v = Math.abs(d) <= 3 ? v + d : d;
      links.push(v);
      want.push(v);
    }
    assert.equal(links.length, want.length);
    const data = links.export();
    assert.ok(data.parts.length > 1, "the links span more than one chunk");
    for (let i = 0; i < want.length; i += 37) assert.equal(DeltaLinks.at(data, i), want[i]);
    assert.equal(DeltaLinks.at(data, want.length - 1), want.at(-1));
  });
});

describe("streams that run out of memory", () => {
  it("keep every value written whole: a push that cannot grow writes nothing", () => {
    for (const limit of [1, 2, 3, 5]) {
      let chunks = 0;
      const allow = () => ++chunks <= limit;
      const s = new VarintChunks(allow);
      const links = new DeltaLinks(allow);
      const written: number[] = [];
      const linked: number[] = [];
      try {
        for (let i = 0; ; i++) {
          // big values: each takes several bytes, so chunk ends fall inside them
          const v = ((i % 2 === 0 ? 1 : -1) * (i * 2654435761)) % 2 ** 40;
          s.push(v);
          written.push(v);
          links.push(v);
          linked.push(v);
        }
      } catch (e) {
        assert.ok(e instanceof RangeError);
      }
      assert.equal(s.count, written.length);
      let at = 0;
      for (const v of written) {
        assert.equal(s.read(at), v);
        at = s.after;
      }
      assert.equal(at, s.length);
      assert.equal(links.length, linked.length);
      const data = links.export();
      for (let i = 0; i < linked.length; i += 7) assert.equal(DeltaLinks.at(data, i), linked[i]);
    }
  });
});

/**
 * Tarjan's algorithm as the search used it before Pearce's (liveness.ts):
 * the reference for which lasso a graph gives. CSR edges, recursion-free.
 */
function tarjanLasso(
  n: number,
  deg: Int32Array,
  adj: Int32Array,
  has: (v: number) => boolean,
  depth: (v: number) => number,
): { start: number; rows: number[] } | null {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const comp = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const call: Array<[number, number]> = [];
  let next = 0;
  let comps = 0;
  let best = -1;
  let bestComp = -1;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1 || !has(root)) continue;
    index[root] = low[root] = next++;
    stack.push(root);
    onStack[root] = 1;
    call.push([root, deg[root]!]);
    while (call.length > 0) {
      const top = call[call.length - 1]!;
      const v = top[0];
      if (top[1] < deg[v + 1]!) {
        const w = adj[top[1]++]!;
        if (!has(w)) continue;
        if (index[w] === -1) {
          index[w] = low[w] = next++;
          stack.push(w);
          onStack[w] = 1;
          call.push([w, deg[w]!]);
        } else if (onStack[w] && index[w]! < low[v]!) low[v] = index[w]!;
        continue;
      }
      if (low[v] === index[v]) {
        const id = comps++;
        let size = 0;
        let shallow = -1;
        for (;;) {
          const w = stack.pop()!;
          onStack[w] = 0;
          comp[w] = id;
          size++;
          if (shallow < 0 || depth(w) < depth(shallow)) shallow = w;
          if (w === v) break;
        }
        let loop = false;
        for (let e = deg[v]!; e < deg[v + 1]!; e++) if (adj[e] === v) loop = true;
        if ((size > 1 || loop) && (best < 0 || depth(shallow) < depth(best))) {
          best = shallow;
          bestComp = id;
        }
      }
      call.pop();
      if (call.length > 0) {
        const u = call[call.length - 1]![0];
        if (low[v]! < low[u]!) low[u] = low[v]!;
      }
    }
  }
  if (best < 0) return null;
  const from = new Int32Array(n).fill(-1);
  const queue = [best];
  let last = -1;
  search: for (let qh = 0; qh < queue.length; qh++) {
    const v = queue[qh]!;
    for (let e = deg[v]!; e < deg[v + 1]!; e++) {
      const w = adj[e]!;
      if (comp[w] !== bestComp) continue;
      if (w === best) {
        last = v;
        break search;
      }
      if (from[w] !== -1) continue;
      from[w] = v;
      queue.push(w);
    }
  }
  const rows = [best];
  for (let v = last; v !== best; v = from[v]!) rows.push(v);
  rows.reverse();
  return { start: best, rows };
}

/** CSR edges as cycleForBit reads them. */
function csr(deg: Int32Array, adj: Int32Array) {
  return {
    after: 0,
    start: (v: number) => deg[v]!,
    end: (v: number) => deg[v + 1]!,
    read(c: number) {
      this.after = c + 1;
      return adj[c]!;
    },
  };
}

describe("the lasso search (Pearce's components)", () => {
  it("finds Tarjan's lasso: the same component, start and cycle, ties of depth included", () => {
    fc.assert(
      fc.property(
        // small dense graphs: many cycles, and many states of one depth in each
        fc
          .integer({ min: 1, max: 16 })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { minLength: n, maxLength: 4 * n }),
              fc.array(fc.nat(2), { minLength: n, maxLength: n }),
              fc.array(fc.boolean(), { minLength: n, maxLength: n }),
            ),
          ),
        ([n, pairs, depths, pending]) => {
          const edges = [...pairs].sort((x, y) => x[0] - y[0]);
          const deg = new Int32Array(n + 1);
          for (const [a] of edges) deg[a + 1]!++;
          for (let v = 0; v < n; v++) deg[v + 1]! += deg[v]!;
          const adj = Int32Array.from(edges, ([, b]) => b);
          const has = (v: number) => pending[v]!;
          const depth = (v: number) => depths[v]!;
          assert.deepEqual(
            cycleForBit(n, csr(deg, adj), has, depth),
            tarjanLasso(n, deg, adj, has, depth),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("starts a cycle of equally deep states where Tarjan's did: at the one discovered last", () => {
    // 0 → 1 → 2 → 0, all at one depth
    const deg = Int32Array.of(0, 1, 2, 3);
    const adj = Int32Array.of(1, 2, 0);
    const want = { start: 2, rows: [0, 1, 2] };
    assert.deepEqual(
      tarjanLasso(
        3,
        deg,
        adj,
        () => true,
        () => 0,
      ),
      want,
    );
    assert.deepEqual(
      cycleForBit(
        3,
        csr(deg, adj),
        () => true,
        () => 0,
      ),
      want,
    );
  });

  it("follows a path deeper than its first frames, to the cycle at its end", () => {
    const n = 5000;
    // 0 → 1 → … → n-1 → n-2: the only cycle is at the far end of the DFS path
    const deg = Int32Array.from({ length: n + 1 }, (_, v) => v);
    const adj = Int32Array.from({ length: n }, (_, v) => (v < n - 1 ? v + 1 : n - 2));
    const r = cycleForBit(
      n,
      csr(deg, adj),
      () => true,
      (v) => v,
    );
    assert.deepEqual(r, { start: n - 2, rows: [n - 1, n - 2] });
    assert.deepEqual(
      r,
      tarjanLasso(
        n,
        deg,
        adj,
        () => true,
        (v) => v,
      ),
    );
  });
});
