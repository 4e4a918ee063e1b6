/**
 * The runs of one policy folded into one PolicySimulation as they come, in
 * seed order: every figure streams into running moments, so memory does not
 * grow with the number of seeds (nor with the horizon). Seeds that arrive
 * early wait in a small reorder buffer until their predecessors are in.
 */
import type { LatencySummary, PolicySimulation, SimViolation } from "./result.js";
import type { LatencyPool, SeedLatency, SeedStats, SimCondition } from "./sim.js";
import { SERIES_POINTS } from "./sim.js";
import { Moments } from "./stats.js";

const HOUR = 3600;

class LatencyMoments {
  readonly count = new Moments();
  readonly p50 = new Moments();
  readonly p90 = new Moments();
  readonly p99 = new Moments();
  readonly max = new Moments();
  readonly stalls = new Moments();
  readonly unfinished = new Moments();
  add(l: SeedLatency): void {
    this.count.add(l.count);
    this.stalls.add(l.stalls);
    this.unfinished.add(l.unfinished);
    if (l.count === 0) return; // percentiles of the runs that have calls
    this.p50.add(l.p50);
    this.p90.add(l.p90);
    this.p99.add(l.p99);
    this.max.add(l.max);
  }
  summary(cdf: LatencySummary["cdf"]): LatencySummary {
    return {
      count: this.count.interval(),
      p50: this.p50.interval(),
      p90: this.p90.interval(),
      p99: this.p99.interval(),
      max: this.max.interval(),
      stallsOver1s: this.stalls.interval(),
      unfinished: this.unfinished.interval(),
      cdf,
    };
  }
}

/** The first occurrence of a safety property, in seed order. */
export interface FirstViolation {
  readonly property: string;
  readonly seed: number;
  readonly step: number;
  readonly time: number;
  readonly message: string;
}

export class PolicyMerge {
  private readonly truncate = new LatencyMoments();
  private readonly punch = new LatencyMoments();
  private readonly m = {
    kills: new Moments(),
    comm: new Moments(),
    breaks: new Moments(),
    breaksKilled: new Moments(),
    foreign: new Moments(),
    stale: new Moments(),
    lost: new Moments(),
    enospc: new Moments(),
    strandedMean: new Moments(),
    strandedMax: new Moments(),
    busyMean: new Moments(),
    busyMax: new Moments(),
  };
  private readonly series = {
    stranded: new Float64Array(SERIES_POINTS),
    busy: new Float64Array(SERIES_POINTS),
    kills: new Float64Array(SERIES_POINTS),
  };
  private seeds = 0;
  private events = 0;
  /** Per condition expectation: seeds in which it held, and the fraction of time it held. */
  private condHeld: number[] = [];
  private condTime: Moments[] = [];
  readonly first = new Map<string, FirstViolation>();
  /** Runs that came before their turn, by seed. */
  private readonly early = new Map<number, SeedStats | null>();
  private next: number;

  constructor(
    private readonly order: readonly number[],
    private readonly horizon: number,
  ) {
    this.next = 0;
  }

  /** A finished run (any order); `null`: the seed was given up (interrupted). */
  offer(seed: number, s: SeedStats | null): void {
    this.early.set(seed, s);
    while (this.next < this.order.length && this.early.has(this.order[this.next]!)) {
      const x = this.early.get(this.order[this.next]!)!;
      this.early.delete(this.order[this.next]!);
      this.next++;
      if (x !== null) this.add(x);
    }
  }

  /** No more runs come: the ones still waiting for a predecessor are folded in, in seed order. */
  flush(): void {
    const rest = this.order.slice(this.next).filter((seed) => this.early.has(seed));
    for (const seed of rest) {
      const x = this.early.get(seed)!;
      if (x !== null) this.add(x);
    }
    this.early.clear();
    this.next = this.order.length;
  }

  get count(): number {
    return this.seeds;
  }

  /** How many seeds this merge was given to expect. */
  get wanted(): number {
    return this.order.length;
  }

  private add(s: SeedStats): void {
    this.seeds++;
    this.events += s.events;
    const hours = s.end > 0 ? s.end / HOUR : 1;
    this.truncate.add(s.truncate);
    this.punch.add(s.punch);
    const m = this.m;
    m.kills.add(s.kills / hours);
    m.comm.add(s.commFailures / hours);
    m.breaks.add(s.leaseBreaks);
    if (s.breaksEnded > 0) m.breaksKilled.add(s.breaksKilled / s.breaksEnded);
    m.foreign.add(s.foreignDma);
    m.stale.add(s.staleReads);
    m.lost.add(s.lostWrites);
    m.enospc.add(s.enospc);
    m.strandedMean.add(s.stranded.mean);
    m.strandedMax.add(s.stranded.max);
    m.busyMean.add(s.busy.mean);
    m.busyMax.add(s.busy.max);
    for (let k = 0; k < SERIES_POINTS; k++) {
      this.series.stranded[k]! += s.series.stranded[k]!;
      this.series.busy[k]! += s.series.busy[k]!;
      this.series.kills[k]! += s.series.kills[k]!;
    }
    for (const v of s.violations)
      if (!this.first.has(v.property)) this.first.set(v.property, { ...v, seed: s.seed });
    s.conditions.forEach((c, j) => {
      this.condHeld[j] = (this.condHeld[j] ?? 0) + (c.held ? 1 : 0);
      this.condTime[j] ??= new Moments();
      this.condTime[j]!.add(s.end > 0 ? c.time / s.end : 0);
    });
  }

  result(
    pol: { readonly name: string; readonly params: Readonly<Record<string, string>> },
    violations: readonly SimViolation[],
    pool: LatencyPool,
    conditions: readonly Pick<SimCondition, "name" | "text" | "quantifier">[] = [],
  ): PolicySimulation {
    const m = this.m;
    const n = this.seeds || 1;
    return {
      policy: pol.name,
      params: pol.params,
      seeds: this.seeds,
      events: this.events,
      truncate: this.truncate.summary(pool.truncate.cdf(50)),
      punch: this.punch.summary(pool.punch.cdf(50)),
      killsPerHour: m.kills.interval(),
      commFailuresPerHour: m.comm.interval(),
      leaseBreaks: m.breaks.interval(),
      breaksEndingInKill: m.breaksKilled.interval(),
      foreignDma: m.foreign.interval(),
      staleReads: m.stale.interval(),
      lostWrites: m.lost.interval(),
      stranded: { mean: m.strandedMean.interval(), max: m.strandedMax.interval() },
      busy: { mean: m.busyMean.interval(), max: m.busyMax.interval() },
      enospc: m.enospc.interval(),
      series: Array.from({ length: SERIES_POINTS }, (_, k) => ({
        t: (this.horizon * k) / (SERIES_POINTS - 1),
        stranded: this.series.stranded[k]! / n,
        busy: this.series.busy[k]! / n,
        kills: this.series.kills[k]! / n,
      })),
      violations,
      conditions: conditions.map((c, j) => {
        const held = this.condHeld[j] ?? 0;
        return {
          name: c.name,
          text: c.text,
          quantifier: c.quantifier,
          seedsHeld: held,
          fraction: this.seeds > 0 ? held / this.seeds : 0,
          timeFraction: (this.condTime[j] ?? new Moments()).interval(),
          // A seed refutes `never` where it held, `always` where it never did.
          contradicted:
            (c.quantifier === "never" && held > 0) ||
            (c.quantifier === "always" && held < this.seeds),
        };
      }),
    };
  }
}
