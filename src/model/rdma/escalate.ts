/**
 * The escalation when lease-break-time expires on a revocable pin, as far as
 * the hardware allows it. Jason Gunthorpe
 * (https://lore.kernel.org/r/20190207171736.GD22726@ziepe.ca): SIGKILL tears
 * down all of a process's RDMA resources and that path is supported;
 * disabling one MR is not generally possible (rereg_user_mr in 3 of 17
 * drivers), and IB_MR_REREG_PD, which might disable an MR on two of them, is
 * not a fence. So `escalation=invalidate` invalidates the one MR only on a NIC
 * that can (`nic invalidate=fence|unfenced`); on the default NIC
 * (`invalidate=none`) it falls back to SIGKILL: "any lease mechanism is
 * essentially stuck with SIGKILL as the escalation".
 */
import { type Ctx, emit } from "../ctx.js";
import {
  type Model,
  P_SIG,
  P_STATUS,
  PS_BLOCKED,
  PS_KILLED,
  proc,
  SIGF_FATAL_ESCALATION,
  SIGF_UNINTERRUPTIBLE,
  type State,
} from "../layout.js";
import { pinnerKind } from "../mm/gup.js";
import type { LayoutChangeKind, PinnerQuery, RevokeQuery } from "../policy.js";
import { teardown } from "../proc/exit.js";
import { invalidateMr } from "./mr.js";

/** The policy's view of registration x: its pinner kind and what the hardware can invalidate. */
export function pinnerQuery(m: Model, s: State, x: number): PinnerQuery {
  const mi = m.mrs[x]!;
  // io_uring buffers and VFIO mappings need no NIC: the kernel drops them from
  // its own table, a fence (escalate below).
  const local = mi.pinner !== undefined;
  return {
    model: m,
    state: s,
    pinner: pinnerKind(m, x),
    mr: x,
    proc: mi.proc,
    inode: m.vmas[mi.vma]!.inode,
    invalidate: local ? "fence" : m.nicInvalidate,
  };
}

/**
 * `pinnerQuery` with the layout change breaking the pin (question 3): the same
 * object with three fields more, not a spread's copy of it.
 */
export function revokeQuery(
  m: Model,
  s: State,
  x: number,
  kind: LayoutChangeKind,
  caller: number,
  owner: boolean,
): RevokeQuery {
  const q = pinnerQuery(m, s, x) as { -readonly [K in keyof RevokeQuery]: RevokeQuery[K] };
  q.kind = kind;
  q.caller = caller;
  q.owner = owner;
  return q;
}

/** lease-break-time expired on MR x's revocable pin. */
export function escalate(ctx: Ctx, x: number): void {
  const { m, s } = ctx;
  const owner = m.mrs[x]!.proc;
  emit(ctx, { k: "timer", holder: owner, inode: m.vmas[m.mrs[x]!.vma]!.inode });
  // An io_uring buffer needs no NIC: the kernel empties its slot of the ring's
  // buffer table, as IORING_REGISTER_BUFFERS_UPDATE with a NULL iov_base does
  // (__io_sqe_buffers_update → io_reset_rsrc_node). A request already issued holds
  // its own reference to the buffer node (io_find_buf_node), so the pages stay
  // pinned until it completes: a fence. Fixed I/O is one step in the model, so
  // none is in flight here. Later fixed I/O through the slot fails with EFAULT.
  // A VFIO DMA mapping needs no NIC either: the kernel removes it as
  // VFIO_IOMMU_UNMAP_DMA does (vfio_remove_dma → vfio_unmap_unpin: iommu_unmap and
  // an IOTLB flush before the pages are unpinned), and the IOMMU blocks the
  // device's later DMA to that IOVA: a fence.
  // No 2019 mail speaks of io_uring or VFIO; this is the model's reading of `invalidate`.
  const q = pinnerQuery(m, s, x);
  if (m.policy.leaseBreakTimeout(q) === "invalidate" && q.invalidate !== "none") {
    const fenced = q.invalidate === "fence";
    emit(ctx, { k: "escalate", proc: owner, mr: x, how: "invalidate", fenced });
    invalidateMr(ctx, x, fenced);
    return;
  }
  emit(ctx, { k: "escalate", proc: owner, mr: x, how: "sigkill" });
  const po = proc(m, owner);
  // A fatal signal is acted on when an uninterruptible sleep (memunmap_pages()) ends.
  if (s[po + P_STATUS] === PS_BLOCKED && (s[po + P_SIG]! & SIGF_UNINTERRUPTIBLE) !== 0)
    s[po + P_SIG]! |= SIGF_FATAL_ESCALATION;
  else teardown(ctx, owner, PS_KILLED, "killed", "escalation", "SIGKILL");
}
