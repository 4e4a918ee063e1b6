/**
 * Properties about what applications and administrators pay: kills,
 * connection failures, stranded space, kernel bugs, and whether RDMA on
 * fs-DAX works at all.
 */
import { BLK_BUSY, blk } from "../model/layout.js";
import { mrName, peerName, procName } from "./names.js";
import type { Finding, Property } from "./property.js";

/** No process is killed by the kernel to make a layout change progress. */
export const noKill: Property = {
  name: "no-kill",
  summary: "no process is killed by the kernel to make progress (lease-break escalation)",
  kind: "safety",
  onStep(m, _b, _a, events): Finding | null {
    for (const e of events)
      if (e.k === "exit" && e.cause === "escalation")
        return {
          message: `the kernel sent SIGKILL to ${procName(m, e.proc)} after lease-break-time`,
        };
    return null;
  },
};

/** No RDMA connection fails (no QP moves to the error state). */
export const noCommFailure: Property = {
  name: "no-comm-failure",
  summary: "no RDMA connection fails (no QP moves to the error state)",
  kind: "safety",
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
  summary: "RDMA registration on fs-DAX is possible at all",
  kind: "possibility",
  onStep(m, _b, _a, events): Finding | null {
    if (!m.dax) return null;
    for (const e of events) {
      if (e.k !== "ret" || e.result < 0) continue;
      const op = m.procs[e.proc]!.prog[e.pc]!;
      if (op.spec.op === "reg_mr" && !m.inodes[m.vmas[op.b]!.inode]!.pfnmap)
        return {
          message: `${procName(m, e.proc)} registered ${mrName(m, op.c)} over an fs-DAX file`,
        };
    }
    return null;
  },
};

/** At the end, no block is stranded on the busy list. */
export const spaceReclaimed: Property = {
  name: "space-reclaimed",
  summary: "blocks freed by a layout change return to the free pool",
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

/** No state the kernel would BUG() on (a page dirtied without ->page_mkwrite after writeback). */
export const noKernelBug: Property = {
  name: "no-kernel-bug",
  summary: "no page is dirtied after writeback without page_mkwrite (ext4 BUG_ON)",
  kind: "safety",
  onStep(m, _b, _a, events): Finding | null {
    for (const e of events) if (e.k === "bug") return { message: `frame ${e.frame}: ${e.what}` };
    void m;
    return null;
  },
};
