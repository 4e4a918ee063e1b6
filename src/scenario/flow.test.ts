/**
 * `loop`, `if`, `else` and `break` in `.pin` files: what reads, what lint
 * refuses (at the word that is wrong), how expectations name iterations, and
 * what the formatter and the printer make of the blocks.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { scenario } from "./builder.js";
import { formatText } from "./format.js";
import { parseScenario } from "./pin.js";
import { formatScenario } from "./print.js";

const HEAD = "fs dax blocks=4\nuser alice\nfile data owner=alice pages=2\n";
const OPEN = "fd = open data rw; va = mmap fd pages=0..1 shared rw";

/** `^` marks where the diagnostic must point (line:col of the character after it). */
function marked(src: string): [string, string] {
  const text = HEAD + src;
  const i = text.indexOf("^");
  const before = text.slice(0, i).split("\n");
  return [text.replace("^", ""), `${before.length}:${before[before.length - 1]!.length + 1}`];
}

test("each misuse of loop, if, else and break gets its code at its place", () => {
  const cases: [string, string, string][] = [
    ["proc a user=alice { loop ^0 { exit } }", "PIN140", "1 to 16"],
    ["proc a user=alice { loop ^17 { exit } }", "PIN140", "1 to 16"],
    ["proc a user=alice { loop ^many { exit } }", "PIN140", "a whole number"],
    ["proc a user=alice { loop 2 { exit }; ^repeat { exit } }", "PIN141", "`repeat` cannot"],
    ["proc a user=alice { repeat { ^loop 2 { exit } } }", "PIN141", "inside `repeat`"],
    ["proc a user=alice { exit }\nremote r { ^loop 2 { mr = recv } }", "PIN142", "local processes"],
    ["proc a user=alice { ^break }", "PIN143", "outside a loop"],
    ["proc a user=alice { exit; ^else { exit } }", "PIN143", "without an `if`"],
    ["proc a user=alice { ^if { exit } }", "PIN144", "label of an operation"],
    ["proc a user=alice { t: exit; if ^t { exit } }", "PIN144", "results it tests"],
    ["proc a user=alice { ^x: loop 2 { exit } }", "PIN144", "cannot have a label"],
    [
      "proc a user=alice { t: truncate data pages=0; if t ok {} else ^if t EBUSY {} }",
      "PIN144",
      "`else if`",
    ],
    ["proc a user=alice { if ^t ok { exit }; t: truncate data pages=0 }", "PIN260", "not run yet"],
    ["proc a user=alice { if ^t ok { exit } }", "PIN260", "no operation is labelled"],
    ["proc a user=alice { t: truncate data pages=0; if t ^EBSY { exit } }", "PIN262", "EBSY"],
    [
      `proc a user=alice { ${OPEN}; s: fsync fd; if s ^EBUSY { exit } }`,
      "PIN370",
      "does not return EBUSY",
    ],
    [
      "proc a user=alice { loop 2 { truncate data pages=0; break; ^exit } }",
      "PIN371",
      "never runs",
    ],
    [
      "proc a user=alice { loop 2 { ^fork b } }\nproc b user=alice forked { exit }",
      "PIN372",
      "inside a loop",
    ],
    [
      `proc a user=alice { ${OPEN}; loop 2 { ^mr = reg_mr va access=local_write } }`,
      "PIN373",
      "may still be held",
    ],
    [
      `proc a user=alice { ${OPEN}; t: truncate data pages=0; if t ok { ^mr = reg_mr va access=local_write } else { mr = reg_mr va access=local_write } }`,
      "PIN374",
      "assigned inside",
    ],
    [
      "proc a user=alice { loop 2 { t: truncate data pages=0 } }\nexpect a.^t returns ok",
      "PIN261",
      "`t#1`",
    ],
    [
      "proc a user=alice { loop 2 { t: truncate data pages=0 } }\nexpect a.^t#3 returns ok",
      "PIN261",
      "at most 2 times",
    ],
    [
      "proc a user=alice { loop 2 { truncate data pages=0 } }\nexpect a.^truncate returns ok",
      "PIN311",
      "in a loop",
    ],
    [
      "proc a user=alice { loop 2 { t: truncate data pages=0 } }\nproc b user=alice { wait_for a.^t }",
      "PIN261",
      "inside a loop",
    ],
  ];
  for (const [src, code, fragment] of cases) {
    const [text, at] = marked(src);
    const r = parseScenario(text, "t.pin");
    const d = r.diagnostics.find((x) => `${x.line}:${x.col}` === at && x.code === code);
    assert.ok(
      d,
      `${text}\nexpected ${at} ${code}, got ${JSON.stringify(r.diagnostics.map((x) => `${x.line}:${x.col} ${x.code} ${x.message}`))}`,
    );
    assert.ok(
      d.message.includes(fragment) || d.hint?.includes(fragment),
      `${d.message} should mention ${fragment}`,
    );
    if (d.severity === "error") assert.equal(r.spec, undefined, text);
  }
});

const RETRY = `${HEAD}proc app user=alice {
  ${OPEN}
  r: mr = reg_mr va access=local_write
  loop 3 {
    t: ftruncate fd pages=0   # try
    if t ok {
      break
    } else {
      dereg_mr mr
    }
  }
}
proc b user=alice { wait_for app.t#2 }
expect app.t#2 returns ok under ebusy
`;

test("a retry loop reads, lowers to its unrolled program and names its iterations", () => {
  const r = parseScenario(RETRY, "t.pin");
  assert.deepEqual(r.diagnostics, []);
  const p = r.spec!.procs[0]!;
  assert.equal(p.flow?.length, 4);
  assert.deepEqual(
    p.program.flatMap((o) => (o.op === "ftruncate" ? [o.label] : [])),
    ["t#1", "t#2", "t#3"],
  );
  assert.equal(r.spec!.procs[1]!.program[0]!.op, "wait_for");
});

test("fmt keeps the blocks, puts `} else {` on one line, and is stable", () => {
  const f = formatText(RETRY, "t.pin");
  assert.ok(f.text, JSON.stringify(f.diagnostics));
  assert.match(
    f.text,
    /\n {2}loop 3 \{\n {4}t: ftruncate fd pages=0 {2}# try\n {4}if t ok \{\n {6}break\n {4}\} else \{\n {6}dereg_mr mr\n {4}\}\n {2}\}\n/,
  );
  assert.equal(formatText(f.text, "t.pin").text, f.text);
  // The same meaning: the same flow and program, but for the source positions.
  const meaning = (text: string) =>
    JSON.stringify(parseScenario(text, "t.pin").spec?.procs, (k, v) =>
      k === "at" ? undefined : v,
    );
  assert.equal(meaning(f.text), meaning(RETRY));
});

test("a send inside a loop counts once per iteration for the peer's recvs", () => {
  const r = parseScenario(
    `${HEAD}proc a user=alice { ${OPEN}; r: mr = reg_mr va access=local_write,remote_write; loop 2 { send p mr } }\nremote p { x = recv; y = recv; rdma_write y page=0 }`,
    "t.pin",
  );
  assert.deepEqual(
    r.diagnostics.map((d) => d.code),
    [],
  );
});

test("a one-line program with a loop stays on one line", () => {
  const f = formatText(
    `${HEAD}proc a user=alice { loop 2 { t: truncate data pages=0; if t ok { break } } }\n`,
    "t.pin",
  );
  assert.match(
    f.text!,
    /^proc a user=alice \{ loop 2 \{ t: truncate data pages=0; if t ok \{ break \} \} \}$/m,
  );
});

test("a scenario printed from its spec reads back with the same program", () => {
  const spec = parseScenario(RETRY, "t.pin").spec!;
  const text = formatScenario(spec);
  assert.match(text, /loop 3 \{/);
  const back = parseScenario(text, "again.pin");
  assert.deepEqual(back.diagnostics, []);
  const plain = (x: unknown) => JSON.stringify(x, (k, v) => (k === "at" ? undefined : v));
  assert.equal(plain(back.spec!.procs), plain(spec.procs));
});

test("the builder writes the same loops and branches as a .pin file", () => {
  const built = scenario("t")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 2 })
    .proc("a", "alice", (p) =>
      p.open("fd", "data", "rw").loop(2, (b) =>
        b
          .ftruncate("fd", 0)
          .as("t")
          .when(
            "t",
            ["ok"],
            (x) => x.exitLoop(),
            (x) => x.close("fd"),
          ),
      ),
    )
    .build();
  const parsed = parseScenario(
    `${HEAD}proc a user=alice { fd = open data rw; loop 2 { t: ftruncate fd pages=0; if t ok { break } else { close fd } } }`,
    "t.pin",
  );
  assert.deepEqual(parsed.diagnostics, []);
  const plain = (x: unknown) =>
    JSON.stringify(x, (k, v) => (k === "at" || k === "create" ? undefined : v));
  assert.equal(plain(built.procs[0]!.flow), plain(parsed.spec!.procs[0]!.flow));
  assert.equal(plain(built.procs[0]!.program), plain(parsed.spec!.procs[0]!.program));
});
