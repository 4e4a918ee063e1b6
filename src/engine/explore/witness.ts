/**
 * Witnesses are action sequences from the initial state; these helpers replay
 * them through the pure `step`.
 *
 * A lasso is found as a cycle of fingerprints (liveness.ts records no
 * actions). `concretizeCycle` turns it into actions: from the concrete start
 * it picks, at each step, an enabled action whose successor has the next
 * fingerprint. Under symmetry reduction the fingerprints are of canonical
 * forms, so a step leads to *some* state of the next symmetry class (one
 * exists because the system treats symmetric states alike); it goes round
 * until a concrete state repeats, and the rounds before the repeat join the
 * prefix. Without symmetry one round closes the cycle.
 */
import { fpHi, fpLo } from "../../model/fingerprint.js";
import type { System } from "./system.js";
import type { Lasso } from "./types.js";

/** The state reached by replaying `actions` from the initial state. */
export function replay(sys: System, actions: readonly number[]): Int32Array {
  let s = sys.init;
  for (const a of actions) s = sys.step(s, a, null);
  return s;
}

function sameState(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A concrete lasso for a cycle of symmetry classes. `targets[i]` is the
 * fingerprint of the class (canonical form) after the i-th step; the last is
 * the start's class. Returns null if no concrete step matches (a system that
 * breaks the symmetry contract).
 */
export function concretizeCycle(
  sys: System,
  prefix: readonly number[],
  targets: ReadonlyArray<readonly [number, number]>,
  symmetry: boolean,
): Lasso | null {
  const canon = symmetry && sys.canonical ? sys.canonical.bind(sys) : (s: Int32Array) => s;
  const path = [...prefix];
  const starts: Int32Array[] = [];
  const startAt: number[] = [];
  let s = replay(sys, prefix);
  // at most one round per element of the symmetry class, bounded generously
  for (let round = 0; round < 100000; round++) {
    const seen = starts.findIndex((x) => sameState(x, s));
    if (seen >= 0) {
      const at = startAt[seen]!;
      return { prefix: path.slice(0, at), cycle: path.slice(at) };
    }
    starts.push(s);
    startAt.push(path.length);
    for (const [hi, lo] of targets) {
      let next: Int32Array | null = null;
      for (const b of sys.enabled(s)) {
        const t = sys.step(s, b, null);
        const c = canon(t);
        if ((fpHi(c) | 0) === hi && (fpLo(c) | 0) === lo) {
          next = t;
          path.push(b);
          break;
        }
      }
      if (!next) return null;
      s = next;
    }
  }
  return null;
}
