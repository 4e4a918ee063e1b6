/** Readable names of model objects for findings and traces. */
import { CONTENT_STALE, CONTENT_ZERO, contentInode, type Model } from "../model/layout.js";

export const procName = (m: Model, p: number): string => m.procs[p]?.name ?? `proc#${p}`;
export const peerName = (m: Model, r: number): string => m.peers[r]?.name ?? `peer#${r}`;
export const fileName = (m: Model, i: number): string => m.inodes[i]?.name ?? `inode#${i}`;
export const userName = (m: Model, u: number): string => m.users[u]?.name ?? `uid#${u}`;

/** The name a reviewer would use for an MR: its variable in the owner's program. */
export function mrName(m: Model, x: number): string {
  const mi = m.mrs[x];
  if (!mi) return `mr#${x}`;
  const owner = m.procs[mi.proc]!;
  const op = owner.prog.find((o) => o.spec.op === "reg_mr" && o.c === x);
  return op && op.spec.op === "reg_mr" ? `${owner.name}.${op.spec.dst}` : `mr#${x}`;
}

/**
 * A frame as a reviewer would call it: on fs-DAX frames below nBlocks are the
 * device's blocks; every other frame is RAM (a page-cache page, or an
 * anonymous private copy), never "block N".
 */
export function frameName(m: Model, f: number): string {
  if (f === m.nFrames) return "the zero page";
  if (m.dax && f < m.nBlocks) return `block ${f}`;
  return `page frame ${f}`;
}

export function contentName(m: Model, c: number): string {
  if (c === CONTENT_ZERO) return "zeroes";
  if (c === CONTENT_STALE) return "stale data of a previous owner";
  return `${fileName(m, contentInode(c))}'s data`;
}
