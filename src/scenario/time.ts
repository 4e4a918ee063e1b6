/**
 * Durations, rates and distributions of the `.pin` format: reading them from
 * a statement's arguments and printing them back. Time is data in seconds
 * (spec.ts Distribution); only `simulate` samples it.
 *
 * A duration is a number with a unit: `100us`, `10ms`, `45s`, `1.5s`,
 * `5min`, `1h`, `7d`. A rate is a count per unit, `10k/s` or `60/h`, and
 * stands for its interval (`10k/s` is `100us`). A distribution is a bare
 * duration (fixed) or one of `fixed D`, `uniform D..D` (or `min=D max=D`),
 * `exp D` (mean; also `mean=D`), `lognormal median=D sigma=X` (or
 * `lognormal D sigma=X`), `empirical [min=D] pNN=D ... max=D`.
 */

import type { Distribution } from "../model/spec.js";
import type { Arg, Item } from "./ast.js";
import type { DiagnosticSink, Span } from "./diagnostics.js";

/** Units of a duration, in seconds; sub-second ones divide so that `1500ms` is exactly 1.5. */
const UNITS: ReadonlyMap<string, { readonly per: number; readonly divide: boolean }> = new Map([
  ["us", { per: 1e6, divide: true }],
  ["ms", { per: 1e3, divide: true }],
  ["s", { per: 1, divide: false }],
  ["min", { per: 60, divide: false }],
  ["h", { per: 3600, divide: false }],
  ["d", { per: 86400, divide: false }],
]);

export const DURATION_HINT =
  "a duration is a number with a unit: `100us`, `10ms`, `45s`, `1.5s`, `5min`, `1h`, `7d`; a rate such as `10k/s` means its interval";

const inUnit = (n: number, unit: string): number => {
  const u = UNITS.get(unit)!;
  return u.divide ? n / u.per : n * u.per;
};

/** `45s` → 45, `10k/s` → 0.0001; anything else → undefined. */
export function parseDuration(text: string): number | undefined {
  const d = /^([0-9]+(?:\.[0-9]+)?)(us|ms|s|min|h|d)$/.exec(text);
  if (d) return inUnit(Number(d[1]), d[2]!);
  const r = /^([0-9]+(?:\.[0-9]+)?)(k|M)?\/(us|ms|s|min|h|d)$/.exec(text);
  if (r) {
    const count = Number(r[1]) * (r[2] === "k" ? 1e3 : r[2] === "M" ? 1e6 : 1);
    if (count <= 0) return undefined;
    return inUnit(1, r[3]!) / count;
  }
  return undefined;
}

/** A duration in the largest unit that holds it exactly; reading the text gives the same number. */
export function printDuration(x: number): string {
  if (x === 0) return "0s";
  // Days from two on (a day is `24h`).
  if (x % 86400 === 0 && x >= 2 * 86400) return `${x / 86400}d`;
  for (const [unit, per] of [
    ["h", 3600],
    ["min", 60],
  ] as const)
    if (x % per === 0) return `${x / per}${unit}`;
  if (Number.isInteger(x)) return `${x}s`;
  for (const [unit, per] of [
    ["ms", 1e3],
    ["us", 1e6],
  ] as const) {
    const n = Math.round(x * per);
    if (n / per === x && n > 0) return `${n}${unit}`;
  }
  const s = String(x);
  return /e/.test(s) ? `${x.toFixed(9).replace(/0+$/, "")}s` : `${s}s`;
}

/** A plain decimal (`sigma=0.5`). */
function printNumber(x: number): string {
  const s = String(x);
  return /e/.test(s) ? x.toFixed(9).replace(/0+$/, "") : s;
}

/** `p50` → 0.5, `p999` → 0.999, `min` → 0, `max` → 1. */
export function percentileOf(key: string): number | undefined {
  if (key === "min") return 0;
  if (key === "max") return 1;
  const m = /^p([0-9]{2,})$/.exec(key);
  return m ? Number(`0.${m[1]}`) : undefined;
}

function percentileKey(p: number): string {
  if (p === 0) return "min";
  if (p === 1) return "max";
  return `p${String(p).slice(2).padEnd(2, "0")}`;
}

export function printDistribution(d: Distribution): string {
  switch (d.kind) {
    case "fixed":
      return printDuration(d.value);
    case "uniform":
      return `uniform ${printDuration(d.min)}..${printDuration(d.max)}`;
    case "exponential":
      return `exp ${printDuration(d.mean)}`;
    case "lognormal":
      return `lognormal median=${printDuration(d.median)} sigma=${printNumber(d.sigma)}`;
    case "empirical":
      return [
        "empirical",
        ...d.points
          // the implicit floor (min=0s) is left out
          .filter((pt, i) => !(i === 0 && pt.p === 0 && pt.value === 0))
          .map((pt) => `${percentileKey(pt.p)}=${printDuration(pt.value)}`),
      ].join(" ");
  }
}

export const DISTRIBUTION_KINDS = ["fixed", "uniform", "exp", "lognormal", "empirical"] as const;

export const DISTRIBUTION_SYNOPSIS =
  "`45s`, `fixed 45s`, `uniform 1s..5s`, `exp 2s`, `lognormal median=1s sigma=0.5` or `empirical p50=1ms p99=20ms max=1s`";

/** What a distribution was read from, for diagnostics. */
export interface ReadDistribution {
  readonly dist?: Distribution;
  /** Where the distribution's text is. */
  readonly span?: Span;
}

const itemText = (it: Item): string =>
  it.kind === "range"
    ? `${it.first.text}..${it.last.text}`
    : it.kind === "dotted"
      ? `${it.left.text}.${it.right.text}`
      : it.name.text;

/**
 * Reads a distribution from `args` (everything after the statement's own
 * words). Reports what is wrong (PIN108 missing, PIN109 a bad value, PIN106
 * an argument it does not take, PIN317 values out of order) and returns no
 * distribution then. `what` names the statement for messages.
 */
export function readDistribution(
  args: readonly Arg[],
  at: Span,
  what: string,
  sink: DiagnosticSink,
  quiet: boolean,
): ReadDistribution {
  const first = args[0];
  if (!first) {
    if (!quiet)
      sink.report("PIN108", at, `\`${what}\` needs a duration`, `write ${DISTRIBUTION_SYNOPSIS}`);
    return {};
  }
  const last = args[args.length - 1]!;
  const span: Span = {
    line: first.span.line,
    col: first.span.col,
    endCol: last.span.line === first.span.line ? last.span.endCol : first.span.endCol,
  };
  const bad = (s: Span, message: string, hint: string = DURATION_HINT): ReadDistribution => {
    sink.report("PIN109", s, message, hint);
    return {};
  };
  const single = (a: Arg): Item | undefined => (a.items.length === 1 ? a.items[0] : undefined);
  const duration = (a: Arg | undefined, role: string): number | undefined => {
    const it = a ? single(a) : undefined;
    if (!a || !it) {
      if (a) bad(a.span, `${role} of \`${what}\` takes one duration`);
      return undefined;
    }
    const v = it.kind === "number" ? parseDuration(it.name.text) : undefined;
    if (v === undefined) {
      bad(it.span, `\`${itemText(it)}\` is not a duration`);
      return undefined;
    }
    return v;
  };
  const rest = (from: number, allowed: readonly string[]): boolean => {
    for (const a of args.slice(from))
      if (!a.key || !allowed.includes(a.key.text)) {
        sink.report(
          "PIN106",
          a.key ?? a.span,
          a.key
            ? `this distribution has no argument \`${a.key.text}=\``
            : `unexpected \`${a.items.map(itemText).join(",")}\` after the distribution`,
          `write ${DISTRIBUTION_SYNOPSIS}`,
        );
        return false;
      }
    return true;
  };
  const keyed = (from: number): Map<string, Arg> => {
    const m = new Map<string, Arg>();
    for (const a of args.slice(from)) if (a.key) m.set(a.key.text, a);
    return m;
  };
  const order = (s: Span, ok: boolean, message: string): boolean => {
    if (!ok) sink.report("PIN317", s, message, "write the smaller value first");
    return ok;
  };

  const head = first.key ? undefined : single(first);
  if (head?.kind === "number") {
    const v = duration(first, "the duration");
    if (v === undefined || !rest(1, [])) return {};
    return { dist: { kind: "fixed", value: v }, span };
  }
  if (
    head?.kind !== "word" ||
    !(DISTRIBUTION_KINDS as readonly string[]).includes(head.name.text)
  ) {
    if (head?.kind === "word" && head.name.text === "exponential") {
      // the long name is accepted too
    } else
      return bad(
        first.span,
        `expected a duration or a distribution in \`${what}\`, found \`${first.key ? `${first.key.text}=` : head ? itemText(head) : ""}\``,
        `write ${DISTRIBUTION_SYNOPSIS}`,
      );
  }
  const kind = head.name.text;
  const second = args[1] && !args[1].key ? args[1] : undefined;
  const keys = keyed(second ? 2 : 1);
  const from = second ? 2 : 1;
  switch (kind) {
    case "fixed": {
      const v = duration(second, "`fixed`");
      if (!second) return bad(first.span, "`fixed` needs a duration", "e.g. `fixed 45s`");
      if (v === undefined || !rest(2, [])) return {};
      return { dist: { kind: "fixed", value: v }, span };
    }
    case "uniform": {
      if (!rest(from, ["min", "max"])) return {};
      let lo: number | undefined;
      let hi: number | undefined;
      const it = second ? single(second) : undefined;
      if (it?.kind === "range") {
        lo = parseDuration(it.first.text);
        hi = parseDuration(it.last.text);
        if (lo === undefined || hi === undefined)
          return bad(
            it.span,
            `\`${itemText(it)}\` is not a range of durations`,
            "e.g. `uniform 1s..5s`",
          );
      } else if (second) {
        return bad(second.span, "`uniform` takes a range of durations", "e.g. `uniform 1s..5s`");
      } else {
        if (!keys.has("min") || !keys.has("max"))
          return bad(first.span, "`uniform` needs its bounds", "e.g. `uniform 1s..5s`");
        lo = duration(keys.get("min"), "`min=`");
        hi = duration(keys.get("max"), "`max=`");
        if (lo === undefined || hi === undefined) return {};
      }
      if (!order(span, lo <= hi, "the lower bound of `uniform` is above its upper bound"))
        return {};
      return { dist: { kind: "uniform", min: lo, max: hi }, span };
    }
    case "exp":
    case "exponential": {
      if (!rest(from, ["mean"])) return {};
      const src = second ?? keys.get("mean");
      if (!src) return bad(first.span, "`exp` needs its mean", "e.g. `exp 2s`");
      const mean = duration(src, "the mean");
      if (mean === undefined) return {};
      if (mean <= 0) return bad(src.span, "the mean of `exp` must be above zero");
      return { dist: { kind: "exponential", mean }, span };
    }
    case "lognormal": {
      if (!rest(from, ["median", "sigma"])) return {};
      const src = second ?? keys.get("median");
      const sg = keys.get("sigma");
      if (!src || !sg)
        return bad(
          first.span,
          "`lognormal` needs its median and sigma",
          "e.g. `lognormal median=1s sigma=0.5`",
        );
      const median = duration(src, "the median");
      if (median === undefined) return {};
      if (median <= 0) return bad(src.span, "the median of `lognormal` must be above zero");
      const s = single(sg);
      const sigma =
        s?.kind === "number" && /^[0-9]+(\.[0-9]+)?$/.test(s.name.text)
          ? Number(s.name.text)
          : undefined;
      if (sigma === undefined)
        return bad(
          sg.span,
          "`sigma=` is a plain number (the log-scale spread)",
          "e.g. `sigma=0.5`",
        );
      return { dist: { kind: "lognormal", median, sigma }, span };
    }
    default: {
      if (second)
        return bad(
          second.span,
          "`empirical` takes only percentiles",
          "e.g. `empirical p50=1ms p99=20ms max=1s`",
        );
      const points: { p: number; value: number }[] = [];
      for (const a of args.slice(1)) {
        const p = a.key ? percentileOf(a.key.text) : undefined;
        if (p === undefined) {
          sink.report(
            "PIN106",
            a.key ?? a.span,
            `\`${a.key ? `${a.key.text}=` : a.items.map(itemText).join(",")}\` is not a percentile`,
            "percentiles are `min=`, `p50=`, `p90=`, `p99=`, `p999=` (99.9th), ..., `max=`",
          );
          return {};
        }
        const v = duration(a, `\`${a.key!.text}=\``);
        if (v === undefined) return {};
        points.push({ p, value: v });
      }
      if (!points.some((x) => x.p === 1))
        return bad(
          first.span,
          "`empirical` needs `max=`",
          "e.g. `empirical p50=1ms p99=20ms max=1s`",
        );
      points.sort((x, y) => x.p - y.p);
      for (let i = 1; i < points.length; i++) {
        if (points[i]!.p === points[i - 1]!.p) return bad(span, "a percentile is given twice");
        if (
          !order(
            span,
            points[i]!.value >= points[i - 1]!.value,
            "the percentiles of `empirical` must not decrease",
          )
        )
          return {};
      }
      // Below the first percentile given the distribution starts at zero (an implicit `min=0s`).
      if (points[0]!.p !== 0) points.unshift({ p: 0, value: 0 });
      return { dist: { kind: "empirical", points }, span };
    }
  }
}
