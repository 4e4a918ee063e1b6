/**
 * Test support: simulation results built by hand, for the reports and for
 * `compare --simulate` with a fake simulator. The figures are made up but
 * consistent (each interval holds its mean; a CDF ascends to 1), and vary
 * with a `scale` so that two policies differ.
 */
import type {
  Interval,
  LatencySummary,
  PolicySimulation,
  SimulationResult,
} from "../engine/simulate/result.js";

/** An interval of `n` seeds: `mean` ± `half`. */
export function iv(mean: number, half = 0, n = 8): Interval {
  return { mean, lo: mean - half, hi: mean + half, n };
}

function latency(median: number, tail: number, count: number, seeds: number): LatencySummary {
  const cdf: { latency: number; fraction: number }[] = [];
  for (let i = 1; i <= 50; i++) {
    const f = i / 50;
    // a heavy tail: the last tenth of the calls wait up to `tail`
    const x =
      f <= 0.9 ? median * (f / 0.5) : median * 1.8 + (tail - median * 1.8) * ((f - 0.9) / 0.1);
    cdf.push({ latency: x, fraction: f });
  }
  return {
    count: iv(count, count / 10, seeds),
    p50: iv(median, median / 10, seeds),
    p90: iv(median * 1.8, median / 5, seeds),
    p99: iv(median * 1.8 + (tail - median * 1.8) * 0.9, tail / 10, seeds),
    max: iv(tail, tail / 5, seeds),
    stallsOver1s: iv(tail > 1 ? count / 20 : 0, tail > 1 ? count / 100 : 0, seeds),
    unfinished: iv(0, 0, seeds),
    cdf,
  };
}

export interface FakePolicy {
  readonly policy: string;
  readonly params?: Readonly<Record<string, string>>;
  /** How costly the policy is: kills, stalls and stranded space grow with it. */
  readonly scale?: number;
  readonly seeds?: number;
  readonly horizon?: number;
  /** Foreign DMAs per run (an unsafe policy). */
  readonly foreignDma?: number;
  readonly violations?: PolicySimulation["violations"];
}

/** A policy's simulation, figures growing with `scale`. */
export function fakePolicySimulation(o: FakePolicy): PolicySimulation {
  const k = o.scale ?? 1;
  const seeds = o.seeds ?? 8;
  const horizon = o.horizon ?? 86_400;
  const series = [];
  for (let i = 0; i <= 48; i++) {
    const t = (horizon * i) / 48;
    series.push({
      t,
      stranded: Math.round(k * 4 * Math.abs(Math.sin(i / 5))),
      busy: k * 2,
      kills: Math.floor((k * i) / 12),
    });
  }
  return {
    policy: o.policy,
    params: o.params ?? {},
    seeds,
    events: 1_000_000 * seeds,
    truncate: latency(0.002 * k, 45 * k, 24, seeds),
    punch: latency(0.001 * k, 5 * k, 12, seeds),
    killsPerHour: iv(0.25 * k, 0.05 * k, seeds),
    commFailuresPerHour: iv(0.5 * k, 0.1 * k, seeds),
    leaseBreaks: iv(24, 2, seeds),
    breaksEndingInKill: iv(Math.min(1, 0.1 * k), 0.02, seeds),
    foreignDma: iv(o.foreignDma ?? 0, o.foreignDma ? o.foreignDma / 4 : 0, seeds),
    staleReads: iv(0, 0, seeds),
    lostWrites: iv(0, 0, seeds),
    stranded: { mean: iv(2 * k, 0.3 * k, seeds), max: iv(4 * k, 0.5, seeds) },
    busy: { mean: iv(k, 0.1, seeds), max: iv(2 * k, 0.2, seeds) },
    enospc: iv(0, 0, seeds),
    series,
    violations: o.violations ?? [],
    conditions: [],
  };
}

/** A whole result over the given policies. */
export function fakeSimulation(
  policies: readonly FakePolicy[],
  o: { scenario?: string; notes?: readonly string[]; horizon?: number; seeds?: number } = {},
): SimulationResult {
  const seeds = o.seeds ?? 8;
  const horizon = o.horizon ?? 86_400;
  return {
    scenario: o.scenario ?? "the sane system for a day",
    hash: "0123456789abcdef",
    firstSeed: 1,
    seeds,
    horizon,
    policies: policies.map((p) => fakePolicySimulation({ seeds, horizon, ...p })),
    notes: o.notes ?? [],
  };
}
