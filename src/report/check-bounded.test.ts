/** check says what of a scenario it bounded: replica groups cut to fewer copies, repeating tails. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkScenario } from "../engine/check/check.js";
import { parseScenario } from "../scenario/pin.js";
import { renderCheck } from "./check.js";
import { checkJson } from "./check-json.js";

const origin = { kind: "bundled" as const, name: "fleet", hash: "0".repeat(16) };

const TEXT = `scenario "fleet"
fs pagecache blocks=4
user alice
file data owner=alice pages=1
replicate 100 {
  proc server user=alice on_lease_break=cancel {
    fd = open data r
    va = mmap fd pages=0..0 shared r
    mr = reg_mr va access=remote_read
    send client mr
  }
  remote client {
    mr = recv
    repeat every 100us { rdma_read mr page=0 }
  }
}
proc admin user=alice { repeat every 1h { truncate data pages=0 } }
expect never foreign-dma
`;

test("check says in text and JSON that it explored 2 of 100 copies and ran each tail twice", async () => {
  const spec = parseScenario(TEXT, "fleet.pin").spec;
  assert.ok(spec);
  const r = await checkScenario({ spec, policy: "wait", params: {} });
  assert.equal(r.explore.status, "complete");
  assert.deepEqual(r.bounded?.replicas, [{ members: ["server", "client"], count: 100, copies: 2 }]);
  assert.equal(r.bounded?.repeats, 2);
  assert.deepEqual(r.bounded?.repeating, ["admin", "client#1", "client#2"]);
  const text = renderCheck(r, origin, { width: 200 });
  assert.match(
    text,
    /bounded: replicate 100 \(server, client\) explored as 2 copies; repeating tails run 2 times \(admin, client#1, client#2\)/,
  );
  assert.deepEqual(checkJson(r, origin).bounded, r.bounded);
  // Each client's tail really ran twice in the explored states: two reads per client.
  assert.ok(r.coverage && r.coverage.unreached.length === 0);
  assert.ok(r.expectations.every((e) => e.ok));
});

test("a scenario without groups or tails says nothing of bounds", async () => {
  const spec = parseScenario(
    TEXT.replace(/replicate 100 \{|^\}$/gm, "").replace(/repeat every [^{]*\{ ([^}]*) \}/g, "$1"),
    "plain.pin",
  ).spec;
  assert.ok(spec);
  const r = await checkScenario({ spec, policy: "wait", params: {} });
  assert.equal(r.bounded, null);
  assert.doesNotMatch(renderCheck(r, origin), /bounded:/);
});
