/**
 * Small systems and a deliberately naive reference search for the explorer's
 * tests: the reference uses strings in a Map and recursion-free loops, shares
 * no code with the explorer, and is slow on purpose (it is the oracle).
 */
import type { System } from "../../engine/explore/system.js";

/** A process of a product system: local transitions over a shared variable x. */
export interface LocalMove {
  readonly from: number;
  readonly to: number;
  /** -1: any x; else enabled only when x equals it. */
  readonly guard: number;
  /** -1: x unchanged; else x becomes it. */
  readonly set: number;
  /** Judge bits of the move, shown only when x (before) is in `when` (a mask over x values). */
  readonly bits: number;
  readonly when: number;
}

export interface ProductSpec {
  readonly procs: readonly (readonly LocalMove[])[];
  /** Values of x: 0..xs-1. */
  readonly xs: number;
  /** judgeEnd bit 1 when x equals this at a terminal state (-1: never). */
  readonly endX: number;
  /** pending bit 0 when x equals this (-1: never); bit 1 when process 0 is at local state 1. */
  readonly pendX: number;
}

/**
 * Processes with local states, sharing one variable x. State:
 * [x, local 0, local 1, …]. Action p*M + k: move k of process p (M = the most
 * moves of any process). `independent` is the exact semantic check of the
 * System contract at s (diamond, both stay enabled, judgements unchanged), so
 * the explorer's sleep sets can be tested against full search.
 */
export function productSystem(spec: ProductSpec): System<never> {
  const P = spec.procs.length;
  const M = Math.max(1, ...spec.procs.map((m) => m.length));
  const move = (a: number) => spec.procs[Math.floor(a / M)]?.[a % M];
  const on = (s: Int32Array, a: number): boolean => {
    const p = Math.floor(a / M);
    const mv = move(a);
    return !!mv && s[1 + p] === mv.from && (mv.guard < 0 || s[0] === mv.guard);
  };
  const sys: System<never> = {
    init: new Int32Array(1 + P),
    properties: ["p0", "p1", "p2"],
    obligations: ["x-pending", "proc0-pending"],
    enabled(s) {
      const out: number[] = [];
      for (let p = 0; p < P; p++)
        for (let k = 0; k < spec.procs[p]!.length; k++) if (on(s, p * M + k)) out.push(p * M + k);
      return out;
    },
    step(s, a) {
      const t = s.slice();
      const mv = move(a)!;
      t[1 + Math.floor(a / M)] = mv.to;
      if (mv.set >= 0) t[0] = mv.set;
      return t;
    },
    judge(before, a) {
      const mv = move(a)!;
      return mv.when & (1 << before[0]!) ? BigInt(mv.bits) : 0n;
    },
    judgeEnd: (s) => (s[0] === spec.endX ? 2n : 0n),
    pending: (s) => (s[0] === spec.pendX ? 1 : 0) | (s[1] === 1 ? 2 : 0),
    independent(a, b, s) {
      if (Math.floor(a / M) === Math.floor(b / M)) return false;
      if (!on(s, a) || !on(s, b)) return false;
      const sa = sys.step(s, a, null);
      const sb = sys.step(s, b, null);
      if (!on(sa, b) || !on(sb, a)) return false;
      const sab = sys.step(sa, b, null);
      const sba = sys.step(sb, a, null);
      if (sab.join() !== sba.join()) return false;
      return (
        sys.judge(s, a, sa, []) === sys.judge(sb, a, sba, []) &&
        sys.judge(s, b, sb, []) === sys.judge(sa, b, sab, [])
      );
    },
    describe: (a) => `p${Math.floor(a / M)}.${a % M}`,
  };
  return sys;
}

/** A system over an explicit graph: state [node]; action = edge index. */
export interface GraphSpec {
  readonly edges: ReadonlyArray<readonly [number, number]>;
  /** Judge bits per edge. */
  readonly bits?: readonly number[];
  /** judgeEnd bits per node. */
  readonly end?: readonly number[];
  /** pending bits per node. */
  readonly pending?: readonly number[];
}

export function graphSystem(g: GraphSpec): System<never> {
  return {
    init: Int32Array.of(0),
    properties: ["a", "b"],
    obligations: ["x", "y"],
    enabled: (s) => g.edges.flatMap(([from], i) => (from === s[0] ? [i] : [])),
    step: (_s, a) => Int32Array.of(g.edges[a]![1]),
    judge: (_b, a) => BigInt(g.bits?.[a] ?? 0),
    judgeEnd: (s) => BigInt(g.end?.[s[0]!] ?? 0),
    pending: (s) => g.pending?.[s[0]!] ?? 0,
    describe: (a) => `edge ${a}`,
  };
}

export interface Reference {
  readonly states: number;
  readonly terminals: number;
  /** Per property bit: shortest witness length, or -1. */
  readonly shortest: number[];
  /** Per obligation bit: violated (dead end or cycle of pending states)? */
  readonly violated: boolean[];
}

/** The oracle: plain BFS over string keys, then a cycle check per obligation bit. */
export function reference(sys: System, bits = 3, obligationBits = 2): Reference {
  const key = (s: Int32Array) => s.join(",");
  const depth = new Map<string, number>([[key(sys.init), 0]]);
  const succ = new Map<string, string[]>();
  const pend = new Map<string, number>();
  const shortest = new Array<number>(bits).fill(-1);
  const better = (b: number, len: number) => {
    if (shortest[b]! < 0 || len < shortest[b]!) shortest[b] = len;
  };
  let level = [sys.init];
  let terminals = 0;
  const deadEnd = new Array<boolean>(obligationBits).fill(false);
  for (let d = 0; level.length > 0; d++) {
    const next: Int32Array[] = [];
    for (const s of level) {
      const k = key(s);
      const p = sys.pending?.(s) ?? 0;
      pend.set(k, p);
      const en = sys.enabled(s);
      const out: string[] = [];
      if (en.length === 0) {
        terminals++;
        const e = Number(sys.judgeEnd(s));
        for (let b = 0; b < bits; b++) if (e & (1 << b)) better(b, d);
        for (let b = 0; b < obligationBits; b++) if (p & (1 << b)) deadEnd[b] = true;
      }
      for (const a of en) {
        const t = sys.step(s, a, []);
        const j = Number(sys.judge(s, a, t, []));
        for (let b = 0; b < bits; b++) if (j & (1 << b)) better(b, d + 1);
        const tk = key(t);
        out.push(tk);
        if (!depth.has(tk)) {
          depth.set(tk, d + 1);
          next.push(t);
        }
      }
      succ.set(k, out);
    }
    level = next;
  }
  const violated = deadEnd.map((dead, b) => {
    if (dead) return true;
    // peel states without a successor inside the set; what remains holds a cycle
    const set = new Set([...pend].filter(([, m]) => m & (1 << b)).map(([k]) => k));
    for (let changed = true; changed; ) {
      changed = false;
      for (const k of set)
        if (!succ.get(k)!.some((t) => set.has(t))) {
          set.delete(k);
          changed = true;
        }
    }
    return set.size > 0;
  });
  return { states: depth.size, terminals, shortest, violated };
}

/** Parameters of {@link wideSystem}. */
export interface WideSpec {
  /** Independent counters, each counting from 0 to `top`. */
  readonly counters: number;
  readonly top: number;
  /** Int32 words of each state (at least `counters`): how much memory a state takes. */
  readonly width: number;
}

/**
 * Counters that step one at a time, in states of `width` words: a search
 * whose levels are wide and whose states are big, to run out of memory
 * quickly (the memory tests). Nothing is judged.
 */
export function wideSystem(w: WideSpec): System<never> {
  return {
    init: new Int32Array(w.width),
    properties: [],
    enabled: (s) => {
      const out: number[] = [];
      for (let i = 0; i < w.counters; i++) if (s[i]! < w.top) out.push(i);
      return out;
    },
    step: (s, a) => {
      const t = s.slice();
      t[a]!++;
      return t;
    },
    judge: () => 0n,
    judgeEnd: () => 0n,
    describe: (a) => `count ${a}`,
    factory: { module: import.meta.url, export: "wideSystem", arg: w },
  };
}
