/**
 * A file's owner and permission bits, and the calls that change them:
 * chmod(2) and chown(2). Neither touches pages, mappings, leases or pins
 * (xfs_vn_setattr() → xfs_setattr_nonsize() and ext4_setattr() break no
 * layout for ATTR_MODE or ATTR_UID; notify_change() breaks NFS delegations
 * only, which the model does not have). What they change is who may do
 * what next: may_open()'s inode_permission() for a later open, the owner
 * check of unlink (fs/unlink.ts), may_dedupe_file(), FS_IOC_FSSETXATTR's
 * inode_owner_or_capable(), and what an owner-based policy reads
 * (LayoutQuery.fileOwner, PinQuery.fileOwner). An open file keeps the
 * access it was opened with: permissions are checked at open only.
 */
import type { Ctx } from "../ctx.js";
import { ENOENT, EPERM } from "../errno.js";
import {
  INO_EXISTS,
  INO_T_MODE,
  INO_T_OWNER,
  ino,
  inoTail,
  type Model,
  type State,
} from "../layout.js";
import type { Cap } from "../spec.js";

/** i_uid of the inode now (chown changes it). */
export function inodeOwner(m: Model, s: State, inode: number): number {
  return s[inoTail(m, inode) + INO_T_OWNER]!;
}

/** The inode's permission bits now (chmod changes them). */
export function inodeMode(m: Model, s: State, inode: number): number {
  return s[inoTail(m, inode) + INO_T_MODE]!;
}

const hasCap = (m: Model, user: number, cap: Cap): boolean => m.users[user]!.caps.includes(cap);

/** inode_owner_or_capable(): the owner, or CAP_FOWNER. */
export function ownerOrCapable(m: Model, s: State, user: number, inode: number): boolean {
  return inodeOwner(m, s, inode) === user || hasCap(m, user, "CAP_FOWNER");
}

/**
 * chmod(2) of a path: chmod_common() → notify_change(ATTR_MODE) →
 * setattr_prepare(): only the owner or CAP_FOWNER may change the mode
 * (EPERM); a missing name is ENOENT (the lookup). fs/attr.c, fs/open.c.
 */
export function sysChmod(ctx: Ctx, p: number, inode: number, mode: number): number {
  const { m, s } = ctx;
  if (s[ino(m, inode) + INO_EXISTS] !== 1) return -ENOENT;
  if (!ownerOrCapable(m, s, m.procs[p]!.user, inode)) return -EPERM;
  s[inoTail(m, inode) + INO_T_MODE] = mode;
  return 0;
}

/**
 * chown(2) of a path to `user`: chown_common() → notify_change(ATTR_UID) →
 * setattr_prepare() → chown_ok(): giving a file away takes CAP_CHOWN; the
 * owner may only "change" it to itself (EPERM otherwise). fs/attr.c.
 */
export function sysChown(ctx: Ctx, p: number, inode: number, user: number): number {
  const { m, s } = ctx;
  if (s[ino(m, inode) + INO_EXISTS] !== 1) return -ENOENT;
  const caller = m.procs[p]!.user;
  const owner = inodeOwner(m, s, inode);
  const ok = (caller === owner && user === owner) || hasCap(m, caller, "CAP_CHOWN");
  if (!ok) return -EPERM;
  s[inoTail(m, inode) + INO_T_OWNER] = user;
  return 0;
}
