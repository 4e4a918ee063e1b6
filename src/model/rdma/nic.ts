/**
 * The remote side and the NIC. A remote RDMA WRITE or READ is two steps: the
 * peer issues it (the responder NIC translates the rkey and address to a
 * page: the pinned page of the MR, or for ODP the device's current
 * translation, faulting if there is none), then the data lands. Between the
 * two, the kernel may change the file's layout: that window is the race of
 * the whole thread.
 */

import { type Ctx, emit } from "../ctx.js";
import type { DmaOutcome, ModelEvent } from "../events.js";
import { ownerOf } from "../fs/blocks.js";
import {
  alive,
  BLK_BUSY,
  BLK_CONTENT,
  BLK_USERS,
  blk,
  contentOf,
  ext,
  FF_ANON,
  FF_DIRTY,
  FF_DMA_CLEAN,
  FF_USED,
  FR_CONTENT,
  FR_FLAGS,
  FR_INDEX,
  FR_INODE,
  frm,
  INF_NONE,
  INF_READ,
  INF_READ_FAULT,
  INF_WRITE,
  INF_WRITE_FAULT,
  type Model,
  MR_DEREG,
  MR_INVALID,
  MR_VALID,
  mr as mrOff,
  PTE_RW,
  peer as peerOff,
  QP_DEAD,
  QP_READY,
  R_CANCEL,
  R_INFL,
  R_MBOX,
  R_OPMR,
  R_OPPAGE,
  R_PART,
  R_PC,
  R_QP,
  R_TGT,
  R_VARS,
  type State,
  vma as vmaOff,
} from "../layout.js";
import { fault } from "../mm/fault.js";
import { frameContent, zeroFrame } from "../mm/frames.js";
import { pteFrame, ptePerm } from "../mm/pte.js";
import { poisoned } from "../proc/memory-failure.js";
import { peerWillRepeat } from "../repeat.js";
import { hcaGone, isRdmaMr } from "./hca.js";
import { peerFail } from "./mr.js";
import { rkeyTarget } from "./rereg.js";

/**
 * Whether peer r's program has ended (finished with no repeat left, cancelled,
 * or its QP failed).
 */
export function peerDone(m: Model, s: State, r: number): boolean {
  const po = peerOff(m, r);
  return (
    (s[po + R_PC]! >= m.peers[r]!.prog.length &&
      s[po + R_INFL] === INF_NONE &&
      !peerWillRepeat(m, s, r)) ||
    s[po + R_QP] !== QP_READY ||
    s[po + R_CANCEL] === 2
  );
}

/** Whether peer r can take its next program step now. */
export function peerCanStep(m: Model, s: State, r: number): boolean {
  const po = peerOff(m, r);
  const info = m.peers[r]!;
  const pc = s[po + R_PC]!;
  if (pc >= info.prog.length || s[po + R_QP] !== QP_READY || s[po + R_CANCEL] === 2) return false;
  if (s[po + R_INFL] !== INF_NONE) return false; // one outstanding work request at a time
  const op = info.prog[pc]!;
  if (op.spec.op === "recv") return s[po + R_MBOX]! < s[m.mboxOff[r]!]!;
  return true;
}

/** Runs peer r's next operation. */
export function peerStep(ctx: Ctx, r: number): void {
  const { m, s } = ctx;
  const po = peerOff(m, r);
  const info = m.peers[r]!;
  const op = info.prog[s[po + R_PC]!]!;
  s[po + R_PC]! += 1;
  if (op.spec.op === "recv") {
    const msg = s[m.mboxOff[r]! + 1 + (s[po + R_MBOX]! % m.mboxCap[r]!)]!;
    s[po + R_MBOX]! += 1;
    s[po + R_VARS + op.a] = msg;
    emit(ctx, { k: "recv", peer: r, mr: msg > 0 ? msg - 1 : -1 });
    // No rkey (the registration failed): the peer has nothing to access.
    if (msg <= 0) s[po + R_PC] = info.prog.length;
  } else {
    const msg = s[po + R_VARS + op.a]!;
    const write = op.spec.op === "rdma_write";
    if (msg <= 0) {
      emit(ctx, {
        k: "rdma-error",
        peer: r,
        status: "REM_ACCESS_ERR",
        why: "no rkey was received",
      });
    } else issue(ctx, r, msg - 1, op.b, write);
  }
  if (s[po + R_QP] === QP_READY && peerDone(m, s, r))
    emit(ctx, { k: "peer-done", peer: r, cancelled: false });
}

/** The responder NIC checks the rkey and translates the address. */
function issue(ctx: Ctx, r: number, key: number, page: number, write: boolean): void {
  const { m, s } = ctx;
  const po = peerOff(m, r);
  // An rkey that ibv_rereg_mr() kept names the registration it moved to (rdma/rereg.ts).
  const x = rkeyTarget(m, s, key);
  const mi = m.mrs[x]!;
  const o = mrOff(m, x);
  const st = s[o]!;
  if (hcaGone(ctx) && isRdmaMr(ctx, x)) {
    peerFail(
      ctx,
      r,
      "RETRY_EXC_ERR",
      "the local HCA was reset: the QP it was connected to is gone",
    );
    return;
  }
  if (st === MR_DEREG && !alive(s, m, mi.proc)) {
    peerFail(ctx, r, "RETRY_EXC_ERR", "the remote QP is gone (its process died)");
    return;
  }
  if (st !== MR_VALID) {
    peerFail(
      ctx,
      r,
      "REM_ACCESS_ERR",
      st === MR_INVALID ? "rkey invalidated" : "rkey deregistered",
    );
    return;
  }
  if ((write && !mi.remoteWrite) || (!write && !mi.remoteRead) || page >= mi.pages) {
    peerFail(ctx, r, "REM_ACCESS_ERR", "access outside the MR's rights or bounds");
    return;
  }
  const f1 = s[o + 2 + page]!;
  s[po + R_OPMR] = x + 1;
  s[po + R_OPPAGE] = page;
  if (f1 === 0 || (write && mi.odp && readOnlyPrivate(m, s, mi.vma, page, f1 - 1))) {
    // ODP: no translation on the device → page fault, resolved by the driver (hmm_range_fault)
    s[po + R_INFL] = write ? INF_WRITE_FAULT : INF_READ_FAULT;
    s[po + R_TGT] = 0;
    emit(ctx, { k: "issue", peer: r, op: write ? "write" : "read", mr: x, page, frame: -1 });
    return;
  }
  s[po + R_INFL] = write ? INF_WRITE : INF_READ;
  s[po + R_TGT] = f1;
  emit(ctx, { k: "issue", peer: r, op: write ? "write" : "read", mr: x, page, frame: f1 - 1 });
}

/**
 * Whether an ODP translation to frame f of page k of a MAP_PRIVATE VMA v is
 * read-only: a read fault (hmm_range_fault without HMM_PFN_REQ_WRITE) mapped
 * the file page, so the device has read permission only and a write faults
 * again; that write fault copies the page (wp_page_copy, whose notifier drops
 * the old translation) and maps the private copy writable. The CPU's PTE
 * tells: after a write fault it maps f writable.
 */
function readOnlyPrivate(m: Model, s: State, v: number, k: number, f: number): boolean {
  if (m.vmas[v]!.shared) return false;
  const pte = s[vmaOff(m, v) + 1 + k]!;
  return !(pte !== 0 && ptePerm(pte) === PTE_RW && pteFrame(pte) === f);
}

/**
 * The ODP driver resolves a device page fault through the owner's page tables
 * (ib_umem_odp_map_dma_and_lock → hmm_range_fault). A fault it cannot resolve
 * (no VMA, past EOF) fails the access: remote access error, QP in error.
 */
export function odpFault(ctx: Ctx, r: number): void {
  const { m, s } = ctx;
  const po = peerOff(m, r);
  const x = s[po + R_OPMR]! - 1;
  const page = s[po + R_OPPAGE]!;
  const write = s[po + R_INFL] === INF_WRITE_FAULT;
  const mi = m.mrs[x]!;
  const f = alive(s, m, mi.proc) ? fault(ctx, mi.vma, page, write) : -1;
  if (f < 0) {
    peerFail(ctx, r, "REM_ACCESS_ERR", "ODP page fault failed (page gone)");
    return;
  }
  s[mrOff(m, x) + 2 + page] = f + 1;
  s[po + R_INFL] = write ? INF_WRITE : INF_READ;
  s[po + R_TGT] = f + 1;
  emit(ctx, { k: "odp-fault", peer: r, mr: x, page, frame: f });
}

/** Where a DMA to frame f lands, judged against (inode, page), the MR's file page. */
export function judgeTarget(
  m: Model,
  s: State,
  f: number,
  inode: number,
  page: number,
): { outcome: DmaOutcome; other: number } {
  if (f === zeroFrame(m)) return { outcome: "ok", other: -1 };
  if (m.dax && f < m.nBlocks) {
    const bo = blk(m, f);
    const mine = s[ext(m, inode, page)] === f + 1;
    if (s[bo + BLK_USERS] === 0)
      return { outcome: s[bo + BLK_BUSY] === 1 ? "busy" : "free", other: -1 };
    if (mine && s[bo + BLK_USERS]! === 1) return { outcome: "ok", other: -1 };
    const other = ownerOf(m, s, f, inode);
    return { outcome: mine ? "shared" : "foreign", other };
  }
  const fo = frm(m, f);
  // A RAM page already freed (a private copy zapped and released): nobody's memory now.
  if ((s[fo + FR_FLAGS]! & FF_USED) === 0) return { outcome: "free", other: -1 };
  if ((s[fo + FR_FLAGS]! & FF_ANON) !== 0) return { outcome: "anon", other: -1 };
  if (s[fo + FR_INODE] === inode + 1 && s[fo + FR_INDEX] === page)
    return { outcome: "ok", other: -1 };
  if (s[fo + FR_INODE] === 0) return { outcome: "orphan", other: -1 };
  return { outcome: "foreign", other: s[fo + FR_INODE]! - 1 };
}

/**
 * A device writes (`write`) or reads frame f, meant for (inode, page): the
 * data goes to the frame, judged against that file page, and a `dma` event
 * says where it went. Shared by RDMA, io_uring fixed I/O and O_DIRECT bios.
 */
export function deviceAccess(
  ctx: Ctx,
  f: number,
  inode: number,
  page: number,
  write: boolean,
  who: {
    readonly peer: number;
    readonly mr: number;
    readonly via?: "io_uring" | "dio" | "vfio";
    readonly dio?: number;
  },
): void {
  const { m, s } = ctx;
  const { outcome, other } = judgeTarget(m, s, f, inode, page);
  let content = 0;
  const bad = poisoned(m, s, f);
  if (write) {
    const data = contentOf(inode);
    if (m.dax && f < m.nBlocks) s[blk(m, f) + BLK_CONTENT] = data;
    else {
      const fo = frm(m, f);
      s[fo + FR_CONTENT] = data;
      // A device write does not go through ->page_mkwrite: a clean page stays clean.
      if ((s[fo + FR_FLAGS]! & FF_DIRTY) === 0 && s[fo + FR_INODE]! > 0)
        s[fo + FR_FLAGS]! |= FF_DMA_CLEAN;
    }
  } else content = frameContent(m, s, f);
  if (ctx.ev === null) return;
  // The optional fields are added in place, in the event's declared order (a
  // spread of conditional objects costs more than the access itself).
  const e: { -readonly [K in keyof DmaEvent]: DmaEvent[K] } = {
    k: "dma",
    peer: who.peer,
    op: write ? "write" : "read",
    mr: who.mr,
    inode,
    page,
    frame: f,
    outcome,
    other,
    content,
  };
  if (who.via !== undefined) e.via = who.via;
  if (who.dio !== undefined) e.dio = who.dio;
  if (bad) e.poisoned = true;
  emit(ctx, e);
}

type DmaEvent = Extract<ModelEvent, { k: "dma" }>;

/** The data of peer r's in-flight operation lands (WRITE) or is read (READ). */
export function nicLand(ctx: Ctx, r: number): void {
  const { m, s } = ctx;
  const po = peerOff(m, r);
  const x = s[po + R_OPMR]! - 1;
  const k = s[po + R_OPPAGE]!;
  const f = s[po + R_TGT]! - 1;
  const write = s[po + R_INFL] === INF_WRITE;
  const mi = m.mrs[x]!;
  const vi = m.vmas[mi.vma]!;
  s[po + R_INFL] = INF_NONE;
  s[po + R_TGT] = 0;
  s[po + R_OPMR] = 0;
  s[po + R_OPPAGE] = 0;
  deviceAccess(ctx, f, vi.inode, vi.first + k, write, { peer: r, mr: x });
  // A device read of poisoned memory: the root port returns a poisoned completion and
  // the HCA fails the request (the model's reading: the IB spec's responder error for
  // a local failure, IBV_WC_REM_OP_ERR; what the driver does next is device-specific).
  if (!write && poisoned(m, s, f)) {
    peerFail(ctx, r, "REM_OP_ERR", "the responder's DMA read met poisoned memory");
    return;
  }
  if (peerDone(m, s, r) && s[po + R_QP] === QP_READY)
    emit(ctx, { k: "peer-done", peer: r, cancelled: false });
}

/**
 * The remote peer dies (its host crashes, `faults peer_crash=`): its program
 * stops and its QP is gone. An operation it already issued still lands (its
 * packets reached the responder). The local side learns nothing from the
 * kernel: the MR stays registered and pinned until its owner deregisters it
 * or dies; the application's own connection (the one `await` listens on)
 * reports the failure, as an RC QP would after retry exhaustion
 * (IBV_WC_RETRY_EXC_ERR on the next send). Unlike a partition, which only
 * cuts the application's cancel messages, nothing of the peer comes back.
 */
export function peerCrash(ctx: Ctx, r: number): void {
  const { m, s } = ctx;
  const po = peerOff(m, r);
  s[po + R_PC] = m.peers[r]!.prog.length;
  const wasReady = s[po + R_QP] === QP_READY;
  s[po + R_QP] = QP_DEAD;
  emit(ctx, { k: "peer-crash", peer: r });
  if (wasReady) emit(ctx, { k: "qp-error", peer: r });
}

/** The peer answers the application's cancel message once nothing is in flight, and stops. */
export function peerAck(ctx: Ctx, r: number): void {
  const { m, s } = ctx;
  const po = peerOff(m, r);
  s[po + R_CANCEL] = 2;
  emit(ctx, { k: "cancel-acked", peer: r });
  emit(ctx, { k: "peer-done", peer: r, cancelled: true });
}

export function peerCanAck(m: Model, s: State, r: number): boolean {
  const po = peerOff(m, r);
  return (
    s[po + R_CANCEL] === 1 &&
    m.peers[r]!.cancel &&
    s[po + R_PART] === 0 &&
    s[po + R_QP] === QP_READY &&
    s[po + R_INFL] === INF_NONE
  );
}
