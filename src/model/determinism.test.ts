/**
 * Contract tests every model module passes: step is deterministic and pure,
 * the fingerprint is equal for equal states, a replay reproduces its trace.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { runSchedule } from "../engine/run/exec.js";
import { POLICY_NAMES } from "../policies/index.js";
import { PROPERTIES } from "../properties/index.js";
import { LIBRARY } from "../scenario/library.js";
import { modelOf } from "../testing/run.js";
import { fingerprintHex } from "./fingerprint.js";
import { enabled, step } from "./step.js";

const specs = Object.values(LIBRARY).map((b) => b());

test("same seed → same trace; replaying its actions reproduces every event", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: specs.length - 1 }),
      fc.constantFrom(...POLICY_NAMES),
      fc.integer({ min: 0, max: 1_000_000 }),
      (si, policy, seed) => {
        const m = modelOf(specs[si]!, policy);
        const a = runSchedule(m, { seed, properties: PROPERTIES });
        const b = runSchedule(m, { seed, properties: PROPERTIES });
        assert.deepEqual(b.steps, a.steps);
        const replay = runSchedule(m, {
          actions: a.steps.map((s) => s.action),
          properties: PROPERTIES,
        });
        assert.deepEqual(replay.steps, a.steps);
        assert.deepEqual([...replay.occurrences], [...a.occurrences]);
      },
    ),
    { numRuns: 150 },
  );
});

test("step never modifies its input state and is deterministic", () => {
  for (const spec of specs)
    for (const policy of POLICY_NAMES) {
      const m = modelOf(spec, policy);
      let s = m.init;
      for (let i = 0; i < 60; i++) {
        const en = enabled(m, s);
        if (en.length === 0) break;
        const a = en[i % en.length]!;
        const before = s.slice();
        const n1 = step(m, s, a, []);
        const n2 = step(m, s, a, null);
        assert.deepEqual(s, before, "step mutated its input");
        assert.deepEqual(n1, n2, "step depends on whether events are collected");
        s = n1;
      }
    }
});

test("fingerprints are equal for equal states and differ for the states of a run", () => {
  const m = modelOf(LIBRARY.core!(), "revoke");
  const run = runSchedule(m, { seed: 0, properties: PROPERTIES });
  let s = m.init;
  const seen = new Map<string, string>();
  for (const st of run.steps) {
    s = step(m, s, st.action, null);
    const fp = fingerprintHex(s);
    assert.equal(fingerprintHex(s.slice()), fp, "a copy has the same fingerprint");
    const key = Array.from(s).join(",");
    const prev = seen.get(fp);
    assert.ok(prev === undefined || prev === key, "two different states share a fingerprint");
    seen.set(fp, key);
  }
  assert.ok(seen.size > 5);
});
