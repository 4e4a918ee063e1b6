/**
 * Repeating tails (`repeat [every D] { ... }`, spec.ts Repeat). When a
 * program with a repeating tail reaches its end, its next action is the
 * repeat (A_REPEAT for a process, A_PEER_REPEAT for a peer): it jumps back to
 * the tail's first operation and makes the objects the tail creates ready to
 * be created again. In `check` the tail runs `bounds repeats` times in all
 * (an iteration counter in the state, only for programs that repeat); for
 * `simulate` (forSimulation in replicas.ts) it runs without end and the
 * simulator waits the Repeat's `every` before each repeat action.
 *
 * What a repeat resets, and why that is the application's own doing: a tail
 * that opens, maps or registers also closes, unmaps or deregisters (lint and
 * compile refuse a tail that does not), so by its end each such object is
 * released and the next iteration's open, mmap or reg_mr makes a new one in
 * the same table slot (a fresh file description, mapping, registration). A
 * slot still held (a release that has not happened, e.g. a close whose file a
 * mapping still holds) keeps the repeat disabled: the program then simply
 * ends. One simplification: a re-registered MR reuses its slot, so a peer
 * still holding the previous iteration's rkey reaches the new registration;
 * real rkeys differ between registrations (the old one fails with a remote
 * access error).
 */
import { type Ctx, emit } from "./ctx.js";
import {
  INF_NONE,
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
  peer as peerOff,
  proc,
  QP_READY,
  R_CANCEL,
  R_INFL,
  R_PC,
  R_QP,
  type RepeatInfo,
  type State,
  vma as vmaOff,
} from "./layout.js";

const more = (m: Model, s: State, info: RepeatInfo): boolean =>
  s[info.counter]! < m.repeatLimit - 1;

/** Whether process p's program has ended and its repeating tail may start again. */
export function procMayRepeat(m: Model, s: State, p: number): boolean {
  const info = m.procs[p]!.repeat;
  if (info === undefined || s[proc(m, p) + P_STATUS] !== PS_DONE || !more(m, s, info)) return false;
  // Every object the tail created has been released (or was never created).
  for (const o of info.ofds) if (s[ofd(m, o)] !== 0 && s[ofd(m, o)] !== 2) return false;
  for (const v of info.vmas) if (s[vmaOff(m, v)] === 1) return false;
  for (const x of info.mrs)
    if (s[mrOff(m, x)] !== MR_NONE && s[mrOff(m, x)] !== MR_DEREG) return false;
  return true;
}

/** Whether peer r's program has ended and its repeating tail may start again. */
export function peerMayRepeat(m: Model, s: State, r: number): boolean {
  const info = m.peers[r]!.repeat;
  if (info === undefined || !more(m, s, info)) return false;
  const po = peerOff(m, r);
  return (
    s[po + R_PC]! >= m.peers[r]!.prog.length &&
    s[po + R_INFL] === INF_NONE &&
    s[po + R_QP] === QP_READY &&
    s[po + R_CANCEL] !== 2
  );
}

/** Process p starts its tail again. */
export function repeatProc(ctx: Ctx, p: number): void {
  const { m, s } = ctx;
  const info = m.procs[p]!.repeat!;
  const po = proc(m, p);
  for (const o of info.ofds) s.fill(0, ofd(m, o), ofd(m, o) + OFD_STRIDE);
  for (const v of info.vmas) s.fill(0, vmaOff(m, v), vmaOff(m, v) + 1 + m.vmas[v]!.pages);
  // The MR record but its holders field (mrHolders): who holds the owner's uverbs file outlives one MR.
  for (const x of info.mrs) s.fill(0, mrOff(m, x), mrOff(m, x) + 3 + m.mrs[x]!.pages);
  s[po + P_PC] = info.from;
  s[po + P_STATUS] = PS_RUN;
  s[info.counter] = Math.min(s[info.counter]! + 1, 0x7fffffff);
  emit(ctx, { k: "repeat", proc: p, pc: info.from, iteration: s[info.counter]! + 1 });
}

/** Peer r starts its tail again. */
export function repeatPeer(ctx: Ctx, r: number): void {
  const { m, s } = ctx;
  const info = m.peers[r]!.repeat!;
  s[peerOff(m, r) + R_PC] = info.from;
  s[info.counter] = Math.min(s[info.counter]! + 1, 0x7fffffff);
  emit(ctx, { k: "peer-repeat", peer: r, pc: info.from, iteration: s[info.counter]! + 1 });
}

/** Whether peer r's program will run again (for peerDone: a peer about to repeat is not done). */
export function peerWillRepeat(m: Model, s: State, r: number): boolean {
  const info = m.peers[r]!.repeat;
  return info !== undefined && more(m, s, info);
}
