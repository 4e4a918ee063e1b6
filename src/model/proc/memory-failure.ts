/**
 * Pmem unbind since v6.8: before the device goes, the driver tells the
 * filesystem (dax_holder_notify_failure() with MF_MEM_PRE_REMOVE), and XFS
 * walks its reverse map and calls mf_dax_kill_procs() for every file on the
 * device; with MF_MEM_PRE_REMOVE collect_procs_fsdax() takes every process
 * whose VMAs map the file, not only early-kill ones, and kill_proc() sends
 * each SIGBUS (BUS_MCEERR_AO), whose default action terminates. The model's
 * processes install no SIGBUS handler. XFS needs its reverse-mapping btree
 * (rmapbt) for this; ext4 implements no ->notify_failure, so its mappers
 * are not signalled (xfs_dax_notify_failure(), mm/memory-failure.c).
 */
import { fsdax } from "../backing.js";
import { type Ctx, emit } from "../ctx.js";
import { EBUSY, ENXIO } from "../errno.js";
import {
  alive,
  ext,
  FF_DIRTY,
  FF_DMA_CLEAN,
  FF_POISON,
  FR_FLAGS,
  FR_INODE,
  FR_REF,
  frm,
  INO_EXISTS,
  ino,
  K_UNPLUGGED,
  type Model,
  PS_KILLED,
  pcache,
  type State,
  vma as vmaOff,
} from "../layout.js";
import { pageCacheGet } from "../mm/fault.js";
import { pteFrame } from "../mm/pte.js";
import { invalidateOdp } from "../mm/unmap.js";
import { teardown } from "./exit.js";

/** Sends SIGBUS to every live process mapping a file of the device; returns whether `self` died. */
export function unbindKillMappers(ctx: Ctx, self: number): boolean {
  const { m, s } = ctx;
  if (!m.dax || !m.policy.unbindSigbus || m.flavor !== "xfs") return false;
  if (s[m.offKernel + K_UNPLUGGED] === 1) return false;
  let died = false;
  for (let p = 0; p < m.procs.length; p++) {
    if (!alive(s, m, p)) continue;
    const maps = m.vmas.some(
      (vi, v) => vi.proc === p && s[vmaOff(m, v)] === 1 && fsdax(m, vi.inode),
    );
    if (!maps) continue;
    teardown(ctx, p, PS_KILLED, "killed", "memory-failure", "SIGBUS");
    if (p === self) died = true;
  }
  return died;
}

/** Whether frame f carries PG_hwpoison (memory_failure() marked it). */
export function poisoned(m: Model, s: State, f: number): boolean {
  return f >= 0 && f < m.nFrames && (s[frm(m, f) + FR_FLAGS]! & FF_POISON) !== 0;
}

/**
 * Whether page k of VMA v is backed by poisoned memory: the frame its PTE
 * maps (a page-cache page left mapped by a hwpoison entry), or on fs-DAX the
 * block the file page has (the PTE was zapped; a new fault finds the pfn bad).
 */
export function poisonedAt(m: Model, s: State, v: number, k: number): boolean {
  const vi = m.vmas[v]!;
  const pte = s[vmaOff(m, v) + 1 + k]!;
  if (pte !== 0 && poisoned(m, s, pteFrame(pte))) return true;
  if (!fsdax(m, vi.inode) || vi.first + k >= m.maxPages) return false;
  const b1 = s[ext(m, vi.inode, vi.first + k)]!;
  return b1 > 0 && poisoned(m, s, b1 - 1);
}

/** The frame memory_failure() strikes for FILE's page: its block's pfn on fs-DAX, else its cached page. */
function frameOf(ctx: Ctx, inode: number, page: number): number {
  const { m, s } = ctx;
  if (s[ino(m, inode) + INO_EXISTS] === 0 || page >= m.maxPages) return -1;
  if (fsdax(m, inode)) {
    if (s[m.offKernel + K_UNPLUGGED] === 1) return -1;
    const b1 = s[ext(m, inode, page)]!;
    return b1 > 0 ? b1 - 1 : -1;
  }
  // Device-DAX memory exists whether or not it was touched: its frame (the model makes
  // device-DAX frames on first use) is materialised; a page-cache page not cached has no memory.
  if (m.inodes[inode]!.backing === "devdax") return pageCacheGet(ctx, inode, page);
  const c1 = s[pcache(m, inode, page)]!;
  return c1 > 0 ? c1 - 1 : -1;
}

/**
 * memory_failure() of the pfn behind FILE's page, reported asynchronously
 * (patrol scrub, ARS, a GHES record: no task consumed it, so no process is
 * "current" and BUS_MCEERR_AR goes to no one). Returns 0, -errno, or DIED
 * (-1: the caller itself was signalled). Under every policy the same: no
 * 2019 proposal speaks of memory errors, and nothing here drops a pin.
 *
 * fs-DAX (mm/memory-failure.c memory_failure() → memory_failure_dev_pagemap()
 * → pgmap->ops->memory_failure = pmem_pagemap_memory_failure() →
 * dax_holder_notify_failure() → xfs_dax_notify_failure() → mf_dax_kill_procs();
 * ext4 has no ->notify_failure, so mf_generic_kill_procs() runs, with the same
 * outcome for a file that owns its block): SetPageHWPoison(), then
 * unmap_and_kill(): unmap_mapping_range() zaps every PTE of the page and
 * kill_procs() (MF_MUST_KILL) sends SIGBUS BUS_MCEERR_AO to the processes
 * collect_procs_fsdax() found: with task_early_kill(), only early-kill ones
 * (vm.memory_failure_early_kill, PR_MCE_KILL_EARLY). The block stays the
 * file's and every pin of it stays: an MR still addresses the bad page.
 *
 * Device-DAX (drivers/dax/device.c registers no ->memory_failure and no
 * holder): memory_failure_dev_pagemap() → mf_generic_kill_procs(), which does
 * the same with MF_ACTION_REQUIRED|MF_MUST_KILL and collect_procs(force_early).
 *
 * Page cache (get_hwpoison_page(), hwpoison_user_mappings(),
 * identify_page_state()): a clean page of a mapping that writes back is
 * "dropped without side effects" (no signal, no hwpoison entry); a dirty one
 * is unmapped with hwpoison entries (TTU_HWPOISON: a later access is SIGBUS)
 * and the early-kill mappers get SIGBUS (forcekill). me_pagecache_dirty() →
 * me_pagecache_clean() → truncate_error_folio() removes the page from the
 * page cache (generic_error_remove_folio()); a pinned page keeps its extra
 * references, has_extra_refcount() makes the result MF_FAILED and
 * memory_failure() returns -EBUSY. The pin keeps the poisoned page, now no
 * page of the file.
 */
export function memoryFailure(
  ctx: Ctx,
  self: number,
  inode: number,
  page: number,
  earlyKill: boolean,
): number {
  const { m, s } = ctx;
  const f = frameOf(ctx, inode, page);
  // memory_failure_dev_pagemap(): a pfn with no page behind it → -ENXIO; the model
  // reports a page with no memory (a hole, not cached, the device gone) the same way.
  if (f < 0) return -ENXIO;
  // ZONE_DEVICE memory: fs-DAX, and device-DAX (mf_generic_kill_procs(), no filesystem).
  const dax = fsdax(m, inode) || m.inodes[inode]!.backing === "devdax";
  // A second report: ZONE_DEVICE pages go to memory_failure_dev_pagemap() before
  // memory_failure()'s TestSetPageHWPoison() test, and mf_dax_kill_procs() marks and
  // signals again; a page-cache page left the cache at the first report (ENXIO above).
  const fo = frm(m, f);
  const dirty = !dax && (s[fo + FR_FLAGS]! & FF_DIRTY) !== 0;
  const mapped = mappers(m, s, inode, page);
  s[fo + FR_FLAGS]! |= FF_POISON;
  // unmap_mapping_range() / try_to_unmap(): every PTE of the page goes. A dirty
  // page-cache page leaves hwpoison entries (its PTEs keep pointing at the bad
  // frame here, and fault() answers SIGBUS); ODP translations go with the PTEs.
  for (let v = 0; v < m.vmas.length; v++) {
    const vo = vmaOff(m, v);
    if (s[vo] !== 1) continue;
    for (let k = 0; k < m.vmas[v]!.pages; k++) {
      const pte = s[vo + 1 + k]!;
      if (pte === 0 || pteFrame(pte) !== f) continue;
      if (!dirty) s[vo + 1 + k] = 0;
      invalidateOdp(ctx, v, k, k);
    }
  }
  const pinned = s[fo + FR_REF]! > 0;
  if (!dax) {
    // truncate_error_folio(): out of the page cache; a referenced page is orphaned
    // and stays poisoned (a poisoned page never returns to the allocator).
    s[pcache(m, inode, page)] = 0;
    s[fo + FR_INODE] = 0;
    s[fo + FR_FLAGS] = s[fo + FR_FLAGS]! & ~(FF_DIRTY | FF_DMA_CLEAN);
    if (pinned) emit(ctx, { k: "orphaned", inode, frames: [f] });
  }
  emit(ctx, { k: "poison", inode, page, frame: f, pinned, dax, dirty });
  // kill_procs(): forcekill for ZONE_DEVICE (MF_MUST_KILL) and for a dirty page;
  // the collected processes are the early-kill ones only (task_early_kill()).
  let died = false;
  if (earlyKill && (dax || dirty))
    for (const q of mapped) {
      if (!alive(s, m, q)) continue;
      teardown(ctx, q, PS_KILLED, "killed", "hwpoison", "SIGBUS");
      if (q === self) died = true;
    }
  if (died) return -1;
  // has_extra_refcount(): MF_FAILED → -EBUSY for a page still referenced.
  return !dax && pinned ? -EBUSY : 0;
}

/** The live processes with a VMA of `inode` covering `page` (collect_procs_file/_fsdax walk i_mmap). */
function mappers(m: Model, s: State, inode: number, page: number): number[] {
  const out: number[] = [];
  m.vmas.forEach((vi, v) => {
    if (vi.inode !== inode || s[vmaOff(m, v)] !== 1) return;
    if (page < vi.first || page >= vi.first + vi.pages) return;
    if (!out.includes(vi.proc)) out.push(vi.proc);
  });
  return out;
}
