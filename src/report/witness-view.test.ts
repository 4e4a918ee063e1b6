/**
 * The sequence diagram's data, from real runs of bundled scenarios: messages
 * paired with where they arrive, each step's changes to the state, and the
 * operation a hang waits on for ever.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { propertiesFor, systemFromArg } from "../engine/adapter/model-system.js";
import { checkScenario } from "../engine/check/check.js";
import { runSchedule } from "../engine/run/exec.js";
import { parseScenario } from "../scenario/pin.js";
import { witnessSteps } from "./witness-view.js";

function load(name: string) {
  const text = readFileSync(new URL(`../../scenarios/${name}.pin`, import.meta.url), "utf8");
  const parsed = parseScenario(text, `scenarios/${name}.pin`);
  assert.ok(parsed.spec, JSON.stringify(parsed.diagnostics));
  return parsed.spec;
}

test("runs of core draw every kind of arrow: rkey sent, RDMA landing, SIGIO to its handler, cancel acknowledged", () => {
  const spec = load("core");
  const props = propertiesFor(spec);
  // Under unsafe the peer gets the rkey and writes; under revoke the truncate makes the holder cancel.
  const runs = ["unsafe", "revoke"].map((policy) => {
    const m = systemFromArg({ spec, policy, params: {} }).model;
    const run = runSchedule(m, { properties: props });
    const steps = witnessSteps(
      m,
      props,
      run.steps.map((s) => s.action),
      false,
    );
    return { policy, steps };
  });
  const all = runs.flatMap(({ steps }) =>
    steps.flatMap((s) => s.arrows.map((a) => ({ ...a, to: s, from: steps[a.from - 1]! }))),
  );
  assert.deepEqual([...new Set(all.map((a) => a.kind))].sort(), [
    "cancel",
    "message",
    "rdma",
    "sigio",
  ]);
  const steps = runs[1]!.steps;
  const arrows = all.filter((a) => runs[1]!.steps.includes(a.to));
  for (const a of all) {
    const from = a.from;
    assert.ok(from.n < a.to.n, `${a.kind}: sent before it arrives`);
    if (a.kind === "sigio") assert.equal(a.fromLane, "kernel");
    else assert.equal(a.fromLane, from.lane);
    if (a.kind === "message") {
      assert.match(from.text, /^send /);
      assert.match(a.to.text, /^recv /);
    }
    if (a.kind === "cancel") {
      assert.match(from.text, /asks .* to cancel/);
      assert.match(a.to.text, /acknowledges the cancel/);
    }
    if (a.kind === "rdma") assert.match(from.text, /issued/);
  }
  // What steps changed, by the scenario's names.
  const reg = steps.find((s) => /reg_mr/.test(s.text))!;
  assert.ok(
    steps.some((s) => s.changes.some((c) => c.kind === "lease")),
    "the lease break shows",
  );
  assert.ok(reg.changes.some((c) => c.kind === "pin" && c.to === "1 long-term pin"));
  assert.ok(reg.changes.some((c) => c.kind === "mr" && c.what === "server.mr" && c.to === "valid"));
  const ack = arrows.find((a) => a.kind === "cancel")!.to;
  assert.ok(
    ack.changes.some((c) => c.kind === "qp" && c.what === "peer cancel" && c.to === "acknowledged"),
  );
  assert.ok(steps.every((s) => s.waits === null));
});

test("a hang's witness marks the operation that never returns", async () => {
  const spec = load("hung-holder");
  const r = await checkScenario({ spec, policy: "wait", params: {} }, { reduce: true });
  const v = r.verdicts.find((x) => x.name === "truncate-hang")!;
  assert.equal(v.verdict, "Sometimes");
  const steps = witnessSteps(r.model, r.properties, v.witness!, true);
  const waits = steps.filter((s) => s.waits);
  assert.equal(waits.length, 1);
  assert.equal(waits[0]!.waits, "admin");
  assert.match(waits[0]!.text, /truncate .* blocks/);
  // Not a liveness witness: nothing is said to wait.
  assert.ok(witnessSteps(r.model, r.properties, v.witness!, false).every((s) => !s.waits));
});
