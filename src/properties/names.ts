/** Readable names of model objects for findings and traces. */
import { CONTENT_STALE, CONTENT_ZERO, contentInode, type Model } from "../model/layout.js";

export const procName = (m: Model, p: number): string => m.procs[p]?.name ?? `proc#${p}`;
export const peerName = (m: Model, r: number): string => m.peers[r]?.name ?? `peer#${r}`;
export const fileName = (m: Model, i: number): string => m.inodes[i]?.name ?? `inode#${i}`;
export const userName = (m: Model, u: number): string => m.users[u]?.name ?? `uid#${u}`;

/** The operations that create a pin-table slot with a name: an MR, a ring buffer, a VFIO mapping. */
export const isPinRegistration = (op: string): boolean =>
  op === "reg_mr" || op === "io_uring_register" || op === "vfio_map_dma";

/** The name a reviewer would use for an MR: its variable in the owner's program. */
export function mrName(m: Model, x: number): string {
  const mi = m.mrs[x];
  if (!mi) return `mr#${x}`;
  const owner = m.procs[mi.proc]!;
  const op = owner.prog.find(
    (o) => (isPinRegistration(o.spec.op) || o.spec.op === "rereg_mr") && o.c === x,
  );
  if (op?.spec.op === "rereg_mr") return `${owner.name}.${op.spec.mr} (re-registered)`;
  return op &&
    (op.spec.op === "reg_mr" || op.spec.op === "io_uring_register" || op.spec.op === "vfio_map_dma")
    ? `${owner.name}.${op.spec.dst}`
    : `mr#${x}`;
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

/** What a `dma` event needs to be named: who accessed the page, and through what. */
interface DmaWho {
  readonly peer: number;
  readonly mr: number;
  readonly op: "write" | "read";
  readonly via?: "io_uring" | "dio" | "vfio";
  readonly dio?: number;
}

/**
 * The device access in words, fitting its pinner: `RDMA WRITE from peer
 * through server.mr`, `IORING_OP_READ_FIXED into app.buf`, `O_DIRECT read
 * by reader`. No rkey or IBV_WC for what has none. `through`: name the MR.
 */
export function dmaWho(m: Model, e: DmaWho, through = true): string {
  if (e.via === "io_uring")
    return e.op === "write"
      ? `IORING_OP_READ_FIXED into ${mrName(m, e.mr)}`
      : `IORING_OP_WRITE_FIXED from ${mrName(m, e.mr)}`;
  // VFIO_DMA_MAP_FLAG_WRITE/READ are from the device's side: it writes or reads memory.
  if (e.via === "vfio")
    return e.op === "write"
      ? `device DMA write into ${mrName(m, e.mr)}`
      : `device DMA read from ${mrName(m, e.mr)}`;
  if (e.via === "dio") {
    const di = m.dios[e.dio ?? -1];
    const who = di ? procName(m, di.proc) : "a process";
    return e.op === "write" ? `O_DIRECT read by ${who}` : `O_DIRECT write by ${who}`;
  }
  const via = through ? ` through ${mrName(m, e.mr)}` : "";
  return e.op === "write"
    ? `RDMA WRITE from ${peerName(m, e.peer)}${via}`
    : `RDMA READ by ${peerName(m, e.peer)}${via}`;
}

/** The mapping a `dma` event's pinner covers. */
export function dmaVma(m: Model, e: DmaWho): number {
  if (e.via === "dio") return m.dios[e.dio ?? -1]?.vma ?? 0;
  return m.mrs[e.mr]?.vma ?? 0;
}
