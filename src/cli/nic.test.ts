/**
 * MR invalidation is not a fence (Jason Gunthorpe,
 * https://lore.kernel.org/r/20190207171736.GD22726@ziepe.ca): what revoke's
 * `escalation=invalidate` achieves depends on the NIC the scenario declares.
 * - `nic invalidate=unfenced` (IB_MR_REREG_PD): an RDMA WRITE issued before
 *   the invalidation lands after the unpin, in a freed block: foreign DMA;
 * - `nic invalidate=fence`: the invalidation aborts what was issued: never;
 * - `nic invalidate=none` (the default, most drivers): the escalation falls
 *   back to SIGKILL, the one teardown every driver supports.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkScenario } from "../engine/check/check.js";
import type { NicInvalidate, ScenarioSpec } from "../model/spec.js";
import { memoryHost } from "./host.js";
import { loadPinFile } from "./pin-file.js";

function bundled(name: string): ScenarioSpec {
  const l = loadPinFile(`scenarios/${name}.pin`, memoryHost());
  assert.ok(l.ok, !l.ok ? l.error : "");
  return l.spec;
}

async function verdicts(spec: ScenarioSpec, nic: NicInvalidate, escalation: string) {
  const r = await checkScenario({
    spec: { ...spec, nic: { invalidate: nic } },
    policy: "revoke",
    params: { escalation },
  });
  assert.equal(r.explore.status, "complete");
  return new Map(r.verdicts.map((v) => [v.name, v]));
}

test("escalation=invalidate on a NIC without a fence: foreign DMA, shortest witness 10 steps", async () => {
  const v = await verdicts(bundled("nic-unfenced"), "unfenced", "invalidate");
  assert.equal(v.get("foreign-dma")!.verdict, "Sometimes");
  // open, mmap, reg_mr, send, truncate (revoke), recv, issue, lease-break-time
  // → invalidate, truncate frees the blocks, the write lands. The timer need
  // not wait for the ignored SIGIO to be handled: no answer is assumed.
  assert.equal(v.get("foreign-dma")!.witness!.length, 10);
  assert.equal(v.get("kill")!.verdict, "Never");
});

test("escalation=invalidate on a fencing NIC: never foreign DMA, and nobody is killed", async () => {
  const v = await verdicts(bundled("nic-unfenced"), "fence", "invalidate");
  assert.equal(v.get("foreign-dma")!.verdict, "Never");
  assert.equal(v.get("foreign-dma")!.proved, true);
  assert.equal(v.get("kill")!.verdict, "Never");
});

test("escalation=invalidate on the default NIC falls back to SIGKILL", async () => {
  const spec = bundled("nic-unfenced");
  const { nic: _drop, ...plain } = spec;
  const r = await checkScenario({
    spec: plain,
    policy: "revoke",
    params: { escalation: "invalidate" },
  });
  const v = new Map(r.verdicts.map((x) => [x.name, x]));
  assert.equal(v.get("kill")!.verdict, "Sometimes");
  assert.equal(v.get("foreign-dma")!.verdict, "Never");
  // The old `faults nic_no_invalidate` spelling means the same NIC.
  const old = await checkScenario({
    spec: { ...spec, faults: { ...spec.faults, nicNoInvalidate: true } },
    policy: "revoke",
    params: { escalation: "invalidate" },
  });
  assert.equal(old.verdicts.find((x) => x.name === "kill")!.verdict, "Sometimes");
});
