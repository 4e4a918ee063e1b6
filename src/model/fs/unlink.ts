/**
 * unlink(2) and the last close: inode eviction under a pin.
 *
 * unlink removes the name (vfs_unlink → ->unlink, i_nlink drops to 0); the
 * inode lives on while an open file or a mapping holds it. Its last
 * reference (iput_final → evict) runs ->evict_inode, and the blocks go back to
 * the free pool (xfs_inactive / ext4_evict_inode truncate to 0). Since v6.15,
 * on fs-DAX both xfs_fs_evict_inode() and ext4_evict_inode() first call
 * dax_break_layout_final() (fs/dax.c), which waits in TASK_UNINTERRUPTIBLE
 * (wait_page_idle_uninterruptible) until no page of the file has a reference
 * beyond its mapping. A long-term pin is such a reference, and the pin does not
 * hold the file: ib_umem_get() keeps the mm, not the VMA or its struct file, so
 * a pinner may close and unmap and keep its MR. Who then drops the last
 * reference (the unlink itself, the last close, the last munmap) sleeps
 * uninterruptibly until the pins go. Before v6.15 eviction did not wait and
 * freed the blocks under the pin. The model asks the policy, as for any layout
 * change (layout-change.ts layoutGate, kind `evict`).
 *
 * An eviction that a process's death would run (do_exit closes its files)
 * happens in the model only when no page of the file is referenced; otherwise
 * the inode stays unlinked and its blocks stay allocated (in the kernel the
 * exiting task would sleep in dax_break_layout_final until the pins drop).
 */
import { BLOCK, type Ctx, emit } from "../ctx.js";
import { EACCES, ENOENT, EPERM } from "../errno.js";
import {
  ext,
  INO_EXISTS,
  INO_SIZE,
  INO_SWAP,
  INO_T_XFLAGS,
  INO_UNLINKED,
  ino,
  inoTail,
  type Model,
  OFD_MAPPED,
  OFD_OPEN,
  ofd,
  P_STATUS,
  PS_BLOCKED,
  pcache,
  proc,
  type State,
  XF_DONTCACHE,
  XF_RELOADED,
} from "../layout.js";
import { frameBusy } from "../mm/frames.js";
import { maybeDmaPinned } from "../mm/gup.js";
import { fileHeldElsewhere } from "../proc/fork.js";
import { inodeOwner } from "./attr.js";
import { dontCache } from "./dax-flag.js";
import { GO_DEFER, layoutGate, removePages } from "./layout-change.js";

/**
 * unlink(2) of a file by process p. may_delete() order: the name must exist
 * (ENOENT), the directory must be writable (EACCES), then IS_SWAPFILE → EPERM
 * (a swapfile-like file under `immutable`). Directories are not modelled: the
 * file's directory is taken to be writable by the file's owner only.
 */
export function sysUnlink(ctx: Ctx, p: number, inode: number): number {
  const { m, s } = ctx;
  const io = ino(m, inode);
  // A retry of an unlink blocked in its eviction: the name is already gone.
  const retry = s[proc(m, p) + P_STATUS] === PS_BLOCKED && s[io + INO_EXISTS] === INO_UNLINKED;
  if (!retry) {
    if (s[io + INO_EXISTS] !== 1) return -ENOENT;
    if (inodeOwner(m, s, inode) !== m.procs[p]!.user) return -EACCES;
    // may_delete_dentry(): IS_SWAPFILE(inode) → -EPERM
    if (s[io + INO_SWAP]! > 0) return -EPERM;
    s[io + INO_EXISTS] = INO_UNLINKED;
    emit(ctx, { k: "unlinked", proc: p, inode, held: inodeHeld(m, s, inode, -1) });
  }
  if (inodeHeld(m, s, inode, -1)) return 0;
  return evict(ctx, p, inode);
}

/** Whether an open file description of `inode` other than `except` still holds it. */
export function inodeHeld(m: Model, s: State, inode: number, except: number): boolean {
  for (let o = 0; o < m.ofds.length; o++) {
    if (o === except || m.ofds[o]!.inode !== inode) continue;
    const st = s[ofd(m, o) + OFD_OPEN];
    if (st === 1 || st === OFD_MAPPED) return true;
  }
  return false;
}

/**
 * Whether releasing open file description o now is the last reference to an
 * unlinked inode: then the caller evicts it first (and may wait there).
 */
export function releaseEvicts(m: Model, s: State, o: number): boolean {
  const inode = m.ofds[o]!.inode;
  const st = s[ino(m, inode) + INO_EXISTS];
  // A linked inode goes too when a DAX flag change marked it I_DONTCACHE (fs/dax-flag.ts).
  if (st !== INO_UNLINKED && !(st === 1 && dontCache(m, s, inode))) return false;
  if (fileHeldElsewhere(m, s, o)) return false;
  return !inodeHeld(m, s, inode, o);
}

/**
 * Evicts an unlinked inode nothing holds any more, on behalf of process p:
 * returns 0, or BLOCK while dax_break_layout_final() (or the policy) waits.
 * A linked inode marked I_DONTCACHE (fs/dax-flag.ts) is evicted the same
 * way but keeps its blocks and size: it is only dropped from memory.
 */
export function evict(ctx: Ctx, p: number, inode: number): number {
  const { m, s } = ctx;
  const io = ino(m, inode);
  if (s[io + INO_EXISTS] === 1) {
    const go = layoutGate(ctx, "evict", p, [{ inode, first: 0, last: m.maxPages - 1 }], {
      evenCows: true,
    });
    if (go === BLOCK) return BLOCK;
    if (go < 0) throw new Error("pinlab bug: eviction cannot fail");
    const t = inoTail(m, inode) + INO_T_XFLAGS;
    s[t] = (s[t]! & ~XF_DONTCACHE) | XF_RELOADED;
    emit(ctx, { k: "evicted", proc: p, inode });
    return 0;
  }
  const last = Math.max(s[io + INO_SIZE]!, 1) - 1;
  const go = layoutGate(ctx, "evict", p, [{ inode, first: 0, last: m.maxPages - 1 }], {
    evenCows: true,
  });
  if (go === BLOCK) return BLOCK;
  if (go < 0) throw new Error("pinlab bug: eviction cannot fail");
  removePages(ctx, inode, 0, Math.max(last, m.maxPages - 1), go === GO_DEFER);
  s[io + INO_SIZE] = 0;
  s[io + INO_EXISTS] = 0;
  emit(ctx, { k: "evicted", proc: p, inode });
  return 0;
}

/**
 * After process p's death closed its files: evict each unlinked inode that
 * nothing holds any more, when no page of it is referenced (see the header).
 */
export function evictAfterExit(ctx: Ctx, p: number): void {
  const { m, s } = ctx;
  for (let i = 0; i < m.inodes.length; i++) {
    const st = s[ino(m, i) + INO_EXISTS];
    if (st !== INO_UNLINKED && !(st === 1 && dontCache(m, s, i))) continue;
    if (inodeHeld(m, s, i, -1)) continue;
    if (anyPageReferenced(ctx, i)) continue;
    evict(ctx, p, i);
  }
}

function anyPageReferenced(ctx: Ctx, inode: number): boolean {
  const { m, s } = ctx;
  for (let page = 0; page < m.maxPages; page++) {
    const slot = m.dax ? s[ext(m, inode, page)]! : s[pcache(m, inode, page)]!;
    if (slot > 0 && (m.dax ? frameBusy(m, s, slot - 1) : maybeDmaPinned(ctx, slot - 1)))
      return true;
  }
  return false;
}
