/** `pinlab simulate` as a user meets it: the table, the JSON document, bad input, Ctrl-C. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { interruptWhen } from "../testing/interrupt.js";
import { memoryHost } from "./host.js";
import { main } from "./main.js";

async function pinlab(...argv: string[]) {
  const h = memoryHost();
  const code = await main(argv, h);
  return { code, out: h.stdout, err: h.stderr };
}

test("simulate prints a table per policy with intervals, and a replayable violation", async () => {
  const r = await pinlab(
    "simulate",
    "hung-holder",
    "--policy",
    "revoke,deferred-free",
    "--seeds",
    "60",
    "--workers",
    "1",
  );
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^revoke \(escalation=sigkill lease-break-time=45\): 60 seeds/m);
  assert.match(r.out, /^deferred-free: 60 seeds/m);
  assert.match(r.out, /kills per hour\s+\d/);
  assert.match(r.out, /note: faults without a timing entry never strike/);
  const token = /lost-write: seed \d+ at .*: pinlab replay (pl2\.\S+)/.exec(r.out)?.[1];
  assert.ok(token, "deferred-free loses a write in some seed");
  const replay = await pinlab("replay", token);
  assert.match(replay.out, /lost-write\s+✗ Sometimes/);
});

test("simulate --json is the versioned document; --seed picks the seeds", async () => {
  const r = await pinlab(
    "simulate",
    "no-cancel",
    "--policy",
    "revoke",
    "--seeds",
    "5",
    "--seed",
    "40",
    "--horizon",
    "10min",
    "--json",
  );
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.equal(doc.schema, "pinlab.simulate/1");
  assert.equal(doc.firstSeed, 40);
  assert.equal(doc.seeds, 5);
  assert.equal(doc.horizon, 600);
  assert.equal(doc.policies[0].policy, "revoke");
  assert.equal(doc.policies[0].killsPerHour.n, 5);
});

test("simulate refuses bad input with exit 2 and a message", async () => {
  for (const [argv, msg] of [
    [["simulate"], /exactly one scenario/],
    [["simulate", "core", "--seeds", "0"], /--seeds expects a whole number/],
    [["simulate", "core", "--horizon", "soon"], /--horizon expects a positive duration/],
    [["simulate", "core", "--policy", "nope"], /nope/],
    [
      ["simulate", "core", "--param", "lease-break-time=x", "--policy", "revoke"],
      /lease-break-time/,
    ],
    [["simulate", "nowhere.pin"], /nowhere\.pin/],
  ] as const) {
    const r = await pinlab(...argv);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.err}`);
    assert.match(r.err, msg);
    assert.doesNotMatch(r.err, /at .*\.js:\d+/);
  }
});

test("Ctrl-C stops a long simulation: the finished runs are printed, exit 3", async () => {
  const { code, out, err } = await interruptWhen(
    ["simulate", "core", "--policy", "linux", "--seeds", "100000", "--workers", "2", "--progress"],
    /\] \d+\/100000 runs/,
  );
  assert.equal(code, 3, `exit status (stderr: ${err.slice(-300)})`);
  assert.match(out, /^linux \(kernel=[\d.]+\): \d+ seeds/m);
  assert.match(out, /note: interrupted: 1 of 1 policies simulated, \d+ of 100000 seeds each/);
  assert.match(err, /pinlab simulate: interrupted/);
});
