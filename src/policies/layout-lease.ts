import { EPERM, ETXTBSY } from "../model/errno.js";
import { holdsLayoutLease } from "../model/locks/lease.js";
import { definePolicy, LEASE_BREAK_TIME } from "./base.js";

/**
 * Ira Weiny's 2019 RFC (never merged): a long-term pin of an fs-DAX file needs
 * an F_LAYOUT lease held by the pinning process, else EPERM (patch 04,
 * https://lore.kernel.org/r/20190606014544.8339-5-ira.weiny@intel.com);
 * truncate or hole punch over a pinned page fails with ETXTBSY; an F_UNBREAK
 * lease makes every other layout change fail with ETXTBSY and breaking your own
 * gives EDEADLOCK (v2, https://lore.kernel.org/r/20190809225833.6657-1-ira.weiny@intel.com).
 * Pages neither pinned nor leased truncate normally.
 */
export const layoutLeasePolicy = definePolicy(
  "layout-lease",
  "Ira Weiny's RFC: long-term pin on fs-DAX needs an F_LAYOUT lease (EPERM); F_UNBREAK → ETXTBSY",
  "https://lore.kernel.org/r/20190606014544.8339-1-ira.weiny@intel.com",
  [LEASE_BREAK_TIME],
  () => ({
    longtermFsdax: (q) => (holdsLayoutLease(q.model, q.state, q.proc, q.inode) ? 0 : EPERM),
    layoutLeases: true,
    layoutChange: (q) => (q.dax ? { do: "fail", errno: ETXTBSY } : { do: "proceed" }),
  }),
);
