/**
 * O_DIRECT I/O between a mapping and a file on another device (outside the
 * model): a short-term reference that ends by itself.
 *
 * The direct-I/O path takes its pages with iov_iter_extract_pages(), which for
 * user memory is pin_user_pages_fast() with FOLL_PIN but without
 * FOLL_LONGTERM (block/bio.c bio_iov_iter_get_pages(), v6.4 and later; before,
 * get_user_pages_fast(), a plain reference): no check_vma_flags() fs-DAX test,
 * no writable-file-mapping rule, no migration. A read from the device into
 * memory pins with FOLL_WRITE. The bio holds the page until it completes
 * (bio_release_pages() at the end I/O); the caller sleeps in
 * TASK_UNINTERRUPTIBLE meanwhile (iomap_dio_rw()/__blkdev_direct_IO_simple():
 * blk_io_schedule()). So dax_layout_busy_page() sees the reference and a
 * layout change waits for it, but the wait ends: the bio completes whether
 * or not anyone waits (fs/dax.c, fs/xfs/xfs_inode.c xfs_break_dax_layouts()).
 *
 * One step issues the bio, and the caller's next step completes it. A process
 * that dies with a bio in flight has it completed at its death (teardown), as
 * the device would finish it soon after: the model does not keep orphaned bios.
 */
import { BLOCK, type Ctx, emit, NO_BLOCKERS } from "../ctx.js";
import { EFAULT } from "../errno.js";
import {
  FF_DIRTY,
  FF_DMA_CLEAN,
  FR_FLAGS,
  FR_INODE,
  FR_REF,
  frm,
  GUP_PIN_COUNTING_BIAS,
  vma,
} from "../layout.js";
import { deviceAccess } from "../rdma/nic.js";
import { fault } from "./fault.js";
import { type FrameSet, isDaxFrame, reclaimIfBusy, releaseIfIdle, zeroFrame } from "./frames.js";
import { spliceRelease } from "./splice.js";

/** dio_read / dio_write of slot d by process p: issue (then BLOCK), or complete (0). */
export function sysDio(ctx: Ctx, p: number, d: number): number {
  const { m, s } = ctx;
  const di = m.dios[d]!;
  if (s[di.off] === 0) {
    // pin_user_pages_fast() fails on a missing VMA, a page past EOF, or a
    // FOLL_WRITE of a read-only mapping: the syscall returns EFAULT.
    if (s[vma(m, di.vma)] !== 1) return -EFAULT;
    const f = fault(ctx, di.vma, di.page, di.write);
    if (f < 0) return -EFAULT;
    if (f !== zeroFrame(m)) s[frm(m, f) + FR_REF]! += GUP_PIN_COUNTING_BIAS;
    s[di.off] = f + 1;
    emit(ctx, { k: "dio-issue", proc: p, dio: d, frame: f });
    ctx.why = `O_DIRECT ${di.write ? "read" : "write"} in flight: waiting for the bio to complete`;
    ctx.blockers = NO_BLOCKERS;
    ctx.uninterruptible = true;
    return BLOCK;
  }
  dioComplete(ctx, d);
  return 0;
}

/**
 * The bio of slot d completes: the device's data lands in (or is read from)
 * the referenced page, wherever the page tables point now, and the reference
 * drops. A read into a page-cache page dirties it (bio_set_pages_dirty()).
 */
export function dioComplete(ctx: Ctx, d: number): void {
  const { m, s } = ctx;
  const di = m.dios[d]!;
  const f1 = s[di.off]!;
  if (f1 === 0) return;
  // A pipe buffer has no I/O to complete: the pipe is freed with its process.
  if (di.splice) {
    spliceRelease(ctx, d, "close");
    return;
  }
  const f = f1 - 1;
  const vi = m.vmas[di.vma]!;
  deviceAccess(ctx, f, vi.inode, vi.first + di.page, di.write, {
    peer: -1,
    mr: -1,
    via: "dio",
    dio: d,
  });
  s[di.off] = 0;
  if (f !== zeroFrame(m)) {
    const fo = frm(m, f);
    s[fo + FR_REF]! -= GUP_PIN_COUNTING_BIAS;
    if (di.write && !isDaxFrame(m, f) && s[fo + FR_INODE]! > 0)
      s[fo + FR_FLAGS] = (s[fo + FR_FLAGS]! | FF_DIRTY) & ~FF_DMA_CLEAN;
    if (isDaxFrame(m, f)) reclaimIfBusy(ctx, f);
    else releaseIfIdle(ctx, f);
  }
  emit(ctx, { k: "dio-done", proc: di.proc, dio: d, frame: f });
}

/** The processes whose bios hold a reference to one of `frames`. */
export function dioHolders(ctx: Pick<Ctx, "m" | "s">, frames: FrameSet): number[] {
  const { m, s } = ctx;
  const out: number[] = [];
  for (const di of m.dios) {
    const f1 = s[di.off]!;
    if (f1 > 0 && frames.has(f1 - 1) && !out.includes(di.proc)) out.push(di.proc);
  }
  return out;
}
