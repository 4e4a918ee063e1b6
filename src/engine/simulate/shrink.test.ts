/**
 * Shrinking a simulated violation into evidence: a long random schedule of
 * the core conflict under `unsafe`, padded with a bystander's irrelevant
 * reads, shrinks to a witness about as short as check's shortest; its token
 * replays through the command line, `run --token` reproduces it, and check
 * finds the same property Sometimes.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { memoryHost } from "../../cli/host.js";
import { main } from "../../cli/main.js";
import { compile } from "../../model/compile.js";
import { makePolicy } from "../../policies/index.js";
import { parseScenario } from "../../scenario/pin.js";
import { sourceHash } from "../../scenario/source-hash.js";
import { FILL_A, jugsSystem } from "../../testing/systems/jugs.js";
import { propertiesFor, systemFromArg } from "../adapter/model-system.js";
import { decodeToken } from "../explore/token.js";
import { runSchedule } from "../run/exec.js";
import { prng } from "../run/random.js";
import { firstShown, shrinkerFor, shrinkSchedule, shrinkViolation } from "./shrink.js";

const FILE = "/bystander.pin";
const NOISE = 40;

/** scenarios/core.pin with a fifth block and a bystander who reads its own file NOISE times. */
function scenarioText(): string {
  const core = readFileSync(new URL("../../../scenarios/core.pin", import.meta.url), "utf8");
  const reads = Array.from({ length: NOISE }, () => "  read f page=0").join("\n");
  return `${core
    .replace(/^expect .*$/gm, "")
    .replace("fs dax blocks=4", "fs dax blocks=5")
    .replace(
      /^file data .*$/m,
      (l) => `${l}\nfile junk owner=bob pages=1`,
    )}\nproc bystander user=bob {\n  f = open junk r\n${reads}\n}\n\nexpect sometimes foreign-dma under unsafe\n`;
}

function setup() {
  const text = scenarioText();
  const { spec, diagnostics } = parseScenario(text, FILE);
  assert.ok(spec, diagnostics.map((d) => d.message).join("\n"));
  const arg = { spec, policy: "unsafe", params: {} };
  return { text, spec, arg, sys: systemFromArg(arg) };
}

/** A random schedule that shows foreign-dma somewhere, and its seed. */
function longViolation(spec: ReturnType<typeof setup>["spec"]) {
  const p = makePolicy("unsafe", {});
  assert.ok(p.ok);
  const c = compile(spec, p.policy);
  assert.ok(c.ok);
  for (let seed = 1; seed < 500; seed++) {
    const run = runSchedule(c.model, { seed, faultWeight: 0, properties: propertiesFor(spec) });
    if (run.occurrences.has("foreign-dma"))
      return { seed, actions: run.steps.map((s) => s.action) };
  }
  return assert.fail("no random schedule of 500 showed foreign-dma");
}

test("ddmin shrinks a long violating schedule of core under unsafe to a short witness", () => {
  const { spec, sys } = setup();
  const { seed, actions } = longViolation(spec);
  const pi = sys.properties.indexOf("foreign-dma");
  assert.ok(actions.length > NOISE, `seed ${seed}: a long schedule (${actions.length} steps)`);
  const r = shrinkSchedule(sys, actions, "foreign-dma");
  assert.equal(r.exhausted, false, `seed ${seed}`);
  assert.equal(firstShown(sys, r.actions, pi), r.actions.length, `seed ${seed}: shows at its end`);
  // none of the bystander's steps is needed
  const who = r.actions.map((a) => sys.describe(a));
  assert.ok(!who.some((d) => d.includes("bystander")), `seed ${seed}: ${who.join(", ")}`);
  // 1-minimal: no single action can go
  for (let i = 0; i < r.actions.length; i++)
    assert.equal(
      firstShown(sys, [...r.actions.slice(0, i), ...r.actions.slice(i + 1)], pi),
      -1,
      `seed ${seed}: step ${i + 1} could go`,
    );
  assert.ok(r.actions.length <= 12, `seed ${seed}: ${r.actions.length} steps`);
});

test("a shrunk violation's token replays, run --token reproduces it, and check finds it Sometimes", async () => {
  const { text, spec, arg } = setup();
  const { seed, actions } = longViolation(spec);
  const origin = { kind: "text" as const, text, hash: sourceHash(text) };
  const s = shrinkViolation({ arg, origin, property: "foreign-dma", actions });
  assert.ok(s.ok, s.ok ? "" : s.error);
  const t = decodeToken(s.token);
  assert.ok(!("error" in t));
  assert.deepEqual(t.actions, s.actions);

  const replay = memoryHost();
  assert.equal(await main(["replay", s.token], replay), 0, `seed ${seed}: ${replay.stderr}`);
  assert.match(replay.stdout, /^verdict {3}foreign-dma {2}.*Sometimes/m);
  assert.match(replay.stdout, new RegExp(`replayed from a token \\(${s.actions.length} steps\\)`));

  const run = memoryHost();
  assert.equal(await main(["run", "--token", s.token, "--json"], run), 0, run.stderr);
  const ran = JSON.parse(run.stdout) as {
    steps: unknown[];
    properties: { name: string; step: number | null }[];
  };
  assert.equal(ran.steps.length, s.actions.length);
  const fdma = ran.properties.find((p) => p.name === "foreign-dma");
  assert.equal(fdma?.step, s.actions.length, "run --token shows the violation at its last step");
  const twice = memoryHost();
  assert.equal(await main(["run", "--token", s.token, "--policy", "unsafe"], twice), 2);
  assert.match(twice.stderr, /--policy does not go with --token/);
  const broken = memoryHost();
  assert.equal(await main(["run", "--token", `${s.token.slice(0, -3)}AAA`], broken), 2);
  assert.match(broken.stderr, /not a valid replay token/);

  const check = memoryHost({ [FILE]: text });
  const status = await main(
    ["check", FILE, "--policy", "unsafe", "--json", "--workers", "1"],
    check,
  );
  assert.equal(status, 0, check.stderr);
  const doc = JSON.parse(check.stdout) as {
    properties: { name: string; verdict: string; witnessLength: number | null }[];
  };
  const v = doc.properties.find((p) => p.name === "foreign-dma")!;
  assert.equal(v.verdict, "Sometimes");
  // as short as check's shortest witness, give or take what 1-minimality allows
  assert.ok(s.actions.length <= v.witnessLength! + 3, `${s.actions.length} vs ${v.witnessLength}`);
});

test("the simulator's hook: a found violation becomes a short witness with its token", () => {
  const { text, spec } = setup();
  const { seed, actions } = longViolation(spec);
  const origin = { kind: "text" as const, text, hash: sourceHash(text) };
  const hook = shrinkerFor(spec, origin);
  const w = hook({ property: "foreign-dma", policy: "unsafe", params: {}, schedule: actions });
  assert.ok(w, `seed ${seed}`);
  assert.equal(w.steps, w.actions.length);
  assert.ok(w.steps <= 12 && w.steps < actions.length);
  const t = decodeToken(w.token);
  assert.ok(!("error" in t) && t.claim.what === "foreign-dma" && t.policy === "unsafe");
  // a property the schedule does not show: no witness
  assert.equal(
    hook({ property: "kernel-bug", policy: "unsafe", params: {}, schedule: actions }),
    null,
  );
});

test("a schedule that is no run of the system is refused with a reason, not shrunk", () => {
  const { text, arg, sys } = setup();
  const origin = { kind: "text" as const, text, hash: sourceHash(text) };
  const bogus = [sys.enabled(sys.init)[0]!, sys.enabled(sys.init)[0]!, 99999];
  const s = shrinkViolation({ arg, origin, property: "foreign-dma", actions: bogus });
  assert.equal(s.ok, false);
  assert.match(s.ok ? "" : s.error, /no run of the scenario/);
});

/** A random walk of the jugs that keeps off the goal for `avoid` steps, then walks on until it reaches it. */
function jugWalk(seed: number, avoid: number): number[] {
  const sys = jugsSystem();
  const rand = prng(seed);
  const out: number[] = [];
  let s = sys.init;
  for (;;) {
    const en = sys.enabled(s);
    const ok =
      out.length < avoid ? en.filter((a) => sys.judge(s, a, sys.step(s, a, null), []) === 0n) : en;
    const a = ok[Math.floor(rand() * ok.length)]!;
    out.push(a);
    const next = sys.step(s, a, null);
    if (sys.judge(s, a, next, []) !== 0n) return out;
    s = next;
  }
}

test("a kill that rests on a timing the scenario's assumption rules out is refused, with the reason", () => {
  // slow-holder.pin: without the assumption, revoke's timer may beat the holder's cancel and kill it
  const plain = readFileSync(
    new URL("../../../scenarios/slow-holder.pin", import.meta.url),
    "utf8",
  );
  const text = `${plain.replace(/^expect .*$/gm, "")}\nassume holders answer within lease_break_time\n`;
  const { spec, diagnostics } = parseScenario(text, "/assumed.pin");
  assert.ok(spec, diagnostics.map((d) => d.message).join("\n"));
  assert.ok((spec.assumptions ?? []).length > 0);
  const free = { ...spec, assumptions: [] };
  const p = makePolicy("revoke", {});
  assert.ok(p.ok);
  const c = compile(free, p.policy);
  assert.ok(c.ok);
  let actions: number[] | null = null;
  let seed = 1;
  for (; seed < 2000 && !actions; seed++) {
    const run = runSchedule(c.model, { seed, faultWeight: 0, properties: propertiesFor(free) });
    if (run.occurrences.has("kill")) actions = run.steps.map((st) => st.action);
  }
  assert.ok(actions, "some random run without the assumption kills the slow holder");
  const origin = { kind: "text" as const, text, hash: sourceHash(text) };
  const stated = shrinkViolation({
    arg: { spec, policy: "revoke", params: {} },
    origin,
    property: "kill",
    actions,
  });
  assert.equal(stated.ok, false, `seed ${seed}`);
  assert.match(stated.ok ? "" : stated.error, /assumptions rule out/);
  // without the assumption it is a witness like any other
  const dropped = shrinkViolation({
    arg: { spec: free, policy: "revoke", params: {} },
    origin,
    property: "kill",
    actions,
  });
  assert.ok(dropped.ok && dropped.actions.length <= actions.length, `seed ${seed}`);
});

test("shrinking works on any system: a long walk of the jugs to 4 litres becomes a 1-minimal one", () => {
  const sys = jugsSystem();
  for (const seed of [1, 2, 3]) {
    const walk = jugWalk(seed, 300);
    const r = shrinkSchedule(sys, walk, "goal");
    assert.ok(walk.length > 300);
    assert.equal(firstShown(sys, r.actions, 0), r.actions.length, `seed ${seed}`);
    for (let i = 0; i < r.actions.length; i++)
      assert.equal(firstShown(sys, [...r.actions.slice(0, i), ...r.actions.slice(i + 1)], 0), -1);
    // the shortest is 6 steps (fill B, pour, empty A, pour, fill B, pour); 1-minimal is not shortest
    assert.ok(r.actions.length >= 6 && r.actions.length <= 16, `seed ${seed}: ${r.actions.length}`);
  }
});

test("a budget bounds the work: the schedule returned still shows the property", () => {
  const sys = jugsSystem();
  const walk = jugWalk(7, 300);
  const r = shrinkSchedule(sys, walk, "goal", { budget: 2000 });
  assert.equal(r.exhausted, true);
  assert.ok(r.replayed <= 2000 + walk.length);
  assert.equal(firstShown(sys, r.actions, 0), r.actions.length);
  assert.throws(() => shrinkSchedule(sys, [FILL_A], "goal"), /does not show goal/);
});
