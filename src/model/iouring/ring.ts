/**
 * io_uring fixed buffers: IORING_REGISTER_BUFFERS, IORING_UNREGISTER_BUFFERS
 * and the kernel's reads and writes into them (IORING_OP_READ_FIXED /
 * IORING_OP_WRITE_FIXED). A registered buffer lives in the pin table beside
 * the RDMA MRs (MrInfo.pinner = "io_uring"): the same long-term pin, the same
 * lease and revocation machinery, but no rkey and no remote peer. The ring is
 * implicit, one per process; its buffer table holds the one buffer of each
 * registration.
 *
 * io_uring/rsrc.c io_sqe_buffers_register() checks, in this order:
 *   1. a buffer table already registered on the ring    → EBUSY
 *   2. io_sqe_buffer_register() → io_pin_pages() (io_uring/memmap.c):
 *      pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM), i.e. check_vma_flags()
 *      (gup.ts: VM_IO|VM_PFNMAP → EFAULT, fs-DAX → the policy, the v6.5
 *      writable-file-mapping rule → EFAULT); a partial pin → EFAULT
 *   3. io_buffer_account_pin() → io_account_mem() → __io_account_mem():
 *      the user's locked_vm + the pages > RLIMIT_MEMLOCK → ENOMEM, the pins
 *      dropped again. Only when the ring was created without CAP_IPC_LOCK
 *      (io_uring_create(): ctx->user is set only then). The count is per
 *      user (user->locked_vm), across all the user's rings, not per mm as
 *      RDMA's pinned_vm; there is no can_do_mlock() EPERM.
 * From v6.5 io_uring leaves the file-backed decision to GUP; before (the
 * `linux` policy's kernel=6.1), io_pin_pages() itself refused every file-backed
 * VMA but shmem and hugetlbfs with EOPNOTSUPP after the pin (KernelRules).
 */
import type { Ctx } from "../ctx.js";
import { EBUSY, EFAULT, ENOMEM, ENXIO, EOPNOTSUPP } from "../errno.js";
import { type Model, MR_DEREG, MR_INVALID, MR_VALID, mr as mrOff, type State } from "../layout.js";
import { pinMrPages, unpinMrPages } from "../mm/gup.js";
import { deviceAccess } from "../rdma/nic.js";

/** Whether pin-table slot x is an io_uring registered buffer. */
export const isRingBuffer = (m: Model, x: number): boolean => m.mrs[x]!.pinner === "io_uring";

/** A buffer table is registered on p's ring: a buffer registered and not unregistered. */
function ringHasTable(m: Model, s: State, p: number): boolean {
  for (let y = 0; y < m.mrs.length; y++) {
    const mi = m.mrs[y]!;
    if (mi.proc !== p || mi.pinner !== "io_uring") continue;
    const st = s[mrOff(m, y)]!;
    // MR_INVALID: the kernel emptied the slot (a revoke), the table itself stays.
    if (st === MR_VALID || st === MR_INVALID) return true;
  }
  return false;
}

/** user->locked_vm of user u: pages of every valid registered buffer of the user's processes. */
export function lockedVm(m: Model, s: State, u: number): number {
  let n = 0;
  for (let y = 0; y < m.mrs.length; y++) {
    const mi = m.mrs[y]!;
    if (mi.pinner !== "io_uring" || m.procs[mi.proc]!.user !== u) continue;
    if (s[mrOff(m, y)] === MR_VALID) n += mi.pages;
  }
  return n;
}

/** The buffer's VMA maps a file that is neither shmem (tmpfs, memfd, shared anonymous) nor hugetlbfs. */
function fileBackedNotShmem(m: Model, x: number): boolean {
  const b = m.inodes[m.vmas[m.mrs[x]!.vma]!.inode]!.backing;
  return b !== "anon" && b !== "tmpfs" && b !== "hugetlbfs";
}

/** IORING_REGISTER_BUFFERS of slot x by process p. Returns x, or -errno. */
export function ringRegister(ctx: Ctx, p: number, x: number): number {
  const { m, s } = ctx;
  if (ringHasTable(m, s, p)) return -EBUSY; // io_sqe_buffers_register(): ctx->buf_table.nr
  const e = pinMrPages(ctx, x); // io_pin_pages(): FOLL_WRITE | FOLL_LONGTERM
  if (e < 0) return e;
  // Before v6.5 (KernelRules.ioUringFileCheck), io_pin_pages() then refused a
  // pinned buffer in a file-backed VMA unless vma_is_shmem() or
  // is_file_hugepages(): EOPNOTSUPP, the pins dropped (54d020692b34 removed it).
  if (m.policy.kernel?.ioUringFileCheck && fileBackedNotShmem(m, x)) {
    unpinMrPages(ctx, x);
    return -EOPNOTSUPP;
  }
  const info = m.procs[p]!;
  const user = m.users[info.user]!;
  // __io_account_mem() runs after the pin; on failure the pages are unpinned (done: label).
  if (!user.capIpcLock && lockedVm(m, s, info.user) + m.mrs[x]!.pages > info.memlock) {
    unpinMrPages(ctx, x);
    return -ENOMEM;
  }
  s[mrOff(m, x)] = MR_VALID;
  return x;
}

/**
 * IORING_UNREGISTER_BUFFERS: io_sqe_buffers_unregister() → ENXIO without a
 * table; else every node is put and the pages unpinned (io_release_ubuf:
 * unpin_user_folio(), which does not dirty the pages). A slot the kernel
 * emptied (MR_INVALID) has nothing left to unpin.
 */
export function ringUnregister(ctx: Ctx, x: number): number {
  const { m, s } = ctx;
  const o = mrOff(m, x);
  if (s[o] !== MR_VALID && s[o] !== MR_INVALID) return -ENXIO;
  if (s[o] === MR_VALID) unpinMrPages(ctx, x);
  s[o] = MR_DEREG;
  s[o + 1] = 0;
  return 0;
}

/**
 * IORING_OP_READ_FIXED (`deviceWrites`: the data lands in the buffer) or
 * WRITE_FIXED, submitted and completed in one step (io_uring_enter with
 * min_complete=1). io_import_reg_buf(): no buffer node at the index → EFAULT;
 * else the I/O goes to the pinned pages (imu->bvec), wherever the process's
 * page tables point now.
 */
export function fixedIo(ctx: Ctx, x: number, k: number, deviceWrites: boolean): number {
  const { m, s } = ctx;
  const o = mrOff(m, x);
  if (s[o] !== MR_VALID) return -EFAULT;
  const f = s[o + 2 + k]! - 1;
  const vi = m.vmas[m.mrs[x]!.vma]!;
  deviceAccess(ctx, f, vi.inode, vi.first + k, deviceWrites, {
    peer: -1,
    mr: x,
    via: "io_uring",
  });
  return 0;
}

/** The buffers of p's ring whose pins a lease break is about, all io_uring: no peer to cancel with. */
export function onlyRingBuffers(m: Model, xs: readonly number[]): boolean {
  return xs.length > 0 && xs.every((x) => isRingBuffer(m, x));
}
