/** Turning `--policy` and `--param` options into policy instances, with clear errors. */
import type { Policy } from "../model/policy.js";
import { makePolicy, POLICY_NAMES } from "../policies/index.js";
import { formatPolicyRef, parsePolicyRef, splitPolicyList } from "../policies/ref.js";

export function parseParams(
  values: readonly string[],
): { ok: true; params: Record<string, string> } | { ok: false; error: string } {
  // A Map, then own properties only: a name such as `__proto__` stays a name.
  const params = new Map<string, string>();
  for (const v of values) {
    const eq = v.indexOf("=");
    if (eq <= 0) return { ok: false, error: `--param expects name=value (got '${v}')` };
    params.set(v.slice(0, eq), v.slice(eq + 1));
  }
  return { ok: true, params: Object.fromEntries(params) };
}

/**
 * The policies named by `--policy` options (`all` or none given: every policy).
 * A name may carry parameters, `revoke(escalation=invalidate)`; they override
 * a `--param` of the same name for that policy. Options and commas list several.
 */
export function selectPolicies(
  names: readonly string[],
  params: Record<string, string>,
  opts: { readonly instances?: boolean } = {},
): { ok: true; policies: Policy[]; labels: string[] } | { ok: false; error: string } {
  const listed = names.flatMap((n) => splitPolicyList(n));
  const wanted =
    names.length === 0
      ? [...POLICY_NAMES]
      : listed.flatMap((n) => (n === "all" ? POLICY_NAMES : [n]));
  const policies: Policy[] = [];
  for (const text of wanted) {
    const ref = parsePolicyRef(text);
    if (!ref.ok) return { ok: false, error: `--policy '${text}': ${ref.error.message}` };
    const name = ref.ref.name;
    // A parameter applies to the policies that have it.
    const r0 = makePolicy(name);
    if (!r0.ok) return r0;
    const mine = Object.fromEntries(
      Object.entries(params).filter(([k]) => Object.hasOwn(r0.policy.params, k)),
    );
    const r = makePolicy(name, { ...mine, ...ref.ref.params });
    if (!r.ok) return r;
    const same = policies.find(
      (p) => p.name === name && JSON.stringify(p.params) === JSON.stringify(r.policy.params),
    );
    if (same || (!opts.instances && policies.some((p) => p.name === name)))
      return {
        ok: false,
        error: same
          ? `policy ${formatPolicyRef(ref.ref)} is selected twice`
          : `policy ${name} is selected twice: this command takes one instance of each policy (run it again for another parameter value, or compare them)`,
      };
    policies.push(r.policy);
  }
  for (const k of Object.keys(params))
    if (!policies.some((p) => Object.hasOwn(p.params, k)))
      return {
        ok: false,
        error: `no selected policy has a parameter '${k}' (see pinlab policies)`,
      };
  // A policy selected with several parameter sets gets one row each, labelled with the
  // parameters that differ from its defaults (`revoke`, `revoke(escalation=invalidate)`).
  const labels = policies.map((p) => {
    if (policies.filter((q) => q.name === p.name).length === 1) return p.name;
    const dflt = makePolicy(p.name);
    const differ = Object.fromEntries(
      Object.entries(p.params).filter(([k, v]) => dflt.ok && dflt.policy.params[k] !== v),
    );
    return formatPolicyRef({ name: p.name, params: differ });
  });
  return { ok: true, policies, labels };
}

/**
 * The one line `check` and `compare` print when given `--param
 * lease-break-time`: they explore every order of events, not time, so the
 * value cannot change a verdict; a lease-break timer may fire at any moment
 * of a break unless the scenario states `assume ... answers within
 * lease_break_time`. Only `simulate` runs a clock.
 */
export function timeParamNote(params: Record<string, string>, command: string): string | null {
  const v = params["lease-break-time"];
  if (v === undefined) return null;
  return `pinlab ${command}: note: ${command} explores every order of events, not time, so lease-break-time=${v} cannot change its verdicts (only pinlab simulate uses it)\n`;
}
