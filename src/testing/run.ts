/** Test support: compile and run a scenario under a policy by name. */
import { type RunResult, runSchedule } from "../engine/run/exec.js";
import { type ExpectationResult, judgeRun } from "../engine/run/expect.js";
import { compile } from "../model/compile.js";
import type { ModelEvent } from "../model/events.js";
import type { Model } from "../model/layout.js";
import type { ScenarioSpec } from "../model/spec.js";
import { makePolicy } from "../policies/index.js";
import { PROPERTIES } from "../properties/index.js";

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
  const model = modelOf(spec, policy, opts.params);
  const run = runSchedule(model, { seed: opts.seed ?? 0, properties: PROPERTIES });
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
