/**
 * Pmem unbind since v6.8: before the device goes, the driver tells the
 * filesystem (dax_holder_notify_failure() with MF_MEM_PRE_REMOVE), and XFS
 * walks its reverse map and calls mf_dax_kill_procs() for every file on the
 * device; with MF_MEM_PRE_REMOVE collect_procs_fsdax() takes every process
 * whose VMAs map the file, not only early-kill ones, and kill_proc() sends
 * each SIGBUS (BUS_MCEERR_AO), whose default action terminates. The model's
 * processes install no SIGBUS handler. XFS needs its reverse-mapping btree
 * (rmapbt) for this; ext4 implements no ->notify_failure, so its mappers
 * are not signalled (xfs_dax_notify_failure(), mm/memory-failure.c).
 */
import { fsdax } from "../backing.js";
import type { Ctx } from "../ctx.js";
import { alive, K_UNPLUGGED, PS_KILLED, vma as vmaOff } from "../layout.js";
import { teardown } from "./exit.js";

/** Sends SIGBUS to every live process mapping a file of the device; returns whether `self` died. */
export function unbindKillMappers(ctx: Ctx, self: number): boolean {
  const { m, s } = ctx;
  if (!m.dax || !m.policy.unbindSigbus || m.flavor !== "xfs") return false;
  if (s[m.offKernel + K_UNPLUGGED] === 1) return false;
  let died = false;
  for (let p = 0; p < m.procs.length; p++) {
    if (!alive(s, m, p)) continue;
    const maps = m.vmas.some(
      (vi, v) => vi.proc === p && s[vmaOff(m, v)] === 1 && fsdax(m, vi.inode),
    );
    if (!maps) continue;
    teardown(ctx, p, PS_KILLED, "killed", "memory-failure", "SIGBUS");
    if (p === self) died = true;
  }
  return died;
}
