/**
 * Sending a signal to a local process (kernel/signal.c): what happens at
 * generation time. A signal whose action kills (SIGKILL, or a default action
 * of Term with no handler installed) is turned into a group kill by
 * complete_signal() (sig_fatal), so it ends any interruptible or killable
 * sleep; a process in TASK_UNINTERRUPTIBLE dies only when that sleep ends.
 * A signal with a handler stays pending until the handler runs; an
 * interruptible sleep it meets returns -ERESTARTSYS, which the model reports
 * as EINTR: the model's handlers are installed without SA_RESTART.
 * A signal whose default action is to ignore it and has no handler is dropped.
 */
import { type Ctx, emit } from "../ctx.js";
import {
  alive,
  P_SIG,
  P_STATUS,
  PS_BLOCKED,
  PS_KILLED,
  proc,
  SIGF_BY_OTHER,
  SIGF_FATAL_KILL,
  SIGF_FATAL_LEASE,
  SIGF_LEASE,
  SIGF_SIG_SHIFT,
  SIGF_UNINTERRUPTIBLE,
} from "../layout.js";
import { teardown } from "./exit.js";
import { defaultTerminates, SIGKILL, signalName } from "./signum.js";

/** Whether sig kills process p when sent to it: SIGKILL, or no handler and a default action of Term. */
export function killsProcess(ctx: Ctx, p: number, sig: number): boolean {
  return sig === SIGKILL || (!ctx.m.procs[p]!.handled.includes(sig) && defaultTerminates(sig));
}

/**
 * A lease break signals the lease's owner (send_sigio(): SIGIO, or the
 * F_SETSIG signal). The death or the handler happens when the holder next runs
 * (the A_SIGIO step); `byOther`: another process's open or layout change broke it.
 */
export function sendLeaseSignal(
  ctx: Ctx,
  holder: number,
  sig: number,
  byOther: boolean,
  inode: number,
): void {
  const { m, s } = ctx;
  const po = proc(m, holder);
  emit(ctx, { k: "sigio", proc: holder, inode, sig: signalName(sig) });
  const other = byOther ? SIGF_BY_OTHER : 0;
  if (killsProcess(ctx, holder, sig)) {
    const v = s[po + P_SIG]! & ((1 << SIGF_SIG_SHIFT) - 1);
    s[po + P_SIG] = v | SIGF_FATAL_LEASE | other | (sig << SIGF_SIG_SHIFT);
  } else if (m.procs[holder]!.handled.includes(sig)) {
    s[po + P_SIG]! |= SIGF_LEASE | other;
  } else {
    emit(ctx, {
      k: "sigio-ignored",
      proc: holder,
      why: `${signalName(sig)}'s default action is to ignore it`,
    });
  }
}

/**
 * kill(2) of process t with sig, after the permission checks. Returns whether
 * the target died at once.
 */
export function sendKill(ctx: Ctx, t: number, sig: number): boolean {
  const { m, s } = ctx;
  const po = proc(m, t);
  if (!alive(s, m, t)) return false;
  if (killsProcess(ctx, t, sig)) {
    const st = s[po + P_STATUS]!;
    if (st === PS_BLOCKED && (s[po + P_SIG]! & SIGF_UNINTERRUPTIBLE) !== 0) {
      const v = s[po + P_SIG]! & ((1 << SIGF_SIG_SHIFT) - 1);
      s[po + P_SIG] = v | SIGF_FATAL_KILL | (sig << SIGF_SIG_SHIFT);
      emit(ctx, {
        k: "signal",
        proc: t,
        sig: signalName(sig),
        what: "pending: the process sleeps in TASK_UNINTERRUPTIBLE and dies when the wait ends",
      });
      return false;
    }
    teardown(ctx, t, PS_KILLED, "killed", "kill", signalName(sig));
    return true;
  }
  if (m.procs[t]!.handled.includes(sig)) {
    s[po + P_SIG]! |= SIGF_LEASE;
    emit(ctx, { k: "signal", proc: t, sig: signalName(sig), what: "pending for its handler" });
  } else
    emit(ctx, {
      k: "signal",
      proc: t,
      sig: signalName(sig),
      what: "dropped: its default action is to ignore it",
    });
  return false;
}
