/**
 * Bounds and progress: the one place where the explorer looks at the clock
 * (the injected `now`) and the process's memory. Checks are cheap and happen
 * between slices of work, so the hot loop never reads a clock.
 */
import { totalmem } from "node:os";
import type { ExploreOptions, ExploreStats, IncompleteReason } from "./types.js";

/**
 * The memory bound when none is given: 80% of the machine's memory (or of
 * the container's limit), so that a long run ends as "incomplete" instead of
 * being killed by the kernel's OOM killer.
 */
export function defaultMemoryBound(): number {
  const limit = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  const total = totalmem();
  return Math.floor(0.8 * (limit && limit > 0 && limit < total ? limit : total));
}

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
    this.maxMem = opt.maxMemoryBytes ?? defaultMemoryBound();
    this.memory = new MemoryGate(this.maxMem);
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
    return this.memory.allow(bytes);
  };
  private readonly memory: MemoryGate;

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
    livenessBytes = 0,
    queued?: number,
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
      livenessBytes,
      ...(queued !== undefined ? { queued } : {}),
    };
  }
}

/** Lets pending events (Ctrl-C, messages) run between slices of work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Answers "may we allocate n more bytes?" against a resident-set bound.
 * Reading the RSS costs a system call (tens of microseconds on a VM), so it
 * is read on every RESAMPLE-th question, or when the answer is close; in
 * between, the bytes granted since the last reading are added to it.
 */
export class MemoryGate {
  private rss = 0;
  private granted = 0;
  private asked = 0;

  constructor(readonly max: number) {}

  allow(bytes: number): boolean {
    if (this.max === Number.POSITIVE_INFINITY) return true;
    const near = this.rss + this.granted + bytes > this.max * 0.9;
    if (this.asked++ % 16 === 0 || near) {
      this.rss = process.memoryUsage.rss();
      this.granted = 0;
    }
    if (this.rss + this.granted + bytes > this.max) return false;
    this.granted += bytes;
    return true;
  }
}
