/**
 * Partial-order reduction by sleep sets (Godefroid 1996, ch. 5), adapted to
 * breadth-first search.
 *
 * A state's sleep set holds actions whose effect from here is already covered:
 * an action t explored from an ancestor r before the action leading towards
 * this state, and independent of every action since (System.independent:
 * commuting, not disabling, not changing each other's judgement). Executing t
 * here would reach a state also reached through r·t, by a transition that
 * `judge` sees alike. The child reached by action a from s gets
 *   sleep(s·a) = { b ∈ sleep(s) ∪ done(s, before a) | independent(a, b, s) }.
 *
 * Why this keeps every verdict exact in BFS, with the sleep set taken from a
 * state's first discovery only: BFS discovers each state first through its
 * shortlex-least explored path (by length, then by the position of each action
 * in `enabled`). Take the shortlex-least path π to any reachable state (or to
 * any transition with some judge bit); all its prefixes are least too, so each
 * of its states is discovered through π. If π's next action t were asleep,
 * moving t back to the ancestor where it was explored earlier gives a path of
 * the same length (shorter, for a transition witness) that is lexicographically
 * less: a contradiction. So every state is stored (state counts are equal with
 * and without reduction), every judge bit is seen at the same shortest depth,
 * and terminal states are the same; only transitions are saved.
 *
 * The same argument holds under symmetry reduction (take π least among the
 * paths to any state of the class: the stored representative is its end).
 * It needs the serial discovery order, so with worker threads sleep sets
 * apply only to the part searched before the hand-over (parallel.ts); later
 * states are expanded fully, which only explores more.
 *
 * Conditions, in short: `independent(a, b, s)` must mean that a and b are
 * enabled in s, each stays enabled after the other, both orders reach the
 * same state, and judge(s·b, a) = judge(s, a), judge(s·a, b) = judge(s, b).
 * Nothing is asked of `pending`: liveness needs the edges among pending
 * states, so pending states are always fully expanded. checkContracts
 * (contracts.ts) tests these conditions on a system's reachable states.
 *
 * Why not ample (persistent) sets, which also cut states: a pairwise relation
 * on the actions enabled now says nothing about actions that become enabled
 * later, so it cannot show that a subset of enabled actions is persistent;
 * ample sets would need the system to say more (e.g. which actions are
 * private to a process for ever) and a cycle proviso for liveness. Sleep sets
 * are exact with what `independent` gives; symmetry is what cuts states.
 *
 * Sleep sets are capped at SLEEP_SLOTS actions: dropping members only
 * explores more.
 *
 * The frontier record of a state is then [state…, n, t0…t(SLEEP_SLOTS-1)].
 */
import type { System } from "./system.js";

export const SLEEP_SLOTS = 8;

/** Whether `a` is in the sleep set stored at `off` (count at off, members after). */
export function asleep(rec: Int32Array, off: number, a: number): boolean {
  const n = rec[off]!;
  for (let i = 1; i <= n; i++) if (rec[off + i] === a) return true;
  return false;
}

/**
 * Writes the child's sleep set at `out[off]` (count, then members): members of
 * the parent's sleep set (`sleep`, count at `sOff`) and of `done[from, to)`
 * (the actions explored before `a` here) that are independent of `a` in `s`.
 */
export function childSleep(
  sys: System,
  s: Int32Array,
  a: number,
  sleep: Int32Array,
  sOff: number,
  done: Int32Array,
  from: number,
  to: number,
  out: Int32Array,
  off: number,
): void {
  const indep = sys.independent!; // the caller checked that it exists
  let n = 0;
  const sn = sleep[sOff]!;
  for (let i = 1; i <= sn && n < SLEEP_SLOTS; i++) {
    const b = sleep[sOff + i]!;
    if (indep.call(sys, a, b, s)) out[off + 1 + n++] = b;
  }
  for (let i = from; i < to && n < SLEEP_SLOTS; i++) {
    const b = done[i]!;
    if (indep.call(sys, a, b, s)) out[off + 1 + n++] = b;
  }
  out[off] = n;
}
