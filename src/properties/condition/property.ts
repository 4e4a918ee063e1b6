/**
 * A condition expectation as a property: shown at the first step into a
 * state where the condition holds. `never`, `sometimes` and `always` then
 * read as for any property: no reachable state satisfies it, some run
 * reaches one, every run reaches one. The condition is parsed and bound
 * once per scenario and compiled once per model, never in the search loop.
 *
 * It judges the state a transition reaches, not the transition: under the
 * explorer's sleep sets (engine/explore/por.ts) every reachable state is
 * still discovered, at its shortest depth, by a judged transition, so the
 * verdict and the witness length are exact. Symmetry reduction would merge
 * states that a condition naming one copy tells apart: it is off for a
 * scenario with conditions (engine/adapter/symmetry.ts).
 */
import type { Model, State } from "../../model/layout.js";
import type { ScenarioSpec } from "../../model/spec.js";
import type { Property } from "../property.js";
import { type Bound, bindCondition } from "./bind.js";
import { compileCondition, type Pred } from "./compile.js";
import { scopeOfSpec } from "./scope.js";
import { type Cond, type CondError, parseCondition } from "./syntax.js";

/** The property name of a condition: its source text, quoted (`condition "peer.qp error"`). */
export const conditionName = (text: string): string => `condition ${JSON.stringify(text)}`;

/** Parses and binds a condition against a scenario's names. */
export function checkCondition(
  text: string,
  spec: ScenarioSpec,
): { cond?: Cond; bound: Bound[]; errors: CondError[] } {
  const p = parseCondition(text);
  if (!p.cond) return { bound: [], errors: p.errors };
  const b = bindCondition(p.cond, scopeOfSpec(spec));
  return b.errors.length > 0
    ? { bound: [], errors: b.errors }
    : { cond: p.cond, bound: b.bound, errors: [] };
}

/** Whether two states are equal on the model's own fields (a system may append monitor words). */
function isInit(m: Model, s: State): boolean {
  for (let i = 0; i < m.size; i++) if (s[i] !== m.init[i]) return false;
  return true;
}

/**
 * The property of the condition `text` of scenario `spec`. A condition the
 * scenario's lint refused never gets here: an error now is a pinlab bug.
 */
export function conditionProperty(text: string, spec: ScenarioSpec): Property {
  const c = checkCondition(text, spec);
  if (!c.cond)
    throw new Error(
      `pinlab bug: condition ${JSON.stringify(text)} was not checked: ${c.errors[0]?.message}`,
    );
  const cond = c.cond;
  const preds = new WeakMap<Model, Pred>();
  const pred = (m: Model): Pred => {
    let f = preds.get(m);
    if (!f) {
      f = compileCondition(cond, c.bound, m);
      preds.set(m, f);
    }
    return f;
  };
  const message = "the condition holds";
  return {
    name: conditionName(text),
    summary: `the scenario's condition holds: ${text}`,
    kind: "possibility",
    group: "result",
    // A condition true from the start shows at the first step, judged on the state it leaves.
    onStep(m, before, after) {
      const f = pred(m);
      return f(after) || (f(before) && isInit(m, before)) ? { message } : null;
    },
    atEnd(m, s) {
      return pred(m)(s) && isInit(m, s) ? { message } : null;
    },
  };
}

/** The properties of a scenario's condition expectations, each condition once. */
export function conditionProperties(spec: ScenarioSpec): Property[] {
  const texts = new Set<string>();
  for (const e of spec.expectations) if (e.kind === "condition") texts.add(e.condition);
  return [...texts].map((t) => conditionProperty(t, spec));
}
