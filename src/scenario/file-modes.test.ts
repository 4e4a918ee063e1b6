/** The `.pin` statements of the fallocate modes, FIDEDUPERANGE, chmod, chown and the DAX flag. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseScenario } from "./pin.js";
import { formatScenario } from "./print.js";

const where = (r: ReturnType<typeof parseScenario>) =>
  r.diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`);

const GOOD = [
  'scenario "file modes"',
  "fs dax blocks=6 dax=inode",
  "user alice",
  "user root caps=CAP_CHOWN,CAP_FOWNER",
  "file a owner=alice pages=2",
  "file b owner=alice pages=2",
  "proc p user=alice {",
  "  x = open a rw",
  "  y = open b rw",
  "  fallocate x zero pages=0..0",
  "  fallocate x insert pages=1..1",
  "  fallocate x unshare pages=0..2",
  "  dedupe x y pages=0..1",
  "  fssetxattr y nodax",
  "}",
  "proc r user=root {",
  "  chmod a mode=0600",
  "  chown a owner=root",
  "}",
].join("\n");

test("the new statements read as the spec says and print back to the same spec", () => {
  const r = parseScenario(GOOD, "m.pin");
  assert.deepEqual(r.diagnostics, []);
  const spec = r.spec!;
  assert.equal(spec.fs.daxMount, "inode");
  const ops = spec.procs[0]!.program;
  assert.deepEqual(
    ops.slice(2).map((o) => (o.op === "fallocate" ? o.mode : o.op)),
    ["zero", "insert", "unshare", "dedupe", "fssetxattr"],
  );
  assert.deepEqual(ops[5], { op: "dedupe", src: "x", dst: "y", first: 0, last: 1, at: ops[5]!.at });
  assert.deepEqual(
    spec.procs[1]!.program.map((o) => o.op),
    ["chmod", "chown"],
  );
  const chmod = spec.procs[1]!.program[0]!;
  assert.ok(chmod.op === "chmod" && chmod.mode === 0o600);
  const again = parseScenario(formatScenario(spec), "again.pin");
  assert.deepEqual(again.diagnostics, []);
  assert.equal(formatScenario(again.spec!), formatScenario(spec));
});

test("lint: misuse of the new statements", () => {
  const text = [
    "fs pagecache blocks=4 flavor=ext4 dax=inode",
    "user alice",
    "file a owner=alice pages=2",
    "proc p user=alice {",
    "  x = open a rw",
    "  m = memfd_create",
    "  fallocate x insert pages=2..2",
    "  fallocate x unshare pages=0..0",
    "  fallocate m zero pages=0..0",
    "  dedupe x x pages=0..0",
    "  fssetxattr x nodax",
    "  chown a owner=carol",
    "}",
  ].join("\n");
  assert.deepEqual(where(parseScenario(text, "bad.pin")), [
    "1:39 PIN126",
    "7:28 PIN347",
    "8:15 PIN349",
    "9:15 PIN349",
    "10:3 PIN349",
    "10:12 PIN350",
    "11:3 PIN349",
    "12:17 PIN201",
  ]);
});

test("lint: a file opened again after its DAX flag changed (PIN348)", () => {
  const text = [
    "fs dax blocks=4 dax=inode",
    "user alice",
    "file a owner=alice pages=1",
    "proc p user=alice {",
    "  x = open a rw",
    "  fssetxattr x nodax",
    "  close x",
    "  y = open a rw",
    "}",
  ].join("\n");
  assert.deepEqual(where(parseScenario(text, "flag.pin")), ["8:12 PIN348"]);
});
