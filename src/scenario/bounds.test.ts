/**
 * A scenario's `bounds` line bounds `check`: the search stops there and says
 * it is incomplete, unless the caller gives that bound itself.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkScenario } from "../engine/check/check.js";
import { parseScenario } from "./pin.js";

const BASE = `scenario "two openers"
fs pagecache blocks=4
user alice
file data owner=alice mode=0644 pages=1
proc a user=alice { f = open data r; g = open data r; h = open data r }
proc b user=alice { f = open data r; g = open data r; h = open data r }
expect never foreign-dma
`;

async function check(bounds: string, opts: { maxStates?: number; workers?: number } = {}) {
  const r = parseScenario(`${BASE}${bounds}\n`, "bounds.pin");
  assert.ok(r.spec, r.diagnostics.map((d) => d.message).join("; "));
  return checkScenario(
    { spec: r.spec, policy: "linux", params: {} },
    { ...opts, parallelFrom: 2, reduce: false },
  );
}

describe("in-file bounds", () => {
  it("without bounds the search is complete", async () => {
    const r = await check("");
    assert.equal(r.explore.status, "complete");
    assert.equal(r.exit, 0);
    assert.ok(r.explore.stats.states > 10);
  });

  it("max_states stops the search: incomplete, exit 3", async () => {
    const r = await check("bounds max_states=3");
    assert.equal(r.explore.status, "incomplete");
    assert.equal(r.explore.reason, "max-states");
    assert.equal(r.exit, 3);
    assert.ok(r.expectations.every((e) => e.undecided));
  });

  it("max_depth explores runs of at most that many steps", async () => {
    for (const workers of [1, 2]) {
      const r = await check("bounds max_depth=2", { workers });
      assert.equal(r.explore.status, "incomplete", `workers ${workers}`);
      assert.equal(r.explore.reason, "max-depth");
      assert.equal(r.exit, 3);
      assert.ok(r.explore.stats.depth < 2, `depth ${r.explore.stats.depth}`);
    }
  });

  it("a bound given by the caller overrides the file's", async () => {
    const r = await check("bounds max_states=3", { maxStates: 1_000_000 });
    assert.equal(r.explore.status, "complete");
  });
});
