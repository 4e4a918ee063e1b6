/** Test support: run a model along a schedule the test chooses, step by step, or drive it by hand. */
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

export class Driver {
  s: State;
  readonly log: ModelEvent[] = [];
  constructor(readonly m: Model) {
    this.s = m.init.slice();
  }
  /** Whether an action of `kind` for object `index` is enabled now. */
  can(kind: number, index: number): boolean {
    return enabled(this.m, this.s).some((a) => actionKind(a) === kind && actionIndex(a) === index);
  }
  /** Performs the enabled action of `kind` for `index` (throws if it is not enabled); returns its events. */
  do(kind: number, index: number): ModelEvent[] {
    if (!this.can(kind, index)) throw new Error(`action ${kind}:${index} is not enabled`);
    const ev: ModelEvent[] = [];
    this.s = step(this.m, this.s, (kind << 16) | index, ev);
    this.log.push(...ev);
    return ev;
  }
  /** Performs `n` steps of process p's program. */
  proc(p: number, n = 1, kind = 0): void {
    for (let i = 0; i < n; i++) this.do(kind, p);
  }
}
