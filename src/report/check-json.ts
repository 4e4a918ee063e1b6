/**
 * `check` results as JSON (schema `pinlab.check/1`, see docs/json.md).
 */
import type { CheckResult } from "../engine/check.js";
import type { TokenScenario } from "../engine/explore/token.js";
import { verdictClaim } from "../engine/rejudge.js";
import { irreproducible, tokenFor } from "./check.js";

export const CHECK_SCHEMA = "pinlab.check/1";

export function checkJson(r: CheckResult, origin: TokenScenario) {
  const e = r.explore;
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
    properties: r.verdicts.map((v) => ({
      name: v.name,
      kind: v.kind,
      verdict: v.verdict,
      proved: v.verdict === "Never" && v.proved,
      witnessLength: v.witness ? v.witness.length : null,
      lasso: v.lasso ? { prefix: v.lasso.prefix.length, cycle: v.lasso.cycle.length } : null,
      token: v.witness ? tokenFor(r, origin, verdictClaim(v), v.witness) : null,
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
