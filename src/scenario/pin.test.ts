import assert from "node:assert/strict";
import { test } from "node:test";
import { renderDiagnostic } from "./diagnostics.js";
import { LIBRARY } from "./library.js";
import { parseScenario } from "./pin.js";
import { formatScenario } from "./print.js";
import { samples, strip } from "./testing.js";

const where = (r: ReturnType<typeof parseScenario>) =>
  r.diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`);

test("five different mistakes give five diagnostics in one run, each at its place", () => {
  const text = [
    'scenario "five mistakes"',
    "fs dax blocks=4",
    "user alice",
    "file data owner=alice pages=2",
    "",
    "proc server user=alice {", // 6: never closed
    "  fd = open data rw",
    "  va = mmap fd pages=0..2 shared rw", // 8: past the end of data (2 pages)
    "  mr = reg_mr va access=local_write,remote_write",
    "  sned peer mr", // 10: typo in an operation name
    "  dereg_mr mx", // 11: undeclared variable
    "",
    "proc admin user=carol {", // 13: unknown user
    "  truncate data pages=0",
    "}",
    "remote peer {",
    "  mr = recv",
    "  rdma_write mr page=0",
    "}",
  ].join("\n");
  const r = parseScenario(text, "five.pin");
  assert.equal(r.spec, undefined);
  assert.deepEqual(where(r), [
    "6:24 PIN104",
    "8:22 PIN301",
    "10:3 PIN102",
    "11:12 PIN205",
    "13:17 PIN201",
  ]);
  const byCode = new Map(r.diagnostics.map((d) => [d.code, d]));
  assert.match(byCode.get("PIN301")!.message, /2 pages/);
  assert.equal(byCode.get("PIN102")!.hint, "did you mean `send`?");
  assert.match(byCode.get("PIN201")!.message, /carol/);
});

test("a diagnostic renders as file:line:col, a code frame with a caret, and a hint", () => {
  const text = "user alice\nproc p user=alice {\n  trunate data pages=0\n}\n";
  const r = parseScenario(text, "t.pin");
  assert.equal(r.diagnostics.length, 1);
  assert.equal(
    renderDiagnostic(r.diagnostics[0]!, text),
    [
      "t.pin:3:3: error PIN102: unknown operation `trunate`",
      " 3 |   trunate data pages=0",
      "   |   ^^^^^^^",
      "hint: did you mean `truncate`?",
    ].join("\n"),
  );
});

test("the sample scenarios parse without errors", () => {
  for (const s of samples()) {
    const r = parseScenario(s.text, s.name);
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === "error"),
      [],
      s.name,
    );
    assert.ok(r.spec, s.name);
  }
});

test("core.pin means the same as the core scenario written with the builder", () => {
  const text = samples().find((s) => s.name === "core.pin")!.text;
  const r = parseScenario(text, "core.pin");
  assert.deepEqual(strip(r.spec), strip(LIBRARY.core!()));
});

test("every operation, the label and the position of each op, proc, peer and expectation", () => {
  const text = samples().find((s) => s.name === "layout-lease.pin")!.text;
  const spec = parseScenario(text, "layout-lease.pin").spec!;
  const admin = spec.procs.find((p) => p.name === "admin")!;
  assert.deepEqual(admin.at, { line: 22, col: 1 });
  assert.deepEqual(admin.program[0], {
    op: "truncate",
    file: "data",
    pages: 1,
    label: "t1",
    at: { line: 23, col: 3 },
  });
  assert.deepEqual(spec.peers[0]!.at, { line: 18, col: 1 });
  assert.equal(spec.peers[0]!.cancel, false);
  assert.deepEqual(spec.expectations[0]!.at, { line: 30, col: 1 });
  for (const p of spec.procs) for (const op of p.program) assert.ok(op.at, `${p.name}.${op.op}`);
  for (const r of spec.peers) for (const op of r.program) assert.ok(op.at, `${r.name}.${op.op}`);
});

test("every bundled builder scenario prints as text that reads back to the same spec", () => {
  for (const [name, build] of Object.entries(LIBRARY)) {
    const spec = build();
    const text = formatScenario(spec);
    const r = parseScenario(text, `${name}.pin`);
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === "error"),
      [],
      `${name}:\n${text}`,
    );
    assert.deepEqual(strip(r.spec), strip({ ...spec }), name);
  }
});

/** A source with `^` just before the character a diagnostic must point at: the text, and "line:col". */
function marked(src: string): [string, string] {
  const i = src.indexOf("^");
  const before = src.slice(0, i).split("\n");
  return [
    src.slice(0, i) + src.slice(i + 1),
    `${before.length}:${before[before.length - 1]!.length + 1}`,
  ];
}

test("semantic errors are caught with positions before anything runs", () => {
  const cases: [string, string, string][] = [
    // [source with ^ at the expected column, code, message fragment]
    ["user a\nfile f owner=^b pages=1", "PIN201", "unknown user `b`"],
    ["user a\nproc p user=a { fd = open ^g rw }", "PIN202", "unknown file `g`"],
    ["user a\nproc p user=a { kill ^q }", "PIN203", "unknown process `q`"],
    ["user a\nproc p user=a { await ^r }", "PIN204", "unknown remote peer `r`"],
    ["user a\nexpect never ^no-foreign-dam", "PIN210", "unknown property"],
    ["user a\nexpect never ^no-foreign-dma", "PIN214", "is now called `foreign-dma`"],
    ["user a\nexpect never foreign-dma under ^linx", "PIN209", "unknown policy"],
    ["user a\nproc p user=a { close ^fd }", "PIN205", "used before it is assigned"],
    [
      "user a\nfile f owner=a pages=1\nproc p user=a { fd = open f rw; munmap ^fd }",
      "PIN206",
      "is a file descriptor",
    ],
    [
      "user a\nfile f owner=a pages=1\nproc p user=a { fd = open f rw; va = mmap fd pages=0..0 shared rw\n mr = reg_mr va access=local_write; send ^q mr }",
      "PIN204",
      "unknown remote peer `q`",
    ],
    [
      "user a\nfile f owner=a pages=2\nproc p user=a { fd = open f r; read fd page=^2 }",
      "PIN301",
      "2 pages",
    ],
    [
      "user a\nfile f owner=a pages=2\nproc p user=a { fd = open f r; va = mmap fd pages=^1..2 shared r }",
      "PIN301",
      "2 pages",
    ],
    [
      "user a\nfile f owner=a pages=2\nproc p user=a { fd = open f w; fallocate fd punch pages=^2..3 }",
      "PIN301",
      "2 pages",
    ],
    ["user a\nuser ^a", "PIN207", "already declared"],
    ["user a\nfile f owner=a pages=1\nfile ^f owner=a pages=1", "PIN207", "already declared"],
    ["user a\nproc p user=a {}\nremote ^p {}", "PIN207", "already declared"],
    ["user a\nproc p user=a { t: exit; ^t: exit }", "PIN208", "label `t`"],
    ["user a\nproc p user=a {}\nexpect p.^truncate returns ok", "PIN211", "no operation or label"],
    ["user a\nproc p user=a { exit }\nexpect p.exit returns ^EWHAT", "PIN212", "unknown result"],
    ["user a\nfile f owner=a pages=1\nproc p user=a { g = create ^f }", "PIN213", "declared"],
    ["fs dax blocks=2\nuser a\nfile f owner=a pages=^3", "PIN307", "need 3, the fs has 2"],
    [
      "user a\nfile f owner=a pages=1\nproc p user=a { fd = open f r; setlease fd rd ^unbreak }",
      "PIN308",
      "F_UNBREAK",
    ],
    [
      "user a\nfile f owner=a pages=4\nproc p user=a { fd = open f r; va = mmap fd pages=^2..1 shared r }",
      "PIN305",
      "empty",
    ],
    [
      "user a\nfile f owner=a pages=4\nproc p user=a { fd = open f r; va = mmap fd pages=0..1 shared r; load va page=^2 }",
      "PIN303",
      "outside the mapping",
    ],
    ["fs dax blocks=^65", "PIN306", "1..64"],
    ["user a\nproc p user=a { ^fd = close x }", "PIN111", "returns nothing"],
    ["user a\nproc p user=a { ^open x rw }", "PIN111", "assign it"],
    ["user a\nproc p user=a {}\nfaults crash=^q", "PIN203", "unknown process"],
    ["user a\nremote r { rdma_write ^mr page=0 }", "PIN205", "used before"],
  ];
  for (const [src, code, fragment] of cases) {
    const [text, at] = marked(src);
    const r = parseScenario(text, "t.pin");
    const d = r.diagnostics.find((x) => `${x.line}:${x.col}` === at && x.code === code);
    assert.ok(d, `${text}\nexpected ${at} ${code}, got ${JSON.stringify(where(r))}`);
    assert.ok(d.message.includes(fragment), `${d.message} should mention ${fragment}`);
    assert.equal(r.spec, undefined, text);
  }
});

test("unknown names get a did-you-mean hint", () => {
  const r = parseScenario(
    "user alice\nfile data owner=alcie pages=1\nproc p user=alice { fd = open dta rw }\nexpect nevr kill",
    "t.pin",
  );
  assert.deepEqual(
    r.diagnostics.map((d) => d.hint),
    ["did you mean `alice`?", "did you mean `data`?", "did you mean `never`?"],
  );
});

test("a fault naming an actor of the other kind says so, before any spelling guess", () => {
  const r = parseScenario(
    "user a\nproc peer user=a {}\nproc server user=a {}\nremote peers {}\nremote servers {}\nfaults peer_crash=peer crash=servers",
    "t.pin",
  );
  assert.deepEqual(
    r.diagnostics.map((d) => d.hint),
    [
      "`peer` is a process: use `crash=peer`, `oom=peer` or `hang=peer`",
      "`servers` is a remote peer: use `peer_crash=servers` or `partition=servers`",
    ],
  );
});

test("property and policy lists can be passed in", () => {
  const text = "expect never my-prop under my-policy";
  assert.equal(parseScenario(text, "t.pin").spec, undefined);
  const r = parseScenario(text, "t.pin", { properties: ["my-prop"], policies: ["my-policy"] });
  assert.deepEqual(r.diagnostics, []);
  assert.ok(r.spec);
});

test("statements are separated by newlines or ';', and a `{` may start the next line", () => {
  const a = parseScenario("user a\nproc p user=a {\n  exit\n}", "a.pin");
  const b = parseScenario("user a; proc p user=a\n{ exit }", "b.pin");
  assert.deepEqual(strip(a.spec), strip({ ...b.spec!, name: "a" }));
});
