/** The `.pin` statements of the pinners beside RDMA (VFIO): parse, print back, and the diagnostics for their misuse. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseScenario } from "./pin.js";
import { formatScenario } from "./print.js";

const where = (r: ReturnType<typeof parseScenario>) =>
  r.diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`);

const GOOD = [
  'scenario "vfio"',
  "fs pagecache blocks=2",
  "user alice",
  "file f owner=alice pages=2",
  "proc p user=alice {",
  "  fd = open f rw",
  "  va = mmap fd pages=0..1 private rw",
  "  d1 = vfio_map_dma va",
  "  d2 = vfio_map_dma va prot=read",
  "  vfio_dma_write d1 page=1",
  "  vfio_dma_read d2 page=0",
  "  vfio_unmap_dma d1",
  "}",
].join("\n");

test("the VFIO operations read as the spec says and print back to the same spec", () => {
  const r = parseScenario(GOOD, "v.pin");
  assert.deepEqual(r.diagnostics, []);
  const prog = r.spec!.procs[0]!.program;
  assert.deepEqual(
    prog.slice(2).map((op) => {
      const { at: _at, ...rest } = op as typeof op & { at?: unknown };
      return rest;
    }),
    [
      { op: "vfio_map_dma", dst: "d1", va: "va", read: true, write: true },
      { op: "vfio_map_dma", dst: "d2", va: "va", read: true, write: false },
      { op: "vfio_dma_write", dma: "d1", page: 1 },
      { op: "vfio_dma_read", dma: "d2", page: 0 },
      { op: "vfio_unmap_dma", dma: "d1" },
    ],
  );
  const again = parseScenario(formatScenario(r.spec!), "again.pin");
  assert.deepEqual(again.diagnostics, []);
  assert.deepEqual(
    again.spec!.procs[0]!.program.map((op) => op.op),
    prog.map((op) => op.op),
  );
  assert.match(formatScenario(r.spec!), /d2 = vfio_map_dma va prot=read\n/);
});

test("lint: a device-file mapping (PIN240), DMA without the permission (PIN340, PIN341), pages outside (PIN303), kinds (PIN206)", () => {
  const text = [
    "fs pagecache blocks=4",
    "user alice",
    "file bar owner=alice pages=1 pfnmap",
    "file f owner=alice pages=2",
    "proc p user=alice {",
    "  b = open bar rw",
    "  bv = mmap b pages=0..0 shared rw",
    "  bd = vfio_map_dma bv", // 8: VM_PFNMAP
    "  fd = open f rw",
    "  va = mmap fd pages=0..1 private rw",
    "  r = vfio_map_dma va prot=read",
    "  vfio_dma_write r page=0", // 12: no prot=write
    "  w = vfio_map_dma va prot=write",
    "  vfio_dma_read w page=0", // 14: no prot=read
    "  vfio_dma_write w page=2", // 15: outside the mapping
    "  buf = io_uring_register va",
    "  vfio_unmap_dma buf", // 17: a ring buffer, not a DMA mapping
    "}",
  ].join("\n");
  const r = parseScenario(text, "bad.pin");
  assert.deepEqual(where(r), [
    "8:21 PIN240",
    "12:3 PIN340",
    "14:3 PIN341",
    "15:25 PIN303",
    "17:18 PIN206",
  ]);
  const d = r.diagnostics.find((x) => x.code === "PIN340")!;
  assert.match(d.message, /IOMMU blocks/);
});

test("`# pinlab-ignore PIN340` silences a blocked DMA that is the point", () => {
  const text = [
    "fs pagecache blocks=2",
    "user alice",
    "file f owner=alice pages=1",
    "proc t user=alice {",
    "  fd = open f rw",
    "  va = mmap fd pages=0..0 private rw",
    "  r = vfio_map_dma va prot=read",
    "  vfio_dma_write r page=0  # pinlab-ignore PIN340",
    "}",
    "expect t.vfio_dma_write returns EFAULT",
  ].join("\n");
  assert.deepEqual(where(parseScenario(text, "ok.pin")), []);
});

test("vmsplice and pipe_read parse and print back; a pipe_read with no vmsplice in its program warns (PIN342)", () => {
  const text = [
    "fs dax blocks=2",
    "user alice",
    "file f owner=alice pages=1",
    "proc a user=alice {",
    "  fd = open f rw",
    "  va = mmap fd pages=0..0 shared r",
    "  vmsplice va page=0",
    "  pipe_read",
    "}",
    "proc b user=alice { pipe_read }", // 10: always EAGAIN
    "proc c user=alice { fd = open f r; va = mmap fd pages=0..0 shared r; vmsplice va page=1 }", // 11: outside
  ].join("\n");
  assert.deepEqual(where(parseScenario(text, "s.pin")), ["10:21 PIN342", "11:87 PIN303"]);
  const r = parseScenario(text.split("\n").slice(0, 10).join("\n"), "s.pin");
  assert.deepEqual(where(r), ["10:21 PIN342"]);
  const a = r.spec!.procs[0]!.program.map((op) => op.op);
  assert.deepEqual(a, ["open", "mmap", "vmsplice", "pipe_read"]);
  const again = parseScenario(formatScenario(r.spec!), "again.pin");
  assert.deepEqual(
    again.spec!.procs[0]!.program.map((op) => op.op),
    a,
  );
});
