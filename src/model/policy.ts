/**
 * The policy interface: each option proposed for long-term pins on file pages
 * answers these few questions. The model asks them at the points where the
 * kernel (or the proposal) decides; everything else is shared kernel behaviour.
 * A policy keeps no state of its own: whatever it needs lives in the model state.
 */
import type { Model, State } from "./layout.js";
import type { LeaseVariant } from "./spec.js";

/** Question 1, asked in check_vma_flags() at the position of the fs-DAX test. */
export interface PinQuery {
  readonly model: Model;
  readonly state: State;
  readonly proc: number;
  readonly inode: number;
  readonly ofd: number;
  readonly writable: boolean;
}

/** `evict`: the last close of an unlinked file (evict → ->evict_inode; fs/unlink.ts). */
export type LayoutChangeKind =
  | "truncate"
  | "punch"
  | "collapse"
  | "alloc"
  | "reflink"
  | "unplug"
  | "evict";

/** Question 2: a layout change meets pinned pages in its range. */
export interface LayoutQuery {
  readonly model: Model;
  readonly state: State;
  readonly kind: LayoutChangeKind;
  readonly caller: number;
  readonly inode: number;
  /**
   * The file is on fs-DAX (vma_is_fsdax(), backing.ts fsdax): false for
   * page-cache, tmpfs and hugetlbfs files (device-DAX cannot change its layout).
   */
  readonly dax: boolean;
}

/**
 * What a layout change over pinned pages does:
 * - `proceed`: change the layout now, pinned or not (blocks freed under the pin; page-cache pages orphaned);
 * - `wait`: block until no page of the range is pinned (dax_layout_busy_page), no timeout;
 * - `fail`: return the errno;
 * - `defer`: change the layout now; pinned blocks stay busy until the last unpin;
 * - `revoke`: break the pins' leases (SIGIO, lease-break timer), then wait.
 */
export type LayoutDecision =
  | { readonly do: "proceed" }
  | { readonly do: "wait" }
  | { readonly do: "fail"; readonly errno: number }
  | { readonly do: "defer" }
  | { readonly do: "revoke" };

export type Escalation = "sigkill" | "invalidate";

export type GupEra = "2019" | "v6.2";

/** One line per era for `pinlab policies`. */
export const GUP_ERA_DOC: Readonly<Record<GupEra, string>> = {
  "2019":
    "2019 ib_umem_get: every MR pinned FOLL_WRITE (R/O MRs FOLL_WRITE|FOLL_FORCE); a R/O MR over a R/O MAP_SHARED mapping fails EFAULT",
  "v6.2":
    "v6.2 and later: FOLL_WRITE only for writable MRs; a R/O long-term pin of a MAP_PRIVATE mapping unshares (gup_must_unshare)",
};

/**
 * Rules that differ between the kernel releases `linux(kernel=...)` models
 * (src/policies/linux.ts). Each names the commit or release that changed it.
 */
export interface KernelRules {
  /** The release, e.g. "6.1", shown beside every verdict. */
  readonly release: string;
  /**
   * Before v6.5 io_uring's io_pin_pages() (io_uring/rsrc.c) itself refused a
   * buffer in any file-backed VMA but shmem and hugetlbfs with EOPNOTSUPP,
   * after pinning it; 54d020692b34 ("io_uring: rsrc: delegate VMA file-backed
   * check to GUP", v6.5) left the decision to writable_file_mapping_allowed().
   */
  readonly ioUringFileCheck: boolean;
  /**
   * Before v6.2 ib_umem_get() pinned a R/O MR with FOLL_WRITE|FOLL_FORCE ("RDMA/umem:
   * remove FOLL_FORCE usage", v6.2), so a R/O MR over a R/O MAP_SHARED mapping
   * failed with EFAULT. Only the umem flags: fork's early COW (v5.9) and the
   * ODP limit (v5.4) are the newer rules already.
   */
  readonly umemForce: boolean;
}

export interface ParamSpec {
  readonly name: string;
  readonly values: readonly string[];
  readonly default: string;
  readonly doc: string;
}

export interface Policy {
  readonly name: string;
  /** One line for `pinlab policies`. */
  readonly summary: string;
  /** Who proposed it, with the mail or commit it models. */
  readonly source: string;
  readonly params: Readonly<Record<string, string>>;
  /**
   * check_vma_flags() step 3: a FOLL_LONGTERM pin of an fs-DAX VMA. Return 0 to
   * allow it or a positive errno. Today's kernel returns EOPNOTSUPP.
   */
  longtermFsdax(q: PinQuery): number;
  /**
   * Whether writable_file_mapping_allowed() (v6.5, commit 8ac268436e6d) refuses a
   * writable long-term pin of a dirty-tracked shared file mapping with EFAULT:
   * `all` mappings, `pagecache` mappings only, or `none` (before v6.5).
   */
  readonly writableFileRule: "all" | "pagecache" | "none";
  /**
   * The GUP rules of RDMA registration the policy assumes (shown by `pinlab policies`):
   * `2019`: ib_umem_get() pins every MR with FOLL_WRITE, a R/O one with
   * FOLL_WRITE|FOLL_FORCE, so a R/O MR over a R/O MAP_SHARED mapping fails
   * with EFAULT (check_vma_flags: a forced write needs a COW mapping);
   * `v6.2`: FOLL_WRITE only for a writable MR, and a R/O long-term pin of a
   * MAP_PRIVATE mapping unshares (gup_must_unshare). See mm/unshare.ts.
   */
  readonly gupEra: GupEra;
  /** FOLL_LONGTERM migrates pages out of ZONE_MOVABLE/CMA before pinning them (v5.1/v5.13). */
  readonly migrateBeforePin: boolean;
  /** Every registration takes the ODP path: no pins, MMU-notifier invalidation. */
  readonly odp: boolean;
  /** An fs-DAX long-term pin holds a revocable lease; layout changes break it. */
  readonly revocablePins: boolean;
  /** Userspace F_LAYOUT and F_UNBREAK leases exist (Ira Weiny's RFC). */
  readonly layoutLeases: boolean;
  /**
   * Which layout-lease patches apply (only when `layoutLeases`): RFC v1, RFC v2,
   * or the September 2019 lease semantics. Asked with the model, so that a
   * scenario's `layout_lease` statement can choose when the policy leaves it open.
   */
  readonly layoutLeaseVariant?: (m: Model) => LeaseVariant;
  /** A long-term pin makes its file behave like an active swapfile (S_SWAPFILE). */
  readonly swapfileOnPin: boolean;
  /**
   * Which pages a layout change checks for pins: the whole `file`, as
   * xfs_break_dax_layouts()/ext4_break_layouts() do, or only the affected `range`
   * (Ira Weiny's RFC made dax_layout_busy_page range-based). fs-DAX on XFS
   * checks the whole file either way (layoutGate).
   */
  readonly busyScope: "file" | "range";
  /**
   * What a layout change on fs-DAX does when the only references to its pages
   * are short-term ones that end by themselves (O_DIRECT bios, mm/dio.ts):
   * `wait` for them, as dax_layout_busy_page() makes XFS and ext4 do since
   * v4.18, or `proceed` and free the blocks under the bio (before). No 2019
   * proposal changes this: they are about long-term pins, and a wait for a
   * reference that drops by itself always ends. (Page-cache truncate never
   * waits for references: the page is orphaned.)
   */
  readonly shortTermRefs: "wait" | "proceed";
  /** What happens when the lease-break timer of a revocable pin fires. */
  readonly escalation: Escalation;
  /** A layout change meets pinned pages (fs-DAX blocks or page-cache pages) in its range. */
  layoutChange(q: LayoutQuery): LayoutDecision;
  /**
   * Where a swapfile-like file (swapfileOnPin) refuses a size change with
   * ETXTBSY: `vfs`, before the filesystem's ->setattr, for every size change;
   * or `newsize`, mainline's inode_newsize_ok() in setattr_prepare(), for a
   * shrink only, which XFS reaches only after xfs_break_layouts().
   */
  readonly swapfileCheck: "vfs" | "newsize";
  /**
   * At pmem unbind, XFS sends SIGBUS to every process mapping a file on the
   * device before waiting for page references (v6.8: MF_MEM_PRE_REMOVE,
   * xfs_dax_notify_failure() → mf_dax_kill_procs()).
   */
  readonly unbindSigbus: boolean;
  /** The kernel release a policy about Linux itself models (`linux`'s kernel=); undefined otherwise. */
  readonly kernel?: KernelRules;
}

/** A policy module: its name, documentation and a constructor taking parameters. */
export interface PolicyModule {
  readonly name: string;
  readonly summary: string;
  readonly source: string;
  readonly params: readonly ParamSpec[];
  create(params: Readonly<Record<string, string>>): Policy;
}
