/**
 * The compiled model: static tables (who owns what, resolved programs) and the
 * layout of a state. A state is one Int32Array with a fixed field order, so it
 * has exactly one encoding: equal states are equal arrays (see fingerprint.ts).
 *
 * Kernel objects live in tables indexed by small integers. Objects created by
 * an operation (an open file description, a VMA, an MR) have their table slot
 * fixed by the operation that creates them, so the tables are static and the
 * state holds only what changes.
 */
import type { FlowInfo } from "./flow.js";
import type { Policy } from "./policy.js";
import type {
  Backing,
  Cap,
  FsFlavor,
  NicInvalidate,
  PeerOp,
  ProcOp,
  ScenarioSpec,
} from "./spec.js";

export type State = Int32Array;

/** GUP_PIN_COUNTING_BIAS (include/linux/mm.h): a FOLL_PIN on a small folio adds 1024 refs. */
export const GUP_PIN_COUNTING_BIAS = 1024;

// ---- block fields (one block = one page of the device) ----
export const BLK_USERS = 0; // extent references (0 = free; >1 = shared by reflink)
export const BLK_BUSY = 1; // 1 = freed by a layout change but held busy until the last unpin
export const BLK_CONTENT = 2; // CONTENT_* or data of an inode
/**
 * 1 = an unwritten extent (fallocate preallocation): the block holds whatever
 * it held before, but every read through the filesystem returns zeroes
 * (iomap IOMAP_UNWRITTEN, ext4 EXT4_EXT_MARK_UNWRIT); the first write converts it.
 */
export const BLK_UNWRITTEN = 3;
export const BLK_STRIDE = 4;

/** Block and page contents: zeroes, a previous owner's leftovers, or data written for inode i. */
export const CONTENT_ZERO = 0;
export const CONTENT_STALE = 1;
export const contentOf = (inode: number): number => 2 + inode;
export const contentInode = (c: number): number => c - 2;

// ---- inode fields ----
export const INO_EXISTS = 0; // 0 absent (never created, or evicted), 1 linked, INO_UNLINKED
/** INO_EXISTS: unlinked (i_nlink == 0) but still open or mapped; evicted at the last close (fs/unlink.ts). */
export const INO_UNLINKED = 2;
export const INO_SIZE = 1; // pages
export const INO_SWAP = 2; // >0: S_SWAPFILE-like (immutable policy: number of pinning MRs)
export const INO_EXT = 3; // then maxPages extents (block+1, 0 = hole), then maxPages page-cache slots (frame+1), then the INO_TAIL fields
/** Fields after an inode's page arrays, at `inoTail(m, i) + INO_T_*`. */
export const INO_T_LINEAGE = 0; // bit j set: this file may hold file j's data legitimately (itself, FICLONE sources)
export const INO_T_SEALS = 1; // SEAL_* bits of a tmpfs or hugetlbfs inode (backing.ts)
export const INO_T_OWNER = 2; // i_uid: the owning user (chown; fs/attr.ts)
export const INO_T_MODE = 3; // permission bits (chmod; fs/attr.ts)
export const INO_T_XFLAGS = 4; // XF_* bits (FS_XFLAG_DAX and its pending reload; fs/dax-flag.ts)
export const INO_TAIL = 5;
/** INO_T_XFLAGS: FS_XFLAG_DAX is set on the inode. */
export const XF_DAX = 1;
/** INO_T_XFLAGS: I_DONTCACHE: the flag changed, the inode is evicted at its last reference. */
export const XF_DONTCACHE = 2;
/** INO_T_XFLAGS: evicted since the change: the next load follows the new flag (not modelled). */
export const XF_RELOADED = 4;

// ---- page frame fields (fs-DAX: frame i is the pfn of block i) ----
export const FR_REF = 0; // references beyond the mapping's own: pins count GUP_PIN_COUNTING_BIAS each
export const FR_INODE = 1; // page cache: inode+1 while in the mapping, 0 when orphaned/anon/free
export const FR_INDEX = 2;
export const FR_FLAGS = 3;
export const FR_CONTENT = 4;
export const FR_STRIDE = 5;
export const FF_USED = 1;
export const FF_DIRTY = 2;
/** Written by DMA while clean (no page_mkwrite since the last writeback). */
export const FF_DMA_CLEAN = 4;
export const FF_MOVABLE = 8;
export const FF_ANON = 16;
/**
 * PG_hwpoison: memory_failure() marked the memory bad (proc/memory-failure.ts).
 * On fs-DAX the frame is the block's pfn, so the mark stays with the block.
 */
export const FF_POISON = 32;

// ---- open file descriptions ----
export const OFD_OPEN = 0;
export const OFD_LEASE = 1; // LEASE_*
export const OFD_LFLAGS = 2; // LF_* (bits 8 and up: the lease's place in the inode's lease list)
export const OFD_SIG = 3; // F_SETSIG signal number; 0 = SIGIO
export const OFD_STRIDE = 4;
/** OFD_OPEN values: 0 not yet opened, 1 open, 2 released (last fput), 3 fd closed but a mapping holds the file. */
export const OFD_MAPPED = 3;
export const LEASE_NONE = 0;
export const LEASE_RD = 1;
export const LEASE_WR = 2;
export const LF_LAYOUT = 1;
export const LF_UNBREAK = 2;
export const LF_BREAKING = 4;
/** OFD_LFLAGS >> LF_SEQ_SHIFT: 1 + the lease's position in the inode's lease list (list_add_tail order). */
export const LF_SEQ_SHIFT = 8;

// ---- VMAs: [mapped, pte per page] ----
export const PTE_NONE = 0;
export const PTE_RO = 1;
export const PTE_RW = 2;

// ---- MRs: [state, lease, frame+1 per page, invalidator, holders] ----
// The last field (see mrInval) is proc+1 of a process whose layout change is
// inside the MMU-notifier invalidation of this ODP MR, waiting for in-flight
// device access: mmu_interval_read_begin() makes device faults wait meanwhile.
export const MR_NONE = 0;
export const MR_VALID = 1;
export const MR_INVALID = 2; // rkey revoked by the kernel: remote access fails
export const MR_DEREG = 3;
/**
 * ibv_rereg_mr() kept the keys (mlx5's UMR path, rdma/rereg.ts): this slot's
 * rkey now names registration (second field) - 1, which holds the pins.
 */
export const MR_MOVED = 4;
export const MRL_NONE = 0;
export const MRL_HELD = 1;
export const MRL_BREAKING = 2;

// ---- processes ----
export const P_STATUS = 0;
export const P_PC = 1;
export const P_SIG = 2; // SIGF_* bits, and the number of a pending fatal signal from SIGF_SIG_SHIFT up
export const P_HANDLER = 3; // 1 = cancel sent, waiting for the peers' acks
export const P_VARS = 4;
/** A lease-break signal (SIGIO or F_SETSIG's) is pending and the process has a handler for it. */
export const SIGF_LEASE = 1;
/** The pending lease break was started by another process (for the `kill` property). */
export const SIGF_BY_OTHER = 2;
/** A signal whose action kills is pending: the lease-break signal without a handler. */
export const SIGF_FATAL_LEASE = 4;
/** A fatal signal from kill(2) waits for an uninterruptible sleep to end. */
export const SIGF_FATAL_KILL = 8;
/** The process is blocked in an uninterruptible wait (TASK_UNINTERRUPTIBLE): signals wait. */
export const SIGF_UNINTERRUPTIBLE = 16;
/** The kernel's SIGKILL escalation waits for an uninterruptible sleep to end. */
export const SIGF_FATAL_ESCALATION = 32;
export const SIGF_PENDING = SIGF_LEASE | SIGF_FATAL_LEASE | SIGF_FATAL_KILL | SIGF_FATAL_ESCALATION;
export const SIGF_SIG_SHIFT = 8;
export const PS_RUN = 0;
export const PS_BLOCKED = 1;
export const PS_DONE = 2; // program finished; the process stays alive (its event loop)
export const PS_EXITED = 3;
export const PS_KILLED = 4;
export const PS_CRASHED = 5;
export const PS_HUNG = 6;
/** A `forked` process before its parent's fork(2) (proc/fork.ts): it does not exist yet. */
export const PS_UNBORN = 7;

// ---- peers ----
export const R_PC = 0;
export const R_QP = 1; // 0 ready (RTS), 1 error
export const R_INFL = 2; // INF_*
export const R_TGT = 3; // frame+1 the in-flight op targets
export const R_OPMR = 4; // mr+1 of the in-flight op
export const R_OPPAGE = 5;
export const R_CANCEL = 6; // 0 none, 1 requested, 2 acknowledged
export const R_PART = 7; // network partitioned
export const R_MBOX = 8; // number of messages received so far (mailbox read position is R_PC-driven)
export const R_VARS = 9;
export const INF_NONE = 0;
export const INF_WRITE = 1;
export const INF_READ = 2;
export const INF_WRITE_FAULT = 3; // ODP: waiting for the page fault to resolve
export const INF_READ_FAULT = 4;
export const QP_READY = 0;
export const QP_ERROR = 1;
/** The peer died (`faults peer_crash=`): its QP is gone with it; the local QP sees retry exhaustion. */
export const QP_DEAD = 2;

// ---- global kernel fields ----
export const K_UNPLUGGED = 0;
/** 1 after `hca_reset`: the HCA was reset or removed and every uverbs context disassociated (rdma/hca.ts). */
export const K_HCA_RESET = 1;
export const K_STRIDE = 2;

/** Operation kinds of compiled programs. */
export interface CProcOp {
  readonly spec: ProcOp;
  readonly index: number;
  /** Resolved operands: variable slots, inode ids, peer ids, object slots. */
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
}

export interface CPeerOp {
  readonly spec: PeerOp;
  readonly index: number;
  readonly a: number; // variable slot
  readonly b: number; // page
}

export interface UserInfo {
  readonly name: string;
  readonly capLease: boolean;
  readonly capIpcLock: boolean;
  /** Every capability the scenario gives the user (what the policies' questions see). */
  readonly caps: readonly Cap[];
}

export interface InodeInfo {
  readonly name: string;
  readonly owner: number;
  readonly mode: number;
  readonly pfnmap: boolean;
  readonly movable: boolean;
  /** Declared in the scenario (exists at start) or created by an `open ... create`. */
  readonly declared: boolean;
  /** What holds its pages (spec.ts Backing); memfds and anonymous memory get inodes of their own. */
  readonly backing: Backing;
  /** Created by memfd_create() (no name in any directory; `memfd:NAME`). */
  readonly memfd?: boolean;
}

export interface OfdInfo {
  readonly proc: number;
  readonly inode: number;
  readonly read: boolean;
  readonly write: boolean;
}

export interface VmaInfo {
  readonly proc: number;
  readonly ofd: number;
  readonly inode: number;
  readonly first: number;
  readonly pages: number;
  readonly shared: boolean;
  readonly writable: boolean;
  readonly off: number; // offset of [mapped, pte..., flags] in the state
  /** A child's copy of the parent's VMA of this index, made by fork (proc/fork.ts). */
  readonly forkOf?: number;
}

/** The VMA's flags word, after its PTEs (VMF_*). */
export const vmaFlags = (m: Model, v: number): number => m.vmas[v]!.off + 1 + m.vmas[v]!.pages;
/** VM_DONTFORK (madvise MADV_DONTFORK): fork does not copy the mapping. */
export const VMF_DONTFORK = 1;
/**
 * mprotect(2)'s protection, bits 1-2 of the flags word: 0 as mmap set it,
 * else VMF_PROT_R (PROT_READ), VMF_PROT_RW (PROT_READ|PROT_WRITE) or
 * VMF_PROT_NONE (mm/vma-ops.ts).
 */
export const VMF_PROT_MASK = 6;
export const VMF_PROT_R = 2;
export const VMF_PROT_RW = 4;
export const VMF_PROT_NONE = 6;
/**
 * VM_MAYWRITE taken away at mmap: a MAP_SHARED read-only mapping of a
 * write-sealed memfd (seal_check_write() from memfd_check_seals_mmap(); under
 * F_SEAL_FUTURE_WRITE since v5.1, under F_SEAL_WRITE since v6.7). mprotect
 * cannot make it writable, and from v6.7 it does not count against a new
 * F_SEAL_WRITE (KernelRules.sealCountsSharedMap).
 */
export const VMF_NOMAYWRITE = 8;

/** VM_SHARED|VM_MAYWRITE: a shared mapping of a file open for writing that mprotect may make writable. */
export function vmaSharedMayWrite(m: Model, s: State, v: number): boolean {
  const vi = m.vmas[v]!;
  return vi.shared && m.ofds[vi.ofd]!.write && (s[vmaFlags(m, v)]! & VMF_NOMAYWRITE) === 0;
}

/** VM_WRITE of VMA v now: its mmap protection, or the one mprotect gave it. */
export function vmaWritable(m: Model, s: State, v: number): boolean {
  const p = s[vmaFlags(m, v)]! & VMF_PROT_MASK;
  return p === 0 ? m.vmas[v]!.writable : p === VMF_PROT_RW;
}

/** VM_READ of VMA v now (only mprotect(PROT_NONE) takes it away). */
export function vmaReadable(m: Model, s: State, v: number): boolean {
  return (s[vmaFlags(m, v)]! & VMF_PROT_MASK) !== VMF_PROT_NONE;
}

export interface MrInfo {
  readonly proc: number;
  readonly vma: number;
  readonly pages: number;
  readonly remoteWrite: boolean;
  readonly remoteRead: boolean;
  /** FOLL_WRITE: local or remote write access. */
  readonly writable: boolean;
  /**
   * A gup_test pin (`pin_longterm`), not an RDMA registration: no rkey, no
   * DMA; `fast` says whether it goes through pin_user_pages_fast().
   */
  readonly gupTest?: { readonly fast: boolean };
  readonly accessValid: boolean;
  readonly odp: boolean;
  /**
   * Who holds the pins: an RDMA MR (absent), an io_uring registered buffer
   * (`io_uring`, iouring/ring.ts) or a VFIO type1 DMA mapping (`vfio`,
   * vfio/dma.ts). Neither has an rkey or a remote peer.
   */
  readonly pinner?: LocalPinner;
  /** A VFIO DMA mapping made with VFIO_DMA_MAP_FLAG_READ (IOMMU_READ): the device may read the pages. */
  readonly iommuRead?: boolean;
  /**
   * Made by `rereg_mr` (rdma/rereg.ts) from registration `from`: `trans`
   * with a new address range (IB_MR_REREG_TRANS), `keys` whether the driver
   * kept the lkey/rkey or made a new MR.
   */
  readonly rereg?: {
    readonly from: number;
    readonly trans: boolean;
    readonly access: boolean;
    readonly keys: "same" | "new";
  };
  readonly off: number;
}

/**
 * The long-term pinners beside RDMA MRs that live in the pin table. Both pin
 * with FOLL_LONGTERM, and neither has a peer to cancel with: only the
 * process itself (or the kernel) can drop their pins.
 */
export type LocalPinner = "io_uring" | "vfio";
export const LOCAL_PINNERS: readonly LocalPinner[] = ["io_uring", "vfio"];

/**
 * An O_DIRECT operation's short-term reference (mm/dio.ts). Its state is one
 * field at `off`: frame+1 while the bio is in flight, else 0.
 */
export interface DioInfo {
  readonly proc: number;
  readonly vma: number;
  /** Page of the mapping. */
  readonly page: number;
  /** dio_read: the device writes the page. */
  readonly write: boolean;
  /**
   * A vmsplice(2) pipe buffer (mm/splice.ts), not a bio: a plain page
   * reference (FOLL_GET) held by the process's pipe until it is read or
   * closed, with no device access.
   */
  readonly splice?: boolean;
  readonly off: number;
}

export interface ProcInfo {
  readonly name: string;
  readonly user: number;
  readonly onLeaseBreak: "terminate" | "cancel" | "ignore" | "hang" | "crash";
  /** Signals the program's lease-break handler is installed for: SIGIO and every F_SETSIG signal it names. */
  readonly handled: readonly number[];
  readonly prog: readonly CProcOp[];
  readonly vars: readonly string[];
  readonly off: number;
  readonly mayCrash: boolean;
  readonly mayHang: boolean;
  /** `faults oom=`: the OOM killer may choose this process at any moment. */
  readonly mayOom?: boolean;
  /**
   * The scenario assumes this holder answers a lease break within
   * lease-break-time (spec.ts Assumption): its lease-break timers fire only
   * when its answer cannot come. Otherwise they may fire at any moment.
   */
  readonly prompt: boolean;
  /** RLIMIT_MEMLOCK in pages (ib_umem_get charges mm->pinned_vm against it). */
  readonly memlock: number;
  /** For a `forked` process: the parent whose `fork` starts it. */
  readonly parent?: number;
  /** The program's repeating tail (spec.ts Repeat), if it has one. */
  readonly repeat?: RepeatInfo;
  /** For a program with loops or branches: its result fields, jump tests and reused slots (flow.ts). */
  readonly flow?: FlowInfo;
}

/**
 * A repeating tail as compiled: the body starts at `from`; `counter` is the
 * state index of its iteration counter (repeats done so far), a field only
 * programs that repeat have; `ofds`, `vmas`, `mrs` are the object slots the
 * body's operations create, which a repeat makes ready to be created again.
 */
export interface RepeatInfo {
  readonly from: number;
  readonly counter: number;
  readonly ofds: readonly number[];
  readonly vmas: readonly number[];
  readonly mrs: readonly number[];
}

export interface PeerInfo {
  readonly name: string;
  readonly cancel: boolean;
  readonly prog: readonly CPeerOp[];
  readonly vars: readonly string[];
  readonly off: number;
  readonly mayPartition: boolean;
  /** `faults peer_crash=`: the peer (its host) may die at any moment. */
  readonly mayCrash?: boolean;
  /** The program's repeating tail, if it has one (no object slots: a peer creates none). */
  readonly repeat?: RepeatInfo;
}

/** What lowering bounded, for check to say beside its verdicts (coverage.ts). */
export interface Bounded {
  /** Each replica group: the names of its members, how many copies it declares, how many the model has. */
  readonly replicas: readonly {
    readonly members: readonly string[];
    readonly count: number;
    readonly copies: number;
  }[];
  /** Processes and peers whose programs have a repeating tail. */
  readonly repeating: readonly string[];
}

export interface Model {
  readonly spec: ScenarioSpec;
  readonly policy: Policy;
  readonly dax: boolean;
  readonly users: readonly UserInfo[];
  readonly inodes: readonly InodeInfo[];
  readonly ofds: readonly OfdInfo[];
  readonly vmas: readonly VmaInfo[];
  readonly mrs: readonly MrInfo[];
  /** O_DIRECT operations, one slot each (DioInfo). */
  readonly dios: readonly DioInfo[];
  readonly procs: readonly ProcInfo[];
  readonly peers: readonly PeerInfo[];
  readonly nBlocks: number;
  readonly nFrames: number;
  readonly maxPages: number;
  /** What the NIC can do to one MR (spec.ts NicInvalidate). */
  readonly nicInvalidate: NicInvalidate;
  /** The filesystem whose order of checks layout changes follow (`fs ... flavor=`). */
  readonly flavor: FsFlavor;
  /** `fs dax dax=inode`: FS_XFLAG_DAX decides, at the inode's next load (fs/dax-flag.ts). */
  readonly daxInode: boolean;
  /**
   * How many times in all a repeating tail runs (`bounds repeats`, default 2);
   * Infinity: without end (compile(forSimulation(spec)), for `simulate`).
   */
  readonly repeatLimit: number;
  /** What lowering bounded for exploration (replica groups cut to fewer copies, repeating tails). */
  readonly bounded: Bounded;
  /**
   * Mailbox: messages sent to peer r are stored at mbox[r] (mr+1, or -1 for
   * "no MR"), a ring of capacity mboxCap[r]: mbox[r][0] counts the messages
   * sent, and message i sits at 1 + i % mboxCap[r]. A send finding the ring
   * full of messages the peer has not received yet waits (the application's
   * socket buffer is full); without repeating tails it never is.
   */
  readonly mboxOff: readonly number[];
  readonly mboxCap: readonly number[];
  // offsets
  readonly offBlocks: number;
  readonly offInodes: number;
  readonly inodeStride: number;
  readonly offFrames: number;
  readonly offOfds: number;
  /**
   * One word per open file description: bit q set when process q, other than
   * the opener, holds the file too (a descriptor inherited by fork).
   */
  readonly offOfdHolders: number;
  readonly offKernel: number;
  readonly size: number;
  readonly init: State;
}

// ---- accessors (inline-friendly) ----
export const blk = (m: Model, b: number): number => m.offBlocks + b * BLK_STRIDE;
export const ino = (m: Model, i: number): number => m.offInodes + i * m.inodeStride;
export const ext = (m: Model, i: number, page: number): number =>
  m.offInodes + i * m.inodeStride + INO_EXT + page;
/** Start of an inode's tail fields (INO_T_*), after its extents and page-cache slots. */
export const inoTail = (m: Model, i: number): number =>
  m.offInodes + i * m.inodeStride + INO_EXT + 2 * m.maxPages;
export const pcache = (m: Model, i: number, page: number): number =>
  m.offInodes + i * m.inodeStride + INO_EXT + m.maxPages + page;
export const frm = (m: Model, f: number): number => m.offFrames + f * FR_STRIDE;
export const ofd = (m: Model, o: number): number => m.offOfds + o * OFD_STRIDE;
/** Bit q: process q (not the opener) holds open file description o too (fork). */
export const ofdHolders = (m: Model, o: number): number => m.offOfdHolders + o;
export const proc = (m: Model, p: number): number => m.procs[p]!.off;
export const peer = (m: Model, r: number): number => m.peers[r]!.off;
export const vma = (m: Model, v: number): number => m.vmas[v]!.off;
export const mr = (m: Model, x: number): number => m.mrs[x]!.off;
/** The MR's invalidator field (proc+1 inside an ODP invalidation of it, else 0). */
export const mrInval = (m: Model, x: number): number => m.mrs[x]!.off + 2 + m.mrs[x]!.pages;
/** Bit q set: process q holds a reference to the uverbs file of the MR's owner (SCM_RIGHTS). */
export const mrHolders = (m: Model, x: number): number => m.mrs[x]!.off + 3 + m.mrs[x]!.pages;

/** A process that exists and holds its resources (running, blocked, finished its program, or hung). */
export function alive(s: State, m: Model, p: number): boolean {
  const st = s[proc(m, p) + P_STATUS]!;
  return st === PS_RUN || st === PS_BLOCKED || st === PS_DONE || st === PS_HUNG;
}
