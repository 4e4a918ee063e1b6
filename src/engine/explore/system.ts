/**
 * What every engine drives: a transition system over Int32Array states with a
 * pure, deterministic step. The kernel model is one such system (see
 * engine/adapter/model-system.ts); the water-jug puzzle is another (the explorer's
 * smoke test). Actions are small integers; events are data for traces.
 */
export interface System<E = unknown> {
  /** The initial state. Engines never mutate a state they did not create. */
  readonly init: Int32Array;
  /**
   * Names of the monitored properties, in bit order of `judge`/`judgeEnd`
   * masks. The masks are bigints, so that any number of properties fits (a
   * scenario adds one per result expectation).
   */
  readonly properties: readonly string[];
  /** Every action that may happen next, in a fixed priority order (first = the default schedule's pick). */
  enabled(s: Int32Array): number[];
  /** The successor state; `events` (when given) receives what happened, as data. */
  step(s: Int32Array, a: number, events: E[] | null): Int32Array;
  /** Bit i set: property i was violated (for safety) or shown (for possibilities) by this transition. */
  judge(before: Int32Array, a: number, after: Int32Array, events: readonly E[]): bigint;
  /** Bit i set: property i is violated at this terminal state (nothing enabled): liveness, leaks. */
  judgeEnd(s: Int32Array): bigint;
  /** A short name for an action (for replay tokens and debugging). */
  describe(a: number): string;

  // ---- optional: what the explorer can use when a system offers it ----

  /**
   * Liveness obligations pending in `s`, as a bit mask (bit i: obligation i,
   * e.g. "a truncate is blocked"). The explorer reports obligation i violated
   * when a terminal state, or a reachable cycle of states, keeps bit i set for
   * ever. No fairness is assumed: any such cycle counts. At most 32
   * obligations (a system with more must not offer `pending`).
   */
  pending?(s: Int32Array): number;
  /** Names of the `pending` bits, in bit order (for reports). */
  readonly obligations?: readonly string[];
  /**
   * Whether actions `a` and `b`, both enabled in `s`, are independent there:
   * each stays enabled after the other, both orders reach the same state, and
   * neither order changes what `judge` says about the other action. The
   * explorer's partial-order reduction (sleep sets) trusts this; answering
   * `false` is always safe.
   */
  independent?(a: number, b: number, s: Int32Array): boolean;
  /**
   * The representative of `s`'s symmetry class (e.g. identical processes
   * sorted). For symmetry reduction to be exact, `enabled`, `step`, `judge`,
   * `judgeEnd` and `pending` must treat symmetric states alike (a permutation
   * of the state permutes the actions and leaves every mask unchanged).
   */
  canonical?(s: Int32Array): Int32Array;
  /**
   * `canonical` without allocating: returns `s` itself when it is its
   * class's representative, else writes the representative into `out` (a
   * distinct array of the state's length) and returns `out`. Must agree with
   * `canonical` exactly; the explorer uses it when offered.
   */
  canonicalInto?(s: Int32Array, out: Int32Array): Int32Array;
  /**
   * `step` without allocating: writes the successor into `out` (a distinct
   * array of the state's length). Must agree with `step` exactly. The
   * explorer uses it when offered, since allocating a typed array per
   * transition costs more than a small model's whole step.
   */
  stepInto?(s: Int32Array, a: number, out: Int32Array, events: E[] | null): void;
  /**
   * `enabled` without allocating: writes the actions into `out` (grown as
   * needed) and returns their number n; out[0..n) must equal `enabled(s)`
   * exactly, entries from n on are left as they were. The explorer uses it
   * when offered, with one array reused for every state it expands.
   */
  enabledInto?(s: Int32Array, out: number[]): number;
  /**
   * Coverage: a bitmap the system fills as `judge` sees transitions (e.g. a
   * byte per program operation that ran). The explorer returns the union
   * over every thread, so a report can say which parts were never reached.
   */
  coverage?(): Uint8Array;
  /** How a worker thread builds this same system (for parallel exploration). */
  readonly factory?: SystemFactory;
}

/**
 * A recipe for building a system in another thread: a module (absolute file
 * URL) whose named export is a function `(arg) => System`. Worker threads
 * cannot receive functions, so they build their own system from this.
 */
export interface SystemFactory {
  readonly module: string;
  readonly export: string;
  /** Structured-cloneable argument. */
  readonly arg: unknown;
}
