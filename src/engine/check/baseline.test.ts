/**
 * The search's results stay those recorded from the engine before it was
 * made faster: for every bundled scenario (and a few grown from
 * replicas.pin) under every policy, with reductions and without, the same
 * state and transition counts, depth, dead ends, verdicts and witnesses
 * (length and hash of the actions). The recording (baseline.json) is never
 * refreshed by `npm run golden`: a change to it is a change of results, and
 * is made on purpose with PINLAB_RECORD_BASELINE=1 from an engine whose
 * results are known good. A scenario whose text changed since the recording
 * is left out (its cells are new results, not a regression).
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import {
  BASELINE_FILE,
  BASELINE_MODES,
  type Baseline,
  baselineScenarios,
  type CellSummary,
  compact,
  differences,
  POLICY_NAMES,
  summarise,
} from "../../testing/baseline.js";
import { propertiesFor } from "../adapter/model-system.js";

const RECORD = process.env.PINLAB_RECORD_BASELINE === "1";

for (const mode of Object.keys(BASELINE_MODES))
  test(`results equal the recorded baseline (${mode})`, async () => {
    const scenarios = baselineScenarios();
    const base: Baseline | null = existsSync(BASELINE_FILE)
      ? JSON.parse(readFileSync(BASELINE_FILE, "utf8"))
      : null;
    if (RECORD) {
      const cells: Record<string, CellSummary> = { ...(base?.cells ?? {}) };
      const names = new Set<string>(base?.properties ?? []);
      for (const s of scenarios) {
        for (const p of propertiesFor(s.spec)) names.add(p.name);
        for (const policy of POLICY_NAMES)
          cells[`${s.name} ${policy} ${mode}`] = compact(
            await summarise(s.spec, policy, BASELINE_MODES[mode]!),
          );
      }
      const hashes = Object.fromEntries(scenarios.map((s) => [s.name, s.hash]));
      const out: Baseline = { properties: [...names].sort(), hashes, cells };
      const lines = Object.keys(out.cells)
        .sort()
        .map((k) => `    ${JSON.stringify(k)}: ${JSON.stringify(out.cells[k])}`);
      const hashLines = Object.keys(hashes).map(
        (k) => `    ${JSON.stringify(k)}: ${JSON.stringify(hashes[k])}`,
      );
      writeFileSync(
        BASELINE_FILE,
        `{\n  "properties": ${JSON.stringify(out.properties)},\n  "hashes": {\n${hashLines.join(",\n")}\n  },\n  "cells": {\n${lines.join(",\n")}\n  }\n}\n`,
      );
      return;
    }
    assert.ok(base, `${BASELINE_FILE.pathname} is missing`);
    let compared = 0;
    const wrong: string[] = [];
    for (const s of scenarios) {
      if (base.hashes[s.name] !== s.hash) continue;
      for (const policy of POLICY_NAMES) {
        const key = `${s.name} ${policy} ${mode}`;
        const rec = base.cells[key];
        if (!rec) continue;
        const now = await summarise(s.spec, policy, BASELINE_MODES[mode]!);
        compared++;
        for (const d of differences(base.properties, rec, now)) wrong.push(`${key}: ${d}`);
      }
    }
    assert.deepEqual(wrong, []);
    // Most of the recording is still compared (scenarios edited since are left out).
    const recorded = Object.keys(base.cells).filter((k) => k.endsWith(` ${mode}`)).length;
    assert.ok(compared >= recorded * 0.75, `only ${compared} of ${recorded} cells compared`);
  });
