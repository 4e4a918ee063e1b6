/**
 * The explorer's options and its result. The result is a value in every case
 * (a bound that was hit is a status, not an exception), so callers can print
 * the statistics of an incomplete run and still use its witnesses: every
 * witness is a real path from the initial state, found or not complete.
 */
export type { SystemFactory } from "./system.js";

export interface ExploreOptions {
  /** Stop (incomplete, "max-states") after storing this many distinct states. */
  readonly maxStates?: number;
  /**
   * Stop (incomplete, "max-depth") rather than expand a state this many
   * steps from the initial state: only runs of at most this many steps.
   */
  readonly maxDepth?: number;
  /** Stop (incomplete, "max-time") after this much time by `now`. */
  readonly maxTimeMs?: number;
  /** Stop (incomplete, "max-memory") when the process's resident set would exceed this. */
  readonly maxMemoryBytes?: number;
  /** Stop (incomplete, "interrupted") when aborted, e.g. on Ctrl-C. */
  readonly signal?: AbortSignal;
  /** Called about every `progressIntervalMs` with the statistics so far. */
  readonly progress?: (stats: ExploreStats) => void;
  readonly progressIntervalMs?: number;
  /** The clock (milliseconds); the engine reads no other. Default: performance.now. */
  readonly now?: () => number;
  /** Partial-order and symmetry reduction (when the system offers `independent` / `canonical`). */
  readonly reduce?: boolean;
  /** Override `reduce` for partial-order reduction alone. */
  readonly por?: boolean;
  /** Override `reduce` for symmetry reduction alone. */
  readonly symmetry?: boolean;
  /** Worker threads (default 1: explore in this thread). More needs a `SystemFactory`. */
  readonly workers?: number;
  /**
   * With workers: states stored in this thread before the workers take over
   * (default 50,000; smaller searches never pay for starting threads).
   */
  readonly parallelFrom?: number;
  /** Expected number of states, to size the visited set up front. */
  readonly expectedStates?: number;
  /**
   * How liveness is searched (serial search): "watch" (default) records no
   * pending graph and searches again with one only if an edge shows that a
   * cycle of pending states may form; "graph" records it (on state ids) from
   * the start, for a system known to have such cycles (no second search);
   * "fingerprints" records it as the parallel search does (to compare).
   */
  readonly liveness?: "graph" | "watch" | "fingerprints";
}

export interface ExploreStats {
  /** Distinct states stored (symmetry classes under symmetry reduction). */
  readonly states: number;
  /** Transitions executed (fewer under partial-order reduction). */
  readonly transitions: number;
  /** BFS depth reached (length of the longest shortest path found). */
  readonly depth: number;
  readonly timeMs: number;
  readonly statesPerSec: number;
  readonly transitionsPerSec: number;
  /** Peak resident set size sampled during the run. */
  readonly peakMemoryBytes: number;
  /** Visited set plus parent links, divided by states. */
  readonly bytesPerState: number;
  /** Bytes of the visited set alone. */
  readonly tableBytes: number;
  /** Bytes of the parent links. */
  readonly traceBytes: number;
  /** Bytes of the pending-state graph kept for lasso search (0 without `pending`). */
  readonly livenessBytes: number;
  /** States found but not yet expanded (the BFS queue), when known. */
  readonly queued?: number;
}

export interface PropertyResult {
  readonly name: string;
  /** Some reachable transition (or terminal state) had this property's bit set. */
  readonly shown: boolean;
  /** The shortest action sequence from the initial state that shows it. */
  readonly witness?: number[];
  /** Shown by a transition (the witness's last action) or at a terminal state. */
  readonly kind?: "transition" | "end";
}

export interface Lasso {
  /** From the initial state to the first state of the cycle. */
  readonly prefix: number[];
  /** From that state back to itself; the obligation is pending all along. */
  readonly cycle: number[];
}

export interface LivenessResult {
  readonly name: string;
  readonly violated: boolean;
  /** A terminal state with the obligation pending: the path to it. Or prefix + cycle of the lasso. */
  readonly witness?: number[];
  readonly deadEnd?: boolean;
  readonly lasso?: Lasso;
}

export type IncompleteReason =
  | "max-states"
  | "max-depth"
  | "max-time"
  | "max-memory"
  | "interrupted";

export interface ExploreResult {
  readonly status: "complete" | "incomplete";
  readonly reason?: IncompleteReason;
  readonly stats: ExploreStats;
  /** One per system property, in bit order. */
  readonly properties: PropertyResult[];
  /** Terminal states (nothing enabled): how many, and a shortest path to one. */
  readonly deadlocks: { readonly count: number; readonly witness?: number[] };
  /** One per liveness obligation (`pending` bit), in bit order. */
  readonly liveness: LivenessResult[];
  /** The system's coverage bitmap after the search (its union over threads), or null. */
  readonly coverage: Uint8Array | null;
  /** The reductions that were applied. */
  readonly reductions: { readonly por: boolean; readonly symmetry: boolean };
  readonly workers: number;
}
