/**
 * What each atom reads of the model's state, on the states a known schedule
 * of the bundled `core` passes through (seed 0, priority order): under
 * deferred-free the truncate leaves data's blocks busy and pinned; under
 * revoke it breaks server's lease first and frees the blocks only after the
 * cancel handler has deregistered the MR.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { runSchedule } from "../../engine/run/exec.js";
import { compile } from "../../model/compile.js";
import type { Model, State } from "../../model/layout.js";
import { makePolicy } from "../../policies/index.js";
import { parseScenario } from "../../scenario/pin.js";
import { compileCondition } from "./compile.js";
import { checkCondition } from "./property.js";

const CORE = readFileSync(new URL("../../../scenarios/core.pin", import.meta.url), "utf8");

/** The states of core's seed-0 run under `policy`: the initial one, then one per step. */
function states(policy: string): { m: Model; states: readonly State[] } {
  const r = parseScenario(CORE, "core.pin");
  assert.ok(r.spec);
  const p = makePolicy(policy, {});
  assert.ok(p.ok);
  const c = compile(r.spec, p.policy);
  assert.ok(c.ok);
  const run = runSchedule(c.model, { properties: [], keepStates: true });
  return { m: c.model, states: run.states! };
}

/** Whether `text` holds in each state. */
function along(m: Model, all: readonly State[], text: string): boolean[] {
  const c = checkCondition(text, m.spec);
  assert.ok(c.cond, `${text}: ${c.errors.map((e) => e.message).join("; ")}`);
  const f = compileCondition(c.cond, c.bound, m);
  return all.map((s) => f(s));
}

/** The steps (1-based; 0 the initial state) at which `text` holds. */
const at = (m: Model, all: readonly State[], text: string) =>
  along(m, all, text).flatMap((h, i) => (h ? [i] : []));

describe("condition atoms over core's seed-0 run", () => {
  it("under deferred-free: busy blocks, pins, ownership, contents", () => {
    const { m, states: s } = states("deferred-free");
    const end = s.length - 1;
    assert.equal(end, 13);
    // Truncate (step 5) holds blocks 0 and 1 busy; bob's file gets blocks 2 and 3 (step 7).
    assert.deepEqual(at(m, s, "block of data.page0 busy"), [5, 6, 7, 8, 9, 10, 11, 12, 13]);
    assert.deepEqual(at(m, s, "block of data.page0 owned by data"), [0, 1, 2, 3, 4]);
    assert.deepEqual(at(m, s, "block 2 owned by other")[0], 7);
    assert.deepEqual(at(m, s, "block 2 free").at(-1), 6);
    assert.deepEqual(at(m, s, "block 0 owned"), [0, 1, 2, 3, 4]);
    // reg_mr (step 3) pins; nothing unpins.
    assert.deepEqual(at(m, s, "server.mr pinned")[0], 3);
    assert.equal(along(m, s, "server.mr pinned")[end], true);
    assert.deepEqual(at(m, s, "data.page0 pinned"), [3, 4]);
    assert.deepEqual(at(m, s, "data.page0 hole")[0], 5);
    // The RDMA WRITE lands in busy block 0 at step 11.
    assert.deepEqual(at(m, s, "block 0 holds data")[0], 11);
    assert.equal(along(m, s, "block 0 holds zeroes")[0], true);
    // A hole reads as zeroes, before bob's file exists too.
    assert.equal(along(m, s, "other.page0 holds zeroes")[0], true);
    assert.deepEqual(at(m, s, "other exists and other.page0 hole").at(-1), 6);
    assert.deepEqual(at(m, s, "other exists")[0], 6);
    assert.deepEqual(at(m, s, "server.fd open")[0], 1);
    assert.deepEqual(at(m, s, "server.va mapped")[0], 2);
    // Its last operation is issued at step 12 (it lands at 13).
    assert.deepEqual(at(m, s, "peer done"), [12, 13]);
    assert.equal(along(m, s, "peer.qp ready and not peer.qp error").every(Boolean), true);
    assert.equal(along(m, s, "admin done")[end], true);
    assert.equal(along(m, s, "admin alive and server alive and not server killed")[end], true);
  });

  it("under revoke: the lease breaks, the MR goes, then the blocks", () => {
    const { m, states: s } = states("revoke");
    assert.deepEqual(at(m, s, "lease of data breaking"), [5, 6, 7, 8, 9, 10]);
    assert.deepEqual(at(m, s, "lease of data held"), [3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(at(m, s, "lease of data none"), [0, 1, 2, 11, 12]);
    assert.deepEqual(at(m, s, "admin blocked"), [5, 6, 7, 8, 9, 10, 11]);
    assert.deepEqual(at(m, s, "server.mr registered"), [3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(at(m, s, "block of data.page0 free"), [12]);
    assert.deepEqual(
      at(m, s, "block of data.page0 owned by data and not server.mr pinned"),
      [0, 1, 2, 11],
    );
  });
});
