/**
 * The contract a policy must keep (model/policy.ts: "a policy keeps no state
 * of its own"), tested on the questions the model really asks: every
 * question a policy gets while the given scenarios run (a few seeded
 * schedules each) is recorded with a copy of its state, then asked again of
 * fresh instances:
 * - determinism: the same question twice gets the same answer;
 * - no module state: asked in reverse order, every answer is the same (an
 *   answer that depends on what was asked before differs);
 * - parameters validated: an unknown parameter and a value outside each
 *   parameter's documented set are refused, and every documented value
 *   makes a policy whose answers are checked against the interface.
 * A broken plugin throws a PluginError (load.ts), reported like any.
 */
import { compile } from "../../model/compile.js";
import type { Policy, PolicyModule } from "../../model/policy.js";
import type { ScenarioSpec } from "../../model/spec.js";
import { checkParams } from "../../policies/base.js";
import { runSchedule } from "../run/exec.js";

export interface ContractCheck {
  readonly name: "determinism" | "no module state" | "parameters validated";
  readonly ok: boolean;
  readonly detail: string;
}

type Asked = { readonly answer: string; readonly ask: (p: Policy) => unknown };

const SEEDS = [0, 1, 2, 3];

/** Every question `policy` gets while the scenarios run, each able to be asked again. */
function record(mod: PolicyModule, specs: readonly ScenarioSpec[]): Asked[] {
  const asked: Asked[] = [];
  for (const spec of specs) {
    for (const seed of SEEDS) {
      const base = mod.create({});
      const spy: Policy = { ...base };
      for (const k of Object.keys(base) as (keyof Policy)[]) {
        const f = base[k];
        if (typeof f !== "function") continue;
        (spy as unknown as Record<string, unknown>)[k] = (q: unknown) => {
          const r = (f as (q: unknown) => unknown)(q);
          const copy = copyQuery(q);
          asked.push({
            answer: JSON.stringify(r),
            ask: (p) => (p[k] as (q: unknown) => unknown)(copy),
          });
          return r;
        };
      }
      const c = compile(spec, spy);
      if (!c.ok) continue;
      runSchedule(c.model, { seed, properties: [] });
    }
  }
  return asked;
}

/** A question with its state copied (the model reuses its arrays). */
function copyQuery(q: unknown): unknown {
  if (typeof q !== "object" || q === null) return q;
  const out: Record<string, unknown> = { ...(q as Record<string, unknown>) };
  if (out.state instanceof Int32Array) out.state = Int32Array.from(out.state);
  return out;
}

export function policyContract(mod: PolicyModule, specs: readonly ScenarioSpec[]): ContractCheck[] {
  const asked = record(mod, specs);
  const out: ContractCheck[] = [];
  const again = (order: readonly Asked[]) => {
    const p = mod.create({});
    return order.map((a) => JSON.stringify(a.ask(p)));
  };
  const first = again(asked);
  const second = again(asked);
  const det = asked.findIndex((a, i) => first[i] !== a.answer || second[i] !== a.answer);
  out.push({
    name: "determinism",
    ok: det < 0,
    detail:
      det < 0
        ? `${asked.length} questions asked again of fresh instances, twice: the same answers`
        : `question ${det + 1} of ${asked.length} got ${asked[det]!.answer}, then ${first[det]}, then ${second[det]}`,
  });
  const rev = again([...asked].reverse()).reverse();
  const st = asked.findIndex((a, i) => rev[i] !== a.answer);
  out.push({
    name: "no module state",
    ok: st < 0,
    detail:
      st < 0
        ? `asked in reverse order, every answer is the same`
        : `question ${st + 1} of ${asked.length} got ${asked[st]!.answer} in order, ${rev[st]} in reverse order: the answers depend on the questions before`,
  });
  const problems: string[] = [];
  if (checkParams(mod, { "no-such-parameter": "1" }).length === 0)
    problems.push("an unknown parameter was accepted");
  for (const spec of mod.params) {
    const numeric = spec.values.length === 1 && spec.values[0]!.startsWith("<");
    const bad = numeric ? "-1" : "no-such-value";
    if (checkParams(mod, { [spec.name]: bad }).length === 0)
      problems.push(`${spec.name}=${bad} was accepted`);
    for (const v of numeric ? [spec.default] : spec.values) {
      const errors = checkParams(mod, { [spec.name]: v });
      if (errors.length > 0) problems.push(`${spec.name}=${v} refused: ${errors.join("; ")}`);
      else mod.create({ [spec.name]: v });
    }
  }
  out.push({
    name: "parameters validated",
    ok: problems.length === 0,
    detail:
      problems.length === 0
        ? `${mod.params.length} parameter(s): unknown names and values refused, every documented value makes a valid policy`
        : problems.join("; "),
  });
  return out;
}
