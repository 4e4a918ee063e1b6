/**
 * tools/testing/selftests/mm/gup_longterm.c as a table: every cell the
 * selftest decides (backing x shared/private x R/W or R/O x slow or fast GUP,
 * and io_uring) is a labelled operation of a bundled scenario, and `linux`
 * must give the selftest's verdict. The verdict is computed here from the
 * selftest's own rules (fs_is_unknown(), fs_supports_writable_longterm_pinning(),
 * should_work), not copied from the scenarios' expectations.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { EFAULT } from "../model/errno.js";
import { KERNELS, kernelAtLeast } from "../policies/linux.js";
import { resultOf, runOf } from "../testing/run.js";
import { memoryHost } from "./host.js";
import { loadPinFile } from "./pin-file.js";

type FsMagic = "TMPFS_MAGIC" | "HUGETLBFS_MAGIC" | "EXT4_SUPER_MAGIC" | "unknown";

/** The selftest's runs ("with memfd", ...) and the scenario that holds each. */
const RUNS: readonly { scenario: string; fs: FsMagic; run: string }[] = [
  { scenario: "gup-longterm-memfd", fs: "TMPFS_MAGIC", run: "with memfd" },
  { scenario: "gup-longterm-tmpfs", fs: "TMPFS_MAGIC", run: "with tmpfile (/tmp on tmpfs)" },
  { scenario: "gup-longterm-disk", fs: "EXT4_SUPER_MAGIC", run: "with local tmpfile (ext4)" },
  { scenario: "gup-longterm-other", fs: "unknown", run: "with local tmpfile (unknown fs)" },
  { scenario: "gup-longterm-hugetlb", fs: "HUGETLBFS_MAGIC", run: "with memfd hugetlb" },
];

/** fs_is_unknown(): the selftest knows tmpfs, hugetlbfs, btrfs, ext4 and xfs. */
const fsIsUnknown = (fs: FsMagic): boolean => fs === "unknown";
/** fs_supports_writable_longterm_pinning(): tmpfs and hugetlbfs only. */
const fsSupportsWritable = (fs: FsMagic): boolean =>
  fs === "TMPFS_MAGIC" || fs === "HUGETLBFS_MAGIC";

/** test_cases[] of the selftest without io_uring: the scenarios' labels. */
const PIN_CELLS = [true, false].flatMap((shared) =>
  [true, false].flatMap((rw) =>
    [false, true].map((fast) => ({
      shared,
      rw,
      fast,
      label: `${shared ? "shared" : "private"}_${rw ? "rw" : "ro"}${fast ? "_fast" : ""}`,
    })),
  ),
);

function load(name: string) {
  const l = loadPinFile(`scenarios/${name}.pin`, memoryHost());
  assert.ok(l.ok, `${name}: ${!l.ok && l.error}`);
  return l.spec;
}

test("every gup_longterm.c cell pinlab expresses is a labelled pin, and linux gives the selftest's verdict", () => {
  let decided = 0;
  const skipped: string[] = [];
  for (const r of RUNS) {
    const spec = load(r.scenario);
    const run = runOf(spec, "linux");
    const labels = spec.procs.flatMap((p) => p.program.flatMap((o) => (o.label ? [o.label] : [])));
    for (const c of PIN_CELLS) {
      assert.ok(labels.includes(c.label), `${r.scenario} has no cell ${c.label}`);
      const got = resultOf(run, "t", c.label);
      assert.notEqual(got, "never", `${r.scenario}: ${c.label} never ran`);
      assert.notEqual(got, "blocks", `${r.scenario}: ${c.label} blocked`);
      // do_test(): R/W in a shared mapping of an unknown filesystem is skipped.
      if (c.rw && c.shared && fsIsUnknown(r.fs)) {
        skipped.push(`${r.run}: ${c.label}`);
        // pinlab still answers: `other` has ->page_mkwrite, so the pin is refused.
        assert.equal(got, -EFAULT, `${r.scenario}: ${c.label}`);
        continue;
      }
      const shouldWork = !c.shared || !c.rw || fsSupportsWritable(r.fs);
      // "Should have failed" is EFAULT; any other errno is a test failure.
      const norm = typeof got === "number" && got >= 0 ? 0 : got;
      assert.equal(norm, shouldWork ? 0 : -EFAULT, `${r.run}: ${c.label}`);
      decided++;
    }
  }
  assert.equal(decided, RUNS.length * PIN_CELLS.length - 2);
  assert.deepEqual(skipped, [
    "with local tmpfile (unknown fs): shared_rw",
    "with local tmpfile (unknown fs): shared_rw_fast",
  ]);
});

/**
 * The selftest's io_uring cells (IORING_REGISTER_BUFFERS pins FOLL_WRITE|
 * FOLL_PIN|FOLL_LONGTERM: should_work = !shared || fs_supports_writable...;
 * a failure is ENOSPC, EOPNOTSUPP or EFAULT). Each scenario gets
 * `shared_iouring` and `private_iouring` labels when io_uring fixed buffers
 * are modelled; until then the cells are listed as not expressible.
 */
const IOURING = RUNS.some((r) =>
  load(r.scenario).procs.some((p) => p.program.some((o) => o.label === "shared_iouring")),
);
test(
  "gup_longterm.c io_uring cells: linux gives the selftest's verdict",
  IOURING ? {} : { todo: "io_uring fixed buffers are not modelled yet" },
  () => {
    for (const r of RUNS) {
      const run = runOf(load(r.scenario), "linux");
      for (const shared of [true, false]) {
        const label = `${shared ? "shared" : "private"}_iouring`;
        if (shared && fsIsUnknown(r.fs)) continue; // skipped by the selftest
        const got = resultOf(run, "t", label);
        const shouldWork = !shared || fsSupportsWritable(r.fs);
        assert.ok(typeof got === "number", `${r.run}: ${label}`);
        if (shouldWork) assert.ok(got >= 0, `${r.run}: ${label}`);
        else assert.ok(got < 0, `${r.run}: ${label}`);
      }
    }
  },
);

/**
 * The same cells with ibv_reg_mr() as the pinner (conform/cases/gup-longterm-rdma.pin,
 * which `pinlab conform` runs over rxe in the guests): ib_umem_get() takes the
 * long-term pin with pin_user_pages_fast(), FOLL_WRITE for a writable MR
 * (ib_access_writable()), so a local_write MR is the selftest's rw_fast cell and
 * a remote_read MR its ro_fast cell. Two rules of the releases change the
 * selftest's verdict: before v6.5 (8ac268436e6d, writable_file_mapping_allowed())
 * a R/W shared pin of ext4 worked too, and before v6.2 ("RDMA/umem: remove
 * FOLL_FORCE usage") a R/O MR was pinned FOLL_WRITE|FOLL_FORCE, which a R/O
 * shared mapping refuses (check_vma_flags(): !VM_WRITE, not a COW mapping).
 */
const RDMA_CASE = fileURLToPath(
  new URL("../../conform/cases/gup-longterm-rdma.pin", import.meta.url),
);
const RDMA_RUNS: readonly { proc: string; fs: FsMagic }[] = [
  { proc: "memfd", fs: "TMPFS_MAGIC" },
  { proc: "tmpfs", fs: "TMPFS_MAGIC" },
  { proc: "ext4", fs: "EXT4_SUPER_MAGIC" },
];

test("gup_longterm.c's cells as ibv_reg_mr: linux gives the selftest's verdict, with ib_umem_get()'s flags of each release", () => {
  const l = loadPinFile(RDMA_CASE, memoryHost());
  assert.ok(l.ok, !l.ok ? l.error : "");
  const cells: string[] = [];
  for (const kernel of KERNELS) {
    const run = runOf(l.spec, "linux", { params: { kernel } });
    for (const r of RDMA_RUNS)
      for (const shared of [true, false])
        for (const rw of [true, false]) {
          const label = `${shared ? "shared" : "private"}_${rw ? "rw" : "ro"}`;
          const got = resultOf(run, r.proc, label);
          const write = rw || !kernelAtLeast(kernel, "6.2"); // FOLL_FORCE|FOLL_WRITE before v6.2
          const shouldWork = rw
            ? !shared || fsSupportsWritable(r.fs) || !kernelAtLeast(kernel, "6.5")
            : !(shared && write);
          const norm = typeof got === "number" && got >= 0 ? 0 : got; // an MR handle is ok
          assert.equal(norm, shouldWork ? 0 : -EFAULT, `${kernel} ${r.proc}: ${label}`);
          if (!shouldWork) cells.push(`${kernel} ${r.proc} ${label}`);
        }
  }
  // The cells that fail: R/O shared ones before v6.2, ext4's R/W shared one from v6.5.
  assert.deepEqual(cells, [
    "6.1 memfd shared_ro",
    "6.1 tmpfs shared_ro",
    "6.1 ext4 shared_ro",
    "6.12 ext4 shared_rw",
    "6.18 ext4 shared_rw",
  ]);
});
