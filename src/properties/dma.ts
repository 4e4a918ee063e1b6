/**
 * Properties about where device DMA lands and what remote reads return.
 */
import type { ModelEvent } from "../model/events.js";
import { CONTENT_STALE, CONTENT_ZERO, contentInode, type Model } from "../model/layout.js";
import { contentName, fileName, mrName, peerName, procName } from "./names.js";
import type { Finding, Property } from "./property.js";

type Dma = Extract<ModelEvent, { k: "dma" }>;

function where(m: Model, e: Dma): string {
  const unit = m.dax ? `block ${e.frame}` : `page frame ${e.frame}`;
  switch (e.outcome) {
    case "foreign":
      return `${unit}, which now belongs to ${e.other >= 0 ? fileName(m, e.other) : "another file"}`;
    case "shared":
      return `${unit}, shared by reflink with ${e.other >= 0 ? fileName(m, e.other) : "another file"}`;
    case "free":
      return `${unit}, which is free`;
    case "busy":
      return `${unit}, freed by a layout change and held busy`;
    case "orphan":
      return `${unit}, no longer in ${fileName(m, e.inode)}'s page cache (orphaned by truncate)`;
    case "anon":
      return `${unit}, a private copy`;
    case "ok":
      return unit;
  }
}

function dmaEvents(events: readonly ModelEvent[], op: "write" | "read"): Dma[] {
  return events.filter((e): e is Dma => e.k === "dma" && e.op === op);
}

/** A DMA never lands in a block owned by another inode, shared with one, or free. */
export const foreignDma: Property = {
  name: "foreign-dma",
  group: "safety",
  summary: "a DMA lands in a block owned by another inode, or free",
  kind: "safety",
  onStep(m, _b, _a, events): Finding | null {
    for (const e of dmaEvents(events, "write")) {
      if (e.outcome === "foreign" || e.outcome === "shared" || e.outcome === "free")
        return {
          message: `RDMA WRITE from ${peerName(m, e.peer)} through ${mrName(m, e.mr)} (${fileName(m, e.inode)} page ${e.page}) landed in ${where(m, e)}`,
        };
    }
    return null;
  },
};

/** A read (remote RDMA READ or local) never returns another file's data or uninitialised data. */
export const staleExposure: Property = {
  name: "stale-exposure",
  group: "safety",
  summary: "a read returns another file's or uninitialised data",
  kind: "safety",
  onStep(m, _b, _a, events): Finding | null {
    for (const e of events) {
      if (e.k === "dma" && e.op === "read") {
        const bad =
          e.outcome === "foreign" ||
          e.content === CONTENT_STALE ||
          (e.content !== CONTENT_ZERO && contentInode(e.content) !== e.inode);
        if (bad)
          return {
            message: `RDMA READ by ${peerName(m, e.peer)} through ${mrName(m, e.mr)} (${fileName(m, e.inode)} page ${e.page}) returned ${contentName(m, e.content)} from ${where(m, e)}`,
          };
      }
      if (e.k === "read") {
        const bad =
          e.content === CONTENT_STALE ||
          (e.content !== CONTENT_ZERO && contentInode(e.content) !== e.inode);
        if (bad)
          return {
            message: `${procName(m, e.proc)} read ${fileName(m, e.inode)} page ${e.page} and got ${contentName(m, e.content)}`,
          };
      }
    }
    return null;
  },
};

/** A completed RDMA WRITE is in the file (unless a later layout change removed it). */
export const lostWrite: Property = {
  name: "lost-write",
  group: "safety",
  summary: "a completed RDMA WRITE is missing from the file, and no layout change removed it",
  kind: "safety",
  onStep(m, _b, _a, events): Finding | null {
    for (const e of dmaEvents(events, "write")) {
      if (
        e.outcome === "orphan" ||
        e.outcome === "busy" ||
        e.outcome === "free" ||
        e.outcome === "foreign"
      )
        return {
          message: `RDMA WRITE from ${peerName(m, e.peer)} completed into ${where(m, e)}: it is not in ${fileName(m, e.inode)}`,
        };
    }
    return null;
  },
};
