/**
 * Symmetry reduction for the kernel model: interchangeable actors.
 *
 * A "replica" is a local process together with the one remote peer it hands
 * its MRs to. Replicas are interchangeable when their processes run the same
 * program as the same user with the same lease-break behaviour, their peers
 * run the same program, no one else talks to those peers, and nothing in the
 * scenario names them apart (faults, kills, result expectations, files they
 * create). The copies of a `replicate` group (model/replicas.ts) are such
 * replicas when each copy is one process and the peer it sends to; their
 * repeating tails' counters swap with them. Swapping two such replicas — their process fields, open files,
 * mappings, MRs, peer fields and mailbox, with the MR numbers inside the
 * peers renamed — maps reachable states to reachable states and leaves every
 * property mask unchanged, so exploring one state per class keeps verdicts exact.
 */
import { type Model, OFD_STRIDE, P_VARS, R_OPMR, R_VARS, type State } from "../../model/layout.js";
import type { ProcOp } from "../../model/spec.js";

/** Where one replica lives in the state. */
interface Replica {
  /** The process and its peer (table indices). */
  readonly proc: number;
  readonly peer: number;
  /** [offset, length] ranges, in a fixed order shared by the group. */
  readonly ranges: readonly (readonly [number, number])[];
  readonly mrs: readonly number[];
  readonly peerOff: number;
  readonly peerVars: number;
  readonly mboxOff: number;
  readonly mboxCap: number;
}

export interface Symmetry {
  readonly groups: readonly (readonly Replica[])[];
  canonical(s: State): State;
}

/** The replica groups of a model (groups of two or more), or null when there is nothing to reduce. */
export function findSymmetry(m: Model): Symmetry | null {
  const spec = m.spec;
  // A condition may name any object (a copy's process, its file, a block
  // number), and a swap of two copies would change its value: such a
  // scenario is explored without symmetry reduction.
  if (spec.expectations.some((e) => e.kind === "condition")) return null;
  const named = new Set<string>();
  for (const e of spec.expectations) if (e.kind === "result") named.add(e.proc);
  for (const n of [...spec.faults.crash, ...spec.faults.hang, ...spec.faults.partition])
    named.add(n);
  const sendsTo = new Map<string, string[]>(); // peer -> processes that send or await it
  for (const p of spec.procs)
    for (const op of p.program) {
      if (op.op === "send" || op.op === "await")
        sendsTo.set(op.peer, [...(sendsTo.get(op.peer) ?? []), p.name]);
      if (op.op === "kill") named.add(op.proc);
      // fork and wait_for tie two processes together: neither is interchangeable.
      if (op.op === "fork" || op.op === "wait_for") {
        named.add(op.op === "fork" ? op.child : op.proc);
        named.add(p.name);
      }
      if (op.op === "send_uverbs") {
        named.add(op.proc);
        named.add(p.name);
      }
    }
  const candidates = new Map<string, number[]>();
  m.procs.forEach((_, p) => {
    const ps = spec.procs[p]!;
    if (named.has(ps.name)) return;
    // A process that creates an object of its own (a file, a memfd, anonymous memory)
    // owns an inode no other process has: swapping it with another would not swap that.
    const own = (op: ProcOp) =>
      (op.op === "open" && op.create) || op.op === "memfd_create" || op.op === "mmap_anon";
    if (ps.program.some(own)) return;
    // O_DIRECT slots (Model.dios) are not among the ranges a swap moves.
    if (ps.program.some((op) => op.op === "dio_read" || op.op === "dio_write")) return;
    const peers = [...new Set(ps.program.flatMap((op) => (op.op === "send" ? [op.peer] : [])))];
    if (peers.length !== 1) return;
    const r = m.peers.findIndex((x) => x.name === peers[0]);
    const rs = spec.peers[r]!;
    if (named.has(rs.name) || (sendsTo.get(rs.name) ?? []).some((q) => q !== ps.name)) return;
    const key = JSON.stringify([
      ps.user,
      ps.onLeaseBreak,
      ps.program.map(normalise),
      ps.repeat?.from ?? -1,
      ps.memlock ?? -1,
      m.procs[p]!.prompt,
      rs.cancel,
      rs.program.map(({ at: _, ...op }) => op),
      rs.repeat?.from ?? -1,
    ]);
    candidates.set(key, [...(candidates.get(key) ?? []), p]);
  });
  const groups: Replica[][] = [];
  for (const members of candidates.values()) {
    if (members.length < 2) continue;
    groups.push(members.map((p) => replicaOf(m, p)));
  }
  if (groups.length === 0) return null;
  return { groups, canonical: (s) => canonicalise(groups, s) };
}

/** An operation without its position, and with its peer's name blanked, so replicas compare equal. */
function normalise({ at: _, ...op }: ProcOp): unknown {
  return op.op === "send" || op.op === "await" ? { ...op, peer: "" } : op;
}

function replicaOf(m: Model, p: number): Replica {
  const info = m.procs[p]!;
  const ranges: [number, number][] = [[info.off, P_VARS]];
  m.ofds.forEach((o, i) => {
    if (o.proc === p) ranges.push([m.offOfds + i * OFD_STRIDE, OFD_STRIDE]);
  });
  m.vmas.forEach((v) => {
    if (v.proc === p) ranges.push([v.off, 2 + v.pages]); // mapped, PTEs, flags
  });
  const mrs: number[] = [];
  m.mrs.forEach((x, i) => {
    if (x.proc === p) {
      ranges.push([x.off, 2 + x.pages]);
      mrs.push(i);
    }
  });
  const peerName = m.spec.procs[p]!.program.find((op) => op.op === "send");
  const r = m.peers.findIndex((x) => peerName?.op === "send" && x.name === peerName.peer);
  const peer = m.peers[r]!;
  // Iteration counters of repeating tails (model/repeat.ts) belong to the replica too.
  if (info.repeat) ranges.push([info.repeat.counter, 1]);
  if (peer.repeat) ranges.push([peer.repeat.counter, 1]);
  return {
    proc: p,
    peer: r,
    ranges,
    mrs,
    peerOff: peer.off,
    peerVars: peer.vars.length,
    mboxOff: m.mboxOff[r]!,
    mboxCap: m.mboxCap[r]!,
  };
}

/** Positions inside a replica's peer fields that hold an MR number + 1. */
function mrRefs(r: Replica): number[] {
  const out = [r.peerOff + R_OPMR];
  for (let v = 0; v < r.peerVars; v++) out.push(r.peerOff + R_VARS + v);
  for (let i = 0; i < r.mboxCap; i++) out.push(r.mboxOff + 1 + i);
  return out;
}

/** A replica's state with its MR numbers replaced by their rank among its own MRs. */
function keyOf(r: Replica, s: State): number[] {
  const key: number[] = [];
  for (const [o, n] of r.ranges) for (let i = 0; i < n; i++) key.push(s[o + i]!);
  const refs = new Set(mrRefs(r));
  const len = R_VARS + r.peerVars;
  for (let i = 0; i < len; i++) {
    const at = r.peerOff + i;
    key.push(refs.has(at) ? localRef(r, s[at]!) : s[at]!);
  }
  for (let i = 0; i <= r.mboxCap; i++) {
    const at = r.mboxOff + i;
    key.push(refs.has(at) ? localRef(r, s[at]!) : s[at]!);
  }
  return key;
}

const localRef = (r: Replica, v: number): number => (v > 0 ? r.mrs.indexOf(v - 1) + 1 : v);
const globalRef = (r: Replica, v: number): number => (v > 0 ? r.mrs[v - 1]! + 1 : v);

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function canonicalise(groups: readonly (readonly Replica[])[], s: State): State {
  let out: State | null = null;
  for (const group of groups) {
    const keys = group.map((r) => keyOf(r, s));
    const order = group.map((_, i) => i).sort((x, y) => compare(keys[x]!, keys[y]!) || x - y);
    if (order.every((x, i) => x === i)) continue;
    out ??= s.slice();
    order.forEach((src, dst) => {
      if (src === dst) return;
      const from = group[src]!;
      const to = group[dst]!;
      from.ranges.forEach(([o, n], k) => {
        const [t] = to.ranges[k]!;
        for (let i = 0; i < n; i++) out![t + i] = s[o + i]!;
      });
      const refs = new Set(mrRefs(from));
      for (let i = 0; i < R_VARS + from.peerVars; i++) {
        const v = s[from.peerOff + i]!;
        out![to.peerOff + i] = refs.has(from.peerOff + i) ? globalRef(to, localRef(from, v)) : v;
      }
      for (let i = 0; i <= from.mboxCap; i++) {
        const v = s[from.mboxOff + i]!;
        out![to.mboxOff + i] = i > 0 ? globalRef(to, localRef(from, v)) : v;
      }
    });
  }
  return out ?? s;
}
