/**
 * Scenario expectations judged against one run: `never P` holds when P did not
 * show, `sometimes`/`always P` when it did (over a single run both mean "it
 * happened"; `check` gives them their full meaning over every run), and
 * `proc.op returns R` compares the operation's result.
 */
import { errnoByName, errnoName } from "../model/errno.js";
import type { Expectation } from "../model/spec.js";
import type { RunResult } from "./exec.js";

export interface ExpectationResult {
  readonly expectation: Expectation;
  readonly text: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** The expectations that apply under a policy. */
export function applicable(expectations: readonly Expectation[], policy: string): Expectation[] {
  return expectations.filter((e) => !e.policies || e.policies.includes(policy));
}

export function expectationText(e: Expectation): string {
  const under = e.policies ? ` under ${e.policies.join(",")}` : "";
  return e.kind === "property"
    ? `${e.quantifier} ${e.property}${under}`
    : `${e.proc}.${e.op} returns ${e.result}${under}`;
}

export function judgeRun(run: RunResult, policy: string): ExpectationResult[] {
  const m = run.model;
  return applicable(m.spec.expectations, policy).map((e) => {
    const text = expectationText(e);
    if (e.kind === "property") {
      const occ = run.occurrences.get(e.property);
      const shown = occ !== undefined;
      const ok = e.quantifier === "never" ? !shown : shown;
      const detail = shown
        ? `${occ.step > 0 ? `step ${occ.step}` : "at the end"}: ${occ.message}`
        : "did not happen in this run";
      return { expectation: e, text, ok, detail };
    }
    const p = m.procs.findIndex((x) => x.name === e.proc);
    const ops =
      p < 0 ? [] : m.procs[p]!.prog.filter((o) => o.spec.op === e.op || o.spec.label === e.op);
    if (ops.length === 0)
      return { expectation: e, text, ok: false, detail: `${e.proc} has no operation ${e.op}` };
    const pcs = new Set(ops.map((o) => o.index));
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
    return { expectation: e, text, ok, detail: `got ${got}` };
  });
}
