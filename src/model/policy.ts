/**
 * The policy interface: each option proposed for long-term pins on file pages
 * answers these few questions. The model asks them at the points where the
 * kernel (or the proposal) decides; everything else is shared kernel behaviour.
 * A policy keeps no state of its own: whatever it needs lives in the model state.
 */
import type { Model, State } from "./layout.js";
import type { Backing, Cap, LeaseVariant } from "./spec.js";

/**
 * Who holds pins: an RDMA MR (`rdma`), an ODP MR (`odp`, no pins: its MMU
 * notifier is never asked, see `revokePinner`), an io_uring fixed buffer
 * (`io_uring`), a VFIO type1 DMA mapping (`vfio`, vfio/dma.ts), a gup_test pin
 * (`gup_test`, tools/testing/selftests/mm), or an O_DIRECT bio's short-term
 * reference (`dio`, mm/dio.ts).
 */
export type PinnerKind = "rdma" | "odp" | "io_uring" | "vfio" | "gup_test" | "dio";

/**
 * Question 1, "who may take a long-term pin", asked for every
 * pin_user_pages(FOLL_LONGTERM) of a registration (RDMA MR, io_uring buffer,
 * gup_test pin; never for an ODP MR, which pins nothing) at two points:
 * - `stage: "vma"`: in check_vma_flags() (mm/gup.c) at the position of its
 *   fs-DAX test, after VM_IO|VM_PFNMAP (EFAULT) and before the FOLL_WRITE
 *   rules; asked for every backing (`dax` says whether it is fs-DAX);
 * - `stage: "page"`: in follow_page_pte(), after faultin_page() resolved the
 *   page (a hole got its block), for each fs-DAX device page: where Ira
 *   Weiny's layout-lease RFC refuses a pin without the lease (patch 04 of
 *   v1 and v2, https://lore.kernel.org/r/20190606014544.8339-1-ira.weiny@intel.com).
 * The pin_user_pages_fast() path of a gup_test pin that needs no slow path
 * asks nothing (mm/gup-fast.ts). Return 0 to allow or a positive errno.
 */
export interface PinQuery {
  readonly model: Model;
  readonly state: State;
  readonly stage: "vma" | "page";
  /** The pinning process, its user (index into model.users) and the user's capabilities. */
  readonly proc: number;
  readonly user: number;
  readonly caps: readonly Cap[];
  readonly pinner: PinnerKind;
  readonly inode: number;
  readonly ofd: number;
  /**
   * The registration asks for write access (local or remote write; an io_uring
   * buffer always). Under 2019's GUP rules every MR is pinned FOLL_WRITE anyway.
   */
  readonly writable: boolean;
  /** The file's state: its backing, fs-DAX or not, its owner is the pinning user, its memfd seals (SEAL_* bits of backing.ts). */
  readonly backing: Backing;
  readonly dax: boolean;
  readonly fileOwner: boolean;
  readonly seals: number;
  /** The mapping: MAP_SHARED, and mapped writable (VM_WRITE). */
  readonly shared: boolean;
  readonly mappingWritable: boolean;
  /**
   * The pinning process holds the layout lease a pin needs under the RFC
   * version in force (locks/lease.ts pinLeaseHeld(): v1 any F_LAYOUT lease on
   * the file, v2 and sep2019 its own unbreakable one). Computed when read.
   */
  readonly leaseHeld: boolean;
}

/** `evict`: the last close of an unlinked file (evict → ->evict_inode; fs/unlink.ts). */
export type LayoutChangeKind =
  | "truncate"
  | "punch"
  | "collapse"
  | "alloc"
  | "reflink"
  | "unplug"
  | "evict"
  /** FALLOC_FL_ZERO_RANGE, FALLOC_FL_INSERT_RANGE, FALLOC_FL_UNSHARE_RANGE */
  | "zero"
  | "insert"
  | "unshare"
  /** FIDEDUPERANGE: the destination's range comes to share the source's blocks */
  | "dedupe";

/** Question 2: a layout change meets pinned pages in its range. */
export interface LayoutQuery {
  readonly model: Model;
  readonly state: State;
  readonly kind: LayoutChangeKind;
  /** The calling process (for `unplug`, the one unbinding the device). */
  readonly caller: number;
  readonly inode: number;
  /**
   * The file is on fs-DAX (vma_is_fsdax(), backing.ts fsdax): false for
   * page-cache, tmpfs and hugetlbfs files (device-DAX cannot change its layout).
   */
  readonly dax: boolean;
  /** Processes holding the pins or references found in the range, and their kinds. */
  readonly holders: readonly number[];
  readonly pinners: readonly PinnerKind[];
  /** The caller is the pins' owner: every holder is the calling process itself. */
  readonly owner: boolean;
  /** Every holder runs as the caller's user. */
  readonly sameUser: boolean;
  /** The caller's user owns the file (inode owner). */
  readonly fileOwner: boolean;
  /** The caller's user has CAP_SYS_ADMIN (`user NAME caps=CAP_SYS_ADMIN`). */
  readonly privileged: boolean;
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

/**
 * Question 3 and 4: one pinner whose pins a `revoke` layout decision breaks,
 * or whose lease-break timer fired. ODP MRs are never asked (their MMU
 * notifier invalidation runs before any busy check and no proposal changes
 * it); O_DIRECT bios are never asked (see `shortTermRefs`).
 */
export interface PinnerQuery {
  readonly model: Model;
  readonly state: State;
  readonly pinner: PinnerKind;
  /** The registration (index into model.mrs) and the process holding it. */
  readonly mr: number;
  readonly proc: number;
  readonly inode: number;
  /**
   * What the hardware can do to this one registration: the NIC's `invalidate=`
   * (`fence`, `unfenced`, `none`); an io_uring buffer or a VFIO mapping is
   * always `fence` (the kernel empties the ring's slot or unmaps the IOMMU
   * range; rdma/escalate.ts).
   */
  readonly invalidate: "fence" | "unfenced" | "none";
}

/** Question 3's query: the pinner and the layout change breaking it. */
export interface RevokeQuery extends PinnerQuery {
  readonly kind: LayoutChangeKind;
  /** The caller of the layout change (-1: device removal, no caller). */
  readonly caller: number;
  /** The caller is this pinner's process. */
  readonly owner: boolean;
}

/**
 * What a revoke does to one pinner:
 * - `break`: break its lease: SIGIO (or F_SETSIG's signal) to the holder, the
 *   lease-break timer starts, the change waits (Jan Kara,
 *   https://lore.kernel.org/r/20190206095000.GA12006@quack2.suse.cz);
 * - `invalidate`: invalidate the one registration now without asking the
 *   holder, as the timer's `invalidate` would (hardware permitting: where
 *   `invalidate` is `none` it falls back to `break`);
 * - `wait`: neither: the change waits until the holder unpins by itself.
 */
export type RevokeAction = "break" | "invalidate" | "wait";

/**
 * What the kernel does when lease-break-time expires on a broken pin:
 * `sigkill` the holder (Jason Gunthorpe: the only supported teardown), or
 * `invalidate` the one registration; where the hardware cannot (`invalidate`
 * is `none`) the model falls back to SIGKILL (rdma/escalate.ts).
 */
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
  /**
   * Before v6.7 mmap_region() counted every VM_SHARED mapping in i_mmap_writable
   * before ->mmap ran (mapping_map_writable()): a MAP_SHARED mapping of an
   * F_SEAL_WRITE memfd failed with EPERM whatever its protection, and a read-only
   * one made under F_SEAL_FUTURE_WRITE still refused a later F_SEAL_WRITE (EBUSY).
   * Lorenzo Stoakes' "permit write-sealed memfd read-only shared mappings" (v6.7)
   * counts only VM_SHARED|VM_MAYWRITE after ->mmap. The 6.1 stable kernel that
   * `pinlab conform` boots (Debian's 6.1.0) already behaves so, so no release of
   * `linux(kernel=...)` sets this; it is for a plugin modelling an older kernel.
   * Optional: left out means the newer rule.
   */
  readonly sealCountsSharedMap?: boolean;
}

export interface ParamSpec {
  readonly name: string;
  readonly values: readonly string[];
  readonly default: string;
  readonly doc: string;
}

/** The questions a policy answers (for documentation: `pinlab policies`). */
export type Question = "mayPin" | "layoutChange" | "revokePinner" | "leaseBreakTimeout";

export interface Policy {
  readonly name: string;
  /** One line for `pinlab policies`. */
  readonly summary: string;
  /** Who proposed it, with the mail or commit it models. */
  readonly source: string;
  readonly params: Readonly<Record<string, string>>;
  /** One line per question saying how this instance answers it (shown by `pinlab policies`). */
  readonly answers: Readonly<Record<Question, string>>;
  /**
   * Question 1, who may take a long-term pin (PinQuery says where it is asked).
   * Return 0 to allow it or a positive errno. Today's kernel returns
   * EOPNOTSUPP for an fs-DAX VMA at stage `vma` (base.ts refuseFsdax).
   * Default (base.ts allowPins): 0.
   */
  mayPin(q: PinQuery): number;
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
  /**
   * Question 2: a layout change meets pinned pages (fs-DAX blocks or
   * page-cache pages) in its range; asked in xfs_break_layouts()/ext4_break_layouts()
   * after the unmap and the busy-page scan (fs/layout-change.ts). Device
   * removal cannot fail and eviction cannot fail: their `fail` becomes a wait.
   */
  layoutChange(q: LayoutQuery): LayoutDecision;
  /**
   * Question 3, per pinner, when `layoutChange` answered `revoke`: what happens
   * to that pinner (RevokeAction). Default (base.ts breakEveryPin): `break`.
   */
  revokePinner(q: RevokeQuery): RevokeAction;
  /**
   * Question 4, per pinner, when the lease-break timer of its broken pin fires
   * (fs/locks.c time_out_leases() only downgrades or removes a timed-out
   * lease; what then happens to the pins is the proposal's): Escalation.
   * Default (base.ts escalateWith("sigkill")): `sigkill`.
   */
  leaseBreakTimeout(q: PinnerQuery): Escalation;
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
