/**
 * The timed engine: its statistics agree with what probability says, its
 * results do not depend on the number of workers, and the semantics of the
 * schedule (keep, cancel, resample) hold.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Distribution, ScenarioSpec, TimingEntry } from "../../model/spec.js";
import { parseScenario } from "../../scenario/index.js";
import { prng } from "../run/random.js";
import { meanOf, sample } from "./distribution.js";
import { simModel, simulateSeed } from "./sim.js";
import { simulateScenario, simulationModel } from "./simulate.js";
import { interval, tQuantile975 } from "./stats.js";
import { timingTable } from "./timing.js";

/** A holder that cancels (no peer to wait for) and a truncate of its pinned file, a second later. */
const SLOW_HOLDER = `scenario "a cooperative but slow holder against a truncate"
fs dax blocks=4
user alice
file data owner=alice mode=0644 pages=2
proc server user=alice on_lease_break=cancel {
  fd = open data rw
  va = mmap fd pages=0..1 shared rw
  mr = reg_mr va access=local_write,remote_write
}
proc admin user=alice { truncate data pages=0 }
`;

function spec(text: string, timing: readonly TimingEntry[]): ScenarioSpec {
  const r = parseScenario(text, "test.pin");
  assert.ok(r.spec, r.diagnostics.map((d) => d.message).join("; "));
  return { ...r.spec, timing };
}

const fixed = (value: number): Distribution => ({ kind: "fixed", value });

test("the fraction of lease breaks that end in a kill is exp(-T/m) for an exponential handler of mean m (statistical)", async () => {
  const first = Number(process.env.PINLAB_TEST_SEED ?? 1);
  const m = 1;
  const T = 1.5;
  const s = spec(SLOW_HOLDER, [
    { key: "pace", target: "server", dist: fixed(0.001) },
    { key: "pace", target: "admin", dist: fixed(1) },
    { key: "sigio", dist: fixed(0) },
    { key: "handler", dist: { kind: "exponential", mean: m } },
    { key: "lease_break_time", dist: fixed(T) },
  ]);
  const seeds = 800;
  console.log(`exp(-T/m) test: seeds ${first}..${first + seeds - 1} (PINLAB_TEST_SEED=${first})`);
  const r = await simulateScenario(s, {
    policies: [{ name: "revoke", params: {} }],
    seeds,
    firstSeed: first,
  });
  const p = r.policies[0]!;
  const want = Math.exp(-T / m);
  const f = p.breaksEndingInKill;
  assert.equal(f.n, seeds, "every run has one lease break, and it ends");
  assert.ok(
    f.lo <= want && want <= f.hi,
    `fraction ${f.mean.toFixed(3)} [${f.lo.toFixed(3)}, ${f.hi.toFixed(3)}] vs exp(-T/m) = ${want.toFixed(3)} (first seed ${first})`,
  );
  // The kills are SIGKILL escalations under revoke: one per break that timed out.
  assert.ok(Math.abs(p.killsPerHour.mean - f.mean) < 1e-9);
});

test("same seeds, same result with one worker, two workers and in this thread", async () => {
  const s = spec(SLOW_HOLDER, [
    { key: "handler", dist: { kind: "lognormal", median: 40, sigma: 1 } },
  ]);
  const run = (workers: number) =>
    simulateScenario(s, {
      policies: [
        { name: "revoke", params: {} },
        { name: "wait", params: {} },
      ],
      seeds: 24,
      firstSeed: 7,
      horizon: 600,
      workers,
    });
  const [here, one, two] = [await run(0), await run(1), await run(2)];
  assert.deepEqual(one, here);
  assert.deepEqual(two, one);
  assert.ok(two.policies[0]!.events > 0);
  assert.ok(two.policies[0]!.leaseBreaks.mean > 0, "the scenario exercises lease breaks");
});

test("a lease-break timer that has started keeps its time; a truncate that waits is measured from its call", () => {
  // The handler never finishes before lease-break-time: every break ends in the kill at exactly T.
  const s = spec(SLOW_HOLDER, [
    { key: "pace", target: "server", dist: fixed(0.001) },
    { key: "pace", target: "admin", dist: fixed(1) },
    { key: "op", target: "admin", op: "truncate", dist: fixed(0.25) },
    { key: "sigio", dist: fixed(0) },
    { key: "handler", dist: fixed(100) },
    { key: "lease_break_time", dist: fixed(7) },
  ]);
  const sm = simModel(simulationModel(s, "revoke", {}));
  const r = simulateSeed(sm, 3, { horizon: 3600 });
  assert.equal(r.leaseBreaks, 1);
  assert.equal(r.breaksKilled, 1);
  assert.equal(r.kills, 1);
  assert.equal(r.truncate.count, 1);
  // call at 1 s, its own cost 0.25 s, then blocked until the kill at 1.25 + 7 s.
  assert.ok(Math.abs(r.truncate.max - 7.25) < 0.1, `latency ${r.truncate.max}`);
  assert.equal(r.truncate.stalls, 1);
});

test("a timing entry with a target wins over one without; the policy's lease-break-time is the default", () => {
  const s = spec(SLOW_HOLDER, [
    { key: "pace", dist: fixed(2) },
    { key: "pace", target: "admin", dist: fixed(3) },
  ]);
  const t = timingTable(simulationModel(s, "revoke", { "lease-break-time": "5" }));
  assert.deepEqual(t.procPace, [fixed(2), fixed(3)]);
  assert.deepEqual(t.leaseBreak, [fixed(5), fixed(5)]);
  const d = timingTable(simulationModel(s, "revoke", {}));
  assert.deepEqual(d.leaseBreak[0], fixed(45));
});

test("a scenario's lease_break_time that replaces the policy's lease-break-time is said, since the policy's heading prints the parameter", () => {
  const said = (timing: readonly TimingEntry[], policy: string, params: Record<string, string>) =>
    timingTable(simulationModel(spec(SLOW_HOLDER, timing), policy, params)).notes.filter((n) =>
      n.startsWith("lease-break-time:"),
    );
  const five = [{ key: "lease_break_time" as const, dist: fixed(5) }];
  assert.match(
    said(five, "revoke", {})[0] ?? "",
    /sets the timer; the policy's lease-break-time=45 does not apply/,
  );
  assert.match(
    said([{ ...five[0]!, target: "server" }], "revoke", { "lease-break-time": "10" })[0] ?? "",
    /sets the timer for server; the policy's lease-break-time=10/,
  );
  // The same value, no timing entry, or a policy without the parameter: nothing to say.
  assert.deepEqual(said([{ key: "lease_break_time", dist: fixed(45) }], "revoke", {}), []);
  assert.deepEqual(said([], "revoke", {}), []);
  assert.deepEqual(said(five, "linux", {}), []);
});

test("a fault without a timing entry never strikes, and the result says so", async () => {
  const text = SLOW_HOLDER.replace("proc admin", "faults crash=server\nproc admin");
  const quiet = await simulateScenario(spec(text, []), {
    policies: [{ name: "linux", params: {} }],
    seeds: 5,
  });
  assert.ok(
    quiet.notes.some((n) => /never strike.*server may crash/.test(n)),
    quiet.notes.join("\n"),
  );
  const timed = await simulateScenario(spec(text, [{ key: "crash", dist: fixed(0.0001) }]), {
    policies: [{ name: "linux", params: {} }],
    seeds: 5,
  });
  assert.ok(!timed.notes.some((n) => /never strike/.test(n)));
});

test("each distribution samples with its mean", () => {
  const dists: Distribution[] = [
    fixed(2),
    { kind: "uniform", min: 1, max: 3 },
    { kind: "exponential", mean: 2 },
    { kind: "lognormal", median: 1, sigma: 0.5 },
    {
      kind: "empirical",
      points: [
        { p: 0, value: 0 },
        { p: 0.5, value: 1 },
        { p: 1, value: 4 },
      ],
    },
  ];
  for (const d of dists) {
    const rand = prng(11);
    const xs = Array.from({ length: 20000 }, () => sample(d, rand));
    const ci = interval(xs);
    const want = meanOf(d);
    // Four standard errors: a wrong sampler is far outside, a right one practically never.
    const se = (ci.hi - ci.mean) / tQuantile975(xs.length - 1);
    assert.ok(Math.abs(ci.mean - want) <= 4 * se + 1e-12, `${d.kind}: ${ci.mean} vs ${want}`);
    assert.ok(xs.every((x) => x >= 0));
  }
});

test("Student's t: the table's end meets the expansion", () => {
  assert.equal(tQuantile975(1), 12.706);
  assert.ok(Math.abs(tQuantile975(31) - 2.04) < 0.002);
  assert.ok(Math.abs(tQuantile975(1000) - 1.962) < 0.001);
});

test("a repeating tail runs without end, each iteration `every` after the previous one began", () => {
  const text = `scenario "a truncate every ten minutes"
fs dax blocks=4
user alice
file data owner=alice mode=0644 pages=2
proc admin user=alice {
  repeat every 10min { truncate data pages=0 }
}
timing pace proc=admin 1s
`;
  const r = parseScenario(text, "test.pin");
  assert.ok(r.spec, r.diagnostics.map((d) => d.message).join("; "));
  const sm = simModel(simulationModel(r.spec, "linux", {}));
  const run = simulateSeed(sm, 1, { horizon: 3600 });
  // Iterations begin at 0, 600, ..., 3000 s; each truncate a second (its pace) after.
  assert.equal(run.truncate.count, 6);
  assert.equal(run.truncate.unfinished, 0);
});
