/** F_SETLEASE and lease-break rules (fs/locks.c, man F_GETLEASE(2const)). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { scenario } from "../../scenario/builder.js";
import { events, resultOf, runOf } from "../../testing/run.js";
import { EACCES, EAGAIN, EDEADLK, EINVAL, ETXTBSY } from "../errno.js";

test("a lease on someone else's file needs CAP_LEASE (EACCES), checked before anything else", () => {
  const spec = (caps: "CAP_LEASE"[]) =>
    scenario("lease perms")
      .fs("dax", 4)
      .user("alice")
      .user("bob", caps)
      .file("data", { owner: "alice", pages: 1 })
      .proc("b", "bob", (p) => p.open("fd", "data", "r").setlease("fd", "rd"))
      .build();
  assert.equal(resultOf(runOf(spec([]), "linux"), "b", "setlease"), -EACCES);
  assert.equal(resultOf(runOf(spec(["CAP_LEASE"]), "linux"), "b", "setlease"), 0);
});

test("a write lease fails with EAGAIN while another open exists; unlocking without a lease is EAGAIN", () => {
  const spec = scenario("wrlease")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("a", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .open("fd2", "data", "r")
        .setlease("fd", "wr")
        .as("wr")
        .close("fd2")
        .setlease("fd", "wr")
        .as("wr2")
        .setlease("fd", "unlck")
        .setlease("fd", "unlck")
        .as("again"),
    )
    .build();
  const r = runOf(spec, "linux");
  assert.equal(resultOf(r, "a", "wr"), -EAGAIN);
  assert.equal(resultOf(r, "a", "wr2"), 0);
  assert.equal(resultOf(r, "a", "again"), -EAGAIN);
});

test("truncate breaks a read lease: the breaker blocks, the holder gets SIGIO, lease-break-time removes it", () => {
  const spec = scenario("break")
    .fs("pagecache", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("holder", { user: "alice", onLeaseBreak: "ignore" }, (p) =>
      p.open("fd", "data", "r").setlease("fd", "rd"),
    )
    .proc("admin", "alice", (p) => p.truncate("data", 0))
    .build();
  const r = runOf(spec, "linux");
  const ev = events(r);
  const breaking = r.run.steps.find((st) => st.events.some((e) => e.k === "block"));
  assert.ok(
    breaking?.events.some((e) => e.k === "sigio"),
    "the blocking truncate sends SIGIO in the same step",
  );
  assert.ok(ev.some((e) => e.k === "lease-removed" && e.forced));
  assert.equal(resultOf(r, "admin", "truncate"), 0);
});

test("F_LAYOUT exists only under layout-lease; there, breaking your own unbreakable lease is EDEADLOCK (RFC v2 patch 02)", () => {
  const spec = scenario("own")
    .fs("dax", 4)
    .layoutLease("v2")
    .user("alice")
    .file("data", { owner: "alice", pages: 2 })
    .proc("a", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .setlease("fd", "rd", { layout: true, unbreak: true })
        .truncate("data", 1),
    )
    .build();
  assert.equal(resultOf(runOf(spec, "linux"), "a", "setlease"), -EINVAL);
  const r = runOf(spec, "layout-lease");
  assert.equal(resultOf(r, "a", "setlease"), 0);
  assert.equal(resultOf(r, "a", "truncate"), -EDEADLK);
  // The September 2019 semantics: "any user attempting to break the lease will fail with ETXTBUSY".
  const sep = runOf(spec, "layout-lease", { params: { variant: "sep2019" } });
  assert.equal(resultOf(sep, "a", "truncate"), -ETXTBSY);
});

test("layout leases of different owners coexist as readers; another's unbreakable lease gives ETXTBSY", () => {
  const spec = scenario("others")
    .fs("dax", 4)
    .user("alice")
    .user("bob", ["CAP_LEASE"])
    .file("data", { owner: "alice", pages: 2 })
    .proc("b", "bob", (p) =>
      p.open("fd", "data", "r").setlease("fd", "rd", { layout: true, unbreak: true }),
    )
    .proc("a", "alice", (p) =>
      p.open("fd", "data", "rw").setlease("fd", "rd", { layout: true }).truncate("data", 1),
    )
    .build();
  const r = runOf(spec, "layout-lease");
  assert.equal(resultOf(r, "a", "setlease"), 0);
  assert.equal(resultOf(r, "a", "truncate"), -ETXTBSY);
});
