/**
 * Parent links for the serial BFS, about two bytes per state, so traces can be
 * rebuilt by replaying actions from the initial state.
 *
 * BFS numbers states in discovery order and expands them in the same order,
 * so the states first found from parent p are a contiguous run of indices and
 * the runs follow p's order. Hence a state needs only the action that reached
 * it, and a parent only the length of its run; parent(k) is found by counting
 * runs (with a checkpoint every CHECK parents to keep it quick). Both arrays
 * start as bytes and widen only if a value does not fit.
 */
import type { AllowGrowth } from "./table.js";

const CHECK = 1024;

type Cells = Uint8Array | Uint16Array | Int32Array;

function widen(a: Cells, v: number, len: number): Cells {
  const fits8 = v >= 0 && v < 256;
  const fits16 = v >= 0 && v < 65536;
  if (a instanceof Uint8Array && !fits8) {
    const b = fits16 ? new Uint16Array(a.length) : new Int32Array(a.length);
    b.set(a.subarray(0, len));
    return b;
  }
  if (a instanceof Uint16Array && !fits16) {
    const b = new Int32Array(a.length);
    b.set(a.subarray(0, len));
    return b;
  }
  return a;
}

function enlarge(a: Cells, allow: AllowGrowth): Cells {
  const n = a.length * 2;
  if (!allow(n * a.BYTES_PER_ELEMENT)) throw new RangeError("memory budget");
  const b =
    a instanceof Uint8Array
      ? new Uint8Array(n)
      : a instanceof Uint16Array
        ? new Uint16Array(n)
        : new Int32Array(n);
  b.set(a);
  return b;
}

export class ParentLog {
  /** States recorded (the initial state is 0 and has no action). */
  states = 1;
  /** Parents begun with `expand`. */
  parents = 0;
  private acts: Cells = new Uint8Array(1024);
  private kids: Cells = new Uint8Array(1024);
  private checks: number[] = [];
  private children = 0;

  constructor(private readonly allow: AllowGrowth = () => true) {}

  get bytes(): number {
    return this.acts.byteLength + this.kids.byteLength + this.checks.length * 8;
  }

  /** The next state in BFS order is being expanded. */
  expand(): void {
    const p = this.parents++;
    if (p % CHECK === 0) this.checks.push(this.children);
    if (p >= this.kids.length) this.kids = enlarge(this.kids, this.allow);
    this.kids[p] = 0;
  }

  /** A new state was found from the parent being expanded, by action `a`. */
  child(a: number): void {
    const k = this.states++;
    if (k >= this.acts.length) this.acts = enlarge(this.acts, this.allow);
    if (this.acts[k] !== a) {
      this.acts[k] = a;
      if (this.acts[k] !== a) {
        this.acts = widen(this.acts, a, k);
        this.acts[k] = a;
      }
    }
    const p = this.parents - 1;
    const n = this.kids[p]! + 1;
    this.kids[p] = n;
    if (this.kids[p] !== n) {
      this.kids = widen(this.kids, n, p);
      this.kids[p] = n;
    }
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
      const n = this.kids[p]!;
      if (c < cum + n) return p;
      cum += n;
      p++;
    }
  }

  /** Actions from the initial state to state k (the BFS tree path: a shortest one). */
  pathTo(k: number): number[] {
    const out: number[] = [];
    while (k > 0) {
      out.push(this.acts[k]!);
      k = this.parentOf(k);
    }
    return out.reverse();
  }
}
