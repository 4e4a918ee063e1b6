/**
 * Helpers shared by policy modules: parameter validation and the defaults
 * every policy starts from (today's kernel rules where a proposal is silent).
 */
import type {
  Escalation,
  LayoutDecision,
  LayoutQuery,
  ParamSpec,
  PinQuery,
  Policy,
  PolicyModule,
  Question,
  RevokeAction,
} from "../model/policy.js";
import { closest } from "../util/suggest.js";
import { paramOf, valueAllowed } from "./ref.js";

/** The lease-break-time parameter: /proc/sys/fs/lease-break-time, 45 s by default (fs/locks.c). */
export const LEASE_BREAK_TIME: ParamSpec = {
  name: "lease-break-time",
  values: ["<seconds>"],
  default: "45",
  doc: "seconds before the kernel stops waiting for a lease holder (used by timed simulation)",
};

/** A policy's answers: everything but its documentation, parameters and the text of its answers. */
export type PolicyAnswers = Omit<Policy, "name" | "summary" | "source" | "params" | "answers">;
type Body = PolicyAnswers;

/** How the defaults below answer (a policy states the lines that differ). */
export const DEFAULT_ANSWERS: Readonly<Record<Question, string>> = {
  mayPin: "allowed on every backing",
  layoutChange:
    "fs-DAX: the change proceeds, blocks freed under the pins; page cache: pinned pages orphaned",
  revokePinner: "every pinner's lease broken: SIGIO to the holder, the lease-break timer starts",
  leaseBreakTimeout: "SIGKILL the holder",
};

/** Question 1's default: every long-term pin is allowed. */
export const allowPins = (_q: PinQuery): number => 0;

/**
 * Question 1 as today's kernel answers it (mm/gup.c check_vma_flags(), since
 * v4.15, 2bb6d2837083): a FOLL_LONGTERM pin of an fs-DAX VMA gets `errno`;
 * every other pin is allowed.
 */
export const refuseFsdax =
  (errno: number) =>
  (q: PinQuery): number =>
    q.stage === "vma" && q.dax ? errno : 0;

const PROCEED: LayoutDecision = { do: "proceed" };

/**
 * Question 2 for a policy that decides only for fs-DAX files: `dax` there,
 * and elsewhere `proceed` (page-cache truncate_inode_pages_range() orphans a
 * pinned page without waiting).
 */
export const onDax =
  (dax: LayoutDecision) =>
  (q: LayoutQuery): LayoutDecision =>
    q.dax ? dax : PROCEED;

/** Question 3's default: a revoke breaks every pinner's lease (Jan Kara's proposal). */
export const breakEveryPin = (): RevokeAction => "break";

/** Question 4 with one answer for every pinner. */
export const escalateWith = (e: Escalation) => (): Escalation => e;

/**
 * What a 2019 proposal leaves as the kernel does it: long-term pins of fs-DAX
 * pages allowed (that is each proposal's point), today's v6.5 rule for
 * writable pins of page-cache mappings, today's (v6.2) registration flags
 * (FOLL_WRITE only for writable MRs, R/O pins of private mappings unshare), migration out of ZONE_MOVABLE before
 * pinning, no ODP, no revocable pins, no userspace layout leases, a busy
 * check over the changed range only, a wait for short-term references
 * (O_DIRECT bios) as dax_layout_busy_page() does, every pinner's lease broken by a
 * revoke and SIGKILL as the only escalation at lease-break-time, and
 * no SIGBUS to the file's mappers at pmem unbind (that came with v6.8).
 * A policy states only how it differs, plus its answer to a layout change.
 */
export const PROPOSAL_DEFAULTS: Omit<Body, "layoutChange"> = {
  mayPin: allowPins,
  writableFileRule: "pagecache",
  gupEra: "v6.2",
  migrateBeforePin: true,
  odp: false,
  revocablePins: false,
  layoutLeases: false,
  swapfileOnPin: false,
  busyScope: "range",
  revokePinner: breakEveryPin,
  leaseBreakTimeout: escalateWith("sigkill"),
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
  body: (
    p: Readonly<Record<string, string>>,
  ) => Partial<Body> &
    Pick<Body, "layoutChange"> & { readonly answers?: Partial<Record<Question, string>> },
): PolicyModule {
  return {
    name,
    summary,
    source,
    params,
    create(given) {
      const values: Record<string, string> = {};
      for (const spec of params) values[spec.name] = given[spec.name] ?? spec.default;
      const b = body(values);
      const answers = { ...DEFAULT_ANSWERS, ...b.answers };
      return { name, summary, source, params: values, ...PROPOSAL_DEFAULTS, ...b, answers };
    },
  };
}

/** Checks parameters against a module: unknown names and values outside the documented set. */
export function checkParams(mod: PolicyModule, given: Readonly<Record<string, string>>): string[] {
  const errors: string[] = [];
  for (const [k, v] of Object.entries(given)) {
    const spec = paramOf(mod, k);
    if (!spec) {
      const known = mod.params.map((p) => p.name).join(", ") || "none";
      const near = closest(
        k,
        mod.params.map((p) => p.name),
      );
      errors.push(
        `policy ${mod.name} has no parameter ${k}${near ? ` (did you mean ${near}?)` : ""} (parameters: ${known})`,
      );
      continue;
    }
    if (!valueAllowed(spec, v)) {
      const near = spec.values[0]!.startsWith("<") ? undefined : closest(v, spec.values);
      errors.push(
        `policy ${mod.name}: ${k} must be ${spec.values.join(" or ")} (got ${v}${near ? `; did you mean ${near}?` : ""})`,
      );
    }
  }
  return errors;
}
