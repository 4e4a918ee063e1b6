/** The `.pin` statements of the backings: parse, print back, and the diagnostics for their misuse. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseScenario } from "./pin.js";
import { formatScenario } from "./print.js";

const where = (r: ReturnType<typeof parseScenario>) =>
  r.diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`);

const GOOD = [
  'scenario "backings"',
  "fs pagecache blocks=2",
  "user alice",
  "file shm owner=alice pages=1 backing=tmpfs",
  "file dev owner=alice pages=1 backing=devdax",
  "file nfs owner=alice pages=1 backing=other",
  "proc p user=alice {",
  "  a = mmap anon pages=2",
  "  b = mmap anon pages=1 shared r",
  "  m = memfd_create hugetlb allow_sealing",
  "  add_seals m seals=write,grow",
  "  pin = pin_longterm a r fast",
  "  unpin_longterm pin",
  "}",
].join("\n");

test("the backing statements read as the spec says and print back to the same spec", () => {
  const r = parseScenario(GOOD, "b.pin");
  assert.deepEqual(r.diagnostics, []);
  const spec = r.spec!;
  assert.deepEqual(
    spec.files.map((f) => f.backing),
    ["tmpfs", "devdax", "other"],
  );
  const ops = spec.procs[0]!.program;
  assert.deepEqual(
    { ...ops[0], at: undefined },
    { op: "mmap_anon", dst: "a", pages: 2, shared: false, prot: "rw", at: undefined },
  );
  assert.deepEqual(
    { ...ops[1], at: undefined },
    { op: "mmap_anon", dst: "b", pages: 1, shared: true, prot: "r", at: undefined },
  );
  assert.deepEqual(
    { ...ops[2], at: undefined },
    { op: "memfd_create", dst: "m", hugetlb: true, allowSealing: true, at: undefined },
  );
  assert.deepEqual(
    { ...ops[3], at: undefined },
    { op: "add_seals", fd: "m", seals: ["write", "grow"], at: undefined },
  );
  assert.deepEqual(
    { ...ops[4], at: undefined },
    { op: "pin_longterm", dst: "pin", va: "a", write: false, fast: true, at: undefined },
  );
  const again = parseScenario(formatScenario(spec), "again.pin");
  assert.deepEqual(again.diagnostics, []);
  const strip = (s: unknown) =>
    JSON.parse(JSON.stringify(s, (k, v) => (k === "at" ? undefined : v)));
  assert.deepEqual(strip(again.spec!.procs), strip(spec.procs));
  assert.deepEqual(strip(again.spec!.files), strip(spec.files));
});

test("misused backings, seals and pins get their diagnostics at their place", () => {
  const text = [
    "fs dax blocks=2",
    "user alice",
    "file a owner=alice pages=1 backing=other", // 3: other beside fs-DAX
    "file b owner=alice pages=1 backing=tmpfs sparse", // 4: sparse without blocks
    "file c owner=alice pages=1 backing=devdax",
    "file d owner=alice pages=1",
    "proc t user=alice {",
    "  fd = open d rw",
    "  add_seals fd seals=write", // 9: not tmpfs: EINVAL
    "  m = memfd_create",
    "  add_seals m seals=write", // 11: F_SEAL_SEAL: EPERM
    "  x = open c rw",
    "  v = mmap x pages=0..0 private rw", // 13: device-DAX: EINVAL
    "  write x page=0", // 14: device-DAX: no write
    "  p = pin_longterm v rw",
    "  dereg_mr p", // 16: a pin, not an MR
    "  w = mmap anon pages=1",
    "  mr = reg_mr w",
    "  unpin_longterm mr", // 19: an MR, not a pin
    "  z = mmap anon pages=0..1", // 20: a range where a size goes
    "}",
  ].join("\n");
  const r = parseScenario(text, "bad.pin");
  assert.deepEqual(where(r), [
    "3:36 PIN321",
    "4:42 PIN321",
    "9:3 PIN322",
    "11:3 PIN322",
    "13:7 PIN322",
    "14:3 PIN322",
    "16:12 PIN323",
    "19:18 PIN323",
    "20:23 PIN109",
  ]);
});

test("`# pinlab-ignore PIN322` silences a failure that is the point", () => {
  const text = [
    "fs dax blocks=2",
    "user alice",
    "file c owner=alice pages=1 backing=devdax",
    "proc t user=alice {",
    "  x = open c rw",
    "  v = mmap x pages=0..0 private rw  # pinlab-ignore PIN322",
    "}",
    "expect t.mmap returns EINVAL",
  ].join("\n");
  assert.deepEqual(where(parseScenario(text, "ok.pin")), []);
});

test("`fs shmem` and its kin point to the per-file backing", () => {
  const r = parseScenario("fs shmem\nuser alice\n", "fs.pin");
  const d = r.diagnostics.find((x) => x.code === "PIN106");
  assert.ok(d);
  assert.match(d.hint ?? "", /backing=tmpfs/);
});
