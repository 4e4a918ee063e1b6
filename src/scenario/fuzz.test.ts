/**
 * The parser is total: no input makes it throw or loop. Random bytes, random
 * soups of the format's own tokens, and one-character mutations of the sample
 * scenarios all come back as a result with well-formed diagnostics.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { Diagnostic } from "./diagnostics.js";
import { formatText } from "./format.js";
import { lower } from "./lower.js";
import { parseScenario, readSyntax } from "./pin.js";
import { samples, strip } from "./testing.js";

const seed = Date.now() ^ 0;
console.log(`scenario fuzz seed: ${seed} (fc.assert(..., { seed }) reproduces a failure)`);

/** Parses and formats without throwing; diagnostics point inside the text. */
function total(text: string): void {
  const lines = text.split("\n").length;
  const r = parseScenario(text, "fuzz.pin");
  const check = (d: Diagnostic) => {
    assert.ok(d.line >= 1 && d.line <= lines, `line ${d.line} of ${lines}`);
    assert.ok(d.col >= 1, `col ${d.col}`);
    assert.match(d.code, /^PIN\d{3}$/);
  };
  r.diagnostics.forEach(check);
  assert.equal(
    r.spec === undefined,
    r.diagnostics.some((d) => d.severity === "error"),
  );
  const f = formatText(text, "fuzz.pin");
  f.diagnostics.forEach(check);
  if (f.text !== undefined) {
    // Whatever formats, formats to a fixed point and keeps its meaning.
    assert.equal(formatText(f.text, "fuzz.pin").text, f.text);
    assert.deepEqual(strip(meaning(f.text)), strip(meaning(text)));
  }
}

/** The spec a text lowers to, ignoring name and size errors. */
function meaning(text: string) {
  return lower(readSyntax(text, "fuzz.pin").program).result;
}

test("random byte strings never make the parser throw", { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      total(new TextDecoder().decode(bytes));
      total(String.fromCharCode(...bytes));
    }),
    { seed, numRuns: 500 },
  );
});

const WORDS = [
  "scenario",
  "fs",
  "dax",
  "pagecache",
  "blocks",
  "user",
  "caps",
  "CAP_LEASE",
  "file",
  "owner",
  "mode",
  "pages",
  "page",
  "sparse",
  "hypothetical-unzeroed",
  "reflink",
  "pfnmap",
  "movable",
  "proc",
  "remote",
  "cancel",
  "yes",
  "no",
  "on_lease_break",
  "faults",
  "crash",
  "hang",
  "partition",
  "nic_no_invalidate",
  "bounds",
  "max_states",
  "max_depth",
  "expect",
  "never",
  "sometimes",
  "always",
  "under",
  "returns",
  "ok",
  "EBUSY",
  "foreign-dma",
  "linux",
  "open",
  "create",
  "close",
  "mmap",
  "munmap",
  "store",
  "load",
  "read",
  "write",
  "reg_mr",
  "dereg_mr",
  "send",
  "setlease",
  "rd",
  "wr",
  "unlck",
  "layout",
  "unbreak",
  "truncate",
  "ftruncate",
  "fallocate",
  "alloc",
  "punch",
  "collapse",
  "fsync",
  "await",
  "unplug",
  "kill",
  "exit",
  "recv",
  "rdma_write",
  "rdma_read",
  "shared",
  "private",
  "r",
  "w",
  "rw",
  "access",
  "local_write",
  "remote_write",
  "odp",
  "alice",
  "data",
  "fd",
  "va",
  "mr",
  "peer",
  "server",
  "t1",
  "0",
  "1",
  "2",
  "0644",
  "0..1",
  "1..0",
  "99",
  '"name"',
  '"open',
  "=",
  ",",
  ":",
  ".",
  "..",
  "{",
  "}",
  ";",
  "\n",
  "\n",
  "#c\n",
  "x.y",
  "$",
  "-",
];

test("random token soups never make the parser throw", { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(" ", "", "  ", "\n", "\t")), {
        maxLength: 120,
      }),
      (parts) => total(parts.map(([w, s]) => w + s).join("")),
    ),
    { seed, numRuns: 1000 },
  );
});

test("single-character mutations of the samples never make the parser throw", {
  timeout: 120_000,
}, () => {
  const texts = samples().map((s) => s.text);
  fc.assert(
    fc.property(
      fc.nat({ max: texts.length - 1 }),
      fc.nat(),
      fc.constantFrom("delete", "insert", "replace"),
      fc.constantFrom(...' \n{};:=.,#"0129az_-}xé\t'),
      (which, at, how, c) => {
        const t = texts[which]!;
        const i = at % (t.length + 1);
        const mutated =
          how === "delete"
            ? t.slice(0, i) + t.slice(i + 1)
            : how === "insert"
              ? t.slice(0, i) + c + t.slice(i)
              : t.slice(0, i) + c + t.slice(i + 1);
        total(mutated);
      },
    ),
    { seed, numRuns: 1500 },
  );
});

test("deeply nested or very long input stays fast", () => {
  const t0 = performance.now();
  total("{".repeat(50_000));
  total(`${"}".repeat(20_000)}\n`);
  total(
    `user a\nfile f owner=a pages=2\nproc p user=a {\n${"  fd = open f rw\n".repeat(20_000)}}\n`,
  );
  assert.ok(performance.now() - t0 < 20_000);
});
