/**
 * Bounds and progress: the one place where the explorer looks at the clock
 * (the injected `now`) and the process's memory. Checks are cheap and happen
 * between slices of work, so the hot loop never reads a clock.
 */
import type { ExploreOptions, ExploreStats, IncompleteReason } from "./types.js";

/** How often the resident set size is sampled (it costs a system call). */
const RSS_EVERY_MS = 100;

export class Budget {
  readonly start: number;
  readonly now: () => number;
  peakRss = 0;
  private lastRss = 0;
  private rssAt = Number.NEGATIVE_INFINITY;
  private progressAt: number;
  private readonly maxMem: number;

  constructor(private readonly opt: ExploreOptions) {
    this.now = opt.now ?? (() => performance.now());
    this.start = this.now();
    this.progressAt = this.start;
    this.maxMem = opt.maxMemoryBytes ?? Number.POSITIVE_INFINITY;
    this.sampleRss();
  }

  elapsed(): number {
    return this.now() - this.start;
  }

  private sampleRss(): number {
    this.lastRss = process.memoryUsage.rss();
    if (this.lastRss > this.peakRss) this.peakRss = this.lastRss;
    return this.lastRss;
  }

  /** May the explorer allocate `bytes` more without passing the memory bound? */
  readonly allow = (bytes: number): boolean => {
    if (this.maxMem === Number.POSITIVE_INFINITY) return true;
    return this.sampleRss() + bytes <= this.maxMem;
  };

  /** A bound that has been hit, if any (checked between slices of work). */
  check(states: number): IncompleteReason | null {
    if (this.opt.signal?.aborted) return "interrupted";
    if (this.opt.maxStates !== undefined && states >= this.opt.maxStates) return "max-states";
    const t = this.now();
    if (this.opt.maxTimeMs !== undefined && t - this.start >= this.opt.maxTimeMs) return "max-time";
    if (t - this.rssAt >= RSS_EVERY_MS) {
      this.rssAt = t;
      if (this.sampleRss() > this.maxMem) return "max-memory";
    }
    return null;
  }

  /** Calls the progress callback if its interval has passed. */
  tick(stats: () => ExploreStats): void {
    const p = this.opt.progress;
    if (!p) return;
    const t = this.now();
    if (t - this.progressAt < (this.opt.progressIntervalMs ?? 500)) return;
    this.progressAt = t;
    p(stats());
  }

  /** Statistics from raw counts. */
  stats(
    states: number,
    transitions: number,
    depth: number,
    tableBytes: number,
    traceBytes: number,
  ): ExploreStats {
    const timeMs = this.elapsed();
    const sec = Math.max(timeMs, 1e-3) / 1000;
    return {
      states,
      transitions,
      depth,
      timeMs,
      statesPerSec: states / sec,
      transitionsPerSec: transitions / sec,
      peakMemoryBytes: this.peakRss,
      bytesPerState: states > 0 ? (tableBytes + traceBytes) / states : 0,
      tableBytes,
      traceBytes,
    };
  }
}

/** Lets pending events (Ctrl-C, messages) run between slices of work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
