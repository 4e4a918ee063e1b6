/**
 * The checker catches, with positions, everything compile() would reject:
 * whatever parses without errors compiles under every policy.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { compile } from "../model/compile.js";
import { makePolicy, POLICY_NAMES } from "../policies/index.js";
import { parseScenario } from "./pin.js";
import { samples } from "./testing.js";

const policies = POLICY_NAMES.map((n) => {
  const p = makePolicy(n);
  assert.ok(p.ok);
  return p.policy;
});

function compilesEverywhere(text: string): void {
  const { spec } = parseScenario(text, "t.pin");
  if (!spec) return;
  for (const policy of policies) {
    const c = compile(spec, policy);
    assert.ok(c.ok, `${policy.name}: ${c.ok ? "" : JSON.stringify(c.errors)}\n${text}`);
  }
}

test("every sample compiles under every policy", () => {
  for (const s of samples()) compilesEverywhere(s.text);
});

const seed = Date.now() ^ 0;
console.log(`scenario compile seed: ${seed}`);

test("mutated samples that the checker accepts compile under every policy", {
  timeout: 120_000,
}, () => {
  const texts = samples().map((s) => s.text);
  const pieces = [
    " ",
    "\n",
    "0",
    "1",
    "2",
    "9",
    "..",
    "x",
    "rw",
    "}",
    ";",
    "pages=",
    "page=",
    "fd ",
    "va ",
  ];
  fc.assert(
    fc.property(
      fc.nat({ max: texts.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2 }), fc.constantFrom(...pieces)), {
        maxLength: 3,
      }),
      (which, edits) => {
        let t = texts[which]!;
        for (const [at, how, piece] of edits) {
          const i = at % (t.length + 1);
          t =
            how === 0
              ? t.slice(0, i) + t.slice(i + 1)
              : how === 1
                ? t.slice(0, i) + piece + t.slice(i)
                : t.slice(0, i) + piece + t.slice(i + 1);
        }
        compilesEverywhere(t);
      },
    ),
    { seed, numRuns: 400 },
  );
});
