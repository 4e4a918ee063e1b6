/**
 * Golden files for what people read: the rendered diagnostics of each
 * `golden/*.pin` are compared with `golden/*.txt` exactly. After a deliberate
 * change, refresh them with `PINLAB_UPDATE_GOLDEN=1 node --test dist/` and
 * review the diff.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { renderDiagnostics } from "./diagnostics.js";
import { parseScenario } from "./pin.js";

const DIR = new URL("../../src/scenario/golden/", import.meta.url);
const UPDATE = process.env.PINLAB_UPDATE_GOLDEN === "1";

for (const name of readdirSync(DIR)
  .filter((f) => f.endsWith(".pin"))
  .sort()) {
  test(`golden diagnostics: ${name}`, () => {
    const text = readFileSync(new URL(name, DIR), "utf8");
    const got = renderDiagnostics(parseScenario(text, name).diagnostics, text);
    const golden = new URL(name.replace(/\.pin$/, ".txt"), DIR);
    if (UPDATE) writeFileSync(golden, got);
    assert.ok(existsSync(golden), `${golden.pathname} is missing: run with PINLAB_UPDATE_GOLDEN=1`);
    assert.equal(got, readFileSync(golden, "utf8"));
  });
}
