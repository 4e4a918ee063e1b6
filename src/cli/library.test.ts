/**
 * The scenario library as a regression suite: every bundled scenario under
 * every policy, every interleaving, and each expectation written in the
 * scenario (with the argument from the thread beside it) must hold.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import type { CellJob } from "../engine/matrix/cell.js";
import { checkCells } from "../engine/matrix/compare.js";
import { runSchedule } from "../engine/run/exec.js";
import { POLICIES } from "../policies/index.js";
import { parsePolicyRef } from "../policies/ref.js";
import { PROPERTIES } from "../properties/index.js";
import { formatText } from "../scenario/format.js";
import { LIBRARY } from "../scenario/library.js";
import { sourceHash } from "../scenario/source-hash.js";
import { modelOf } from "../testing/run.js";
import { memoryHost } from "./host.js";
import { loadPinFile } from "./pin-file.js";
import { bundledPins } from "./scenarios.js";

test("every expectation of the bundled library holds under every policy, over every interleaving", async () => {
  const host = memoryHost();
  const jobs: CellJob[] = [];
  const parameterised: string[] = [];
  for (const name of bundledPins()) {
    const l = loadPinFile(`scenarios/${name}.pin`, host);
    assert.ok(l.ok, `${name}: ${!l.ok && l.error}`);
    if (!l.ok) continue;
    const origin = { kind: "bundled" as const, name, hash: sourceHash(l.source) };
    for (const p of POLICIES)
      jobs.push({ ref: name, spec: l.spec, origin, policy: p.name, params: {} });
    // Each parameterised policy an expectation names (`under revoke(escalation=invalidate)`)
    // is checked too: the default instance above never judges it.
    const named = new Set(l.spec.expectations.flatMap((e) => e.policies ?? []));
    for (const text of named) {
      const r = parsePolicyRef(text);
      assert.ok(r.ok, `${name}: ${text}`);
      if (!r.ok || Object.keys(r.ref.params).length === 0) continue;
      jobs.push({ ref: name, spec: l.spec, origin, policy: r.ref.name, params: r.ref.params });
      parameterised.push(`${name} x ${text}`);
    }
  }
  assert.ok(parameterised.length > 0, "some scenario names a parameterised policy");
  assert.ok(jobs.length >= 15 * 9, "the library covers every concern");
  const cells = await checkCells(jobs, {
    workers: 2,
    explore: { reduce: true, maxStates: 500_000 },
  });
  assert.equal(cells.length, jobs.length);
  const failures: string[] = [];
  for (const c of cells) {
    if (c.status !== "complete")
      failures.push(`${c.scenario} x ${c.policy}: incomplete (${c.reason})`);
    for (const e of c.expectations)
      if (!e.ok || e.undecided)
        failures.push(`${c.scenario} x ${c.policy}: ${e.text} — ${e.detail}`);
  }
  assert.deepEqual(failures, []);
  // A parameterised job judges the expectations written for it.
  for (const c of cells)
    if (Object.keys(c.params).length > 0)
      assert.ok(
        c.expectations.some((e) => e.text.includes(`${c.policy}(`)),
        `${c.scenario} x ${c.policy}${JSON.stringify(c.params)}: no parameterised expectation judged`,
      );
});

test("the core scenario as a .pin file behaves exactly as the builder-API version under every policy", () => {
  const l = loadPinFile("scenarios/core.pin", memoryHost());
  assert.ok(l.ok);
  if (!l.ok) return;
  const fromText = { ...l.spec, expectations: [], file: undefined };
  const fromBuilder = { ...LIBRARY.core!(), expectations: [] };
  for (const p of POLICIES)
    for (const seed of [0, 1, 2, 3]) {
      const a = runSchedule(modelOf(fromText, p.name), { seed, properties: PROPERTIES });
      const b = runSchedule(modelOf(fromBuilder, p.name), { seed, properties: PROPERTIES });
      assert.deepEqual(a.steps, b.steps, `${p.name}, seed ${seed}`);
      assert.deepEqual([...a.occurrences], [...b.occurrences]);
    }
});

test("every bundled scenario is in `pinlab fmt` form", () => {
  const unformatted: string[] = [];
  for (const name of bundledPins()) {
    const path = `scenarios/${name}.pin`;
    const text = readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
    const f = formatText(text, path);
    assert.ok(f.text !== undefined, `${path}: does not parse`);
    if (f.text !== text) unformatted.push(path);
  }
  assert.deepEqual(unformatted, [], "run `pinlab fmt --write` on them");
});
