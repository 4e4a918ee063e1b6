/**
 * Each policy's distinguishing behaviour on the core scenario and its
 * variants, as the 2019 thread describes it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { EBUSY, EINVAL, EOPNOTSUPP, EPERM, ETXTBSY } from "../model/errno.js";
import { LIBRARY } from "../scenario/library.js";
import { events, resultOf, runOf } from "../testing/run.js";
import { POLICY_NAMES } from "./index.js";

const core = LIBRARY.core!();
const shows = (r: ReturnType<typeof runOf>, prop: string) => r.run.occurrences.has(prop);

test("every bundled builder scenario meets its expectations under every policy", () => {
  for (const [name, build] of Object.entries(LIBRARY))
    for (const policy of POLICY_NAMES) {
      const r = runOf(build(), policy);
      for (const e of r.expectations)
        assert.ok(e.ok, `${name} under ${policy}: ${e.text} — ${e.detail}`);
    }
});

test("unsafe: the DMA lands in another user's block, and foreign-dma points at that step", () => {
  const r = runOf(core, "unsafe");
  const occ = r.run.occurrences.get("foreign-dma");
  assert.ok(occ);
  const step = r.run.steps[occ.step - 1]!;
  const dma = step.events.find((e) => e.k === "dma");
  assert.ok(dma && dma.k === "dma" && dma.outcome === "foreign");
  assert.equal(r.model.inodes[dma.other]!.name, "other");
  assert.match(occ.message, /block \d, which now belongs to other/);
});

test("linux: reg_mr fails with EOPNOTSUPP and nothing bad happens", () => {
  const r = runOf(core, "linux");
  assert.equal(resultOf(r, "server", "reg_mr"), -EOPNOTSUPP);
  assert.ok(!shows(r, "foreign-dma") && !shows(r, "rdma-on-dax"));
});

test("wait: truncate blocks while the MR lives and never returns", () => {
  const r = runOf(core, "wait");
  assert.equal(resultOf(r, "admin", "truncate"), "blocks");
  assert.equal(r.run.end, "deadlock");
  assert.ok(shows(r, "truncate-hang"));
  // With a server that deregisters when its peer is done, the same truncate returns.
  const d = runOf(LIBRARY["core-dereg"]!(), "wait");
  assert.equal(resultOf(d, "admin", "truncate"), 0);
});

test("ebusy: truncate returns EBUSY; a read-only pinner makes the file un-truncatable", () => {
  assert.equal(resultOf(runOf(core, "ebusy"), "admin", "truncate"), -EBUSY);
  const r = runOf(LIBRARY["core-readonly-pinner"]!(), "ebusy");
  assert.equal(resultOf(r, "admin", "truncate"), -EBUSY);
  assert.match(
    r.run.occurrences.get("untruncatable")!.message,
    /reader \(user bob, no write permission, no CAP_LEASE\)/,
  );
  // Under today's kernel the same reader cannot pin at all.
  assert.ok(!shows(runOf(LIBRARY["core-readonly-pinner"]!(), "linux"), "untruncatable"));
});

test("revoke, cooperative handler: the peer is told, pins drop, truncate completes, nobody is killed", () => {
  const r = runOf(core, "revoke");
  const ev = events(r);
  const order = ["sigio", "cancel-sent", "cancel-acked", "unpin", "blocks-freed"].map((k) =>
    ev.findIndex((e) => e.k === k),
  );
  assert.ok(
    order.every((i) => i >= 0),
    `missing one of the revoke steps: ${order}`,
  );
  assert.deepEqual(
    [...order].sort((a, b) => a - b),
    order,
  );
  assert.equal(resultOf(r, "admin", "truncate"), 0);
  assert.ok(!shows(r, "kill") && !shows(r, "comm-failure") && !shows(r, "foreign-dma"));
});

test("revoke, ignored SIGIO: the timer fires, the escalation happens, the peer's next access fails", () => {
  const kill = runOf(LIBRARY["core-ignore"]!(), "revoke");
  const ek = events(kill);
  assert.ok(ek.some((e) => e.k === "escalate" && e.how === "sigkill"));
  assert.ok(shows(kill, "kill") && shows(kill, "comm-failure"));
  assert.ok(ek.some((e) => e.k === "rdma-error"));
  // Invalidating one MR needs a NIC that can (nic invalidate=fence); the default
  // NIC cannot, and the escalation falls back to SIGKILL (Jason Gunthorpe, 2019-02-07).
  const fallback = runOf(LIBRARY["core-ignore"]!(), "revoke", {
    params: { escalation: "invalidate" },
  });
  assert.ok(events(fallback).some((e) => e.k === "escalate" && e.how === "sigkill"));
  const fencing = { ...LIBRARY["core-ignore"]!(), nic: { invalidate: "fence" as const } };
  const inv = runOf(fencing, "revoke", { params: { escalation: "invalidate" } });
  const ei = events(inv);
  assert.ok(ei.some((e) => e.k === "escalate" && e.how === "invalidate"));
  assert.ok(ei.some((e) => e.k === "rdma-error" && e.status === "REM_ACCESS_ERR"));
  assert.ok(!shows(inv, "kill") && shows(inv, "comm-failure"));
  assert.equal(resultOf(inv, "admin", "truncate"), 0);
});

test("layout-lease: EPERM without an F_LAYOUT lease, ETXTBSY on truncate with an unbreakable one", () => {
  assert.equal(resultOf(runOf(core, "layout-lease"), "server", "reg_mr"), -EPERM);
  const r = runOf(LIBRARY["core-layout-lease"]!(), "layout-lease");
  assert.ok((resultOf(r, "server", "reg_mr") as number) >= 0);
  assert.equal(resultOf(r, "admin", "truncate"), -ETXTBSY);
  // Other policies have no F_LAYOUT: the flag itself is invalid there.
  assert.equal(
    resultOf(runOf(LIBRARY["core-layout-lease"]!(), "revoke"), "server", "setlease"),
    -EINVAL,
  );
});

test("immutable: pin refused on a sparse file, truncate ETXTBSY on a prepared one", () => {
  assert.equal(
    resultOf(runOf(LIBRARY["core-sparse"]!(), "immutable"), "server", "reg_mr"),
    -EINVAL,
  );
  assert.equal(resultOf(runOf(core, "immutable"), "admin", "truncate"), -ETXTBSY);
});

test("deferred-free: truncate succeeds, blocks stay busy until dereg, then return to the free pool", () => {
  const r = runOf(core, "deferred-free");
  assert.equal(resultOf(r, "admin", "truncate"), 0);
  assert.ok(events(r).some((e) => e.k === "blocks-busy"));
  assert.ok(shows(r, "stranded-space"), "without dereg the blocks are stranded");
  assert.ok(!shows(r, "foreign-dma"));
  const d = runOf(LIBRARY["core-dereg"]!(), "deferred-free");
  const ev = events(d);
  const busy = ev.findIndex((e) => e.k === "blocks-busy");
  const back = ev.findIndex((e) => e.k === "blocks-reclaimed");
  assert.ok(busy >= 0 && back > busy);
  assert.ok(!shows(d, "stranded-space"));
});

test("odp: no pin is taken, the notifier invalidates, the peer's access after truncate fails cleanly", () => {
  const r = runOf(core, "odp");
  const ev = events(r);
  assert.ok(!ev.some((e) => e.k === "pin"));
  assert.ok(ev.some((e) => e.k === "odp-register"));
  assert.ok(ev.some((e) => e.k === "rdma-error" && e.status === "REM_ACCESS_ERR"));
  assert.ok(!shows(r, "foreign-dma"));
  // Before the truncate, the device faults the page back in and the write lands in the file.
  const d = runOf(LIBRARY["core-dereg"]!(), "odp", { seed: 0 });
  assert.ok(!shows(d, "foreign-dma"));
});

test("page cache under linux: EFAULT for the writable pin, read pin ok, truncate orphans the pinned page", () => {
  const r = runOf(LIBRARY.pagecache!(), "linux");
  assert.ok(events(r).some((e) => e.k === "orphaned"));
  const read = events(r).find((e) => e.k === "dma" && e.op === "read");
  assert.ok(
    read && read.k === "dma" && read.outcome === "orphan",
    "the device keeps reading the old page",
  );
  const u = runOf(LIBRARY.pagecache!(), "unsafe");
  assert.match(u.run.occurrences.get("lost-write")!.message, /orphaned by truncate/);
});

test("page cache writeback under a writable pin: set_page_dirty without page_mkwrite", () => {
  const r = runOf(LIBRARY["pagecache-writeback"]!(), "unsafe");
  const ev = events(r);
  const wb = ev.findIndex((e) => e.k === "writeback");
  const bug = ev.findIndex((e) => e.k === "bug");
  assert.ok(wb >= 0 && bug > wb);
});
