import { EINVAL } from "../model/errno.js";
import { BLK_USERS, blk, ext, INO_SIZE, ino } from "../model/layout.js";
import { definePolicy } from "./base.js";

/**
 * Dave Chinner / Jan Kara: pin only a file whose block map is complete and
 * static (fully allocated, not shared by reflink; zeroing is the
 * application's duty), then treat it like an active swapfile: truncate,
 * fallocate, reflink and write fail with ETXTBSY while pinned.
 * The pin-time check is swapon's (iomap_swapfile_activate: holes or shared
 * extents → EINVAL). https://lore.kernel.org/r/20190208044302.GA20493@dastard,
 * https://lore.kernel.org/r/20190208111028.GD6353@quack2.suse.cz,
 * https://lore.kernel.org/r/20190211102402.GF19029@quack2.suse.cz
 */
export const immutablePolicy = definePolicy(
  "immutable",
  "Chinner/Kara: pin only a fully allocated, unshared file, then treat it like an active swapfile (ETXTBSY)",
  "https://lore.kernel.org/r/20190211102402.GF19029@quack2.suse.cz",
  [],
  () => ({
    longtermFsdax: ({ model: m, state: s, inode }) => {
      const size = s[ino(m, inode) + INO_SIZE]!;
      for (let p = 0; p < size; p++) {
        const b1 = s[ext(m, inode, p)]!;
        if (b1 === 0 || s[blk(m, b1 - 1) + BLK_USERS]! > 1) return EINVAL;
      }
      return 0;
    },
    swapfileOnPin: true,
    // Layout changes are refused before they get here (S_SWAPFILE); what is left waits.
    layoutChange: (q) => (q.dax ? { do: "wait" } : { do: "proceed" }),
  }),
);
