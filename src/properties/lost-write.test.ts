/**
 * lost-write reads durability (FF_DMA_CLEAN): a device write into a page that
 * writeback already cleaned leaves the page clean (no ->page_mkwrite), so an
 * fsync that returns 0 does not write it (John Hubbard,
 * https://lore.kernel.org/r/20190204052135.25784-1-jhubbard@nvidia.com).
 * A write into a MAP_PRIVATE mapping's private copy is never a lost write.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkScenario } from "../engine/check/check.js";
import type { ScenarioSpec } from "../model/spec.js";
import { scenario } from "../scenario/builder.js";

function writer(o: { fsync: boolean; shared: boolean }): ScenarioSpec {
  return scenario("durability")
    .fs("pagecache", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("w", "alice", (p) => {
      p.open("fd", "data", "rw")
        .mmap("va", "fd", 0, 0, { shared: o.shared })
        .store("va", 0)
        .regMr("mr", "va", ["local_write", "remote_write"])
        .send("peer", "mr")
        .await("peer");
      if (o.fsync) p.fsync("fd");
      return p;
    })
    .peer("peer", (r) => r.recv("mr").rdmaWrite("mr", 0))
    .build();
}

async function lostWrite(spec: ScenarioSpec, policy: string) {
  const r = await checkScenario({ spec, policy, params: {} });
  assert.equal(r.explore.status, "complete");
  return r.verdicts.find((v) => v.name === "lost-write")!;
}

test("fsync returning 0 over a DMA-written clean page is a lost write", async () => {
  // unsafe allows the writable pin of a shared page-cache mapping (before v6.5).
  const v = await lostWrite(writer({ fsync: true, shared: true }), "unsafe");
  assert.equal(v.verdict, "Sometimes");
  // Without the fsync nobody was promised durability: the page is pinned, not lost.
  assert.equal(
    (await lostWrite(writer({ fsync: false, shared: true }), "unsafe")).verdict,
    "Never",
  );
  // v6.5 refuses the writable pin (EFAULT): nothing can be lost.
  assert.equal((await lostWrite(writer({ fsync: true, shared: true }), "linux")).verdict, "Never");
});

test("a write into a MAP_PRIVATE mapping's private copy is never a lost write", async () => {
  assert.equal(
    (await lostWrite(writer({ fsync: true, shared: false }), "unsafe")).verdict,
    "Never",
  );
});
