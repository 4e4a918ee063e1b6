/**
 * Breaking COW for a pin that will not write through the page tables.
 *
 * - v6.2 and later: a R/O FOLL_LONGTERM pin of a file page in a COW mapping
 *   must unshare first. gup_must_unshare() (mm/internal.h) returns
 *   is_cow_mapping(vma->vm_flags) for a non-anonymous page under
 *   FOLL_PIN|FOLL_LONGTERM without FOLL_WRITE, and is_cow_mapping() is
 *   (VM_SHARED|VM_MAYWRITE) == VM_MAYWRITE: every MAP_PRIVATE mapping, even
 *   one mapped PROT_READ (do_mmap sets VM_MAYWRITE for it). follow_page_pte()
 *   returns -EMLINK and the fault runs with FAULT_FLAG_UNSHARE: the page is
 *   copied into an anonymous page mapped read-only (wp_page_copy), so the pin
 *   keeps tracking what the process sees ("mm/gup: reliable R/O long-term
 *   pinning in COW mappings", v6.2).
 * - 2019: ib_umem_get() pinned a R/O MR with FOLL_WRITE|FOLL_FORCE;
 *   check_vma_flags() lets a forced write into a !VM_WRITE mapping only when
 *   is_cow_mapping() (else EFAULT), and the forced write fault copies the page
 *   the same way.
 */
import type { Ctx } from "../ctx.js";
import { ENOMEM } from "../errno.js";
import { FF_ANON, PTE_RO, vma as vmaOff, vmaWritable } from "../layout.js";
import { fault } from "./fault.js";
import { allocFrame, frameContent, isAnon } from "./frames.js";
import { ptePack } from "./pte.js";

/**
 * Page k of private VMA v as an anonymous page of the process: the existing
 * private copy, or a new copy of the file page mapped read-only. A writable
 * VMA takes the ordinary write fault (the copy is then mapped writable, and a
 * later store reuses it). Returns the frame or -errno.
 */
export function unshareForPin(ctx: Ctx, v: number, k: number): number {
  const { m, s } = ctx;
  if (vmaWritable(m, s, v)) return fault(ctx, v, k, true);
  const src = fault(ctx, v, k, false);
  if (src < 0) return src;
  if (isAnon(s, m, src)) return src;
  const f = allocFrame(ctx, FF_ANON, frameContent(m, s, src));
  if (f < 0) return -ENOMEM;
  s[vmaOff(m, v) + 1 + k] = ptePack(f, PTE_RO);
  return f;
}
