/**
 * Loops and branches (flow.ts): unrolling, the jumps a process takes after a
 * step, the result fields an `if` reads, and the slots a loop's copies share.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkScenario } from "../engine/check/check.js";
import { parseScenario } from "../scenario/pin.js";
import { resultOf, runOf } from "../testing/run.js";
import { EBUSY, EINTR, EOPNOTSUPP, ETXTBSY } from "./errno.js";
import { checkFlow, unrollFlow } from "./flow.js";
import type { FlowStmt, ProcOp, ScenarioSpec } from "./spec.js";

const op = (o: ProcOp): FlowStmt => ({ kind: "op", op: o });
const trunc = (label?: string): FlowStmt =>
  op({ op: "ftruncate", fd: "fd", pages: 0, ...(label ? { label } : {}) });

test("a loop is written out N times; its labels count the copies; break jumps past the loop", () => {
  const { program, errors } = unrollFlow([
    op({ op: "open", dst: "fd", file: "data", mode: "rw" }),
    {
      kind: "loop",
      count: 3,
      body: [trunc("t"), { kind: "if", label: "t", results: ["ok"], body: [{ kind: "break" }] }],
    },
    op({ op: "close", fd: "fd" }),
  ]);
  assert.deepEqual(errors, []);
  const shown = program.map((o) =>
    o.op === "jump" ? `jump ${o.to}${o.unless ? ` ${o.unless.pc}` : ""}` : (o.label ?? o.op),
  );
  assert.deepEqual(shown, [
    "open",
    "t#1",
    "jump 4 1",
    "jump 10",
    "t#2",
    "jump 7 1",
    "jump 10",
    "t#3",
    "jump 10 1",
    "jump 10",
    "close",
  ]);
  // Copies point at their first copy; every break goes to the operation after the loop.
  const t = program.flatMap((o, i) => (o.op === "ftruncate" ? [i] : []));
  assert.equal(t.length, 3);
  assert.equal(program[t[0]!]!.copyOf, undefined);
  assert.equal(program[t[1]!]!.copyOf, t[0]);
  assert.equal(program[t[2]!]!.copyOf, t[0]);
  const close = program.findIndex((o) => o.op === "close");
  const breaks = program.filter((o) => o.op === "jump" && !o.unless);
  assert.equal(breaks.length, 3);
  for (const b of breaks) assert.equal((b as { to: number }).to, close);
  // Each `if` tests the statement's shared result: the first copy's index.
  for (const j of program) if (j.op === "jump" && j.unless) assert.equal(j.unless.pc, t[0]);
});

test("unrolling refuses a break outside a loop, an if before its label and a loop count out of range", () => {
  const msgs = (f: FlowStmt[]) => unrollFlow(f).errors.map((e) => e.message);
  assert.match(msgs([{ kind: "break" }])[0]!, /not inside a loop/);
  assert.match(
    msgs([{ kind: "if", label: "t", results: ["ok"], body: [] }, trunc("t")])[0]!,
    /no operation labelled t comes before it/,
  );
  assert.match(msgs([{ kind: "loop", count: 0, body: [trunc()] }])[0]!, /1\.\.16/);
  assert.match(msgs([{ kind: "loop", count: 17, body: [trunc()] }])[0]!, /1\.\.16/);
  assert.match(
    msgs([trunc("t"), { kind: "if", label: "t", results: ["EWHAT"], body: [] }])[0]!,
    /unknown result EWHAT/,
  );
});

test("a loop body must release what it makes, or leave the loop once it has it", () => {
  const reg: ProcOp = { op: "reg_mr", dst: "mr", va: "va", access: [], label: "r" };
  const loop = (body: FlowStmt[]): FlowStmt[] => [{ kind: "loop", count: 2, body }];
  assert.match(checkFlow(loop([op(reg)]))[0]!.message, /mr may still be held/);
  assert.deepEqual(checkFlow(loop([op(reg), op({ op: "dereg_mr", mr: "mr" })])), []);
  assert.deepEqual(
    checkFlow(
      loop([op(reg), { kind: "if", label: "r", results: ["ok"], body: [{ kind: "break" }] }]),
    ),
    [],
  );
  // Breaking on a failure leaves the success path looping with the MR held.
  assert.equal(
    checkFlow(
      loop([op(reg), { kind: "if", label: "r", results: ["EPERM"], body: [{ kind: "break" }] }]),
    ).length,
    1,
  );
  // ... unless the failure branch has an `else` that breaks.
  assert.deepEqual(
    checkFlow(
      loop([
        op(reg),
        { kind: "if", label: "r", results: ["EPERM"], body: [], otherwise: [{ kind: "break" }] },
      ]),
    ),
    [],
  );
  assert.match(
    checkFlow(loop([op({ op: "fork", child: "c" })]))[0]!.message,
    /fork cannot be inside a loop/,
  );
});

const HEAD = `fs dax blocks=4
user alice
file data owner=alice pages=2
`;

function spec(text: string): ScenarioSpec {
  const r = parseScenario(HEAD + text, "t.pin");
  assert.ok(r.spec, JSON.stringify(r.diagnostics));
  return r.spec;
}

const RETRY = `proc app user=alice on_lease_break=cancel {
  fd = open data rw
  va = mmap fd pages=0..1 shared rw
  r: mr = reg_mr va access=local_write
  loop 3 {
    t: ftruncate fd pages=0
    if t ok { break }
    if t EBUSY { dereg_mr mr }
  }
  after: close fd
}
`;

test("the branch follows the result: EBUSY deregisters and the next try succeeds; ok leaves the loop", () => {
  const ebusy = runOf(spec(RETRY), "ebusy");
  assert.equal(resultOf(ebusy, "app", "t#1"), -EBUSY);
  assert.equal(resultOf(ebusy, "app", "dereg_mr"), 0);
  assert.equal(resultOf(ebusy, "app", "t#2"), 0);
  assert.equal(resultOf(ebusy, "app", "t#3"), "never");
  assert.equal(resultOf(ebusy, "app", "after"), 0);
  const linux = runOf(spec(RETRY), "linux");
  assert.equal(resultOf(linux, "app", "r"), -EOPNOTSUPP);
  assert.equal(resultOf(linux, "app", "t#1"), 0);
  assert.equal(resultOf(linux, "app", "dereg_mr"), "never");
  assert.equal(resultOf(linux, "app", "t#2"), "never");
  // Neither EBUSY nor ok: the loop runs out after three tries.
  const imm = runOf(spec(RETRY), "immutable");
  for (const t of ["t#1", "t#2", "t#3"]) assert.equal(resultOf(imm, "app", t), -ETXTBSY);
  assert.equal(resultOf(imm, "app", "dereg_mr"), "never");
  assert.equal(resultOf(imm, "app", "after"), 0);
});

test("a call interrupted by a signal records EINTR for the branch that follows", () => {
  const r = runOf(spec(RETRY), "revoke");
  assert.equal(resultOf(r, "app", "t#1"), -EINTR);
  assert.equal(resultOf(r, "app", "t#2"), 0);
});

test("jumps are no steps: check explores the same states as the written-out program", async () => {
  const looped = spec(`proc a user=alice { fd = open data rw; loop 2 { write fd page=0 } }
proc b user=alice { truncate data pages=0 }`);
  const flat = spec(`proc a user=alice { fd = open data rw; write fd page=0; write fd page=0 }
proc b user=alice { truncate data pages=0 }`);
  const one = await checkScenario({ spec: looped, policy: "linux", params: {} });
  const two = await checkScenario({ spec: flat, policy: "linux", params: {} });
  assert.equal(one.explore.stats.states, two.explore.stats.states);
  assert.equal(one.explore.stats.transitions, two.explore.stats.transitions);
  // Without an `if` there is no result field: the states are as long.
  const m = runOf(looped, "linux").model;
  assert.equal(m.init.length, runOf(flat, "linux").model.init.length);
  assert.equal(
    m.procs[0]!.flow?.results.every((x) => x === -1),
    true,
  );
});

test("a loop's copies share their slot: the second open reuses the first's released file description", () => {
  const r = runOf(spec(`proc a user=alice { loop 2 { o: fd = open data rw; close fd } }`), "linux");
  assert.equal(r.model.ofds.length, 1);
  assert.equal(resultOf(r, "a", "o#1"), 0);
  assert.equal(resultOf(r, "a", "o#2"), 0);
});

test("compile runs the loop checks on a flow that did not come through lint", () => {
  const s = spec(
    `proc a user=alice { fd = open data rw; va = mmap fd pages=0..1 shared rw; loop 2 { v: mr = reg_mr va access=local_write; if v ok { dereg_mr mr } } }`,
  );
  assert.doesNotThrow(() => runOf(s, "ebusy"));
  const bad: ScenarioSpec = {
    ...s,
    procs: s.procs.map((p) => ({
      ...p,
      flow: [
        { kind: "loop", count: 2, body: [op({ op: "reg_mr", dst: "mr", va: "va", access: [] })] },
      ],
    })),
  };
  assert.throws(() => runOf(bad, "linux"), /mr may still be held/);
});
