/**
 * Sampling the durations of timed scenarios (spec.ts `Distribution`) from a
 * seeded generator that the simulator hands in: nothing here reads a clock
 * or `Math.random`. Every sample is in seconds and never negative.
 */
import type { Distribution } from "../../model/spec.js";

/** A generator of uniform numbers in [0, 1). */
export type Uniform = () => number;

/** One sample of d. */
export function sample(d: Distribution, rand: Uniform): number {
  switch (d.kind) {
    case "fixed":
      return d.value;
    case "uniform":
      return d.min + (d.max - d.min) * rand();
    case "exponential":
      // Inversion: -mean·ln(1-U), U in [0,1) so the logarithm is finite.
      return -d.mean * Math.log(1 - rand());
    case "lognormal":
      return d.median * Math.exp(d.sigma * normal(rand));
    case "empirical":
      return empirical(d.points, rand());
  }
}

/** A standard normal deviate (Box–Muller, one of the pair). */
function normal(rand: Uniform): number {
  const u = 1 - rand(); // (0, 1]
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * The inverse of the piecewise-linear CDF through the percentiles: below the
 * first point the first value, above the last the last value, between two
 * points linear interpolation.
 */
function empirical(points: readonly { readonly p: number; readonly value: number }[], u: number) {
  if (points.length === 0) throw new Error("pinlab bug: an empirical distribution without points");
  if (u <= points[0]!.p) return points[0]!.value;
  for (let i = 1; i < points.length; i++) {
    const b = points[i]!;
    if (u <= b.p) {
      const a = points[i - 1]!;
      return b.p === a.p ? b.value : a.value + ((u - a.p) / (b.p - a.p)) * (b.value - a.value);
    }
  }
  return points[points.length - 1]!.value;
}

/** The mean of d (for docs, tests and the notes of a result). */
export function meanOf(d: Distribution): number {
  switch (d.kind) {
    case "fixed":
      return d.value;
    case "uniform":
      return (d.min + d.max) / 2;
    case "exponential":
      return d.mean;
    case "lognormal":
      return d.median * Math.exp((d.sigma * d.sigma) / 2);
    case "empirical": {
      // Integral of the piecewise-linear inverse CDF, the ends held flat.
      const pts = d.points;
      let acc = pts[0]!.value * pts[0]!.p;
      for (let i = 1; i < pts.length; i++)
        acc += ((pts[i - 1]!.value + pts[i]!.value) / 2) * (pts[i]!.p - pts[i - 1]!.p);
      return acc + pts[pts.length - 1]!.value * (1 - pts[pts.length - 1]!.p);
    }
  }
}

/** Why d cannot be sampled (a bad parameter), or null. */
export function distributionError(d: Distribution): string | null {
  const finite = (x: number) => Number.isFinite(x) && x >= 0;
  switch (d.kind) {
    case "fixed":
      return finite(d.value)
        ? null
        : `a fixed duration must be a finite number ≥ 0 (got ${d.value})`;
    case "uniform":
      return finite(d.min) && finite(d.max) && d.min <= d.max
        ? null
        : `uniform needs 0 ≤ min ≤ max (got ${d.min}..${d.max})`;
    case "exponential":
      return finite(d.mean) && d.mean > 0 ? null : `exponential needs a mean > 0 (got ${d.mean})`;
    case "lognormal":
      return finite(d.median) && d.median > 0 && finite(d.sigma)
        ? null
        : `lognormal needs a median > 0 and a sigma ≥ 0 (got ${d.median}, ${d.sigma})`;
    case "empirical": {
      if (d.points.length === 0) return "empirical needs at least one percentile";
      for (let i = 0; i < d.points.length; i++) {
        const q = d.points[i]!;
        if (!(q.p >= 0 && q.p <= 1) || !finite(q.value))
          return `empirical percentiles need p in 0..1 and a duration ≥ 0 (got p=${q.p}, ${q.value})`;
        if (i > 0 && (q.p < d.points[i - 1]!.p || q.value < d.points[i - 1]!.value))
          return "empirical percentiles must ascend, in p and in value";
      }
      return null;
    }
  }
}
