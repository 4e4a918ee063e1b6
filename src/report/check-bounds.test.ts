/** A bounded search says exactly what it explored, and whether a second run would match. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { replicas } from "../bench/check-bench.js";
import { checkScenario } from "../engine/check/check.js";
import { renderCheck } from "./check.js";
import { checkJson } from "./check-json.js";

const origin = { kind: "bundled" as const, name: "replicas", hash: "0".repeat(16) };
const arg = { spec: replicas(3, 2), policy: "wait", params: {} };

test("a state-bounded search with 2 workers reports its exact count and says it is not reproducible", async () => {
  const two = await checkScenario(arg, { workers: 2, maxStates: 3000, parallelFrom: 300 });
  assert.equal(two.explore.workers, 2);
  assert.equal(two.explore.reason, "max-states");
  const text = renderCheck(two, origin);
  const count = two.explore.stats.states.toLocaleString("en");
  assert.match(
    text,
    new RegExp(`INCOMPLETE max-states: the verdicts above hold for the ${count} states`),
  );
  assert.match(text, /not reproducible: 2 workers stop where each one is/);
  assert.match(text, new RegExp(`statistics states ${count} `));
  assert.equal(checkJson(two, origin).reproducible, false);
  // the serial search stops at the same states every time, and says nothing of the kind
  const one = await checkScenario(arg, { maxStates: 3000 });
  const again = await checkScenario(arg, { maxStates: 3000 });
  assert.equal(one.explore.stats.states, again.explore.stats.states);
  assert.doesNotMatch(renderCheck(one, origin), /not reproducible/);
  assert.equal(checkJson(one, origin).reproducible, true);
});
