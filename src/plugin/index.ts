/**
 * `pinlab/plugin`: the API of policies and properties written outside the
 * tree (docs/plugins.md). A plugin file exports, as its default export or
 * under any name, what definePolicy and defineProperty return (or an array of
 * them); `pinlab <command> --policy ./file.js` loads it (a .ts file too).
 *
 * The API is versioned: every definition carries PLUGIN_API_VERSION, and the
 * loader refuses a file written for another version.
 */
import { MR_VALID, mr as mrOff } from "../model/layout.js";
import type { LayoutQuery, ParamSpec } from "../model/policy.js";
import type { PolicyAnswers } from "../policies/base.js";
import { PROPOSAL_DEFAULTS } from "../policies/base.js";
import type { Property } from "../properties/property.js";

export type { ModelEvent } from "../model/events.js";
export type { Model, State } from "../model/layout.js";
export type {
  Escalation,
  GupEra,
  LayoutChangeKind,
  LayoutDecision,
  LayoutQuery,
  ParamSpec,
  PinnerQuery,
  PinQuery,
  Policy,
  PolicyModule,
  RevokeAction,
  RevokeQuery,
} from "../model/policy.js";
export type { PolicyAnswers } from "../policies/base.js";
export type { Finding, Property } from "../properties/property.js";
export { ERRNO as errno } from "./answers.js";

/** The version of this API; a plugin written for another one is refused with a message. */
export const PLUGIN_API_VERSION = 1;

/** What a policy plugin states: its documentation, its parameters, and its answers. */
export interface PolicySpec {
  /** Lower-case letters, digits and `-`; not the name of a built-in policy. */
  readonly name: string;
  /** One line for `pinlab policies`. */
  readonly summary: string;
  /** Who proposed it: the mail or commit it models. */
  readonly source: string;
  /** Its parameters (`--param name=value`), each with its values and default. */
  readonly params?: readonly ParamSpec[];
  /**
   * The answers for validated parameters (every parameter present, defaults
   * filled in). Answers left out are those of PROPOSAL_DEFAULTS, today's
   * kernel where a 2019 proposal is silent; layoutChange is required. Must
   * keep no state: the same question always gets the same answer.
   */
  readonly answers: (
    params: Readonly<Record<string, string>>,
  ) => Partial<PolicyAnswers> & Pick<PolicyAnswers, "layoutChange">;
}

export interface PolicyDefinition extends PolicySpec {
  readonly pinlab: "policy";
  readonly apiVersion: number;
  /** Where definePolicy was called (file:line), for diagnostics. */
  readonly definedAt: string | null;
}

/** A user property: the same interface as the bundled ones (properties/property.ts). */
export type PropertySpec = Property;

export interface PropertyDefinition extends Property {
  readonly pinlab: "property";
  readonly apiVersion: number;
  readonly definedAt: string | null;
}

/** The caller's frame of a define* call, as file:line (null if the stack does not say). */
function callSite(): string | null {
  const lines = new Error().stack?.split("\n") ?? [];
  // 0: "Error", 1: callSite, 2: define*, 3: the plugin's line
  const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):\d+\)?\s*$/.exec(lines[3] ?? "");
  return m ? `${m[1]!.replace(/^file:\/\//, "")}:${m[2]}` : null;
}

/** A policy for pinlab, checked by the loader when the file loads. */
export function definePolicy(spec: PolicySpec): PolicyDefinition {
  return { ...spec, pinlab: "policy", apiVersion: PLUGIN_API_VERSION, definedAt: callSite() };
}

/** A property for pinlab, judged by every engine like the bundled ones. */
export function defineProperty(spec: PropertySpec): PropertyDefinition {
  return { ...spec, pinlab: "property", apiVersion: PLUGIN_API_VERSION, definedAt: callSite() };
}

/** The answers a policy starts from (today's kernel where the 2019 proposals are silent). */
export const DEFAULT_ANSWERS: Readonly<Omit<PolicyAnswers, "layoutChange">> = PROPOSAL_DEFAULTS;

/**
 * The processes holding long-term pins (registered, non-ODP RDMA MRs) on the
 * file of a layout change, in process order. `q.caller` is among them when
 * the caller pins the file itself.
 */
export function pinHolders(q: LayoutQuery): number[] {
  const { model: m, state: s } = q;
  const out: number[] = [];
  for (let x = 0; x < m.mrs.length; x++) {
    const mi = m.mrs[x]!;
    if (mi.odp || s[mrOff(m, x)] !== MR_VALID) continue;
    if (m.vmas[mi.vma]!.inode !== q.inode) continue;
    if (!out.includes(mi.proc)) out.push(mi.proc);
  }
  return out;
}

/** A process's name in the scenario (for findings). */
export function processName(m: LayoutQuery["model"], proc: number): string {
  return m.procs[proc]?.name ?? `proc#${proc}`;
}
