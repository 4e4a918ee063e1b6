import { EOPNOTSUPP } from "../model/errno.js";
import type { KernelRules, ParamSpec } from "../model/policy.js";
import { definePolicy, onDax, refuseFsdax } from "./base.js";

/**
 * The kernel releases `linux` models, oldest first: the ones `pinlab conform`
 * runs (Debian's 6.1 and 6.12 in a guest; 6.18 is the development host's).
 * Only the rules below change with the release; every other rule is the
 * newest kernel's (docs/conform.md lists what differs).
 */
export const KERNELS: readonly string[] = ["6.1", "6.12", "6.18"];
export const NEWEST_KERNEL = KERNELS[KERNELS.length - 1]!;

/** Whether release a is at least b ("6.12" ≥ "6.5"). */
export function kernelAtLeast(a: string, b: string): boolean {
  const [am, an] = a.split(".").map(Number) as [number, number];
  const [bm, bn] = b.split(".").map(Number) as [number, number];
  return am !== bm ? am > bm : an >= bn;
}

export const KERNEL_PARAM: ParamSpec = {
  name: "kernel",
  values: KERNELS,
  default: NEWEST_KERNEL,
  doc: "the kernel release: 6.1 lacks the v6.2 R/O-MR rule, the v6.5 writable-file rule (and has io_uring's own file check), v6.8's SIGBUS at unbind",
};

/** The release's rules (policy.ts KernelRules). */
export function kernelRules(release: string): KernelRules {
  return {
    release,
    // 54d020692b34 (v6.5): io_uring leaves file-backed buffers to GUP.
    ioUringFileCheck: !kernelAtLeast(release, "6.5"),
    // "RDMA/umem: remove FOLL_FORCE usage" (v6.2).
    umemForce: !kernelAtLeast(release, "6.2"),
    // "mm: perform the mapping_map_writable() check after call_mmap()" (v6.7): the
    // 6.1 stable kernel conform runs (Debian's 6.1.0) behaves as v6.7 already, so no
    // modelled release keeps the older rule (a plugin may, for an older kernel).
    sealCountsSharedMap: false,
  };
}

/**
 * Today's kernel (mm/gup.c check_vma_flags): FOLL_LONGTERM on fs-DAX →
 * EOPNOTSUPP (since v4.15, 2bb6d2837083); a writable long-term pin of a
 * dirty-tracked shared file mapping → EFAULT (v6.5, 8ac268436e6d); page-cache
 * truncate orphans pinned pages (truncate_inode_pages_range does not wait);
 * fs-DAX layout changes wait for transient references with no timeout
 * (xfs_break_dax_layouts over the whole file); at pmem unbind XFS sends
 * SIGBUS to every process mapping a file on the device (v6.8, MF_MEM_PRE_REMOVE).
 * `kernel=` picks the release: before v6.5 no writable-file rule and
 * io_uring's own file check, before v6.2 R/O MRs pinned FOLL_WRITE|FOLL_FORCE,
 * before v6.8 no SIGBUS at unbind.
 */
export const linuxPolicy = definePolicy(
  "linux",
  "today's kernel: FOLL_LONGTERM on fs-DAX → EOPNOTSUPP; writable pin of a shared file mapping → EFAULT",
  "mm/gup.c check_vma_flags(), writable_file_mapping_allowed(); fs/xfs xfs_break_dax_layouts()",
  [KERNEL_PARAM],
  (p) => {
    const release = p.kernel ?? NEWEST_KERNEL;
    return {
      mayPin: refuseFsdax(EOPNOTSUPP),
      // writable_file_mapping_allowed(): v6.5, 8ac268436e6d.
      writableFileRule: kernelAtLeast(release, "6.5") ? "all" : "none",
      busyScope: "file",
      // MF_MEM_PRE_REMOVE: v6.8 (fs/xfs/xfs_notify_failure.c).
      unbindSigbus: kernelAtLeast(release, "6.8"),
      answers: {
        mayPin: "fs-DAX VMA → EOPNOTSUPP (check_vma_flags); others allowed",
        layoutChange:
          "fs-DAX: wait for the pins, no timeout (dax_layout_busy_page); page cache: orphan",
      },
      layoutChange: onDax({ do: "wait" }),
      kernel: kernelRules(release),
    };
  },
);
