/**
 * Control flow of a process's program: `loop N { ... }`, `if LABEL RESULT,...
 * { ... } [else { ... }]` and `break` (spec.ts FlowStmt).
 *
 * A loop is unrolled: its body appears N times in the flat program, so a run
 * is still a walk forward through a finite program and `check` stays finite
 * and exact without a loop counter in the state. The program counter of the
 * state is then enough to say where a process is, in which iteration, and in
 * which branch. An `if` and a `break` become jump operations (spec.ts
 * `jump`), which the process takes at once after the step before them
 * (`settle`): a jump is never a step, a trace never shows one, and it adds no
 * interleaving.
 *
 * The copies of one statement share what that statement makes: one object
 * slot (file description, mapping, registration: compile.ts) and one result
 * field. The result field holds the result of the statement's last run (0:
 * never ran, 1: it returned ≥ 0, 2: skipped because an input was missing,
 * -errno), the one field an `if` reads. Only programs with an `if` have such
 * fields, so other scenarios' states do not change.
 *
 * A copy that creates an object reuses the slot of the previous iteration's:
 * that object must have been released (or never made) by then. Lint and
 * compile refuse a loop body that could reach its end with the object still
 * alive (`checkFlow`); a copy that meets one all the same (its release
 * failed) is skipped (`freshSlots`).
 */
import type { Ctx } from "./ctx.js";
import { errnoByName } from "./errno.js";
import {
  type Model,
  MR_DEREG,
  MR_NONE,
  mr as mrOff,
  OFD_STRIDE,
  ofd,
  P_PC,
  P_STATUS,
  PS_DONE,
  PS_RUN,
  proc,
  type State,
  vma as vmaOff,
} from "./layout.js";
import type { FlowStmt, ProcOp, SourcePos } from "./spec.js";

/** The largest `loop` count: each iteration is a copy of the body in the program. */
export const MAX_LOOP_COUNT = 16;
/** The most operations a program may have once its loops are unrolled. */
export const MAX_UNROLLED = 512;

/** Result field values (besides -errno). */
export const RES_NONE = 0;
export const RES_OK = 1;
export const RES_SKIPPED = 2;

/** Operations a loop body may not hold: each makes something once (a child, a hidden file) or leaves I/O in flight. */
export const NOT_IN_LOOP: ReadonlySet<string> = new Set([
  "fork",
  "memfd_create",
  "mmap_anon",
  "dio_read",
  "dio_write",
  "vmsplice",
]);

/** What each operation that creates an object is undone by, and the undoing operation's field naming it. */
export const RELEASES: Readonly<Record<string, readonly [string, string]>> = {
  open: ["close", "fd"],
  mmap: ["munmap", "va"],
  reg_mr: ["dereg_mr", "mr"],
  pin_longterm: ["unpin_longterm", "pin"],
  io_uring_register: ["io_uring_unregister", "buf"],
  vfio_map_dma: ["vfio_unmap_dma", "dma"],
};

export interface FlowError {
  readonly message: string;
  readonly at?: SourcePos;
}

/** The labels a loop gives the copies of a labelled statement: `t#1`, `t#2`, ... */
export const copyLabel = (label: string, k: number): string => `${label}#${k}`;

/**
 * The flat program of a flow: loops unrolled (labels inside a loop become
 * `LABEL#k`, the k-th time the statement is written out), `if` and `break`
 * as jumps. An `if` names the statement labelled LABEL that comes last
 * before it in the written-out program; its jump tests that statement's
 * shared result (the index of its first copy).
 */
export function unrollFlow(flow: readonly FlowStmt[]): {
  program: ProcOp[];
  errors: FlowError[];
} {
  const out: ProcOp[] = [];
  const errors: FlowError[] = [];
  const first = new Map<FlowStmt, number>();
  const copies = new Map<FlowStmt, number>();
  const byLabel = new Map<string, number>();
  let full = false;
  const patch = (j: number, to: number) => {
    out[j] = { ...(out[j] as Extract<ProcOp, { op: "jump" }>), to };
  };
  const emit = (stmts: readonly FlowStmt[], depth: number, breaks: number[] | undefined) => {
    for (const st of stmts) {
      if (out.length > MAX_UNROLLED) {
        if (!full)
          errors.push({
            message: `the program has more than ${MAX_UNROLLED} operations once its loops are unrolled`,
            ...(st.kind === "op" ? atOf(st.op.at) : atOf(st.at)),
          });
        full = true;
        return;
      }
      switch (st.kind) {
        case "op": {
          const index = out.length;
          const k = (copies.get(st) ?? 0) + 1;
          copies.set(st, k);
          const f = first.get(st);
          if (f === undefined) first.set(st, index);
          let op = st.op;
          if (depth > 0 && op.label !== undefined) op = { ...op, label: copyLabel(op.label, k) };
          if (f !== undefined) op = { ...op, copyOf: f };
          if (st.op.label !== undefined) byLabel.set(st.op.label, f ?? index);
          out.push(op);
          break;
        }
        case "loop": {
          if (!Number.isInteger(st.count) || st.count < 1 || st.count > MAX_LOOP_COUNT) {
            errors.push({
              message: `loop: the count must be a whole number in 1..${MAX_LOOP_COUNT} (got ${st.count})`,
              ...atOf(st.at),
            });
            break;
          }
          const ends: number[] = [];
          for (let k = 0; k < st.count && !full; k++) emit(st.body, depth + 1, ends);
          for (const j of ends) patch(j, out.length);
          break;
        }
        case "break":
          if (!breaks) {
            errors.push({ message: "break: not inside a loop", ...atOf(st.at) });
            break;
          }
          breaks.push(out.length);
          out.push({ op: "jump", to: -1, ...atOf(st.at) });
          break;
        case "if": {
          const pc = byLabel.get(st.label);
          if (pc === undefined) {
            errors.push({
              message: `if: no operation labelled ${st.label} comes before it`,
              ...atOf(st.at),
            });
            break;
          }
          for (const r of st.results)
            if (r !== "ok" && errnoByName(r) === undefined)
              errors.push({ message: `if: unknown result ${r}`, ...atOf(st.at) });
          const j = out.length;
          out.push({ op: "jump", to: -1, unless: { pc, results: st.results }, ...atOf(st.at) });
          emit(st.body, depth, breaks);
          if (st.otherwise) {
            const j2 = out.length;
            out.push({ op: "jump", to: -1, ...atOf(st.at) });
            patch(j, out.length);
            emit(st.otherwise, depth, breaks);
            patch(j2, out.length);
          } else patch(j, out.length);
          break;
        }
      }
    }
  };
  emit(flow, 0, undefined);
  return { program: out, errors };
}

function atOf(at: SourcePos | undefined): { at?: SourcePos } {
  return at ? { at } : {};
}

/**
 * What cannot work in a flow, found before anything runs (lint reports the
 * same with its codes): an operation a loop body may not hold, and a loop
 * body that can reach its end (the next iteration) with an object it made
 * still alive, whose next copy would find its slot taken. A creation is safe
 * when a later statement of the same block releases it, leaves the loop, or
 * is an `if` on the creation's own label whose successful branch does one of
 * these at its top level.
 */
export function checkFlow(flow: readonly FlowStmt[]): FlowError[] {
  const errors: FlowError[] = [];
  const walk = (stmts: readonly FlowStmt[], inLoop: boolean) => {
    stmts.forEach((st, i) => {
      if (st.kind === "loop") walk(st.body, true);
      else if (st.kind === "if") {
        walk(st.body, inLoop);
        if (st.otherwise) walk(st.otherwise, inLoop);
      } else if (st.kind === "op" && inLoop) {
        const op = st.op;
        if (NOT_IN_LOOP.has(op.op))
          errors.push({ message: `${op.op} cannot be inside a loop`, ...atOf(op.at) });
        else if (op.op in RELEASES && "dst" in op && !released(op, stmts.slice(i + 1)))
          errors.push({
            message: `${op.dst} may still be held when the loop starts its next iteration, whose ${op.op} would make another`,
            ...atOf(op.at),
          });
      }
    });
  };
  walk(flow, false);
  return errors;
}

/** Whether `later` (the statements after `op` in its block) always releases op's object, or leaves the loop, when op succeeded. */
export function released(op: ProcOp, later: readonly FlowStmt[]): boolean {
  const [undo, field] = RELEASES[op.op]!;
  const dst = (op as { dst: string }).dst;
  const ends = (stmts: readonly FlowStmt[]) =>
    stmts.some(
      (s) =>
        s.kind === "break" ||
        (s.kind === "op" &&
          s.op.op === undo &&
          (s.op as unknown as Record<string, string>)[field] === dst),
    );
  if (ends(later)) return true;
  if (op.label === undefined) return false;
  return later.some(
    (s) =>
      s.kind === "if" &&
      s.label === op.label &&
      (s.results.includes("ok") ? ends(s.body) : s.otherwise !== undefined && ends(s.otherwise)),
  );
}

/** What one program's control flow needs at run time (layout.ts ProcInfo.flow). */
export interface FlowInfo {
  /** By pc: the state index of the operation's result field, or -1. */
  readonly results: Int32Array;
  /** By pc of a conditional jump: the result values that keep it from jumping. */
  readonly tests: readonly (Int32Array | undefined)[];
  /** By pc of a copy that creates: the slots it reuses, reset before it runs. */
  readonly fresh: readonly (FreshSlots | undefined)[];
}

export interface FreshSlots {
  readonly ofds: readonly number[];
  readonly vmas: readonly number[];
  readonly mrs: readonly number[];
}

/** The result values an `if`'s results stand for. */
export function resultValues(results: readonly string[]): Int32Array {
  return Int32Array.from(results, (r) => (r === "ok" ? RES_OK : -(errnoByName(r) ?? 0)));
}

/** Records the result r (≥ 0 or -errno) of process p's operation at pc, when an `if` reads it. */
export function recordResult(m: Model, s: State, p: number, pc: number, r: number): void {
  const f = m.procs[p]!.flow;
  if (f === undefined) return;
  const at = f.results[pc]!;
  if (at >= 0) s[at] = r >= 0 ? RES_OK : r;
}

/** Records that process p skipped its operation at pc (an input was never made). */
export function recordSkip(m: Model, s: State, p: number, pc: number): void {
  const f = m.procs[p]!.flow;
  if (f === undefined) return;
  const at = f.results[pc]!;
  if (at >= 0) s[at] = RES_SKIPPED;
}

/**
 * Takes the jumps at process p's program counter until it rests on an
 * operation (or the end), then sets its status accordingly.
 */
export function settle(m: Model, s: State, p: number): void {
  const info = m.procs[p]!;
  const po = proc(m, p);
  let pc = s[po + P_PC]!;
  const f = info.flow;
  if (f !== undefined) {
    const n = info.prog.length;
    while (pc < n) {
      const op = info.prog[pc]!;
      if (op.spec.op !== "jump") break;
      const t = f.tests[pc];
      const stay = t?.includes(s[f.results[op.b]!]!) === true;
      // Jumps go forward only (loops are unrolled): this ends.
      pc = stay ? pc + 1 : op.a;
    }
    s[po + P_PC] = pc;
  }
  s[po + P_STATUS] = pc >= info.prog.length ? PS_DONE : PS_RUN;
}

/**
 * Before a copy that creates runs: the slots it reuses are made ready again.
 * Each was released by the previous iteration or never filled (checkFlow
 * sees to it on every path the program can take by itself). Returns the name
 * of an object still held, when something outside the program's own paths
 * kept it (a release that failed: a `munmap` interrupted by a signal); the
 * copy is then skipped, as an operation whose input is missing is, since the
 * model has one slot where the kernel would make a second object.
 */
export function freshSlots(ctx: Ctx, p: number, pc: number): string | undefined {
  const { m, s } = ctx;
  const slots = m.procs[p]!.flow?.fresh[pc];
  if (slots === undefined) return undefined;
  const held = "still held from the previous iteration";
  for (const o of slots.ofds) {
    const v = s[ofd(m, o)]!;
    if (v !== 0 && v !== 2) return `the open file ${held}`;
  }
  for (const v of slots.vmas) if (s[vmaOff(m, v)] === 1) return `the mapping ${held}`;
  for (const x of slots.mrs)
    if (s[mrOff(m, x)] !== MR_NONE && s[mrOff(m, x)] !== MR_DEREG) return `the pin ${held}`;
  // As a repeating tail does (repeat.ts): all but the MR's holders field.
  for (const o of slots.ofds) s.fill(0, ofd(m, o), ofd(m, o) + OFD_STRIDE);
  for (const v of slots.vmas) s.fill(0, vmaOff(m, v), vmaOff(m, v) + 2 + m.vmas[v]!.pages);
  for (const x of slots.mrs) s.fill(0, mrOff(m, x), mrOff(m, x) + 3 + m.mrs[x]!.pages);
  return undefined;
}
