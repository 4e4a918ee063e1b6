/** The answer table accepts what every built-in policy answers, and names each answer of the interface. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Policy } from "../model/policy.js";
import { BUILTIN_POLICIES } from "../policies/index.js";
import { type AnswerRule, POLICY_ANSWERS } from "./answers.js";

const DOC = new Set(["name", "summary", "source", "params", "answers"]);

test("every built-in policy, under every documented parameter value, passes the answer table", () => {
  for (const mod of BUILTIN_POLICIES) {
    const variants: Record<string, string>[] = [{}];
    for (const p of mod.params)
      if (!p.values[0]!.startsWith("<")) for (const v of p.values) variants.push({ [p.name]: v });
    for (const params of variants) {
      const policy = mod.create(params) as unknown as Record<string, unknown>;
      for (const [k, rule] of Object.entries(POLICY_ANSWERS) as [string, AnswerRule][]) {
        const v = policy[k];
        const ok =
          rule.form === "value"
            ? rule.ok(v)
            : typeof v === "function" || (rule.optional === true && v === undefined);
        assert.ok(ok, `${mod.name} ${JSON.stringify(params)}: ${k} = ${String(v)}`);
      }
      // and the table names every answer a policy has
      for (const k of Object.keys(policy as Partial<Policy>))
        if (!DOC.has(k)) assert.ok(Object.hasOwn(POLICY_ANSWERS, k), `${k} is not in the table`);
    }
  }
});
