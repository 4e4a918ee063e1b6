import { definePolicy, onDax } from "./base.js";

/**
 * v4.18's dax_layout_busy_page() if long-term pins were allowed: a layout
 * change waits, interruptibly and with no timeout, until no page is pinned.
 * Dave Chinner: it "can block forever" under an RDMA pin
 * (https://lore.kernel.org/r/20190206210356.GZ6173@dastard). Writable
 * page-cache pins are allowed, as before v6.5; page-cache truncate orphans.
 */
export const waitPolicy = definePolicy(
  "wait",
  "v4.18 behaviour if long-term pins were allowed: layout changes wait for pins, no timeout",
  "dax_layout_busy_page(), libnvdimm-for-4.18; Dave Chinner 2019-02-06",
  [],
  () => ({
    writableFileRule: "none",
    gupEra: "2019",
    migrateBeforePin: false,
    busyScope: "file",
    answers: {
      layoutChange: "fs-DAX: wait for the pins, interruptibly, no timeout; page cache: orphan",
    },
    layoutChange: onDax({ do: "wait" }),
  }),
);
