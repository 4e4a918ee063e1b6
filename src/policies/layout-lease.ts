import { EPERM, ETXTBSY } from "../model/errno.js";
import type { LeaseVariant } from "../model/spec.js";
import { LEASE_VARIANTS } from "../model/spec.js";
import { definePolicy, LEASE_BREAK_TIME, onDax } from "./base.js";

/**
 * Ira Weiny's 2019 RFC (never merged), in the version the `variant` parameter
 * names (or, with `scenario`, the one the scenario's `layout_lease` statement
 * names; sep2019 when it names none):
 * - v1 (https://lore.kernel.org/r/20190606014544.8339-1-ira.weiny@intel.com):
 *   a long-term pin of an fs-DAX page needs an F_LAYOUT lease on the file,
 *   whoever holds it (patch 04, EPERM in follow_page_pte); layout changes break
 *   every layout lease; truncate or punch over a pinned page fails with
 *   ETXTBSY (patches 07/09); there is no unbreakable flag.
 * - v2 (https://lore.kernel.org/r/20190809225833.6657-1-ira.weiny@intel.com):
 *   the pin needs the caller's own exclusive layout lease (patch 02; pins are
 *   tracked to a struct file, patches 13-14); breaking another's exclusive
 *   lease gives ETXTBSY and one's own EDEADLOCK.
 * - sep2019 (https://lore.kernel.org/r/20190923190853.GA3781@iweiny-DESK2.sc.intel.com):
 *   read and write layout leases, F_UNBREAK on either; pinning needs an
 *   unbreakable layout lease of one's own; a write layout lease lets its holder
 *   change the layout; anyone breaking an F_UNBREAK lease gets ETXTBSY.
 * The lease rules live in src/model/locks/lease.ts; the EPERM is this policy's
 * answer at the `page` stage of mayPin (follow_page_pte(), src/model/mm/gup.ts).
 * Pages neither pinned nor leased truncate normally.
 */
export const layoutLeasePolicy = definePolicy(
  "layout-lease",
  "Ira Weiny's RFC: long-term pin on fs-DAX needs a layout lease (EPERM); pinned or F_UNBREAK → ETXTBSY",
  "https://lore.kernel.org/r/20190606014544.8339-1-ira.weiny@intel.com",
  [
    LEASE_BREAK_TIME,
    {
      name: "variant",
      values: ["scenario", ...LEASE_VARIANTS],
      default: "scenario",
      doc: "which version of the RFC: v1, v2, sep2019 (the September 2019 lease semantics), or the one the scenario's layout_lease statement names",
    },
  ],
  (params) => ({
    // Patch 10/19 removes the FOLL_LONGTERM fs-DAX exclusion from check_vma_flags(); the
    // lease test runs later, in follow_page_pte() once the page is faulted in (patch 04).
    mayPin: (q) => (q.stage === "page" && !q.leaseHeld ? EPERM : 0),
    layoutLeases: true,
    layoutLeaseVariant: (m) =>
      params.variant === "scenario" || params.variant === undefined
        ? (m.spec.layoutLease ?? "sep2019")
        : (params.variant as LeaseVariant),
    answers: {
      mayPin:
        "fs-DAX page without the layout lease → EPERM (follow_page_pte, after the fault); others allowed",
      layoutChange:
        "fs-DAX: ETXTBSY over a pinned page (after breaking layout leases); page cache: orphan",
    },
    layoutChange: onDax({ do: "fail", errno: ETXTBSY }),
  }),
);
