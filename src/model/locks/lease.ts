/**
 * File leases (fs/locks.c; fcntl(2) F_SETLEASE, man F_GETLEASE(2const)) and,
 * under the layout-lease policy, Ira Weiny's userspace F_LAYOUT / F_UNBREAK
 * leases (RFC v1 https://lore.kernel.org/r/20190606014544.8339-1-ira.weiny@intel.com,
 * v2 https://lore.kernel.org/r/20190809225833.6657-1-ira.weiny@intel.com).
 *
 * A lease lives on an open file description. A conflicting open or truncate
 * breaks it: the breaker blocks, the holder gets SIGIO, and after
 * lease-break-time the kernel removes the lease and lets the breaker go.
 */
import { block, type Ctx, emit } from "../ctx.js";
import { EACCES, EAGAIN, EBADF, EDEADLK, EINVAL, ETXTBSY } from "../errno.js";
import {
  LEASE_NONE,
  LEASE_RD,
  LEASE_WR,
  LF_BREAKING,
  LF_LAYOUT,
  LF_SEQ_SHIFT,
  LF_UNBREAK,
  type Model,
  OFD_LEASE,
  OFD_LFLAGS,
  OFD_MAPPED,
  OFD_OPEN,
  OFD_SIG,
  ofd,
  type State,
} from "../layout.js";
import { sendLeaseSignal } from "../proc/deliver.js";
import { SIGIO } from "../proc/signum.js";
import type { LeaseVariant } from "../spec.js";

/** The layout-lease patches in force (meaningful only when the policy has layout leases). */
export function leaseVariant(m: Model): LeaseVariant {
  return m.policy.layoutLeaseVariant?.(m) ?? "sep2019";
}

/** An open file: an fd refers to it, or a mapping keeps its struct file alive after close(2). */
export function fileAlive(s: State, m: Model, o: number): boolean {
  const st = s[ofd(m, o) + OFD_OPEN];
  return st === 1 || st === OFD_MAPPED;
}

/**
 * fcntl(fd, F_SETLEASE, type [| F_LAYOUT [| F_UNBREAK]]), in the kernel's order:
 * do_fcntl() looks up the fd first (EBADF); do_fcntl_add_lease() → lease_alloc()
 * → assign_type() refuses a type it does not know (EINVAL: F_LAYOUT without the
 * RFC, F_UNBREAK in RFC v1, which has no such flag); then vfs_setlease(): owner
 * or CAP_LEASE (EACCES), regular files only (EINVAL) (fs/locks.c, fs/fcntl.c).
 * Under RFC v2 the `unbreak` flag is that version's "exclusive" flag (patch 02).
 */
export function setlease(ctx: Ctx, p: number, o: number, type: number, flags: number): number {
  const { m, s } = ctx;
  const oo = ofd(m, o);
  if (s[oo + OFD_OPEN] !== 1) return -EBADF;
  if (flags !== 0 && !m.policy.layoutLeases) return -EINVAL; // no such lease flag in this kernel
  if ((flags & LF_UNBREAK) !== 0 && leaseVariant(m) === "v1") return -EINVAL;
  const info = m.ofds[o]!;
  const inode = m.inodes[info.inode]!;
  const user = m.users[m.procs[p]!.user]!;
  if (inode.owner !== m.procs[p]!.user && !user.capLease) return -EACCES;
  // generic_setlease(): not S_ISREG → EINVAL (a VM_PFNMAP device file, device-DAX)
  if (inode.pfnmap || inode.backing === "devdax") return -EINVAL;
  if (type === LEASE_NONE) {
    // generic_delete_lease(): -EAGAIN when this file holds no lease
    if (s[oo + OFD_LEASE] === LEASE_NONE) return -EAGAIN;
    releaseLease(ctx, o, false);
    return 0;
  }
  const layout = (flags & LF_LAYOUT) !== 0;
  if (!layout) {
    // check_conflicting_open(): layout leases skip it; a file kept alive by a mapping still counts
    for (let q = 0; q < m.ofds.length; q++) {
      if (q === o || m.ofds[q]!.inode !== info.inode || !fileAlive(s, m, q)) continue;
      if (type === LEASE_WR || m.ofds[q]!.write) return -EAGAIN;
    }
    if (type === LEASE_RD && info.write) return -EAGAIN;
  }
  // generic_add_lease(): a conflicting lease held on another file, or one being broken
  let seq = 0;
  for (let q = 0; q < m.ofds.length; q++) {
    if (q === o || m.ofds[q]!.inode !== info.inode) continue;
    const qo = ofd(m, q);
    const t = s[qo + OFD_LEASE]!;
    if (t === LEASE_NONE) continue;
    seq = Math.max(seq, s[qo + OFD_LFLAGS]! >> LF_SEQ_SHIFT);
    const qLayout = (s[qo + OFD_LFLAGS]! & LF_LAYOUT) !== 0;
    if (qLayout !== layout) continue; // layout leases conflict only with layout leases
    if ((s[qo + OFD_LFLAGS]! & LF_BREAKING) !== 0) return -EAGAIN;
    if (type === LEASE_WR || t === LEASE_WR) return -EAGAIN;
  }
  // lease_modify() keeps an existing lease's place in the list; a new one goes last (list_add_tail)
  const had = s[oo + OFD_LEASE] !== LEASE_NONE;
  const place = had ? s[oo + OFD_LFLAGS]! >> LF_SEQ_SHIFT : seq + 1;
  s[oo + OFD_LEASE] = type;
  s[oo + OFD_LFLAGS] = flags | (place << LF_SEQ_SHIFT);
  return 0;
}

/** Removes the lease on open file description o (F_UNLCK, close, or lease-break-time expiry). */
export function releaseLease(ctx: Ctx, o: number, forced: boolean): void {
  const { m, s } = ctx;
  const oo = ofd(m, o);
  if (s[oo + OFD_LEASE] === LEASE_NONE) return;
  s[oo + OFD_LEASE] = LEASE_NONE;
  s[oo + OFD_LFLAGS] = 0;
  emit(ctx, { k: "lease-removed", holder: m.ofds[o]!.proc, inode: m.ofds[o]!.inode, forced });
}

/**
 * Starts breaking lease o: lease_break_callback() → kill_fasync() → send_sigio()
 * sends the file's F_SETSIG signal (SIGIO when none) to the process that set
 * the lease. `by` is the process whose open or layout change breaks it (-1: the kernel).
 */
function startBreak(ctx: Ctx, o: number, what: string, by: number): void {
  const { m, s } = ctx;
  const oo = ofd(m, o);
  if ((s[oo + OFD_LFLAGS]! & LF_BREAKING) !== 0) return;
  s[oo + OFD_LFLAGS]! |= LF_BREAKING;
  const holder = m.ofds[o]!.proc;
  const inode = m.ofds[o]!.inode;
  emit(ctx, { k: "lease-break", holder, inode, what, by });
  sendLeaseSignal(ctx, holder, s[oo + OFD_SIG]! || SIGIO, by !== holder && by >= 0, inode);
}

/**
 * break_lease(inode, mode) for an open or a truncate by process `by`: plain
 * (non-layout) leases conflicting with the access are broken and the caller
 * blocks (interruptibly: __break_lease() sleeps in wait_event_interruptible_timeout)
 * until they are gone. Returns 0 or BLOCK.
 */
export function breakLease(ctx: Ctx, inode: number, write: boolean, by: number): number {
  const { m, s } = ctx;
  const holders: number[] = [];
  for (let q = 0; q < m.ofds.length; q++) {
    if (m.ofds[q]!.inode !== inode) continue;
    const qo = ofd(m, q);
    const t = s[qo + OFD_LEASE]!;
    if (t === LEASE_NONE || (s[qo + OFD_LFLAGS]! & LF_LAYOUT) !== 0) continue;
    if (!write && t === LEASE_RD) continue; // a reader only breaks write leases
    startBreak(ctx, q, write ? "write access" : "read access", by);
    holders.push(m.ofds[q]!.proc);
  }
  return holders.length === 0 ? 0 : block(ctx, "lease break (break_lease)", holders);
}

/** The layout leases on inode, in the order of the inode's lease list. */
function layoutLeasesOf(m: Model, s: State, inode: number): number[] {
  const out: number[] = [];
  for (let q = 0; q < m.ofds.length; q++) {
    if (m.ofds[q]!.inode !== inode) continue;
    const qo = ofd(m, q);
    if (s[qo + OFD_LEASE] === LEASE_NONE || (s[qo + OFD_LFLAGS]! & LF_LAYOUT) === 0) continue;
    out.push(q);
  }
  const seq = (q: number) => s[ofd(m, q) + OFD_LFLAGS]! >> LF_SEQ_SHIFT;
  return out.sort((a, b) => seq(a) - seq(b));
}

/**
 * break_layout(inode, true) before a layout change by process `caller`, as
 * each version of the RFC has it. The breaker is an F_WRLCK|FL_LAYOUT request,
 * so every layout lease conflicts, and mainline leases_conflict() has no
 * owner test: the caller's own breakable lease is broken too (fs/locks.c).
 * - v1: no unbreakable flag; every layout lease is broken and the caller waits.
 * - v2 (patch 02, https://patchwork.kernel.org/patch/11087907/): __break_lease()
 *   walks the lease list; the first exclusive lease it meets ends the walk with
 *   ETXTBSY, or EDEADLOCK when its holder is the caller (same fl_pid). Leases
 *   before it in the list have already been sent their break.
 * - sep2019: a write layout lease of the caller does not conflict ("operations
 *   which change the layout are allowed by the process which holds the lease");
 *   any other F_UNBREAK lease makes "any user attempting to break the lease"
 *   fail with ETXTBSY "rather than follow the normal breaking procedure", so
 *   no break is started; breakable leases are broken and the caller waits.
 * Returns 0, -errno, or BLOCK (an interruptible wait).
 */
export function breakLayoutLeases(ctx: Ctx, inode: number, caller: number): number {
  const { m, s } = ctx;
  const variant = leaseVariant(m);
  const leases = layoutLeasesOf(m, s, inode).filter(
    (q) =>
      !(
        variant === "sep2019" &&
        m.ofds[q]!.proc === caller &&
        s[ofd(m, q) + OFD_LEASE] === LEASE_WR
      ),
  );
  const unbreakable = (q: number) => (s[ofd(m, q) + OFD_LFLAGS]! & LF_UNBREAK) !== 0;
  if (variant === "sep2019") {
    const holders = [...new Set(leases.filter(unbreakable).map((q) => m.ofds[q]!.proc))];
    if (holders.length > 0) {
      ctx.blockers = holders;
      return -ETXTBSY;
    }
  }
  const breaking: number[] = [];
  for (const q of leases) {
    if (unbreakable(q)) {
      // v2 patch 02: the walk stops at the first exclusive lease
      const holder = m.ofds[q]!.proc;
      if (holder === caller) return -EDEADLK;
      ctx.blockers = [holder];
      return -ETXTBSY;
    }
    startBreak(ctx, q, "layout change", caller);
    breaking.push(q);
  }
  if (breaking.length === 0) return 0;
  return block(ctx, "layout lease break (break_layout)", [
    ...new Set(breaking.map((q) => m.ofds[q]!.proc)),
  ]);
}

/**
 * Whether a long-term pin by process p of inode passes the RFC's lease test
 * (follow_page_pte(), after check_vma_flags() and after the fault):
 * - v1 (patch 04, https://lore.kernel.org/r/20190606014544.8339-5-ira.weiny@intel.com):
 *   any F_LAYOUT lease on the file, whoever holds it, not being broken;
 * - v2: an exclusive layout lease of the caller's own, not being broken;
 * - sep2019: an F_UNBREAK layout lease of the caller's own ("in order to
 *   support pinning of file pages ... an unbreakable flag").
 */
export function pinLeaseHeld(m: Model, s: State, p: number, inode: number): boolean {
  const variant = leaseVariant(m);
  for (const q of layoutLeasesOf(m, s, inode)) {
    const fl = s[ofd(m, q) + OFD_LFLAGS]!;
    if ((fl & LF_BREAKING) !== 0) continue;
    if (variant === "v1") return true;
    if (m.ofds[q]!.proc === p && (fl & LF_UNBREAK) !== 0) return true;
  }
  return false;
}

/** Whether process p holds an F_LAYOUT lease on inode (through any of its open files). */
export function holdsLayoutLease(m: Model, s: State, p: number, inode: number): boolean {
  for (let q = 0; q < m.ofds.length; q++) {
    const info = m.ofds[q]!;
    if (info.proc !== p || info.inode !== inode) continue;
    const qo = ofd(m, q);
    if (s[qo + OFD_LEASE] !== LEASE_NONE && (s[qo + OFD_LFLAGS]! & LF_LAYOUT) !== 0) return true;
  }
  return false;
}

/** The lease-break timer of lease o fired: time_out_leases() removes it (fs/locks.c lease_break_time). */
export function leaseTimeout(ctx: Ctx, o: number): void {
  const { m } = ctx;
  emit(ctx, { k: "timer", holder: m.ofds[o]!.proc, inode: m.ofds[o]!.inode });
  releaseLease(ctx, o, true);
}
