/**
 * Golden files for the traces people read: `pinlab run <scenario> --policy P`
 * for every bundled scenario and every policy of the registry, compared
 * exactly with golden/run/<scenario>/<policy>.txt. One file per cell, so a
 * new policy adds files and changes none (the last test checks it).
 * After a deliberate change: `npm run golden`, then review the diff.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { memoryHost } from "../cli/host.js";
import { main } from "../cli/main.js";
import { bundledPins } from "../cli/scenarios.js";
import { definePolicy } from "../policies/base.js";
import {
  BUILTIN_POLICIES,
  POLICY_NAMES,
  registerPolicy,
  unregisterPluginPolicies,
} from "../policies/index.js";

const DIR = new URL("../../src/report/golden/run/", import.meta.url);
const UPDATE = process.env.PINLAB_UPDATE_GOLDEN === "1";

async function trace(scenario: string, policy: string): Promise<string> {
  const h = memoryHost();
  await main(["run", scenario, "--policy", policy], h);
  assert.equal(h.stderr, "");
  return h.stdout;
}

const golden = (scenario: string, policy: string) => new URL(`${scenario}/${policy}.txt`, DIR);

for (const name of bundledPins()) {
  test(`golden run traces: ${name}`, async () => {
    if (UPDATE) mkdirSync(new URL(`${name}/`, DIR), { recursive: true });
    for (const policy of POLICY_NAMES) {
      const out = await trace(name, policy);
      const file = golden(name, policy);
      if (UPDATE) writeFileSync(file, out);
      assert.ok(existsSync(file), `${file.pathname} is missing: run npm run golden`);
      assert.equal(out, readFileSync(file, "utf8"), `${name} under ${policy}`);
    }
  });
}

test("a policy added to the registry adds golden files and changes none", async () => {
  // in-tree-like: a module built as the built-in ones are, registered beside them
  const extra = definePolicy(
    "extra-golden-test",
    "a policy added for this test",
    "none",
    [],
    () => ({
      layoutChange: () => ({ do: "wait" }),
    }),
  );
  registerPolicy(extra, { file: "extra.ts", hash: "0000000000000000" });
  try {
    const scenarios = bundledPins().slice(0, 6);
    for (const name of scenarios) {
      for (const mod of BUILTIN_POLICIES)
        assert.equal(
          await trace(name, mod.name),
          readFileSync(golden(name, mod.name), "utf8"),
          `${name} under ${mod.name} changed when a policy was added`,
        );
      // the new policy's traces would be new files: none exists under that name
      assert.ok(!existsSync(golden(name, extra.name)));
      const files = readdirSync(new URL(`${name}/`, DIR)).sort();
      assert.deepEqual(files, BUILTIN_POLICIES.map((p) => `${p.name}.txt`).sort());
    }
  } finally {
    unregisterPluginPolicies();
  }
});
