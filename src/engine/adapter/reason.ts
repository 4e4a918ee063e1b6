/**
 * Why a liveness witness is one: at the state where the witness ends (a dead
 * end, or the first state of the cycle that repeats), which operation is
 * blocked, what it waits for, who holds that, and whether the run stops
 * there for ever (nothing can move, or only an injected fault could) or
 * loops. The blocked call is retried on a copy of the state (the step is
 * pure), so what it waits for is the model's own answer at that state, not
 * what it said when it first blocked.
 */
import type { ModelEvent } from "../../model/events.js";
import {
  type Model,
  MR_VALID,
  mr as mrOff,
  P_PC,
  P_STATUS,
  PS_BLOCKED,
  PS_CRASHED,
  PS_DONE,
  PS_EXITED,
  PS_HUNG,
  PS_KILLED,
  proc,
  type State,
} from "../../model/layout.js";
import { A_PROC, enabled, isFault, step } from "../../model/step.js";
import { mrName, procName } from "../../properties/names.js";
import { describeAction } from "./describe.js";

export interface LivenessReason {
  /** The operation that never returns, as `proc.op` (its label if it has one). */
  readonly op: string;
  /** What it waits for, in the model's words. */
  readonly waitsFor: string;
  /** Who holds it: processes, each with the registrations it keeps (`server.mr`). */
  readonly heldBy: readonly {
    readonly proc: string;
    readonly state: string;
    readonly mrs: readonly string[];
  }[];
  /** `dead-end`: nothing can move; `faults-only`: only an injected fault could; `cycle`: the last `cycle` steps repeat for ever. */
  readonly end: "dead-end" | "faults-only" | "cycle";
  readonly cycle?: number;
  /** The faults that could still happen at a `faults-only` end. */
  readonly faults?: readonly string[];
  /** All of the above as one line. */
  readonly text: string;
}

const STATE_WORDS: Record<number, string> = {
  [PS_BLOCKED]: "itself blocked",
  [PS_DONE]: "done with its program, still running",
  [PS_HUNG]: "hung",
  [PS_EXITED]: "exited",
  [PS_KILLED]: "killed",
  [PS_CRASHED]: "crashed",
};

/** The reason at the end of a liveness witness (replayed from the initial state); `cycle`: its lasso's cycle length. */
export function witnessReason(
  m: Model,
  witness: readonly number[],
  cycle: number | null,
): LivenessReason | null {
  let s = m.init;
  for (const a of witness) s = step(m, s, a, null);
  return livenessReason(m, s, cycle);
}

/**
 * The reason of a liveness witness whose last state is `s` (for a lasso: the
 * state the cycle of `cycle` steps returns to), or null when no process is
 * blocked there (the obligation is not a blocked call).
 */
export function livenessReason(m: Model, s: State, cycle: number | null): LivenessReason | null {
  const blocked: number[] = [];
  for (let p = 0; p < m.procs.length; p++)
    if (s[proc(m, p) + P_STATUS] === PS_BLOCKED) blocked.push(p);
  if (blocked.length === 0) return null;
  const p = blocked[0]!;
  const pc = s[proc(m, p) + P_PC]!;
  const spec = m.procs[p]!.prog[pc]!.spec;
  const op = `${procName(m, p)}.${spec.label ?? spec.op}`;
  const ev: ModelEvent[] = [];
  step(m, s, (A_PROC << 16) | p, ev);
  const b = ev.find((e) => e.k === "block" && e.proc === p);
  const waitsFor = b?.k === "block" ? b.why : "a retry that changes nothing";
  const heldBy = (b?.k === "block" ? b.blockers : []).map((q) => {
    const mrs: string[] = [];
    for (let x = 0; x < m.mrs.length; x++)
      if (m.mrs[x]!.proc === q && s[mrOff(m, x)] === MR_VALID) mrs.push(mrName(m, x));
    const st = s[proc(m, q) + P_STATUS]!;
    return { proc: procName(m, q), state: STATE_WORDS[st] ?? "running", mrs };
  });
  const en = cycle === null ? enabled(m, s) : [];
  const end: LivenessReason["end"] =
    cycle !== null ? "cycle" : en.length === 0 ? "dead-end" : "faults-only";
  const faults =
    end === "faults-only"
      ? en.filter(isFault).map((a) => describeAction(m, a).replace(/^fault: /, ""))
      : [];
  const me = procName(m, p);
  const holders = heldBy
    .map((h) =>
      h.proc === me
        ? `${h.proc} itself${h.mrs.length ? ` (through ${h.mrs.join(", ")})` : ""}`
        : `${h.proc} (${h.state}${h.mrs.length ? `, keeps ${h.mrs.join(", ")} registered` : ""})`,
    )
    .join(", ");
  const how =
    end === "cycle"
      ? `the last ${cycle} step${cycle === 1 ? "" : "s"} repeat for ever without it returning`
      : end === "dead-end"
        ? "nothing can move"
        : `nothing can move but an injected fault, which need not happen (${faults.join("; ")})`;
  const text = `${op} never returns: it waits for ${waitsFor.replace(/^waiting for /, "")}${holders ? `, held by ${holders}` : ""}; ${how}`;
  return {
    op,
    waitsFor,
    heldBy,
    end,
    ...(cycle !== null ? { cycle } : {}),
    ...(end === "faults-only" ? { faults } : {}),
    text,
  };
}
