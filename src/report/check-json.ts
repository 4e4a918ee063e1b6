/**
 * `check` results as JSON (schema `pinlab.check/2`, see docs/json.md): every
 * verdict with its witness replayed as steps (text and events, objects by
 * name), the message of the step that shows it, and for a liveness witness
 * the reason it never ends.
 */
import type { CheckResult } from "../engine/check/check.js";
import { alwaysClaim, verdictClaim } from "../engine/check/rejudge.js";
import type { TokenScenario } from "../engine/explore/token.js";
import { runSchedule } from "../engine/run/exec.js";
import { printAssumption } from "../scenario/assume.js";
import { irreproducible, tokenFor } from "./check.js";
import { eventJson } from "./event-json.js";
import { groupOf, outcomeOf } from "./marks.js";
import { actorOf, describeStep } from "./trace.js";

export const CHECK_SCHEMA = "pinlab.check/2";

export function checkJson(r: CheckResult, origin: TokenScenario) {
  const e = r.explore;
  const { model: m, properties: props } = r;
  const witnessJson = (witness: readonly number[], name: string | null) => {
    const run = runSchedule(m, { actions: witness, properties: props });
    const occ = name ? run.occurrences.get(name) : undefined;
    return {
      message: occ?.message ?? null,
      steps: run.steps.map((st) => {
        const d = describeStep(m, st);
        return {
          n: st.n,
          actor: actorOf(m, st.action),
          text: d.line,
          reactions: d.reactions,
          marks: [...run.occurrences].filter(([, o]) => o.step === st.n).map(([k]) => k),
          events: st.events.map((x) => eventJson(m, x)),
        };
      }),
    };
  };
  const alwaysToken = (x: CheckResult["expectations"][number]): string | null => {
    const claim = alwaysClaim(x);
    return claim && x.witness ? tokenFor(r, origin, claim, x.witness) : null;
  };
  return {
    schema: CHECK_SCHEMA,
    scenario: r.arg.spec.name,
    file: r.arg.spec.file ?? null,
    policy: r.arg.policy,
    params: r.arg.params,
    status: e.status,
    reason: e.reason ?? null,
    reproducible: irreproducible(r) === null,
    stats: e.stats,
    reductions: e.reductions,
    workers: e.workers,
    coverage: r.coverage,
    bounded: r.bounded,
    vacuity: r.vacuity,
    assumptions: (r.arg.spec.assumptions ?? []).map(printAssumption),
    properties: r.verdicts.map((v) => ({
      name: v.name,
      kind: v.kind,
      group: groupOf(v.name, r.properties),
      outcome: outcomeOf(
        { group: groupOf(v.name, r.properties), kind: v.kind },
        v.verdict,
        v.proved,
      ),
      verdict: v.verdict,
      proved: v.verdict === "Never" && v.proved,
      vacuous: v.vacuous ?? false,
      assumption: v.assumption ?? null,
      witnessLength: v.witness ? v.witness.length : null,
      lasso: v.lasso ? { prefix: v.lasso.prefix.length, cycle: v.lasso.cycle.length } : null,
      token: v.witness ? tokenFor(r, origin, verdictClaim(v), v.witness) : null,
      reason: v.reason ?? null,
      ...(v.witness ? witnessJson(v.witness, v.name) : { message: null, steps: null }),
    })),
    deadlocks: e.deadlocks.count,
    expectations: r.expectations.map((x) => ({
      text: x.text,
      // A condition expectation: its source text (its property is `condition "TEXT"`).
      ...(x.expectation.kind === "condition" ? { condition: x.expectation.condition } : {}),
      ok: x.ok,
      undecided: x.undecided,
      detail: x.detail,
      assumption: x.assumption ?? null,
      ...(x.witness
        ? {
            witnessLength: x.witness.length,
            reason: x.reason ?? null,
            token: alwaysToken(x),
            steps: witnessJson(x.witness, null).steps,
          }
        : {}),
    })),
    exit: r.exit,
  };
}
