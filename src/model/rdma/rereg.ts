/**
 * ibv_rereg_mr() (drivers/infiniband/core/uverbs_cmd.c ib_uverbs_rereg_mr,
 * drivers/infiniband/hw/mlx5/mr.c mlx5_ib_rereg_user_mr): a registered MR
 * gets a new address range (IB_MR_REREG_TRANS) and/or new access flags
 * (IB_MR_REREG_ACCESS). The compiled model gives the result a registration
 * slot of its own (compile.ts); the program's variable names it afterwards.
 *
 * What the driver does with the keys is its choice, which `keys=` states:
 * mlx5 keeps the mkey when a UMR can rewrite it (umr_rereg_pas,
 * umr_rereg_pd_access: the peer's rkey goes on working, now over the new
 * pages) and otherwise makes a new MR (create_real_mr, or for an ODP MR
 * always mlx5_ib_reg_user_mr): ib_uverbs_rereg_mr() then destroys the old
 * one, whose rkey stops working, and returns the new lkey/rkey. Either way a
 * new translation pins the new range (ib_umem_get) before the old pins go
 * (ib_umem_release of the old umem), and the old MR is revoked first, which
 * fences the device: "any DMA in progress will be completed" (revoke_mr).
 * An access change alone keeps the same umem and its pins.
 */
import { BLOCK, type Ctx, emit } from "../ctx.js";
import { EINVAL, EIO, ENOENT } from "../errno.js";
import type { Model, State } from "../layout.js";
import {
  INF_READ,
  INF_READ_FAULT,
  INF_WRITE,
  INF_WRITE_FAULT,
  K_HCA_RESET,
  MR_DEREG,
  MR_INVALID,
  MR_MOVED,
  MR_NONE,
  MR_VALID,
  mr as mrOff,
  peer as peerOff,
  R_INFL,
  R_OPMR,
} from "../layout.js";
import { unpinMrPages } from "../mm/gup.js";
import { abortInflight, regMr } from "./mr.js";

/**
 * rereg_mr into registration slot x (MrInfo.rereg names the old one). EIO
 * after an HCA reset; then in ib_uverbs_rereg_mr()'s order: EINVAL for no flags (neither a range nor
 * access flags); ENOENT when the MR handle is gone (uobj_get_write →
 * lookup_get_idr_uobject); EINVAL for access flags ib_check_mr_access()
 * refuses (remote write without local write); then the driver: the fence
 * (blocks while a device access through the MR is in flight), the new pins
 * with reg_mr's errors (the old MR is left as it was), the old pins dropped.
 * Returns 0, -errno, or BLOCK.
 */
export function reregMr(ctx: Ctx, x: number): number {
  const { m, s } = ctx;
  const mi = m.mrs[x]!;
  const rr = mi.rereg!;
  const old = liveMr(m, s, rr.from);
  const oo = mrOff(m, old);
  const o = mrOff(m, x);
  const e = reregRefuses(m, s, x, old);
  if (e < 0) return e;
  const st = s[oo]!;
  if (revokeWaits(m, s, old)) {
    ctx.why = "rereg_mr: the MR's revocation waits for a device access in progress";
    ctx.blockers = [];
    ctx.uninterruptible = true;
    return BLOCK;
  }
  if (rr.trans || mi.odp) {
    // ib_umem_get() of the new range (or, ODP, a new MR from scratch): reg_mr's
    // checks and errors; on an error the old MR is untouched.
    const r = regMr(ctx, x);
    if (r < 0) return r;
    if (st === MR_VALID && !m.mrs[old]!.odp) unpinMrPages(ctx, old);
  } else {
    // The same umem under new access flags: its pins, its pinned_vm charge and
    // what a policy attached to them (the revoke lease) go with it.
    for (let k = 0; k < mi.pages; k++) {
      s[o + 2 + k] = s[oo + 2 + k]!;
      s[oo + 2 + k] = 0;
    }
    s[o] = st;
    s[o + 1] = s[oo + 1]!;
  }
  // A device fault of an ODP MR still pending fails with the old MR.
  for (let q = 0; q < m.peers.length; q++) {
    const infl = s[peerOff(m, q) + R_INFL]!;
    if (
      (infl === INF_WRITE_FAULT || infl === INF_READ_FAULT) &&
      s[peerOff(m, q) + R_OPMR] === old + 1
    )
      abortInflight(ctx, old, "REM_ACCESS_ERR", "MR re-registered under a pending ODP fault");
  }
  const keys = mi.odp ? "new" : rr.keys;
  s[oo] = keys === "same" ? MR_MOVED : MR_DEREG;
  // a moved registration's second field names where its rkey leads (nic.ts)
  s[oo + 1] = keys === "same" ? x + 1 : 0;
  emit(ctx, { k: "rereg", mr: old, to: x, keys, trans: rr.trans });
  return 0;
}

/** rereg_mr's errors before the driver runs (reregMr's order), or 0. */
function reregRefuses(m: Model, s: State, x: number, old: number): number {
  const mi = m.mrs[x]!;
  const rr = mi.rereg!;
  // A disassociated uverbs file (HCA reset, rdma/hca.ts): as reg_mr and dereg_mr,
  // ib_uverbs_ioctl() fails the command with EIO before its handler runs (rdma-core
  // sends write() commands through UVERBS_METHOD_INVOKE_WRITE).
  if (s[m.offKernel + K_HCA_RESET] === 1) return -EIO;
  if (!rr.trans && !rr.access) return -EINVAL;
  const st = s[mrOff(m, old)]!;
  if (st !== MR_VALID && st !== MR_INVALID) return -ENOENT;
  if (rr.access && !mi.accessValid) return -EINVAL;
  return 0;
}

/**
 * revoke_mr() / mlx5r_umr_revoke_mr(): a UMR that disables the mkey and
 * waits for its completion (mlx5_ib_post_send_wait, uninterruptible), by
 * which the device has completed every access in progress through it:
 * whether a device access through MR `old` is in progress.
 */
function revokeWaits(m: Model, s: State, old: number): boolean {
  for (let q = 0; q < m.peers.length; q++) {
    const po = peerOff(m, q);
    const infl = s[po + R_INFL]!;
    if ((infl === INF_WRITE || infl === INF_READ) && s[po + R_OPMR] === old + 1) return true;
  }
  return false;
}

/**
 * Whether retrying a rereg_mr into slot x blocked on the revocation's fence
 * changes the state (proc/program.ts retryPredicate): it returns (an error, or
 * the new registration) unless the access is still in progress, and then it
 * blocks again uninterruptibly, which changes only a flag not yet set.
 */
export function reregRetry(m: Model, s: State, x: number, uninterruptible: boolean): boolean {
  const old = liveMr(m, s, m.mrs[x]!.rereg!.from);
  return reregRefuses(m, s, x, old) < 0 || !revokeWaits(m, s, old) || !uninterruptible;
}

/**
 * The registration the program's MR variable stands for now: a rereg_mr
 * that failed (or has not run) left the MR it was given as it was
 * (ib_uverbs_rereg_mr returns before touching it), so its slot, never
 * registered, stands for the one before.
 */
export function liveMr(m: Model, s: State, x: number): number {
  let y = x;
  while (s[mrOff(m, y)] === MR_NONE && m.mrs[y]!.rereg !== undefined) y = m.mrs[y]!.rereg!.from;
  return y;
}

/** Where the rkey of registration x leads: through every rereg_mr that kept the keys. */
export function rkeyTarget(m: Model, s: State, x: number): number {
  let y = x;
  while (s[mrOff(m, y)] === MR_MOVED) y = s[mrOff(m, y) + 1]! - 1;
  return y;
}
