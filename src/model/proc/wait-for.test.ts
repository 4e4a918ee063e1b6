/**
 * `wait_for PROC.LABEL`: a local process waits for another's labelled
 * operation to finish (whatever it returned), or for the process to be gone.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { scenario } from "../../scenario/builder.js";
import { events, resultOf, runOf } from "../../testing/run.js";

const base = () =>
  scenario("order").fs("dax", 4).user("alice").file("data", { owner: "alice", pages: 2 });

test("the waiter runs only after the labelled operation has returned", () => {
  // first in the table, so without the wait it would truncate first
  const s = base()
    .proc("admin", "alice", (p) => p.waitFor("server", "opened").truncate("data", 0))
    .proc("server", "alice", (p) => p.open("fd", "data", "rw").as("opened"))
    .build();
  const r = runOf(s, "linux");
  const ev = events(r);
  const block = ev.findIndex((e) => e.k === "block" && e.proc === 0);
  const opened = ev.findIndex((e) => e.k === "ret" && e.proc === 1);
  const truncated = ev.findIndex(
    (e) => e.k === "ret" && e.proc === 0 && r.model.procs[0]!.prog[e.pc]!.spec.op === "truncate",
  );
  assert.ok(block >= 0 && opened > block && truncated > opened);
  assert.equal(resultOf(r, "admin", "wait_for"), 0);
});

test("an operation that failed has finished too", () => {
  const s = base()
    .user("bob")
    .file("secret", { owner: "bob", pages: 1, mode: 0o600 })
    .proc("admin", "alice", (p) => p.waitFor("server", "o").truncate("data", 0))
    .proc("server", "alice", (p) => p.open("fd", "secret", "rw").as("o"))
    .build();
  const r = runOf(s, "linux");
  assert.equal(resultOf(r, "server", "o"), -13); // EACCES
  assert.equal(resultOf(r, "admin", "wait_for"), 0);
  assert.equal(resultOf(r, "admin", "truncate"), 0);
});

test("a waiter whose process dies before the label returns (end of file)", () => {
  const s = base()
    .proc("admin", "alice", (p) => p.waitFor("server", "late"))
    .proc("killer", "alice", (p) => p.kill("server"))
    .proc("server", "alice", (p) => p.open("fd", "data", "rw").open("g", "data", "r").as("late"))
    .build();
  const r = runOf(s, "linux");
  assert.equal(resultOf(r, "admin", "wait_for"), 0);
  assert.equal(resultOf(r, "server", "late"), "never");
});
