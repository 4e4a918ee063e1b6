/**
 * A policy reference: a policy's name, optionally with parameters, as a
 * scenario's `under` and the command line's `--policy` write it:
 * `revoke`, `revoke(escalation=invalidate)`,
 * `layout-lease(variant=v1, lease-break-time=5)`.
 *
 * A bare name matches the policy under any parameters (what `under revoke`
 * always meant, `--param` included); a name with parameters matches only an
 * instance whose parameters (defaults filled in) have those values.
 */
import type { ParamSpec, Policy, PolicyModule } from "../model/policy.js";

export interface PolicyRef {
  readonly name: string;
  /** The parameters written, in the order written. */
  readonly params: Readonly<Record<string, string>>;
}

/** What is wrong with a reference: a message, and where in the text (0-based, end exclusive). */
export interface RefError {
  /** `syntax`: not `name` or `name(k=v, ...)`; `twice`: a parameter given twice. */
  readonly kind: "syntax" | "twice";
  readonly message: string;
  readonly from: number;
  readonly to: number;
}

/** Where each written parameter's name and value are in the text (0-based, end exclusive). */
export type RefPlaces = Readonly<
  Record<
    string,
    { readonly key: readonly [number, number]; readonly value: readonly [number, number] }
  >
>;

const WORD = /^[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*$/;
const VALUE = /^[A-Za-z0-9_][A-Za-z0-9_.]*(?:-[A-Za-z0-9_.]+)*$/;

/** Reads `name` or `name(k=v, ...)`. */
export function parsePolicyRef(
  text: string,
): { ok: true; ref: PolicyRef; places: RefPlaces } | { ok: false; error: RefError } {
  const open = text.indexOf("(");
  const name = (open < 0 ? text : text.slice(0, open)).trim();
  const fail = (message: string, from: number, to: number, kind: RefError["kind"] = "syntax") => ({
    ok: false as const,
    error: { kind, message, from, to: Math.max(to, from + 1) },
  });
  if (!WORD.test(name)) return fail(`\`${name}\` is not a policy name`, 0, Math.max(open, 1));
  if (open < 0) return { ok: true, ref: { name, params: {} }, places: {} };
  const close = text.lastIndexOf(")");
  if (close < open || text.slice(close + 1).trim() !== "")
    return fail(`\`${text}\`: a parameter list ends with \`)\``, open, text.length);
  const params = new Map<string, string>();
  const places: Record<string, { key: [number, number]; value: [number, number] }> = {};
  let at = open + 1;
  const body = text.slice(open + 1, close);
  if (body.trim() === "")
    return fail(
      `\`${name}()\` names no parameter: write \`${name}\` or \`${name}(NAME=VALUE)\``,
      open,
      close + 1,
    );
  for (const part of body.split(",")) {
    const from = at + (part.length - part.trimStart().length);
    const to = at + part.trimEnd().length;
    at += part.length + 1;
    const eq = part.indexOf("=");
    const k = (eq < 0 ? part : part.slice(0, eq)).trim();
    const v = eq < 0 ? "" : part.slice(eq + 1).trim();
    if (eq < 0 || !WORD.test(k) || !VALUE.test(v))
      return fail(`\`${part.trim()}\` is not NAME=VALUE`, from, to);
    if (params.has(k)) return fail(`parameter \`${k}\` given twice`, from, to, "twice");
    params.set(k, v);
    const vFrom =
      from +
      part.trimStart().indexOf("=") +
      1 +
      (part.slice(eq + 1).length - part.slice(eq + 1).trimStart().length);
    places[k] = { key: [from, from + k.length], value: [vFrom, vFrom + v.length] };
  }
  return { ok: true, ref: { name, params: Object.fromEntries(params) }, places };
}

/** The canonical text: `name`, or `name(k=v,k2=v2)` in the order given. */
export function formatPolicyRef(ref: PolicyRef): string {
  const ps = Object.entries(ref.params);
  return ps.length === 0 ? ref.name : `${ref.name}(${ps.map(([k, v]) => `${k}=${v}`).join(",")})`;
}

/** Whether a policy instance is one a reference names (its `params` have every default filled in). */
export function refMatches(ref: PolicyRef, policy: Pick<Policy, "name" | "params">): boolean {
  if (ref.name !== policy.name) return false;
  for (const [k, v] of Object.entries(ref.params)) if (policy.params[k] !== v) return false;
  return true;
}

/** Whether a reference written as text (a scenario's `under` entry) names the policy instance. */
export function refTextMatches(text: string, policy: Pick<Policy, "name" | "params">): boolean {
  if (!text.includes("(")) return text === policy.name;
  const r = parsePolicyRef(text);
  return r.ok && refMatches(r.ref, policy);
}

/** Splits a `--policy` value at the commas outside parentheses: `a,b(x=1,y=2)` → `a`, `b(x=1,y=2)`. */
export function splitPolicyList(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") depth = Math.max(0, depth - 1);
    else if (c === "," && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim()).filter((s) => s !== "");
}

/** Whether a value is allowed by a parameter's documented set (`<seconds>`: a whole number). */
export function valueAllowed(spec: ParamSpec, v: string): boolean {
  const numeric = spec.values.length === 1 && spec.values[0]!.startsWith("<");
  return numeric ? /^\d+$/.test(v) : spec.values.includes(v);
}

/** The parameter a module has of that name. */
export function paramOf(mod: PolicyModule, name: string): ParamSpec | undefined {
  return mod.params.find((p) => p.name === name);
}
