import { EINVAL } from "../model/errno.js";
import { BLK_USERS, blk, ext, INO_SIZE, ino } from "../model/layout.js";
import { definePolicy, onDax } from "./base.js";

/**
 * Dave Chinner / Jan Kara: pin only a file whose block map is complete and
 * static (fully allocated, not shared by reflink; zeroing is the
 * application's duty), then treat it like an active swapfile while pinned:
 * truncate, fallocate and reflink fail with ETXTBSY, and so does a new
 * shared writable mmap (do_mmap's swapfile check). Only the block map is
 * frozen, not the contents (Chinner; Christoph Lameter: "the mapping to media
 * is immutable",
 * https://lore.kernel.org/r/01000168cdbe520b-2b2be741-8ceb-4a5d-92f2-9f68795d7db3-000000@email.amazonses.com):
 * a pwrite into allocated blocks succeeds, an allocating or extending write
 * fails with ETXTBSY (sysWrite).
 * The size-change refusal must sit in the VFS before ->setattr (`swap-check=vfs`):
 * XFS calls xfs_break_layouts(), which waits for the pins, before
 * setattr_prepare(), so mainline's swapfile check there (`swap-check=newsize`)
 * would leave the truncate waiting forever.
 * The pin-time check is swapon's (iomap_swapfile_activate: holes or shared
 * extents → EINVAL). https://lore.kernel.org/r/20190208044302.GA20493@dastard,
 * https://lore.kernel.org/r/20190208111028.GD6353@quack2.suse.cz,
 * https://lore.kernel.org/r/20190211102402.GF19029@quack2.suse.cz
 */
export const immutablePolicy = definePolicy(
  "immutable",
  "Chinner/Kara: pin only a fully allocated, unshared file, then treat it like an active swapfile (ETXTBSY)",
  "https://lore.kernel.org/r/20190211102402.GF19029@quack2.suse.cz",
  [
    {
      name: "swap-check",
      values: ["vfs", "newsize"],
      default: "vfs",
      doc: "where a size change of a pinned file is refused: in the VFS before ->setattr (every size change), or at mainline's swapfile check in inode_newsize_ok() (shrinks only), which XFS reaches after waiting for the pins in xfs_break_layouts()",
    },
  ],
  (params) => ({
    swapfileCheck: params["swap-check"] === "newsize" ? "newsize" : "vfs",
    // swapon's check at pin time, for fs-DAX files (the proposal is about their block map).
    mayPin: ({ model: m, state: s, inode, stage, dax }) => {
      if (stage !== "vma" || !dax) return 0;
      const size = s[ino(m, inode) + INO_SIZE]!;
      for (let p = 0; p < size; p++) {
        const b1 = s[ext(m, inode, p)]!;
        if (b1 === 0 || s[blk(m, b1 - 1) + BLK_USERS]! > 1) return EINVAL;
      }
      return 0;
    },
    swapfileOnPin: true,
    // Layout changes are refused before they get here (S_SWAPFILE); what is left waits.
    answers: {
      mayPin:
        "fs-DAX file with a hole or a shared extent → EINVAL (swapon's check); others allowed",
      layoutChange:
        "fs-DAX: refused earlier with ETXTBSY (S_SWAPFILE); what gets here waits; page cache: orphan",
    },
    layoutChange: onDax({ do: "wait" }),
  }),
);
