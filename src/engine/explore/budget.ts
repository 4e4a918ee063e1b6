/**
 * Bounds and progress: the one place where the explorer looks at the clock
 * (the injected `now`) and the process's memory. Checks are cheap and happen
 * between slices of work, so the hot loop never reads a clock.
 */
import { readFileSync } from "node:fs";
import { totalmem } from "node:os";
import { webAssemblyOff } from "../../model/wasm.js";
import { Hasher } from "../../model/xxh64.js";
import type { ExploreOptions, ExploreStats, IncompleteReason } from "./types.js";

/**
 * The memory bound when none is given: 80% of the machine's memory (or of
 * the container's limit), so that a long run ends as "incomplete" instead of
 * being killed by the kernel's OOM killer.
 */
export function defaultMemoryBound(): number {
  if (memoryBound === undefined) {
    const limit =
      typeof process === "undefined"
        ? undefined
        : (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
    const total = totalmem();
    memoryBound = Math.floor(0.8 * (limit && limit > 0 && limit < total ? limit : total));
  }
  return memoryBound;
}
/**
 * `ulimit -v` (RLIMIT_AS, "Max address space" in /proc/self/limits), if the
 * process has one. Under it an allocation fails on address space, not on
 * resident memory: V8 reserves far more than it touches, and a failure in
 * V8's own heap aborts the process instead of throwing. So the searches also
 * keep the process's virtual size (VmSize) under {@link AS_SHARE} of it.
 */
export function addressSpaceLimit(): number | undefined {
  if (asLimit === undefined) {
    asLimit = Number.POSITIVE_INFINITY;
    try {
      const line = readFileSync("/proc/self/limits", "utf8")
        .split("\n")
        .find((l) => l.startsWith("Max address space"));
      const soft = line?.slice("Max address space".length).trim().split(/\s+/)[0];
      if (soft !== undefined && /^\d+$/.test(soft)) asLimit = Number(soft);
    } catch {
      // not Linux, or no /proc: no address-space bound
    }
  }
  return asLimit === Number.POSITIVE_INFINITY ? undefined : asLimit;
}
let asLimit: number | undefined;

/**
 * The fingerprint hasher of a search (xxh64.ts), with `buffers` state
 * buffers of `words` words. Under RLIMIT_AS every fingerprint of this thread
 * is computed in JavaScript: V8 reserves gigabytes of address space for a
 * WebAssembly memory, which would count against the bound.
 */
export function stateHasher(words: number, buffers: number): Hasher {
  checkAddressSpace();
  return new Hasher(words, buffers);
}

/** Under RLIMIT_AS, switches WebAssembly off in this thread (see `stateHasher`). */
export function checkAddressSpace(): void {
  if (addressSpaceLimit() !== undefined) webAssemblyOff();
}

/** The share of RLIMIT_AS a search may reach: the rest is headroom for V8's heap and the workers. */
const AS_SHARE = 0.9;

/** The process's virtual size in bytes (VmSize in /proc/self/status). */
function addressSpaceUsed(): number {
  try {
    const m = /VmSize:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Whether the process is past its share of RLIMIT_AS. */
function overAddressSpace(): boolean {
  const limit = addressSpaceLimit();
  return limit !== undefined && addressSpaceUsed() > AS_SHARE * limit;
}

/** The resident set at the last reading by any search of this thread. */
let lastProcessRss: number | undefined;
/** The machine's memory does not change while pinlab runs: read it once. */
let memoryBound: number | undefined;

/**
 * The process's resident set size; 0 where there is no process to ask (the
 * playground runs this explorer in a browser's Web Worker, where only the
 * browser bounds memory).
 */
function residentSet(): number {
  return typeof process === "undefined" ? 0 : process.memoryUsage.rss();
}

/** How often the resident set size is sampled (it costs a system call). */
const RSS_EVERY_MS = 100;

export class Budget {
  readonly start: number;
  readonly now: () => number;
  peakRss = 0;
  private lastRss = 0;
  /** When the resident set was last read: a search shorter than one interval never reads it during the run. */
  private rssAt: number;
  private progressAt: number;
  private readonly maxMem: number;

  constructor(private readonly opt: ExploreOptions) {
    this.now = opt.now ?? (() => performance.now());
    this.start = this.now();
    this.progressAt = this.start;
    this.rssAt = this.start;
    this.maxMem = opt.maxMemoryBytes ?? defaultMemoryBound();
    this.memory = new MemoryGate(this.maxMem);
  }

  elapsed(): number {
    return this.now() - this.start;
  }

  private sampleRss(): number {
    this.lastRss = residentSet();
    lastProcessRss = this.lastRss;
    if (this.lastRss > this.peakRss) this.peakRss = this.lastRss;
    return this.lastRss;
  }

  /** May the explorer allocate `bytes` more without passing the memory bound? */
  readonly allow = (bytes: number): boolean => {
    if (this.maxMem === Number.POSITIVE_INFINITY && addressSpaceLimit() === undefined) return true;
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
      if (this.sampleRss() > this.maxMem || overAddressSpace()) return "max-memory";
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
      // a search too short to have sampled (under RSS_EVERY_MS) reports the
      // process's last reading: reading it costs more than such a search
      peakMemoryBytes: this.peakRss > 0 ? this.peakRss : (lastProcessRss ?? this.sampleRss()),
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
  if (typeof setImmediate === "function") return new Promise((resolve) => setImmediate(resolve));
  // A browser's worker has no setImmediate; a message is not clamped to 4 ms as a nested timer is.
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    // typed as the browser's port (Node's typings here are worker_threads')
    (ch.port1 as unknown as { onmessage: () => void }).onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

/**
 * Answers "may we allocate n more bytes?" against a resident-set bound.
 * Reading the RSS costs a system call (tens of microseconds on a VM), so it
 * is read on every RESAMPLE-th question, or when the answer is close; in
 * between, the bytes granted since the last reading are added to it.
 */
export class MemoryGate {
  private rss = 0;
  private vm = 0;
  private granted = 0;
  private asked = 0;

  constructor(readonly max: number) {}

  allow(bytes: number): boolean {
    const as = addressSpaceLimit();
    if (this.max === Number.POSITIVE_INFINITY && as === undefined) return true;
    const asMax = as === undefined ? Number.POSITIVE_INFINITY : AS_SHARE * as;
    const near =
      this.rss + this.granted + bytes > this.max * 0.9 ||
      this.vm + this.granted + bytes > asMax * 0.9;
    if (++this.asked % 16 === 0 || near) {
      this.rss = residentSet();
      if (as !== undefined) this.vm = addressSpaceUsed();
      this.granted = 0;
    }
    if (this.rss + this.granted + bytes > this.max) return false;
    if (this.vm + this.granted + bytes > asMax) return false;
    this.granted += bytes;
    return true;
  }
}
