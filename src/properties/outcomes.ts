/**
 * Properties about what applications and administrators pay: kills,
 * connection failures, stranded space, kernel bugs, and whether RDMA on
 * fs-DAX works at all.
 */
import { fsdax } from "../model/backing.js";
import type { ModelEvent } from "../model/events.js";
import { BLK_BUSY, blk, type Model, MR_VALID, mr as mrOff, type State } from "../model/layout.js";
import { mrName, peerName, procName } from "./names.js";
import type { Finding, Property } from "./property.js";

/**
 * No process dies because of someone else's layout change: the kernel's
 * SIGKILL escalation after lease-break-time, a lease break started by
 * another process that kills its holder, because it installed no handler
 * (SIGIO's default action is Term) or because its handler crashes, or the
 * SIGBUS that pmem unbind sends every process mapping a file of the device.
 */
export const kill: Property = {
  name: "kill",
  group: "cost",
  summary:
    "a process dies of someone else's layout change (escalation SIGKILL, a lease-break signal it does not survive, SIGBUS at pmem unbind)",
  kind: "safety",
  reads: ["exit"],
  onStep(m, _b, _a, events): Finding | null {
    for (const e of events) {
      if (e.k !== "exit") continue;
      if (e.cause === "escalation")
        return {
          message: `the kernel sent SIGKILL to ${procName(m, e.proc)} after lease-break-time`,
        };
      if (e.cause === "memory-failure")
        return {
          message: `the kernel sent SIGBUS to ${procName(m, e.proc)}, which maps a file of the pmem device being unbound (mf_dax_kill_procs); its default action kills`,
        };
      if (e.cause === "lease-break" && e.byOther === true)
        return {
          message:
            e.how === "crashed"
              ? `${procName(m, e.proc)}'s lease-break handler crashed on a break another process caused`
              : `${procName(m, e.proc)} was killed by ${e.sig ?? "SIGIO"} (no handler: its default action terminates) on a lease break another process caused`,
        };
    }
    return null;
  },
};

/**
 * The first lease break in `events` that revokes a pin still valid after the
 * step, with its message; `byOther` keeps only breaks another process or the
 * kernel started.
 */
function revokedPin(m: Model, after: State, events: readonly ModelEvent[], byOther: boolean) {
  for (const e of events) {
    if (e.k !== "lease-break" || (byOther && e.by === e.holder)) continue;
    for (let x = 0; x < m.mrs.length; x++) {
      const mi = m.mrs[x]!;
      if (mi.proc !== e.holder || m.vmas[mi.vma]!.inode !== e.inode) continue;
      if (after[mrOff(m, x)] === MR_VALID) {
        const who = !byOther ? "the kernel" : e.by >= 0 ? procName(m, e.by) : "the kernel";
        return {
          message: `${who} broke ${procName(m, e.holder)}'s lease to revoke ${mrName(m, x)} (${e.what})`,
        };
      }
    }
  }
  return null;
}

/**
 * No pin holder is asked to give its pins up: no lease protecting a pin is
 * broken. Jason Gunthorpe: "how can the FS/MM side provide a guarantee to the
 * user that revoke won't happen under a certain system design?" (seed mail).
 */
export const revocation: Property = {
  name: "revocation",
  group: "cost",
  summary: "a lease protecting a pin is broken: the pin holder is asked to give it up",
  kind: "safety",
  reads: ["lease-break"],
  onStep: (m, _b, after, events): Finding | null => revokedPin(m, after, events, false),
};

/**
 * The revocation another user can cause: a lease protecting a pin is broken
 * by another process's open or layout change, or by the kernel (device
 * removal). Jason Gunthorpe called revoke that others trigger a "DoS engine";
 * a revoke the holder brings on itself (its own truncate) is its own choice.
 * `revocation` counts both.
 */
export const revocationByOther: Property = {
  name: "revocation-by-other",
  group: "cost",
  summary: "a lease protecting a pin is broken by another process or the kernel, not by its holder",
  kind: "safety",
  reads: ["lease-break"],
  onStep: (m, _b, after, events): Finding | null => revokedPin(m, after, events, true),
};

/** No RDMA connection fails (no QP moves to the error state). */
export const commFailure: Property = {
  name: "comm-failure",
  group: "cost",
  summary: "an RDMA connection fails (a QP moves to the error state)",
  kind: "safety",
  reads: ["qp-error"],
  onStep(m, _b, _a, events): Finding | null {
    for (const e of events)
      if (e.k === "qp-error")
        return { message: `${peerName(m, e.peer)}'s QP moved to the error state` };
    return null;
  },
};

/** Possibility: an RDMA registration over an fs-DAX file succeeds. */
export const rdmaOnDax: Property = {
  name: "rdma-on-dax",
  group: "capability",
  summary: "an RDMA registration over an fs-DAX file succeeds",
  kind: "possibility",
  reads: ["ret"],
  onStep(m, _b, _a, events): Finding | null {
    if (!m.dax) return null;
    for (const e of events) {
      if (e.k !== "ret" || e.result < 0) continue;
      const op = m.procs[e.proc]!.prog[e.pc]!;
      // vma_is_fsdax(): a file of the fs-DAX filesystem (not a device file, not device-DAX, not tmpfs)
      if (op.spec.op === "reg_mr" && fsdax(m, m.vmas[op.b]!.inode))
        return {
          message: `${procName(m, e.proc)} registered ${mrName(m, op.c)} over an fs-DAX file`,
        };
    }
    return null;
  },
};

/** At the end, no block is stranded on the busy list. */
export const strandedSpace: Property = {
  name: "stranded-space",
  group: "cost",
  summary: "blocks freed by a layout change never return to the free pool",
  kind: "safety",
  atEnd(m, s): Finding | null {
    const busy: number[] = [];
    for (let b = 0; b < m.nBlocks; b++) if (s[blk(m, b) + BLK_BUSY] === 1) busy.push(b);
    if (busy.length === 0) return null;
    return {
      message: `block${busy.length > 1 ? "s" : ""} ${busy.join(", ")} stay busy forever: still pinned after truncate`,
    };
  },
};

/**
 * A long-term pin never holds a page in ZONE_MOVABLE or CMA: such a page can no
 * longer be migrated, so memory offlining and CMA allocations fail. This is why
 * FOLL_LONGTERM migrates first (check_and_migrate_movable_pages, mm/gup.c).
 */
export const pinnedMovable: Property = {
  name: "pinned-movable",
  group: "safety",
  summary: "a long-term pin holds a page in ZONE_MOVABLE/CMA (it can never migrate)",
  kind: "safety",
  reads: ["pin"],
  onStep(m, _b, _a, events): Finding | null {
    for (const e of events)
      if (e.k === "pin" && e.movable.length > 0)
        return {
          message: `${procName(m, e.proc)} long-term pinned frame ${e.movable.join(",")} in ZONE_MOVABLE: it can no longer be migrated or offlined`,
        };
    return null;
  },
};

/** No state the kernel would BUG() on (a page dirtied without ->page_mkwrite after writeback). */
export const kernelBug: Property = {
  name: "kernel-bug",
  group: "safety",
  summary: "a page is dirtied after writeback without page_mkwrite (ext4 BUG_ON)",
  kind: "safety",
  reads: ["bug"],
  onStep(_m, _b, _a, events): Finding | null {
    for (const e of events) if (e.k === "bug") return { message: `frame ${e.frame}: ${e.what}` };
    return null;
  },
};
