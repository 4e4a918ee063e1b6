/**
 * The simulator's schedule kept between transitions, for models whose
 * states seldom repeat (the memo off): the model's enabledness units
 * (step.ts enabledUnits) are asked again only where a word they watch
 * changed, or after every transition where they answered wide; the
 * scheduled actions sit in a heap by (time, rank). A transition then costs
 * the few units it touched and a few heap moves, not a pass over every
 * process and peer of a hundred-actor workload.
 *
 * Same answers as asking `enabledInto` after every transition and scanning
 * it: the enabled actions are the units' (their concatenation is
 * `enabledInto`), an action enabled before keeps its time, one newly
 * enabled (or enabled again after it fired) gets a delay sampled in the
 * model's order (`actionRank`, which is `enabledInto`'s), and the earliest
 * fires, ties to the lower rank. memo.test.ts and simulate's verify mode
 * hold the loop to the model's own enabled actions after every transition.
 */
import type { Model, State } from "../../model/layout.js";
import { actionRank, type EnabledUnits, enabledUnits, unitInto } from "../../model/step.js";

/** At most this many actions per unit (a process: SIGIO, the handler's end, its step). */
const PER_UNIT = 3;

/** What the schedule needs of a model, built once and shared by its seeds. */
export interface ScheduleTable {
  readonly units: EnabledUnits;
  /** The words some unit watches, once each, and per such word k the units watching it. */
  readonly watched: Int32Array;
  readonly watchersFrom: Int32Array;
  readonly watchers: Int32Array;
}

export function scheduleTable(m: Model): ScheduleTable {
  const units = enabledUnits(m);
  const by: number[][] = Array.from({ length: m.init.length }, () => []);
  for (let u = 0; u < units.count; u++)
    for (let k = units.watchFrom[u]!; k < units.watchFrom[u + 1]!; k++) {
      const list = by[units.watch[k]!]!;
      if (list[list.length - 1] !== u) list.push(u);
    }
  const watched: number[] = [];
  const watchersFrom = [0];
  const flat: number[] = [];
  by.forEach((list, w) => {
    if (list.length === 0) return;
    watched.push(w);
    flat.push(...list);
    watchersFrom.push(flat.length);
  });
  return {
    units,
    watched: Int32Array.from(watched),
    watchersFrom: Int32Array.from(watchersFrom),
    watchers: Int32Array.from(flat),
  };
}

/**
 * One seed's schedule over a ScheduleTable: `start` on the initial state,
 * then after each transition `advance` with the states before and after;
 * `top` is the next action to fire and `at` its time.
 */
export class Schedule {
  private readonly acts: Int32Array;
  private readonly count: Uint8Array;
  private readonly wideList: Int32Array;
  private nWide = 0;
  private readonly mark: Int32Array;
  /** The watched words' values when the units were last asked (ScheduleTable.watched). */
  private readonly seen: Int32Array;
  private round = 0;
  private readonly dirty: Int32Array;
  private readonly fresh: number[] = [];
  private readonly out: number[] = [];
  // The heap of scheduled actions: slot ids, with each slot's time, rank and place.
  private readonly heap: Int32Array;
  private size = 0;
  private readonly time: Float64Array;
  private readonly rank: Int32Array;
  private readonly pos: Int32Array;
  private readonly actOf: Int32Array;

  constructor(
    private readonly m: Model,
    private readonly T: ScheduleTable,
    /** The action's slot (kind × width + index), or -1 for one never scheduled. */
    private readonly slotOf: (a: number) => number,
    slots: number,
  ) {
    const n = T.units.count;
    this.acts = new Int32Array(n * PER_UNIT);
    this.count = new Uint8Array(n);
    this.wideList = new Int32Array(n);
    this.mark = new Int32Array(n);
    this.seen = new Int32Array(T.watched.length);
    this.dirty = new Int32Array(n);
    this.heap = new Int32Array(slots);
    this.time = new Float64Array(slots);
    this.rank = new Int32Array(slots);
    this.pos = new Int32Array(slots).fill(-1);
    this.actOf = new Int32Array(slots);
  }

  /** The earliest action (-1: none scheduled) and its time. */
  top(): number {
    return this.size > 0 ? this.actOf[this.heap[0]!]! : -1;
  }

  at(): number {
    return this.size > 0 ? this.time[this.heap[0]!]! : Number.POSITIVE_INFINITY;
  }

  /** The earliest action fires: it leaves the schedule (if it stays enabled it is sampled again). */
  fire(): void {
    this.remove(this.heap[0]!);
  }

  /** Every unit asked on s, every action new: `delay` gives each its time, in rank order. */
  start(s: State, delay: (a: number, s: State) => number): void {
    while (this.size > 0) this.remove(this.heap[0]!);
    this.nWide = 0;
    for (let i = 0; i < this.T.watched.length; i++) this.seen[i] = s[this.T.watched[i]!]!;
    for (let u = 0; u < this.T.units.count; u++) {
      this.count[u] = 0;
      this.dirty[u] = u;
    }
    this.ask(s, this.T.units.count, -1, delay);
  }

  /**
   * After a transition by `fired` to s: the units watching a word that
   * changed since they were asked, and the wide ones, are asked again.
   */
  advance(s: State, fired: number, delay: (a: number, s: State) => number): void {
    const { watched, watchersFrom, watchers } = this.T;
    const seen = this.seen;
    const round = ++this.round;
    const mark = this.mark;
    const dirty = this.dirty;
    let n = 0;
    for (let k = 0; k < this.nWide; k++) {
      const u = this.wideList[k]!;
      mark[u] = round;
      dirty[n++] = u;
    }
    for (let i = 0; i < watched.length; i++) {
      const v = s[watched[i]!]!;
      if (v === seen[i]) continue;
      seen[i] = v;
      for (let j = watchersFrom[i]!; j < watchersFrom[i + 1]!; j++) {
        const u = watchers[j]!;
        if (mark[u] === round) continue;
        mark[u] = round;
        dirty[n++] = u;
      }
    }
    this.ask(s, n, fired, delay);
  }

  /** The actions enabled now, in the model's order (for the verify mode: `enabledInto`'s answer). */
  enabledInto(out: number[]): number {
    let n = 0;
    for (let u = 0; u < this.T.units.count; u++)
      for (let k = 0; k < this.count[u]!; k++) out[n++] = this.acts[u * PER_UNIT + k]!;
    return n;
  }

  /** Asks units dirty[0..n) on s; the new actions (and `fired`, if still enabled) get their times. */
  private ask(s: State, n: number, fired: number, delay: (a: number, s: State) => number): void {
    const { m, acts, count, out, fresh } = this;
    const U = this.T.units;
    let nWide = 0;
    for (let k = 0; k < n; k++) {
      const u = this.dirty[k]!;
      const r = unitInto(m, s, U, u, out, 0);
      const c = r >> 1;
      const base = u * PER_UNIT;
      // Gone: out of the heap. Still there: keeps its time. New: sampled below.
      for (let j = 0; j < count[u]!; j++) {
        const a = acts[base + j]!;
        if (!includes(out, c, a)) {
          const slot = this.slotOf(a);
          if (slot >= 0 && this.pos[slot]! >= 0) this.remove(slot);
        }
      }
      for (let j = 0; j < c; j++) acts[base + j] = out[j]!;
      count[u] = c;
      if ((r & 1) === 1) this.wideList[nWide++] = u;
    }
    // Every unit wide before was dirty: the wide ones now are the dirty ones that answered wide.
    this.nWide = nWide;
    for (let k = 0; k < n; k++) {
      const u = this.dirty[k]!;
      for (let j = 0; j < count[u]!; j++) this.offer(acts[u * PER_UNIT + j]!);
    }
    if (fired >= 0 && this.mark[this.unitOfAction(fired)] !== this.round) {
      const u = this.unitOfAction(fired);
      if (includes(acts, count[u]!, fired, u * PER_UNIT)) this.offer(fired);
    }
    if (fresh.length === 0) return;
    // In the model's order, as the loop over enabledInto met them.
    if (fresh.length > 1) fresh.sort((a, b) => actionRank(U, a) - actionRank(U, b));
    for (let k = 0; k < fresh.length; k++) {
      const a = fresh[k]!;
      this.push(this.slotOf(a), a, delay(a, s));
    }
    while (fresh.length > 0) fresh.pop();
  }

  /** Action a is enabled now: if it is scheduled it keeps its time, else it is new. */
  private offer(a: number): void {
    const slot = this.slotOf(a);
    if (slot < 0 || this.pos[slot]! >= 0) return;
    // Not yet in the heap: at most once in fresh (a unit lists an action once).
    if (!this.fresh.includes(a)) this.fresh.push(a);
  }

  private unitOfAction(a: number): number {
    return actionRank(this.T.units, a) >> 2;
  }

  private push(slot: number, a: number, t: number): void {
    this.time[slot] = t;
    this.rank[slot] = actionRank(this.T.units, a);
    this.actOf[slot] = a;
    this.heap[this.size] = slot;
    this.pos[slot] = this.size;
    this.size++;
    this.up(this.size - 1);
  }

  private remove(slot: number): void {
    const i = this.pos[slot]!;
    const last = this.heap[--this.size]!;
    this.pos[slot] = -1;
    if (i === this.size) return;
    this.heap[i] = last;
    this.pos[last] = i;
    this.up(i);
    this.down(this.pos[last]!);
  }

  private less(x: number, y: number): boolean {
    const tx = this.time[x]!;
    const ty = this.time[y]!;
    return tx < ty || (tx === ty && this.rank[x]! < this.rank[y]!);
  }

  private up(i: number): void {
    const h = this.heap;
    const slot = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(slot, h[p]!)) break;
      h[i] = h[p]!;
      this.pos[h[i]!] = i;
      i = p;
    }
    h[i] = slot;
    this.pos[slot] = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const slot = h[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= this.size) break;
      if (c + 1 < this.size && this.less(h[c + 1]!, h[c]!)) c++;
      if (!this.less(h[c]!, slot)) break;
      h[i] = h[c]!;
      this.pos[h[i]!] = i;
      i = c;
    }
    h[i] = slot;
    this.pos[slot] = i;
  }
}

function includes(xs: ArrayLike<number>, n: number, a: number, from = 0): boolean {
  for (let k = from; k < from + n; k++) if (xs[k] === a) return true;
  return false;
}
