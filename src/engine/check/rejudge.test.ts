import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toyPinsSystem } from "../../testing/systems/toy-pins.js";
import { explore } from "../explore/explore.js";
import { judgeWitness } from "./rejudge.js";

describe("judging a witness again", () => {
  it("confirms a lasso only if its cycle returns to the very state it left, pending all along", async () => {
    const sys = toyPinsSystem({ n: 3, mode: "wait", handler: "ignore" });
    const r = await explore(sys, { reduce: true });
    const l = r.liveness[0]!;
    assert.ok(l.lasso && l.lasso.cycle.length > 0);
    const actions = [...l.lasso.prefix, ...l.lasso.cycle];
    const what = l.name;
    const ok = judgeWitness(sys, actions, { what, loop: l.lasso.prefix.length });
    assert.ok(ok.ok);
    assert.equal(ok.how, "lasso");
    assert.deepEqual(ok.lasso, l.lasso);
    // the same steps with the cycle starting elsewhere, or cut short, are not that lasso
    for (const loop of [l.lasso.prefix.length + 1, actions.length])
      assert.ok(!judgeWitness(sys, actions, { what, loop }).ok, `loop ${loop}`);
    assert.ok(!judgeWitness(sys, actions.slice(0, -1), { what, loop: l.lasso.prefix.length }).ok);
    // and without the loop point, the run is no dead end: something can still move
    assert.ok(!judgeWitness(sys, actions, { what, loop: null }).ok);
  });

  it("confirms a property at the last step or the end, as the explorer found it", async () => {
    const sys = toyPinsSystem({ n: 2, mode: "unsafe" });
    const r = await explore(sys);
    const shown = r.properties.filter((p) => p.witness);
    assert.ok(shown.length > 0);
    for (const p of shown) {
      const j = judgeWitness(sys, p.witness!, { what: p.name, loop: null });
      assert.ok(j.ok, p.name);
      assert.equal(j.how, p.kind === "end" ? "end" : "step");
      if (p.witness!.length > 1)
        assert.ok(!judgeWitness(sys, p.witness!.slice(0, -1), { what: p.name, loop: null }).ok);
    }
    const bad = judgeWitness(sys, [-7], { what: shown[0]!.name, loop: null });
    assert.ok(!bad.ok);
    assert.match(bad.error, /step 1 of the token cannot happen/);
  });
});
