/**
 * The OOM killer chooses a process (`faults oom=`): oom_kill_process() →
 * __oom_kill_process() sends SIGKILL (do_send_sig_info, SEND_SIG_PRIV),
 * marks the victim (mark_oom_victim) and queues the oom reaper
 * (queue_oom_reaper), which unmaps the victim's private memory without
 * waiting for it to exit (__oom_reap_task_mm: unmap_page_range of its
 * anonymous and private VMAs). Unmapping a pinned page drops the mapping's
 * reference, not the pin's: the page is not freed, so the reaper gains
 * nothing of what a long-term pin holds. The pins go when the pinner's file
 * is released (ib_uverbs_close at the last fput of the uverbs file; the
 * ring's and the container's files likewise), which happens in do_exit()
 * unless another process holds the file (send_uverbs, a forked child).
 * The victim is chosen by badness (oom_badness: rss, swap, page tables);
 * pinned_vm is not part of it. A victim asleep in TASK_UNINTERRUPTIBLE dies
 * when the sleep ends, as for any SIGKILL (the model's reaper does not run
 * ahead of it: what it would unmap meanwhile changes none of the model's pins).
 */
import { type Ctx, emit } from "../ctx.js";
import {
  alive,
  type Model,
  MR_VALID,
  mr as mrOff,
  P_SIG,
  P_STATUS,
  PS_BLOCKED,
  PS_KILLED,
  proc,
  SIGF_FATAL_KILL,
  SIGF_SIG_SHIFT,
  SIGF_UNINTERRUPTIBLE,
  type State,
} from "../layout.js";
import { teardown } from "./exit.js";
import { SIGKILL } from "./signum.js";

/** Whether the OOM killer may still choose p: alive, and no SIGKILL already pending. */
export function oomMayStrike(m: Model, s: State, p: number): boolean {
  return alive(s, m, p) && (s[proc(m, p) + P_SIG]! & SIGF_FATAL_KILL) === 0;
}

/** The OOM killer's SIGKILL to p, and what stays pinned once it is gone. */
export function oomKill(ctx: Ctx, p: number): void {
  const { m, s } = ctx;
  const po = proc(m, p);
  if (s[po + P_STATUS] === PS_BLOCKED && (s[po + P_SIG]! & SIGF_UNINTERRUPTIBLE) !== 0) {
    const v = s[po + P_SIG]! & ((1 << SIGF_SIG_SHIFT) - 1);
    s[po + P_SIG] = v | SIGF_FATAL_KILL | (SIGKILL << SIGF_SIG_SHIFT);
    emit(ctx, {
      k: "signal",
      proc: p,
      sig: "SIGKILL",
      what: "from the OOM killer, pending: the process sleeps in TASK_UNINTERRUPTIBLE and dies when the wait ends",
    });
    emit(ctx, { k: "oom-kill", proc: p, pinned: pinnedFrames(m, s, p) });
    return;
  }
  teardown(ctx, p, PS_KILLED, "killed", "oom", "SIGKILL");
  emit(ctx, { k: "oom-kill", proc: p, pinned: pinnedFrames(m, s, p) });
}

/** The frames p's registrations still pin (those another holder of its files keeps alive). */
function pinnedFrames(m: Model, s: State, p: number): number[] {
  const out: number[] = [];
  m.mrs.forEach((mi, x) => {
    const o = mrOff(m, x);
    if (mi.proc !== p || s[o] !== MR_VALID || mi.odp) return;
    for (let k = 0; k < mi.pages; k++) {
      const f1 = s[o + 2 + k]!;
      if (f1 > 0 && !out.includes(f1 - 1)) out.push(f1 - 1);
    }
  });
  return out;
}
