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
  LF_UNBREAK,
  type Model,
  OFD_LEASE,
  OFD_LFLAGS,
  OFD_OPEN,
  ofd,
  P_SIG,
  proc,
  type State,
} from "../layout.js";

/** fcntl(fd, F_SETLEASE, type [| F_LAYOUT [| F_UNBREAK]]). */
export function setlease(ctx: Ctx, p: number, o: number, type: number, flags: number): number {
  const { m, s } = ctx;
  if (flags !== 0 && !m.policy.layoutLeases) return -EINVAL; // no such lease flag in this kernel
  const oo = ofd(m, o);
  if (s[oo + OFD_OPEN] !== 1) return -EBADF;
  const info = m.ofds[o]!;
  const inode = m.inodes[info.inode]!;
  // vfs_setlease(): owner or CAP_LEASE, then regular files only (fs/locks.c)
  const user = m.users[m.procs[p]!.user]!;
  if (inode.owner !== m.procs[p]!.user && !user.capLease) return -EACCES;
  if (inode.pfnmap) return -EINVAL;
  if (type === LEASE_NONE) {
    // generic_delete_lease(): -EAGAIN when this file holds no lease
    if (s[oo + OFD_LEASE] === LEASE_NONE) return -EAGAIN;
    releaseLease(ctx, o, false);
    return 0;
  }
  const layout = (flags & LF_LAYOUT) !== 0;
  if (!layout) {
    // check_conflicting_open(): layout leases skip it
    for (let q = 0; q < m.ofds.length; q++) {
      if (q === o || m.ofds[q]!.inode !== info.inode || s[ofd(m, q) + OFD_OPEN] !== 1) continue;
      if (type === LEASE_WR || m.ofds[q]!.write) return -EAGAIN;
    }
    if (type === LEASE_RD && info.write) return -EAGAIN;
  }
  // generic_add_lease(): a conflicting lease held on another file, or one being broken
  for (let q = 0; q < m.ofds.length; q++) {
    if (q === o || m.ofds[q]!.inode !== info.inode) continue;
    const qo = ofd(m, q);
    const t = s[qo + OFD_LEASE]!;
    if (t === LEASE_NONE) continue;
    const qLayout = (s[qo + OFD_LFLAGS]! & LF_LAYOUT) !== 0;
    if (qLayout !== layout) continue; // layout leases conflict only with layout leases
    if ((s[qo + OFD_LFLAGS]! & LF_BREAKING) !== 0) return -EAGAIN;
    if (type === LEASE_WR || t === LEASE_WR) return -EAGAIN;
  }
  s[oo + OFD_LEASE] = type;
  s[oo + OFD_LFLAGS] = flags;
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

/** Starts breaking lease o: SIGIO to its holder (lease_break_callback → kill_fasync). */
function startBreak(ctx: Ctx, o: number, what: string): void {
  const { m, s } = ctx;
  const oo = ofd(m, o);
  if ((s[oo + OFD_LFLAGS]! & LF_BREAKING) !== 0) return;
  s[oo + OFD_LFLAGS]! |= LF_BREAKING;
  const holder = m.ofds[o]!.proc;
  s[proc(m, holder) + P_SIG] = 1;
  emit(ctx, { k: "lease-break", holder, inode: m.ofds[o]!.inode, what });
  emit(ctx, { k: "sigio", proc: holder, inode: m.ofds[o]!.inode });
}

/**
 * break_lease(inode, mode) for an open or a truncate: plain (non-layout) leases
 * conflicting with the access are broken and the caller blocks until they are
 * gone. Returns 0 or BLOCK.
 */
export function breakLease(ctx: Ctx, inode: number, write: boolean): number {
  const { m, s } = ctx;
  const holders: number[] = [];
  for (let q = 0; q < m.ofds.length; q++) {
    if (m.ofds[q]!.inode !== inode) continue;
    const qo = ofd(m, q);
    const t = s[qo + OFD_LEASE]!;
    if (t === LEASE_NONE || (s[qo + OFD_LFLAGS]! & LF_LAYOUT) !== 0) continue;
    if (!write && t === LEASE_RD) continue; // a reader only breaks write leases
    startBreak(ctx, q, write ? "write access" : "read access");
    holders.push(m.ofds[q]!.proc);
  }
  return holders.length === 0 ? 0 : block(ctx, "lease break (break_lease)", holders);
}

/**
 * break_layout() under the layout-lease policy, before a layout change:
 * an F_UNBREAK lease of another process → ETXTBSY; the caller's own F_UNBREAK
 * lease → EDEADLOCK (RFC v2 patch 02, https://patchwork.kernel.org/patch/11087907/);
 * other layout leases are broken (SIGIO) and the caller waits.
 * Leases held by the caller's own files do not conflict otherwise: a write
 * layout lease lets its holder change the layout (lease-semantics mail,
 * https://lore.kernel.org/r/20190923190853.GA3781@iweiny-DESK2.sc.intel.com).
 */
export function breakLayoutLeases(ctx: Ctx, inode: number, caller: number): number {
  const { m, s } = ctx;
  let own = false;
  const others: number[] = [];
  const breaking: number[] = [];
  for (let q = 0; q < m.ofds.length; q++) {
    if (m.ofds[q]!.inode !== inode) continue;
    const qo = ofd(m, q);
    if (s[qo + OFD_LEASE] === LEASE_NONE || (s[qo + OFD_LFLAGS]! & LF_LAYOUT) === 0) continue;
    const mine = m.ofds[q]!.proc === caller;
    if ((s[qo + OFD_LFLAGS]! & LF_UNBREAK) !== 0) {
      if (mine) own = true;
      else if (!others.includes(m.ofds[q]!.proc)) others.push(m.ofds[q]!.proc);
      continue;
    }
    if (mine) continue;
    breaking.push(q);
  }
  if (others.length > 0) {
    ctx.blockers = others;
    return -ETXTBSY;
  }
  if (own) return -EDEADLK;
  if (breaking.length === 0) return 0;
  for (const q of breaking) startBreak(ctx, q, "layout change");
  return block(
    ctx,
    "layout lease break (break_layout)",
    breaking.map((q) => m.ofds[q]!.proc),
  );
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
