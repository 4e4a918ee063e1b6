import { EOPNOTSUPP } from "../model/errno.js";
import { definePolicy, onDax, refuseFsdax } from "./base.js";

/**
 * Today's kernel (mm/gup.c check_vma_flags): FOLL_LONGTERM on fs-DAX →
 * EOPNOTSUPP (since v4.15, 2bb6d2837083); a writable long-term pin of a
 * dirty-tracked shared file mapping → EFAULT (v6.5, 8ac268436e6d); page-cache
 * truncate orphans pinned pages (truncate_inode_pages_range does not wait);
 * fs-DAX layout changes wait for transient references with no timeout
 * (xfs_break_dax_layouts over the whole file); at pmem unbind XFS sends
 * SIGBUS to every process mapping a file on the device (v6.8, MF_MEM_PRE_REMOVE).
 */
export const linuxPolicy = definePolicy(
  "linux",
  "today's kernel: FOLL_LONGTERM on fs-DAX → EOPNOTSUPP; writable pin of a shared file mapping → EFAULT",
  "mm/gup.c check_vma_flags(), writable_file_mapping_allowed(); fs/xfs xfs_break_dax_layouts()",
  [],
  () => ({
    mayPin: refuseFsdax(EOPNOTSUPP),
    writableFileRule: "all",
    busyScope: "file",
    unbindSigbus: true,
    answers: {
      mayPin: "fs-DAX VMA → EOPNOTSUPP (check_vma_flags); others allowed",
      layoutChange:
        "fs-DAX: wait for the pins, no timeout (dax_layout_busy_page); page cache: orphan",
    },
    layoutChange: onDax({ do: "wait" }),
  }),
);
