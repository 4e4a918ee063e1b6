/**
 * Signatures of every statement and operation of the `.pin` format, as data.
 * The binder (bind.ts) reads arguments against them, the shaper (shape.ts)
 * turns bound arguments into spec data, and hints and documentation quote
 * their synopses, so the format is described in exactly one place.
 */

import { SIGNAL_NAMES } from "../model/proc/signum.js";
import type { TimingKey } from "../model/spec.js";
import {
  ACCESSES,
  CAPS,
  FALLOC_MODES,
  FILE_BACKINGS,
  FS_FLAVORS,
  LEASE_BREAK_BEHAVIOURS,
  LEASE_VARIANTS,
  NIC_INVALIDATE,
  SEALS,
} from "../model/spec.js";
import { POLICY_NAMES } from "../policies/index.js";
import { PROPERTY_NAMES } from "../properties/index.js";
import type { VarKind } from "./ast.js";

/** What a positional name refers to. `new` declares a name. */
export type RefKind =
  | "new"
  | "file"
  | "fd"
  | "va"
  | "mr"
  | "buf"
  | "dma"
  | "peer"
  | "proc"
  | "label";

export interface RefSlot {
  readonly role: string;
  readonly kind: RefKind;
}

/** Bare words of which at most one may appear (`shared`/`private`); a flag is a group of one. */
export interface WordGroup {
  readonly role: string;
  readonly values: readonly string[];
  readonly required?: boolean;
}

export type KeyType = "int" | "octal" | "range" | "name" | "names" | "enum" | "enums" | "yesno";

/** A `key=value` argument. */
export interface KeySlot {
  readonly key: string;
  readonly type: KeyType;
  readonly values?: readonly string[];
  readonly required?: boolean;
}

export interface Signature {
  readonly name: string;
  readonly refs: readonly RefSlot[];
  readonly words: readonly WordGroup[];
  readonly keys: readonly KeySlot[];
  /** The kind of variable an operation assigns (`fd = open ...`); absent: it assigns none. */
  readonly result?: VarKind;
  /** Takes a `{ ... }` block (proc, remote). */
  readonly block?: boolean;
  /** How to write it, for hints and the documentation. */
  readonly synopsis: string;
}

const sig = (s: Partial<Signature> & Pick<Signature, "name" | "synopsis">): Signature => ({
  refs: [],
  words: [],
  keys: [],
  ...s,
});

/**
 * A table keyed by a word of the format. A Map, since the word looked up is
 * the user's: a plain object would answer `constructor` or `__proto__`.
 */
const table = <T>(entries: Record<string, T>): ReadonlyMap<string, T> =>
  new Map(Object.entries(entries));

const OPEN_MODE: WordGroup = { role: "mode", values: ["r", "w", "rw"] };
const page: KeySlot = { key: "page", type: "int", required: true };
/** VFIO_DMA_MAP_FLAG_READ / _WRITE, from the device's side (include/uapi/linux/vfio.h). */
export const VFIO_PROTS: readonly string[] = ["read", "write"];
const size: KeySlot = { key: "pages", type: "int", required: true };
const range: KeySlot = { key: "pages", type: "range", required: true };

/** Top-level statements other than `scenario "..."` and `expect ...`, which have their own shapes. */
export const DECLS: ReadonlyMap<string, Signature> = table({
  fs: sig({
    name: "fs",
    synopsis: "fs dax|pagecache [blocks=N] [flavor=xfs|ext4] [dax=always|inode]",
    words: [{ role: "kind", values: ["dax", "pagecache"], required: true }],
    keys: [
      { key: "blocks", type: "int" },
      { key: "flavor", type: "enum", values: FS_FLAVORS },
      { key: "dax", type: "enum", values: ["always", "inode"] },
    ],
  }),
  user: sig({
    name: "user",
    synopsis: "user NAME [caps=CAP_LEASE,CAP_IPC_LOCK]",
    refs: [{ role: "name", kind: "new" }],
    keys: [{ key: "caps", type: "enums", values: CAPS }],
  }),
  file: sig({
    name: "file",
    synopsis:
      "file NAME owner=USER pages=N [mode=0644] [sparse] [hypothetical-unzeroed] [reflink=FILE] [pfnmap] [movable] [backing=fs|tmpfs|hugetlbfs|devdax|other]",
    refs: [{ role: "name", kind: "new" }],
    words: [
      { role: "layout", values: ["allocated", "sparse"] },
      { role: "zeroed", values: ["zeroed", "hypothetical-unzeroed"] },
      { role: "kind", values: ["regular", "pfnmap"] },
      { role: "movable", values: ["movable"] },
    ],
    keys: [
      { key: "owner", type: "name", required: true },
      { key: "pages", type: "int", required: true },
      { key: "mode", type: "octal" },
      { key: "reflink", type: "name" },
      { key: "backing", type: "enum", values: FILE_BACKINGS },
    ],
  }),
  proc: sig({
    name: "proc",
    synopsis:
      "proc NAME user=USER [on_lease_break=terminate|cancel|ignore|hang|crash] [memlock=PAGES] [forked] { ... }",
    refs: [{ role: "name", kind: "new" }],
    words: [{ role: "forked", values: ["forked"] }],
    keys: [
      { key: "user", type: "name", required: true },
      { key: "on_lease_break", type: "enum", values: LEASE_BREAK_BEHAVIOURS },
      { key: "memlock", type: "int" },
    ],
    block: true,
  }),
  remote: sig({
    name: "remote",
    synopsis: "remote NAME [cancel=yes|no] { ... }",
    refs: [{ role: "name", kind: "new" }],
    keys: [{ key: "cancel", type: "yesno" }],
    block: true,
  }),
  faults: sig({
    name: "faults",
    synopsis:
      "faults [crash=PROC,...] [hang=PROC,...] [oom=PROC,...] [partition=REMOTE,...] [peer_crash=REMOTE,...] [nic_no_invalidate]",
    words: [{ role: "nic_no_invalidate", values: ["nic_no_invalidate"] }],
    keys: [
      { key: "crash", type: "names" },
      { key: "hang", type: "names" },
      { key: "oom", type: "names" },
      { key: "partition", type: "names" },
      { key: "peer_crash", type: "names" },
    ],
  }),
  nic: sig({
    name: "nic",
    synopsis: "nic [invalidate=fence|unfenced|none]",
    keys: [{ key: "invalidate", type: "enum", values: NIC_INVALIDATE }],
  }),
  layout_lease: sig({
    name: "layout_lease",
    synopsis: "layout_lease v1|v2|sep2019",
    words: [{ role: "variant", values: LEASE_VARIANTS, required: true }],
  }),
  bounds: sig({
    name: "bounds",
    synopsis: "bounds [max_states=N] [max_depth=N] [repeats=N] [replicas=N]",
    keys: [
      { key: "max_states", type: "int" },
      { key: "max_depth", type: "int" },
      { key: "repeats", type: "int" },
      { key: "replicas", type: "int" },
    ],
  }),
  timing: sig({
    name: "timing",
    synopsis: "timing KEY [proc=PROC|peer=REMOTE] [OPERATION] DISTRIBUTION",
  }),
  horizon: sig({ name: "horizon", synopsis: "horizon DURATION" }),
  replicate: sig({
    name: "replicate",
    synopsis: "replicate N { file ... proc ... remote ... }",
    block: true,
  }),
});

/** `repeat [every DISTRIBUTION] { ... }`: the last statement of a `proc` or `remote` program. */
export const REPEAT_SYNOPSIS = "repeat [every DISTRIBUTION] { ... }";

/**
 * The things that take time (spec.ts TimingKey), and what a `timing`
 * statement may narrow each to: a process (`proc=`), a remote peer
 * (`peer=`), either, or nothing (a setting of the whole system, such as
 * /proc/sys/fs/lease-break-time).
 */
export const TIMING_KEYS: ReadonlyMap<TimingKey, "proc" | "peer" | "either" | "none"> = new Map([
  ["lease_break_time", "none"],
  ["sigio", "proc"],
  ["handler", "proc"],
  ["cancel_rtt", "peer"],
  ["rdma_op", "peer"],
  ["odp_fault", "peer"],
  ["writeback", "none"],
  ["op", "proc"],
  ["pace", "either"],
  ["crash", "proc"],
  ["hang", "proc"],
  ["partition", "peer"],
  ["oom", "proc"],
  ["peer_crash", "peer"],
] as const);

/** Operations of a local process (`proc`). `create` is `open` with O_CREAT|O_EXCL. */
export const PROC_OPS: ReadonlyMap<string, Signature> = table({
  open: sig({
    name: "open",
    synopsis: "FD = open FILE [r|w|rw]",
    refs: [{ role: "file", kind: "file" }],
    words: [OPEN_MODE],
    result: "fd",
  }),
  create: sig({
    name: "create",
    synopsis: "FD = create FILE [r|w|rw]",
    refs: [{ role: "file", kind: "file" }],
    words: [OPEN_MODE],
    result: "fd",
  }),
  close: sig({ name: "close", synopsis: "close FD", refs: [{ role: "fd", kind: "fd" }] }),
  mmap: sig({
    name: "mmap",
    synopsis: "VA = mmap FD pages=FIRST..LAST [shared|private] [r|rw]",
    refs: [{ role: "fd", kind: "fd" }],
    words: [
      { role: "shared", values: ["shared", "private"] },
      { role: "prot", values: ["r", "rw"] },
    ],
    keys: [range],
    result: "va",
  }),
  memfd_create: sig({
    name: "memfd_create",
    synopsis: "FD = memfd_create [hugetlb] [allow_sealing]",
    words: [
      { role: "hugetlb", values: ["hugetlb"] },
      { role: "allow_sealing", values: ["allow_sealing"] },
    ],
    result: "fd",
  }),
  add_seals: sig({
    name: "add_seals",
    synopsis: "add_seals FD seals=write,shrink,grow,future_write,exec,seal",
    refs: [{ role: "fd", kind: "fd" }],
    keys: [{ key: "seals", type: "enums", values: SEALS, required: true }],
  }),
  pin_longterm: sig({
    name: "pin_longterm",
    synopsis: "PIN = pin_longterm VA [r|rw] [slow|fast]",
    refs: [{ role: "va", kind: "va" }],
    words: [
      { role: "prot", values: ["r", "rw"] },
      { role: "path", values: ["slow", "fast"] },
    ],
    result: "mr",
  }),
  unpin_longterm: sig({
    name: "unpin_longterm",
    synopsis: "unpin_longterm PIN",
    refs: [{ role: "pin", kind: "mr" }],
  }),
  munmap: sig({ name: "munmap", synopsis: "munmap VA", refs: [{ role: "va", kind: "va" }] }),
  mprotect: sig({
    name: "mprotect",
    synopsis: "mprotect VA r|rw|none",
    refs: [{ role: "va", kind: "va" }],
    words: [{ role: "prot", values: ["r", "rw", "none"], required: true }],
  }),
  mremap: sig({
    name: "mremap",
    synopsis: "VA = mremap VA [fixed] [dontunmap]",
    refs: [{ role: "va", kind: "va" }],
    words: [
      { role: "fixed", values: ["fixed"] },
      { role: "dontunmap", values: ["dontunmap"] },
    ],
    result: "va",
  }),
  store: sig({
    name: "store",
    synopsis: "store VA page=N",
    refs: [{ role: "va", kind: "va" }],
    keys: [page],
  }),
  load: sig({
    name: "load",
    synopsis: "load VA page=N",
    refs: [{ role: "va", kind: "va" }],
    keys: [page],
  }),
  read: sig({
    name: "read",
    synopsis: "read FD page=N",
    refs: [{ role: "fd", kind: "fd" }],
    keys: [page],
  }),
  write: sig({
    name: "write",
    synopsis: "write FD page=N",
    refs: [{ role: "fd", kind: "fd" }],
    keys: [page],
  }),
  reg_mr: sig({
    name: "reg_mr",
    synopsis: "MR = reg_mr VA [access=local_write,remote_write,remote_read] [odp]",
    refs: [{ role: "va", kind: "va" }],
    words: [{ role: "odp", values: ["odp"] }],
    keys: [{ key: "access", type: "enums", values: ACCESSES }],
    result: "mr",
  }),
  dereg_mr: sig({ name: "dereg_mr", synopsis: "dereg_mr MR", refs: [{ role: "mr", kind: "mr" }] }),
  rereg_mr: sig({
    name: "rereg_mr",
    synopsis: "rereg_mr MR [va=VA] [access=local_write,remote_write,remote_read] [keys=same|new]",
    refs: [{ role: "mr", kind: "mr" }],
    keys: [
      { key: "va", type: "name" },
      { key: "access", type: "enums", values: ACCESSES },
      { key: "keys", type: "enum", values: ["same", "new"] },
    ],
  }),
  io_uring_register: sig({
    name: "io_uring_register",
    synopsis: "BUF = io_uring_register VA",
    refs: [{ role: "va", kind: "va" }],
    result: "buf",
  }),
  io_uring_unregister: sig({
    name: "io_uring_unregister",
    synopsis: "io_uring_unregister BUF",
    refs: [{ role: "buf", kind: "buf" }],
  }),
  read_fixed: sig({
    name: "read_fixed",
    synopsis: "read_fixed BUF page=N",
    refs: [{ role: "buf", kind: "buf" }],
    keys: [page],
  }),
  write_fixed: sig({
    name: "write_fixed",
    synopsis: "write_fixed BUF page=N",
    refs: [{ role: "buf", kind: "buf" }],
    keys: [page],
  }),
  vfio_map_dma: sig({
    name: "vfio_map_dma",
    synopsis: "DMA = vfio_map_dma VA [prot=read,write]",
    refs: [{ role: "va", kind: "va" }],
    keys: [{ key: "prot", type: "enums", values: VFIO_PROTS }],
    result: "dma",
  }),
  vfio_unmap_dma: sig({
    name: "vfio_unmap_dma",
    synopsis: "vfio_unmap_dma DMA",
    refs: [{ role: "dma", kind: "dma" }],
  }),
  vfio_dma_write: sig({
    name: "vfio_dma_write",
    synopsis: "vfio_dma_write DMA page=N",
    refs: [{ role: "dma", kind: "dma" }],
    keys: [page],
  }),
  vfio_dma_read: sig({
    name: "vfio_dma_read",
    synopsis: "vfio_dma_read DMA page=N",
    refs: [{ role: "dma", kind: "dma" }],
    keys: [page],
  }),
  vmsplice: sig({
    name: "vmsplice",
    synopsis: "vmsplice VA page=N",
    refs: [{ role: "va", kind: "va" }],
    keys: [page],
  }),
  pipe_read: sig({ name: "pipe_read", synopsis: "pipe_read" }),
  dio_read: sig({
    name: "dio_read",
    synopsis: "dio_read VA page=N",
    refs: [{ role: "va", kind: "va" }],
    keys: [page],
  }),
  dio_write: sig({
    name: "dio_write",
    synopsis: "dio_write VA page=N",
    refs: [{ role: "va", kind: "va" }],
    keys: [page],
  }),
  send: sig({
    name: "send",
    synopsis: "send REMOTE MR",
    refs: [
      { role: "peer", kind: "peer" },
      { role: "mr", kind: "mr" },
    ],
  }),
  setlease: sig({
    name: "setlease",
    synopsis: "setlease FD rd|wr|unlck [layout] [unbreak]",
    refs: [{ role: "fd", kind: "fd" }],
    words: [
      { role: "type", values: ["rd", "wr", "unlck"], required: true },
      { role: "layout", values: ["layout"] },
      { role: "unbreak", values: ["unbreak"] },
    ],
  }),
  truncate: sig({
    name: "truncate",
    synopsis: "truncate FILE pages=N",
    refs: [{ role: "file", kind: "file" }],
    keys: [size],
  }),
  ftruncate: sig({
    name: "ftruncate",
    synopsis: "ftruncate FD pages=N",
    refs: [{ role: "fd", kind: "fd" }],
    keys: [size],
  }),
  fallocate: sig({
    name: "fallocate",
    synopsis: "fallocate FD alloc|punch|collapse|zero|insert|unshare pages=FIRST..LAST",
    refs: [{ role: "fd", kind: "fd" }],
    words: [{ role: "mode", values: FALLOC_MODES, required: true }],
    keys: [range],
  }),
  dedupe: sig({
    name: "dedupe",
    synopsis: "dedupe SRC_FD DST_FD pages=FIRST..LAST",
    refs: [
      { role: "src", kind: "fd" },
      { role: "dst", kind: "fd" },
    ],
    keys: [range],
  }),
  chmod: sig({
    name: "chmod",
    synopsis: "chmod FILE mode=0644",
    refs: [{ role: "file", kind: "file" }],
    keys: [{ key: "mode", type: "octal", required: true }],
  }),
  chown: sig({
    name: "chown",
    synopsis: "chown FILE owner=USER",
    refs: [{ role: "file", kind: "file" }],
    keys: [{ key: "owner", type: "name", required: true }],
  }),
  fssetxattr: sig({
    name: "fssetxattr",
    synopsis: "fssetxattr FD dax|nodax",
    refs: [{ role: "fd", kind: "fd" }],
    words: [{ role: "flag", values: ["dax", "nodax"], required: true }],
  }),
  reflink: sig({
    name: "reflink",
    synopsis: "reflink SRC_FD DST_FD",
    refs: [
      { role: "src", kind: "fd" },
      { role: "dst", kind: "fd" },
    ],
  }),
  fsync: sig({ name: "fsync", synopsis: "fsync FD", refs: [{ role: "fd", kind: "fd" }] }),
  await: sig({ name: "await", synopsis: "await REMOTE", refs: [{ role: "peer", kind: "peer" }] }),
  unplug: sig({ name: "unplug", synopsis: "unplug" }),
  memory_failure: sig({
    name: "memory_failure",
    synopsis: "memory_failure FILE page=N [early_kill]",
    refs: [{ role: "file", kind: "file" }],
    words: [{ role: "early_kill", values: ["early_kill"] }],
    keys: [page],
  }),
  hca_reset: sig({ name: "hca_reset", synopsis: "hca_reset" }),
  send_uverbs: sig({
    name: "send_uverbs",
    synopsis: "send_uverbs PROC",
    refs: [{ role: "proc", kind: "proc" }],
  }),
  setsig: sig({
    name: "setsig",
    synopsis: "setsig FD SIGNAL",
    refs: [{ role: "fd", kind: "fd" }],
    words: [{ role: "signal", values: SIGNAL_NAMES, required: true }],
  }),
  kill: sig({
    name: "kill",
    synopsis: "kill PROC [SIGNAL]",
    refs: [{ role: "proc", kind: "proc" }],
    words: [{ role: "signal", values: SIGNAL_NAMES }],
  }),
  exit: sig({ name: "exit", synopsis: "exit" }),
  fork: sig({ name: "fork", synopsis: "fork PROC", refs: [{ role: "child", kind: "proc" }] }),
  madvise: sig({
    name: "madvise",
    synopsis: "madvise VA dontfork|dofork|dontneed",
    refs: [{ role: "va", kind: "va" }],
    words: [{ role: "advice", values: ["dontfork", "dofork", "dontneed"], required: true }],
  }),
  unlink: sig({ name: "unlink", synopsis: "unlink FILE", refs: [{ role: "file", kind: "file" }] }),
  wait_for: sig({
    name: "wait_for",
    synopsis: "wait_for PROC.LABEL",
    refs: [{ role: "target", kind: "label" }],
  }),
});

/** `VA = mmap anon ...`: mmap(MAP_ANONYMOUS), read by shape.ts when `mmap`'s first word is `anon`. */
export const ANON_MMAP: Signature = sig({
  name: "mmap anon",
  synopsis: "VA = mmap anon pages=N [private|shared] [r|rw]",
  words: [
    { role: "shared", values: ["shared", "private"] },
    { role: "prot", values: ["r", "rw"] },
  ],
  keys: [size],
  result: "va",
});

/** Operations of a remote peer (`remote`). */
export const PEER_OPS: ReadonlyMap<string, Signature> = table({
  recv: sig({ name: "recv", synopsis: "MR = recv", result: "mr" }),
  rdma_write: sig({
    name: "rdma_write",
    synopsis: "rdma_write MR page=N",
    refs: [{ role: "mr", kind: "mr" }],
    keys: [page],
  }),
  rdma_read: sig({
    name: "rdma_read",
    synopsis: "rdma_read MR page=N",
    refs: [{ role: "mr", kind: "mr" }],
    keys: [page],
  }),
});

export const QUANTIFIERS = ["never", "sometimes", "always"] as const;

/**
 * Properties and policies a scenario may name when the caller passes no list
 * of its own: the registries themselves, so the text format never falls
 * behind a new property or policy.
 */
export const DEFAULT_PROPERTIES: readonly string[] = PROPERTY_NAMES;
export const DEFAULT_POLICIES: readonly string[] = POLICY_NAMES;

/**
 * Errnos an operation can return in the model, in the order the kernel paths
 * it models check them (src/model/fs/file-ops.ts, locks/lease.ts, mm/gup.ts,
 * rdma/mr.ts, proc/program.ts). `ok` and `blocks` are always possible; an
 * expectation naming another errno gets a PIN312 warning. Operations not
 * listed (send, await, store, load, munmap, exit) return only `ok` or block,
 * or end the process with a signal.
 */
export const RESULTS: ReadonlyMap<string, readonly string[]> = table({
  // create: O_CREAT|O_EXCL → EEXIST; open: a file not (yet) created → ENOENT, may_open() → EACCES
  open: ["EEXIST", "ENOENT", "EACCES", "EINTR"],
  create: ["EEXIST", "ENOENT", "EACCES"],
  close: ["EBADF"],
  // do_mmap(): a closed fd; MAP_SHARED|PROT_WRITE on an fd not open for writing;
  // device-DAX refuses MAP_PRIVATE (EINVAL); a write seal refuses a shared writable mapping (EPERM)
  mmap: ["EBADF", "EACCES", "ETXTBSY", "EINVAL", "EPERM"],
  // memfd_add_seals(): fd not writable, F_SEAL_SEAL (EPERM); not tmpfs/hugetlbfs (EINVAL);
  // a shared mapping of an fd open for writing (any PROT) or pages still pinned after memfd_wait_for_pins() (EBUSY)
  add_seals: ["EBADF", "EPERM", "EINVAL", "EBUSY"],
  // check_vma_flags(), writable_file_mapping_allowed(), a fault past EOF, migration
  pin_longterm: ["EFAULT", "EOPNOTSUPP", "EPERM", "ENOMEM"],
  unpin_longterm: ["EINVAL"],
  // device-DAX has no read; hugetlbfs and device-DAX no write (vfs_read/vfs_write: EINVAL)
  read: ["EBADF", "EINVAL"],
  // generic_write_checks() on an active swapfile; no free block
  // and, under layout-lease, an allocating write meeting F_UNBREAK (ETXTBSY, EDEADLOCK) or a signal (EINTR)
  write: ["EBADF", "EINVAL", "ETXTBSY", "EPERM", "ENOSPC", "EDEADLOCK", "EDEADLK", "EINTR"],
  fsync: ["EBADF"],
  // ib_check_mr_access(), check_vma_flags(), writable_file_mapping_allowed(), the policies
  // ib_uverbs_ioctl() on a disassociated uverbs file (hca_reset) → EIO, before anything else
  reg_mr: ["EIO", "EINVAL", "EFAULT", "EOPNOTSUPP", "EPERM", "ENOMEM"],
  dereg_mr: ["EIO", "EINVAL"],
  // a disassociated uverbs file (hca_reset) → EIO first; ib_uverbs_rereg_mr(): no flags (EINVAL), the handle gone (ENOENT), ib_check_mr_access()
  // (EINVAL); then the new range's pins, as reg_mr (rdma/rereg.ts)
  rereg_mr: ["EIO", "EINVAL", "ENOENT", "EFAULT", "EOPNOTSUPP", "EPERM", "ENOMEM"],
  // do_mprotect_pkey(): no VMA (ENOMEM), PROT_WRITE without VM_MAYWRITE (EACCES)
  mprotect: ["ENOMEM", "EACCES"],
  // mremap: nothing mapped at the address (EFAULT), MREMAP_DONTUNMAP of VM_PFNMAP (EINVAL)
  mremap: ["EFAULT", "EINVAL"],
  // io_sqe_buffers_register(): a table already → EBUSY; io_pin_pages() (GUP, as reg_mr);
  // then __io_account_mem() → ENOMEM (iouring/ring.ts)
  io_uring_register: ["EBUSY", "EFAULT", "EOPNOTSUPP", "EPERM", "ENOMEM"],
  // io_sqe_buffers_unregister(): no buffer table
  io_uring_unregister: ["ENXIO"],
  // io_import_reg_buf(): no buffer node at the index
  read_fixed: ["EFAULT"],
  write_fixed: ["EFAULT"],
  // vfio_dma_do_map(): vaddr_get_pfns() (GUP, as reg_mr), then RLIMIT_MEMLOCK (vfio/dma.ts)
  vfio_map_dma: ["EFAULT", "EOPNOTSUPP", "EPERM", "ENOMEM"],
  // vfio_dma_do_unmap(): nothing mapped there any more is success with size 0
  vfio_unmap_dma: [],
  // the IOMMU blocks DMA without a translation or without the permission
  vfio_dma_write: ["EFAULT"],
  vfio_dma_read: ["EFAULT"],
  // iter_to_pipe(): iov_iter_get_pages2() of the first page fails (no VMA, past EOF)
  vmsplice: ["EFAULT"],
  // the pipe is empty (its read end is O_NONBLOCK)
  pipe_read: ["EAGAIN"],
  // pin_user_pages_fast() of the buffer fails (no VMA, past EOF, FOLL_WRITE of a R/O mapping)
  dio_read: ["EFAULT"],
  dio_write: ["EFAULT"],
  // generic_setlease(); F_LAYOUT/F_UNBREAK where the policy has no layout leases → EINVAL
  // do_fcntl(): the fd first; lease_alloc() (unknown flag), vfs_setlease(), generic_add_lease()
  setlease: ["EBADF", "EINVAL", "EACCES", "EAGAIN"],
  setsig: ["EBADF"],
  // vfs_truncate(), notify_change(), then the layout change (policy, layout leases)
  // EINTR: a signal ends the wait for a lease break or for pinned pages
  // a seal of a tmpfs/hugetlbfs file (F_SEAL_SHRINK, F_SEAL_GROW): EPERM
  truncate: [
    "ENOENT",
    "EINVAL",
    "EACCES",
    "ETXTBSY",
    "EPERM",
    "EBUSY",
    "EDEADLOCK",
    "EDEADLK",
    "EINTR",
  ],
  ftruncate: ["EBADF", "EINVAL", "ETXTBSY", "EPERM", "EBUSY", "EDEADLOCK", "EDEADLK", "EINTR"],
  // vfs_fallocate(), then the layout change
  fallocate: [
    "EBADF",
    "ETXTBSY",
    "ENODEV",
    "EOPNOTSUPP",
    "EPERM",
    "EINVAL",
    "EFBIG",
    "ENOSPC",
    "EBUSY",
    "EDEADLOCK",
    "EDEADLK",
    "EINTR",
  ],
  // FICLONE: vfs_clone_file_range(), generic_remap_file_range_prep(), layout change
  reflink: [
    "EBADF",
    "EXDEV",
    "EOPNOTSUPP",
    "EINVAL",
    "ETXTBSY",
    "EBUSY",
    "EDEADLOCK",
    "EDEADLK",
    "EINTR",
  ],
  // FIDEDUPERANGE: vfs_dedupe_file_range() on the source, then the destination's status
  // (EBADE: FILE_DEDUPE_RANGE_DIFFERS), generic_remap_file_range_prep(), layout change
  dedupe: [
    "EBADF",
    "EINVAL",
    "EOPNOTSUPP",
    "EPERM",
    "EXDEV",
    "EIO",
    "ETXTBSY",
    "EBADE",
    "EBUSY",
    "EDEADLOCK",
    "EDEADLK",
    "EINTR",
  ],
  // notify_change() → setattr_prepare(): not the owner (chmod), no CAP_CHOWN (chown)
  chmod: ["ENOENT", "EPERM"],
  chown: ["ENOENT", "EPERM"],
  // FS_IOC_FSSETXATTR: no ->fileattr_set (ENOTTY), no FS_XFLAG_DAX (EOPNOTSUPP), not the owner
  fssetxattr: ["EBADF", "ENOTTY", "EOPNOTSUPP", "EPERM"],
  unplug: ["EINVAL", "ENODEV"],
  // memory_failure_dev_pagemap(): no page behind the pfn; has_extra_refcount(): a
  // page-cache page still referenced
  memory_failure: ["ENXIO", "EBUSY"],
  hca_reset: [],
  // kill_pid_info(): no such process; kill_ok_by_cred(): another user
  kill: ["ESRCH", "EPERM"],
  // copy_present_page() finds no page for a pinned page's copy
  fork: ["ENOMEM"],
  // madvise_walk_vmas(): the range is not mapped
  madvise: ["ENOMEM"],
  // may_delete(): no such name, the directory is not writable, IS_SWAPFILE
  unlink: ["ENOENT", "EACCES", "EPERM"],
});

/** Errno names an expectation may use beyond the model's table (src/model/errno.ts). */
export const EXTRA_ERRNOS: readonly string[] = ["EDEADLK"];
