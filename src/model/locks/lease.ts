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
import { inodeOwner } from "../fs/attr.js";
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
export function setlease(ctx: Ctx, p: number, o: number, typeArg: number, flags: number): number {
  let type = typeArg;
  const { m, s } = ctx;
  const oo = ofd(m, o);
  if (s[oo + OFD_OPEN] !== 1) return -EBADF;
  if (flags !== 0 && !m.policy.layoutLeases) return -EINVAL; // no such lease flag in this kernel
  if ((flags & LF_UNBREAK) !== 0 && leaseVariant(m) === "v1") return -EINVAL;
  const info = m.ofds[o]!;
  const inode = m.inodes[info.inode]!;
  const user = m.users[m.procs[p]!.user]!;
  // generic_setlease(): the file's owner now (chown moves it, fs/attr.ts), or CAP_LEASE
  if (inodeOwner(m, s, info.inode) !== m.procs[p]!.user && !user.capLease) return -EACCES;
  // generic_setlease(): not S_ISREG → EINVAL (a VM_PFNMAP device file, device-DAX)
  if (inode.pfnmap || inode.backing === "devdax") return -EINVAL;
  if (type === LEASE_NONE) {
    // generic_delete_lease(): -EAGAIN when this file holds no lease
    if (s[oo + OFD_LEASE] === LEASE_NONE) return -EAGAIN;
    releaseLease(ctx, o, false);
    return 0;
  }
  const layout = (flags & LF_LAYOUT) !== 0;
  const variant = leaseVariant(m);
  if (layout && variant !== "sep2019" && type === LEASE_WR) {
    // v1 patch 02 do_fcntl_add_lease(): only `arg == F_LAYOUT` becomes an F_RDLCK
    // layout lease; F_WRLCK|F_LAYOUT reaches lease_alloc() → assign_type() as an
    // unknown type (EINVAL). v2 patch 02 tests `(arg & F_LAYOUT) == F_LAYOUT` and
    // sets arg = F_RDLCK: every v2 layout lease is a read lease.
    if (variant === "v1") return -EINVAL;
    type = LEASE_RD;
  }
  if (!layout) {
    // check_conflicting_open(): layout leases skip it; a file kept alive by a mapping still counts
    for (let q = 0; q < m.ofds.length; q++) {
      if (q === o || m.ofds[q]!.inode !== info.inode || !fileAlive(s, m, q)) continue;
      if (type === LEASE_WR || m.ofds[q]!.write) return -EAGAIN;
    }
    if (type === LEASE_RD && info.write) return -EAGAIN;
  }
  if (layout && type === LEASE_WR && variant === "sep2019") {
    const e = writeLayoutBreaksReaders(ctx, p, o);
    if (e !== 0) return e;
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
  // lease_modify() only reassigns the type (assign_type()): under the patches
  // (v1, v2) the existing lease keeps its flags, so adding v2's exclusive flag
  // to a lease this file already holds does not make it exclusive. The
  // September 2019 semantics downgrade a write layout lease to an unbreakable
  // read one in place, so there the new flags replace the old.
  const kept =
    had && variant !== "sep2019"
      ? s[oo + OFD_LFLAGS]! & (LF_LAYOUT | LF_UNBREAK | LF_BREAKING)
      : flags;
  s[oo + OFD_LFLAGS] = kept | (place << LF_SEQ_SHIFT);
  return 0;
}

/**
 * F_SETLEASE F_WRLCK|F_LAYOUT under the September 2019 semantics: "Write Layout
 * leases can be used to break read layout leases to indicate that the process
 * intends to change the underlying layout", and an F_UNBREAK lease makes "any
 * user attempting to break the lease ... fail with ETXTBUSY rather than follow
 * the normal breaking procedure"
 * (https://lore.kernel.org/r/20190923190853.GA3781@iweiny-DESK2.sc.intel.com).
 * Layout leases "work the same way as normal leases wrt signals and timeouts"
 * (Ira Weiny, https://lore.kernel.org/r/20191001181659.GA5500@iweiny-DESK2.sc.intel.com).
 * Read layout leases on other files of the inode: any F_UNBREAK one → ETXTBSY
 * and no break starts; otherwise each is broken (SIGIO) and the caller waits,
 * interruptibly, until they are gone (released or removed at lease-break-time),
 * as a breaker does in __break_lease(). The mail does not say whether the fcntl
 * waits or returns; the model assumes it waits (docs/scenario-format.md). Another
 * file's write layout lease is not broken: generic_add_lease() refuses an
 * F_WRLCK while someone else holds a lease (EAGAIN, below).
 * Returns 0 (no reader left), -ETXTBSY, or BLOCK.
 */
function writeLayoutBreaksReaders(ctx: Ctx, p: number, o: number): number {
  const { m, s } = ctx;
  const inode = m.ofds[o]!.inode;
  const readers = layoutLeasesOf(m, s, inode).filter(
    (q) => q !== o && s[ofd(m, q) + OFD_LEASE] === LEASE_RD,
  );
  const unbreak = readers.filter((q) => (s[ofd(m, q) + OFD_LFLAGS]! & LF_UNBREAK) !== 0);
  if (unbreak.length > 0) {
    ctx.blockers = [...new Set(unbreak.map((q) => m.ofds[q]!.proc))];
    return -ETXTBSY;
  }
  if (readers.length === 0) return 0;
  for (const q of readers) startBreak(ctx, q, "write layout lease", p);
  return block(ctx, "layout lease break (F_SETLEASE F_WRLCK|F_LAYOUT)", [
    ...new Set(readers.map((q) => m.ofds[q]!.proc)),
  ]);
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
  let holders: number[] | null = null; // made only when a lease breaks: most calls find none
  for (let q = 0; q < m.ofds.length; q++) {
    if (!breaksPlain(m, s, q, inode, write)) continue;
    startBreak(ctx, q, write ? "write access" : "read access", by);
    if (holders === null) holders = [];
    holders.push(m.ofds[q]!.proc);
  }
  return holders === null ? 0 : block(ctx, "lease break (break_lease)", holders);
}

/** Whether `breakLease(inode, write)` breaks (or waits for) the lease on open file description q. */
function breaksPlain(m: Model, s: State, q: number, inode: number, write: boolean): boolean {
  if (m.ofds[q]!.inode !== inode) return false;
  const qo = ofd(m, q);
  const t = s[qo + OFD_LEASE]!;
  if (t === LEASE_NONE || (s[qo + OFD_LFLAGS]! & LF_LAYOUT) !== 0) return false;
  return write || t !== LEASE_RD; // a reader only breaks write leases
}

/** `breakLease` finds nothing to break and returns 0. */
export const LEASE_FREE = 0;
/** `breakLease` blocks again and changes nothing: every lease it meets is already breaking. */
export const LEASE_WAITS = 1;
/** `breakLease` starts a break (marks a lease, sends its signal). */
export const LEASE_BREAKS = 2;

/** What `breakLease(inode, write)` would do in s, decided without running it. */
export function breakLeaseOutcome(m: Model, s: State, inode: number, write: boolean): number {
  let r = LEASE_FREE;
  for (let q = 0; q < m.ofds.length; q++) {
    if (!breaksPlain(m, s, q, inode, write)) continue;
    if ((s[ofd(m, q) + OFD_LFLAGS]! & LF_BREAKING) === 0) return LEASE_BREAKS;
    r = LEASE_WAITS;
  }
  return r;
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
 * - v2 (patch 02 __break_lease(), https://lore.kernel.org/r/20190809225833.6657-3-ira.weiny@intel.com):
 *   the walk of the lease list meets an exclusive lease: the caller's own
 *   (same fl_pid) ends the walk at once with EDEADLOCK; another's sets
 *   ETXTBSY and the walk goes on ("continues with -ETXTBSY looking for a
 *   potential deadlock"), breaking every breakable lease it passes. After the
 *   walk, ETXTBSY returns without waiting for those breaks. So EDEADLOCK wins
 *   wherever the caller's exclusive lease sits; the leases listed before it
 *   have already been sent their break, those after it have not.
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
  const leases = layoutLeasesOf(m, s, inode).filter((q) => layoutBreaks(m, s, q, caller));
  const unbreakable = (q: number) => (s[ofd(m, q) + OFD_LFLAGS]! & LF_UNBREAK) !== 0;
  if (variant === "sep2019") {
    const holders = [...new Set(leases.filter(unbreakable).map((q) => m.ofds[q]!.proc))];
    if (holders.length > 0) {
      ctx.blockers = holders;
      return -ETXTBSY;
    }
  }
  const breaking: number[] = [];
  const exclusive: number[] = [];
  for (const q of leases) {
    if (unbreakable(q)) {
      // v2 patch 02: EDEADLOCK at the caller's own exclusive lease; another's: ETXTBSY, walk on
      const holder = m.ofds[q]!.proc;
      if (holder === caller) return -EDEADLK;
      exclusive.push(holder);
      continue;
    }
    startBreak(ctx, q, "layout change", caller);
    breaking.push(q);
  }
  if (exclusive.length > 0) {
    ctx.blockers = [...new Set(exclusive)];
    return -ETXTBSY;
  }
  if (breaking.length === 0) return 0;
  return block(ctx, "layout lease break (break_layout)", [
    ...new Set(breaking.map((q) => m.ofds[q]!.proc)),
  ]);
}

/**
 * Whether layout lease q conflicts with `caller`'s layout change: sep2019 lets
 * the holder of a write layout lease change the layout (breakLayoutLeases).
 */
function layoutBreaks(m: Model, s: State, q: number, caller: number): boolean {
  return !(
    leaseVariant(m) === "sep2019" &&
    m.ofds[q]!.proc === caller &&
    s[ofd(m, q) + OFD_LEASE] === LEASE_WR
  );
}

/**
 * What `breakLayoutLeases(inode, caller)` would do in s, decided without
 * running it: LEASE_FREE (returns 0), LEASE_WAITS (blocks, every lease already
 * breaking), or LEASE_BREAKS (starts a break, or fails: an unbreakable lease
 * gives ETXTBSY or EDEADLK in every variant).
 */
export function breakLayoutOutcome(m: Model, s: State, inode: number, caller: number): number {
  let r = LEASE_FREE;
  for (let q = 0; q < m.ofds.length; q++) {
    if (m.ofds[q]!.inode !== inode) continue;
    const qo = ofd(m, q);
    const fl = s[qo + OFD_LFLAGS]!;
    if (s[qo + OFD_LEASE] === LEASE_NONE || (fl & LF_LAYOUT) === 0) continue;
    if (!layoutBreaks(m, s, q, caller)) continue;
    if ((fl & LF_UNBREAK) !== 0 || (fl & LF_BREAKING) === 0) return LEASE_BREAKS;
    r = LEASE_WAITS;
  }
  return r;
}

/**
 * Whether a long-term pin by process p of inode passes the RFC's lease test
 * (follow_page_pte(), after check_vma_flags() and after the fault), each as
 * its mapping_inode_has_layout() walks the inode's lease list:
 * - v1 (patch 04, https://lore.kernel.org/r/20190606014544.8339-5-ira.weiny@intel.com):
 *   the first lease with FL_LAYOUT, whoever holds it. The test does not look
 *   at FL_UNLOCK_PENDING: a lease being broken still lets the pin through
 *   until it is released or removed at lease-break-time.
 * - v2 (patch 04, https://lore.kernel.org/r/20190809225833.6657-5-ira.weiny@intel.com;
 *   patch 14 https://lore.kernel.org/r/20190809225833.6657-15-ira.weiny@intel.com):
 *   the first lease in list order with fl_pid == current->tgid, FL_LAYOUT and
 *   FL_EXCLUSIVE; leases of other processes and the caller's breakable ones
 *   are passed over. Patch 14 attaches the pin to that lease's struct file
 *   (get_file); the model does not track which file a pin holds.
 * - sep2019: an F_UNBREAK layout lease of the caller's own ("in order to
 *   support pinning of file pages ... an unbreakable flag"); such a lease is
 *   never being broken.
 */
export function pinLeaseHeld(m: Model, s: State, p: number, inode: number): boolean {
  return pinLease(m, s, p, inode) >= 0;
}

/** The lease (open file description) a long-term pin by p finds under pinLeaseHeld()'s rules, or -1. */
export function pinLease(m: Model, s: State, p: number, inode: number): number {
  const variant = leaseVariant(m);
  for (const q of layoutLeasesOf(m, s, inode)) {
    const fl = s[ofd(m, q) + OFD_LFLAGS]!;
    if (variant === "v1") return q;
    if (m.ofds[q]!.proc === p && (fl & LF_UNBREAK) !== 0) return q;
  }
  return -1;
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
