/**
 * Parent links for the serial BFS, about two bytes per state, so traces can be
 * rebuilt by replaying actions from the initial state.
 *
 * BFS numbers states in discovery order and expands them in the same order,
 * so the states first found from parent p are a contiguous run of indices and
 * the runs follow p's order. Hence a state needs only the action that reached
 * it, and a parent only the length of its run; parent(k) is found by counting
 * runs (with a checkpoint every CHECK parents to keep it quick). Both arrays
 * start as bytes and widen only if a value does not fit (small-ints.ts).
 * An action is stored as its code (small-ints.ts ActionCodes).
 */
import { ActionCodes, SmallInts } from "./small-ints.js";
import type { AllowGrowth } from "./table.js";

const CHECK = 1024;

export class ParentLog {
  /** States recorded (the initial state is 0 and has no action). */
  states = 1;
  /** Parents begun with `expand`. */
  parents = 0;
  private readonly acts: SmallInts;
  private readonly kids: SmallInts;
  private checks: number[] = [];
  private children = 0;
  private readonly codes = new ActionCodes();

  constructor(allow: AllowGrowth = () => true) {
    this.acts = new SmallInts(1024, allow);
    this.kids = new SmallInts(1024, allow);
  }

  get bytes(): number {
    return this.acts.bytes + this.kids.bytes + this.checks.length * 8 + this.codes.bytes;
  }

  /** The next state in BFS order is being expanded. */
  expand(): void {
    const p = this.parents++;
    if (p % CHECK === 0) this.checks.push(this.children);
    this.kids.set(p, 0);
  }

  /** A new state was found from the parent being expanded, by action `a`. */
  child(a: number): void {
    this.acts.set(this.states++, this.codes.code(a));
    const p = this.parents - 1;
    this.kids.set(p, this.kids.get(p) + 1);
    this.children++;
  }

  /** The parent of state k ≥ 1. */
  parentOf(k: number): number {
    const c = k - 1; // k is the c-th child overall
    let lo = 0;
    let hi = this.checks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.checks[mid]! <= c) lo = mid;
      else hi = mid - 1;
    }
    let p = lo * CHECK;
    let cum = this.checks[lo]!;
    for (;;) {
      const n = this.kids.get(p);
      if (c < cum + n) return p;
      cum += n;
      p++;
    }
  }

  /** Actions from the initial state to state k (the BFS tree path: a shortest one). */
  pathTo(k: number): number[] {
    const out: number[] = [];
    while (k > 0) {
      out.push(this.codes.actions[this.acts.get(k)]!);
      k = this.parentOf(k);
    }
    return out.reverse();
  }
}
