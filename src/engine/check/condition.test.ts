/**
 * Condition expectations under every engine. The bundled `core` states that
 * data's first block never belongs to bob's file while server's MR pins it:
 * check proves it under revoke, and a variant that expects the same under
 * unsafe is refuted with the shortest run to a state where it holds.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { compile } from "../../model/compile.js";
import type { ScenarioSpec } from "../../model/spec.js";
import { step } from "../../model/step.js";
import { makePolicy } from "../../policies/index.js";
import { compileCondition } from "../../properties/condition/compile.js";
import { checkCondition, conditionName } from "../../properties/condition/property.js";
import { parseScenario } from "../../scenario/pin.js";
import { simulateScenario } from "../simulate/simulate.js";
import { checkScenario } from "./check.js";

const CORE = readFileSync(new URL("../../../scenarios/core.pin", import.meta.url), "utf8");
const COND = "block of data.page0 owned by other and server.mr pinned";

function spec(text: string): ScenarioSpec {
  const r = parseScenario(text, "core.pin");
  assert.ok(r.spec, r.diagnostics.map((d) => d.message).join("\n"));
  return r.spec;
}

/** `core` with its expectations replaced by `lines`. */
function variant(...lines: string[]): ScenarioSpec {
  const body = CORE.split("\n").filter((l) => !l.startsWith("expect "));
  return spec([...body, ...lines, ""].join("\n"));
}

function holdsAlong(s: ScenarioSpec, policy: string, actions: readonly number[]): boolean[] {
  const p = makePolicy(policy, {});
  assert.ok(p.ok);
  const c = compile(s, p.policy);
  assert.ok(c.ok);
  const cc = checkCondition(COND, s);
  assert.ok(cc.cond);
  const holds = compileCondition(cc.cond, cc.bound, c.model);
  let st = c.model.init;
  const out = [holds(st)];
  for (const a of actions) {
    st = step(c.model, st, a, null);
    out.push(holds(st));
  }
  return out;
}

describe("condition expectations", () => {
  it("the bundled core proves its never-condition under revoke", async () => {
    const r = await checkScenario({ spec: spec(CORE), policy: "revoke", params: {} });
    const e = r.expectations.find((x) => x.expectation.kind === "condition");
    assert.ok(e);
    assert.equal(e.ok, true);
    assert.equal(e.undecided, false);
    assert.match(e.detail, /^proved over \d+ states$/);
    const v = r.verdicts.find((x) => x.name === conditionName(COND));
    assert.equal(v?.verdict, "Never");
    assert.equal(r.exit, 0);
  });

  it("a variant expecting it under unsafe is refuted by the shortest run to a state where it holds", async () => {
    const s = variant(`expect never condition "${COND}"`);
    const r = await checkScenario({ spec: s, policy: "unsafe", params: {} });
    assert.equal(r.exit, 1);
    const e = r.expectations[0]!;
    assert.equal(e.ok, false);
    const v = r.verdicts.find((x) => x.name === conditionName(COND));
    assert.equal(v?.verdict, "Sometimes");
    const along = holdsAlong(s, "unsafe", v!.witness!);
    // It holds where the witness ends, and nowhere before: the search is breadth first.
    assert.equal(along.at(-1), true);
    assert.deepEqual(
      along.slice(0, -1),
      along.slice(0, -1).map(() => false),
    );
    // The truncate, bob's create and his fallocate must all come after the registration.
    assert.ok(v!.witness!.length >= 6, `witness of ${v!.witness!.length} steps`);
  });

  it("not, or and always read as written", async () => {
    const s = variant(
      `expect always condition "admin done"`,
      `expect never condition "not (server alive or server done)"`,
      `expect sometimes condition "peer.qp error or not server.mr pinned"`,
    );
    const r = await checkScenario({ spec: s, policy: "revoke", params: {} });
    assert.deepEqual(
      r.expectations.map((e) => e.ok),
      [true, false, true],
      r.expectations.map((e) => `${e.text}: ${e.detail}`).join("\n"),
    );
  });

  it("simulate counts the runs in which a condition held", async () => {
    const s = variant(`expect never condition "${COND}"`, `expect always condition "admin done"`);
    const r = await simulateScenario(s, {
      policies: [
        { name: "unsafe", params: {} },
        { name: "ebusy", params: {} },
      ],
      seeds: 6,
      horizon: 60,
    });
    const [unsafe, ebusy] = r.policies;
    const never = (p: typeof unsafe) => p!.conditions.find((c) => c.text === COND)!;
    assert.equal(never(ebusy).seedsHeld, 0);
    assert.equal(never(ebusy).contradicted, false);
    assert.equal(never(unsafe).fraction, never(unsafe).seedsHeld / unsafe!.seeds);
    assert.equal(never(unsafe).contradicted, never(unsafe).seedsHeld > 0);
    const done = ebusy!.conditions.find((c) => c.text === "admin done")!;
    assert.equal(done.seedsHeld, ebusy!.seeds);
  });
});

describe("conditions under partial-order reduction", () => {
  // Two peers write two blocks; their landings are independent, and sleep
  // sets explore one order of them. A condition true only between the two
  // landings, in either order, must still be found, at the same depth.
  const TWO = [
    "fs dax blocks=2",
    "user alice",
    "file data owner=alice pages=2",
    "proc server user=alice {",
    "  fd = open data rw",
    "  va = mmap fd pages=0..1 shared rw",
    "  mr = reg_mr va access=local_write,remote_write",
    "  send p mr",
    "  send q mr",
    "}",
    "remote p { mr = recv; rdma_write mr page=0 }",
    "remote q { mr = recv; rdma_write mr page=1 }",
    'expect sometimes condition "block 0 holds data and block 1 holds zeroes"',
    'expect sometimes condition "block 1 holds data and block 0 holds zeroes"',
    'expect always condition "block 0 holds data and block 1 holds data"',
    "",
  ].join("\n");

  it("finds every state, as the unreduced search does", async () => {
    const s = spec(TWO);
    const judge = async (reduce: boolean) => {
      const r = await checkScenario({ spec: s, policy: "unsafe", params: {} }, { reduce });
      return {
        ok: r.expectations.map((e) => e.ok),
        states: r.explore.stats.states,
        lengths: r.verdicts
          .filter((v) => v.name.startsWith("condition"))
          .map((v) => v.witness?.length ?? null),
      };
    };
    const reduced = await judge(true);
    assert.deepEqual(reduced, await judge(false));
    assert.deepEqual(reduced.ok, [true, true, true]);
  });
});
