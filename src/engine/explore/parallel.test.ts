import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { grownReplicas } from "../../bench/check-bench.js";
import { toyPinsFactory, toyPinsSystem } from "../../testing/systems/toy-pins.js";
import { systemFromArg } from "../adapter/model-system.js";
import { explore } from "./explore.js";
import type { ExploreResult } from "./types.js";
import { replay } from "./witness.js";

function verdicts(r: ExploreResult) {
  return {
    states: r.stats.states,
    transitions: r.stats.transitions,
    properties: r.properties.map((p) => [p.shown, p.witness?.length ?? -1]),
    deadlocks: [r.deadlocks.count, r.deadlocks.witness?.length ?? -1],
    liveness: r.liveness.map((l) => l.violated),
    depth: r.stats.depth,
  };
}

/** What must not depend on the number of workers: verdicts, counts and every witness length. */
function lengths(r: ExploreResult) {
  return {
    ...verdicts(r),
    lassos: r.liveness.map((l) => [
      l.deadEnd ?? false,
      l.witness?.length ?? -1,
      l.lasso?.prefix.length ?? -1,
      l.lasso?.cycle.length ?? -1,
    ]),
  };
}

describe("parallel exploration", () => {
  for (const mode of ["unsafe", "wait", "revoke"] as const)
    it(`toy pins (${mode}): 2 and 3 workers = 1 worker, with and without symmetry`, async () => {
      for (const handler of ["cancel", "ignore"] as const) {
        const f = toyPinsFactory({ n: 3, mode, handler });
        const sys = toyPinsSystem({ n: 3, mode, handler });
        for (const symmetry of [false, true]) {
          const one = await explore(sys, { symmetry });
          for (const workers of [2, 3]) {
            const many = await explore(f, { workers, symmetry, parallelFrom: 1 + workers * 40 });
            assert.equal(many.status, "complete");
            assert.deepEqual(verdicts(many), verdicts(one), `${handler} ${workers} ${symmetry}`);
            for (const p of many.properties) {
              if (!p.witness) continue;
              let s = sys.init;
              for (const a of p.witness) {
                assert.ok(sys.enabled(s).includes(a));
                s = sys.step(s, a, null);
              }
            }
            for (const l of many.liveness) {
              if (!l.lasso) continue;
              const start = replay(sys, l.lasso.prefix);
              assert.deepEqual([...replay(sys, [...l.lasso.prefix, ...l.lasso.cycle])], [...start]);
            }
          }
        }
      }
    });

  it("liveness without the graph (watch) = with it, the watch seen by the workers too", async () => {
    for (const mode of ["unsafe", "wait", "revoke"] as const)
      for (const handler of ["cancel", "ignore"] as const) {
        const f = toyPinsFactory({ n: 3, mode, handler });
        const one = await explore(toyPinsSystem({ n: 3, mode, handler }), {
          liveness: "fingerprints",
        });
        for (const parallelFrom of [2, 200]) {
          const opt = { workers: 2, parallelFrom };
          const g = await explore(f, { ...opt, liveness: "fingerprints" });
          const w = await explore(f, { ...opt, liveness: "watch" });
          assert.equal(w.workers, 2);
          assert.deepEqual(verdicts(w), verdicts(one), `${mode} ${handler} ${parallelFrom}`);
          assert.deepEqual(verdicts(g), verdicts(one), `${mode} ${handler} ${parallelFrom}`);
          assert.deepEqual(
            w.liveness.map((l) => [l.lasso?.prefix.length, l.lasso?.cycle.length]),
            one.liveness.map((l) => [l.lasso?.prefix.length, l.lasso?.cycle.length]),
          );
        }
      }
  });

  it("a system object with a factory can be explored in parallel", async () => {
    const sys = toyPinsSystem({ n: 2, mode: "wait" });
    const r = await explore(sys, { workers: 2, parallelFrom: 1 });
    assert.equal(r.workers, 2);
    assert.equal(r.stats.states, (await explore(sys)).stats.states);
  });

  it("bounds end a parallel run cleanly too", async () => {
    const f = toyPinsFactory({ n: 4, mode: "wait" });
    const r = await explore(f, { workers: 2, maxStates: 5000, parallelFrom: 100 });
    assert.equal(r.status, "incomplete");
    assert.equal(r.reason, "max-states");
    assert.ok(r.stats.states >= 5000);
    const a = await explore(f, { workers: 2, signal: AbortSignal.abort() });
    assert.equal(a.reason, "interrupted");
    const ac = new AbortController();
    const b = await explore(f, {
      workers: 2,
      parallelFrom: 100,
      signal: ac.signal,
      progressIntervalMs: 0,
      progress: () => ac.abort(),
    });
    assert.equal(b.reason, "interrupted");
  });

  it("a depth bound: 2 and 3 workers, expanding ahead, store and expand what 1 worker does", async () => {
    const sys = toyPinsSystem({ n: 4, mode: "wait" });
    const f = toyPinsFactory({ n: 4, mode: "wait" });
    for (const maxDepth of [4, 7]) {
      const one = await explore(sys, { maxDepth });
      assert.equal(one.reason, "max-depth");
      for (const workers of [2, 3]) {
        const many = await explore(f, { workers, maxDepth, parallelFrom: 50 });
        assert.equal(many.workers, workers);
        assert.equal(many.reason, "max-depth", `${maxDepth} ${workers}`);
        assert.deepEqual(verdicts(many), verdicts(one), `${maxDepth} ${workers}`);
      }
    }
  });

  it("a time bound stops the workers too", async () => {
    let t = 0;
    const r = await explore(toyPinsFactory({ n: 5, mode: "wait" }), {
      workers: 2,
      parallelFrom: 1000,
      maxTimeMs: 40,
      now: () => (t += 1),
    });
    assert.equal(r.status, "incomplete");
    assert.equal(r.reason, "max-time");
    assert.equal(r.workers, 2);
    assert.ok(r.stats.states < 497665);
  });

  it("small searches finish in this thread without starting workers", async () => {
    const r = await explore(toyPinsFactory({ n: 2 }), { workers: 2 });
    assert.equal(r.workers, 1);
    assert.equal(r.status, "complete");
  });

  it("sleep sets apply before the hand-over; states and verdicts stay those of the serial search", async () => {
    const sys = toyPinsSystem({ n: 4, mode: "wait", handler: "ignore" });
    const one = await explore(sys, { reduce: true });
    const two = await explore(sys, { reduce: true, workers: 2, parallelFrom: 300 });
    assert.equal(two.workers, 2);
    assert.deepEqual(two.reductions, { por: true, symmetry: true });
    const v = (r: ExploreResult) => ({ ...verdicts(r), transitions: 0 });
    assert.deepEqual(v(two), v(one));
  });

  it("replicas.pin grown to 3 pairs: 2 workers = 1 worker, the pending graph on ids too", async () => {
    const sys = systemFromArg({ spec: grownReplicas(3), policy: "revoke", params: {} });
    for (const liveness of ["watch", "graph"] as const) {
      const one = await explore(sys, { reduce: false, liveness });
      const two = await explore(sys.factory!, { reduce: false, liveness, workers: 2 });
      assert.equal(two.workers, 2);
      assert.equal(one.stats.states, 117_019);
      assert.deepEqual(lengths(two), lengths(one), liveness);
      // the joined graph keeps what the serial one keeps, in a like space
      if (liveness === "graph")
        assert.ok(two.stats.livenessBytes < 2 * one.stats.livenessBytes, liveness);
    }
  });
});
