/**
 * Reductions and workers keep verdicts exact on the real model: every bundled
 * scenario, every policy, with and without partial-order and symmetry
 * reduction, and with one or two worker threads.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkScenario } from "../engine/check/check.js";
import { POLICIES } from "../policies/index.js";
import { memoryHost } from "./host.js";
import { loadPinFile } from "./pin-file.js";
import { bundledPins } from "./scenarios.js";

const specOf = (name: string) => {
  const l = loadPinFile(`scenarios/${name}.pin`, memoryHost());
  if (!l.ok) throw new Error(l.error);
  return l.spec;
};
const verdicts = (r: Awaited<ReturnType<typeof checkScenario>>) =>
  r.verdicts.map((v) => `${v.name}:${v.verdict}`).join(" ");

test("verdicts are identical with and without reductions; symmetric scenarios store fewer states", async () => {
  let reducedSomewhere = false;
  // replicas under revoke is the largest check of the library: kept for the comparison below.
  let replicas: [number, number] | undefined;
  for (const name of bundledPins()) {
    const spec = specOf(name);
    for (const p of POLICIES) {
      const arg = { spec, policy: p.name, params: {} };
      const plain = await checkScenario(arg, { reduce: false });
      const reduced = await checkScenario(arg, { reduce: true });
      assert.equal(verdicts(reduced), verdicts(plain), `${name} under ${p.name}`);
      assert.ok(reduced.explore.stats.states <= plain.explore.stats.states);
      assert.ok(reduced.explore.stats.transitions <= plain.explore.stats.transitions);
      if (reduced.explore.stats.states < plain.explore.stats.states) reducedSomewhere = true;
      if (name === "replicas" && p.name === "revoke")
        replicas = [plain.explore.stats.states, reduced.explore.stats.states];
    }
  }
  assert.ok(reducedSomewhere, "symmetry reduction applies to the replicated servers");
  assert.ok(replicas, "the library has replicas.pin");
  assert.ok(replicas[1] * 3 < replicas[0], "three interchangeable servers");
});

test("one and two worker threads give the same verdicts and the same state counts", async () => {
  for (const name of ["core", "replicas", "multi-pinner"])
    for (const policy of ["unsafe", "revoke", "wait"]) {
      const arg = { spec: specOf(name), policy, params: {} };
      for (const reduce of [false, true]) {
        const one = await checkScenario(arg, { reduce, workers: 1 });
        const two = await checkScenario(arg, { reduce, workers: 2, parallelFrom: 1 });
        assert.equal(verdicts(two), verdicts(one), `${name} ${policy} reduce=${reduce}`);
        assert.equal(
          two.explore.stats.states,
          one.explore.stats.states,
          `${name} ${policy} reduce=${reduce}`,
        );
        assert.equal(two.explore.workers, 2);
      }
    }
});
