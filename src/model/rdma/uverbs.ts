/**
 * The uverbs file and the lifetime of MRs. An MR belongs to a ucontext, which
 * lives as long as its /dev/infiniband/uverbsN file: ib_uverbs_close() (the
 * file's ->release, at the last fput) destroys every object of the context
 * (uverbs_destroy_ufile_hw → ib_dereg_mr → ib_umem_release, which unpins).
 * A process's death closes its descriptors, but another reference to the
 * file (a dup'ed or forked descriptor, or one passed with SCM_RIGHTS) keeps the
 * context, its QPs and its pins alive (drivers/infiniband/core/uverbs_main.c).
 *
 * pinlab models the SCM_RIGHTS case (`send_uverbs PROC`) and fork (a child
 * holds its parent's uverbs file, proc/fork.ts); dup has no operation. The
 * receiver's reference is counted from the send (an fd queued in a socket
 * buffer keeps its file alive too) until the receiver dies.
 */
import type { Ctx } from "../ctx.js";
import { ECONNREFUSED } from "../errno.js";
import {
  alive,
  type Model,
  MR_INVALID,
  MR_VALID,
  mrHolders,
  mr as mrOff,
  type State,
} from "../layout.js";

/** Whether another live process holds the uverbs file of MR x's owner. */
export function uverbsHeldElsewhere(m: Model, s: State, x: number): boolean {
  const holders = s[mrHolders(m, x)]!;
  for (let q = 0; q < m.procs.length; q++)
    if (q !== m.mrs[x]!.proc && (holders & (1 << q)) !== 0 && alive(s, m, q)) return true;
  return false;
}

/** The live processes other than the owner that hold MR x's uverbs file. */
export function uverbsHolders(m: Model, s: State, x: number): number[] {
  const out: number[] = [];
  const holders = s[mrHolders(m, x)]!;
  for (let q = 0; q < m.procs.length; q++)
    if (q !== m.mrs[x]!.proc && (holders & (1 << q)) !== 0 && alive(s, m, q)) out.push(q);
  return out;
}

/**
 * sendmsg(SCM_RIGHTS) of p's uverbs fd to process t over a connected datagram
 * unix socket: ECONNREFUSED once the receiver is gone (unix_dgram_sendmsg on a
 * dead peer).
 */
export function sendUverbs(ctx: Ctx, p: number, t: number): number {
  const { m, s } = ctx;
  if (!alive(s, m, t)) return -ECONNREFUSED;
  // The uverbs file holds the MRs only: an io_uring ring and a VFIO container are other files.
  for (let x = 0; x < m.mrs.length; x++)
    if (m.mrs[x]!.proc === p && m.mrs[x]!.pinner === undefined)
      s[mrHolders(m, x)] = s[mrHolders(m, x)]! | (1 << t);
  return 0;
}

/**
 * Process p died: its references to other processes' uverbs files go. The MRs
 * of a file whose last reference that was (its owner died before) are
 * destroyed now, through `destroy`.
 */
export function dropUverbsRefs(ctx: Ctx, p: number, destroy: (ctx: Ctx, x: number) => void): void {
  const { m, s } = ctx;
  for (let x = 0; x < m.mrs.length; x++) {
    const h = s[mrHolders(m, x)]!;
    if ((h & (1 << p)) === 0) continue;
    s[mrHolders(m, x)] = h & ~(1 << p);
    const owner = m.mrs[x]!.proc;
    if (owner === p || alive(s, m, owner) || uverbsHeldElsewhere(m, s, x)) continue;
    const st = s[mrOff(m, x)];
    if (st === MR_VALID || st === MR_INVALID) destroy(ctx, x);
  }
}
