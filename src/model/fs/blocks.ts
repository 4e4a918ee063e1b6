/**
 * Block allocation and freeing. XFS and ext4 never map a block whose old
 * contents could be read back:
 * - a DAX write fault allocates a zeroed, written block (xfs_iomap_write_direct()
 *   passes XFS_BMAPI_CONVERT|XFS_BMAPI_ZERO for DAX; ext4_iomap_alloc() uses
 *   EXT4_GET_BLOCKS_CREATE_ZERO), and converts an unwritten extent the same way;
 * - fallocate(2) preallocates unwritten extents (xfs_alloc_file_space() with
 *   XFS_BMAPI_PREALLOC, ext4_alloc_file_blocks() with
 *   EXT4_GET_BLOCKS_CREATE_UNWRIT_EXT): the block keeps its old bytes, but
 *   every read through the filesystem returns zeroes (iomap IOMAP_UNWRITTEN:
 *   dax_iomap_rw()/dax_fault_iter() treat it as a hole) until a write converts it;
 * - page-cache writes allocate at writeback, with the page's data.
 * Old bytes stay reachable only by a device that still addresses a block after
 * it was freed and reused (a pin), or by a raw read of the device.
 * Freeing may be deferred by a policy while the block's pfn is still pinned.
 */
import { type Ctx, emit } from "../ctx.js";
import {
  BLK_BUSY,
  BLK_CONTENT,
  BLK_UNWRITTEN,
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

/** A free block for `inode`, written with `content` (zeroes by default), or -1 (ENOSPC). */
export function allocBlock(ctx: Ctx, inode: number, content = CONTENT_ZERO): number {
  const b = freeBlock(ctx, inode);
  if (b >= 0) {
    const o = blk(ctx.m, b);
    ctx.s[o + BLK_CONTENT] = content;
    ctx.s[o + BLK_UNWRITTEN] = 0;
  }
  return b;
}

/** A free block for `inode` as an unwritten extent: its old bytes stay, reads return zeroes. */
export function allocUnwritten(ctx: Ctx, inode: number): number {
  const b = freeBlock(ctx, inode);
  if (b >= 0) ctx.s[blk(ctx.m, b) + BLK_UNWRITTEN] = 1;
  return b;
}

function freeBlock(ctx: Ctx, inode: number): number {
  const { m, s } = ctx;
  for (let b = 0; b < m.nBlocks; b++) {
    const o = blk(m, b);
    if (s[o + BLK_USERS] === 0 && s[o + BLK_BUSY] === 0) {
      s[o + BLK_USERS] = 1;
      emit(ctx, { k: "blocks-alloc", inode, blocks: [b] });
      return b;
    }
  }
  return -1;
}

/** What a read through the filesystem returns from block b: zeroes while it is unwritten. */
export function blockReadContent(m: Model, s: State, b: number): number {
  const o = blk(m, b);
  return s[o + BLK_UNWRITTEN] === 1 ? CONTENT_ZERO : s[o + BLK_CONTENT]!;
}

/** Writes `content` to block b through the filesystem, converting an unwritten extent. */
export function writeBlock(m: Model, s: State, b: number, content: number): void {
  const o = blk(m, b);
  s[o + BLK_CONTENT] = content;
  s[o + BLK_UNWRITTEN] = 0;
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
