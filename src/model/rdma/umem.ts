/**
 * The accounting ib_umem_get() does before it pins anything
 * (drivers/infiniband/core/umem.c; the same order in the 2019 version,
 * https://github.com/torvalds/linux/blob/0446cad9ca385c3b8d6e5a1184e59650fa7a7a6d/drivers/infiniband/core/umem.c):
 *   1. !can_do_mlock()                                  → EPERM
 *      (mm/mlock.c: RLIMIT_MEMLOCK is 0 and the caller lacks CAP_IPC_LOCK)
 *   2. IB_ACCESS_ON_DEMAND                              → the ODP path (ib_umem_odp_get), no charge
 *      (until v5.3; since v5.4 the driver calls ib_umem_odp_get() itself and
 *      step 1 does not apply to ODP either: mr.ts)
 *   3. mm->pinned_vm + npages > RLIMIT_MEMLOCK pages
 *      && !capable(CAP_IPC_LOCK)                        → ENOMEM, nothing charged or pinned
 *   4. then pin_user_pages_fast(FOLL_LONGTERM ...)      → gup.ts
 * ib_check_mr_access() (EINVAL) runs before all of them, in ib_uverbs_reg_mr().
 * The charge stays until ib_umem_release(), i.e. while the MR is registered.
 */
import { ENOMEM, EPERM } from "../errno.js";
import { type Model, MR_VALID, mr as mrOff, type State } from "../layout.js";

/** mm->pinned_vm of process p: pages of its registered, pinned (non-ODP) MRs. */
export function pinnedVm(m: Model, s: State, p: number): number {
  let n = 0;
  for (let x = 0; x < m.mrs.length; x++) {
    const mi = m.mrs[x]!;
    if (mi.proc === p && !mi.odp && s[mrOff(m, x)] === MR_VALID) n += mi.pages;
  }
  return n;
}

/** Step 1, can_do_mlock() (mm/mlock.c): 0, or -EPERM when RLIMIT_MEMLOCK is 0 and p lacks CAP_IPC_LOCK. */
export function canDoMlock(m: Model, p: number): number {
  const pi = m.procs[p]!;
  return pi.memlock === 0 && !m.users[pi.user]!.capIpcLock ? -EPERM : 0;
}

/** Steps 1 and 3 for MR x (not ODP): 0, or -EPERM / -ENOMEM. */
export function chargePinnedVm(m: Model, s: State, x: number): number {
  const mi = m.mrs[x]!;
  const p = m.procs[mi.proc]!;
  const capIpcLock = m.users[p.user]!.capIpcLock;
  const e = canDoMlock(m, mi.proc);
  if (e < 0) return e;
  if (pinnedVm(m, s, mi.proc) + mi.pages > p.memlock && !capIpcLock) return -ENOMEM;
  return 0;
}
