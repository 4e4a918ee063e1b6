/**
 * What every engine drives: a transition system over Int32Array states with a
 * pure, deterministic step. The kernel model is one such system (see
 * engine/model-system.ts); the water-jug puzzle is another (the explorer's
 * smoke test). Actions are small integers; events are data for traces.
 */
export interface System<E = unknown> {
  /** The initial state. Engines never mutate a state they did not create. */
  readonly init: Int32Array;
  /** Names of the monitored properties, in bit order of `judge`/`judgeEnd` masks. */
  readonly properties: readonly string[];
  /** Every action that may happen next, in a fixed priority order (first = the default schedule's pick). */
  enabled(s: Int32Array): number[];
  /** The successor state; `events` (when given) receives what happened, as data. */
  step(s: Int32Array, a: number, events: E[] | null): Int32Array;
  /** Bit i set: property i was violated (for safety) or shown (for possibilities) by this transition. */
  judge(before: Int32Array, a: number, after: Int32Array, events: readonly E[]): number;
  /** Bit i set: property i is violated at this terminal state (nothing enabled): liveness, leaks. */
  judgeEnd(s: Int32Array): number;
  /** A short name for an action (for replay tokens and debugging). */
  describe(a: number): string;
}
