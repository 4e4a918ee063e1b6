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
export interface Replica {
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
  /** The canonical form of `s`: `s` itself when it is one, else a new state. */
  canonical(s: State): State;
  /**
   * The same without allocating: `s` itself when it is canonical, else
   * `out` (the state's length, not `s`) holding the canonical form.
   */
  canonicalInto(s: State, out: State): State;
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
  for (const n of [
    ...spec.faults.crash,
    ...spec.faults.hang,
    ...spec.faults.partition,
    ...(spec.faults.oom ?? []),
    ...(spec.faults.peerCrash ?? []),
  ])
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
    // The result fields an `if` reads (model/flow.ts) are not among the ranges a swap moves.
    if (m.procs[p]!.flow !== undefined) return;
    // O_DIRECT and pipe-buffer slots (Model.dios) are not among the ranges a swap moves.
    if (
      ps.program.some(
        (op) =>
          op.op === "dio_read" ||
          op.op === "dio_write" ||
          op.op === "vmsplice" ||
          op.op === "pipe_read",
      )
    )
      return;
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
  const c = new Canonicaliser(groups, m.mrs.length);
  let scratch = new Int32Array(0);
  return {
    groups,
    canonical: (s) => {
      if (scratch.length !== s.length) scratch = new Int32Array(s.length);
      return c.into(s, scratch) === s ? s : scratch.slice();
    },
    canonicalInto: (s, out) => c.into(s, out),
  };
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

/**
 * A replica's key, read in place: the state positions of its words in key
 * order (its ranges, then its peer fields, then its mailbox), whether each
 * holds an MR number + 1 (replaced in the key by its rank among the
 * replica's own MRs, 0 for one not its own), and that rank per MR index.
 */
interface KeyPlan {
  readonly pos: Int32Array;
  readonly ref: Uint8Array;
  /** MR index -> rank + 1 among the replica's MRs, 0 for another's. */
  readonly rank: Int32Array;
  /** rank - 1 -> MR index + 1 (the inverse, for writing a key back). */
  readonly mrs: Int32Array;
  /** Where each run of consecutive key words starts in the state (lengths: the group's `lens`). */
  readonly runs: Int32Array;
  /** The positions of the key words that hold an MR reference. */
  readonly refAt: Int32Array;
}

function keyPlan(r: Replica, nMrs: number): KeyPlan {
  const pos: number[] = [];
  const ref: number[] = [];
  for (const [o, n] of r.ranges)
    for (let i = 0; i < n; i++) {
      pos.push(o + i);
      ref.push(0);
    }
  const refs = new Set(mrRefs(r));
  for (let i = 0; i < R_VARS + r.peerVars; i++) {
    pos.push(r.peerOff + i);
    ref.push(refs.has(r.peerOff + i) ? 1 : 0);
  }
  for (let i = 0; i <= r.mboxCap; i++) {
    pos.push(r.mboxOff + i);
    ref.push(refs.has(r.mboxOff + i) ? 1 : 0);
  }
  const rank = new Int32Array(nMrs);
  r.mrs.forEach((x, k) => {
    rank[x] = k + 1;
  });
  const runs = [...r.ranges.map(([o]) => o), r.peerOff, r.mboxOff];
  return {
    pos: Int32Array.from(pos),
    ref: Uint8Array.from(ref),
    rank,
    mrs: Int32Array.from(r.mrs, (x) => x + 1),
    runs: Int32Array.from(runs),
    refAt: Int32Array.from(pos.filter((_, k) => ref[k] !== 0)),
  };
}

/** The lengths of a replica's runs of consecutive key words, in `KeyPlan.runs` order. */
function runLengths(r: Replica): Int32Array {
  return Int32Array.from([...r.ranges.map(([, n]) => n), R_VARS + r.peerVars, r.mboxCap + 1]);
}

/** The key word of an MR reference `v` (an MR number + 1, or 0) for the replica whose ranks are `rank`. */
function localRank(rank: Int32Array, v: number): number {
  return v > 0 ? (v - 1 < rank.length ? rank[v - 1]! : 0) : v;
}

/**
 * Canonical forms without allocating, and without reading more of a state
 * than the order needs. The members of a group are ordered by key (then by
 * index, a total order, so any sort gives the one permutation) with an
 * insertion sort that compares two members' words in place, key word by key
 * word, and stops at the first that differs: replicas in different local
 * states differ early (the process fields come first), so a comparison
 * seldom reads a whole key. The sort starts from the order the previous call
 * found: the explorer canonicalises the successors of one state one after
 * another, and they differ from it, hence from each other, in few replicas,
 * so the order is mostly found sorted and n - 1 comparisons confirm it. A
 * state already in order is returned as it is; one that must change is
 * copied into `out` and each moved member's words copied run by run to its
 * new place, then its MR references renamed.
 */
class Canonicaliser {
  private readonly plans: (readonly KeyPlan[])[];
  /** Per group: whether key word k holds an MR reference (the same for every member). */
  private readonly refs: Uint8Array[];
  /** Per group: the order found by the last call (member indices, by key). */
  private readonly order: Int32Array[];
  /** Per group: the lengths of the members' runs of key words. */
  private readonly lens: Int32Array[];

  constructor(
    private readonly groups: readonly (readonly Replica[])[],
    nMrs: number,
  ) {
    this.plans = groups.map((g) => g.map((r) => keyPlan(r, nMrs)));
    this.refs = this.plans.map((ps) => {
      const ref = ps[0]!.ref;
      if (ps.some((p) => p.pos.length !== ref.length || p.ref.some((x, k) => x !== ref[k])))
        throw new Error("pinlab bug: replicas of one group with keys of different shapes");
      return ref;
    });
    this.order = this.plans.map((ps) => Int32Array.from(ps, (_, i) => i));
    this.lens = groups.map((g) => {
      const lens = runLengths(g[0]!);
      if (g.some((r) => runLengths(r).some((n, i) => n !== lens[i])))
        throw new Error("pinlab bug: replicas of one group with runs of different lengths");
      return lens;
    });
  }

  /** `s`'s canonical form: `s` itself when it is one, else written into `out` (not `s`). */
  into(s: Int32Array, out: Int32Array): Int32Array {
    let res = s;
    for (let g = 0; g < this.groups.length; g++) {
      const plans = this.plans[g]!;
      const ref = this.refs[g]!;
      const order = this.order[g]!;
      const lens = this.lens[g]!;
      const n = plans.length;
      // insertion sort of the members by (key, index), from the last order found
      for (let i = 1; i < n; i++) {
        const x = order[i]!;
        let j = i - 1;
        while (j >= 0 && less(s, ref, plans[x]!, x, plans[order[j]!]!, order[j]!)) {
          order[j + 1] = order[j]!;
          j--;
        }
        order[j + 1] = x;
      }
      let sorted = true;
      for (let i = 0; i < n && sorted; i++) sorted = order[i] === i;
      if (sorted) continue;
      if (res === s) {
        out.set(s);
        res = out;
      }
      for (let dst = 0; dst < n; dst++) {
        const src = order[dst]!;
        if (src === dst) continue;
        // the source's words at the destination's positions, its MRs renamed to the destination's
        const from = plans[src]!;
        const to = plans[dst]!;
        const sr = from.runs;
        const dr = to.runs;
        for (let r = 0; r < lens.length; r++) {
          const a = sr[r]!;
          const b = dr[r]!;
          const len = lens[r]!;
          // a long run as one copy (a view costs less than the loop past a few words)
          if (len > 16) out.set(s.subarray(a, a + len), b);
          else for (let i = 0; i < len; i++) out[b + i] = s[a + i]!;
        }
        const sa = from.refAt;
        const da = to.refAt;
        for (let k = 0; k < sa.length; k++) {
          const r = localRank(from.rank, s[sa[k]!]!);
          out[da[k]!] = r > 0 ? to.mrs[r - 1]! : r;
        }
      }
    }
    return res;
  }
}

/** Whether member x's key in `s` is below member y's (equal keys: the lower index first). */
function less(
  s: Int32Array,
  ref: Uint8Array,
  px: KeyPlan,
  x: number,
  py: KeyPlan,
  y: number,
): boolean {
  const a = px.pos;
  const b = py.pos;
  for (let k = 0; k < ref.length; k++) {
    let u = s[a[k]!]!;
    let v = s[b[k]!]!;
    if (ref[k] !== 0) {
      u = localRank(px.rank, u);
      v = localRank(py.rank, v);
    }
    if (u !== v) return u < v;
  }
  return x < y;
}
