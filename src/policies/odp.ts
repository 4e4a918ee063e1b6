import { EOPNOTSUPP } from "../model/errno.js";
import { definePolicy, onDax, refuseFsdax } from "./base.js";

/**
 * On-demand paging (IB_ACCESS_ON_DEMAND, HMM): no pins at all. Every
 * registration is an mmu_interval_notifier; an invalidation (truncate, munmap,
 * writeback, migration) stops device access before it returns, and the device
 * faults pages back in through hmm_range_fault(). Needs page-fault capable
 * NICs. https://lore.kernel.org/r/20190207052310.GA22726@ziepe.ca,
 * drivers/infiniband/core/umem_odp.c
 */
export const odpPolicy = definePolicy(
  "odp",
  "ODP/HMM: no pins; the MMU notifier stops device access, the device faults pages back in",
  "drivers/infiniband/core/umem_odp.c; https://lore.kernel.org/r/20190207052310.GA22726@ziepe.ca",
  [],
  () => ({
    // Asked only for io_uring buffers, VFIO mappings and gup_test pins: every MR takes the ODP path and pins nothing.
    mayPin: refuseFsdax(EOPNOTSUPP),
    writableFileRule: "all",
    odp: true,
    busyScope: "file",
    answers: {
      mayPin:
        "MRs pin nothing (ODP); io_uring, VFIO and gup_test pins of an fs-DAX VMA → EOPNOTSUPP",
      layoutChange:
        "fs-DAX: wait for remaining pins (io_uring, VFIO, gup_test); page cache: orphan",
    },
    layoutChange: onDax({ do: "wait" }),
  }),
);
