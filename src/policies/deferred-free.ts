import { definePolicy, onDax } from "./base.js";

/**
 * The busy-extent idea (John Hubbard's option 4; the 2017 linux-nvdimm
 * precursor): a layout change succeeds at once, but blocks whose pages are
 * still pinned go on the filesystem's busy list and return to the free pool
 * only when the last pin drops. Lameter's "truncate then an implicit re-write".
 * https://lore.kernel.org/r/20190205175059.GB21617@iweiny-DESK2.sc.intel.com
 */
export const deferredFreePolicy = definePolicy(
  "deferred-free",
  "busy-extent idea: layout change succeeds; pinned blocks stay busy until the last unpin",
  "https://lore.kernel.org/r/20190205175059.GB21617@iweiny-DESK2.sc.intel.com",
  [],
  () => ({
    answers: {
      layoutChange:
        "fs-DAX: proceed; pinned blocks stay busy until the last unpin; page cache: orphan",
    },
    layoutChange: onDax({ do: "defer" }),
  }),
);
