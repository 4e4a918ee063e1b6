/**
 * What `simulate` measures, as data: the contract between the simulator
 * (this folder), its reports (text, JSON `simulate/1`, HTML) and `compare
 * --simulate`. Times are in seconds of virtual time. Every figure is given
 * across seeds: its mean over the seeds and a 95 % confidence interval.
 */

/** A figure across seeds: the mean of the per-seed values and its 95 % confidence interval. */
export interface Interval {
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  /** How many seeds the figure is over. */
  readonly n: number;
}

/** The latency of one kind of layout change (truncate, punch), from call to return. */
export interface LatencySummary {
  /** Calls that returned, per seed. */
  readonly count: Interval;
  readonly p50: Interval;
  readonly p90: Interval;
  readonly p99: Interval;
  readonly max: Interval;
  /** Calls that took longer than 1 s (or never returned by the horizon), per seed. */
  readonly stallsOver1s: Interval;
  /** Calls still waiting at the horizon, per seed. */
  readonly unfinished: Interval;
  /** The latency CDF pooled over all seeds, for plots: ascending latency. */
  readonly cdf: readonly { readonly latency: number; readonly fraction: number }[];
}

/** A level over time (blocks): its time-weighted mean and its maximum, per seed. */
export interface LevelSummary {
  readonly mean: Interval;
  readonly max: Interval;
}

/** One point of the time series for plots, averaged over seeds at a fixed time. */
export interface SeriesPoint {
  readonly t: number;
  readonly stranded: number;
  readonly busy: number;
  /** Kills so far. */
  readonly kills: number;
}

/** A violation one simulation found, shrunk to a short witness. */
export interface SimViolation {
  readonly property: string;
  readonly seed: number;
  /** Virtual time at which the violating event happened. */
  readonly time: number;
  /** Steps of the shrunk witness (what `run`/`replay` reproduce). */
  readonly steps: number;
  /** A replay token (`pl2.`) of the shrunk witness. */
  readonly token: string;
}

export interface PolicySimulation {
  readonly policy: string;
  readonly params: Readonly<Record<string, string>>;
  readonly seeds: number;
  /** Simulated events (transitions) over all seeds. */
  readonly events: number;
  readonly truncate: LatencySummary;
  readonly punch: LatencySummary;
  readonly killsPerHour: Interval;
  readonly commFailuresPerHour: Interval;
  /** Lease breaks, and the fraction of them that ended in a kill or a revocation by the timer. */
  readonly leaseBreaks: Interval;
  readonly breaksEndingInKill: Interval;
  readonly foreignDma: Interval;
  readonly staleReads: Interval;
  readonly lostWrites: Interval;
  readonly stranded: LevelSummary;
  readonly busy: LevelSummary;
  readonly enospc: Interval;
  readonly series: readonly SeriesPoint[];
  /** Each safety property violated in some seed, once, with its shrunk witness. */
  readonly violations: readonly SimViolation[];
  /** Each condition expectation of the scenario (`expect ... condition "..."`), once. */
  readonly conditions: readonly ConditionSimulation[];
}

/** How often a scenario's condition held in the simulated runs. */
export interface ConditionSimulation {
  /** The property name check gives it: `condition "TEXT"`. */
  readonly name: string;
  /** The condition's source text. */
  readonly text: string;
  /** The quantifier of its (first) expectation. */
  readonly quantifier: "never" | "sometimes" | "always";
  /** Seeds in which it held at some moment, and their fraction of all seeds. */
  readonly seedsHeld: number;
  readonly fraction: number;
  /** The fraction of each seed's virtual time during which it held. */
  readonly timeFraction: Interval;
  /**
   * Some seed contradicts the expectation: a `never` that held, an `always`
   * that never held. A `sometimes` that never held is not contradicted: no
   * number of random runs proves that it cannot (check does).
   */
  readonly contradicted: boolean;
}

export interface SimulationResult {
  readonly scenario: string;
  /** Content hash of the scenario (`specHash`). */
  readonly hash: string;
  readonly firstSeed: number;
  readonly seeds: number;
  readonly horizon: number;
  readonly policies: readonly PolicySimulation[];
  /** Things the simulation could not honour and how it treated them (said in every output). */
  readonly notes: readonly string[];
}
