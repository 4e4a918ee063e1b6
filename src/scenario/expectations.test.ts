/**
 * Any number of expectations: each result expectation adds a property to the
 * search, and a scenario with many of them must judge each exactly as a
 * scenario holding only a few of them does, and leave the bundled
 * properties' verdicts alone.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkScenario } from "../engine/check/check.js";
import { parseScenario } from "./pin.js";

const OPS = 32;

/** Two processes with OPS labelled opens each; alice may open the file, bob may not. */
function scenario(expectations: readonly string[]): string {
  const prog = (p: string) =>
    Array.from({ length: OPS }, (_, i) => `  ${p}${i}: f${i} = open data r`).join("\n");
  return [
    'scenario "many results"',
    "fs pagecache blocks=4",
    "user alice",
    "user bob",
    "file data owner=alice mode=0600 pages=1",
    `proc a user=alice {\n${prog("a")}\n}`,
    `proc b user=bob {\n${prog("b")}\n}`,
    ...expectations,
    "",
  ].join("\n");
}

/** 64 result expectations, half of them false (alice gets EACCES, bob gets ok). */
const ALL = Array.from({ length: 2 * OPS }, (_, i) => {
  const p = i % 2 === 0 ? "a" : "b";
  const k = Math.floor(i / 2);
  const result = (k % 3 === 0) === (p === "a") ? "ok" : "EACCES";
  return `expect ${p}.${p}${k} returns ${result}`;
});

async function judge(expectations: readonly string[]) {
  const r = parseScenario(scenario(expectations), "many.pin");
  assert.ok(r.spec, r.diagnostics.map((d) => d.message).join("; "));
  // Each process's opens run in order: a reduced search keeps this small.
  const res = await checkScenario({ spec: r.spec, policy: "linux", params: {} });
  return {
    expectations: new Map(res.expectations.map((e) => [e.text, [e.ok, e.undecided]])),
    bundled: res.verdicts.filter((v) => !v.name.includes(" returns ")).map((v) => v.verdict),
    exit: res.exit,
  };
}

describe("many result expectations", () => {
  it("64 expectations are judged as the same expectations split across files", async () => {
    const whole = await judge(ALL);
    assert.equal(whole.expectations.size, 64);
    const none = await judge([]);
    assert.deepEqual(whole.bundled, none.bundled, "result expectations leave other verdicts alone");
    assert.ok(
      none.bundled.every((v) => v === "Never"),
      "no pins, no DMA: nothing shows",
    );
    for (let i = 0; i < ALL.length; i += 8) {
      const part = await judge(ALL.slice(i, i + 8));
      for (const [text, verdict] of part.expectations)
        assert.deepEqual(whole.expectations.get(text), verdict, text);
    }
    const met = [...whole.expectations.values()].filter(([ok]) => ok).length;
    assert.ok(met > 0 && met < 64, "some expectations hold and some fail");
  });
});
