/**
 * The comparison document's schema as a checker: every field of a document
 * read back from a file (a shard given to `merge`) is checked for its type
 * before anything reads it, so that a malformed or crafted document is a
 * message naming the field, never a crash and never a value that reaches a
 * report unchecked (a count is a finite non-negative integer, a string is a
 * string, an enum one of its words). Fields this version does not know are
 * ignored, as docs/json.md promises; `merge` rebuilds its output from the
 * checked fields only, so they cannot reach it either.
 */
import { COMPARE_SCHEMA } from "../engine/matrix/aggregate.js";
import type { CompareDoc } from "./compare.js";

/** A checker: null when `v` fits, else what is wrong with it (`at` names the field). */
type Check = (v: unknown, at: string) => string | null;

/** A value in a message, short (and with control characters escaped, as JSON does). */
const show = (v: unknown): string => {
  if (v === undefined) return "nothing";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object" && v !== null) return "an object";
  if (typeof v === "string" && v.length > 40) return `${JSON.stringify(v.slice(0, 37))}...`;
  return JSON.stringify(v);
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const str: Check = (v, at) =>
  typeof v === "string" ? null : `${at} must be a string (got ${show(v)})`;
const bool: Check = (v, at) =>
  typeof v === "boolean" ? null : `${at} must be true or false (got ${show(v)})`;
/** A count: a finite non-negative integer. */
const count: Check = (v, at) =>
  Number.isSafeInteger(v) && (v as number) >= 0
    ? null
    : `${at} must be a non-negative integer (got ${show(v)})`;
const positive: Check = (v, at) =>
  Number.isSafeInteger(v) && (v as number) >= 1
    ? null
    : `${at} must be a positive integer (got ${show(v)})`;
/** A measurement: a finite non-negative number. */
const amount: Check = (v, at) =>
  typeof v === "number" && Number.isFinite(v) && v >= 0
    ? null
    : `${at} must be a finite non-negative number (got ${show(v)})`;
const int: Check = (v, at) =>
  Number.isSafeInteger(v) ? null : `${at} must be an integer (got ${show(v)})`;
const hex16: Check = (v, at) =>
  typeof v === "string" && /^[0-9a-f]{16}$/.test(v)
    ? null
    : `${at} must be a hash of 16 hex digits (got ${show(v)})`;
const oneOf =
  (...words: readonly unknown[]): Check =>
  (v, at) =>
    words.includes(v)
      ? null
      : `${at} must be one of ${words.map(show).join(", ")} (got ${show(v)})`;
const nullable =
  (c: Check): Check =>
  (v, at) =>
    v === null ? null : c(v, at);
const array =
  (c: Check): Check =>
  (v, at) => {
    if (!Array.isArray(v)) return `${at} must be an array (got ${show(v)})`;
    for (let i = 0; i < v.length; i++) {
      const e = c(v[i], `${at}[${i}]`);
      if (e) return e;
    }
    return null;
  };
/** An object with these fields (others are ignored). */
const object =
  (fields: Readonly<Record<string, Check>>): Check =>
  (v, at) => {
    if (!isObject(v)) return `${at} must be an object (got ${show(v)})`;
    for (const [k, c] of Object.entries(fields)) {
      const e = c(Object.hasOwn(v, k) ? v[k] : undefined, at ? `${at}.${k}` : k);
      if (e) return e;
    }
    return null;
  };
/** An object whose every own field is checked by `c` (parameters, statistics). */
const record =
  (c: Check): Check =>
  (v, at) => {
    if (!isObject(v)) return `${at} must be an object (got ${show(v)})`;
    for (const [k, x] of Object.entries(v)) {
      const e = c(x, `${at}.${k}`);
      if (e) return e;
    }
    return null;
  };
const anyObject: Check = (v, at) =>
  isObject(v) ? null : `${at} must be an object (got ${show(v)})`;

const shard = object({ index: positive, count: positive });

const step = object({
  n: positive,
  actor: str,
  lane: str,
  text: str,
  reactions: array(str),
  marks: array(str),
});

/** A field added within a version: absent in documents written before it. */
const optional =
  (c: Check): Check =>
  (v, at) =>
    v === undefined ? null : c(v, at);

const verdict = object({
  name: str,
  kind: oneOf("safety", "liveness", "possibility"),
  verdict: oneOf("Never", "Sometimes"),
  proved: bool,
  witnessLength: nullable(count),
  lasso: nullable(object({ prefix: count, cycle: count })),
  token: nullable(str),
  message: nullable(str),
  witness: nullable(array(int)),
  steps: nullable(array(step)),
  vacuous: optional(bool),
  // made again from the witness by merge; only its type is checked here
  reason: optional(nullable(anyObject)),
  assumption: optional(nullable(str)),
});

const cell = object({
  scenario: str,
  title: str,
  file: nullable(str),
  policy: str,
  params: record(str),
  status: oneOf("complete", "incomplete"),
  reason: nullable(str),
  stats: record(amount),
  verdicts: array(verdict),
  expectations: array(
    object({
      text: str,
      ok: bool,
      undecided: bool,
      detail: str,
      assumption: optional(nullable(str)),
    }),
  ),
  coverage: optional(
    nullable(
      object({ reached: array(str), unreached: array(str), registers: bool, registered: bool }),
    ),
  ),
  vacuity: optional(nullable(str)),
  exit: oneOf(0, 1, 3),
});

const comparison = object({
  pinlab: str,
  scenarios: array(object({ ref: str, hash: hex16 })),
  policies: array(
    object({
      name: str,
      params: record(str),
      plugin: optional(object({ file: str, hash: hex16 })),
    }),
  ),
  bounds: object({ maxStates: nullable(amount), maxTimeMs: nullable(amount) }),
});

const document = object({
  schema: oneOf(COMPARE_SCHEMA),
  comparison,
  shard: nullable(shard),
  policies: array(object({ name: str, summary: str, source: str })),
  properties: array(
    object({
      name: str,
      kind: str,
      group: (v, at) => (v === undefined ? null : str(v, at)),
      summary: str,
    }),
  ),
  scenarios: array(
    object({
      ref: str,
      title: str,
      file: nullable(str),
      lanes: array(str),
      hash: hex16,
      source: nullable(str),
      spec: anyObject,
    }),
  ),
  cells: array(cell),
  totals: object({
    cells: count,
    states: count,
    incomplete: count,
    expectationsMet: count,
    expectationsFailed: count,
    expectationsUndecided: count,
  }),
  digest: hex16,
});

/** The deepest nesting a document may have (a real one has about 10): deeper JSON is refused before anything recurses over it. */
export const MAX_DEPTH = 64;

/** Whether `v` nests arrays and objects deeper than `limit` (without recursion). */
function deeper(v: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length > 0) {
    const [x, d] = stack.pop()!;
    if (typeof x !== "object" || x === null) continue;
    if (d >= limit) return true;
    for (const y of Array.isArray(x) ? x : Object.values(x)) stack.push([y, d + 1]);
  }
  return false;
}

/**
 * Checks a parsed JSON value against the comparison document's schema. A
 * scenario's `spec` is only checked to be an object here: `merge` parses the
 * scenario's source again and compares.
 */
export function checkCompareDoc(
  v: unknown,
): { ok: true; doc: CompareDoc } | { ok: false; error: string } {
  if (deeper(v, MAX_DEPTH))
    return {
      ok: false,
      error: `nested deeper than ${MAX_DEPTH} levels: not a comparison document`,
    };
  if (!isObject(v)) return { ok: false, error: `not a comparison document (got ${show(v)})` };
  if (v.schema !== COMPARE_SCHEMA)
    return {
      ok: false,
      error:
        typeof v.schema === "string" && v.schema.startsWith("pinlab.compare/")
          ? `written with schema ${show(v.schema)}, but this pinlab reads ${COMPARE_SCHEMA} (check the shards again with this version)`
          : `not a comparison document (schema ${COMPARE_SCHEMA})`,
    };
  const e = document(v, "");
  return e ? { ok: false, error: e } : { ok: true, doc: v as unknown as CompareDoc };
}
