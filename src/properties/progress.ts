/**
 * Properties about layout changes returning, and who can stop them.
 */

import { errnoName } from "../model/errno.js";
import { mayAccess } from "../model/fs/file-ops.js";
import {
  alive,
  INO_SIZE,
  ino,
  type Model,
  MR_VALID,
  mr as mrOff,
  P_PC,
  P_STATUS,
  PS_BLOCKED,
  proc,
  type State,
} from "../model/layout.js";
import { fileName, procName, userName } from "./names.js";
import type { Finding, Property } from "./property.js";

/**
 * Operations that change a file's layout. `unlink` and `close` block only in
 * the eviction of an unlinked file (fs/unlink.ts), which frees its blocks.
 */
const LAYOUT_OPS = new Set([
  "truncate",
  "ftruncate",
  "fallocate",
  "reflink",
  "dedupe",
  "unplug",
  "unlink",
  "close",
]);

/** The inode a layout-changing operation of process p at pc works on, or -1. */
function layoutTarget(m: Model, p: number, pc: number): number {
  const t = targetsOf(m)[p]!;
  return pc >= 0 && pc < t.length ? t[pc]! : -1;
}

/**
 * layoutTarget for every program counter of every process, worked out once per
 * model: liveness asks it of every blocked process in every state the search
 * stores. One model at a time is remembered (a search holds one).
 */
let targetsModel: Model | null = null;
let targets: Int32Array[] = [];
function targetsOf(m: Model): Int32Array[] {
  if (targetsModel !== m) {
    targets = m.procs.map((pr, p) => Int32Array.from(pr.prog, (_, pc) => targetAt(m, p, pc)));
    targetsModel = m;
  }
  return targets;
}

function targetAt(m: Model, p: number, pc: number): number {
  const op = m.procs[p]!.prog[pc];
  if (!op || !LAYOUT_OPS.has(op.spec.op)) return -1;
  if (op.spec.op === "truncate" || op.spec.op === "unlink") return op.a;
  if (op.spec.op === "unplug") return -2;
  if (op.spec.op === "reflink") return m.ofds[op.a]!.inode;
  // FIDEDUPERANGE changes the destination's block map
  if (op.spec.op === "dedupe") return m.ofds[op.b]!.inode;
  return m.ofds[op.a]!.inode;
}

/** Whether process p is blocked inside a layout-changing call. */
function inLayoutCall(m: Model, s: State, p: number): boolean {
  const po = proc(m, p);
  return s[po + P_STATUS] === PS_BLOCKED && layoutTarget(m, p, s[po + P_PC]!) !== -1;
}

/** Whether any process is (blockedInLayout without the list: asked in every state). */
function anyBlockedInLayout(m: Model, s: State): boolean {
  for (let p = 0; p < m.procs.length; p++) if (inLayoutCall(m, s, p)) return true;
  return false;
}

/** Processes blocked inside a layout-changing call. */
function blockedInLayout(m: Model, s: State): number[] {
  const out: number[] = [];
  for (let p = 0; p < m.procs.length; p++) if (inLayoutCall(m, s, p)) out.push(p);
  return out;
}

/** Liveness: every truncate / hole punch / layout change returns. */
export const truncateHang: Property = {
  name: "truncate-hang",
  group: "cost",
  summary: "a truncate, punch or other layout change never returns",
  kind: "liveness",
  pending: (m, s) => anyBlockedInLayout(m, s),
  atEnd(m, s): Finding | null {
    const stuck = blockedInLayout(m, s);
    if (stuck.length === 0) return null;
    const p = stuck[0]!;
    const op = m.procs[p]!.prog[s[proc(m, p) + P_PC]!]!;
    return {
      message: `${procName(m, p)}'s ${op.spec.op} never returns: nothing left can release what it waits for`,
    };
  },
};

/** Users holding pins on the file whose truncate is refused or stuck. */
function pinnersOf(m: Model, s: State, inode: number): number[] {
  const out: number[] = [];
  for (let x = 0; x < m.mrs.length; x++) {
    const mi = m.mrs[x]!;
    if (mi.odp || s[mrOff(m, x)] !== MR_VALID) continue;
    if (inode >= 0 && m.vmas[mi.vma]!.inode !== inode) continue;
    if (!out.includes(mi.proc)) out.push(mi.proc);
  }
  return out;
}

/**
 * Pinners who are unprivileged with respect to the file: no write permission
 * and no CAP_LEASE. A CAP_LEASE holder may already take a lease on any file
 * and hold off its truncation (the owner-or-CAP_LEASE test of
 * generic_setlease(), fs/locks.c), so a pin of theirs is a privileged choice,
 * not the objection.
 */
function unprivileged(m: Model, s: State, procs: readonly number[], inode: number): number[] {
  if (inode < 0) return [];
  return procs.filter((q) => {
    const user = m.procs[q]!.user;
    return !mayAccess(m, s, user, inode, true) && !m.users[user]!.capLease;
  });
}

/**
 * An unprivileged user, one who may not write the file and has no CAP_LEASE,
 * cannot make the owner's truncate fail or hang ("We can't give people a way
 * to make files un-truncatable", Matthew Wilcox, the seed mail: his objection
 * is about ordinary users).
 */
export const untruncatable: Property = {
  name: "untruncatable",
  group: "cost",
  summary:
    "an unprivileged user (no write permission, no CAP_LEASE) makes the owner's truncate fail or hang",
  kind: "safety",
  reads: ["ret"],
  onStep(m, _before, after, events): Finding | null {
    for (const e of events) {
      if (e.k !== "ret" || e.result >= 0 || !e.blockers) continue;
      const inode = layoutTarget(m, e.proc, e.pc);
      if (inode < 0 || !mayAccess(m, after, m.procs[e.proc]!.user, inode, true)) continue;
      const bad = unprivileged(m, after, e.blockers, inode);
      if (bad.length > 0)
        return {
          message: `${procName(m, e.proc)}'s ${m.procs[e.proc]!.prog[e.pc]!.spec.op} of ${fileName(m, inode)} failed with ${errnoName(-e.result)} because ${procName(m, bad[0]!)} (user ${userName(m, m.procs[bad[0]!]!.user)}, no write permission, no CAP_LEASE) pins it`,
        };
    }
    return null;
  },
  atEnd(m, s): Finding | null {
    for (const p of blockedInLayout(m, s)) {
      const inode = layoutTarget(m, p, s[proc(m, p) + P_PC]!);
      if (inode < 0 || !mayAccess(m, s, m.procs[p]!.user, inode, true)) continue;
      const bad = unprivileged(m, s, pinnersOf(m, s, inode), inode).filter((q) => alive(s, m, q));
      if (bad.length > 0)
        return {
          message: `${procName(m, p)} cannot truncate ${fileName(m, inode)} (size ${s[ino(m, inode) + INO_SIZE]}): ${procName(m, bad[0]!)} (user ${userName(m, m.procs[bad[0]!]!.user)}, no write permission, no CAP_LEASE) holds a pin forever`,
        };
    }
    return null;
  },
};
