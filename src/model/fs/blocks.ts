/**
 * Block allocation: the lowest free block, zeroed on allocation (XFS allocates
 * DAX blocks with XFS_BMAPI_ZERO; unwritten extents read as zeroes), and
 * freeing, which a policy may defer while the block's pfn is still pinned.
 */
import { type Ctx, emit } from "../ctx.js";
import {
  BLK_BUSY,
  BLK_CONTENT,
  BLK_USERS,
  blk,
  CONTENT_ZERO,
  ext,
  FR_REF,
  frm,
  INO_EXISTS,
  ino,
  type Model,
  type State,
} from "../layout.js";

/** A free block for `inode`, zeroed, or -1 (ENOSPC). */
export function allocBlock(ctx: Ctx, inode: number, content = CONTENT_ZERO): number {
  const { m, s } = ctx;
  for (let b = 0; b < m.nBlocks; b++) {
    const o = blk(m, b);
    if (s[o + BLK_USERS] === 0 && s[o + BLK_BUSY] === 0) {
      s[o + BLK_USERS] = 1;
      s[o + BLK_CONTENT] = content;
      emit(ctx, { k: "blocks-alloc", inode, blocks: [b] });
      return b;
    }
  }
  return -1;
}

/**
 * Drops one extent reference to block b. When none is left the block is freed,
 * or, with `defer` and its pfn still referenced, held busy until the last unpin.
 * Returns 1 when freed, 2 when held busy, 0 when still shared.
 */
export function dropBlock(ctx: Ctx, b: number, defer: boolean): number {
  const { m, s } = ctx;
  const o = blk(m, b);
  s[o + BLK_USERS]! -= 1;
  if (s[o + BLK_USERS]! > 0) return 0;
  if (defer && m.dax && s[frm(m, b) + FR_REF]! > 0) {
    s[o + BLK_BUSY] = 1;
    return 2;
  }
  return 1;
}

/** An inode (other than `except`) whose extent map includes block b, or -1. */
export function ownerOf(m: Model, s: State, b: number, except: number): number {
  for (let i = 0; i < m.inodes.length; i++) {
    if (i === except || s[ino(m, i) + INO_EXISTS] !== 1) continue;
    for (let p = 0; p < m.maxPages; p++) if (s[ext(m, i, p)] === b + 1) return i;
  }
  return -1;
}
