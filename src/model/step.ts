/**
 * The heart of the model: `enabled(m, s)` lists every step that may happen
 * next, `step(m, s, a)` performs one and returns the new state plus events as
 * data. Both are pure and deterministic; every engine drives them.
 *
 * An action is a small integer: (kind << 16) | index.
 */
import { acquireCtx, type Ctx, emit, releaseCtx } from "./ctx.js";
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
  R_MBOX,
  R_OPMR,
  R_PART,
  R_PC,
  R_QP,
  SIGF_FATAL_ESCALATION,
  type State,
  vma as vmaOff,
} from "./layout.js";
import { leaseTimeout } from "./locks/lease.js";
import { writeback } from "./mm/writeback.js";
import { teardown } from "./proc/exit.js";
import { oomKill, oomMayStrike } from "./proc/oom.js";
import { procStep, retryPredicate } from "./proc/program.js";
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
  enabledInto(m, s, out);
  return out;
}

/**
 * `enabled` into a caller's array (a loop that asks after every transition
 * allocates nothing): returns the count n; out[0..n) are the actions, in
 * `enabled`'s order, and entries from n on are left from earlier calls.
 */
export function enabledInto(m: Model, s: State, out: number[]): number {
  let n = 0;
  for (let p = 0; p < m.procs.length; p++) n = procUnit(m, s, p, out, n);
  for (let r = 0; r < m.peers.length; r++) n = landUnit(m, s, r, out, n);
  if (!m.dax) for (let f = 0; f < m.nFrames; f++) n = writebackUnit(m, s, f, out, n);
  for (let r = 0; r < m.peers.length; r++) n = ackUnit(m, s, r, out, n);
  for (let o = 0; o < m.ofds.length; o++) n = leaseTimerUnit(m, s, o, out, n);
  for (let x = 0; x < m.mrs.length; x++) n = pinTimerUnit(m, s, x, out, n);
  for (let r = 0; r < m.peers.length; r++) n = peerUnit(m, s, r, out, n);
  for (let p = 0; p < m.procs.length; p++) n = procFaultUnit(m, s, p, out, n);
  for (let r = 0; r < m.peers.length; r++) n = peerFaultUnit(m, s, r, out, n);
  return n;
}

/*
 * Enabledness in units. `enabledInto` is the units' actions, unit after
 * unit in the order below: what one process, peer, frame, file description
 * or MR offers. Each unit function appends its actions at out[n..) and
 * returns the count after them. What it decides reads only the words of its
 * watch list (`enabledUnits`), except where it sets `wideAnswer`: there it
 * reads others too (a blocked call's retry, a handler's peers, a holder's
 * answer). A loop that keeps the units' answers between transitions (the
 * simulator's schedule) asks a unit again when a word it watches changed,
 * and a wide one after every transition. Whoever changes what a unit reads in its narrow branches
 * changes its watch list with it; units.test.ts holds each unit to its list
 * on the library's reachable states.
 */

/** Set by a unit that read words outside its watch list (cleared by `unitInto` before it asks). */
let wideAnswer = false;

/** Process p's signal delivery, its handler's end, and its next step (or its repeat). */
function procUnit(m: Model, s: State, p: number, out: number[], n: number): number {
  const po = proc(m, p);
  const st = s[po + P_STATUS]!;
  if (!alive(s, m, p)) return n;
  let w = false;
  if (signalDeliverable(m, s, p)) out[n++] = act(A_SIGIO, p);
  if (st !== PS_HUNG && s[po + P_HANDLER] === 1) {
    w = true;
    if (handlerCanFinish(m, s, p)) out[n++] = act(A_HANDLER, p);
  }
  if (st === PS_RUN) out[n++] = act(A_PROC, p);
  else if (st === PS_BLOCKED) {
    w = true;
    if (retryMayChange(m, s, p)) out[n++] = act(A_PROC, p);
  } else if (st === PS_DONE && procMayRepeat(m, s, p)) out[n++] = act(A_REPEAT, p);
  if (w) wideAnswer = true;
  return n;
}

/** Peer r's work request in flight lands, or its ODP fault resolves. */
function landUnit(m: Model, s: State, r: number, out: number[], n: number): number {
  const infl = s[peerOff(m, r) + R_INFL]!;
  if (infl === INF_WRITE || infl === INF_READ) out[n++] = act(A_LAND, r);
  else if (infl === INF_WRITE_FAULT || infl === INF_READ_FAULT) {
    // mmu_interval_read_begin(): a fault waits while an invalidation of its MR is in progress.
    if (odpFaultMayResolve(m, s, s[peerOff(m, r) + R_OPMR]! - 1)) out[n++] = act(A_ODP_FAULT, r);
    wideAnswer = true;
    return n;
  }
  return n;
}

/** Writeback of page-cache frame f (not asked on fs-DAX). */
function writebackUnit(m: Model, s: State, f: number, out: number[], n: number): number {
  const fo = frm(m, f);
  const fl = s[fo + FR_FLAGS]!;
  if ((fl & FF_USED) !== 0 && (fl & FF_DIRTY) !== 0 && s[fo + FR_INODE]! > 0) {
    if (!odpInflightOnFrame(m, s, f)) out[n++] = act(A_WRITEBACK, f);
    wideAnswer = true;
    return n;
  }
  return n;
}

/** Peer r acknowledges a cancel message. */
function ackUnit(m: Model, s: State, r: number, out: number[], n: number): number {
  if (peerCanAck(m, s, r)) out[n++] = act(A_PEER_ACK, r);
  return n;
}

/** The lease-break timer of file description o. */
function leaseTimerUnit(m: Model, s: State, o: number, out: number[], n: number): number {
  const oo = ofd(m, o);
  if (s[oo + OFD_LEASE] === LEASE_NONE || (s[oo + OFD_LFLAGS]! & LF_BREAKING) === 0) return n;
  const holder = m.ofds[o]!.proc;
  if (!m.procs[holder]!.prompt) {
    out[n++] = act(A_LEASE_TIMER, o);
    return n;
  }
  if (!answering(m, s, holder)) out[n++] = act(A_LEASE_TIMER, o);
  wideAnswer = true;
  return n;
}

/** The revocation timer of MR x. */
function pinTimerUnit(m: Model, s: State, x: number, out: number[], n: number): number {
  const o = mrOff(m, x);
  // A dead owner has nothing left to escalate against: its MR outlives it only
  // while another process holds its uverbs file (rdma/uverbs.ts). An owner already
  // sent the fatal escalation waits out its uninterruptible sleep.
  const owner = m.mrs[x]!.proc;
  if (s[o] !== MR_VALID || s[o + 1] !== MRL_BREAKING || !alive(s, m, owner)) return n;
  if ((s[proc(m, owner) + P_SIG]! & SIGF_FATAL_ESCALATION) !== 0) return n;
  if (!m.procs[owner]!.prompt) {
    out[n++] = act(A_PIN_TIMER, x);
    return n;
  }
  if (!answering(m, s, owner)) out[n++] = act(A_PIN_TIMER, x);
  wideAnswer = true;
  return n;
}

/** Peer r's next operation, or its repeat. */
function peerUnit(m: Model, s: State, r: number, out: number[], n: number): number {
  if (peerCanStep(m, s, r)) out[n++] = act(A_PEER, r);
  else if (peerMayRepeat(m, s, r)) out[n++] = act(A_PEER_REPEAT, r);
  return n;
}

/** The faults that may strike process p. */
function procFaultUnit(m: Model, s: State, p: number, out: number[], n: number): number {
  const info = m.procs[p]!;
  if (!alive(s, m, p)) return n;
  if (info.mayCrash) out[n++] = act(A_CRASH, p);
  if (info.mayHang && s[proc(m, p) + P_STATUS] !== PS_HUNG) out[n++] = act(A_HANG, p);
  if (info.mayOom && oomMayStrike(m, s, p)) out[n++] = act(A_OOM, p);
  return n;
}

/** The faults that may strike peer r. */
function peerFaultUnit(m: Model, s: State, r: number, out: number[], n: number): number {
  if (m.peers[r]!.mayPartition && s[peerOff(m, r) + R_PART] === 0) out[n++] = act(A_PARTITION, r);
  if (m.peers[r]!.mayCrash && !peerDone(m, s, r)) out[n++] = act(A_PEER_CRASH, r);
  return n;
}

/** The units of a model, in `enabledInto`'s order, with the words each watches. */
export interface EnabledUnits {
  readonly count: number;
  /** Unit u is unit index[u] of class cls[u] (UNIT_CLASSES), and class c starts at unit base[c]. */
  readonly cls: Uint8Array;
  readonly index: Int32Array;
  readonly base: Int32Array;
  /** Unit u watches the state words watch[watchFrom[u] .. watchFrom[u + 1]). */
  readonly watchFrom: Int32Array;
  readonly watch: Int32Array;
}

/** The unit classes in order; a unit is its class's first unit + its index. */
const UNIT_CLASSES = [
  procUnit,
  landUnit,
  writebackUnit,
  ackUnit,
  leaseTimerUnit,
  pinTimerUnit,
  peerUnit,
  procFaultUnit,
  peerFaultUnit,
] as const;

function unitCounts(m: Model): number[] {
  const P = m.procs.length;
  const R = m.peers.length;
  return [P, R, m.dax ? 0 : m.nFrames, R, m.ofds.length, m.mrs.length, R, P, R];
}

/**
 * The enabledness units of model m and their watch lists: every word the
 * unit's narrow branches read (a superset does no harm but asks it more often).
 */
export function enabledUnits(m: Model): EnabledUnits {
  const counts = unitCounts(m);
  const lists: number[][] = [];
  const peerWords = (r: number): number[] => {
    const po = peerOff(m, r);
    return [po + R_PC, po + R_QP, po + R_INFL, po + R_CANCEL, po + R_PART, po + R_MBOX];
  };
  const peerCounter = (r: number): number[] => {
    const rep = m.peers[r]!.repeat;
    return rep ? [rep.counter] : [];
  };
  const procWords = (p: number): number[] => {
    const po = proc(m, p);
    return [po + P_STATUS, po + P_SIG, po + P_HANDLER];
  };
  for (let c = 0; c < counts.length; c++)
    for (let i = 0; i < counts[c]!; i++) {
      switch (UNIT_CLASSES[c]) {
        case procUnit: {
          const rep = m.procs[i]!.repeat;
          lists.push([
            ...procWords(i),
            ...(rep
              ? [
                  rep.counter,
                  ...rep.ofds.map((o) => ofd(m, o)),
                  ...rep.vmas.map((v) => vmaOff(m, v)),
                  ...rep.mrs.map((x) => mrOff(m, x)),
                ]
              : []),
          ]);
          break;
        }
        case landUnit:
          lists.push([peerOff(m, i) + R_INFL]);
          break;
        case writebackUnit:
          lists.push([frm(m, i) + FR_FLAGS, frm(m, i) + FR_INODE]);
          break;
        case ackUnit:
          lists.push(peerWords(i));
          break;
        case leaseTimerUnit:
          lists.push([ofd(m, i) + OFD_LEASE, ofd(m, i) + OFD_LFLAGS]);
          break;
        case pinTimerUnit: {
          const owner = m.mrs[i]!.proc;
          lists.push([mrOff(m, i), mrOff(m, i) + 1, ...procWords(owner)]);
          break;
        }
        case peerUnit:
          lists.push([...peerWords(i), m.mboxOff[i]!, ...peerCounter(i)]);
          break;
        case procFaultUnit:
          lists.push(procWords(i));
          break;
        case peerFaultUnit:
          lists.push([...peerWords(i), ...peerCounter(i)]);
          break;
      }
    }
  const watchFrom = new Int32Array(lists.length + 1);
  for (let u = 0; u < lists.length; u++) watchFrom[u + 1] = watchFrom[u]! + lists[u]!.length;
  const cls = new Uint8Array(lists.length);
  const index = new Int32Array(lists.length);
  const base = new Int32Array(counts.length);
  for (let c = 0, u = 0; c < counts.length; c++) {
    base[c] = u;
    for (let i = 0; i < counts[c]!; i++, u++) {
      cls[u] = c;
      index[u] = i;
    }
  }
  return { count: lists.length, cls, index, base, watchFrom, watch: Int32Array.from(lists.flat()) };
}

/** Per action kind (A_*): its unit class, and its place among that unit's actions. */
const KIND_CLASS = [0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 7, 8, 0, 6, 7, 8];
const KIND_PLACE = [2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 2, 1];

/**
 * Where action a stands in `enabledInto`'s order, as a number: of two
 * actions enabled together, the one with the smaller rank comes first.
 */
export function actionRank(U: EnabledUnits, a: number): number {
  const k = actionKind(a);
  return (U.base[KIND_CLASS[k]!]! + actionIndex(a)) * 4 + KIND_PLACE[k]!;
}

/**
 * Unit u's actions in state s into out[n..): returns 2·n' + wide (see the
 * units above), n' the count after them.
 */
export function unitInto(
  m: Model,
  s: State,
  U: EnabledUnits,
  u: number,
  out: number[],
  n: number,
): number {
  const i = U.index[u]!;
  wideAnswer = false;
  let c: number;
  switch (U.cls[u]) {
    case 0:
      c = procUnit(m, s, i, out, n);
      break;
    case 1:
      c = landUnit(m, s, i, out, n);
      break;
    case 2:
      c = writebackUnit(m, s, i, out, n);
      break;
    case 3:
      c = ackUnit(m, s, i, out, n);
      break;
    case 4:
      c = leaseTimerUnit(m, s, i, out, n);
      break;
    case 5:
      c = pinTimerUnit(m, s, i, out, n);
      break;
    case 6:
      c = peerUnit(m, s, i, out, n);
      break;
    case 7:
      c = procFaultUnit(m, s, i, out, n);
      break;
    default:
      c = peerFaultUnit(m, s, i, out, n);
  }
  return wideAnswer ? (c << 1) | 1 : c << 1;
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

/**
 * A blocked call may be retried only when the retry would change something:
 * decided by the call's own predicate where it has one (proc/program.ts
 * retryPredicate), else by retrying it on a copy.
 */
function retryMayChange(m: Model, s: State, p: number): boolean {
  const r = retryPredicate(m, s, p);
  return r !== undefined ? r : retryChanges(m, s, p);
}

/** Whether retrying p's blocked call on a copy of s changes anything (the reference for the predicates). */
export function retryChanges(m: Model, s: State, p: number): boolean {
  if (inRetry) throw new Error("pinlab bug: a speculative retry inside another");
  if (retryScratch.length !== s.length) retryScratch = new Int32Array(s.length);
  const n = retryScratch;
  n.set(s);
  inRetry = true;
  const ctx = acquireCtx(m, n, null);
  try {
    procStep(ctx, p);
  } finally {
    releaseCtx(ctx);
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
  const ctx = acquireCtx(m, n, ev);
  try {
    dispatch(ctx, a);
  } finally {
    releaseCtx(ctx);
  }
}

function dispatch(ctx: Ctx, a: number): void {
  const m = ctx.m;
  const n = ctx.s;
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
