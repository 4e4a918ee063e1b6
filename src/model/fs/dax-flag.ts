/**
 * The per-inode DAX flag: ioctl(fd, FS_IOC_FSSETXATTR) setting or clearing
 * FS_XFLAG_DAX (Documentation/filesystems/dax.rst, "Enabling DAX on xfs and ext4").
 *
 * On a `dax=inode` mount a file is DAX when its flag is set, but the flag
 * takes effect only when the inode is next loaded: a change marks the inode
 * I_DONTCACHE (d_mark_dontcache(), from xfs_ioctl_setattr_prepare_dax() in
 * fs/xfs/xfs_ioctl.c and ext4_dax_dontcache() in fs/ext4/ioctl.c), and
 * nothing happens to its mappings, page references or pins meanwhile
 * (IS_DAX() stays as loaded: include/linux/dax.h). When its last reference
 * goes (the last close, the last munmap of a closed file), iput_final() sees
 * generic_drop_inode() true and evicts the inode, even though it is still
 * linked; on fs-DAX since v6.15 ->evict_inode first runs
 * dax_break_layout_final(), which waits uninterruptibly for pinned pages, as
 * for an unlinked file (fs/unlink.ts). The model runs that eviction through
 * the same layout gate (kind `evict`).
 *
 * Stated simplifications: after such an eviction the kernel would load the
 * inode again with the new mode; the model keeps the file on fs-DAX (lint
 * PIN348 warns of an operation on the file after the change). On a
 * `dax=always` mount the flag is stored and changes nothing
 * (xfs_has_dax_always(), test_opt(DAX_ALWAYS)); on `fs pagecache` (a device
 * without DAX) the inode never loads as DAX, and the model does not evict a
 * linked page-cache inode (which drops its cache, as memory reclaim may at
 * any time once the file is closed).
 */
import type { Ctx } from "../ctx.js";
import { EBADF, ENOTTY, EOPNOTSUPP, EPERM } from "../errno.js";
import {
  INO_T_XFLAGS,
  inoTail,
  type Model,
  OFD_OPEN,
  ofd,
  type State,
  XF_DAX,
  XF_DONTCACHE,
} from "../layout.js";
import { ownerOrCapable } from "./attr.js";

/**
 * FS_IOC_FSSETXATTR of FS_XFLAG_DAX (`dax` true) or its clearing. ioctl order:
 * the descriptor (EBADF); vfs_fileattr_set(): no ->fileattr_set gives
 * -ENOIOCTLCMD, which the ioctl returns as ENOTTY (hugetlbfs; a device
 * file's driver has no such ioctl either); shmem_fileattr_set() refuses fsx
 * flags (EOPNOTSUPP), and so, by assumption, does the `other` filesystem;
 * then inode_owner_or_capable() (EPERM). Any descriptor will do: the ioctl
 * needs no FMODE_WRITE (mnt_want_write_file() checks the mount only).
 */
export function sysFssetxattr(ctx: Ctx, p: number, o: number, dax: boolean): number {
  const { m, s } = ctx;
  if (s[ofd(m, o) + OFD_OPEN] !== 1) return -EBADF;
  const inode = m.ofds[o]!.inode;
  const info = m.inodes[inode]!;
  if (info.backing === "hugetlbfs" || info.backing === "devdax" || info.pfnmap) return -ENOTTY;
  if (info.backing !== "fs") return -EOPNOTSUPP;
  if (!ownerOrCapable(m, s, m.procs[p]!.user, inode)) return -EPERM;
  const t = inoTail(m, inode) + INO_T_XFLAGS;
  const cur = s[t]!;
  let next = dax ? cur | XF_DAX : cur & ~XF_DAX;
  // d_mark_dontcache() only on a dax=inode mount of a DAX device, and only for a real change
  if (m.daxInode && ((cur & XF_DAX) !== 0) !== dax) next |= XF_DONTCACHE;
  s[t] = next;
  return 0;
}

/** Whether the inode is marked I_DONTCACHE by a DAX flag change (its last reference evicts it). */
export function dontCache(m: Model, s: State, inode: number): boolean {
  return (s[inoTail(m, inode) + INO_T_XFLAGS]! & XF_DONTCACHE) !== 0;
}
