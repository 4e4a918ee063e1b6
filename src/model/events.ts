/**
 * What a step did, as data: the engines collect these, properties judge them,
 * reports render them. Object ids are model table indices.
 */

/** Why a DMA or a read landed where it did, judged against the file the MR was registered on. */
export type DmaOutcome =
  | "ok" // the block/page belongs to the MR's file at that index
  | "foreign" // the block belongs to another inode
  | "shared" // the block is shared by reflink with another inode
  | "free" // the block is in the free pool
  | "busy" // the block was freed by a layout change and is held busy (deferred free)
  | "orphan" // a page-cache page no longer in the file's mapping
  | "anon"; // an anonymous (COW) page, not the file

export type ModelEvent =
  /** A process operation returned: result ≥ 0 is success (an object id or a count), < 0 is -errno. */
  | {
      readonly k: "ret";
      readonly proc: number;
      readonly pc: number;
      readonly result: number;
      /** Processes whose pins caused a layout change to fail. */
      readonly blockers?: readonly number[];
      readonly note?: string;
    }
  /** An operation was skipped because an input variable holds no object (its producer failed). */
  | { readonly k: "skip"; readonly proc: number; readonly pc: number; readonly missing: string }
  | {
      readonly k: "block";
      readonly proc: number;
      readonly pc: number;
      readonly why: string;
      readonly blockers: readonly number[];
    }
  | { readonly k: "resume"; readonly proc: number; readonly pc: number }
  /** A lease break signals its holder: SIGIO, or the signal set with F_SETSIG. */
  | { readonly k: "sigio"; readonly proc: number; readonly inode: number; readonly sig?: string }
  /** kill(2) delivered a signal that did not kill at once. */
  | { readonly k: "signal"; readonly proc: number; readonly sig: string; readonly what: string }
  | { readonly k: "sigio-ignored"; readonly proc: number; readonly why: string }
  | {
      readonly k: "lease-break";
      readonly holder: number;
      readonly inode: number;
      readonly what: string;
      /** The process whose open or layout change breaks it; -1: the kernel (e.g. device removal). */
      readonly by: number;
    }
  | {
      readonly k: "lease-removed";
      readonly holder: number;
      readonly inode: number;
      readonly forced: boolean;
    }
  | { readonly k: "timer"; readonly holder: number; readonly inode: number }
  | {
      readonly k: "escalate";
      readonly proc: number;
      readonly mr: number;
      readonly how: "sigkill" | "invalidate";
      /** For `invalidate`: whether the NIC fenced the MR (no issued operation can land after). */
      readonly fenced?: boolean;
    }
  | {
      readonly k: "exit";
      readonly proc: number;
      readonly how: "exit" | "killed" | "crashed";
      /**
       * `escalation` = SIGKILL sent by the kernel to make a layout change progress;
       * `memory-failure` = SIGBUS sent at pmem unbind to a process mapping a file of the device;
       * `hwpoison` = SIGBUS for a memory error (memory_failure(), or an access to a poisoned page);
       * `oom` = SIGKILL from the OOM killer.
       */
      readonly cause:
        | "program"
        | "kill"
        | "escalation"
        | "fault"
        | "lease-break"
        | "signal"
        | "memory-failure"
        | "hwpoison"
        | "oom";
      readonly sig?: string;
      /** Some of its MRs live on: another process holds its uverbs file. */
      readonly kept?: boolean;
      /** cause `lease-break`: another process's open or layout change started the break. */
      readonly byOther?: boolean;
    }
  | { readonly k: "hang"; readonly proc: number }
  /**
   * memory_failure() marked the memory behind a file page bad (proc/memory-failure.ts):
   * `pinned` a pin still holds it, `dax` the pfn is an fs-DAX block, `dirty` a dirty page-cache page.
   */
  | {
      readonly k: "poison";
      readonly inode: number;
      readonly page: number;
      readonly frame: number;
      readonly pinned: boolean;
      readonly dax: boolean;
      readonly dirty: boolean;
    }
  /** The HCA was reset: IB_EVENT_DEVICE_FATAL on the process's uverbs file (rdma/hca.ts). */
  | { readonly k: "device-fatal"; readonly proc: number }
  /** The kernel destroyed an MR and dropped its pins (HCA reset). */
  | { readonly k: "mr-destroyed"; readonly mr: number; readonly why: string }
  /** A remote peer died (`faults peer_crash=`): its QP is gone. */
  | { readonly k: "peer-crash"; readonly peer: number }
  /** The OOM killer chose a process; `pinned`: frames still pinned after it died, which no reaper frees. */
  | { readonly k: "oom-kill"; readonly proc: number; readonly pinned: readonly number[] }
  /** A dead process's MR lives on: another process holds its uverbs file (SCM_RIGHTS). */
  | { readonly k: "mr-kept"; readonly mr: number; readonly holders: readonly number[] }
  | { readonly k: "blocks-freed"; readonly inode: number; readonly blocks: readonly number[] }
  | { readonly k: "blocks-busy"; readonly inode: number; readonly blocks: readonly number[] }
  | { readonly k: "blocks-reclaimed"; readonly blocks: readonly number[] }
  | { readonly k: "blocks-alloc"; readonly inode: number; readonly blocks: readonly number[] }
  | {
      readonly k: "cow";
      readonly inode: number;
      readonly page: number;
      readonly from: number;
      readonly to: number;
    }
  | { readonly k: "orphaned"; readonly inode: number; readonly frames: readonly number[] }
  /**
   * fork(2) of `child`: the pinned anonymous frames the child got copies of
   * (copy_present_page), those shared write-protected with it (2019 rules),
   * and the parent's VMAs not copied (MADV_DONTFORK).
   */
  | {
      readonly k: "fork";
      readonly parent: number;
      readonly child: number;
      readonly copied: readonly number[];
      readonly shared: readonly number[];
      readonly dontfork: readonly number[];
    }
  /** unlink(2) removed the name; `held`: an open file or mapping keeps the inode. */
  | {
      readonly k: "unlinked";
      readonly proc: number;
      readonly inode: number;
      readonly held: boolean;
    }
  /** The last reference to an unlinked inode went: evicted, its blocks freed. */
  | { readonly k: "evicted"; readonly proc: number; readonly inode: number }
  | {
      readonly k: "pin";
      readonly proc: number;
      readonly mr: number;
      readonly frames: readonly number[];
      readonly dax: boolean;
      /** Frames left in ZONE_MOVABLE/CMA under a long-term pin. */
      readonly movable: readonly number[];
    }
  | {
      readonly k: "unpin";
      readonly mr: number;
      readonly frames: readonly number[];
      readonly dirty: boolean;
    }
  | {
      readonly k: "migrate";
      readonly inode: number;
      readonly page: number;
      readonly from: number;
      readonly to: number;
    }
  /** check_and_migrate_movable_pages() could not move a page: the pin fails with ENOMEM. */
  | { readonly k: "migrate-failed"; readonly inode: number; readonly frame: number }
  | {
      readonly k: "issue";
      readonly peer: number;
      readonly op: "write" | "read";
      readonly mr: number;
      readonly page: number;
      readonly frame: number; // -1: ODP page fault pending
    }
  | {
      readonly k: "dma";
      readonly peer: number;
      readonly op: "write" | "read";
      readonly mr: number;
      readonly inode: number;
      readonly page: number;
      readonly frame: number;
      readonly outcome: DmaOutcome;
      /** For a foreign/shared block: the other inode. */
      readonly other: number;
      /** Content observed by a read (CONTENT_*). */
      readonly content: number;
      /**
       * Who accessed the page: an RDMA peer through an MR (absent), the kernel
       * through an io_uring registered buffer (`io_uring`: peer is -1, mr the
       * buffer), an assigned device through a VFIO DMA mapping (`vfio`: peer
       * is -1, mr the mapping), or an O_DIRECT bio (`dio`: peer and mr are -1,
       * dio its slot).
       */
      readonly via?: "io_uring" | "dio" | "vfio";
      readonly dio?: number;
      /** The frame is poisoned (memory_failure()): a write lands in bad memory, a read consumes poison. */
      readonly poisoned?: boolean;
    }
  /** An O_DIRECT bio is submitted: the page is referenced (FOLL_PIN) until it completes. */
  | { readonly k: "dio-issue"; readonly proc: number; readonly dio: number; readonly frame: number }
  /** vmsplice(2) put a page in the process's pipe: a plain reference (FOLL_GET) until the pipe is read or closed. */
  | {
      readonly k: "splice-get";
      readonly proc: number;
      readonly dio: number;
      readonly frame: number;
    }
  /** The pipe buffer was consumed (read) or the pipe freed: the page reference dropped. */
  | {
      readonly k: "splice-release";
      readonly proc: number;
      readonly dio: number;
      readonly frame: number;
      readonly why: "read" | "close";
    }
  /** The bio completed and its reference dropped. */
  | { readonly k: "dio-done"; readonly proc: number; readonly dio: number; readonly frame: number }
  /** A local read (pread or a load through a mapping) observed a page's content. */
  | {
      readonly k: "read";
      readonly proc: number;
      readonly inode: number;
      readonly page: number;
      readonly content: number;
    }
  | {
      readonly k: "rdma-error";
      readonly peer: number;
      readonly status: "REM_ACCESS_ERR" | "RETRY_EXC_ERR" | "WR_FLUSH_ERR" | "REM_OP_ERR";
      readonly why: string;
    }
  | { readonly k: "qp-error"; readonly peer: number }
  | { readonly k: "odp-register"; readonly mr: number }
  | { readonly k: "odp-invalidate"; readonly mr: number; readonly pages: readonly number[] }
  | {
      readonly k: "odp-fault";
      readonly peer: number;
      readonly mr: number;
      readonly page: number;
      readonly frame: number;
    }
  | { readonly k: "cancel-sent"; readonly proc: number; readonly peer: number }
  | { readonly k: "cancel-acked"; readonly peer: number }
  | { readonly k: "handler-done"; readonly proc: number; readonly mrs: readonly number[] }
  | {
      readonly k: "writeback";
      readonly frame: number;
      readonly inode: number;
      readonly page: number;
    }
  | { readonly k: "partition"; readonly peer: number }
  /** The model hit a state the kernel would BUG() or corrupt on. */
  | { readonly k: "bug"; readonly frame: number; readonly inode: number; readonly what: string }
  | { readonly k: "recv"; readonly peer: number; readonly mr: number }
  | { readonly k: "peer-done"; readonly peer: number; readonly cancelled: boolean }
  /** A repeating tail starts again at operation `pc`; `iteration` counts from 1 (the first run). */
  | { readonly k: "repeat"; readonly proc: number; readonly pc: number; readonly iteration: number }
  | {
      readonly k: "peer-repeat";
      readonly peer: number;
      readonly pc: number;
      readonly iteration: number;
    };

export type EventKind = ModelEvent["k"];
