/**
 * One table of a policy's answers and one of a property's fields: what each
 * must be, checked when a plugin loads, and, for the answers that are
 * functions, what each call must return, checked at every call. The tables
 * are typed over the interfaces (model/policy.ts, properties/property.ts), so
 * a new answer in the interface fails the build until it has its line here.
 */
import { ERRNO_NAMES, errnoByName } from "../model/errno.js";
import type { LayoutDecision } from "../model/policy.js";
import { LEASE_VARIANTS } from "../model/spec.js";
import type { PolicyAnswers } from "../policies/base.js";
import type { Property } from "../properties/property.js";

/** A value answer (checked once), or a function answer (its results checked at each call). */
export type AnswerRule =
  | {
      readonly form: "value";
      readonly what: string;
      readonly ok: (v: unknown) => boolean;
      /** Whether the answer may be left out (undefined). */
      readonly optional?: boolean;
    }
  | {
      readonly form: "function";
      readonly what: string;
      /** Whether the function may be left out (undefined). */
      readonly optional?: boolean;
      /** What a call must return, and a test of it. */
      readonly returns: string;
      readonly result: (r: unknown) => boolean;
    };

const oneOf = (...values: readonly string[]): AnswerRule => ({
  form: "value",
  what: values.map((v) => JSON.stringify(v)).join(" or "),
  ok: (v) => typeof v === "string" && values.includes(v),
});
const bool: AnswerRule = {
  form: "value",
  what: "true or false",
  ok: (v) => typeof v === "boolean",
};
const fn = (
  what: string,
  returns: string,
  result: (r: unknown) => boolean,
  optional = false,
): AnswerRule => ({ form: "function", what, returns, result, optional });

const isErrno = (r: unknown) => Number.isInteger(r) && (r as number) > 0 && (r as number) < 4096;

/** A LayoutDecision (model/policy.ts), with a positive errno for `fail`. */
function isDecision(r: unknown): r is LayoutDecision {
  if (typeof r !== "object" || r === null) return false;
  const d = (r as { do?: unknown }).do;
  if (d === "fail") return isErrno((r as { errno?: unknown }).errno);
  return d === "proceed" || d === "wait" || d === "defer" || d === "revoke";
}

/** Every answer of the Policy interface (model/policy.ts), one line each. */
export const POLICY_ANSWERS: { readonly [K in keyof PolicyAnswers]-?: AnswerRule } = {
  mayPin: fn(
    "a function (q: PinQuery) => number",
    "0 (allow the pin) or a positive errno",
    (r) => r === 0 || isErrno(r),
  ),
  writableFileRule: oneOf("all", "pagecache", "none"),
  gupEra: oneOf("2019", "v6.2"),
  migrateBeforePin: bool,
  odp: bool,
  revocablePins: bool,
  layoutLeases: bool,
  layoutLeaseVariant: fn(
    "a function (m: Model) => LeaseVariant, or left out",
    LEASE_VARIANTS.map((v) => JSON.stringify(v)).join(" or "),
    (r) => typeof r === "string" && (LEASE_VARIANTS as readonly string[]).includes(r),
    true,
  ),
  swapfileOnPin: bool,
  busyScope: oneOf("file", "range"),
  shortTermRefs: oneOf("wait", "proceed"),
  layoutChange: fn(
    "a function (q: LayoutQuery) => LayoutDecision",
    '{ do: "proceed" | "wait" | "defer" | "revoke" } or { do: "fail", errno: <positive errno> }',
    isDecision,
  ),
  revokePinner: fn(
    "a function (q: RevokeQuery) => RevokeAction",
    '"break", "invalidate" or "wait"',
    (r) => r === "break" || r === "invalidate" || r === "wait",
  ),
  leaseBreakTimeout: fn(
    "a function (q: PinnerQuery) => Escalation",
    '"sigkill" or "invalidate"',
    (r) => r === "sigkill" || r === "invalidate",
  ),
  swapfileCheck: oneOf("vfs", "newsize"),
  unbindSigbus: bool,
  // linux(kernel=...) only: a plugin may model a release's rules too
  kernel: {
    form: "value",
    what: "left out, or { release: string, ioUringFileCheck: boolean, umemForce: boolean, sealCountsSharedMap?: boolean }",
    optional: true,
    ok: (v) => {
      if (v === undefined) return true;
      const k = v as Record<string, unknown>;
      return (
        typeof v === "object" &&
        v !== null &&
        typeof k.release === "string" &&
        typeof k.ioUringFileCheck === "boolean" &&
        typeof k.umemForce === "boolean" &&
        (k.sealCountsSharedMap === undefined || typeof k.sealCountsSharedMap === "boolean")
      );
    },
  },
};

const isFinding = (r: unknown) =>
  r === null || (typeof r === "object" && typeof (r as { message?: unknown }).message === "string");

type PropertyFields = Omit<Property, "name" | "summary">;

/** Every field of the Property interface (properties/property.ts) but its name and summary. */
export const PROPERTY_FIELDS: { readonly [K in keyof PropertyFields]-?: AnswerRule } = {
  kind: oneOf("safety", "liveness", "possibility"),
  reads: {
    form: "value",
    what: "left out, or an array of the event kinds onStep reads (model/events.ts)",
    optional: true,
    ok: (v) => v === undefined || (Array.isArray(v) && v.every((k) => typeof k === "string")),
  },
  group: oneOf("safety", "cost", "capability", "result"),
  onStep: fn(
    "a function (m, before, after, events) => Finding | null, or left out",
    "null or { message: string }",
    isFinding,
    true,
  ),
  atEnd: fn(
    "a function (m, s) => Finding | null, or left out",
    "null or { message: string }",
    isFinding,
    true,
  ),
  pending: fn(
    "a function (m, s) => boolean, or left out",
    "true or false",
    (r) => typeof r === "boolean",
    true,
  ),
};

/** The errno names a plugin can use (`errno.EBUSY`), from model/errno.ts. */
export const ERRNO: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(ERRNO_NAMES.map((n) => [n, errnoByName(n)!])),
);
