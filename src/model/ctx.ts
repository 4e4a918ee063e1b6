/**
 * The context of one step: the model, the state being built (a private copy),
 * and where events go. Kernel functions take it instead of globals.
 */
import type { ModelEvent } from "./events.js";
import type { Model, State } from "./layout.js";

export interface Ctx {
  readonly m: Model;
  readonly s: State;
  readonly ev: ModelEvent[] | null;
  /** Set by an operation that blocks: why, and which processes hold what it waits for. */
  why: string;
  blockers: readonly number[];
  /** Set by an operation that blocks in TASK_UNINTERRUPTIBLE: signals cannot end the wait. */
  uninterruptible: boolean;
}

/** Returned by a system call that must wait; the process stays in the call. */
export const BLOCK = -0x40000000;

/** No blockers: one shared, frozen array (a step that blocks on nobody allocates none). */
export const NO_BLOCKERS: readonly number[] = Object.freeze([]);

export function emit(ctx: Ctx, e: ModelEvent): void {
  if (ctx.ev !== null) ctx.ev.push(e);
}

export function block(ctx: Ctx, why: string, blockers: readonly number[]): number {
  ctx.why = why;
  ctx.blockers = blockers;
  ctx.uninterruptible = false;
  return BLOCK;
}

export function newCtx(m: Model, s: State, ev: ModelEvent[] | null): Ctx {
  return { m, s, ev, why: "", blockers: NO_BLOCKERS, uninterruptible: false };
}

type MutableCtx = { -readonly [K in keyof Ctx]: Ctx[K] };

/**
 * One context per depth of nesting, reused by every step at that depth (a
 * step allocates no context). Depth 0 is a transition, depth 1 the
 * speculative retry that `enabled` runs; a deeper nesting gets fresh ones.
 */
const pool: MutableCtx[] = [];
let depth = 0;

/** A context for one step, to be handed back with `releaseCtx` when the step ends. */
export function acquireCtx(m: Model, s: State, ev: ModelEvent[] | null): Ctx {
  let c = pool[depth];
  if (c === undefined) {
    c = { m, s, ev, why: "", blockers: NO_BLOCKERS, uninterruptible: false };
    if (depth < 4) pool[depth] = c;
  } else {
    c.m = m;
    c.s = s;
    c.ev = ev;
    c.why = "";
    c.blockers = NO_BLOCKERS;
    c.uninterruptible = false;
  }
  depth++;
  return c;
}

export function releaseCtx(c: Ctx): void {
  depth--;
  // Drop the references, so that a pooled context keeps no state or model alive.
  const mc = c as MutableCtx;
  mc.s = EMPTY_STATE;
  mc.ev = null;
}

const EMPTY_STATE: State = new Int32Array(0);
