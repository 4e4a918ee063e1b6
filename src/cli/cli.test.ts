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
