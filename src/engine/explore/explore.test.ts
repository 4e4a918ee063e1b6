import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jugsSystem } from "../../testing/systems/jugs.js";
import { graphSystem, reference } from "../../testing/systems/sample-systems.js";
import { toyPinsSystem } from "../../testing/systems/toy-pins.js";
import { explore } from "./explore.js";
import type { ExploreStats } from "./types.js";
import { replay } from "./witness.js";

/** A clock that advances by `step` ms each time it is read. */
function fakeClock(step: number): () => number {
  let t = 0;
  return () => {
    t += step;
    return t;
  };
}

describe("explore: what it reports", () => {
  it("a property shown only at a terminal state has an 'end' witness", async () => {
    // 0 → 1 → 2 (terminal, end bit 1); 0 → 3 → 3 (self loop)
    const sys = graphSystem({
      edges: [
        [0, 1],
        [1, 2],
        [0, 3],
        [3, 3],
      ],
      end: [0, 0, 1, 0],
    });
    const r = await explore(sys);
    assert.equal(r.status, "complete");
    assert.deepEqual(r.properties[0], { name: "a", shown: true, witness: [0, 1], kind: "end" });
    assert.deepEqual(r.properties[1], { name: "b", shown: false });
    assert.deepEqual(r.deadlocks, { count: 1, witness: [0, 1] });
  });

  it("a transition witness beats a longer terminal one, and vice versa", async () => {
    const sys = graphSystem({
      edges: [
        [0, 1],
        [1, 2],
        [2, 3],
        [0, 4],
      ],
      bits: [0, 0, 1, 0],
      end: [0, 0, 0, 0, 1],
    });
    const r = await explore(sys);
    assert.deepEqual(r.properties[0]?.witness, [3]);
    assert.equal(r.properties[0]?.kind, "end");
  });

  it("liveness: a dead end with the obligation pending", async () => {
    const sys = graphSystem({
      edges: [
        [0, 1],
        [0, 2],
        [2, 0],
      ],
      pending: [0, 1, 0],
    });
    const r = await explore(sys);
    assert.deepEqual(r.liveness[0], { name: "x", violated: true, deadEnd: true, witness: [0] });
    assert.deepEqual(r.liveness[1], { name: "y", violated: false });
  });

  it("liveness: the lasso starts at the shallowest pending cycle state, with the shortest cycle", async () => {
    // 0 → 1 → 2 → 3 → 1 (pending 1..3), also 0 → 4 → 5 → 4 with 4, 5 not pending
    const sys = graphSystem({
      edges: [
        [0, 1],
        [1, 2],
        [2, 3],
        [3, 1],
        [2, 1],
        [0, 4],
        [4, 5],
        [5, 4],
      ],
      pending: [0, 1, 1, 1, 0, 0],
    });
    const r = await explore(sys);
    const l = r.liveness[0]!;
    assert.equal(l.violated, true);
    assert.deepEqual(l.lasso, { prefix: [0], cycle: [1, 4] });
    assert.deepEqual(l.witness, [0, 1, 4]);
    assert.equal(replay(sys, l.lasso!.prefix)[0], 1);
  });

  it("liveness: a cycle that leaves the pending states does not count", async () => {
    const sys = graphSystem({
      edges: [
        [0, 1],
        [1, 2],
        [2, 1],
      ],
      pending: [0, 1, 0],
    });
    const r = await explore(sys);
    assert.equal(r.liveness[0]!.violated, false);
  });

  it("liveness: a self loop is a cycle", async () => {
    const sys = graphSystem({ edges: [[0, 0]], pending: [3] });
    const r = await explore(sys);
    assert.deepEqual(
      r.liveness.map((l) => l.lasso),
      [
        { prefix: [], cycle: [0] },
        { prefix: [], cycle: [0] },
      ],
    );
  });

  it("the toy's ignored SIGIO under 'wait' makes truncate never return; its lasso is concrete under symmetry", async () => {
    const sys = toyPinsSystem({ n: 3, mode: "wait", handler: "ignore" });
    for (const reduce of [false, true]) {
      const r = await explore(sys, { reduce });
      const l = r.liveness[0]!;
      assert.equal(l.name, "truncate-hang");
      assert.equal(l.violated, true);
      const start = replay(sys, l.lasso!.prefix);
      const end = l.lasso!.cycle.reduce((s, a) => {
        assert.equal(sys.pending!(s), 1);
        return sys.step(s, a, null);
      }, start);
      assert.deepEqual([...end], [...start]);
    }
    for (const handler of ["cancel"] as const) {
      const r = await explore(toyPinsSystem({ n: 3, mode: "wait", handler }));
      assert.equal(r.liveness[0]!.violated, false);
    }
  });

  it("agrees with the reference search on the toy model", async () => {
    const sys = toyPinsSystem({ n: 2, mode: "revoke", handler: "ignore" });
    const r = await explore(sys);
    const ref = reference(sys, 2, 1);
    assert.equal(r.stats.states, ref.states);
    assert.equal(r.deadlocks.count, ref.terminals);
    assert.deepEqual(
      r.properties.map((p) => p.witness?.length ?? -1),
      ref.shortest,
    );
  });
});

describe("explore: bounds end the run cleanly", () => {
  const big = toyPinsSystem({ n: 4, mode: "wait" });

  it("max-time, by the injected clock", async () => {
    const r = await explore(big, { maxTimeMs: 50, now: fakeClock(10) });
    assert.equal(r.status, "incomplete");
    assert.equal(r.reason, "max-time");
    assert.ok(r.stats.states > 0 && r.stats.states < 41473);
  });

  it("interrupted, by an AbortSignal fired while it runs", async () => {
    const ac = new AbortController();
    const seen: ExploreStats[] = [];
    const r = await explore(big, {
      signal: ac.signal,
      now: fakeClock(1000),
      progressIntervalMs: 1,
      progress: (s) => {
        seen.push(s);
        ac.abort();
      },
    });
    assert.equal(r.reason, "interrupted");
    assert.ok(seen.length >= 1);
    assert.ok(seen[0]!.states > 0);
  });

  it("interrupted at once by a signal already aborted", async () => {
    const r = await explore(big, { signal: AbortSignal.abort() });
    assert.equal(r.status, "incomplete");
    assert.equal(r.reason, "interrupted");
  });

  it("max-memory, when the budget is below what the process already uses", async () => {
    const r = await explore(big, { maxMemoryBytes: 1 });
    assert.equal(r.status, "incomplete");
    assert.equal(r.reason, "max-memory");
  });

  it("a witness found before the bound is still reported", async () => {
    const r = await explore(jugsSystem(), { maxStates: 15 });
    assert.equal(r.status, "incomplete");
    assert.equal(r.properties[0]!.shown, true);
  });

  it("progress is reported with growing statistics", async () => {
    const seen: ExploreStats[] = [];
    const r = await explore(big, {
      now: fakeClock(5),
      progressIntervalMs: 1,
      progress: (s) => seen.push(s),
    });
    assert.equal(r.status, "complete");
    assert.ok(seen.length >= 2);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.states >= seen[i - 1]!.states);
    assert.ok(r.stats.bytesPerState > 0 && r.stats.tableBytes > 0);
  });
});
