/**
 * The kernel model as a {@link System} for the explorer: properties become
 * bit masks over transitions and terminal states.
 */
import type { ModelEvent } from "../model/events.js";
import type { Model, State } from "../model/layout.js";
import { enabled, step } from "../model/step.js";
import type { Property } from "../properties/property.js";
import { describeAction } from "./describe.js";
import type { System } from "./system.js";

export function modelSystem(
  m: Model,
  props: readonly Property[],
): System<ModelEvent> & {
  pending(s: State): number;
} {
  return {
    init: m.init,
    properties: props.map((p) => p.name),
    enabled: (s) => enabled(m, s),
    step: (s, a, ev) => step(m, s, a, ev),
    judge(before, _a, after, events) {
      let bits = 0;
      for (let i = 0; i < props.length; i++) {
        const p = props[i]!;
        if (p.onStep && p.onStep(m, before, after, events) !== null) bits |= 1 << i;
      }
      return bits;
    },
    judgeEnd(s) {
      let bits = 0;
      for (let i = 0; i < props.length; i++) {
        const p = props[i]!;
        if (p.atEnd && p.atEnd(m, s) !== null) bits |= 1 << i;
      }
      return bits;
    },
    pending(s) {
      let bits = 0;
      for (let i = 0; i < props.length; i++) {
        const p = props[i]!;
        if (p.pending?.(m, s)) bits |= 1 << i;
      }
      return bits;
    },
    describe: (a) => describeAction(m, a),
  };
}
