/**
 * Contract of the enabledness units (step.ts enabledUnits, unitInto): a
 * unit that answers narrow read no word outside its watch list. On states
 * reached breadth first in every bundled scenario and workload under every
 * policy, each narrow answer is asked again on states that keep only the
 * unit's watched words and take every other word from elsewhere (other
 * reachable states, and random words): the answer must not change. And
 * `enabledInto`'s actions come in strictly increasing `actionRank`, the
 * order the simulator's schedule breaks ties by.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { simulationModel } from "../engine/simulate/simulate.js";
import { POLICY_NAMES } from "../policies/index.js";
import { parseScenario } from "../scenario/pin.js";
import { bundledSpecs } from "../testing/baseline.js";
import { modelOf } from "../testing/run.js";
import { fingerprintHex } from "./fingerprint.js";
import type { Model, State } from "./layout.js";
import { actionRank, type EnabledUnits, enabled, enabledUnits, step, unitInto } from "./step.js";

/** States explored per scenario and policy. */
const LIMIT = 300;

function reachable(m: Model, limit: number): State[] {
  const seen = new Set<string>([fingerprintHex(m.init)]);
  const queue: State[] = [m.init];
  for (let i = 0; i < queue.length && seen.size < limit; i++)
    for (const a of enabled(m, queue[i]!)) {
      const n = step(m, queue[i]!, a, null);
      const fp = fingerprintHex(n);
      if (seen.has(fp)) continue;
      seen.add(fp);
      queue.push(n);
    }
  return queue;
}

/** A small generator (xorshift), seeded: the random words are the same on every run. */
function words(seed: number, length: number): Int32Array {
  let x = seed | 1;
  const out = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    // Mostly the small values the model's fields hold, some of any size.
    out[i] = (x & 7) === 0 ? x : (x >>> 3) % 5;
  }
  return out;
}

interface Tally {
  narrow: number;
  wide: number;
}

/** Holds every unit of m to its watch list on the states `states`. */
function holdUnits(m: Model, states: readonly State[], tally: Tally): void {
  const U: EnabledUnits = enabledUnits(m);
  const out: number[] = [];
  const again: number[] = [];
  const mixed = new Int32Array(m.init.length);
  const noise = words(m.init.length * 7919, m.init.length);
  for (let k = 0; k < states.length; k++) {
    const s = states[k]!;
    const en = enabled(m, s);
    for (let j = 1; j < en.length; j++)
      assert.ok(
        actionRank(U, en[j - 1]!) < actionRank(U, en[j]!),
        `${m.spec.name}: actions ${en[j - 1]} and ${en[j]} out of rank order`,
      );
    const others = [
      states[(k * 7 + 3) % states.length]!,
      states[(k * 13 + 1) % states.length]!,
      noise,
    ];
    for (let u = 0; u < U.count; u++) {
      const r = unitInto(m, s, U, u, out, 0);
      if ((r & 1) === 1) {
        tally.wide++;
        continue;
      }
      tally.narrow++;
      const want = out.slice(0, r >> 1).join(",");
      for (const o of others) {
        mixed.set(o);
        for (let w = U.watchFrom[u]!; w < U.watchFrom[u + 1]!; w++)
          mixed[U.watch[w]!] = s[U.watch[w]!]!;
        let got: string;
        try {
          const r2 = unitInto(m, mixed, U, u, again, 0);
          got = `${again.slice(0, r2 >> 1).join(",")}${(r2 & 1) === 1 ? " (wide)" : ""}`;
        } catch (e) {
          got = `a throw: ${(e as Error).message}`;
        }
        assert.equal(
          got,
          want,
          `${m.spec.name}: unit ${u} (class ${U.cls[u]}, index ${U.index[u]}) answered narrow but reads a word it does not watch`,
        );
      }
    }
  }
}

test("each enabledness unit reads only its watched words where it answers narrow, in every bundled scenario and workload", () => {
  const tally: Tally = { narrow: 0, wide: 0 };
  for (const b of bundledSpecs())
    for (const policy of POLICY_NAMES) {
      const m = modelOf(b.spec, policy);
      holdUnits(m, reachable(m, LIMIT), tally);
    }
  const dir = fileURLToPath(new URL("../../workloads/", import.meta.url));
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".pin"))) {
    const spec = parseScenario(readFileSync(dir + f, "utf8"), f).spec;
    assert.ok(spec, f);
    for (const policy of POLICY_NAMES) {
      const m = simulationModel(spec, policy, {});
      holdUnits(m, reachable(m, LIMIT / 3), tally);
    }
  }
  console.log(`unit answers held to their watch lists: ${JSON.stringify(tally)}`);
  assert.ok(tally.narrow > 10_000 && tally.wide > 100, JSON.stringify(tally));
});
