/**
 * Contract of the retry predicates (proc/program.ts retryPredicate): wherever
 * a blocked call has one, it answers exactly what the speculative retry on a
 * copy answers (step.ts retryChanges), on every state reached breadth first
 * in every bundled scenario under every policy, and on states of fuzzed
 * scenarios (bundled ones with operations dropped and faults added, walked at
 * random).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { simulationModel, simulationSpec } from "../engine/simulate/simulate.js";
import { makePolicy, POLICY_NAMES } from "../policies/index.js";
import { parseScenario } from "../scenario/pin.js";
import { bundledSpecs } from "../testing/baseline.js";
import { modelOf } from "../testing/run.js";
import { compile } from "./compile.js";
import { EBUSY } from "./errno.js";
import { fingerprintHex } from "./fingerprint.js";
import { alive, type Model, P_PC, P_STATUS, PS_BLOCKED, proc, type State } from "./layout.js";
import type { LayoutDecision, Policy, RevokeAction } from "./policy.js";
import { retryPredicate } from "./proc/program.js";
import type { ScenarioSpec } from "./spec.js";
import { enabled, retryChanges, step } from "./step.js";

/** Outcomes seen per call: how many states answered true and false. */
type Tally = Map<string, { yes: number; no: number }>;

/** Holds every blocked process's predicate, where it has one, to the speculative retry in s. */
function agree(m: Model, s: State, tally: Tally): void {
  for (let p = 0; p < m.procs.length; p++) {
    const po = proc(m, p);
    if (!alive(s, m, p) || s[po + P_STATUS] !== PS_BLOCKED) continue;
    const fast = retryPredicate(m, s, p);
    if (fast === undefined) continue;
    const op = m.procs[p]!.prog[s[po + P_PC]!]!.spec.op;
    const slow = retryChanges(m, s, p);
    assert.equal(
      fast,
      slow,
      `${m.spec.name}: ${m.procs[p]!.name}'s blocked ${op}: the predicate says ${fast}, the retry ${slow}`,
    );
    const t = tally.get(op) ?? { yes: 0, no: 0 };
    if (fast) t.yes++;
    else t.no++;
    tally.set(op, t);
  }
}

/** Breadth first from the initial state, at most `limit` distinct states. */
function explore(m: Model, limit: number, tally: Tally): void {
  const seen = new Set<string>([fingerprintHex(m.init)]);
  const queue: State[] = [m.init];
  for (let i = 0; i < queue.length && seen.size < limit; i++) {
    const s = queue[i]!;
    agree(m, s, tally);
    for (const a of enabled(m, s)) {
      const n = step(m, s, a, null);
      const fp = fingerprintHex(n);
      if (seen.has(fp)) continue;
      seen.add(fp);
      queue.push(n);
    }
  }
}

const bundled = bundledSpecs();
/** States explored per scenario and policy. */
const LIMIT = 4000;

test("each retry predicate answers as the retry on a copy, in every bundled scenario", () => {
  const tally: Tally = new Map();
  for (const b of bundled)
    for (const policy of POLICY_NAMES) explore(modelOf(b.spec, policy), LIMIT, tally);
  // The library reaches these predicates both ways: the comparison above is not vacuous.
  console.log(`retry predicates compared: ${JSON.stringify(Object.fromEntries(tally))}`);
  for (const op of ["await", "wait_for", "truncate", "ftruncate", "rereg_mr", "fallocate"]) {
    const t = tally.get(op);
    assert.ok(t && t.yes > 0 && t.no > 0, `${op}: ${JSON.stringify(t)}`);
  }
});

/**
 * A plugin-like policy over `base` whose layout and revoke answers depend on
 * the state (a hash of its words): the predicates must ask the hooks as the
 * retry asks them, not assume a built-in policy's answer.
 */
function moody(base: Policy): Policy {
  const mood = (s: State) => {
    let h = 0;
    for (let i = 0; i < s.length; i++) h = (h * 31 + s[i]!) | 0;
    return (h >>> 0) % 5;
  };
  const decisions: readonly LayoutDecision[] = [
    { do: "wait" },
    { do: "revoke" },
    { do: "proceed" },
    { do: "fail", errno: EBUSY },
    { do: "revoke" },
  ];
  const actions: readonly RevokeAction[] = ["break", "wait", "invalidate", "wait", "break"];
  return {
    ...base,
    layoutChange: (q) => decisions[mood(q.state)]!,
    revokePinner: (q) => actions[mood(q.state)]!,
  };
}

test("each retry predicate answers as the retry on a copy, under a policy that answers by the state", () => {
  const tally: Tally = new Map();
  for (const b of bundled)
    for (const name of ["revoke", "linux", "layout-lease"]) {
      const pol = makePolicy(name, {});
      if (!pol.ok) throw new Error(pol.error);
      const c = compile(b.spec, moody(pol.policy));
      if (c.ok) explore(c.model, LIMIT / 4, tally);
    }
  const t = tally.get("truncate");
  assert.ok(t && t.yes > 0 && t.no > 0, `truncate: ${JSON.stringify(t)}`);
});

/** A server whose endless tail sends faster than its client's tail receives: `send` waits. */
const SENDER = `scenario "a server that sends faster than its client receives"
fs dax blocks=4
user alice
file data owner=alice mode=0644 pages=1
proc server user=alice {
  fd = open data rw
  va = mmap fd pages=0..0 shared rw
  mr = reg_mr va access=local_write,remote_write
  repeat { send client mr }
}
remote client {
  repeat { mr = recv }
}
`;

test("each retry predicate answers as the retry on a copy, in simulate's endless tails", () => {
  // simulate runs repeating tails without a bound: a send may find its peer's ring full.
  const tally: Tally = new Map();
  const sender = parseScenario(SENDER, "sender.pin").spec;
  assert.ok(sender);
  const tails = [
    sender,
    ...bundled.map((b) => b.spec).filter((s) => s.procs.some((p) => p.repeat)),
  ];
  for (const spec of tails)
    for (const policy of POLICY_NAMES) explore(simulationModel(spec, policy, {}), LIMIT, tally);
  const t = tally.get("send");
  assert.ok(t && t.yes > 0 && t.no > 0, `send: ${JSON.stringify(t)}`);
});

const specs = bundled.map((b) => b.spec);

/** A bundled scenario with the operations at `drop` removed and the named faults added. */
function mutate(spec: ScenarioSpec, drop: readonly number[], faults: number): ScenarioSpec {
  let k = 0;
  const procs = spec.procs.map((p) => {
    if (p.repeat) {
      k += p.program.length;
      return p;
    }
    const program = p.program.filter(() => !drop.includes(k++));
    return { ...p, program };
  });
  const names = spec.procs.map((p) => p.name);
  const peers = spec.peers.map((r) => r.name);
  return {
    ...spec,
    procs,
    replicas: spec.replicas,
    faults: {
      ...spec.faults,
      crash: names.filter((_, i) => (faults >> i) & 1),
      hang: names.filter((_, i) => (faults >> (i + 3)) & 1),
      partition: peers.filter((_, i) => (faults >> (i + 6)) & 1),
    },
  };
}

test("each retry predicate answers as the retry on a copy, on fuzzed scenarios", () => {
  const seed = Date.now() ^ 0;
  console.log(`retry predicate fuzz seed: ${seed} (fc.assert(..., { seed }) reproduces a failure)`);
  let compiled = 0;
  const tally: Tally = new Map();
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: specs.length - 1 }),
      fc.constantFrom(...POLICY_NAMES),
      fc.uniqueArray(fc.integer({ min: 0, max: 12 }), { maxLength: 3 }),
      fc.integer({ min: 0, max: 511 }),
      fc.array(fc.nat(), { minLength: 40, maxLength: 120 }),
      fc.boolean(),
      (si, policy, drop, faults, choices, endless) => {
        const pol = makePolicy(policy, {});
        if (!pol.ok) throw new Error(pol.error);
        const spec = mutate(specs[si]!, drop, faults);
        const c = compile(endless ? simulationSpec(spec) : spec, pol.policy);
        if (!c.ok) return;
        compiled++;
        const m = c.model;
        let s = m.init;
        for (const x of choices) {
          agree(m, s, tally);
          const en = enabled(m, s);
          if (en.length === 0) break;
          s = step(m, s, en[x % en.length]!, null);
        }
      },
    ),
    { seed, numRuns: 300 },
  );
  assert.ok(compiled > 100, `only ${compiled} fuzzed scenarios compiled`);
  const compared = [...tally.values()].reduce((n, t) => n + t.yes + t.no, 0);
  assert.ok(compared > 0, "no fuzzed run reached a call with a predicate");
});
