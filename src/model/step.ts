/**
 * The heart of the model: `enabled(m, s)` lists every step that may happen
 * next, `step(m, s, a)` performs one and returns the new state plus events as
 * data. Both are pure and deterministic; every engine drives them.
 *
 * An action is a small integer: (kind << 16) | index.
 */
import { emit, newCtx } from "./ctx.js";
import type { ModelEvent } from "./events.js";
import {
  alive,
  FF_DIRTY,
  FF_USED,
  FR_FLAGS,
  FR_INODE,
  frm,
  INF_READ,
  INF_READ_FAULT,
  INF_WRITE,
  INF_WRITE_FAULT,
  LEASE_NONE,
  LF_BREAKING,
  type Model,
  MR_VALID,
  MRL_BREAKING,
  mr as mrOff,
  OFD_LEASE,
  OFD_LFLAGS,
  ofd,
  P_HANDLER,
  P_SIG,
  P_STATUS,
  PS_BLOCKED,
  PS_CRASHED,
  PS_DONE,
  PS_HUNG,
  PS_RUN,
  peer as peerOff,
  proc,
  QP_READY,
  R_CANCEL,
  R_INFL,
  R_OPMR,
  R_PART,
  R_QP,
  SIGF_FATAL_ESCALATION,
  type State,
} from "./layout.js";
import { leaseTimeout } from "./locks/lease.js";
import { writeback } from "./mm/writeback.js";
import { teardown } from "./proc/exit.js";
import { oomKill, oomMayStrike } from "./proc/oom.js";
import { procStep } from "./proc/program.js";
import { finishHandler, handlerCanFinish, handleSigio, signalDeliverable } from "./proc/signals.js";
import { escalate } from "./rdma/escalate.js";
import {
  nicLand,
  odpFault,
  peerAck,
  peerCanAck,
  peerCanStep,
  peerCrash,
  peerDone,
  peerStep,
} from "./rdma/nic.js";
import { odpFaultMayResolve, odpInflightOnFrame } from "./rdma/odp.js";
import { peerMayRepeat, procMayRepeat, repeatPeer, repeatProc } from "./repeat.js";

export const A_PROC = 0;
export const A_SIGIO = 1;
export const A_HANDLER = 2;
export const A_LAND = 3;
export const A_ODP_FAULT = 4;
export const A_WRITEBACK = 5;
export const A_PEER_ACK = 6;
export const A_LEASE_TIMER = 7;
export const A_PIN_TIMER = 8;
export const A_PEER = 9;
export const A_CRASH = 10;
export const A_HANG = 11;
export const A_PARTITION = 12;
/** A process's program ended and its repeating tail starts again (index: proc; repeat.ts). */
export const A_REPEAT = 13;
/** A peer's program ended and its repeating tail starts again (index: peer; repeat.ts). */
export const A_PEER_REPEAT = 14;
/** The OOM killer chooses a process (`faults oom=`; proc/oom.ts). */
export const A_OOM = 15;
/** A remote peer dies (`faults peer_crash=`; rdma/nic.ts peerCrash). */
export const A_PEER_CRASH = 16;

export const actionKind = (a: number): number => a >>> 16;
export const actionIndex = (a: number): number => a & 0xffff;
const act = (kind: number, index: number): number => (kind << 16) | index;

/** Fault injections are the actions of these kinds. */
export function isFault(a: number): boolean {
  const k = actionKind(a);
  return k === A_CRASH || k === A_HANG || k === A_PARTITION || k === A_OOM || k === A_PEER_CRASH;
}

/**
 * Every action enabled in s, in priority order: local processes, then the
 * hardware (DMA landing, ODP faults, writeback), the peers' answers to cancel
 * messages, the lease-break timers (45 s: slower than any of the above), the
 * peers' next operations, and last the injected faults. A program that ended
 * with a repeating tail left offers its repeat where its next step would be.
 */
export function enabled(m: Model, s: State): number[] {
  const out: number[] = [];
  for (let p = 0; p < m.procs.length; p++) {
    const po = proc(m, p);
    const st = s[po + P_STATUS]!;
    if (!alive(s, m, p)) continue;
    if (signalDeliverable(m, s, p)) out.push(act(A_SIGIO, p));
    if (st !== PS_HUNG && s[po + P_HANDLER] === 1 && handlerCanFinish(m, s, p))
      out.push(act(A_HANDLER, p));
    if (st === PS_RUN) out.push(act(A_PROC, p));
    else if (st === PS_BLOCKED && retryChanges(m, s, p)) out.push(act(A_PROC, p));
    else if (st === PS_DONE && procMayRepeat(m, s, p)) out.push(act(A_REPEAT, p));
  }
  for (let r = 0; r < m.peers.length; r++) {
    const infl = s[peerOff(m, r) + R_INFL]!;
    if (infl === INF_WRITE || infl === INF_READ) out.push(act(A_LAND, r));
    else if (infl === INF_WRITE_FAULT || infl === INF_READ_FAULT) {
      // mmu_interval_read_begin(): a fault waits while an invalidation of its MR is in progress.
      if (odpFaultMayResolve(m, s, s[peerOff(m, r) + R_OPMR]! - 1)) out.push(act(A_ODP_FAULT, r));
    }
  }
  if (!m.dax) {
    for (let f = 0; f < m.nFrames; f++) {
      const fo = frm(m, f);
      const fl = s[fo + FR_FLAGS]!;
      if ((fl & FF_USED) !== 0 && (fl & FF_DIRTY) !== 0 && s[fo + FR_INODE]! > 0)
        if (!odpInflightOnFrame(m, s, f)) out.push(act(A_WRITEBACK, f));
    }
  }
  for (let r = 0; r < m.peers.length; r++) if (peerCanAck(m, s, r)) out.push(act(A_PEER_ACK, r));
  for (let o = 0; o < m.ofds.length; o++) {
    const oo = ofd(m, o);
    if (s[oo + OFD_LEASE] !== LEASE_NONE && (s[oo + OFD_LFLAGS]! & LF_BREAKING) !== 0)
      if (!m.procs[m.ofds[o]!.proc]!.prompt || !answering(m, s, m.ofds[o]!.proc))
        out.push(act(A_LEASE_TIMER, o));
  }
  for (let x = 0; x < m.mrs.length; x++) {
    const o = mrOff(m, x);
    // A dead owner has nothing left to escalate against: its MR outlives it only
    // while another process holds its uverbs file (rdma/uverbs.ts). An owner already
    // sent the fatal escalation waits out its uninterruptible sleep.
    if (s[o] === MR_VALID && s[o + 1] === MRL_BREAKING && alive(s, m, m.mrs[x]!.proc)) {
      const owner = m.mrs[x]!.proc;
      const escalated = (s[proc(m, owner) + P_SIG]! & SIGF_FATAL_ESCALATION) !== 0;
      if (!escalated && (!m.procs[owner]!.prompt || !answering(m, s, owner)))
        out.push(act(A_PIN_TIMER, x));
    }
  }
  for (let r = 0; r < m.peers.length; r++) {
    if (peerCanStep(m, s, r)) out.push(act(A_PEER, r));
    else if (peerMayRepeat(m, s, r)) out.push(act(A_PEER_REPEAT, r));
  }
  for (let p = 0; p < m.procs.length; p++) {
    const info = m.procs[p]!;
    if (!alive(s, m, p)) continue;
    if (info.mayCrash) out.push(act(A_CRASH, p));
    if (info.mayHang && s[proc(m, p) + P_STATUS] !== PS_HUNG) out.push(act(A_HANG, p));
    if (info.mayOom && oomMayStrike(m, s, p)) out.push(act(A_OOM, p));
  }
  for (let r = 0; r < m.peers.length; r++) {
    if (m.peers[r]!.mayPartition && s[peerOff(m, r) + R_PART] === 0) out.push(act(A_PARTITION, r));
    if (m.peers[r]!.mayCrash && !peerDone(m, s, r)) out.push(act(A_PEER_CRASH, r));
  }
  return out;
}

/**
 * Whether lease holder p is still answering a lease break and can finish
 * (consulted only for a holder the scenario assumes prompt, ProcInfo.prompt):
 * its SIGIO handler has yet to run, or it has asked its peers to cancel and
 * they can still acknowledge (their link is up and they understand cancel).
 * Under that assumption the timer fires only when the answer cannot come: an ignored or hung handler, a peer
 * without a cancel operation, a partition, a dead connection.
 */
function answering(m: Model, s: State, p: number): boolean {
  const po = proc(m, p);
  const st = s[po + P_STATUS]!;
  if (!alive(s, m, p) || st === PS_HUNG) return false;
  if (signalDeliverable(m, s, p)) return true;
  if (s[po + P_HANDLER] !== 1) return false;
  if (handlerCanFinish(m, s, p)) return true;
  for (let r = 0; r < m.peers.length; r++) {
    const ro = peerOff(m, r);
    if (
      s[ro + R_CANCEL] === 1 &&
      m.peers[r]!.cancel &&
      s[ro + R_PART] === 0 &&
      s[ro + R_QP] === QP_READY
    )
      return true;
  }
  return false;
}

/**
 * Where the speculative retry is tried: one array per state length, reused
 * (the retry runs to its end before the next one starts; `inRetry` guards
 * against a retry inside a retry, which would share it).
 */
let retryScratch = new Int32Array(0);
let inRetry = false;

/** A blocked call may be retried only when the retry would change something. */
function retryChanges(m: Model, s: State, p: number): boolean {
  if (inRetry) throw new Error("pinlab bug: a speculative retry inside another");
  if (retryScratch.length !== s.length) retryScratch = new Int32Array(s.length);
  const n = retryScratch;
  n.set(s);
  inRetry = true;
  try {
    procStep(newCtx(m, n, null), p);
  } finally {
    inRetry = false;
  }
  for (let i = 0; i < n.length; i++) if (n[i] !== s[i]) return true;
  return false;
}

/** Performs action a in state s; returns the successor (s is not modified). */
export function step(m: Model, s: State, a: number, ev: ModelEvent[] | null): State {
  const n = s.slice();
  apply(m, n, a, ev);
  return n;
}

/** `step` into a caller's array (same length as s, not s itself): no allocation per transition. */
export function stepInto(m: Model, s: State, a: number, out: State, ev: ModelEvent[] | null): void {
  out.set(s);
  apply(m, out, a, ev);
}

/** Performs action a on state n in place. */
function apply(m: Model, n: State, a: number, ev: ModelEvent[] | null): void {
  const ctx = newCtx(m, n, ev);
  const i = actionIndex(a);
  switch (actionKind(a)) {
    case A_PROC:
      procStep(ctx, i);
      break;
    case A_SIGIO:
      handleSigio(ctx, i);
      break;
    case A_HANDLER:
      finishHandler(ctx, i);
      break;
    case A_LAND:
      nicLand(ctx, i);
      break;
    case A_ODP_FAULT:
      odpFault(ctx, i);
      break;
    case A_WRITEBACK:
      writeback(ctx, i);
      break;
    case A_PEER_ACK:
      peerAck(ctx, i);
      break;
    case A_LEASE_TIMER:
      leaseTimeout(ctx, i);
      break;
    case A_PIN_TIMER:
      // lease-break-time expired on a revocable pin: the policy's escalation.
      escalate(ctx, i);
      break;
    case A_PEER:
      peerStep(ctx, i);
      break;
    case A_CRASH:
      teardown(ctx, i, PS_CRASHED, "crashed", "fault");
      break;
    case A_HANG:
      n[proc(m, i) + P_STATUS] = PS_HUNG;
      emit(ctx, { k: "hang", proc: i });
      break;
    case A_PARTITION:
      n[peerOff(m, i) + R_PART] = 1;
      emit(ctx, { k: "partition", peer: i });
      break;
    case A_OOM:
      oomKill(ctx, i);
      break;
    case A_PEER_CRASH:
      peerCrash(ctx, i);
      break;
    case A_REPEAT:
      repeatProc(ctx, i);
      break;
    case A_PEER_REPEAT:
      repeatPeer(ctx, i);
      break;
    default:
      throw new Error(`pinlab bug: unknown action ${a}`);
  }
}
