/**
 * Golden files for the traces people read: `pinlab run <scenario> --policy all`
 * for every bundled scenario, compared exactly with golden/run/<scenario>.txt.
 * After a deliberate change: `npm run golden`, then review the diff.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { memoryHost } from "../cli/host.js";
import { main } from "../cli/main.js";
import { bundledPins } from "../cli/scenarios.js";

const DIR = new URL("../../src/report/golden/run/", import.meta.url);
const UPDATE = process.env.PINLAB_UPDATE_GOLDEN === "1";

for (const name of bundledPins()) {
  test(`golden run trace: ${name}`, async () => {
    const h = memoryHost();
    await main(["run", name, "--policy", "all"], h);
    assert.equal(h.stderr, "");
    const golden = new URL(`${name}.txt`, DIR);
    if (UPDATE) writeFileSync(golden, h.stdout);
    assert.ok(existsSync(golden), `${golden.pathname} is missing: run npm run golden`);
    assert.equal(h.stdout, readFileSync(golden, "utf8"));
  });
}
