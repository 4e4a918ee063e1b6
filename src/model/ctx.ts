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
  blockers: number[];
  /** Set by an operation that blocks in TASK_UNINTERRUPTIBLE: signals cannot end the wait. */
  uninterruptible: boolean;
}

/** Returned by a system call that must wait; the process stays in the call. */
export const BLOCK = -0x40000000;

export function emit(ctx: Ctx, e: ModelEvent): void {
  if (ctx.ev !== null) ctx.ev.push(e);
}

export function block(ctx: Ctx, why: string, blockers: number[]): number {
  ctx.why = why;
  ctx.blockers = blockers;
  ctx.uninterruptible = false;
  return BLOCK;
}

export function newCtx(m: Model, s: State, ev: ModelEvent[] | null): Ctx {
  return { m, s, ev, why: "", blockers: [], uninterruptible: false };
}
