/** docs/scenario-format.md stays true: its examples parse, and it lists every code and operation. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { CODES } from "./codes.js";
import { formatText } from "./format.js";
import { parseScenario } from "./pin.js";
import { DECLS, PEER_OPS, PROC_OPS } from "./schema.js";

const DOC = readFileSync(new URL("../../docs/scenario-format.md", import.meta.url), "utf8");
const blocks = [...DOC.matchAll(/```\n(scenario [\s\S]*?)```/g)].map((m) => m[1]!);

test("every example in the format documentation parses without errors", () => {
  assert.ok(blocks.length >= 4);
  for (const text of blocks) {
    const r = parseScenario(text, "doc.pin");
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === "error"),
      [],
      text,
    );
    assert.equal(formatText(text, "doc.pin").diagnostics.length, 0);
  }
});

test("the documentation lists every diagnostic code, statement and operation", () => {
  for (const code of Object.keys(CODES)) assert.match(DOC, new RegExp(`\\| ${code} \\|`), code);
  for (const sig of [...DECLS.values(), ...PROC_OPS.values(), ...PEER_OPS.values()])
    assert.ok(DOC.includes(sig.synopsis.replace(/\|/g, "\\|")), sig.synopsis);
});
