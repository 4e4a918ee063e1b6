import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { explore } from "../../engine/explore/explore.js";
import { replay } from "../../engine/explore/witness.js";
import { jugsFactory, jugsSystem } from "./jugs.js";

/** An independent brute force: breadth-first over (a, b) pairs with a Set, no engine code. */
function bruteForce(A: number, B: number, goal: number): { states: number; shortest: number } {
  const key = (a: number, b: number) => `${a},${b}`;
  const seen = new Set([key(0, 0)]);
  let level: Array<[number, number]> = [[0, 0]];
  let shortest = -1;
  for (let d = 1; level.length > 0; d++) {
    const next: Array<[number, number]> = [];
    for (const [a, b] of level) {
      const ab = Math.min(a, B - b);
      const ba = Math.min(b, A - a);
      const moves: Array<[number, number]> = [
        [A, b],
        [a, B],
        [0, b],
        [a, 0],
        [a - ab, b + ab],
        [a + ba, b - ba],
      ];
      for (const [x, y] of moves) {
        if (y === goal && shortest < 0) shortest = d;
        if (seen.has(key(x, y))) continue;
        seen.add(key(x, y));
        next.push([x, y]);
      }
    }
    level = next;
  }
  return { states: seen.size, shortest };
}

describe("water jugs (3 and 5 litres, 4 wanted)", () => {
  const truth = bruteForce(3, 5, 4);

  it("the brute force agrees with the puzzle's folklore", () => {
    assert.equal(truth.states, 16);
    assert.equal(truth.shortest, 6);
  });

  it("explores exactly the reachable states and finds the shortest solution", async () => {
    const r = await explore(jugsSystem());
    assert.equal(r.status, "complete");
    assert.equal(r.stats.states, truth.states);
    const goal = r.properties[0]!;
    assert.equal(goal.shown, true);
    assert.equal(goal.witness?.length, truth.shortest);
    assert.equal(goal.kind, "transition");
    assert.equal(r.deadlocks.count, 0);
  });

  it("replaying the witness reaches 4 litres in the 5 litre jug", async () => {
    const sys = jugsSystem();
    const r = await explore(sys);
    const w = r.properties[0]!.witness!;
    assert.equal(replay(sys, w)[1], 4);
    // and no shorter prefix does
    for (let k = 0; k < w.length; k++) assert.notEqual(replay(sys, w.slice(0, k))[1], 4);
  });

  it("other capacities match the brute force too", async () => {
    for (const [a, b, goal] of [
      [2, 4, 3],
      [4, 9, 6],
      [7, 11, 2],
    ] as const) {
      const r = await explore(jugsSystem({ a, b, goal }));
      const t = bruteForce(a, b, goal);
      assert.equal(r.stats.states, t.states, `${a}/${b}`);
      assert.equal(r.properties[0]!.shown, t.shortest > 0);
      if (t.shortest > 0) assert.equal(r.properties[0]!.witness!.length, t.shortest);
    }
  });

  it("a state bound ends the run as incomplete, with statistics so far", async () => {
    const r = await explore(jugsSystem(), { maxStates: 5 });
    assert.equal(r.status, "incomplete");
    assert.equal(r.reason, "max-states");
    assert.ok(r.stats.states >= 5 && r.stats.states < 16);
    assert.ok(r.stats.transitions > 0);
  });

  it("two workers give the same state count and verdicts", async () => {
    const one = await explore(jugsSystem());
    const two = await explore(jugsFactory(), { workers: 2, parallelFrom: 1 });
    assert.equal(two.workers, 2);
    assert.equal(two.status, "complete");
    assert.equal(two.stats.states, one.stats.states);
    assert.equal(two.stats.transitions, one.stats.transitions);
    assert.deepEqual(
      two.properties.map((p) => [p.shown, p.witness?.length]),
      one.properties.map((p) => [p.shown, p.witness?.length]),
    );
    assert.equal(replay(jugsSystem(), two.properties[0]!.witness!)[1], 4);
  });

  it("reductions leave the verdicts unchanged", async () => {
    const plain = await explore(jugsSystem());
    const reduced = await explore(jugsSystem(), { reduce: true });
    assert.deepEqual(reduced.properties, plain.properties);
    assert.equal(reduced.stats.states, plain.stats.states);
  });
});
