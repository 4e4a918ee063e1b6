/**
 * Process teardown (do_exit): files closed (leases released), mappings
 * removed, and the uverbs context closed, which destroys every MR and QP of the
 * process: "SIGKILL tears down all of a process's RDMA resources, and that path
 * is supported" (Jason Gunthorpe, https://lore.kernel.org/r/20190207171736.GD22726@ziepe.ca).
 */

import { type Ctx, emit } from "../ctx.js";
import type { ModelEvent } from "../events.js";
import { evictAfterExit } from "../fs/unlink.js";
import {
  MR_DEREG,
  MR_INVALID,
  MR_VALID,
  mr as mrOff,
  OFD_MAPPED,
  OFD_OPEN,
  ofd,
  P_HANDLER,
  P_SIG,
  P_STATUS,
  proc,
  vma as vmaOff,
} from "../layout.js";
import { releaseLease } from "../locks/lease.js";
import { dioComplete } from "../mm/dio.js";
import { releaseIfIdle } from "../mm/frames.js";
import { unpinMrPages } from "../mm/gup.js";
import { pteFrame } from "../mm/pte.js";
import { invalidateOdp } from "../mm/unmap.js";
import { abortInflight } from "../rdma/mr.js";
import { dropUverbsRefs, uverbsHeldElsewhere, uverbsHolders } from "../rdma/uverbs.js";
import { dropInheritedFiles, fileHeldElsewhere, mappedByAnyone } from "./fork.js";

type ExitEvent = Extract<ModelEvent, { k: "exit" }>;

export function teardown(
  ctx: Ctx,
  p: number,
  status: number,
  how: ExitEvent["how"],
  cause: ExitEvent["cause"],
  sig?: string,
  byOther?: boolean,
): void {
  const { m, s } = ctx;
  let kept = false;
  for (let x = 0; x < m.mrs.length; x++) {
    if (m.mrs[x]!.proc !== p) continue;
    const o = mrOff(m, x);
    if (s[o] !== MR_VALID && s[o] !== MR_INVALID) continue;
    // The uverbs file outlives the process while another process holds it (uverbs.ts).
    if (uverbsHeldElsewhere(m, s, x)) {
      emit(ctx, { k: "mr-kept", mr: x, holders: uverbsHolders(m, s, x) });
      kept = true;
      continue;
    }
    destroyMr(ctx, x);
  }
  // A bio in flight completes (mm/dio.ts): the model keeps no orphaned bios.
  for (let d = 0; d < m.dios.length; d++) if (m.dios[d]!.proc === p) dioComplete(ctx, d);
  for (let v = 0; v < m.vmas.length; v++) {
    const vi = m.vmas[v]!;
    if (vi.proc !== p) continue;
    const vo = vmaOff(m, v);
    if (s[vo] !== 1) continue;
    unmapVma(ctx, v);
  }
  for (let o = 0; o < m.ofds.length; o++) {
    if (m.ofds[o]!.proc !== p) continue;
    const oo = ofd(m, o);
    if (s[oo + OFD_OPEN] !== 1 && s[oo + OFD_OPEN] !== OFD_MAPPED) continue;
    // A forked child's descriptor or mapping still holds the file (proc/fork.ts).
    if (fileHeldElsewhere(m, s, o) || mappedByAnyone(m, s, o)) {
      s[oo + OFD_OPEN] = OFD_MAPPED;
      continue;
    }
    releaseLease(ctx, o, false);
    s[oo + OFD_OPEN] = 2;
  }
  dropInheritedFiles(ctx, p, closeInherited);
  const po = proc(m, p);
  s[po + P_SIG] = 0;
  s[po + P_HANDLER] = 0;
  s[po + P_STATUS] = status;
  // p's references to other processes' uverbs files go with its descriptors.
  dropUverbsRefs(ctx, p, destroyMr);
  evictAfterExit(ctx, p);
  if (ctx.ev === null) return;
  // The optional fields are added in place, in the event's declared order (a
  // spread of conditional objects costs more than the rest of the exit).
  const e: { -readonly [K in keyof ExitEvent]: ExitEvent[K] } = { k: "exit", proc: p, how, cause };
  if (sig !== undefined) e.sig = sig;
  if (kept) e.kept = kept;
  if (byOther !== undefined) e.byOther = byOther;
  emit(ctx, e);
}

/** The last fput of a file the dead process inherited (proc/fork.ts dropInheritedFiles). */
function closeInherited(ctx: Ctx, o: number): void {
  releaseLease(ctx, o, false);
  ctx.s[ofd(ctx.m, o) + OFD_OPEN] = 2;
}

/** ib_uverbs_close() of the MR's context: in-flight operations fail, the pages are unpinned. */
function destroyMr(ctx: Ctx, x: number): void {
  const { m, s } = ctx;
  const o = mrOff(m, x);
  abortInflight(ctx, x, "RETRY_EXC_ERR", "the process and its QPs are gone");
  if (s[o] === MR_VALID && !m.mrs[x]!.odp) unpinMrPages(ctx, x);
  s[o] = MR_DEREG;
  s[o + 1] = 0;
}

/** munmap of a whole VMA: PTEs zapped (anonymous copies freed when unreferenced), ODP notified. */
export function unmapVma(ctx: Ctx, v: number): void {
  const { m, s } = ctx;
  const vi = m.vmas[v]!;
  const vo = vmaOff(m, v);
  for (let k = 0; k < vi.pages; k++) {
    const pte = s[vo + 1 + k]!;
    if (pte === 0) continue;
    s[vo + 1 + k] = 0;
    releaseIfIdle(ctx, pteFrame(pte));
  }
  invalidateOdp(ctx, v, 0, vi.pages - 1);
  s[vo] = 2;
  // The mapping held a reference to the struct file (vma->vm_file): after close(2),
  // the last munmap is the last fput, and __fput() → locks_remove_file() ends the lease.
  const oo = ofd(m, vi.ofd);
  if (s[oo + OFD_OPEN] !== OFD_MAPPED) return;
  if (mappedByAnyone(m, s, vi.ofd) || fileHeldElsewhere(m, s, vi.ofd)) return;
  releaseLease(ctx, vi.ofd, false);
  s[oo + OFD_OPEN] = 2;
}
