/** Test support: drive a model by hand, one chosen action at a time. */
import type { ModelEvent } from "../model/events.js";
import type { Model, State } from "../model/layout.js";
import { actionIndex, actionKind, enabled, step } from "../model/step.js";

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
