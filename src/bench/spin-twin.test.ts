/**
 * The SPIN twin means something only if it is the same state space: for
 * small repw-N-P, SPIN's pan (unreduced) stores exactly pinlab's states and
 * explores exactly its edges, under each policy the twin models. Skipped,
 * with the reason, where spin or gcc is missing.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkScenario } from "../engine/check/check.js";
import { parseScenario } from "../scenario/pin.js";
import { replicas } from "./check-bench.js";
import {
  buildPan,
  hashBitsFor,
  removeBuild,
  runPan,
  spinMissing,
  type TwinPolicy,
} from "./spin-pan.js";
import { repwPin, repwPromela, type TwinShape, twinName } from "./spin-twin.js";

async function pinlabCounts(t: TwinShape, policy: string) {
  const r = await checkScenario(
    { spec: replicas(t.n, t.pages), policy, params: {} },
    { reduce: false },
  );
  assert.equal(r.explore.status, "complete");
  return { states: r.explore.stats.states, edges: r.explore.stats.transitions };
}

test("repwPin is the spec of replicas(N, P): the same states and transitions", async () => {
  const t = { n: 2, pages: 2 };
  const parsed = parseScenario(repwPin(t), `${twinName(t)}.pin`);
  assert.ok(parsed.spec, parsed.diagnostics.map((d) => d.message).join("\n"));
  const a = await checkScenario(
    { spec: parsed.spec, policy: "revoke", params: {} },
    { reduce: false },
  );
  assert.deepEqual(
    { states: a.explore.stats.states, edges: a.explore.stats.transitions },
    await pinlabCounts(t, "revoke"),
  );
});

const CASES: readonly (TwinShape & { readonly policy: TwinPolicy })[] = [
  { n: 2, pages: 2, policy: "revoke" },
  { n: 2, pages: 1, policy: "unsafe" },
];

for (const c of CASES) {
  test(`SPIN's twin of ${twinName(c)} under ${c.policy}: pinlab's states and edges`, async (t) => {
    const missing = spinMissing();
    if (missing) {
      t.skip(`SPIN twin not checked: ${missing}`);
      return;
    }
    const want = await pinlabCounts(c, c.policy);
    const b = buildPan(repwPromela(c), { policy: c.policy, noreduce: true });
    try {
      const got = runPan(b, hashBitsFor(want.states));
      assert.deepEqual({ states: got.states, edges: got.edges }, want);
      // unsafe frees the pinned blocks under the writes: the DMA is foreign; revoke never lets it be
      assert.equal(got.violated.includes("no_foreign_dma"), c.policy === "unsafe");
    } finally {
      removeBuild(b);
    }
  });
}
