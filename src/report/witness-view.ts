/**
 * A witness as the HTML report draws it: each step with its lane, its text,
 * the marks of the properties it shows, the messages that arrive in it (an
 * rkey sent to a peer, an RDMA access landing, a cancel acknowledged, SIGIO
 * reaching its handler), what it changed in the state, and, for a liveness
 * witness, the operation that waits for ever.
 *
 * Computed when the report is built, by replaying the witness through the
 * engine, so that the page only draws what it is given.
 */
import { actionLane } from "../engine/adapter/describe.js";
import { type RunResult, runSchedule } from "../engine/run/exec.js";
import type { ModelEvent } from "../model/events.js";
import { type Model, P_STATUS, PS_BLOCKED, proc } from "../model/layout.js";
import { A_SIGIO, actionIndex, actionKind } from "../model/step.js";
import { mrName, procName } from "../properties/names.js";
import type { Property } from "../properties/property.js";
import { runChanges, type StateChange } from "./state-view.js";
import { actorOf, describeStep } from "./trace.js";

/** A message arriving in a step: from which step and lane, of which kind, in a few words. */
export interface DocArrow {
  readonly from: number;
  readonly fromLane: string;
  readonly kind: "message" | "rdma" | "cancel" | "sigio";
  readonly label: string;
}

export interface DocStep {
  readonly n: number;
  readonly actor: string;
  /** Sequence-diagram lane: `proc:NAME`, `peer:NAME`, `nic` or `kernel`. */
  readonly lane: string;
  readonly text: string;
  readonly reactions: readonly string[];
  /** Properties that first showed at this step (their verdict's `outcome` says how to mark them). */
  readonly marks: readonly string[];
  /** Messages that arrive in this step. */
  readonly arrows: readonly DocArrow[];
  /** What this step changed: blocks, pins, leases, mappings, MRs, QPs, processes. */
  readonly changes: readonly StateChange[];
  /** In a liveness witness: the process whose operation blocks here and never returns. */
  readonly waits: string | null;
}

/** The lane of an action, named by the scenario's objects. */
export function laneOf(m: Model, a: number): string {
  const l = actionLane(a);
  if (l.kind === "proc") return `proc:${m.procs[l.index]!.name}`;
  if (l.kind === "peer") return `peer:${m.peers[l.index]!.name}`;
  return l.kind;
}

/**
 * Replays a witness and renders its steps for the sequence diagram (`run`:
 * that replay made already, with its states).
 */
export function witnessSteps(
  m: Model,
  properties: readonly Property[],
  witness: readonly number[],
  liveness: boolean,
  run: RunResult = runSchedule(m, { actions: witness, properties, keepStates: true }),
): DocStep[] {
  const states = run.states!;
  const marks = new Map<number, string[]>();
  for (const [name, occ] of run.occurrences)
    if (occ.step > 0) marks.set(occ.step, [...(marks.get(occ.step) ?? []), name]);
  const arrows = messageArrows(
    m,
    run.steps.map((st) => ({ n: st.n, action: st.action, events: st.events })),
  );
  const waits = liveness ? waitingSteps(m, run.steps, states[states.length - 1]!) : new Map();
  const changes = runChanges(m, states);
  return run.steps.map((st, k) => {
    const d = describeStep(m, st);
    return {
      n: st.n,
      actor: actorOf(m, st.action),
      lane: laneOf(m, st.action),
      text: d.line,
      reactions: d.reactions,
      marks: marks.get(st.n) ?? [],
      arrows: arrows.get(st.n) ?? [],
      changes: changes[k]!,
      waits: waits.get(st.n) ?? null,
    };
  });
}

/**
 * Pairs what is sent with where it arrives: the k-th `send` to a peer with
 * its k-th `recv` (the mailbox is a queue), an RDMA work request with its
 * landing (or its ODP fault, then the landing), a cancel request with its
 * acknowledgement, and a SIGIO with the step that runs its handler.
 */
function messageArrows(
  m: Model,
  steps: readonly { n: number; action: number; events: readonly ModelEvent[] }[],
): Map<number, DocArrow[]> {
  const out = new Map<number, DocArrow[]>();
  const add = (n: number, a: DocArrow) => out.set(n, [...(out.get(n) ?? []), a]);
  const sends = m.peers.map(() => [] as { n: number; lane: string; label: string }[]);
  const issued = new Map<number, { n: number; lane: string; label: string }>();
  const cancels = new Map<number, { n: number; lane: string }>();
  const sigio = new Map<number, number>();
  for (const st of steps) {
    const lane = laneOf(m, st.action);
    if (actionKind(st.action) === A_SIGIO) {
      const p = actionIndex(st.action);
      const from = sigio.get(p);
      if (from !== undefined) {
        add(st.n, { from, fromLane: "kernel", kind: "sigio", label: `SIGIO → ${procName(m, p)}` });
        sigio.delete(p);
      }
    }
    for (const e of st.events) {
      switch (e.k) {
        case "ret": {
          const op = m.procs[e.proc]!.prog[e.pc]!;
          if (op.spec.op === "send" && e.result >= 0)
            sends[op.a]?.push({ n: st.n, lane, label: `rkey of ${op.spec.mr}` });
          break;
        }
        case "recv": {
          const s = sends[e.peer]?.shift();
          if (s) add(st.n, { from: s.n, fromLane: s.lane, kind: "message", label: s.label });
          break;
        }
        case "issue":
          issued.set(e.peer, {
            n: st.n,
            lane,
            label: `rdma_${e.op} ${mrName(m, e.mr)} page ${e.page}`,
          });
          break;
        case "odp-fault":
        case "dma":
        case "rdma-error": {
          const i = issued.get(e.peer);
          if (!i || i.n === st.n) break;
          add(st.n, { from: i.n, fromLane: i.lane, kind: "rdma", label: i.label });
          if (e.k === "odp-fault") issued.set(e.peer, { ...i, n: st.n, lane });
          else issued.delete(e.peer);
          break;
        }
        case "cancel-sent":
          cancels.set(e.peer, { n: st.n, lane });
          break;
        case "cancel-acked": {
          const c = cancels.get(e.peer);
          if (c) add(st.n, { from: c.n, fromLane: c.lane, kind: "cancel", label: "cancel" });
          cancels.delete(e.peer);
          break;
        }
        case "sigio":
          if (!sigio.has(e.proc)) sigio.set(e.proc, st.n);
          break;
        default:
          break;
      }
    }
  }
  return out;
}

/**
 * The steps at which an operation blocked that is still blocked at the end of
 * a liveness witness: the operation that never returns, by process.
 */
function waitingSteps(
  m: Model,
  steps: readonly { n: number; events: readonly ModelEvent[] }[],
  last: Int32Array,
): Map<number, string> {
  const out = new Map<number, string>();
  m.procs.forEach((_, p) => {
    if (last[proc(m, p) + P_STATUS] !== PS_BLOCKED) return;
    for (let k = steps.length - 1; k >= 0; k--)
      if (steps[k]!.events.some((e) => e.k === "block" && e.proc === p)) {
        out.set(steps[k]!.n, procName(m, p));
        return;
      }
  });
  return out;
}
