/**
 * What a search has found so far, as plain numbers: for each property bit the
 * shortest witness seen (its length and the state id and action that end it),
 * terminal states, and dead ends per obligation. Witness paths are rebuilt
 * only at the end, from the parent links.
 */
export class Findings {
  /** Property bits shown so far (any number of properties). */
  shown = 0n;
  /** Per property bit: witness length, state id (the parent for a transition), action (-1: at that terminal state). */
  readonly len: number[] = [];
  readonly ref: number[] = [];
  readonly act: number[] = [];
  terminals = 0;
  terminalId = -1;
  terminalLen = 0;
  /** Obligation bits seen pending at a terminal state, and the first (shallowest) such state per bit. */
  deadEnds = 0;
  readonly deadEndId: number[] = [];
  readonly deadEndLen: number[] = [];
  /** Every obligation bit ever pending. */
  pendingBits = 0;

  /** A transition from `id` (depth len-1) by `a` showed `bits`. */
  transition(bits: bigint, id: number, a: number, len: number): void {
    // BFS: every witness noted so far is at most this long
    if ((bits & ~this.shown) === 0n) return;
    this.note(bits, id, a, len);
  }

  /** Terminal state `id` at depth `len`, with judgeEnd bits and pending bits. */
  terminal(id: number, len: number, endBits: bigint, pend: number): void {
    if (this.terminals++ === 0 || len < this.terminalLen) {
      this.terminalId = id;
      this.terminalLen = len;
    }
    if (endBits !== 0n) this.note(endBits, id, -1, len);
    const fresh = pend & ~this.deadEnds;
    if (fresh !== 0) {
      this.deadEnds |= fresh;
      for (let b = 0; b < 32; b++) {
        if ((fresh & (1 << b)) === 0) continue;
        this.deadEndId[b] = id;
        this.deadEndLen[b] = len;
      }
    }
  }

  /** Adds another search's findings (a worker's; ids are global), keeping the shortest witnesses. */
  merge(o: FindingsData): void {
    forEachBit(o.shown, (b) => {
      if (this.len[b] === undefined || o.len[b]! < this.len[b]!) {
        this.len[b] = o.len[b]!;
        this.ref[b] = o.ref[b]!;
        this.act[b] = o.act[b]!;
      }
    });
    this.shown |= o.shown;
    if (o.terminals > 0 && (this.terminals === 0 || o.terminalLen < this.terminalLen)) {
      this.terminalId = o.terminalId;
      this.terminalLen = o.terminalLen;
    }
    this.terminals += o.terminals;
    for (let b = 0; b < 32; b++) {
      if ((o.deadEnds & (1 << b)) === 0) continue;
      if ((this.deadEnds & (1 << b)) === 0 || o.deadEndLen[b]! < this.deadEndLen[b]!) {
        this.deadEnds |= 1 << b;
        this.deadEndId[b] = o.deadEndId[b]!;
        this.deadEndLen[b] = o.deadEndLen[b]!;
      }
    }
    this.pendingBits |= o.pendingBits;
  }

  private note(bits: bigint, id: number, a: number, len: number): void {
    forEachBit(bits, (b) => {
      if (this.len[b] === undefined || len < this.len[b]!) {
        this.len[b] = len;
        this.ref[b] = id;
        this.act[b] = a;
      }
    });
    this.shown |= bits;
  }
}

/** Calls `f` with the index of every set bit of `bits`, lowest first. */
export function forEachBit(bits: bigint, f: (b: number) => void): void {
  for (let b = 0, x = bits; x !== 0n; b++, x >>= 1n) if ((x & 1n) !== 0n) f(b);
}

/** Whether bit `b` of `bits` is set. */
export const hasBit = (bits: bigint, b: number): boolean => ((bits >> BigInt(b)) & 1n) !== 0n;

/** Findings as they arrive from another thread (structured clone: data, no methods). */
export type FindingsData = Pick<
  Findings,
  | "shown"
  | "len"
  | "ref"
  | "act"
  | "terminals"
  | "terminalId"
  | "terminalLen"
  | "deadEnds"
  | "deadEndId"
  | "deadEndLen"
  | "pendingBits"
>;
