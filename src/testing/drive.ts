/** Test support: run a model along a schedule the test chooses, step by step. */
import type { ModelEvent } from "../model/events.js";
import type { Model, State } from "../model/layout.js";
import { A_PROC, A_SIGIO, actionIndex, actionKind, enabled, step } from "../model/step.js";

export interface Driven {
  readonly s: State;
  readonly events: ModelEvent[];
}

/**
 * Performs, in order, the step of each named process (`p` its next call or the
 * retry of the call it is blocked in, `p!` its pending signal). Throws when a
 * step is not enabled, so a test fails instead of silently taking another path.
 */
export function drive(m: Model, plan: readonly string[], from: State = m.init): Driven {
  let s = from;
  const events: ModelEvent[] = [];
  for (const item of plan) {
    const sig = item.endsWith("!");
    const name = sig ? item.slice(0, -1) : item;
    const p = m.procs.findIndex((x) => x.name === name);
    if (p < 0) throw new Error(`no process ${name}`);
    const kind = sig ? A_SIGIO : A_PROC;
    const a = enabled(m, s).find((x) => actionKind(x) === kind && actionIndex(x) === p);
    if (a === undefined) throw new Error(`step ${item} is not enabled`);
    s = step(m, s, a, events);
  }
  return { s, events };
}

/** The result of the first return of process `proc`'s operation `op` (name or label) in the events. */
export function returned(
  m: Model,
  ev: readonly ModelEvent[],
  proc: string,
  op: string,
): number | undefined {
  const p = m.procs.findIndex((x) => x.name === proc);
  const pcs = new Set(
    m.procs[p]!.prog.filter((o) => o.spec.op === op || o.spec.label === op).map((o) => o.index),
  );
  for (const e of ev) if (e.k === "ret" && e.proc === p && pcs.has(e.pc)) return e.result;
  return undefined;
}

/** Whether the action of process `proc` (`p` or `p!`) is enabled in s. */
export function canStep(m: Model, s: State, item: string): boolean {
  const sig = item.endsWith("!");
  const p = m.procs.findIndex((x) => x.name === (sig ? item.slice(0, -1) : item));
  const kind = sig ? A_SIGIO : A_PROC;
  return enabled(m, s).some((x) => actionKind(x) === kind && actionIndex(x) === p);
}
