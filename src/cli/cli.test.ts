/** The command line as a user meets it: exit statuses, messages, no stack traces. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { POLICY_NAMES } from "../policies/index.js";
import { DESIGN_POLICIES } from "../testing/run.js";
import { memoryHost } from "./host.js";
import { main } from "./main.js";

async function pinlab(...argv: string[]) {
  const h = memoryHost();
  const code = await main(argv, h);
  return { code, out: h.stdout, err: h.stderr };
}

test("run core under unsafe prints the trace, marks the foreign DMA and exits 0 (its expectation holds)", async () => {
  const r = await pinlab("run", "core", "--policy", "unsafe");
  assert.equal(r.code, 0);
  assert.match(r.out, /RDMA WRITE lands in block 0 \(foreign: other\)\s+✗ foreign-dma violated/);
  assert.match(r.out, /foreign-dma\s+✗ VIOLATED at step \d+/);
  assert.match(r.out, /result\s+every expectation met/);
});

test("--policy all --json gives one versioned result per policy", async () => {
  const j = await pinlab("run", "core", "--policy", "all", "--json");
  const runs = JSON.parse(j.out) as { policy: string; ok: boolean; schema: string }[];
  assert.deepEqual(
    runs.map((x) => x.policy),
    [...POLICY_NAMES],
  );
  assert.ok(runs.every((x) => x.schema === "pinlab.run/2" && x.ok));
});

test("bad input exits 2 with a clear message and no stack trace", async () => {
  for (const argv of [
    ["run", "core", "--policy", "nope"],
    ["run", "coer", "--policy", "linux"],
    ["run", "core"],
    ["run", "core", "--policy", "revoke", "--param", "escalation=maybe"],
    ["run", "core", "--policy", "linux", "--seed", "x"],
    ["run", "core", "--policy", "linux", "--frobnicate"],
    ["frob"],
  ]) {
    const r = await pinlab(...argv);
    assert.equal(r.code, 2, argv.join(" "));
    assert.ok(r.err.length > 0 && !/\n\s+at /.test(r.err), `${argv.join(" ")}: ${r.err}`);
  }
  assert.match((await pinlab("run", "coer", "--policy", "linux")).err, /did you mean 'core'/);
});

test("--seed gives the same trace twice; policies and help list everything", async () => {
  const a = await pinlab("run", "core", "--policy", "revoke", "--seed", "7");
  const b = await pinlab("run", "core", "--policy", "revoke", "--seed", "7");
  assert.equal(a.out, b.out);
  const p = await pinlab("policies");
  for (const name of DESIGN_POLICIES) assert.match(p.out, new RegExp(`^${name} `, "m"));
  const h = await pinlab("--help");
  assert.match(h.out, /run\s+run one deterministic schedule/);
});

test("--policy takes a parameterised policy, and its scenario expectations are judged under it", async () => {
  const inv = await pinlab("check", "nic-unfenced", "--policy", "revoke(escalation=invalidate)");
  assert.equal(inv.code, 0, inv.err);
  assert.match(inv.out, /policy\s+revoke \(escalation=invalidate, lease-break-time=45\)/);
  assert.match(inv.out, /ok\s+sometimes foreign-dma under revoke\(escalation=invalidate\)/);
  assert.doesNotMatch(inv.out, /under revoke\(escalation=sigkill\)/);
  // The same instance through --param judges the same expectations.
  const par = await pinlab(
    "check",
    "nic-unfenced",
    "--policy",
    "revoke",
    "--param",
    "escalation=invalidate",
  );
  assert.equal(par.out, inv.out);
  const dflt = await pinlab("check", "nic-unfenced", "--policy", "revoke");
  assert.equal(dflt.code, 0, dflt.err);
  assert.match(dflt.out, /ok\s+never foreign-dma under revoke\(escalation=sigkill\)/);
  assert.doesNotMatch(dflt.out, /under revoke\(escalation=invalidate\)/);
  for (const argv of [
    ["check", "core", "--policy", "revoke(escalation=maybe)"],
    ["check", "core", "--policy", "revoke(escalation"],
    ["compare", "--policy", "revoke,revoke(escalation=sigkill)"],
  ]) {
    const r = await pinlab(...argv);
    assert.equal(r.code, 2, argv.join(" "));
    assert.ok(r.err.length > 0 && !/\n\s+at /.test(r.err), `${argv.join(" ")}: ${r.err}`);
  }
  const p = await pinlab("policies");
  assert.match(p.out, /lease-break-time expires: SIGKILL the holder/);
});

test("compare gives each instance of a policy its own row, and each row judges its own expectations", async () => {
  const r = await pinlab(
    "compare",
    "nic-unfenced",
    "--policy",
    "revoke,revoke(escalation=invalidate)",
    "--json",
  );
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out) as {
    policies: { name: string }[];
    cells: {
      policy: string;
      params: Record<string, string>;
      expectations: { text: string; ok: boolean }[];
    }[];
  };
  assert.deepEqual(
    doc.policies.map((p) => p.name),
    ["revoke", "revoke(escalation=invalidate)"],
  );
  const inv = doc.cells.find((c) => c.policy === "revoke(escalation=invalidate)")!;
  assert.equal(inv.params.escalation, "invalidate");
  assert.deepEqual(
    inv.expectations.map((e) => [e.text, e.ok]),
    [
      ["sometimes foreign-dma under revoke(escalation=invalidate)", true],
      ["never kill under revoke(escalation=invalidate)", true],
    ],
  );
  const dflt = doc.cells.find((c) => c.policy === "revoke")!;
  assert.ok(dflt.expectations.every((e) => e.text.includes("revoke(escalation=sigkill)") && e.ok));
  // Only compare takes several instances of one policy.
  const run = await pinlab("run", "core", "--policy", "revoke,revoke(escalation=invalidate)");
  assert.equal(run.code, 2);
  assert.match(run.err, /selected twice/);
});
