/**
 * The order compare starts its cells in: the costliest predicted first, so
 * that the longest checks of the bundled library do not start last.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { bundledSpecs } from "../../testing/baseline.js";
import type { CellJob } from "./cell.js";
import { costliestFirst, predictedCost } from "./order.js";

const library = bundledSpecs();
const byName = new Map(library.map((b) => [b.name, b.spec]));

test("the three scenarios with the longest checks are predicted the costliest", () => {
  // replicas, rereg-mr and multi-pinner hold the library's largest cells (20 k to 40 k states)
  const ranked = [...library].sort((a, b) => predictedCost(b.spec) - predictedCost(a.spec));
  assert.deepEqual(
    ranked
      .slice(0, 3)
      .map((b) => b.name)
      .sort(),
    ["multi-pinner", "replicas", "rereg-mr"],
  );
  // a single program has one interleaving
  assert.equal(predictedCost(byName.get("gup-longterm-disk")!), 0);
});

test("costliestFirst orders jobs by predicted cost, ties in job order, each job once", () => {
  const job = (name: string, policy: string): CellJob => ({
    ref: name,
    spec: byName.get(name)!,
    origin: { kind: "bundled", name, hash: "" },
    policy,
    params: {},
  });
  const jobs = [
    job("core", "linux"),
    job("replicas", "linux"),
    job("core", "revoke"),
    job("replicas", "revoke"),
    job("gup-longterm-disk", "linux"),
  ];
  assert.deepEqual(costliestFirst(jobs), [1, 3, 0, 2, 4]);
  assert.deepEqual(costliestFirst([]), []);
});
