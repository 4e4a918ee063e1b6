import assert from "node:assert/strict";
import { test } from "node:test";
import { EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, memoryHost } from "../host.js";
import { fmtCommand } from "./fmt.js";

const MESSY = "user a;file f owner=a pages=1   # the file\nproc p user=a { fd=open f }\n";
const CLEAN =
  "user a\nfile f owner=a mode=0644 pages=1  # the file\nproc p user=a { fd = open f rw }\n";

test("fmt prints the canonical text of one file", async () => {
  const h = memoryHost({ "m.pin": MESSY });
  assert.equal(await fmtCommand.run(["m.pin"], h), EXIT_OK);
  assert.equal(h.stdout, CLEAN);
  assert.equal(h.files["m.pin"], MESSY);
});

test("fmt --check lists unformatted files and exits 1, changing nothing", async () => {
  const h = memoryHost({ "m.pin": MESSY, "c.pin": CLEAN });
  assert.equal(await fmtCommand.run(["--check", "m.pin", "c.pin"], h), EXIT_FAILED);
  assert.equal(h.stdout, "m.pin: not formatted\n");
  assert.equal(h.files["m.pin"], MESSY);
  assert.equal(await fmtCommand.run(["--check", "c.pin"], memoryHost({ "c.pin": CLEAN })), EXIT_OK);
});

test("fmt --write rewrites what is not formatted", async () => {
  const h = memoryHost({ "m.pin": MESSY, "c.pin": CLEAN });
  assert.equal(await fmtCommand.run(["--write", "m.pin", "c.pin"], h), EXIT_OK);
  assert.equal(h.files["m.pin"], CLEAN);
  assert.equal(h.stdout, "m.pin: formatted\n");
});

test("fmt leaves a file with syntax errors alone and exits 2", async () => {
  const h = memoryHost({ "b.pin": "proc p user=a {\n  opne f\n}\n" });
  assert.equal(await fmtCommand.run(["--write", "b.pin"], h), EXIT_BAD_INPUT);
  assert.match(h.stderr, /b\.pin:2:3: error PIN102: unknown operation `opne`/);
  assert.match(h.stderr, /not formatted\n$/);
  assert.equal(h.files["b.pin"], "proc p user=a {\n  opne f\n}\n");
});

test("fmt: bad usage and missing files are bad input", async () => {
  const h = memoryHost({ "c.pin": CLEAN });
  assert.equal(await fmtCommand.run(["--write", "--check", "c.pin"], h), EXIT_BAD_INPUT);
  assert.equal(await fmtCommand.run(["c.pin", "c.pin"], h), EXIT_BAD_INPUT);
  assert.equal(await fmtCommand.run(["gone.pin"], h), EXIT_BAD_INPUT);
  assert.match(h.stderr, /pinlab fmt: cannot read gone\.pin: no such file/);
});
