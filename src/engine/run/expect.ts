/**
 * Scenario expectations judged against one run. One run can refute `never P`
 * (P showed) and confirm `sometimes P` (P showed), but it cannot refute
 * `sometimes P`: that needs every run, which is what `check` explores. Such an
 * expectation is left undecided, not failed. `proc.op returns R` compares the
 * operation's result in this run.
 */
import { errnoByName, errnoName } from "../../model/errno.js";
import type { Expectation, Quantifier } from "../../model/spec.js";
import { conditionName } from "../../properties/condition/property.js";
import type { RunResult } from "./exec.js";

export interface ExpectationResult {
  readonly expectation: Expectation;
  readonly text: string;
  /** False only when the run refutes the expectation. */
  readonly ok: boolean;
  /** True when one run cannot decide it (a `sometimes` that did not show). */
  readonly undecided: boolean;
  readonly detail: string;
}

/** The expectations that apply under a policy. */
export function applicable(expectations: readonly Expectation[], policy: string): Expectation[] {
  return expectations.filter((e) => !e.policies || e.policies.includes(policy));
}

export function expectationText(e: Expectation): string {
  const under = e.policies ? ` under ${e.policies.join(",")}` : "";
  if (e.kind === "condition") return `${e.quantifier} ${conditionName(e.condition)}${under}`;
  return e.kind === "property"
    ? `${e.quantifier} ${e.property}${under}`
    : `${e.proc}.${e.op} returns ${e.result}${under}`;
}

/** The name of the property an expectation is judged by (a condition's: `condition "TEXT"`). */
export function judgedName(e: Expectation): string {
  if (e.kind === "condition") return conditionName(e.condition);
  return e.kind === "property" ? e.property : `${e.proc}.${e.op} returns ${e.result}`;
}

/** An expectation's quantifier; a result expectation asks whether some run gets the result. */
export function quantifierOf(e: Expectation): Quantifier {
  return e.kind === "result" ? "sometimes" : e.quantifier;
}

export function judgeRun(run: RunResult, policy: string): ExpectationResult[] {
  const m = run.model;
  return applicable(m.spec.expectations, policy).map((e) => {
    const text = expectationText(e);
    if (e.kind !== "result") {
      const occ = run.occurrences.get(judgedName(e));
      const shown = occ !== undefined;
      const undecided = e.quantifier === "sometimes" && !shown;
      const ok = e.quantifier === "never" ? !shown : shown || undecided;
      const detail = shown
        ? `${occ.step > 0 ? `step ${occ.step}` : "at the end"}: ${occ.message}`
        : undecided
          ? "not in this run; pinlab check explores every run"
          : "did not happen in this run";
      return { expectation: e, text, ok, undecided, detail };
    }
    const p = m.procs.findIndex((x) => x.name === e.proc);
    const ops =
      p < 0 ? [] : m.procs[p]!.prog.filter((o) => o.spec.op === e.op || o.spec.label === e.op);
    if (ops.length === 0)
      return {
        expectation: e,
        text,
        ok: false,
        undecided: false,
        detail: `${e.proc} has no operation ${e.op}`,
      };
    // The expectation names the first such operation of the process (docs/scenario-format.md).
    const pcs = new Set([ops[0]!.index]);
    let result: number | undefined;
    let blocked = false;
    for (const st of run.steps)
      for (const ev of st.events) {
        if (ev.k === "ret" && ev.proc === p && pcs.has(ev.pc)) result = ev.result;
        if (ev.k === "block" && ev.proc === p && pcs.has(ev.pc)) blocked = true;
      }
    const got =
      result === undefined
        ? blocked
          ? "blocks"
          : "never ran"
        : result >= 0
          ? "ok"
          : errnoName(-result);
    let ok: boolean;
    if (e.result === "blocks") ok = result === undefined && blocked;
    else if (e.result === "ok") ok = result !== undefined && result >= 0;
    else ok = result !== undefined && result === -(errnoByName(e.result) ?? Number.NaN);
    return { expectation: e, text, ok, undecided: false, detail: `got ${got}` };
  });
}
