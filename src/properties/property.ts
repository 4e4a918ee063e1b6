/**
 * A property judges transitions (events) and terminal states of the model.
 * - safety: an occurrence is a violation (`never` is the goal);
 * - liveness: an obligation that must eventually be met; `pending` marks
 *   states where it is open, a terminal state with it open is a violation;
 * - possibility: an occurrence shows something can happen (`sometimes` is the goal).
 * Users may add their own by implementing this interface.
 */
import type { ModelEvent } from "../model/events.js";
import type { Model, State } from "../model/layout.js";

export interface Finding {
  /** One line for a reviewer: what happened, to which objects. */
  readonly message: string;
}

export interface Property {
  readonly name: string;
  readonly summary: string;
  readonly kind: "safety" | "liveness" | "possibility";
  /**
   * Where the matrix shows it: `safety` (corruption and bugs; one occurrence
   * is a violation), `cost` (what progress costs: hangs, refusals, kills,
   * failures, stranded space), `capability` (something wanted that can happen),
   * `result` (a scenario's `expect P.op returns R`: shown or not, never a violation).
   */
  readonly group: "safety" | "cost" | "capability" | "result";
  /** Judges one transition by its events; returns a finding when the property's event occurs. */
  onStep?(m: Model, before: State, after: State, events: readonly ModelEvent[]): Finding | null;
  /**
   * The event kinds `onStep` reads: on a transition with none of them it
   * returns null, so the explorer need not call it (a test holds every
   * bundled property to this on random runs of every bundled scenario).
   * Absent: `onStep` is called on every transition.
   */
  readonly reads?: readonly ModelEvent["k"][];
  /** Judges a terminal state (nothing enabled). */
  atEnd?(m: Model, s: State): Finding | null;
  /** Liveness: whether the obligation is open in s. */
  pending?(m: Model, s: State): boolean;
}
