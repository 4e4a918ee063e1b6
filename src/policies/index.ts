/**
 * The policy registry. A new proposal is one new file plus one line here;
 * a proposal outside the tree is a plugin file (docs/plugins.md), registered
 * at run time by the loader (engine/plugins) with registerPolicy.
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

/** The policies built in, in the order of DESIGN.md's table. */
export const BUILTIN_POLICIES: readonly PolicyModule[] = [
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

const registered: PolicyModule[] = [...BUILTIN_POLICIES];
const names: string[] = registered.map((p) => p.name);
/** Where each plugin policy came from: its file's name and content hash (replay tokens carry both). */
const origins = new Map<string, PluginOrigin>();

export interface PluginOrigin {
  /** The file's name, without its directory (a token never names a path). */
  readonly file: string;
  /** 16 hex digits of the SHA-256 of the file's bytes. */
  readonly hash: string;
}

/** Every policy: the built-in ones, then those plugins registered (a live view). */
export const POLICIES: readonly PolicyModule[] = registered;
/** Every policy's name, in the order of POLICIES (a live view). */
export const POLICY_NAMES: readonly string[] = names;

export function isBuiltinPolicy(name: string): boolean {
  return BUILTIN_POLICIES.some((p) => p.name === name);
}

/** Adds a plugin's policy (the loader has validated it); a taken name is a pinlab bug here. */
export function registerPolicy(mod: PolicyModule, origin: PluginOrigin): void {
  if (names.includes(mod.name)) throw new Error(`pinlab bug: policy ${mod.name} registered twice`);
  registered.push(mod);
  names.push(mod.name);
  origins.set(mod.name, origin);
}

/** Removes a registered policy (not a built-in one). */
export function unregisterPolicy(name: string): void {
  const i = names.indexOf(name);
  if (i < BUILTIN_POLICIES.length) return;
  registered.splice(i, 1);
  names.splice(i, 1);
  origins.delete(name);
}

/** Removes every registered policy, keeping the built-in ones. */
export function unregisterPluginPolicies(): void {
  registered.splice(BUILTIN_POLICIES.length);
  names.splice(BUILTIN_POLICIES.length);
  origins.clear();
}

/** The file a plugin policy came from, or undefined for a built-in one. */
export function policyOrigin(name: string): PluginOrigin | undefined {
  return origins.get(name);
}

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
