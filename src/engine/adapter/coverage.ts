/**
 * Which of a scenario's operations ran in the explored state space, as SPIN
 * reports "unreached in proctype": one byte per program operation of every
 * process and peer, set when the operation executed (returned, failed or
 * blocked; an operation skipped because its input was never set did not
 * run), plus one byte set when a registration succeeded (a page pinned, or
 * an ODP MR set up). The explorer's threads fill it in `judge`; the bytes
 * are cheap to set and OR together.
 */
import type { ModelEvent } from "../../model/events.js";
import { type Model, P_PC, R_PC, type State } from "../../model/layout.js";
import type { SourcePos } from "../../model/spec.js";
import { A_PEER, A_PROC, actionIndex, actionKind } from "../../model/step.js";
import { isPinRegistration } from "../../properties/names.js";
import type { Symmetry } from "./symmetry.js";

export interface CoverageMap {
  readonly bytes: Uint8Array;
  /** Records what a transition ran. */
  note(before: State, a: number, events: readonly ModelEvent[]): void;
}

/** Where each process's and peer's operations start in the bitmap; the last byte is "registered". */
function layoutOf(m: Model) {
  const procBase: number[] = [];
  const peerBase: number[] = [];
  let n = 0;
  for (const p of m.procs) {
    procBase.push(n);
    n += p.prog.length;
  }
  for (const r of m.peers) {
    peerBase.push(n);
    n += r.prog.length;
  }
  return { procBase, peerBase, registered: n, size: n + 1 };
}

export function coverageMap(m: Model): CoverageMap {
  const { procBase, peerBase, registered, size } = layoutOf(m);
  const bytes = new Uint8Array(size);
  return {
    bytes,
    note(before, a, events) {
      if (actionKind(a) === A_PEER) {
        const r = actionIndex(a);
        bytes[peerBase[r]! + before[m.peers[r]!.off + R_PC]!] = 1;
      }
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        if (e.k === "ret" || e.k === "block") bytes[procBase[e.proc]! + e.pc] = 1;
        // `exit`, and a store or load that kills its process, return nothing: they
        // ran when the process dies in its own step.
        else if (e.k === "exit" && actionKind(a) === A_PROC && actionIndex(a) === e.proc)
          bytes[procBase[e.proc]! + before[m.procs[e.proc]!.off + P_PC]!] = 1;
        else if (e.k === "pin" || e.k === "odp-register") bytes[registered] = 1;
      }
    },
  };
}

/** What a coverage bitmap says, by name. */
export interface Coverage {
  /** Operations that ran, as `proc.op` (its label if it has one). */
  readonly reached: readonly string[];
  /** Operations that never ran in any explored state. */
  readonly unreached: readonly string[];
  /** Whether the scenario registers memory at all (has a `reg_mr` or an `io_uring_register`). */
  readonly registers: boolean;
  /** Whether some registration succeeded (a page was pinned, or an ODP MR set up). */
  readonly registered: boolean;
}

/**
 * Names the bytes of a bitmap. Under symmetry reduction only one of several
 * interchangeable replicas may be seen running an operation; each replica
 * stands for all, so the replicas of one group share their coverage.
 */
export function readCoverage(m: Model, bytes: Uint8Array, sym: Symmetry | null): Coverage {
  const { procBase, peerBase, registered } = layoutOf(m);
  const b = bytes.slice();
  for (const group of sym?.groups ?? []) {
    const share = (base: (r: (typeof group)[number]) => number, len: number) => {
      for (let i = 0; i < len; i++) {
        const any = group.some((r) => b[base(r) + i] === 1);
        if (any) for (const r of group) b[base(r) + i] = 1;
      }
    };
    share((r) => procBase[r.proc]!, m.procs[group[0]!.proc]!.prog.length);
    share((r) => peerBase[r.peer]!, m.peers[group[0]!.peer]!.prog.length);
  }
  const names = operationNames(m);
  const all = [
    ...procBase.flatMap((b, i) => m.procs[i]!.prog.map((_, pc) => b + pc)),
    ...peerBase.flatMap((b, i) => m.peers[i]!.prog.map((_, pc) => b + pc)),
  ];
  // A loop's copies of one statement count as one (model/flow.ts): it ran if any copy ran,
  // named by its first copy; jumps are never steps and are left out.
  const specs = [...m.procs.flatMap((p) => p.prog), ...m.peers.flatMap((r) => r.prog)].map(
    (o) => o.spec as { op: string; copyOf?: number },
  );
  const actorBase = [...procBase, ...peerBase];
  const actorOf = all.map((_, k) => actorBase.filter((x) => x <= all[k]!).length - 1);
  const first = all.map((pos, k) => {
    const c = specs[k]!.copyOf;
    return c === undefined ? pos : actorBase[actorOf[k]!]! + c;
  });
  const ran = new Set<number>();
  all.forEach((pos, k) => {
    if (b[pos] === 1) ran.add(first[k]!);
  });
  const shown = (k: number) => specs[k]!.op !== "jump" && first[k] === all[k];
  const reached = names.filter((_, k) => shown(k) && ran.has(all[k]!));
  const unreached = names.filter((_, k) => shown(k) && !ran.has(all[k]!));
  return {
    reached,
    unreached,
    registers: m.procs.some((p) => p.prog.some((o) => isPinRegistration(o.spec.op))),
    registered: b[registered] === 1,
  };
}

/**
 * The scenario's operations by name, processes first then peers, each in
 * program order: `proc.op` (its label if it has one), and `@LINE` after two
 * like operations of one actor.
 */
export function operationNames(m: Model): string[] {
  const out: string[] = [];
  const own = (
    owner: string,
    ops: readonly { spec: { op: string; label?: string; at?: SourcePos } }[],
  ) => {
    const names = ops.map((o) => `${owner}.${o.spec.label ?? o.spec.op}`);
    ops.forEach((o, pc) => {
      // two like operations of one actor are told apart by their line
      const twin = names.filter((x) => x === names[pc]).length > 1;
      const name = twin && o.spec.at ? `${names[pc]}@${o.spec.at.line}` : names[pc]!;
      out.push(name);
    });
  };
  for (const p of m.procs) own(p.name, p.prog);
  for (const r of m.peers) own(r.name, r.prog);
  return out;
}

/** What check explored of a scenario that it could not explore whole (compile.ts Model.bounded). */
export interface BoundedNote {
  /** Replica groups cut to fewer copies than they declare. */
  readonly replicas: readonly {
    readonly members: readonly string[];
    readonly count: number;
    readonly copies: number;
  }[];
  /** How many times in all each repeating tail ran, or null when no program repeats. */
  readonly repeats: number | null;
  /** The processes and peers whose tails repeat. */
  readonly repeating: readonly string[];
  /** One line saying it, e.g. "replicate 100 (server, client) explored as 2 copies; repeating tails run 2 times". */
  readonly text: string;
}

/** What the model bounds, or null when it explores the scenario as written. */
export function boundedOf(m: Model): BoundedNote | null {
  const replicas = m.bounded.replicas.filter((g) => g.copies < g.count);
  const repeating = m.bounded.repeating;
  const repeats = repeating.length > 0 && Number.isFinite(m.repeatLimit) ? m.repeatLimit : null;
  if (replicas.length === 0 && repeats === null) return null;
  const parts = replicas.map(
    (g) =>
      `replicate ${g.count} (${g.members.join(", ")}) explored as ${g.copies} ${g.copies === 1 ? "copy" : "copies"}`,
  );
  if (repeats !== null)
    parts.push(
      `repeating tails run ${repeats} ${repeats === 1 ? "time" : "times"} (${repeating.join(", ")})`,
    );
  return { replicas, repeats, repeating, text: parts.join("; ") };
}
