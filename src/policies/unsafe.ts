import { definePolicy } from "./base.js";

/**
 * Before v4.15: get_user_pages() with no long-term distinction. fs-DAX blocks
 * are freed under a pin and writable pins of page-cache files are allowed
 * (they were refused only from v6.5). The baseline every option is measured against.
 */
export const unsafePolicy = definePolicy(
  "unsafe",
  "before v4.15: long-term pins on fs-DAX allowed; truncate frees blocks under the pin",
  "pre-2bb6d2837083 kernels (http://mail.spinics.net/lists/linux-rdma/msg57688.html)",
  [],
  () => ({
    writableFileRule: "none",
    gupEra: "2019",
    migrateBeforePin: false,
    // dax_layout_busy_page() came with v4.18: before, truncate freed blocks under an O_DIRECT bio too.
    shortTermRefs: "proceed",
    answers: {
      layoutChange:
        "every backing: the change proceeds, fs-DAX blocks freed under the pins, page-cache pages orphaned",
    },
    layoutChange: () => ({ do: "proceed" }),
  }),
);
