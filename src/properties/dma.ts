/**
 * Properties about where device DMA lands and what remote reads return.
 */
import { writesBack } from "../model/backing.js";
import type { ModelEvent } from "../model/events.js";
import {
  alive,
  CONTENT_STALE,
  CONTENT_ZERO,
  contentInode,
  FF_DMA_CLEAN,
  FR_FLAGS,
  frm,
  INO_EXISTS,
  INO_T_LINEAGE,
  ino,
  inoTail,
  type Model,
  pcache,
  type State,
  vma,
} from "../model/layout.js";
import { pteFrame } from "../model/mm/pte.js";
import { contentName, dmaVma, dmaWho, fileName, frameName, mrName, procName } from "./names.js";
import type { Finding, Property } from "./property.js";

type Dma = Extract<ModelEvent, { k: "dma" }>;

function where(m: Model, e: Dma): string {
  const unit = frameName(m, e.frame);
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
      return `${unit}, the process's private (anonymous) copy`;
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
  reads: ["dma"],
  onStep(m, _b, _a, events): Finding | null {
    for (const e of dmaEvents(events, "write")) {
      if (e.outcome === "foreign" || e.outcome === "shared" || e.outcome === "free")
        return {
          message: `${dmaWho(m, e)} (${fileName(m, e.inode)} page ${e.page}) landed in ${where(m, e)}`,
        };
    }
    return null;
  },
};

/**
 * Whether a read of `inode` returning `content` exposes data the file never
 * held: a previous owner's leftovers, or another file's data. Data of a file
 * this one was cloned from (FICLONE) is legitimate: the clone shares it by
 * design (INO_T_LINEAGE). Writes the source makes after the clone reach the
 * clone only through a shared block, which foreign-dma reports.
 */
function exposes(m: Model, s: State, inode: number, content: number): boolean {
  if (content === CONTENT_ZERO) return false;
  if (content === CONTENT_STALE) return true;
  const from = contentInode(content);
  return from !== inode && (s[inoTail(m, inode) + INO_T_LINEAGE]! & (1 << from)) === 0;
}

/** Marks stale data as coming from a hypothetical file: XFS and ext4 never hand out unzeroed blocks. */
function label(m: Model, content: number): string {
  const hypothetical = m.spec.files.some((f) => !f.zeroed);
  return content === CONTENT_STALE && hypothetical
    ? " (hypothetical: the scenario declares blocks that were never zeroed, which XFS and ext4 never hand out)"
    : "";
}

/** A read (remote RDMA READ or local) never returns another file's data or uninitialised data. */
export const staleExposure: Property = {
  name: "stale-exposure",
  group: "safety",
  summary: "a read returns another file's or uninitialised data",
  kind: "safety",
  reads: ["dma", "read"],
  onStep(m, _b, after, events): Finding | null {
    for (const e of events) {
      if (e.k === "dma" && e.op === "read") {
        if (e.outcome === "foreign" || exposes(m, after, e.inode, e.content))
          return {
            message: `${dmaWho(m, e)} (${fileName(m, e.inode)} page ${e.page}) returned ${contentName(m, e.content)} from ${where(m, e)}${label(m, e.content)}`,
          };
      }
      if (e.k === "read" && exposes(m, after, e.inode, e.content))
        return {
          message: `${procName(m, e.proc)} read ${fileName(m, e.inode)} page ${e.page} and got ${contentName(m, e.content)}${label(m, e.content)}`,
        };
    }
    return null;
  },
};

/**
 * A completed RDMA WRITE is in the file (unless a later layout change removed
 * it), and stays there once fsync(2) has returned 0. Two ways to lose it:
 * - it lands outside the file: in an orphaned page-cache page, a busy or free
 *   block, another file's block;
 * - durability: it lands in a page-cache page that writeback had already
 *   cleaned (the device writes without ->page_mkwrite, so the page stays
 *   clean, FF_DMA_CLEAN), and a later fsync returns 0 without writing it: the
 *   data is not on storage although fsync succeeded (John Hubbard's writeback
 *   race, https://lore.kernel.org/r/20190204052135.25784-1-jhubbard@nvidia.com).
 * A write through a MAP_PRIVATE mapping's MR goes to the process's private
 * copy, which never belongs in the file; it is lost when the copy is no longer
 * the page the process maps there (detachedOwner: copy-on-write after fork
 * under the 2019 rules, proc/fork.ts).
 */
export const lostWrite: Property = {
  name: "lost-write",
  group: "safety",
  summary:
    "a completed RDMA WRITE is missing from the file (or from storage after fsync returned 0, or from the pinner's private memory), and no layout change removed it",
  kind: "safety",
  reads: ["ret", "dma"],
  onStep(m, _b, after, events): Finding | null {
    for (const e of events) {
      if (e.k !== "ret" || e.result !== 0) continue;
      const op = m.procs[e.proc]!.prog[e.pc]!;
      if (op.spec.op !== "fsync") continue;
      const inode = m.ofds[op.a]!.inode;
      const page = dmaCleanPage(m, after, inode);
      if (page >= 0)
        return {
          message: `${procName(m, e.proc)}'s fsync of ${fileName(m, inode)} returned 0, but page ${page} holds an RDMA WRITE that landed after writeback cleaned the page: it is not on storage`,
        };
    }
    for (const e of dmaEvents(events, "write")) {
      if (m.vmas[dmaVma(m, e)]!.shared === false) {
        const owner = detachedOwner(m, after, e);
        if (owner >= 0) {
          const k = e.page - m.vmas[dmaVma(m, e)]!.first;
          const why =
            after[vma(m, dmaVma(m, e)) + 1 + k] === 0
              ? "its page table was zapped (MADV_DONTNEED): its next access maps a fresh zero page"
              : "copy-on-write gave it another";
          return {
            message: `${dmaWho(m, e, false)} completed into ${frameName(m, e.frame)}, the page ${mrName(m, e.mr)} pinned, but ${procName(m, owner)} no longer maps that page at page ${k} of its mapping (${why}): the write is missing from its memory`,
          };
        }
        continue;
      }
      // An evicted file (unlinked, last close gone) has no contents left to miss a write.
      if (after[ino(m, e.inode) + INO_EXISTS] === 0) continue;
      if (
        e.outcome === "orphan" ||
        e.outcome === "busy" ||
        e.outcome === "free" ||
        e.outcome === "foreign"
      )
        return {
          message: `${dmaWho(m, e, false)} completed into ${where(m, e)}: it is not in ${fileName(m, e.inode)}`,
        };
    }
    return null;
  },
};

/**
 * A pinned (not ODP) MR over a private mapping whose owner, alive and still
 * mapping it, now maps another page where the DMA landed: the pin and the
 * page table went apart (the GUP/COW incoherence that the selftest
 * tools/testing/selftests/mm/cow.c checks; proc/fork.ts). Returns the owner, or -1.
 */
function detachedOwner(m: Model, s: State, e: Dma): number {
  if (e.via === "dio") return -1;
  const mi = m.mrs[e.mr]!;
  if (mi.odp || e.outcome !== "anon" || !alive(s, m, mi.proc)) return -1;
  const vo = vma(m, mi.vma);
  if (s[vo] !== 1) return -1;
  const k = e.page - m.vmas[mi.vma]!.first;
  const pte = s[vo + 1 + k]!;
  // No PTE: private anonymous memory refaults as a fresh zero page (MADV_DONTNEED,
  // mm/vma-ops.ts); a private file mapping would refault the file's page, which a
  // layout change may have removed, so only anonymous memory counts here.
  const detached =
    pte !== 0 ? pteFrame(pte) !== e.frame : m.inodes[m.vmas[mi.vma]!.inode]!.backing === "anon";
  // The page may still be the owner's elsewhere: mremap(MREMAP_DONTUNMAP) moved it.
  return detached && !ownerMaps(m, s, mi.proc, e.frame) ? mi.proc : -1;
}

/** Whether one of process p's mappings maps frame f. */
function ownerMaps(m: Model, s: State, p: number, f: number): boolean {
  for (let v = 0; v < m.vmas.length; v++) {
    const vi = m.vmas[v]!;
    if (vi.proc !== p || s[vma(m, v)] !== 1) continue;
    for (let k = 0; k < vi.pages; k++) {
      const pte = s[vma(m, v) + 1 + k]!;
      if (pte !== 0 && pteFrame(pte) === f) return true;
    }
  }
  return false;
}

/** A page of the inode's page cache written by DMA after writeback cleaned it (-1: none). */
function dmaCleanPage(m: Model, s: State, inode: number): number {
  if (!writesBack(m, inode)) return -1;
  for (let page = 0; page < m.maxPages; page++) {
    const f1 = s[pcache(m, inode, page)]!;
    if (f1 > 0 && (s[frm(m, f1 - 1) + FR_FLAGS]! & FF_DMA_CLEAN) !== 0) return page;
  }
  return -1;
}
