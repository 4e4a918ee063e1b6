/** Test support: compile and run a scenario under a policy by name. */
import assert from "node:assert/strict";
import { type RunResult, runSchedule } from "../engine/run/exec.js";
import { type ExpectationResult, judgeRun } from "../engine/run/expect.js";
import { compile } from "../model/compile.js";
import type { ModelEvent } from "../model/events.js";
import type { Model, State } from "../model/layout.js";
import type { LeaseBreakBehaviour, ScenarioSpec } from "../model/spec.js";
import { A_PROC, A_SIGIO, actionIndex, actionKind, enabled, step } from "../model/step.js";
import { makePolicy } from "../policies/index.js";
import { PROPERTIES } from "../properties/index.js";
import { type ProcBuilder, scenario } from "../scenario/builder.js";

export function modelOf(
  spec: ScenarioSpec,
  policy: string,
  params: Record<string, string> = {},
): Model {
  const p = makePolicy(policy, params);
  if (!p.ok) throw new Error(p.error);
  const c = compile(spec, p.policy);
  if (!c.ok) throw new Error(c.errors.map((e) => e.message).join("; "));
  return c.model;
}

export function runOf(
  spec: ScenarioSpec,
  policy: string,
  opts: { seed?: number; params?: Record<string, string> } = {},
): { run: RunResult; expectations: ExpectationResult[]; model: Model } {
  return runModel(modelOf(spec, policy, opts.params), opts.seed);
}

/** Runs an already compiled model (e.g. one whose policy a test has adjusted). */
export function runModel(
  model: Model,
  seed = 0,
): { run: RunResult; expectations: ExpectationResult[]; model: Model } {
  const run = runSchedule(model, { seed, properties: PROPERTIES });
  return { run, model, expectations: judgeRun(run) };
}

/** The result of process `proc`'s operation `op` (first match): ≥0 ok, -errno, or "blocks". */
export function resultOf(
  r: { run: RunResult; model: Model },
  proc: string,
  op: string,
): number | "blocks" | "never" {
  const p = r.model.procs.findIndex((x) => x.name === proc);
  if (p < 0) throw new Error(`no process ${proc}`);
  const pcs = new Set(
    r.model.procs[p]!.prog.filter((o) => o.spec.op === op || o.spec.label === op).map(
      (o) => o.index,
    ),
  );
  let out: number | "blocks" | "never" = "never";
  for (const st of r.run.steps)
    for (const e of st.events) {
      if (e.k === "ret" && e.proc === p && pcs.has(e.pc)) out = e.result;
      if (e.k === "block" && e.proc === p && pcs.has(e.pc) && out === "never") out = "blocks";
    }
  return out;
}

export function events(r: { run: RunResult }): ModelEvent[] {
  return r.run.steps.flatMap((s) => s.events);
}

/** The policies of DESIGN.md's table, spelt out so that tests check the registry against the design. */
export const DESIGN_POLICIES = [
  "unsafe",
  "linux",
  "wait",
  "ebusy",
  "revoke",
  "layout-lease",
  "immutable",
  "deferred-free",
  "odp",
] as const;

/** Takes the enabled action of `kind` for index `index` (a process, a timer) in place; its events. */
export function stepKind(m: Model, s: { v: State }, kind: number, index: number): ModelEvent[] {
  const a = enabled(m, s.v).find((x) => actionKind(x) === kind && actionIndex(x) === index);
  assert.ok(a !== undefined, `action ${kind}/${index} not enabled`);
  const ev: ModelEvent[] = [];
  s.v = step(m, s.v, a, ev);
  return ev;
}

/** Runs the next step of the process named `name`; its events. */
export function stepProc(m: Model, s: { v: State }, name: string): ModelEvent[] {
  const p = m.procs.findIndex((x) => x.name === name);
  assert.ok(p >= 0, `no process ${name}`);
  return stepKind(m, s, A_PROC, p);
}

/**
 * Process 0 takes its first three steps (open, mmap, the pin), process 1's
 * truncate breaks the pin's lease, and process 0 takes SIGIO: the state just
 * before its handler or the lease-break timer.
 */
export function toBreak(m: Model): { v: State } {
  const s = { v: m.init.slice() as State };
  for (let i = 0; i < 3; i++) stepKind(m, s, A_PROC, 0);
  const t = stepKind(m, s, A_PROC, 1);
  assert.ok(t.some((e) => e.k === "lease-break"));
  stepKind(m, s, A_SIGIO, 0);
  return s;
}

/**
 * A one-page DAX file `data` that `holder` opens, maps shared and pins (`pin`
 * adds the pin and one use of it), and that `admin` truncates: the revoke
 * tests of the local pinners (io_uring buffers, VFIO mappings).
 */
export function pinnedDaxTruncate(
  name: string,
  holder: string,
  onLeaseBreak: LeaseBreakBehaviour,
  pin: (p: ProcBuilder) => ProcBuilder,
): ScenarioSpec {
  return scenario(name)
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc(holder, { user: "alice", onLeaseBreak }, (p) =>
      pin(p.open("fd", "data", "rw").mmap("va", "fd", 0, 0, { shared: true })),
    )
    .proc("admin", "alice", (p) => p.truncate("data", 0))
    .build();
}
