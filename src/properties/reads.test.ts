/**
 * A property that declares the event kinds it reads (`reads`) finds nothing
 * on a transition without them: the explorer skips it there. Checked on
 * random runs of every bundled scenario under every policy, for the bundled
 * properties and each scenario's result properties.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { propertiesFor, systemFromArg } from "../engine/adapter/model-system.js";
import { prng } from "../engine/run/random.js";
import type { ModelEvent } from "../model/events.js";
import { enabled, step } from "../model/step.js";
import { POLICY_NAMES } from "../policies/index.js";
import { bundledSpecs } from "../testing/baseline.js";
import { PROPERTIES } from "./index.js";

test("every bundled property with onStep declares the event kinds it reads", () => {
  for (const p of PROPERTIES) if (p.onStep) assert.ok(p.reads, `${p.name} declares no reads`);
});

test("a property finds nothing on a transition without the event kinds it reads", () => {
  let skipped = 0;
  let shown = 0;
  for (const [k, b] of bundledSpecs().entries()) {
    const props = propertiesFor(b.spec).filter((p) => p.onStep && p.reads);
    for (const policy of POLICY_NAMES) {
      const m = systemFromArg({ spec: b.spec, policy, params: {} }).model;
      const rand = prng(k * 31 + policy.length);
      for (let run = 0; run < 6; run++) {
        let s = m.init;
        for (let d = 0; d < 80; d++) {
          const en = enabled(m, s);
          if (en.length === 0) break;
          const events: ModelEvent[] = [];
          const n = step(m, s, en[Math.floor(rand() * en.length)]!, events);
          const kinds = new Set(events.map((e) => e.k));
          for (const p of props) {
            const reads = p.reads!.some((x) => kinds.has(x));
            const found = p.onStep!(m, s, n, events);
            if (found) shown++;
            if (reads) continue;
            skipped++;
            assert.equal(found, null, `${p.name} in ${b.name} under ${policy}: ${found?.message}`);
          }
          s = n;
        }
      }
    }
  }
  assert.ok(skipped > 1000 && shown > 100, `${skipped} transitions skipped, ${shown} shown`);
});
