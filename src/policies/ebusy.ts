import { EBUSY } from "../model/errno.js";
import { definePolicy } from "./base.js";

/**
 * Doug Ledford: truncate returns EBUSY, "this file has pinned pages that can
 * not be freed" (https://lore.kernel.org/r/47820c4d696aee41225854071ec73373a273fd4a.camel@redhat.com).
 * Any layout change over a pinned page fails; unpinned ranges change normally.
 * Objection: "We can't give people a way to make files un-truncatable" (Matthew Wilcox, seed mail).
 * The proposal names files with pinned pages, not fs-DAX alone: page-cache,
 * tmpfs and hugetlbfs files get the EBUSY too. mm/memfd.c has the same answer
 * in tree for F_SEAL_WRITE (memfd_wait_for_pins(): a bounded wait, then EBUSY).
 */
export const ebusyPolicy = definePolicy(
  "ebusy",
  "Doug Ledford: layout changes over pinned blocks fail with EBUSY",
  "https://lore.kernel.org/r/47820c4d696aee41225854071ec73373a273fd4a.camel@redhat.com",
  [],
  () => ({
    answers: { layoutChange: "every backing: EBUSY over a pinned page" },
    layoutChange: () => ({ do: "fail", errno: EBUSY }),
  }),
);
