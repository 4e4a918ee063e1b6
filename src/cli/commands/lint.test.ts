import assert from "node:assert/strict";
import { test } from "node:test";
import { EXIT_BAD_INPUT, EXIT_OK, memoryHost } from "../host.js";
import { loadPinFile } from "../pin-file.js";
import { lintCommand } from "./lint.js";

const GOOD = "user a\nfile f owner=a pages=1\nproc p user=a { fd = open f rw }\n";
const WARN = "user a\nfile f owner=a pages=1\nproc p user=a { fd = open f rw; write fd page=3 }\n";
const BAD = "user a\nproc p user=b { exit }\n";

test("lint: a clean file exits 0 and says so", async () => {
  const h = memoryHost({ "ok.pin": GOOD });
  assert.equal(await lintCommand.run(["ok.pin"], h), EXIT_OK);
  assert.equal(h.stdout, "1 file checked: 0 errors, 0 warnings\n");
});

test("lint: warnings alone exit 0; errors exit 2; every diagnostic is printed with its frame", async () => {
  const h = memoryHost({ "w.pin": WARN, "b.pin": BAD });
  assert.equal(await lintCommand.run(["w.pin"], h), EXIT_OK);
  assert.match(h.stdout, /^w\.pin:3:47: warning PIN302: /);
  const h2 = memoryHost({ "w.pin": WARN, "b.pin": BAD });
  assert.equal(await lintCommand.run(["w.pin", "b.pin"], h2), EXIT_BAD_INPUT);
  assert.match(
    h2.stdout,
    /b\.pin:2:13: error PIN201: unknown user `b`\n 2 \| proc p user=b \{ exit \}\n {3}\| {13}\^\n/,
  );
  assert.match(h2.stdout, /2 files checked: 1 error, 1 warning\n$/);
});

test("lint: a missing file is a clear message, not a stack trace", async () => {
  const h = memoryHost({ "ok.pin": GOOD });
  assert.equal(await lintCommand.run(["nope.pin", "ok.pin"], h), EXIT_BAD_INPUT);
  assert.equal(h.stderr, "pinlab lint: cannot read nope.pin: no such file\n");
  assert.equal(h.stdout, "1 file checked: 0 errors, 0 warnings; 1 could not be read\n");
});

test("lint: bad options and no files are bad input", async () => {
  const h = memoryHost();
  assert.equal(await lintCommand.run([], h), EXIT_BAD_INPUT);
  assert.equal(await lintCommand.run(["--jsn", "x.pin"], h), EXIT_BAD_INPUT);
  assert.match(h.stderr, /did you mean --json/);
});

test("lint --json prints the diagnostics as data; --quiet leaves out warnings", async () => {
  const h = memoryHost({ "w.pin": WARN, "b.pin": BAD });
  assert.equal(await lintCommand.run(["--json", "--quiet", "w.pin", "b.pin"], h), EXIT_BAD_INPUT);
  const out = JSON.parse(h.stdout);
  assert.equal(out.schema, "pinlab.diagnostics/1");
  assert.deepEqual(out.files[0], { file: "w.pin", diagnostics: [] });
  assert.equal(out.files[1].diagnostics[0].code, "PIN201");
  assert.equal(out.files[1].diagnostics[0].line, 2);
});

test("loadPinFile gives a spec, or the rendered diagnostics as the error", () => {
  const h = memoryHost({ "ok.pin": GOOD, "b.pin": BAD });
  const ok = loadPinFile("ok.pin", h);
  assert.ok(ok.ok && ok.spec.procs[0]?.name === "p");
  const bad = loadPinFile("b.pin", h);
  assert.ok(
    !bad.ok && bad.exit === EXIT_BAD_INPUT && bad.error.startsWith("b.pin:2:13: error PIN201"),
  );
  const missing = loadPinFile("gone.pin", h);
  assert.ok(!missing.ok && missing.error === "cannot read gone.pin: no such file");
});

test("lint: only regular files are read (a device or a directory is a message at once)", async () => {
  for (const p of ["/dev/zero", "/etc"]) {
    const h = memoryHost();
    assert.equal(await lintCommand.run([p], h), EXIT_BAD_INPUT);
    assert.match(
      h.stderr,
      new RegExp(`cannot read ${p}: (it is )?(not a regular file|a directory)`),
    );
  }
});
