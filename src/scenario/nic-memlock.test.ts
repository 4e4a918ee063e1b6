/** The `nic` statement and a process's `memlock=`: parsed, defaulted, printed back, checked. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatText } from "./format.js";
import { parseScenario } from "./pin.js";
import { formatScenario } from "./print.js";

const TEXT = `scenario "nic"
fs dax blocks=4
user alice
file data owner=alice pages=1
proc p user=alice memlock=16 { fd = open data rw }
nic invalidate=unfenced
`;

test("nic invalidate= and proc memlock= reach the spec and print back", () => {
  const r = parseScenario(TEXT, "t.pin");
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.spec!.nic, { invalidate: "unfenced" });
  assert.equal(r.spec!.procs[0]!.memlock, 16);
  const again = parseScenario(formatScenario(r.spec!), "t.pin");
  assert.deepEqual(again.spec!.nic, r.spec!.nic);
  assert.equal(again.spec!.procs[0]!.memlock, 16);
  assert.equal(formatText(TEXT, "t.pin").diagnostics.length, 0);
});

test("without them: no nic (the default NIC), no memlock (the kernel default)", () => {
  const r = parseScenario(
    TEXT.replace("nic invalidate=unfenced\n", "").replace(" memlock=16", ""),
    "t.pin",
  );
  assert.equal(r.spec!.nic, undefined);
  assert.equal(r.spec!.procs[0]!.memlock, undefined);
});

test("an unknown NIC ability is a diagnostic, and `nic` may appear once", () => {
  const bad = parseScenario(TEXT.replace("unfenced", "sometimes"), "t.pin");
  assert.ok(bad.diagnostics.some((d) => d.severity === "error"));
  assert.equal(bad.spec, undefined);
  const twice = parseScenario(`${TEXT}nic invalidate=fence\n`, "t.pin");
  assert.ok(twice.diagnostics.some((d) => d.code === "PIN112"));
});
