/**
 * Diagnostics for fork and for ordering local processes (`wait_for`): what
 * cannot work is refused before anything runs, at the word that is wrong.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseScenario } from "./pin.js";

const HEAD = "fs dax blocks=4\nuser alice\nuser bob\nfile data owner=alice pages=2\n";

/** `^` marks where the diagnostic must point (line:col of the character after it). */
function marked(src: string): [string, string] {
  const text = HEAD + src;
  const i = text.indexOf("^");
  const before = text.slice(0, i).split("\n");
  return [text.replace("^", ""), `${before.length}:${before[before.length - 1]!.length + 1}`];
}

test("each misuse of fork and wait_for gets its code at its place", () => {
  const cases: [string, string, string][] = [
    [
      "proc a user=alice { wait_for b.^tow }\nproc b user=alice { two: exit }",
      "PIN217",
      "no operation labelled `tow`",
    ],
    ["proc a user=alice { wait_for ^zz.one }", "PIN203", "unknown process"],
    [
      "proc a user=alice { wait_for ^b }\nproc b user=alice { exit }",
      "PIN109",
      "one of its labels",
    ],
    ["proc a user=alice { wait_for a.^x; x: exit }", "PIN219", "its own label"],
    [
      "proc a user=alice { wait_for ^b.two; one: exit }\nproc b user=alice { wait_for a.one; two: exit }",
      "PIN219",
      "can never end",
    ],
    [
      "proc a user=alice { fork ^b }\nproc b user=alice { exit }",
      "PIN218",
      "not declared `forked`",
    ],
    [
      "proc a user=alice { exit }\nproc b user=alice ^forked { exit }",
      "PIN218",
      "no process forks it",
    ],
    [
      "proc a user=alice { fork b }\nproc b user=^bob forked { exit }",
      "PIN218",
      "its parent `a` runs as `alice`",
    ],
    [
      "proc a user=alice { fork b }\nproc c user=alice { fork ^b }\nproc b user=alice forked { exit }",
      "PIN218",
      "already forked",
    ],
    [
      "proc a user=alice { fd = open data rw; fork b }\nproc b user=alice forked { close ^fd }",
      "PIN218",
      "parent's file descriptor",
    ],
    [
      "proc a user=alice { fd = open data rw; va = mmap fd pages=0..1; mr = reg_mr va access=local_write; fork b }\nproc b user=alice forked { dereg_mr ^mr }",
      "PIN218",
      "parent's memory registration",
    ],
    [
      "proc a user=alice { fork b; fd = open data rw; va = mmap fd pages=0..1 }\nproc b user=alice forked { store ^va page=0 }",
      "PIN205",
      "before it is assigned",
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
    assert.ok(d.message.includes(fragment), `${d.message} should mention ${fragment}`);
    assert.equal(r.spec, undefined, text);
  }
});

test("a forked child may use the mappings its parent made before the fork", () => {
  const r = parseScenario(
    `${HEAD}proc a user=alice { fd = open data rw; va = mmap fd pages=0..1 private; madvise va dontfork; fork b }\nproc b user=alice forked { store va page=0; exit }`,
    "t.pin",
  );
  assert.deepEqual(r.diagnostics, []);
  assert.ok(r.spec?.procs[1]?.forked);
});

test("waits in a chain that can end are accepted", () => {
  const r = parseScenario(
    `${HEAD}proc a user=alice { one: fd = open data rw; wait_for b.two }\nproc b user=alice { wait_for a.one; two: truncate data pages=0 }`,
    "t.pin",
  );
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.spec?.procs[0]?.program[1]?.op, "wait_for");
});
