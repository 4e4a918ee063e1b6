/**
 * The policy registry. A new proposal is one new file plus one line here.
 */
import type { Policy, PolicyModule } from "../model/policy.js";
import { closest } from "../util/suggest.js";
import { checkParams } from "./base.js";
import { deferredFreePolicy } from "./deferred-free.js";
import { ebusyPolicy } from "./ebusy.js";
import { immutablePolicy } from "./immutable.js";
import { layoutLeasePolicy } from "./layout-lease.js";
import { linuxPolicy } from "./linux.js";
import { odpPolicy } from "./odp.js";
import { formatPolicyRef, parsePolicyRef } from "./ref.js";
import { revokePolicy } from "./revoke.js";
import { unsafePolicy } from "./unsafe.js";
import { waitPolicy } from "./wait.js";

/** Every policy, in the order of DESIGN.md's table. */
export const POLICIES: readonly PolicyModule[] = [
  unsafePolicy,
  linuxPolicy,
  waitPolicy,
  ebusyPolicy,
  revokePolicy,
  layoutLeasePolicy,
  immutablePolicy,
  deferredFreePolicy,
  odpPolicy,
];

export const POLICY_NAMES: readonly string[] = POLICIES.map((p) => p.name);

export function findPolicy(name: string): PolicyModule | undefined {
  return POLICIES.find((p) => p.name === name);
}

/**
 * A policy instance, or a message saying what is wrong (with a suggestion).
 * `name` may be a row label of compare, `revoke(escalation=invalidate)`
 * (policies/ref.ts): its parameters must agree with `params`.
 */
export function makePolicy(
  label: string,
  given: Readonly<Record<string, string>> = {},
): { ok: true; policy: Policy } | { ok: false; error: string } {
  let name = label;
  let params = given;
  if (label.includes("(")) {
    const r = parsePolicyRef(label);
    if (!r.ok) return { ok: false, error: `policy ${JSON.stringify(label)}: ${r.error.message}` };
    for (const [k, v] of Object.entries(r.ref.params))
      if (given[k] !== undefined && given[k] !== v)
        return { ok: false, error: `policy ${label}: parameter ${k} is also given as ${given[k]}` };
    name = r.ref.name;
    params = { ...given, ...r.ref.params };
  }
  const mod = findPolicy(name);
  if (!mod) {
    const near = closest(name, POLICY_NAMES);
    return {
      ok: false,
      error: `unknown policy '${name}'${near ? ` (did you mean '${near}'?)` : ""}; known: ${POLICY_NAMES.join(", ")}`,
    };
  }
  const errors = checkParams(mod, params);
  if (errors.length > 0) return { ok: false, error: errors.join("; ") };
  return { ok: true, policy: mod.create(params) };
}

/**
 * A policy instance from a reference written as text (`revoke`,
 * `revoke(escalation=invalidate)`), with `extra` parameters under the written ones.
 */
export function makePolicyFromRef(
  text: string,
  extra: Readonly<Record<string, string>> = {},
): { ok: true; policy: Policy } | { ok: false; error: string } {
  const r = parsePolicyRef(text);
  if (!r.ok) return { ok: false, error: `policy ${JSON.stringify(text)}: ${r.error.message}` };
  return makePolicy(r.ref.name, { ...extra, ...r.ref.params });
}

export { formatPolicyRef, parsePolicyRef };
