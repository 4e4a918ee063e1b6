/**
 * The water-jug puzzle as a System: the explorer's smoke test, small enough
 * that its reachable states can be counted by hand (or by a ten-line brute
 * force in the test). Two jugs of capacities `a` and `b` litres, initially
 * empty; fill one from the tap, empty one, or pour one into the other until
 * it is empty or the other is full. Property 0, "goal", is shown when the
 * second jug holds exactly `goal` litres.
 *
 * Only actions that change the state are enabled, so the classic 3/5/4
 * instance has no terminal states.
 */
import type { System, SystemFactory } from "../../engine/explore/system.js";

export interface JugsParams {
  readonly a: number;
  readonly b: number;
  readonly goal: number;
}

export const FILL_A = 0;
export const FILL_B = 1;
export const EMPTY_A = 2;
export const EMPTY_B = 3;
export const POUR_AB = 4;
export const POUR_BA = 5;
const NAMES = ["fill A", "fill B", "empty A", "empty B", "pour A→B", "pour B→A"];

/** The puzzle as a system (the named export behind `jugsFactory`). */
export function jugsSystem(p: JugsParams = { a: 3, b: 5, goal: 4 }): System<never> {
  const next = (s: Int32Array, act: number): [number, number] => {
    const x = s[0]!;
    const y = s[1]!;
    switch (act) {
      case FILL_A:
        return [p.a, y];
      case FILL_B:
        return [x, p.b];
      case EMPTY_A:
        return [0, y];
      case EMPTY_B:
        return [x, 0];
      case POUR_AB: {
        const m = Math.min(x, p.b - y);
        return [x - m, y + m];
      }
      default: {
        const m = Math.min(y, p.a - x);
        return [x + m, y - m];
      }
    }
  };
  return {
    init: new Int32Array(2),
    properties: ["goal"],
    enabled(s) {
      const out: number[] = [];
      for (let act = 0; act < 6; act++) {
        const [x, y] = next(s, act);
        if (x !== s[0] || y !== s[1]) out.push(act);
      }
      return out;
    },
    step(s, act) {
      const [x, y] = next(s, act);
      return Int32Array.of(x, y);
    },
    judge(_before, _a, after) {
      return after[1] === p.goal ? 1n : 0n;
    },
    judgeEnd: () => 0n,
    describe: (act) => NAMES[act] ?? `action ${act}`,
    factory: jugsFactory(p),
  };
}

/** How a worker thread builds the same puzzle. */
export function jugsFactory(p: JugsParams = { a: 3, b: 5, goal: 4 }): SystemFactory {
  return { module: import.meta.url, export: "jugsSystem", arg: p };
}
