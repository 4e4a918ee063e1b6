/**
 * The simulator's memory of the model: `enabledInto` and `stepInto` are pure
 * functions of the state, and a run (and the next seed of the same model)
 * keeps coming back to the same states, so the loop asks the model once per
 * distinct state and once per distinct transition and then reuses the
 * answer. Exact by construction: a state is found only by comparing every
 * word, and what is kept is what the model answered.
 *
 * Bounded: at most MAX_WORDS words of states and MAX_TRANSITIONS transitions;
 * when either is full everything is forgotten and the memory starts over. A
 * model whose runs seldom revisit a state (many independent actors) gains
 * nothing from it: when fewer than half of WINDOW lookups of transitions
 * hit, or a generation fills up with fewer hits than misses, it goes off
 * for that model, and the loop asks the model every time.
 */
import type { ModelEvent } from "../../model/events.js";
import type { Model, State } from "../../model/layout.js";
import { enabledInto } from "../../model/step.js";

/**
 * Words of states kept per model (4 MiB), states and transitions: some 20 MiB
 * at most per model (a worker holds one per policy).
 */
const MAX_WORDS = 1 << 20;
/** States kept per model, whatever their size. */
const MAX_STATES = 1 << 14;
/** Transitions kept per model. */
const MAX_TRANSITIONS = 1 << 16;
/** Lookups per verdict on whether the memory pays: fewer than half of them hit, it goes off. */
const WINDOW = 8192;

/** A property's finding on a transition, by its index in the judged list. */
export interface Found {
  readonly prop: number;
  readonly message: string;
}

/** What one transition did: the successor, its events, what the properties found. */
export interface Transition {
  readonly next: number;
  readonly events: readonly ModelEvent[];
  readonly found: readonly Found[];
}

const NONE: readonly Found[] = [];
const NO_EVENTS: readonly ModelEvent[] = [];

/** A copy of an event: its fields, and its arrays (blockers) copied too. */
function copyEvent(e: ModelEvent): ModelEvent {
  const c: Record<string, unknown> = { ...e };
  for (const k in c) {
    const v = c[k];
    if (Array.isArray(v)) c[k] = v.slice();
  }
  return c as unknown as ModelEvent;
}

export class StateMemo {
  readonly width: number;
  readonly capacity: number;
  /** False once it stopped paying (see above): the loop then asks the model. */
  on = true;
  private pool: Int32Array;
  private views: Int32Array[] = [];
  private hashes: Int32Array;
  private table: Int32Array;
  private mask: number;
  private count = 0;
  /** Per state: its enabled actions (in the model's order), each state's own array. */
  private enabledOf: number[][] = [];
  /**
   * Per state, per position in its enabled actions: what that action did
   * (indexed by position, not looked up by key: the loop knows the position).
   */
  private transitionsOf: (Transition | undefined)[][] = [];
  private transitionCount = 0;
  private scratch: number[] = [];
  private lookups = 0;
  private hits = 0;
  /** Incremented by each reset: an id from an earlier generation means nothing. */
  generation = 0;

  constructor(
    private readonly m: Model,
    /** Called once per state when it is first seen, with its enabled actions. */
    private readonly onNew: (id: number, s: State, enabled: readonly number[]) => void,
  ) {
    this.width = m.init.length;
    this.capacity = Math.max(16, Math.min(MAX_STATES, Math.floor(MAX_WORDS / this.width)));
    // Grown on demand (doubling up to the capacity): a small model keeps a small memory.
    this.pool = new Int32Array(Math.min(this.capacity, 256) * this.width);
    this.hashes = new Int32Array(Math.min(this.capacity, 256));
    let size = 16;
    while (size < 2 * this.capacity) size <<= 1;
    this.table = new Int32Array(size);
    this.mask = size - 1;
  }

  /** The state with id `id` (a view into the memory: valid until the next reset). */
  state(id: number): Int32Array {
    return this.views[id]!;
  }

  /** The enabled actions of state `id`, in `enabledInto`'s order. */
  enabled(id: number): readonly number[] {
    return this.enabledOf[id]!;
  }

  /**
   * The id of state s, added if new. Returns -1 when the memory was full and
   * has been reset (every earlier id is void; s itself is then added as the
   * first state of the new generation: call again).
   */
  intern(s: State): number {
    const w = this.width;
    let h = 0x811c9dc5 | 0;
    for (let i = 0; i < w; i++) h = Math.imul(h ^ s[i]!, 0x01000193);
    h ^= h >>> 15;
    const t = this.table;
    for (let j = h & this.mask; ; j = (j + 1) & this.mask) {
      const e = t[j]!;
      if (e === 0) break;
      const id = e - 1;
      if (this.hashes[id] !== h) continue;
      const v = this.views[id]!;
      let same = true;
      for (let i = 0; i < w; i++)
        if (v[i] !== s[i]) {
          same = false;
          break;
        }
      if (same) return id;
    }
    if (this.count >= this.capacity) {
      this.reset();
      return -1;
    }
    const id = this.count++;
    if ((id + 1) * w > this.pool.length) this.grow();
    if (this.views.length <= id) this.views.push(this.pool.subarray(id * w, (id + 1) * w));
    const v = this.views[id]!;
    v.set(s);
    this.hashes[id] = h;
    let j = h & this.mask;
    while (t[j] !== 0) j = (j + 1) & this.mask;
    t[j] = id + 1;
    const n = enabledInto(this.m, v, this.scratch);
    const en = this.scratch.slice(0, n);
    this.enabledOf[id] = en;
    this.transitionsOf[id] = new Array<Transition | undefined>(n);
    this.onNew(id, v, en);
    return id;
  }

  private initialId = -1;
  private initialGeneration = -1;

  /**
   * The id of the initial state `init` (the same for every seed of the
   * model: looked up once per generation, not once per seed).
   */
  initial(init: State): number {
    if (this.initialGeneration !== this.generation) {
      let id = this.intern(init);
      if (id < 0) id = this.intern(init);
      this.initialId = id;
      this.initialGeneration = this.generation;
    }
    return this.initialId;
  }

  /** The id initial() gave in this generation, or -1 (not asked yet, or forgotten since). */
  knownInitial(): number {
    return this.initialGeneration === this.generation ? this.initialId : -1;
  }

  /** The transition by the k-th of state `id`'s enabled actions, if it was seen. */
  transition(id: number, k: number): Transition | undefined {
    const t = this.transitionsOf[id]![k];
    if (t !== undefined) this.hits++;
    if (++this.lookups === WINDOW) {
      if (2 * this.hits < WINDOW) this.on = false;
      this.lookups = 0;
      this.hits = 0;
    }
    return t;
  }

  /**
   * Keeps what the k-th enabled action of state `from` (an id of the
   * current generation) did. The events are copied: the model may reuse its own.
   */
  keep(
    from: number,
    k: number,
    next: number,
    events: readonly ModelEvent[],
    found: readonly Found[],
  ) {
    if (this.transitionCount >= MAX_TRANSITIONS) {
      this.reset();
      return;
    }
    const of = this.transitionsOf[from]!;
    if (of[k] === undefined) this.transitionCount++;
    of[k] = {
      next,
      events: events.length === 0 ? NO_EVENTS : events.map(copyEvent),
      found: found.length === 0 ? NONE : found,
    };
  }

  private grow(): void {
    const states = Math.min(this.capacity, (this.pool.length / this.width) * 2);
    const pool = new Int32Array(states * this.width);
    pool.set(this.pool);
    this.pool = pool;
    const hashes = new Int32Array(states);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const w = this.width;
    for (let id = 0; id < this.views.length; id++)
      this.views[id] = pool.subarray(id * w, (id + 1) * w);
  }

  /**
   * Forgets everything once it is off (the caller has taken what it holds:
   * until then every id stays good).
   */
  release(): void {
    this.reset();
    this.transitionsOf = [];
    this.enabledOf = [];
    this.views = [];
    this.pool = new Int32Array(0);
  }

  private reset(): void {
    if (2 * this.hits < this.lookups) this.on = false;
    this.count = 0;
    this.table.fill(0);
    this.transitionCount = 0;
    this.generation++;
  }
}
