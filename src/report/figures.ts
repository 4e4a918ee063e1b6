/**
 * Measured figures in words, shared by the simulation report and the
 * simulated columns of the comparison: durations in the unit that reads
 * best, counts and rates short, an interval as its mean and its bounds.
 */
import type { Interval } from "../engine/simulate/result.js";

/** The unit a duration reads best in: its size in seconds and its name. */
function unitOf(s: number): readonly [number, string] {
  const a = Math.abs(s);
  if (a < 1e-3) return [1e-6, "µs"];
  if (a < 1) return [1e-3, "ms"];
  if (a < 120) return [1, "s"];
  if (a < 7200) return [60, "min"];
  if (a < 3 * 86400) return [3600, "h"];
  return [86400, "d"];
}

function inUnit(s: number, [size, name]: readonly [number, string]): string {
  const x = s / size;
  const a = Math.abs(x);
  return `${a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2)} ${name}`;
}

/** A duration in the unit that reads best: 120 µs, 35.0 ms, 1.20 s, 4.50 min, 24.0 h, 7.00 d. */
export function duration(s: number): string {
  if (!Number.isFinite(s)) return String(s);
  if (s === 0) return "0 s";
  return inUnit(s, unitOf(s));
}

/** Durations all in the unit that `ref` reads best in (an interval's bounds in its mean's unit). */
export function durationAs(ref: number): (s: number) => string {
  if (!Number.isFinite(ref) || ref === 0) return duration;
  const u = unitOf(ref);
  return (s) => (Number.isFinite(s) ? inUnit(s, u) : String(s));
}

/** A count or rate, short: 0, 0.013, 0.25, 1.5, 24, 1,200, 3.40e+6. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e6) return x.toExponential(2);
  if (a >= 100) return Math.round(x).toLocaleString("en");
  if (a >= 1) return x.toFixed(2).replace(/\.?0+$/, "");
  return x.toPrecision(2);
}

/**
 * An interval as "mean [lo, hi]" (just the mean when the bounds are equal to
 * it); durations with `seconds`, all in the mean's unit ("2.03 min [1.80, 2.25]").
 * Every figure measured is non-negative, so a lower bound below 0 shows as 0.
 */
export function intervalText(i: Interval, seconds = false): string {
  if (i.lo === i.hi && i.lo === i.mean) return seconds ? duration(i.mean) : num(i.mean);
  const lo = Math.max(0, i.lo);
  if (!seconds) return `${num(i.mean)} [${num(lo)}, ${num(i.hi)}]`;
  const show = durationAs(i.mean);
  const bare = (x: number) => show(x).replace(/ \S+$/, "");
  return `${show(i.mean)} [${bare(lo)}, ${bare(i.hi)}]`;
}
