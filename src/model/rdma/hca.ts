/**
 * The HCA is reset or removed (a firmware or PCI error the driver recovers
 * from by re-creating its ib_device, or a hot-unplug): ib_unregister_device()
 * → ib_uverbs_remove_one() → ib_uverbs_free_hw_resources() sends each open
 * uverbs file IB_EVENT_DEVICE_FATAL and calls uverbs_destroy_ufile_hw(file,
 * RDMA_REMOVE_DRIVER_REMOVE), which destroys every object of the context
 * (QPs, MRs: ib_dereg_mr_user() → ib_umem_release() unpins the pages) and
 * disassociates it (ufile_disassociate_ucontext(), uverbs_user_mmap_disassociate()
 * zaps the doorbell mappings). The process lives: the event is an async one.
 * Its uverbs file stays open but dead: every later command fails with EIO
 * (ib_uverbs_write()/ib_uverbs_ioctl() find the device gone), destroy
 * commands too, which rdma-core's verbs_is_destroy_err() turns into success
 * only with RDMAV_ALLOW_DISASSOC_DESTROY set (the model takes the default).
 * The remote peers' QPs get no answer any more: their next operation ends
 * in IBV_WC_RETRY_EXC_ERR. The same under every policy: the device is gone, so
 * its pins go with it, whoever holds the uverbs file (send_uverbs included).
 * Only RDMA is touched: io_uring buffers, VFIO mappings and gup_test pins
 * belong to other files.
 */
import { type Ctx, emit } from "../ctx.js";
import { alive, K_HCA_RESET, MR_DEREG, MR_INVALID, MR_VALID, mr as mrOff } from "../layout.js";
import { unpinMrPages } from "../mm/gup.js";
import { abortInflight } from "./mr.js";

/** Whether MR slot x is an RDMA registration (not a ring buffer, a VFIO mapping or a gup_test pin). */
export function isRdmaMr(ctx: Ctx, x: number): boolean {
  const mi = ctx.m.mrs[x]!;
  return mi.pinner === undefined && mi.gupTest === undefined;
}

/** Whether the HCA was reset: every uverbs context is disassociated. */
export function hcaGone(ctx: Ctx): boolean {
  return ctx.s[ctx.m.offKernel + K_HCA_RESET] === 1;
}

/** `hca_reset`: disassociates every uverbs context. Always succeeds. */
export function hcaReset(ctx: Ctx): number {
  const { m, s } = ctx;
  const fatal = new Set<number>();
  for (let x = 0; x < m.mrs.length; x++) {
    if (!isRdmaMr(ctx, x)) continue;
    const o = mrOff(m, x);
    if (s[o] !== MR_VALID && s[o] !== MR_INVALID) continue;
    // The device stops before its objects are freed: nothing issued lands after the unpin.
    abortInflight(ctx, x, "RETRY_EXC_ERR", "the HCA was reset: its QPs and MRs are gone");
    if (s[o] === MR_VALID && !m.mrs[x]!.odp) unpinMrPages(ctx, x);
    s[o] = MR_DEREG;
    s[o + 1] = 0;
    emit(ctx, { k: "mr-destroyed", mr: x, why: "HCA reset: uverbs_destroy_ufile_hw()" });
  }
  // IB_EVENT_DEVICE_FATAL to every process with a uverbs context (one that registers).
  m.procs.forEach((pi, p) => {
    if (alive(s, m, p) && pi.prog.some((op) => op.spec.op === "reg_mr")) fatal.add(p);
  });
  s[m.offKernel + K_HCA_RESET] = 1;
  for (const p of fatal) emit(ctx, { k: "device-fatal", proc: p });
  return 0;
}
