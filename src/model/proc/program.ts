/**
 * A local process runs its program one system call per step. A call either
 * returns (success or -errno, both domain data), or blocks: the process stays
 * in the call and retries it when the engine schedules it again, like a
 * kernel wait loop re-checking its condition.
 */

import {
  sealedSharedMap,
  sealRefuses,
  sysAddSeals,
  sysMemfdCreate,
  sysMmapAnon,
} from "../backing.js";
import { BLOCK, type Ctx, emit, NO_BLOCKERS } from "../ctx.js";
import { EACCES, EBADF, EINTR, EINVAL, EPERM, ESRCH } from "../errno.js";
import { freshSlots, recordResult, recordSkip, settle } from "../flow.js";
import { sysChmod, sysChown } from "../fs/attr.js";
import { sysFssetxattr } from "../fs/dax-flag.js";
import {
  fallocateRetry,
  resizeRetry,
  swapBusy,
  sysDedupe,
  sysFallocate,
  sysFsync,
  sysFtruncate,
  sysOpen,
  sysRead,
  sysReflink,
  sysTruncate,
  sysUnplug,
  sysWrite,
} from "../fs/file-ops.js";
import { evict, releaseEvicts, sysUnlink } from "../fs/unlink.js";
import { fixedIo, ringRegister, ringUnregister } from "../iouring/ring.js";
import {
  alive,
  type CProcOp,
  INO_SWAP,
  ino,
  type Model,
  MR_DEREG,
  MR_NONE,
  mr as mrOff,
  OFD_MAPPED,
  OFD_OPEN,
  OFD_SIG,
  ofd,
  P_PC,
  P_SIG,
  P_STATUS,
  PS_BLOCKED,
  PS_EXITED,
  PS_KILLED,
  PS_RUN,
  PS_UNBORN,
  peer as peerOff,
  proc,
  R_MBOX,
  SIGF_FATAL_ESCALATION,
  SIGF_FATAL_KILL,
  SIGF_SIG_SHIFT,
  SIGF_UNINTERRUPTIBLE,
  type State,
  vmaFlags,
  vma as vmaOff,
} from "../layout.js";
import { releaseLease, setlease } from "../locks/lease.js";
import { sysDio } from "../mm/dio.js";
import { cpuStore, fault } from "../mm/fault.js";
import { frameContent } from "../mm/frames.js";
import { pinLongterm, unpinLongterm } from "../mm/gup-test.js";
import { sysPipeRead, sysVmsplice } from "../mm/splice.js";
import {
  protectionFault,
  sysDontneed,
  sysMprotect,
  sysMremap,
  sysMremapInPlace,
} from "../mm/vma-ops.js";
import { hcaReset } from "../rdma/hca.js";
import { deregMr, regMr } from "../rdma/mr.js";
import { peerDone } from "../rdma/nic.js";
import { cowOdpWait, odpUnmapWait } from "../rdma/odp.js";
import { liveMr, reregMr, reregRetry } from "../rdma/rereg.js";
import { sendUverbs } from "../rdma/uverbs.js";
import { vfioDma, vfioMap, vfioUnmap } from "../vfio/dma.js";
import { sendKill } from "./deliver.js";
import { teardown, unmapVma } from "./exit.js";
import { fileHeldElsewhere, sysFork, sysMadvise } from "./fork.js";
import { memoryFailure, poisonedAt, unbindKillMappers } from "./memory-failure.js";
import { signalName } from "./signum.js";

/** The call killed its own process (SIGBUS/SIGSEGV): nothing returns. */
const DIED = -0x40000001;

/** The name of an input variable whose producing operation never succeeded, if any. */
function missingInput(ctx: Ctx, op: CProcOp): string | undefined {
  const { m, s } = ctx;
  const spec = op.spec;
  switch (spec.op) {
    case "close":
    case "add_seals":
    case "setsig":
    case "read":
    case "write":
    case "setlease":
    case "ftruncate":
    case "fallocate":
    case "fsync":
    case "fssetxattr":
      return fdMissing(m, s, op.a) ? spec.fd : undefined;
    case "mmap":
      return fdMissing(m, s, op.b) ? spec.fd : undefined;
    case "munmap":
    case "store":
    case "load":
    case "madvise":
    case "mprotect":
      return vaMissing(m, s, op.a) ? spec.va : undefined;
    case "mremap":
      return vaMissing(m, s, op.b) ? spec.va : undefined;
    case "rereg_mr":
      return mrMissing(m, s, liveMr(m, s, op.b)) ? spec.mr : undefined;
    case "reg_mr":
    case "pin_longterm":
      return vaMissing(m, s, op.b) ? spec.va : undefined;
    case "unpin_longterm":
      return mrMissing(m, s, op.a) ? spec.pin : undefined;
    case "io_uring_register":
      return vaMissing(m, s, op.b) ? spec.va : undefined;
    case "dio_read":
    case "dio_write":
    case "vmsplice":
      return vaMissing(m, s, op.b) ? spec.va : undefined;
    case "io_uring_unregister":
    case "read_fixed":
    case "write_fixed":
      return mrMissing(m, s, op.a) ? spec.buf : undefined;
    case "vfio_map_dma":
      return vaMissing(m, s, op.b) ? spec.va : undefined;
    case "vfio_unmap_dma":
    case "vfio_dma_write":
    case "vfio_dma_read":
      return mrMissing(m, s, op.a) ? spec.dma : undefined;
    case "dereg_mr":
      return mrMissing(m, s, liveMr(m, s, op.a)) ? spec.mr : undefined;
    case "reflink":
    case "dedupe":
      return fdMissing(m, s, op.a) ? spec.src : fdMissing(m, s, op.b) ? spec.dst : undefined;
    case "send":
      // The application knows when its own handler deregistered the MR: it sends nothing.
      return s[mrOff(m, liveMr(m, s, op.b))] === MR_DEREG ? `${spec.mr} (deregistered)` : undefined;
    default:
      return undefined;
  }
}

// missingInput's tests, as functions rather than closures made on every step.
function fdMissing(m: Model, s: State, o: number): boolean {
  return s[ofd(m, o) + OFD_OPEN] === 0;
}
function vaMissing(m: Model, s: State, v: number): boolean {
  return s[vmaOff(m, v)] === 0;
}
function mrMissing(m: Model, s: State, x: number): boolean {
  return s[mrOff(m, x)] === MR_NONE;
}

/** Executes operation `op` of process p. Returns ≥ 0, -errno, BLOCK, or DIED. */
function syscall(ctx: Ctx, p: number, op: CProcOp): number {
  const { m, s } = ctx;
  switch (op.spec.op) {
    case "open":
      return sysOpen(ctx, p, op.c, op.b, op.d === 1);
    case "close": {
      const oo = ofd(m, op.a);
      if (s[oo + OFD_OPEN] !== 1) return -EBADF;
      // close(2) drops the fd's reference; a mapping still holds the struct file
      // (vma->vm_file), and the lease ends only at the last fput (locks_remove_file).
      // A child that inherited the descriptor (fork) holds the struct file too.
      if (mappedFile(ctx, op.a) || fileHeldElsewhere(m, s, op.a)) {
        s[oo + OFD_OPEN] = OFD_MAPPED;
        return 0;
      }
      // __fput(): locks_remove_file() first, then the dentry and inode go; the
      // last reference to an unlinked inode evicts it here (fs/unlink.ts).
      releaseLease(ctx, op.a, false);
      if (releaseEvicts(m, s, op.a) && evict(ctx, p, m.ofds[op.a]!.inode) === BLOCK) return BLOCK;
      s[oo + OFD_OPEN] = 2;
      return 0;
    }
    case "setsig": {
      // fcntl(F_SETSIG): f_setown's signal for this open file description (fs/fcntl.c)
      const oo = ofd(m, op.a);
      if (s[oo + OFD_OPEN] !== 1) return -EBADF;
      s[oo + OFD_SIG] = op.b;
      return 0;
    }
    case "mmap": {
      const oo = ofd(m, op.b);
      if (s[oo + OFD_OPEN] !== 1) return -EBADF;
      const info = m.ofds[op.b]!;
      const vi = m.vmas[op.c]!;
      // do_mmap(): a mapping needs a readable file; MAP_SHARED|PROT_WRITE needs FMODE_WRITE.
      if (!info.read || (vi.shared && vi.writable && !info.write)) return -EACCES;
      // ->mmap: device-DAX refuses a private mapping (drivers/dax/device.c check_vma(): EINVAL);
      // a write seal refuses a shared writable one (memfd_check_seals_mmap(): EPERM).
      if (!vi.shared && m.inodes[vi.inode]!.backing === "devdax") return -EINVAL;
      if (vi.shared && vi.writable) {
        const sealed = sealRefuses(ctx, vi.inode, "mmap-write", 0);
        if (sealed < 0) return sealed;
      }
      const flags = sealedSharedMap(ctx, op.c);
      if (flags < 0) return flags;
      // ... then an active swapfile → ETXTBSY (do_mmap, "vfs: don't allow writes to swap
      // files", v5.4): a file made swapfile-like by its pins gets no new writable mapping.
      if (vi.shared && vi.writable && s[ino(m, vi.inode) + INO_SWAP]! > 0)
        return swapBusy(ctx, vi.inode);
      s[vmaOff(m, op.c)] = 1;
      s[vmaFlags(m, op.c)] = flags; // a new mapping: no mprotect or madvise of an earlier one
      return op.c;
    }
    case "mmap_anon":
      return sysMmapAnon(ctx, op.a);
    case "memfd_create":
      return sysMemfdCreate(ctx, op.a, op.b, op.c === 1);
    case "add_seals":
      return sysAddSeals(ctx, p, op.a, op.b);
    case "pin_longterm":
      return pinLongterm(ctx, op.a);
    case "unpin_longterm":
      return unpinLongterm(ctx, op.a);
    case "munmap": {
      if (s[vmaOff(m, op.a)] !== 1) return 0; // munmap of an unmapped range succeeds
      // The MMU notifier waits out an in-flight ODP access before the pages go (rdma/odp.ts).
      const owner = odpUnmapWait(ctx, p, op.a);
      if (owner >= 0) {
        ctx.why = "MMU notifier waits for in-flight ODP access";
        ctx.blockers = [owner];
        return BLOCK;
      }
      // The last munmap of a closed file is its last fput: an unlinked inode is evicted first.
      const o = m.vmas[op.a]!.ofd;
      if (
        s[ofd(m, o) + OFD_OPEN] === OFD_MAPPED &&
        onlyMapping(ctx, op.a) &&
        releaseEvicts(m, s, o)
      )
        if (evict(ctx, p, m.vmas[op.a]!.inode) === BLOCK) return BLOCK;
      unmapVma(ctx, op.a);
      return 0;
    }
    case "store": {
      // wp_page_copy()'s notifier waits out an ODP access to the page first (rdma/odp.ts)
      if (cowOdpWait(ctx, p, op.a, op.b) === BLOCK) return BLOCK;
      const r = cpuStore(ctx, op.a, op.b);
      return r < 0 ? signalDeath(ctx, p, op.a, op.b, true) : 0;
    }
    case "load": {
      const f = fault(ctx, op.a, op.b, false);
      if (f < 0) return signalDeath(ctx, p, op.a, op.b, false);
      const vi = m.vmas[op.a]!;
      emit(ctx, {
        k: "read",
        proc: p,
        inode: vi.inode,
        page: vi.first + op.b,
        content: frameContent(m, s, f),
      });
      return 0;
    }
    case "read":
      return sysRead(ctx, p, op.a, op.b);
    case "write":
      return sysWrite(ctx, p, op.a, op.b);
    case "reg_mr":
      return regMr(ctx, op.c);
    case "dereg_mr":
      return deregMr(ctx, liveMr(m, s, op.a));
    case "io_uring_register":
      return ringRegister(ctx, p, op.c);
    case "io_uring_unregister":
      return ringUnregister(ctx, op.a);
    case "read_fixed":
    case "write_fixed":
      return fixedIo(ctx, op.a, op.b, op.spec.op === "read_fixed");
    case "dio_read":
    case "dio_write":
      return sysDio(ctx, p, op.a);
    case "vmsplice":
      return sysVmsplice(ctx, p, op.a);
    case "pipe_read":
      return sysPipeRead(ctx, p);
    case "vfio_map_dma":
      return vfioMap(ctx, p, op.c);
    case "vfio_unmap_dma":
      return vfioUnmap(ctx, op.a);
    case "vfio_dma_write":
    case "vfio_dma_read":
      return vfioDma(ctx, op.a, op.b, op.spec.op === "vfio_dma_write");
    case "send": {
      // The rkey travels over the application's own connection; a failed registration sends none.
      const box = m.mboxOff[op.a]!;
      const n = s[box]!;
      const cap = m.mboxCap[op.a]!;
      // A ring full of messages the peer has not received: the socket buffer is full, send waits.
      if (n - s[peerOff(m, op.a) + R_MBOX]! >= cap) {
        ctx.why = `waiting for ${m.peers[op.a]!.name} to receive the previous messages`;
        ctx.blockers = NO_BLOCKERS;
        return BLOCK;
      }
      // a failed rereg_mr left the MR before it in place (rdma/rereg.ts liveMr)
      const x = liveMr(m, s, op.b);
      s[box + 1 + (n % cap)] = s[mrOff(m, x)] === MR_NONE ? -1 : x + 1;
      s[box] = n + 1;
      return 0;
    }
    case "setlease":
      return setlease(ctx, p, op.a, op.b, op.c);
    case "truncate":
      return sysTruncate(ctx, p, op.a, op.b);
    case "ftruncate":
      return sysFtruncate(ctx, p, op.a, op.b);
    case "fallocate":
      return sysFallocate(ctx, p, op.a, op.b, op.c, op.d);
    case "reflink":
      return sysReflink(ctx, p, op.a, op.b);
    case "dedupe":
      return sysDedupe(ctx, p, op.a, op.b, op.c, op.d);
    case "chmod":
      return sysChmod(ctx, p, op.a, op.b);
    case "chown":
      return sysChown(ctx, p, op.a, op.b);
    case "fssetxattr":
      return sysFssetxattr(ctx, p, op.a, op.b === 1);
    case "fsync":
      return sysFsync(ctx, op.a);
    case "unplug":
      if (unbindKillMappers(ctx, p)) return DIED;
      return sysUnplug(ctx, p);
    case "memory_failure": {
      const r = memoryFailure(ctx, p, op.a, op.b, op.c === 1);
      return r === -1 ? DIED : r;
    }
    case "hca_reset":
      return hcaReset(ctx);
    case "await":
      if (peerDone(m, s, op.a)) return 0;
      ctx.why = `waiting for ${m.peers[op.a]!.name} to report completion`;
      ctx.blockers = NO_BLOCKERS;
      return BLOCK;
    case "kill": {
      const t = op.a;
      if (!alive(s, m, t)) return -ESRCH;
      // kill_ok_by_cred(): same uid (CAP_KILL is not modelled)
      if (m.procs[t]!.user !== m.procs[p]!.user) return -EPERM;
      const died = sendKill(ctx, t, op.b);
      return t === p && died ? DIED : 0;
    }
    case "send_uverbs":
      return sendUverbs(ctx, p, op.a);
    case "exit":
      teardown(ctx, p, PS_EXITED, "exit", "program");
      return DIED;
    case "fork":
      return sysFork(ctx, p, op.a);
    case "madvise":
      // MADVICE codes (compile.ts): 0 MADV_DOFORK, 1 MADV_DONTFORK, 2 MADV_DONTNEED
      return op.b === 2 ? sysDontneed(ctx, p, op.a) : sysMadvise(ctx, op.a, op.b === 1);
    case "mprotect":
      return sysMprotect(ctx, p, op.a, op.b === 0 ? "r" : op.b === 1 ? "rw" : "none");
    case "mremap":
      // op.c: 0 move, 1 move with MREMAP_DONTUNMAP, 2 no move (compile.ts)
      return op.c === 2 ? sysMremapInPlace(ctx, op.a) : sysMremap(ctx, p, op.b, op.a, op.c === 1);
    case "rereg_mr":
      return reregMr(ctx, op.a);
    case "unlink":
      return sysUnlink(ctx, p, op.a);
    case "jump":
      throw new Error("pinlab bug: a jump is taken by settle(), never run as a call");
    case "wait_for": {
      // The application's own synchronisation (a pipe, an eventfd): it returns when the
      // other process has finished the labelled operation, or is gone (EOF).
      const t = op.a;
      const st = s[proc(m, t) + P_STATUS]!;
      if (st !== PS_UNBORN && (!alive(s, m, t) || s[proc(m, t) + P_PC]! > op.b)) return 0;
      const label = m.procs[t]!.prog[op.b]!.spec.label ?? "";
      ctx.why = `waiting for ${m.procs[t]!.name}.${label}`;
      ctx.blockers = [t];
      return BLOCK;
    }
  }
}

/**
 * Whether retrying the call that blocked process p changes the state, decided
 * without running it: for the calls whose wait is the application's own and
 * whose check is pure (`await`, `wait_for`, `send` to a full mailbox), for
 * rereg_mr waiting on its fence (rdma/rereg.ts reregRetry), and for
 * truncate and ftruncate, blocked on a lease break or on pinned pages (the
 * policy's answer is asked as the retry would ask it: fs/file-ops.ts
 * resizeRetry). undefined: no predicate for this call or this state (layout
 * leases, ODP, the other layout changes), and the caller retries it on a copy
 * (step.ts).
 *
 * Each predicate follows procStep and syscall exactly: a missing input skips
 * the call (the program counter moves); a call that returns moves it too; a
 * call that blocks again changes only the uninterruptible flag, which procStep
 * sets for a TASK_UNINTERRUPTIBLE wait (rereg_mr's) and clears for the others. A contract test
 * (retry.test.ts) holds each to the speculative retry on every reachable state
 * of every bundled scenario and of fuzzed ones.
 */
export function retryPredicate(m: Model, s: State, p: number): boolean | undefined {
  const po = proc(m, p);
  const op = m.procs[p]!.prog[s[po + P_PC]!]!;
  const uninterruptible = (s[po + P_SIG]! & SIGF_UNINTERRUPTIBLE) !== 0;
  switch (op.spec.op) {
    case "await":
      // syscall: `peerDone` returns 0; otherwise BLOCK
      return peerDone(m, s, op.a) || uninterruptible;
    case "wait_for": {
      const t = op.a;
      const st = s[proc(m, t) + P_STATUS]!;
      if (st !== PS_UNBORN && (!alive(s, m, t) || s[proc(m, t) + P_PC]! > op.b)) return true;
      return uninterruptible;
    }
    case "send": {
      // missingInput: a deregistered MR is skipped
      if (s[mrOff(m, op.b)] === MR_DEREG) return true;
      const full = s[m.mboxOff[op.a]!]! - s[peerOff(m, op.a) + R_MBOX]! >= m.mboxCap[op.a]!;
      return !full || uninterruptible;
    }
    case "rereg_mr":
      // missingInput: an MR never registered is skipped
      if (s[mrOff(m, liveMr(m, s, op.b))] === MR_NONE) return true;
      return reregRetry(m, s, op.a, uninterruptible);
    case "fallocate":
      // missingInput: a descriptor never opened is skipped
      if (s[ofd(m, op.a) + OFD_OPEN] === 0) return true;
      return fallocateRetry(m, s, p, op, uninterruptible);
    case "truncate":
      return resizeRetry(m, s, p, false, op.a, op.b, uninterruptible);
    case "ftruncate":
      // missingInput: a descriptor never opened is skipped
      if (s[ofd(m, op.a) + OFD_OPEN] === 0) return true;
      return resizeRetry(m, s, p, true, op.a, op.b, uninterruptible);
    default:
      return undefined;
  }
}

/** Whether VMA v is the last live mapping of its open file description. */
function onlyMapping(ctx: Ctx, v: number): boolean {
  const { m, s } = ctx;
  const o = m.vmas[v]!.ofd;
  for (let w = 0; w < m.vmas.length; w++)
    if (w !== v && m.vmas[w]!.ofd === o && s[vmaOff(m, w)] === 1) return false;
  return true;
}

/** Whether a mapping of open file description o is still in place. */
function mappedFile(ctx: Ctx, o: number): boolean {
  const { m, s } = ctx;
  for (let v = 0; v < m.vmas.length; v++)
    if (m.vmas[v]!.ofd === o && s[vmaOff(m, v)] === 1) return true;
  return false;
}

/**
 * A handled signal meets process p blocked in an interruptible wait
 * (___wait_var_event(TASK_INTERRUPTIBLE) in the layout break,
 * wait_event_interruptible_timeout() in __break_lease): the call returns
 * -ERESTARTSYS, which reaches the program as EINTR (no SA_RESTART).
 * `await` is the application's own loop, which goes back to waiting.
 */
export function interruptCall(ctx: Ctx, p: number): void {
  const { m, s } = ctx;
  const po = proc(m, p);
  if (s[po + P_STATUS] !== PS_BLOCKED) return;
  const pc = s[po + P_PC]!;
  if (m.procs[p]!.prog[pc]!.spec.op === "await") return;
  s[po + P_SIG]! &= ~SIGF_UNINTERRUPTIBLE;
  emit(ctx, { k: "resume", proc: p, pc });
  emit(ctx, { k: "ret", proc: p, pc, result: -EINTR, note: "interrupted by a signal" });
  recordResult(m, s, p, pc, -EINTR);
  advance(ctx, p);
}

/**
 * A faulting access the kernel answers with a signal whose default action
 * kills: SIGSEGV without a mapping or permission, SIGBUS past EOF.
 */
function signalDeath(ctx: Ctx, p: number, v: number, k: number, write: boolean): number {
  const { m, s } = ctx;
  const segv = s[vmaOff(m, v)] !== 1 || protectionFault(ctx, v, write);
  // A fault on poisoned memory: VM_FAULT_HWPOISON (a hwpoison entry, or on fs-DAX
  // dax_direct_access() → -EHWPOISON → vmf_error()) → do_sigbus(): BUS_MCEERR_AR.
  if (!segv && poisonedAt(m, s, v, k)) {
    teardown(ctx, p, PS_KILLED, "killed", "hwpoison", "SIGBUS");
    return DIED;
  }
  teardown(ctx, p, PS_KILLED, "killed", "signal", segv ? "SIGSEGV" : "SIGBUS");
  return DIED;
}

/** One step of process p: its next call, or a retry of the call it is blocked in. */
export function procStep(ctx: Ctx, p: number): void {
  const { m, s } = ctx;
  const po = proc(m, p);
  const pc = s[po + P_PC]!;
  const info = m.procs[p]!;
  const op = info.prog[pc]!;
  const wasBlocked = s[po + P_STATUS] === PS_BLOCKED;
  const missing =
    missingInput(ctx, op) ??
    (!wasBlocked && op.spec.copyOf !== undefined ? freshSlots(ctx, p, pc) : undefined);
  if (missing !== undefined) {
    emit(ctx, { k: "skip", proc: p, pc, missing });
    recordSkip(m, s, p, pc);
    advance(ctx, p);
    return;
  }
  ctx.blockers = NO_BLOCKERS;
  ctx.uninterruptible = false;
  const r = syscall(ctx, p, op);
  if (r === DIED) {
    s[po + P_PC] = pc + 1;
    return;
  }
  if (r === BLOCK) {
    s[po + P_STATUS] = PS_BLOCKED;
    if (ctx.uninterruptible) s[po + P_SIG]! |= SIGF_UNINTERRUPTIBLE;
    else s[po + P_SIG]! &= ~SIGF_UNINTERRUPTIBLE;
    emit(ctx, { k: "block", proc: p, pc, why: ctx.why, blockers: ctx.blockers });
    return;
  }
  s[po + P_SIG]! &= ~SIGF_UNINTERRUPTIBLE;
  recordResult(m, s, p, pc, r);
  if (wasBlocked) emit(ctx, { k: "resume", proc: p, pc });
  emit(
    ctx,
    ctx.blockers.length > 0
      ? { k: "ret", proc: p, pc, result: r, blockers: ctx.blockers }
      : { k: "ret", proc: p, pc, result: r },
  );
  advance(ctx, p);
  // A fatal signal that waited for an uninterruptible sleep acts on the way back to user mode.
  const pending = s[po + P_SIG]!;
  if ((pending & SIGF_FATAL_ESCALATION) !== 0 && alive(s, m, p))
    teardown(ctx, p, PS_KILLED, "killed", "escalation", "SIGKILL");
  else if ((pending & SIGF_FATAL_KILL) !== 0 && alive(s, m, p))
    teardown(ctx, p, PS_KILLED, "killed", "kill", signalName(pending >> SIGF_SIG_SHIFT));
}

function advance(ctx: Ctx, p: number): void {
  const { m, s } = ctx;
  const po = proc(m, p);
  if (s[po + P_STATUS] !== PS_RUN && s[po + P_STATUS] !== PS_BLOCKED) return; // died or hung during the call
  s[po + P_PC]! += 1;
  settle(m, s, p); // the jumps after the call (flow.ts), then PS_DONE or PS_RUN
}
