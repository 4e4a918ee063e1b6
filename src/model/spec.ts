/**
 * A scenario as plain data: what the builder API and the `.pin` parser both
 * produce, and what `compile()` lowers into a model. Names (users, files,
 * variables, peers) are strings here; lowering turns them into small ids.
 */

/** Where a construct came from in a scenario file (1-based), for traces and diagnostics. */
export interface SourcePos {
  readonly line: number;
  readonly col: number;
}

export type FsKind = "dax" | "pagecache";

/**
 * Which filesystem's code the layout changes follow. XFS breaks layouts (and
 * waits for pinned pages) first thing in ->setattr and ->fallocate, before
 * setattr_prepare() and before fallocate's argument checks, for every
 * fallocate mode; ext4 checks first and does not break layouts for a plain
 * allocation (xfs_vn_setattr/xfs_file_fallocate vs ext4_setattr/ext4_fallocate).
 */
export type FsFlavor = "xfs" | "ext4";
export const FS_FLAVORS: readonly FsFlavor[] = ["xfs", "ext4"];

/**
 * Ira Weiny's layout-lease patches, as each version has them: RFC v1
 * (https://lore.kernel.org/r/20190606014544.8339-1-ira.weiny@intel.com), RFC v2
 * (https://lore.kernel.org/r/20190809225833.6657-1-ira.weiny@intel.com), and the
 * September 2019 lease semantics
 * (https://lore.kernel.org/r/20190923190853.GA3781@iweiny-DESK2.sc.intel.com).
 */
export type LeaseVariant = "v1" | "v2" | "sep2019";
export const LEASE_VARIANTS: readonly LeaseVariant[] = ["v1", "v2", "sep2019"];

/**
 * Capabilities the model consults (capable() checks in the kernel paths
 * modelled). CAP_SYS_ADMIN is consulted by may_dedupe_file() only; a policy
 * may consult it too (LayoutQuery.privileged, PinQuery.caps). CAP_CHOWN
 * (chown_ok()) and CAP_FOWNER (inode_owner_or_capable()) are consulted by
 * chown, chmod and FS_IOC_FSSETXATTR.
 */
export type Cap = "CAP_LEASE" | "CAP_IPC_LOCK" | "CAP_SYS_ADMIN" | "CAP_CHOWN" | "CAP_FOWNER";
export const CAPS: readonly Cap[] = [
  "CAP_LEASE",
  "CAP_IPC_LOCK",
  "CAP_SYS_ADMIN",
  "CAP_CHOWN",
  "CAP_FOWNER",
];

export interface FsSpec {
  /** fs-DAX (the page *is* the block) or a page-cache filesystem (ext4/xfs without DAX). */
  readonly kind: FsKind;
  /** Number of blocks on the device (one block = one page). */
  readonly blocks: number;
  /** XFS (the default) or ext4. */
  readonly flavor?: FsFlavor;
  /**
   * The `dax=` mount option of an fs-DAX filesystem: `always` (the default)
   * makes every regular file DAX; `inode` makes a file DAX when its
   * FS_XFLAG_DAX flag is set, the flag taking effect when the inode is next
   * loaded (xfs_inode_should_enable_dax(), ext4_should_enable_dax()). Files
   * of a `dax=inode` scenario start with the flag set (inherited from their
   * directory), hence DAX.
   */
  readonly daxMount?: "always" | "inode";
}

export interface UserSpec {
  readonly name: string;
  readonly caps: readonly Cap[];
}

/**
 * The program of a local process: what it does on a lease break (SIGIO, or the
 * F_SETSIG signal). `terminate`: it installed no handler, and the signal's
 * default action kills it (SIGIO's does); the others name a handler.
 */
export type LeaseBreakBehaviour = "terminate" | "cancel" | "ignore" | "hang" | "crash";
export const LEASE_BREAK_BEHAVIOURS: readonly LeaseBreakBehaviour[] = [
  "terminate",
  "cancel",
  "ignore",
  "hang",
  "crash",
];

export interface FileSpec {
  readonly name: string;
  readonly owner: string;
  /** Permission bits, e.g. 0o644 (owner and others; groups are not modelled). */
  readonly mode: number;
  /** File size in pages. */
  readonly pages: number;
  /** `allocated`: every page has a block at start; `sparse`: every page is a hole. */
  readonly layout: "allocated" | "sparse";
  /**
   * Whether the allocated blocks hold zeroes. `false` is hypothetical: XFS and
   * ext4 never map a block that was not zeroed or marked unwritten, so such a
   * file can only come from outside the filesystem (a raw write of the device,
   * a buggy filesystem). It models Dave Chinner's warning that a pinned file
   * must be written with zeroes first
   * (https://lore.kernel.org/r/20190208044302.GA20493@dastard), and the
   * scenario format spells it `hypothetical-unzeroed`.
   */
  readonly zeroed: boolean;
  /** This file shares its extents with another file (FICLONE at setup). */
  readonly reflinkOf?: string;
  /** `pfnmap`: a device file whose mmap is VM_IO|VM_PFNMAP (e.g. a PCI BAR). */
  readonly kind?: "regular" | "pfnmap";
  /** Page-cache pages of this file are allocated in ZONE_MOVABLE (or CMA). */
  readonly movable?: boolean;
  /**
   * What holds the file's pages (backing.ts); absent: `fs`, the scenario's
   * filesystem. `tmpfs` (shmem), `hugetlbfs`, `devdax` (a device-DAX
   * character device) and `other` (a page-cache filesystem the gup_longterm
   * selftest calls unknown) let one scenario mix backings.
   */
  readonly backing?: Backing;
}

/**
 * The memory behind a file or mapping (src/model/backing.ts):
 * - `fs`: the scenario's filesystem (`fs dax` or `fs pagecache`);
 * - `tmpfs`: shmem, also behind memfd_create() and MAP_SHARED|MAP_ANONYMOUS;
 * - `hugetlbfs`: hugetlbfs, also behind memfd_create(MFD_HUGETLB);
 * - `devdax`: a device-DAX character device (/dev/daxX.Y);
 * - `other`: a page-cache filesystem with ->page_mkwrite and writeback that
 *   tools/testing/selftests/mm/gup_longterm.c does not know (fs_is_unknown());
 * - `anon`: private anonymous memory (MAP_PRIVATE|MAP_ANONYMOUS), never a file.
 */
export type Backing = "fs" | "tmpfs" | "hugetlbfs" | "devdax" | "other" | "anon";
/** The backings a `file` statement may name (`anon` comes only from `mmap anon`). */
export const FILE_BACKINGS: readonly Backing[] = ["fs", "tmpfs", "hugetlbfs", "devdax", "other"];

/** F_SEAL_* of fcntl(F_ADD_SEALS) (include/uapi/linux/fcntl.h). */
export type Seal = "seal" | "shrink" | "grow" | "write" | "future_write" | "exec";
export const SEALS: readonly Seal[] = ["seal", "shrink", "grow", "write", "future_write", "exec"];

/** The fallocate(2) modes of the `fallocate` operation. */
export type FallocMode = "alloc" | "punch" | "collapse" | "zero" | "insert" | "unshare";
export const FALLOC_MODES: readonly FallocMode[] = [
  "alloc",
  "punch",
  "collapse",
  "zero",
  "insert",
  "unshare",
];

/** Access flags of an RDMA memory registration (IBV_ACCESS_*). */
export type Access = "local_write" | "remote_write" | "remote_read";
export const ACCESSES: readonly Access[] = ["local_write", "remote_write", "remote_read"];

interface OpBase {
  readonly at?: SourcePos;
  /** Optional label so that expectations can name one of several like operations. */
  readonly label?: string;
  /**
   * Unrolled from a `loop` (flow.ts): the index of this statement's first
   * copy in the program, whose object slots (file description, mapping,
   * registration) this copy reuses.
   */
  readonly copyOf?: number;
}

/** One operation of a local process. `dst` names the variable that receives the result. */
export type ProcOp =
  | (OpBase & {
      readonly op: "open";
      readonly dst: string;
      readonly file: string;
      readonly mode: "r" | "w" | "rw";
      /** O_CREAT|O_EXCL: the file must not exist yet; it is created owned by the caller. */
      readonly create?: boolean;
    })
  | (OpBase & { readonly op: "close"; readonly fd: string })
  | (OpBase & {
      readonly op: "mmap";
      readonly dst: string;
      readonly fd: string;
      readonly first: number;
      readonly last: number;
      readonly shared: boolean;
      readonly prot: "r" | "rw";
    })
  /**
   * mmap(MAP_ANONYMOUS): `pages` pages of private anonymous memory, or, shared,
   * of a new shmem object (shmem_zero_setup()).
   */
  | (OpBase & {
      readonly op: "mmap_anon";
      readonly dst: string;
      readonly pages: number;
      readonly shared: boolean;
      readonly prot: "r" | "rw";
    })
  /** memfd_create(2): a new, empty (size 0) tmpfs or hugetlbfs file, open O_RDWR. */
  | (OpBase & {
      readonly op: "memfd_create";
      readonly dst: string;
      /** MFD_HUGETLB. */
      readonly hugetlb?: boolean;
      /** MFD_ALLOW_SEALING (else the file starts with F_SEAL_SEAL). */
      readonly allowSealing?: boolean;
    })
  /** fcntl(fd, F_ADD_SEALS, seals) (mm/memfd.c memfd_add_seals). */
  | (OpBase & { readonly op: "add_seals"; readonly fd: string; readonly seals: readonly Seal[] })
  /**
   * The gup_test debugfs ioctl PIN_LONGTERM_TEST_START (mm/gup_test.c) that
   * tools/testing/selftests/mm/gup_longterm.c drives: pin_user_pages() or,
   * `fast`, pin_user_pages_fast(), with FOLL_LONGTERM and, `write`, FOLL_WRITE.
   * The pin has no DMA behind it; `unpin_longterm` (PIN_LONGTERM_TEST_STOP) drops it.
   */
  | (OpBase & {
      readonly op: "pin_longterm";
      readonly dst: string;
      readonly va: string;
      readonly write: boolean;
      readonly fast: boolean;
    })
  | (OpBase & { readonly op: "unpin_longterm"; readonly pin: string })
  | (OpBase & { readonly op: "munmap"; readonly va: string })
  /** mprotect(2) of the whole mapping: PROT_READ, PROT_READ|PROT_WRITE or PROT_NONE (mm/vma-ops.ts). */
  | (OpBase & { readonly op: "mprotect"; readonly va: string; readonly prot: "r" | "rw" | "none" })
  /**
   * mremap(2) with MREMAP_MAYMOVE of the whole mapping, same size: `fixed`
   * (MREMAP_FIXED, to a new address) or `dontunmap` (MREMAP_DONTUNMAP: the
   * old range stays mapped, empty) moves it; without either nothing moves.
   */
  | (OpBase & {
      readonly op: "mremap";
      readonly dst: string;
      readonly va: string;
      readonly fixed?: boolean;
      readonly dontunmap: boolean;
    })
  /**
   * ibv_rereg_mr(): a new address range (`va`, IB_MR_REREG_TRANS) and/or new
   * access flags (IB_MR_REREG_ACCESS) for a registered MR; `keys`: whether the
   * driver keeps the lkey/rkey (mlx5's UMR path) or makes a new MR (rdma/rereg.ts).
   */
  | (OpBase & {
      readonly op: "rereg_mr";
      readonly mr: string;
      readonly va?: string;
      readonly access?: readonly string[];
      readonly keys?: "same" | "new";
    })
  /** A CPU store through a mapping: write fault → page_mkwrite → dirty. */
  | (OpBase & { readonly op: "store"; readonly va: string; readonly page: number })
  /** A CPU load through a mapping. */
  | (OpBase & { readonly op: "load"; readonly va: string; readonly page: number })
  /** pread(2) of one page. */
  | (OpBase & { readonly op: "read"; readonly fd: string; readonly page: number })
  /** pwrite(2) of one page. */
  | (OpBase & { readonly op: "write"; readonly fd: string; readonly page: number })
  | (OpBase & {
      readonly op: "reg_mr";
      readonly dst: string;
      readonly va: string;
      readonly access: readonly Access[];
      /** IBV_ACCESS_ON_DEMAND: no pin; the device faults pages through an MMU notifier. */
      readonly odp?: boolean;
    })
  | (OpBase & { readonly op: "dereg_mr"; readonly mr: string })
  /** Hand an MR's rkey to a remote peer (over the application's own protocol). */
  | (OpBase & { readonly op: "send"; readonly peer: string; readonly mr: string })
  | (OpBase & {
      readonly op: "setlease";
      readonly fd: string;
      readonly type: "rd" | "wr" | "unlck";
      /** F_LAYOUT (Ira Weiny's 2019 RFC exposes FL_LAYOUT to userspace). */
      readonly layout?: boolean;
      /** F_UNBREAK (RFC): breakers get ETXTBSY instead of a lease break. */
      readonly unbreak?: boolean;
    })
  | (OpBase & { readonly op: "truncate"; readonly file: string; readonly pages: number })
  | (OpBase & { readonly op: "ftruncate"; readonly fd: string; readonly pages: number })
  /**
   * fallocate(2) of pages FIRST..LAST: `alloc` (mode 0), `punch`
   * (PUNCH_HOLE|KEEP_SIZE), `collapse` (COLLAPSE_RANGE), `zero` (ZERO_RANGE),
   * `insert` (INSERT_RANGE) and `unshare` (UNSHARE_RANGE); KEEP_SIZE is
   * given with `punch` only.
   */
  | (OpBase & {
      readonly op: "fallocate";
      readonly fd: string;
      readonly mode: FallocMode;
      readonly first: number;
      readonly last: number;
    })
  /** FICLONE: make `dst` share all of `src`'s extents. */
  | (OpBase & { readonly op: "reflink"; readonly src: string; readonly dst: string })
  /**
   * ioctl(src, FIDEDUPERANGE) with one destination and the same offset in
   * both files: pages FIRST..LAST of `dst` come to share `src`'s blocks if
   * their contents are equal (fs/remap_range.c vfs_dedupe_file_range).
   */
  | (OpBase & {
      readonly op: "dedupe";
      readonly src: string;
      readonly dst: string;
      readonly first: number;
      readonly last: number;
    })
  /** chmod(2) of a file's permission bits (owner and others). */
  | (OpBase & { readonly op: "chmod"; readonly file: string; readonly mode: number })
  /** chown(2) of a file to another user. */
  | (OpBase & { readonly op: "chown"; readonly file: string; readonly user: string })
  /**
   * ioctl(fd, FS_IOC_FSSETXATTR) setting (`dax`) or clearing (`nodax`)
   * FS_XFLAG_DAX: on a `dax=inode` mount it takes effect when the inode is
   * next loaded, after its last reference drops (fs/dax-flag.ts).
   */
  | (OpBase & { readonly op: "fssetxattr"; readonly fd: string; readonly dax: boolean })
  /** fsync(2): write back the file's dirty pages now. */
  | (OpBase & { readonly op: "fsync"; readonly fd: string })
  /** Remove the pmem device (driver unbind / hot-unplug). */
  | (OpBase & { readonly op: "unplug" })
  /**
   * An uncorrectable memory error in the memory behind FILE's page, reported
   * asynchronously (patrol scrub, ARS): memory_failure() of its pfn.
   * `earlyKill`: vm.memory_failure_early_kill=1 (or PR_MCE_KILL_EARLY).
   */
  | (OpBase & {
      readonly op: "memory_failure";
      readonly file: string;
      readonly page: number;
      readonly earlyKill?: boolean;
    })
  /** The HCA is reset or removed: ib_unregister_device() disassociates every uverbs context. */
  | (OpBase & { readonly op: "hca_reset" })
  /** Wait until a peer reports over the application's protocol that it is done (or failed). */
  | (OpBase & { readonly op: "await"; readonly peer: string })
  /** fcntl(fd, F_SETSIG, sig): the signal a lease break sends (0 or unset: SIGIO). */
  | (OpBase & { readonly op: "setsig"; readonly fd: string; readonly signal: string })
  /** kill(2); `signal` defaults to SIGKILL. */
  | (OpBase & { readonly op: "kill"; readonly proc: string; readonly signal?: string })
  /**
   * Pass the process's uverbs file (its RDMA context, which owns its MRs) to
   * another process over a unix socket (SCM_RIGHTS): the file, and every MR
   * in it, then lives until both have let go of it.
   */
  | (OpBase & { readonly op: "send_uverbs"; readonly proc: string })
  /**
   * io_uring_register(IORING_REGISTER_BUFFERS) of one buffer, the whole of
   * mapping `va`, on the process's ring (io_uring/rsrc.c io_sqe_buffers_register):
   * a FOLL_WRITE|FOLL_PIN|FOLL_LONGTERM pin of every page (io_pin_pages).
   */
  | (OpBase & { readonly op: "io_uring_register"; readonly dst: string; readonly va: string })
  /** io_uring_register(IORING_UNREGISTER_BUFFERS): the ring's buffer table goes, its pins drop. */
  | (OpBase & { readonly op: "io_uring_unregister"; readonly buf: string })
  /**
   * IORING_OP_READ_FIXED into page `page` of registered buffer `buf`: the kernel
   * (or the device of the file read) writes the pinned page, wherever the
   * page tables point now. The source file is outside the model.
   */
  | (OpBase & { readonly op: "read_fixed"; readonly buf: string; readonly page: number })
  /** IORING_OP_WRITE_FIXED from page `page` of registered buffer `buf`: the kernel reads the pinned page. */
  | (OpBase & { readonly op: "write_fixed"; readonly buf: string; readonly page: number })
  /**
   * ioctl(container, VFIO_IOMMU_MAP_DMA) of the whole of mapping `va` for the
   * process's assigned device (drivers/vfio/vfio_iommu_type1.c): a
   * pin_user_pages_remote(FOLL_LONGTERM) of every page, FOLL_WRITE when
   * `write` (VFIO_DMA_MAP_FLAG_WRITE: the device may write memory); `read`
   * is VFIO_DMA_MAP_FLAG_READ (the device may read it).
   */
  | (OpBase & {
      readonly op: "vfio_map_dma";
      readonly dst: string;
      readonly va: string;
      readonly read: boolean;
      readonly write: boolean;
    })
  /** ioctl(container, VFIO_IOMMU_UNMAP_DMA) of the mapping's IOVA range: IOMMU unmap, then unpin. */
  | (OpBase & { readonly op: "vfio_unmap_dma"; readonly dma: string })
  /** The assigned device writes page `page` of DMA mapping `dma` (through the IOMMU). */
  | (OpBase & { readonly op: "vfio_dma_write"; readonly dma: string; readonly page: number })
  /** The assigned device reads page `page` of DMA mapping `dma`. */
  | (OpBase & { readonly op: "vfio_dma_read"; readonly dma: string; readonly page: number })
  /**
   * An O_DIRECT read(2) from a file on another device (outside the model)
   * into page `page` of mapping `va`: a short-term FOLL_PIN of the page for
   * the bio, which ends by itself when the bio completes.
   */
  | (OpBase & { readonly op: "dio_read"; readonly va: string; readonly page: number })
  /**
   * vmsplice(2) of page `page` of mapping `va` into the process's pipe (one per
   * process, implicit; fs/splice.c vmsplice_to_pipe → iter_to_pipe): the pipe
   * buffer holds a plain reference to the page until the pipe is read or closed.
   */
  | (OpBase & { readonly op: "vmsplice"; readonly va: string; readonly page: number })
  /** read(2) of the process's pipe (O_NONBLOCK): every buffer is consumed and its page reference dropped. */
  | (OpBase & { readonly op: "pipe_read" })
  /** An O_DIRECT write(2) to a file on another device from page `page` of mapping `va`. */
  | (OpBase & { readonly op: "dio_write"; readonly va: string; readonly page: number })
  | (OpBase & { readonly op: "exit" })
  /**
   * fork(2): start process `child` (declared `forked`) as a copy of the caller:
   * its mappings (copy-on-write for private memory, except MADV_DONTFORK
   * ranges), its open files and its uverbs file (src/model/proc/fork.ts).
   */
  | (OpBase & { readonly op: "fork"; readonly child: string })
  /** madvise(2) MADV_DONTFORK / MADV_DOFORK / MADV_DONTNEED over a whole mapping. */
  | (OpBase & {
      readonly op: "madvise";
      readonly va: string;
      readonly advice: "dontfork" | "dofork" | "dontneed";
    })
  /** unlink(2): the name goes; the inode is evicted at its last close (src/model/fs/unlink.ts). */
  | (OpBase & { readonly op: "unlink"; readonly file: string })
  /**
   * Wait until process `proc` has finished its operation labelled `label`
   * (or has died): the application's own synchronisation (a pipe, an eventfd).
   */
  | (OpBase & { readonly op: "wait_for"; readonly proc: string; readonly until: string })
  /**
   * Control flow, what `loop`, `if`, `else` and `break` lower to (flow.ts):
   * go on at operation `to`, unless `unless` is given and the result of
   * operation `unless.pc` is one of `unless.results` (`ok` or errno names).
   * Not a system call: the process takes it at once, as part of the step
   * before it, so it is never a step of its own.
   */
  | (OpBase & {
      readonly op: "jump";
      readonly to: number;
      readonly unless?: { readonly pc: number; readonly results: readonly string[] };
    });

/**
 * A program as written, with its control flow (`loop`, `if`, `break`):
 * ProcSpec.flow. `unrollFlow` (flow.ts) turns it into the flat program.
 */
export type FlowStmt =
  | { readonly kind: "op"; readonly op: ProcOp }
  | {
      readonly kind: "loop";
      readonly count: number;
      readonly body: readonly FlowStmt[];
      readonly at?: SourcePos;
    }
  | {
      readonly kind: "if";
      /** The label of an earlier operation of the program. */
      readonly label: string;
      /** `ok` and errno names: `body` runs when the statement's last result is one of them. */
      readonly results: readonly string[];
      readonly body: readonly FlowStmt[];
      /** The `else` block: runs otherwise (also when the statement has not run, or was skipped). */
      readonly otherwise?: readonly FlowStmt[];
      readonly at?: SourcePos;
    }
  | { readonly kind: "break"; readonly at?: SourcePos };

/** One operation of a remote peer. */
export type PeerOp =
  /** Receive an rkey sent by a local process's `send`. */
  | (OpBase & { readonly op: "recv"; readonly dst: string })
  | (OpBase & { readonly op: "rdma_write"; readonly mr: string; readonly page: number })
  | (OpBase & { readonly op: "rdma_read"; readonly mr: string; readonly page: number });

export type ProcOpName = ProcOp["op"];
export type PeerOpName = PeerOp["op"];

export interface ProcSpec {
  readonly name: string;
  readonly user: string;
  readonly onLeaseBreak: LeaseBreakBehaviour;
  readonly program: readonly ProcOp[];
  readonly at?: SourcePos;
  /**
   * RLIMIT_MEMLOCK of the process in pages; absent: the kernel default,
   * MLOCK_LIMIT = 8 MiB (v5.16 and later), i.e. {@link DEFAULT_MEMLOCK_PAGES}.
   */
  readonly memlock?: number;
  /** The program's repeating tail, if any. */
  readonly repeat?: Repeat;
  /**
   * The program as written when it has control flow (`loop`, `if`): `program`
   * is then its unrolled form (flow.ts unrollFlow), which the model runs.
   */
  readonly flow?: readonly FlowStmt[];
  /**
   * The process does not exist at the start: another process's `fork` starts
   * it, and its program may use the parent's mappings assigned before the fork.
   */
  readonly forked?: boolean;
}

/** MLOCK_LIMIT (include/uapi/linux/resource.h, 8 MiB since v5.16) in 4 KiB pages. */
export const DEFAULT_MEMLOCK_PAGES = 2048;

/**
 * What the local RDMA NIC (its driver) can do to one MR when the kernel wants
 * it gone (Jason Gunthorpe, https://lore.kernel.org/r/20190207171736.GD22726@ziepe.ca):
 * - `fence`: invalidate one MR and fence it: when the call returns, no
 *   operation issued through it can still land;
 * - `unfenced`: invalidate one MR (rereg, IB_MR_REREG_PD) without a fence:
 *   new accesses fail, operations already issued may still land;
 * - `none`: no per-MR invalidation at all; only tearing down everything the
 *   process holds (closing its uverbs context, as SIGKILL does).
 * Most drivers are `none`: rereg_user_mr exists in 3 of 17 drivers, and even
 * there IB_MR_REREG_PD "is not a fence".
 */
export type NicInvalidate = "fence" | "unfenced" | "none";
export const NIC_INVALIDATE: readonly NicInvalidate[] = ["fence", "unfenced", "none"];

export interface NicSpec {
  readonly invalidate: NicInvalidate;
}

/** What most drivers can do: no per-MR invalidation. */
export const DEFAULT_NIC: NicSpec = { invalidate: "none" };

export interface PeerSpec {
  readonly name: string;
  /** Whether the application's wire protocol has a cancel operation (most do not). */
  readonly cancel: boolean;
  readonly program: readonly PeerOp[];
  readonly at?: SourcePos;
  /** The program's repeating tail, if any. */
  readonly repeat?: Repeat;
}

/** Faults the kernel/hardware may inject at any moment (nondeterministic choices). */
export interface FaultSpec {
  /** Processes that may crash at any time. */
  readonly crash: readonly string[];
  /** Processes that may hang (stop making progress, still killable). */
  readonly hang: readonly string[];
  /** Peers whose network link may be partitioned. */
  readonly partition: readonly string[];
  /** Processes the OOM killer may choose at any moment (SIGKILL, then the oom reaper). */
  readonly oom?: readonly string[];
  /** Peers that may die at any moment (the remote host crashes: its QP goes with it). */
  readonly peerCrash?: readonly string[];
  /**
   * The NIC cannot invalidate a single MR (Jason Gunthorpe: 14 of 17 drivers
   * lack rereg). Kept for old scenarios: it means `nic invalidate=none`, which
   * is now the default.
   */
  readonly nicNoInvalidate: boolean;
}

export type Quantifier = "never" | "sometimes" | "always";

export type Expectation =
  | {
      readonly kind: "property";
      readonly quantifier: Quantifier;
      readonly property: string;
      readonly policies?: readonly string[];
      readonly at?: SourcePos;
    }
  | {
      readonly kind: "result";
      readonly proc: string;
      /** The operation name (`truncate`) or its label. */
      readonly op: string;
      /** `ok`, `blocks`, or an errno name such as `ETXTBSY`. */
      readonly result: string;
      readonly policies?: readonly string[];
      readonly at?: SourcePos;
    }
  /**
   * `expect never|sometimes|always condition "TEXT"`: a predicate over the
   * scenario's named objects (src/properties/condition/), judged in every
   * state a step reaches: `never`, no reachable state satisfies it;
   * `sometimes`, some run reaches one; `always`, every run reaches one.
   */
  | {
      readonly kind: "condition";
      readonly quantifier: Quantifier;
      /** The predicate's source text, as written between the quotes. */
      readonly condition: string;
      readonly policies?: readonly string[];
      readonly at?: SourcePos;
    };

export interface Bounds {
  readonly maxStates?: number;
  readonly maxDepth?: number;
  /** How many times `check` runs a repeating tail (default 2). */
  readonly repeats?: number;
  /** How many copies of each replica group `check` explores (default 2). */
  readonly replicas?: number;
}

/**
 * A duration, in seconds, as a distribution the simulator samples (check
 * ignores durations: every interleaving is explored). `empirical` gives
 * percentiles (p in 0..1, ascending, values ascending); between them the
 * simulator interpolates linearly.
 */
export type Distribution =
  | { readonly kind: "fixed"; readonly value: number }
  | { readonly kind: "uniform"; readonly min: number; readonly max: number }
  | { readonly kind: "exponential"; readonly mean: number }
  | { readonly kind: "lognormal"; readonly median: number; readonly sigma: number }
  | {
      readonly kind: "empirical";
      readonly points: readonly { readonly p: number; readonly value: number }[];
    };

/**
 * The things that take time, each a `timing` statement of the scenario:
 * - `lease_break_time`: from a lease break to its timer (fs/locks.c, 45 s);
 * - `sigio`: a lease-break signal's delivery; `handler`: the handler's run;
 * - `cancel_rtt`: a peer's answer to a cancel message;
 * - `rdma_op`: an RDMA operation from issue to landing;
 * - `odp_fault`: an ODP page fault's resolution;
 * - `writeback`: a dirty page's age before writeback;
 * - `op`: the cost of one operation (`op` names it, e.g. truncate);
 * - `pace`: a process's or peer's own time between operations;
 * - `crash`, `hang`, `partition`, `oom`, `peer_crash`: time until the fault strikes its target.
 * `target` narrows an entry to one process or peer; an entry with a target
 * wins over one without.
 */
export type TimingKey =
  | "lease_break_time"
  | "sigio"
  | "handler"
  | "cancel_rtt"
  | "rdma_op"
  | "odp_fault"
  | "writeback"
  | "op"
  | "pace"
  | "crash"
  | "hang"
  | "partition"
  | "oom"
  | "peer_crash";

export interface TimingEntry {
  readonly key: TimingKey;
  /** A process or peer name (absent: all). */
  readonly target?: string;
  /** For `op`: the operation name (absent with `op`: every operation). */
  readonly op?: string;
  readonly dist: Distribution;
  readonly at?: SourcePos;
}

/**
 * A timing assumption that `check` may make, stated in the scenario. Without
 * one, a lease-break timer may fire at any moment while the lease breaks.
 * `answers-within-lease-break-time`: the named holders (absent: all) answer a
 * lease break (SIGIO handler, cancel round trip) before the timer fires, so
 * the timer fires only when the answer cannot come (an ignored or hung
 * handler, a peer that cannot cancel, a partition). Every verdict that rests
 * on an assumption says so.
 */
export interface Assumption {
  readonly kind: "answers-within-lease-break-time";
  readonly procs?: readonly string[];
  readonly at?: SourcePos;
}

/**
 * The program's tail from `from` (an index into the program) repeats: in
 * `simulate`, forever, each iteration starting `every` after the previous one
 * began (absent: at once); in `check`, `bounds repeats` times in all.
 */
export interface Repeat {
  readonly from: number;
  readonly every?: Distribution;
  readonly at?: SourcePos;
}

/**
 * `replicate N { ... }`: N copies of some files, processes and peers, whose
 * names the copies suffix with `#1`..`#N`. `simulate` runs all N; `check`
 * explores `bounds replicas` of them (default 2) and says so.
 */
export interface ReplicaGroup {
  readonly count: number;
  readonly files: readonly FileSpec[];
  readonly procs: readonly ProcSpec[];
  readonly peers: readonly PeerSpec[];
  readonly at?: SourcePos;
}

export interface ScenarioSpec {
  readonly name: string;
  /** The file the scenario came from, if any. */
  readonly file?: string;
  readonly fs: FsSpec;
  readonly users: readonly UserSpec[];
  readonly files: readonly FileSpec[];
  readonly procs: readonly ProcSpec[];
  readonly peers: readonly PeerSpec[];
  readonly faults: FaultSpec;
  readonly bounds: Bounds;
  /** The local NIC's hardware abilities; absent: {@link DEFAULT_NIC}. */
  readonly nic?: NicSpec;
  readonly expectations: readonly Expectation[];
  /** Which layout-lease patches the programs are written for (`layout_lease`); default sep2019. */
  readonly layoutLease?: LeaseVariant;
  /** Durations for `simulate` (`timing` statements); absent entries take their defaults. */
  readonly timing?: readonly TimingEntry[];
  /** How long `simulate` runs, in seconds (`horizon`); `--horizon` wins. */
  readonly horizon?: number;
  /** Timing assumptions `check` may make (`assume`). */
  readonly assumptions?: readonly Assumption[];
  /** Replicated files, processes and peers (`replicate N { ... }`). */
  readonly replicas?: readonly ReplicaGroup[];
}

export const NO_FAULTS: FaultSpec = { crash: [], hang: [], partition: [], nicNoInvalidate: false };
