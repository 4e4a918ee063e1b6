/**
 * `check` results as JSON (schema `pinlab.check/1`, see docs/json.md).
 */
import type { CheckResult } from "../engine/check.js";
import { tokenFor } from "./check.js";
import { groupOf, outcomeOf } from "./marks.js";

export const CHECK_SCHEMA = "pinlab.check/1";

export function checkJson(r: CheckResult, scenarioRef: string) {
  const e = r.explore;
  return {
    schema: CHECK_SCHEMA,
    scenario: r.arg.spec.name,
    file: r.arg.spec.file ?? null,
    policy: r.arg.policy,
    params: r.arg.params,
    status: e.status,
    reason: e.reason ?? null,
    stats: e.stats,
    reductions: e.reductions,
    workers: e.workers,
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
      witnessLength: v.witness ? v.witness.length : null,
      lasso: v.lasso ? { prefix: v.lasso.prefix.length, cycle: v.lasso.cycle.length } : null,
      token: v.witness ? tokenFor(r, scenarioRef, v.witness) : null,
    })),
    deadlocks: e.deadlocks.count,
    expectations: r.expectations.map((x) => ({
      text: x.text,
      ok: x.ok,
      undecided: x.undecided,
      detail: x.detail,
    })),
    exit: r.exit,
  };
}
