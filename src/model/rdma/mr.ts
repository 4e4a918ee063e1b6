/**
 * RDMA memory registration (ibv_reg_mr → ib_umem_get, drivers/infiniband/core/umem.c)
 * and its end: deregistration, kernel invalidation, destruction with the process.
 */
import { type Ctx, emit } from "../ctx.js";
import { EINVAL, EIO } from "../errno.js";
import {
  INF_NONE,
  K_HCA_RESET,
  MR_DEREG,
  MR_INVALID,
  MR_VALID,
  mr as mrOff,
  peer as peerOff,
  QP_ERROR,
  QP_READY,
  R_INFL,
  R_OPMR,
  R_QP,
  R_TGT,
} from "../layout.js";
import { pinMrPages, unpinMrPages } from "../mm/gup.js";
import { canDoMlock, chargePinnedVm } from "./umem.js";

/**
 * ibv_reg_mr(): ib_check_mr_access() (remote write needs local write → EINVAL),
 * then either the ODP path (no pin: an mmu_interval_notifier over the range,
 * pages faulted on device access) or a long-term pin of every page.
 */
export function regMr(ctx: Ctx, x: number): number {
  const { m, s } = ctx;
  const mi = m.mrs[x]!;
  // A disassociated uverbs file (HCA reset, rdma/hca.ts): ib_uverbs_ioctl() fails every
  // command with EIO before the method's handler runs.
  if (s[m.offKernel + K_HCA_RESET] === 1) return -EIO;
  if (!mi.accessValid) return -EINVAL;
  if (mi.odp) {
    // ODP is never charged to pinned_vm / RLIMIT_MEMLOCK: it pins nothing. Up to
    // v5.3 it went through ib_umem_get(), whose can_do_mlock() test (EPERM)
    // comes before the IB_ACCESS_ON_DEMAND branch (umem.ts); since v5.4
    // ("RDMA/odp: Split creating a umem_odp from ib_umem_get",
    // https://lore.kernel.org/r/20190819111710.18440-7-leon@kernel.org) the
    // driver calls ib_umem_odp_get() directly, which checks no limit at all
    // (drivers/infiniband/core/umem_odp.c).
    if (m.policy.gupEra === "2019") {
      const e = canDoMlock(m, mi.proc);
      if (e < 0) return e;
    }
    s[mrOff(m, x)] = MR_VALID;
    emit(ctx, { k: "odp-register", mr: x });
    return x;
  }
  // ib_umem_get(): can_do_mlock() and RLIMIT_MEMLOCK before any page is pinned (umem.ts).
  const charge = chargePinnedVm(m, s, x);
  if (charge < 0) return charge;
  const e = pinMrPages(ctx, x);
  if (e < 0) return e;
  s[mrOff(m, x)] = MR_VALID;
  return x;
}

/** ibv_dereg_mr(): the device stops using the MR, then ib_umem_release() unpins (dirtying if writable). */
export function deregMr(ctx: Ctx, x: number): number {
  const { m, s } = ctx;
  const o = mrOff(m, x);
  // After an HCA reset the uverbs file is disassociated: ib_uverbs_ioctl() finds the
  // device gone and fails every command, DEREG_MR included, with EIO (rdma-core passes it on).
  if (s[m.offKernel + K_HCA_RESET] === 1) return -EIO;
  if (s[o] !== MR_VALID && s[o] !== MR_INVALID) return -EINVAL;
  abortInflight(ctx, x, "REM_ACCESS_ERR", "MR deregistered under an in-flight access");
  if (s[o] === MR_VALID && !m.mrs[x]!.odp) unpinMrPages(ctx, x);
  s[o] = MR_DEREG;
  s[o + 1] = 0;
  return 0;
}

/**
 * The kernel disables one MR (revoke's escalation "invalidate"): the rkey stops
 * working and the pins are dropped. Only a few drivers can (rereg_user_mr in 3 of
 * 17, Jason Gunthorpe, https://lore.kernel.org/r/20190207171736.GD22726@ziepe.ca).
 * With a fence, operations already issued through the MR are aborted before
 * the unpin; without one (IB_MR_REREG_PD "is not a fence") they stay in flight
 * and may still land in the pages just unpinned.
 */
export function invalidateMr(ctx: Ctx, x: number, fenced: boolean): void {
  const { m, s } = ctx;
  const o = mrOff(m, x);
  if (fenced) abortInflight(ctx, x, "REM_ACCESS_ERR", "MR invalidated by the kernel");
  if (s[o] === MR_VALID && !m.mrs[x]!.odp) unpinMrPages(ctx, x);
  s[o] = MR_INVALID;
  s[o + 1] = 0;
}

/** Fails a peer's in-flight operation on MR x: error completion, QP to the error state. */
export function abortInflight(
  ctx: Ctx,
  x: number,
  status: "REM_ACCESS_ERR" | "RETRY_EXC_ERR",
  why: string,
): void {
  const { m, s } = ctx;
  for (let r = 0; r < m.peers.length; r++) {
    const po = peerOff(m, r);
    if (s[po + R_INFL] !== INF_NONE && s[po + R_OPMR] === x + 1) peerFail(ctx, r, status, why);
  }
}

/**
 * An error completion on an RC QP moves it to the error state; every pending
 * work request completes with IBV_WC_WR_FLUSH_ERR and the connection must be
 * re-established (kernel-semantics §2.8).
 */
export function peerFail(
  ctx: Ctx,
  r: number,
  status: "REM_ACCESS_ERR" | "RETRY_EXC_ERR" | "WR_FLUSH_ERR" | "REM_OP_ERR",
  why: string,
): void {
  const { m, s } = ctx;
  const po = peerOff(m, r);
  s[po + R_INFL] = INF_NONE;
  s[po + R_TGT] = 0;
  s[po + R_OPMR] = 0;
  emit(ctx, { k: "rdma-error", peer: r, status, why });
  if (s[po + R_QP] === QP_READY) {
    s[po + R_QP] = QP_ERROR;
    emit(ctx, { k: "qp-error", peer: r });
  }
}
