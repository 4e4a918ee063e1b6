/**
 * Writeback of a dirty page-cache page (->writepages): the block gets the
 * page's content, the page becomes clean, and folio_mkclean() write-protects
 * every PTE that maps it so that the next CPU store faults into ->page_mkwrite.
 * A device writing through a pin gets no such fault: that is the problem of
 * kernel-semantics §2.3 (John Hubbard, Jan Kara; "Every. Time.").
 */
import { type Ctx, emit } from "../ctx.js";
import { allocBlock, dropBlock, writeBlock } from "../fs/blocks.js";
import {
  BLK_USERS,
  blk,
  ext,
  FF_DIRTY,
  FF_DMA_CLEAN,
  FR_CONTENT,
  FR_FLAGS,
  FR_INDEX,
  FR_INODE,
  frm,
  PTE_RO,
  PTE_RW,
  vma as vmaOff,
} from "../layout.js";
import { pteFrame, ptePack, ptePerm } from "./pte.js";
import { invalidateOdpFrame } from "./unmap.js";

/** Whether frame f is a dirty page in some file's page cache. */
export function writebackPending(ctx: Pick<Ctx, "m" | "s">, f: number): boolean {
  const { m, s } = ctx;
  const o = frm(m, f);
  return (s[o + FR_FLAGS]! & FF_DIRTY) !== 0 && s[o + FR_INODE]! > 0;
}

export function writeback(ctx: Ctx, f: number): void {
  const { m, s } = ctx;
  const o = frm(m, f);
  const inode = s[o + FR_INODE]! - 1;
  const page = s[o + FR_INDEX]!;
  const e = ext(m, inode, page);
  if (s[e] === 0) {
    const b = allocBlock(ctx, inode); // delayed allocation happens at writeback
    if (b < 0) return; // ENOSPC: the page stays dirty
    s[e] = b + 1;
  } else if (s[blk(m, s[e]! - 1) + BLK_USERS]! > 1) {
    const old = s[e]! - 1;
    const b = allocBlock(ctx, inode); // COW fork: a shared extent is written out of place
    if (b < 0) return;
    s[e] = b + 1;
    dropBlock(ctx, old, false);
    emit(ctx, { k: "cow", inode, page, from: old, to: b });
  }
  writeBlock(m, s, s[e]! - 1, s[o + FR_CONTENT]!); // ->writepages converts an unwritten extent
  s[o + FR_FLAGS] = s[o + FR_FLAGS]! & ~(FF_DIRTY | FF_DMA_CLEAN);
  // folio_mkclean(): write-protect every mapping of the page, and notify ODP.
  for (let v = 0; v < m.vmas.length; v++) {
    const vi = m.vmas[v]!;
    if (vi.inode !== inode) continue;
    const vo = vmaOff(m, v);
    for (let k = 0; k < vi.pages; k++) {
      const pte = s[vo + 1 + k]!;
      if (pte !== 0 && pteFrame(pte) === f && ptePerm(pte) === PTE_RW)
        s[vo + 1 + k] = ptePack(f, PTE_RO);
    }
  }
  invalidateOdpFrame(ctx, f);
  emit(ctx, { k: "writeback", frame: f, inode, page });
}
