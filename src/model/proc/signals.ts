/**
 * A lease holder's answer to SIGIO, as the application wrote it:
 * - cancel: agree with the peers on cancelling the RDMA, then drop the pins
 *   and the lease (Jan Kara's revoke handler,
 *   https://lore.kernel.org/r/20190206095000.GA12006@quack2.suse.cz);
 * - terminate: no handler; the signal's default action (Term for SIGIO) kills it;
 * - ignore: a handler that returns at once (installed without SA_RESTART, so an
 *   interruptible sleep it meets still ends with EINTR);
 * - hang: stop making progress (still killable);
 * - crash: die, which releases everything.
 */
import { type Ctx, emit } from "../ctx.js";
import { onlyRingBuffers, ringUnregister } from "../iouring/ring.js";
import {
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
  PS_HUNG,
  PS_KILLED,
  peer as peerOff,
  proc,
  R_CANCEL,
  SIGF_BY_OTHER,
  SIGF_FATAL_ESCALATION,
  SIGF_FATAL_KILL,
  SIGF_FATAL_LEASE,
  SIGF_LEASE,
  SIGF_PENDING,
  SIGF_SIG_SHIFT,
  SIGF_UNINTERRUPTIBLE,
  type State,
} from "../layout.js";
import { fileAlive, releaseLease } from "../locks/lease.js";
import { deregMr } from "../rdma/mr.js";
import { peerDone } from "../rdma/nic.js";
import { onlyVfioMappings, vfioUnmap } from "../vfio/dma.js";
import { teardown } from "./exit.js";
import { interruptCall } from "./program.js";
import { signalName } from "./signum.js";

/** The MRs of process p that a pending lease break is about: revoked pins, or pins on a file whose lease breaks. */
export function mrsUnderBreak(m: Model, s: State, p: number): number[] {
  const inodes = new Set<number>();
  for (let o = 0; o < m.ofds.length; o++) {
    if (m.ofds[o]!.proc !== p) continue;
    const oo = ofd(m, o);
    if (s[oo + OFD_LEASE] !== LEASE_NONE && (s[oo + OFD_LFLAGS]! & LF_BREAKING) !== 0)
      inodes.add(m.ofds[o]!.inode);
  }
  const out: number[] = [];
  for (let x = 0; x < m.mrs.length; x++) {
    const mi = m.mrs[x]!;
    if (mi.proc !== p) continue;
    const o = mrOff(m, x);
    if (s[o] !== MR_VALID) continue;
    if (s[o + 1] === MRL_BREAKING || inodes.has(m.vmas[mi.vma]!.inode)) out.push(x);
  }
  return out;
}

/** Peers that received one of these MRs. */
export function peersOf(m: Model, s: State, mrs: readonly number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < m.peers.length; r++) {
    const box = m.mboxOff[r]!;
    const n = Math.min(s[box]!, m.mboxCap[r]!); // the ring's messages (layout.ts Model.mboxOff)
    for (let i = 0; i < n; i++) {
      if (mrs.includes(s[box + 1 + i]! - 1)) {
        out.push(r);
        break;
      }
    }
  }
  return out;
}

/** Whether a signal pending for process p can be acted upon now (not during an uninterruptible sleep). */
export function signalDeliverable(m: Model, s: State, p: number): boolean {
  const po = proc(m, p);
  const v = s[po + P_SIG]!;
  if ((v & SIGF_PENDING) === 0) return false;
  if (s[po + P_STATUS] === PS_BLOCKED && (v & SIGF_UNINTERRUPTIBLE) !== 0) return false;
  // a hung process takes no handler, but a fatal signal still kills it
  if (s[po + P_STATUS] === PS_HUNG) return (v & (SIGF_PENDING & ~SIGF_LEASE)) !== 0;
  return true;
}

/**
 * Process p acts on its pending signals: a fatal one kills it (the lease-break
 * signal without a handler: SIGIO's default action is Term, man 7 signal);
 * otherwise an interruptible sleep ends with EINTR and its lease-break handler runs.
 */
export function handleSigio(ctx: Ctx, p: number): void {
  const { m, s } = ctx;
  const po = proc(m, p);
  const v = s[po + P_SIG]!;
  const sig = signalName(v >> SIGF_SIG_SHIFT);
  if ((v & SIGF_FATAL_ESCALATION) !== 0) {
    teardown(ctx, p, PS_KILLED, "killed", "escalation", "SIGKILL");
    return;
  }
  if ((v & SIGF_FATAL_KILL) !== 0) {
    teardown(ctx, p, PS_KILLED, "killed", "kill", sig);
    return;
  }
  if ((v & SIGF_FATAL_LEASE) !== 0) {
    teardown(ctx, p, PS_KILLED, "killed", "lease-break", sig, (v & SIGF_BY_OTHER) !== 0);
    return;
  }
  s[po + P_SIG] = v & SIGF_UNINTERRUPTIBLE;
  interruptCall(ctx, p);
  switch (m.procs[p]!.onLeaseBreak) {
    case "terminate":
      throw new Error("pinlab bug: a handled signal for a process without a handler");
    case "ignore":
      emit(ctx, { k: "sigio-ignored", proc: p, why: "the handler ignores it" });
      return;
    case "hang":
      s[po + P_STATUS] = PS_HUNG;
      emit(ctx, { k: "hang", proc: p });
      return;
    case "crash":
      teardown(ctx, p, PS_CRASHED, "crashed", "lease-break", undefined, (v & SIGF_BY_OTHER) !== 0);
      return;
    case "cancel": {
      // Asking the peers changes no MR or lease: the MRs under break stay the same below.
      const mrs = mrsUnderBreak(m, s, p);
      const peers = peersOf(m, s, mrs);
      let asked = 0;
      for (const r of peers) {
        const ro = peerOff(m, r);
        if (s[ro + R_CANCEL] === 0 && !peerDone(m, s, r)) {
          s[ro + R_CANCEL] = 1;
          emit(ctx, { k: "cancel-sent", proc: p, peer: r });
          asked++;
        }
      }
      if (asked === 0)
        emit(ctx, {
          k: "sigio-ignored",
          proc: p,
          why: onlyRingBuffers(m, mrs)
            ? "no remote peer: the handler unregisters the ring's buffers itself"
            : onlyVfioMappings(m, mrs)
              ? "no remote peer: the handler quiesces its device and unmaps the DMA mappings itself"
              : "no peer to cancel with",
        });
      s[po + P_HANDLER] = 1;
      return;
    }
  }
}

/**
 * The cancel handler can move: a peer that got one of the MRs has not been
 * asked to cancel yet (it received the rkey after the handler started), or
 * every peer involved acknowledged or is gone, so it can drop the pins.
 */
export function handlerCanFinish(m: Model, s: State, p: number): boolean {
  // peersOf(mrsUnderBreak()) without building either list: asked in every state
  let waiting = false;
  for (let r = 0; r < m.peers.length; r++) {
    const c = s[peerOff(m, r) + R_CANCEL]!;
    if (c === 2 || peerDone(m, s, r) || !gotMrUnderBreak(m, s, p, r)) continue;
    if (c === 0) return true;
    waiting = true;
  }
  return !waiting;
}

/** Whether peer r received an MR of process p that a pending lease break is about (mrsUnderBreak). */
function gotMrUnderBreak(m: Model, s: State, p: number, r: number): boolean {
  const box = m.mboxOff[r]!;
  const n = Math.min(s[box]!, m.mboxCap[r]!);
  for (let i = 0; i < n; i++) {
    const x = s[box + 1 + i]! - 1;
    if (x < 0 || x >= m.mrs.length) continue;
    const mi = m.mrs[x]!;
    if (mi.proc !== p) continue;
    const o = mrOff(m, x);
    if (s[o] !== MR_VALID) continue;
    if (s[o + 1] === MRL_BREAKING) return true;
    const inode = m.vmas[mi.vma]!.inode;
    for (let f = 0; f < m.ofds.length; f++) {
      if (m.ofds[f]!.proc !== p || m.ofds[f]!.inode !== inode) continue;
      const oo = ofd(m, f);
      if (s[oo + OFD_LEASE] !== LEASE_NONE && (s[oo + OFD_LFLAGS]! & LF_BREAKING) !== 0)
        return true;
    }
  }
  return false;
}

/** The cancel handler drops the pins (ibv_dereg_mr) and releases the breaking leases (F_UNLCK). */
export function finishHandler(ctx: Ctx, p: number): void {
  const { m, s } = ctx;
  const mrs = mrsUnderBreak(m, s, p);
  let asked = false;
  for (const r of peersOf(m, s, mrs)) {
    const ro = peerOff(m, r);
    if (s[ro + R_CANCEL] === 0 && !peerDone(m, s, r)) {
      s[ro + R_CANCEL] = 1;
      emit(ctx, { k: "cancel-sent", proc: p, peer: r });
      asked = true;
    }
  }
  if (asked) return;
  emit(ctx, { k: "handler-done", proc: p, mrs });
  // io_uring: IORING_UNREGISTER_BUFFERS; VFIO: VFIO_IOMMU_UNMAP_DMA; RDMA: ibv_dereg_mr.
  for (const x of mrs) {
    const kind = m.mrs[x]!.pinner;
    if (kind === "io_uring") ringUnregister(ctx, x);
    else if (kind === "vfio") vfioUnmap(ctx, x);
    else deregMr(ctx, x);
  }
  for (let o = 0; o < m.ofds.length; o++) {
    if (m.ofds[o]!.proc !== p) continue;
    const oo = ofd(m, o);
    if (fileAlive(s, m, o) && (s[oo + OFD_LFLAGS]! & LF_BREAKING) !== 0)
      releaseLease(ctx, o, false);
  }
  s[proc(m, p) + P_HANDLER] = 0;
}
