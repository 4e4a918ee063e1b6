/**
 * The simulator's memo of states and transitions (memo.ts) is exact: on
 * every bundled workload and scenario, under every policy, the loop's
 * enabled actions, events, findings and states after every transition are
 * the model's own (SeedOptions.verify), with the memo on, across seeds and
 * with it off; and `simulate --json` is byte for byte what the simulator
 * gave before the memo (testdata/simulate-json.json, recorded then; a
 * change of the model or the figures that is meant refreshes it with
 * `PINLAB_UPDATE_GOLDEN=1 node --test dist/` and `npx biome check --write src`,
 * reviewed in the diff).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { memoryHost } from "../../cli/host.js";
import { main } from "../../cli/main.js";
import type { ScenarioSpec } from "../../model/spec.js";
import { BUILTIN_POLICIES } from "../../policies/index.js";
import { parseScenario } from "../../scenario/index.js";
import { StateMemo } from "./memo.js";
import { simModel, simulateSeed } from "./sim.js";
import { DEFAULT_HORIZON, simulationModel } from "./simulate.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const UPDATE = process.env.PINLAB_UPDATE_GOLDEN === "1";
const RECORDED = join(ROOT, "src/engine/simulate/testdata/simulate-json.json");

function bundled(): { file: string; spec: ScenarioSpec }[] {
  const out: { file: string; spec: ScenarioSpec }[] = [];
  for (const dir of ["workloads", "scenarios"])
    for (const f of readdirSync(join(ROOT, dir)).sort()) {
      if (!f.endsWith(".pin")) continue;
      const r = parseScenario(readFileSync(join(ROOT, dir, f), "utf8"), f);
      assert.ok(r.spec, `${dir}/${f}: ${r.diagnostics.map((d) => d.message).join("; ")}`);
      out.push({ file: `${dir}/${f}`, spec: r.spec });
    }
  return out;
}

test("the loop's enabled actions, events, findings and states are the model's after every transition, on every bundled workload and scenario under every policy", () => {
  let runs = 0;
  let hits = 0;
  for (const { file, spec } of bundled()) {
    const horizon = spec.horizon ?? DEFAULT_HORIZON;
    for (const pol of BUILTIN_POLICIES) {
      const sm = simModel(simulationModel(spec, pol.name, {}));
      // Three seeds through one memo (the later ones meet the earlier ones' states), each
      // up to 300 transitions; then one with the memo off.
      for (const seed of [1, 2, 3]) {
        const r = simulateSeed(sm, seed, { horizon, verify: true, record: 300 });
        assert.ok(r.events > 0 || r.quiescentAt !== null, `${file} ${pol.name}`);
        runs++;
      }
      if (sm.memo.on) hits++;
      sm.memo.on = false;
      sm.memo.release();
      simulateSeed(sm, 4, { horizon, verify: true, record: 300 });
    }
  }
  assert.ok(runs > 500, `${runs} runs`);
  assert.ok(hits > 100, `the memo stayed on in ${hits} models only`);
});

test("with the memo or without it, a seed gives the same figures", () => {
  for (const { file, spec } of bundled().filter((b) => b.file.startsWith("workloads/"))) {
    const horizon = Math.min(spec.horizon ?? DEFAULT_HORIZON, 1800);
    const on = simModel(simulationModel(spec, "revoke", {}));
    const off = simModel(simulationModel(spec, "revoke", {}));
    off.memo.on = false;
    off.memo.release();
    for (const seed of [1, 2]) {
      const a = simulateSeed(on, seed, { horizon });
      const b = simulateSeed(off, seed, { horizon });
      assert.deepEqual(a, b, `${file} seed ${seed}`);
    }
  }
});

test("the memo holds exact states: equal words give one id, one differing word another", () => {
  const spec = bundled()[0]!.spec;
  const m = simulationModel(spec, "linux", {});
  const seen: number[] = [];
  const memo = new StateMemo(m, (id) => seen.push(id));
  const a = Int32Array.from(m.init);
  const id = memo.intern(a);
  assert.equal(memo.intern(Int32Array.from(m.init)), id);
  const b = Int32Array.from(m.init);
  b[b.length - 1] = b[b.length - 1]! + 1;
  const other = memo.intern(b);
  assert.notEqual(other, id);
  assert.deepEqual(seen, [id, other]);
  assert.deepEqual([...memo.state(id)], [...m.init]);
  assert.deepEqual([...memo.state(other)], [...b]);
});

test("simulate --json is byte for byte what it was before the memo, on the bundled workloads", async () => {
  const recorded = JSON.parse(readFileSync(RECORDED, "utf8")) as {
    about: string;
    runs: { args: string[]; sha256: string; bytes: number }[];
  };
  // The replay tokens name the scenario by the path given: run from the package root, as recorded.
  process.chdir(ROOT);
  for (const run of recorded.runs) {
    const h = memoryHost();
    const code = await main(["simulate", ...run.args, "--json", "--workers", "1"], h);
    assert.equal(code, 0, h.stderr);
    const sha256 = createHash("sha256").update(h.stdout).digest("hex");
    if (UPDATE) {
      run.bytes = h.stdout.length;
      run.sha256 = sha256;
      continue;
    }
    assert.equal(h.stdout.length, run.bytes, run.args.join(" "));
    assert.equal(sha256, run.sha256, run.args.join(" "));
  }
  if (UPDATE) writeFileSync(RECORDED, `${JSON.stringify(recorded, null, 2)}\n`);
});
