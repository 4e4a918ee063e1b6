/**
 * vmsplice(2) of user memory into a pipe: a short-term reference that ends
 * when the pipe is read or closed, and only then.
 *
 * fs/splice.c vmsplice_to_pipe() → iter_to_pipe() takes the pages with
 * iov_iter_get_pages2(), i.e. get_user_pages_fast() with FOLL_GET (a plain
 * reference, not FOLL_PIN, so folio_maybe_dma_pinned() does not see it) and
 * without FOLL_WRITE (the iterator is a source): no check_vma_flags() fs-DAX
 * test and no writable-file-mapping rule. The first page that cannot be had
 * fails the call with EFAULT. Each page goes into a pipe buffer
 * (user_page_pipe_buf_ops) that keeps the reference until the buffer is
 * consumed (pipe_read() → pipe_buf_release() → put_page()) or the pipe is
 * freed (free_pipe_info()). The data is not copied: a reader sees the page as
 * it is when it reads.
 *
 * On fs-DAX, dax_layout_busy_page() sees the extra reference
 * (page_ref_count() > 1) and a layout change waits for it, like for an
 * O_DIRECT bio; but unlike a bio's, this reference does not end by itself:
 * the wait lasts as long as nobody reads the pipe. The page cache never
 * waits for it (truncate orphans a referenced page).
 *
 * The model gives each process one pipe of its own, both ends held by it and
 * its read end O_NONBLOCK: `pipe_read` consumes every buffer, or fails with
 * EAGAIN when there is none; the process's death frees the pipe. The pipe's
 * 16 buffers (PIPE_DEF_BUFFERS) are never all used by a scenario here; a
 * `vmsplice` that runs again while its buffer is still in the pipe adds
 * nothing (the page is referenced either way).
 */
import { type Ctx, emit } from "../ctx.js";
import { EAGAIN, EFAULT } from "../errno.js";
import { FR_REF, frm, vma } from "../layout.js";
import { fault } from "./fault.js";
import {
  type FrameSet,
  frameContent,
  isDaxFrame,
  reclaimIfBusy,
  releaseIfIdle,
  zeroFrame,
} from "./frames.js";

/** vmsplice of pipe-buffer slot d (Model.dios, splice) by process p. Returns 0 or -errno. */
export function sysVmsplice(ctx: Ctx, p: number, d: number): number {
  const { m, s } = ctx;
  const di = m.dios[d]!;
  if (s[di.off] !== 0) return 0;
  // get_user_pages_fast() without FOLL_WRITE: no VMA, or a page past EOF → EFAULT.
  if (s[vma(m, di.vma)] !== 1) return -EFAULT;
  const f = fault(ctx, di.vma, di.page, false);
  if (f < 0) return -EFAULT;
  if (f !== zeroFrame(m)) s[frm(m, f) + FR_REF]! += 1; // FOLL_GET: one reference
  s[di.off] = f + 1;
  emit(ctx, { k: "splice-get", proc: p, dio: d, frame: f });
  return 0;
}

/** The pipe buffer of slot d goes: its page reference drops (put_page()). */
export function spliceRelease(ctx: Ctx, d: number, why: "read" | "close"): void {
  const { m, s } = ctx;
  const di = m.dios[d]!;
  const f1 = s[di.off]!;
  if (f1 === 0) return;
  const f = f1 - 1;
  // The reader copies the page as it is now (pipe_read → copy_page_to_iter):
  // whatever the frame holds, even if the file no longer owns it.
  if (why === "read") {
    const vi = m.vmas[di.vma]!;
    emit(ctx, {
      k: "read",
      proc: di.proc,
      inode: vi.inode,
      page: vi.first + di.page,
      content: frameContent(m, s, f),
    });
  }
  s[di.off] = 0;
  if (f !== zeroFrame(m)) {
    s[frm(m, f) + FR_REF]! -= 1;
    if (isDaxFrame(m, f)) reclaimIfBusy(ctx, f);
    else releaseIfIdle(ctx, f);
  }
  emit(ctx, { k: "splice-release", proc: di.proc, dio: d, frame: f, why });
}

/** read(2) of p's pipe, O_NONBLOCK: every buffer is consumed; EAGAIN if the pipe is empty. */
export function sysPipeRead(ctx: Ctx, p: number): number {
  const { m, s } = ctx;
  let n = 0;
  m.dios.forEach((di, d) => {
    if (di.splice && di.proc === p && s[di.off] !== 0) {
      spliceRelease(ctx, d, "read");
      n++;
    }
  });
  return n > 0 ? 0 : -EAGAIN;
}

/** Whether a pipe buffer (not a bio) holds one of `frames`. */
export function spliceHolds(ctx: Pick<Ctx, "m" | "s">, frames: FrameSet): boolean {
  const { m, s } = ctx;
  return m.dios.some((di) => di.splice && s[di.off]! > 0 && frames.has(s[di.off]! - 1));
}
