/**
 * Helpers shared by policy modules: parameter validation and the defaults
 * every policy starts from (today's kernel rules where a proposal is silent).
 */
import type { ParamSpec, Policy, PolicyModule } from "../model/policy.js";

/** The lease-break-time parameter: /proc/sys/fs/lease-break-time, 45 s by default (fs/locks.c). */
export const LEASE_BREAK_TIME: ParamSpec = {
  name: "lease-break-time",
  values: ["<seconds>"],
  default: "45",
  doc: "seconds before the kernel stops waiting for a lease holder (used by timed simulation)",
};

/** A policy's answers: everything but its documentation and parameters. */
export type PolicyAnswers = Omit<Policy, "name" | "summary" | "source" | "params">;
type Body = PolicyAnswers;

/**
 * What a 2019 proposal leaves as the kernel does it: long-term pins of fs-DAX
 * pages allowed (that is each proposal's point), today's v6.5 rule for
 * writable pins of page-cache mappings, today's (v6.2) registration flags
 * (FOLL_WRITE only for writable MRs, R/O pins of private mappings unshare), migration out of ZONE_MOVABLE before
 * pinning, no ODP, no revocable pins, no userspace layout leases, a busy
 * check over the changed range only, a wait for short-term references
 * (O_DIRECT bios) as dax_layout_busy_page() does, SIGKILL as the only escalation, and
 * no SIGBUS to the file's mappers at pmem unbind (that came with v6.8).
 * A policy states only how it differs, plus its answer to a layout change.
 */
export const PROPOSAL_DEFAULTS: Omit<Body, "layoutChange"> = {
  longtermFsdax: () => 0,
  writableFileRule: "pagecache",
  gupEra: "v6.2",
  migrateBeforePin: true,
  odp: false,
  revocablePins: false,
  layoutLeases: false,
  swapfileOnPin: false,
  busyScope: "range",
  escalation: "sigkill",
  shortTermRefs: "wait",
  swapfileCheck: "vfs",
  unbindSigbus: false,
};

/** Builds a policy module from its documentation and a constructor over validated parameters. */
export function definePolicy(
  name: string,
  summary: string,
  source: string,
  params: readonly ParamSpec[],
  body: (p: Readonly<Record<string, string>>) => Partial<Body> & Pick<Body, "layoutChange">,
): PolicyModule {
  return {
    name,
    summary,
    source,
    params,
    create(given) {
      const values: Record<string, string> = {};
      for (const spec of params) values[spec.name] = given[spec.name] ?? spec.default;
      return { name, summary, source, params: values, ...PROPOSAL_DEFAULTS, ...body(values) };
    },
  };
}

/** Checks parameters against a module: unknown names and values outside the documented set. */
export function checkParams(mod: PolicyModule, given: Readonly<Record<string, string>>): string[] {
  const errors: string[] = [];
  for (const [k, v] of Object.entries(given)) {
    const spec = mod.params.find((p) => p.name === k);
    if (!spec) {
      const known = mod.params.map((p) => p.name).join(", ") || "none";
      errors.push(`policy ${mod.name} has no parameter ${k} (parameters: ${known})`);
      continue;
    }
    const numeric = spec.values.length === 1 && spec.values[0]!.startsWith("<");
    if (numeric ? !/^\d+$/.test(v) : !spec.values.includes(v))
      errors.push(`policy ${mod.name}: ${k} must be ${spec.values.join(" or ")} (got ${v})`);
  }
  return errors;
}
