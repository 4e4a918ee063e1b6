/**
 * fork(2) with pinned memory, and what the child inherits.
 *
 * Memory (kernel/fork.c dup_mmap → copy_page_range, mm/memory.c):
 * - a VM_DONTFORK mapping (madvise MADV_DONTFORK) is not copied: the child has
 *   no mapping there (dup_mmap skips it; a child access is SIGSEGV);
 * - a shared mapping's page tables are not copied (vma_needs_copy() is false:
 *   the child's faults find the same page-cache page or DAX block). There is no
 *   copy-on-write for MAP_SHARED: the child and the device see the same page;
 * - a private mapping's file pages are refaulted by the child (the same file
 *   page, read-only);
 * - a private mapping's anonymous (COW) page that may be DMA-pinned is copied
 *   for the child at fork time: copy_present_ptes() → folio_try_dup_anon_rmap_ptes()
 *   fails with -EBUSY when folio_needs_cow_for_dma() (MMF_HAS_PINNED and
 *   folio_maybe_dma_pinned()), and copy_present_page() gives the child a new
 *   page (Peter Xu, "mm: Do early cow for pinned pages during fork() for ptes",
 *   v5.9, commit 70e806e4e645). The parent keeps the pinned page mapped
 *   writable, so the parent and the device stay coherent. MMF_HAS_PINNED is
 *   implied here: the only pins on a process's anonymous page are its own;
 * - under the 2019 GUP rules (Policy.gupEra) there was no such copy: the pinned
 *   page was shared with the child and write-protected in both, and the
 *   parent's next write copied it away from the pin (do_wp_page), leaving the
 *   device on the page the child now maps. That is the "COW can break either
 *   way" bug that the selftest tools/testing/selftests/mm/cow.c checks;
 * - an unpinned anonymous page is shared copy-on-write in the kernel until
 *   either side writes it. The model gives the child its copy at once: both
 *   see the same data until one writes, and a later pin of the parent's page
 *   (a write fault, or gup_must_unshare's unshare) ends with the parent holding
 *   an exclusive page either way; only memory use differs.
 *
 * Files: the child's descriptors share the parent's open file descriptions,
 * so a file (and a lease on it, which belongs to the struct file and ends at
 * its last fput, locks_remove_file) lives until both have closed it. The
 * child's copies of the descriptors cannot be operated on in the model: a
 * child program uses only the parent's mappings.
 *
 * RDMA: the uverbs file is a descriptor like any other, so the child holds
 * the parent's RDMA context and every MR in it: its pins outlive the parent's
 * death until the child exits too (ib_uverbs_close at the last fput,
 * rdma/uverbs.ts). The child cannot use the parent's MRs (rdma-core's
 * ibv_fork_init() exists to keep the parent's registered memory out of the
 * child with MADV_DONTFORK).
 */
import { type Ctx, emit } from "../ctx.js";
import { ENOMEM } from "../errno.js";
import {
  alive,
  FF_ANON,
  FF_USED,
  FR_CONTENT,
  FR_FLAGS,
  frm,
  type Model,
  MR_INVALID,
  MR_VALID,
  mrHolders,
  mr as mrOff,
  OFD_MAPPED,
  OFD_OPEN,
  ofd,
  ofdHolders,
  P_STATUS,
  PS_DONE,
  PS_RUN,
  PS_UNBORN,
  PTE_RO,
  PTE_RW,
  proc,
  type State,
  VMF_DONTFORK,
  vmaFlags,
  vma as vmaOff,
  vmaWritable,
} from "../layout.js";
import { allocFrame, isAnon } from "../mm/frames.js";
import { maybeDmaPinned } from "../mm/gup.js";
import { pteFrame, ptePack, ptePerm } from "../mm/pte.js";

/** madvise(MADV_DONTFORK / MADV_DOFORK) over the whole of VMA v: ENOMEM when it is not mapped. */
export function sysMadvise(ctx: Ctx, v: number, dontfork: boolean): number {
  const { m, s } = ctx;
  // madvise_walk_vmas(): a range with no VMA → -ENOMEM
  if (s[vmaOff(m, v)] !== 1) return -ENOMEM;
  const fo = vmaFlags(m, v);
  s[fo] = dontfork ? s[fo]! | VMF_DONTFORK : s[fo]! & ~VMF_DONTFORK;
  return 0;
}

/** fork(2) by process p of its `forked` child c. Returns 0 or -ENOMEM (nothing changed). */
export function sysFork(ctx: Ctx, p: number, c: number): number {
  const { m, s } = ctx;
  if (s[proc(m, c) + P_STATUS] !== PS_UNBORN)
    throw new Error(`pinlab bug: ${m.procs[c]!.name} forked twice`);
  const era2019 = m.policy.gupEra === "2019";
  const pairs: [number, number][] = [];
  for (let w = 0; w < m.vmas.length; w++) {
    const from = m.vmas[w]!.forkOf;
    if (m.vmas[w]!.proc === c && from !== undefined) pairs.push([from, w]);
  }
  // copy_present_page() needs a page for each copied one: count before changing anything.
  let need = 0;
  for (const [v] of pairs) need += copiesNeeded(m, s, v, era2019);
  if (need > freeFrames(m, s)) return -ENOMEM;
  const copied: number[] = [];
  const shared: number[] = [];
  const skipped: number[] = [];
  for (const [v, w] of pairs) {
    const vi = m.vmas[v]!;
    const vo = vmaOff(m, v);
    const wo = vmaOff(m, w);
    // The child's variable holds the address either way: with no mapping there
    // (the parent unmapped it, or MADV_DONTFORK) an access is SIGSEGV.
    if (s[vo] !== 1) {
      s[wo] = s[vo]!;
      continue;
    }
    if ((s[vmaFlags(m, v)]! & VMF_DONTFORK) !== 0) {
      s[wo] = 2;
      skipped.push(v);
      continue;
    }
    s[wo] = 1;
    for (let k = 0; k < vi.pages; k++) {
      const pte = s[vo + 1 + k]!;
      s[wo + 1 + k] = 0;
      if (vi.shared || pte === 0) continue; // vma_needs_copy(): the child faults it in
      const f = pteFrame(pte);
      if (!isAnon(s, m, f)) continue; // a file page of a private mapping: refaulted read-only
      if (maybeDmaPinned(ctx, f) && era2019) {
        // 2019: both write-protected, sharing the pinned page (copy_one_pte + ptep_set_wrprotect)
        s[vo + 1 + k] = ptePack(f, PTE_RO);
        s[wo + 1 + k] = ptePack(f, PTE_RO);
        shared.push(f);
        continue;
      }
      const g = allocFrame(ctx, FF_ANON, s[frm(m, f) + FR_CONTENT]!);
      if (g < 0) throw new Error("pinlab bug: fork ran out of frames it counted");
      s[wo + 1 + k] = ptePack(g, ptePerm(pte) === PTE_RW && vmaWritable(m, s, v) ? PTE_RW : PTE_RO);
      if (maybeDmaPinned(ctx, f)) copied.push(f);
    }
    s[vmaFlags(m, w)] = s[vmaFlags(m, v)]!;
  }
  // The child holds every open file of the parent, and with them the uverbs file.
  for (let o = 0; o < m.ofds.length; o++) {
    const st = s[ofd(m, o) + OFD_OPEN];
    if (st !== 1 && st !== OFD_MAPPED) continue;
    if (m.ofds[o]!.proc === p || (s[ofdHolders(m, o)]! & (1 << p)) !== 0)
      s[ofdHolders(m, o)] = s[ofdHolders(m, o)]! | (1 << c);
  }
  for (let x = 0; x < m.mrs.length; x++) {
    const st = s[mrOff(m, x)];
    if (st !== MR_VALID && st !== MR_INVALID) continue;
    const h = s[mrHolders(m, x)]!;
    if (m.mrs[x]!.proc === p || (h & (1 << p)) !== 0) s[mrHolders(m, x)] = h | (1 << c);
  }
  s[proc(m, c) + P_STATUS] = m.procs[c]!.prog.length === 0 ? PS_DONE : PS_RUN;
  emit(ctx, { k: "fork", parent: p, child: c, copied, shared, dontfork: skipped });
  return 0;
}

/** Pages fork must copy for VMA v: its pinned anonymous pages (v6.2 rules) and unpinned ones. */
function copiesNeeded(m: Model, s: State, v: number, era2019: boolean): number {
  const vi = m.vmas[v]!;
  const vo = vmaOff(m, v);
  if (s[vo] !== 1 || vi.shared || (s[vmaFlags(m, v)]! & VMF_DONTFORK) !== 0) return 0;
  let n = 0;
  for (let k = 0; k < vi.pages; k++) {
    const pte = s[vo + 1 + k]!;
    if (pte === 0) continue;
    const f = pteFrame(pte);
    if (!isAnon(s, m, f)) continue;
    if (era2019 && maybeDmaPinned({ m, s }, f)) continue;
    n++;
  }
  return n;
}

function freeFrames(m: Model, s: State): number {
  let n = 0;
  for (let f = m.dax ? m.nBlocks : 0; f < m.nFrames; f++)
    if ((s[frm(m, f) + FR_FLAGS]! & FF_USED) === 0) n++;
  return n;
}

/**
 * Whether open file description o is still held by a live process other
 * than its opener (a descriptor inherited by fork): then the opener's close
 * or death is not the last fput.
 */
export function fileHeldElsewhere(m: Model, s: State, o: number): boolean {
  const h = s[ofdHolders(m, o)]!;
  if (h === 0) return false;
  for (let q = 0; q < m.procs.length; q++) if ((h & (1 << q)) !== 0 && alive(s, m, q)) return true;
  return false;
}

/**
 * Process p died: it lets go of the files it inherited. A file whose opener
 * has already closed it (OFD_MAPPED with no mapping left) reaches its last
 * fput now, through `release`.
 */
export function dropInheritedFiles(
  ctx: Ctx,
  p: number,
  release: (ctx: Ctx, o: number) => void,
): void {
  const { m, s } = ctx;
  for (let o = 0; o < m.ofds.length; o++) {
    const h = s[ofdHolders(m, o)]!;
    if ((h & (1 << p)) === 0) continue;
    s[ofdHolders(m, o)] = h & ~(1 << p);
    if (s[ofd(m, o) + OFD_OPEN] !== OFD_MAPPED || fileHeldElsewhere(m, s, o)) continue;
    if (mappedByAnyone(m, s, o)) continue;
    release(ctx, o);
  }
}

/** Whether any live mapping (the opener's or a child's) refers to open file description o. */
export function mappedByAnyone(m: Model, s: State, o: number): boolean {
  for (let v = 0; v < m.vmas.length; v++)
    if (m.vmas[v]!.ofd === o && s[vmaOff(m, v)] === 1) return true;
  return false;
}
