/**
 * Streaming statistics: latencies go into an HdrHistogram (constant memory,
 * two significant digits, 1 %, no stored samples); figures across seeds get a
 * mean and a 95 % confidence interval from Student's t.
 */
import * as hdr from "hdr-histogram-js";
import type { Interval } from "./result.js";

/** Latencies are recorded in microseconds: HdrHistogram counts integers. */
const UNIT = 1e6;

export interface LatencyHistogram {
  record(seconds: number): void;
  readonly count: number;
  /** The latency (seconds) at percentile q in 0..100. */
  at(q: number): number;
  /** `at` for each of qs (ascending, each in (0, 100]), in one pass over the buckets. */
  atEach(qs: readonly number[]): number[];
  readonly max: number;
  /** The compressed encoding, for sending across threads. */
  encode(): string;
  add(other: LatencyHistogram): void;
  reset(): void;
  /** (latency, fraction) pairs for a CDF plot, ascending. */
  cdf(points: number): { latency: number; fraction: number }[];
}

function wrap(h: hdr.Histogram): LatencyHistogram {
  return {
    record(seconds) {
      h.recordValue(Math.max(0, Math.round(seconds * UNIT)));
    },
    get count() {
      return h.totalCount;
    },
    // A bucket's highest equivalent value may pass the exact maximum: clamped to it.
    at: (q) => (h.totalCount === 0 ? 0 : Math.min(h.getValueAtPercentile(q), h.maxValue) / UNIT),
    atEach(qs) {
      if (h.totalCount === 0) return qs.map(() => 0);
      const values = valuesAtPercentiles(h, qs);
      return values.map((v) => Math.min(v, h.maxValue) / UNIT);
    },
    get max() {
      return h.totalCount === 0 ? 0 : h.maxValue / UNIT;
    },
    encode: () => hdr.encodeIntoCompressedBase64(h),
    add(other) {
      h.add((other as unknown as { raw: hdr.Histogram }).raw);
    },
    reset() {
      // A histogram that recorded nothing since it was built or reset is as reset leaves it.
      if (h.totalCount !== 0) h.reset();
    },
    cdf(points) {
      if (h.totalCount === 0) return [];
      const out: { latency: number; fraction: number }[] = [];
      for (let i = 0; i <= points; i++) {
        const q = (100 * i) / points;
        const latency = Math.min(h.getValueAtPercentile(q === 0 ? 0.0001 : q), h.maxValue) / UNIT;
        if (out.length > 0 && out[out.length - 1]!.latency === latency)
          out[out.length - 1] = { latency, fraction: q / 100 };
        else out.push({ latency, fraction: q / 100 });
      }
      return out;
    },
    ...{ raw: h },
  } as LatencyHistogram;
}

/** The parts of hdr-histogram-js's JsHistogram that getValueAtPercentile walks. */
interface Buckets {
  readonly countsArrayLength: number;
  readonly minNonZeroValue: number;
  readonly maxValue: number;
  countsArrayIndex(v: number): number;
  getCountAtIndex(i: number): number;
  valueFromIndex(i: number): number;
  highestEquivalentValue(v: number): number;
}

/** 2^(floor(log2 x) - 52), as hdr-histogram-js's ulp. */
const ulp = (x: number) => 2 ** (Math.floor(Math.log2(x)) - 52);

/** The counts at percentiles qs of `total` values, rounded up as getValueAtPercentile does. */
function countsAtUncached(qs: readonly number[], total: number): number[] {
  return qs.map((q) => {
    if (!(q > 0)) throw new Error("pinlab bug: atEach takes percentiles above 0");
    const fp = (Math.min(q, 100) / 100.0) * total;
    return Math.max(Math.ceil(fp - ulp(fp)), 1);
  });
}

/**
 * countsAtUncached, kept per total for the last list of percentiles asked
 * (a seed's few latencies ask the same small totals over and over).
 */
let cachedQs: readonly number[] | null = null;
let cachedCounts: (number[] | undefined)[] = [];
const CACHED_TOTALS = 4096;

function countsAt(qs: readonly number[], total: number): readonly number[] {
  if (total >= CACHED_TOTALS) return countsAtUncached(qs, total);
  if (qs !== cachedQs) {
    cachedQs = qs;
    cachedCounts = [];
  }
  let c = cachedCounts[total];
  if (c === undefined) {
    c = countsAtUncached(qs, total);
    cachedCounts[total] = c;
  }
  return c;
}

/**
 * JsHistogram.getValueAtPercentile for several percentiles at once (ascending,
 * none 0): the same count at each percentile, rounded up as there, and the same
 * first bucket reaching it, found in one walk over the counts instead of one each.
 */
function valuesAtPercentiles(h: hdr.Histogram, qs: readonly number[]): number[] {
  const b = h as unknown as Partial<Buckets>;
  if (
    typeof b.countsArrayLength !== "number" ||
    typeof b.minNonZeroValue !== "number" ||
    typeof b.maxValue !== "number" ||
    typeof b.countsArrayIndex !== "function" ||
    typeof b.getCountAtIndex !== "function" ||
    typeof b.valueFromIndex !== "function" ||
    typeof b.highestEquivalentValue !== "function"
  )
    return qs.map((q) => h.getValueAtPercentile(q));
  const buckets = b as Buckets;
  const want = countsAt(qs, h.totalCount);
  const out = qs.map(() => 0);
  let j = 0;
  let total = 0;
  // Every value recorded is 0 or at least minNonZeroValue (recordValue and add keep it so),
  // so the buckets strictly between value 0's and its hold nothing: the walk skips them.
  const min = buckets.minNonZeroValue;
  const skipTo =
    min <= buckets.maxValue && Number.isSafeInteger(min) ? buckets.countsArrayIndex(min) : 1;
  for (let i = 0; i < buckets.countsArrayLength && j < want.length; i++) {
    if (i === 1 && skipTo > 1) i = skipTo;
    total += buckets.getCountAtIndex(i);
    while (j < want.length && total >= want[j]!) {
      out[j] = buckets.highestEquivalentValue(buckets.valueFromIndex(i));
      j++;
    }
  }
  // Past the last bucket getValueAtPercentile returns 0 (it cannot happen with a count > 0).
  return out;
}

/** A new, empty latency histogram (pure JavaScript: no WebAssembly instance per seed). */
export function latencyHistogram(): LatencyHistogram {
  return wrap(
    hdr.build({
      useWebAssembly: false,
      lowestDiscernibleValue: 1,
      highestTrackableValue: 2,
      autoResize: true,
      numberOfSignificantValueDigits: 2,
    }),
  );
}

export function decodeHistogram(text: string): LatencyHistogram {
  return wrap(hdr.decodeFromCompressedBase64(text, 32, false) as hdr.Histogram);
}

/** Two-sided 95 % quantiles of Student's t for 1..30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042,
];

/** t(0.975, df): the table up to 30, then the Cornish–Fisher expansion around the normal quantile. */
export function tQuantile975(df: number): number {
  if (df < 1) return Number.NaN;
  if (df <= 30) return T975[df - 1]!;
  const z = 1.959964;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
  );
}

/**
 * Mean and spread of a stream of values (Welford's update): constant memory,
 * and the same figures for the same values in the same order.
 */
export class Moments {
  private n = 0;
  private mean = 0;
  private m2 = 0;
  add(x: number): void {
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }
  /**
   * The mean and its 95 % confidence interval (Student's t, n − 1 degrees of
   * freedom). With fewer than two values the interval is the mean itself
   * (nothing to estimate a spread from); with none, all zero.
   */
  interval(): Interval {
    const { n, mean } = this;
    if (n === 0) return { mean: 0, lo: 0, hi: 0, n: 0 };
    if (n < 2) return { mean, lo: mean, hi: mean, n };
    const half = tQuantile975(n - 1) * Math.sqrt(this.m2 / (n - 1) / n);
    return { mean, lo: mean - half, hi: mean + half, n };
  }
}

/** The mean of the values and its 95 % confidence interval (see Moments). */
export function interval(values: readonly number[]): Interval {
  const m = new Moments();
  for (const v of values) m.add(v);
  return m.interval();
}
