/**
 * What the parallel coordinator (parallel.ts) and its workers (worker.ts)
 * share: the worker's start-up data and the words of the shared control block.
 */
import type { SystemFactory } from "./system.js";

export interface WorkerInit {
  readonly factory: SystemFactory;
  readonly id: number;
  readonly workers: number;
  readonly symmetry: boolean;
  /** Int32Array over a SharedArrayBuffer: [stop, states, cycle] */
  readonly control: SharedArrayBuffer;
  readonly maxStates: number;
  /** States this many steps from the initial state are not expanded. */
  readonly maxDepth: number;
  /** Liveness "watch" (bfs.ts): no pending graph; stop all once a cycle may form. */
  readonly watch: boolean;
  readonly maxMemoryBytes: number;
  readonly expectedStates: number;
}

/** Control words shared by the coordinator and the workers. */
export const CTL_STOP = 0;
export const CTL_STATES = 1;
/** Set by a watching worker that saw an edge which could close a cycle of pending states. */
export const CTL_CYCLE = 2;
export const CTL_WORDS = 3;
