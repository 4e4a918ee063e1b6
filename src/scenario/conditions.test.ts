/** Diagnostics of conditions: codes, the line and column inside the string, hints. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatText } from "./format.js";
import { parseScenario } from "./pin.js";

const HEAD = [
  "fs dax blocks=4",
  "user alice",
  "file data owner=alice pages=2",
  "file hole owner=alice pages=1 sparse",
  "proc server user=alice {",
  "  fd = open data rw",
  "  va = mmap fd pages=0..1 shared rw",
  "  mr = reg_mr va access=local_write,remote_write",
  "  send peer mr",
  "}",
  "remote peer { mr = recv; rdma_write mr page=0 }",
];
const LINE = HEAD.length + 1;

function lint(expect: string) {
  return parseScenario([...HEAD, expect, ""].join("\n"), "c.pin").diagnostics;
}

/** The one diagnostic of `expect`, as code, column and hint. */
function only(expect: string) {
  const d = lint(expect);
  assert.equal(d.length, 1, d.map((x) => `${x.code} ${x.message}`).join("\n"));
  assert.equal(d[0]!.line, LINE);
  return d[0]!;
}

describe("condition diagnostics", () => {
  it("a correct condition lowers to its own kind of expectation", () => {
    const r = parseScenario(
      [
        ...HEAD,
        'expect never condition "block of data.page0 free and peer.qp ready" under linux',
        "",
      ].join("\n"),
      "c.pin",
    );
    assert.deepEqual(r.diagnostics, []);
    const e = r.spec!.expectations[0]!;
    assert.equal(e.kind, "condition");
    assert.deepEqual(e.kind === "condition" && [e.quantifier, e.condition, e.policies], [
      "never",
      "block of data.page0 free and peer.qp ready",
      ["linux"],
    ]);
  });

  it("names the column inside the string, with a did-you-mean", () => {
    const d = only('expect never condition "peer.qp redy"');
    assert.equal(d.code, "PIN121");
    assert.equal(d.col, 'expect never condition "peer.qp '.length + 1);
    assert.equal(d.endCol, d.col + 4);
    assert.match(d.hint!, /did you mean `ready`/);
    const f = only('expect sometimes condition "dta.page0 hole"');
    assert.deepEqual([f.code, f.col], ["PIN230", 'expect sometimes condition "'.length + 1]);
    assert.match(f.hint!, /`data`/);
  });

  it("counts escaped characters as written", () => {
    const [d, d2] = lint('expect never condition "\\"x\\" servr alive"');
    // One error per stray character: at the escaped quotes, each at its backslash.
    assert.equal(d!.code, "PIN120");
    assert.equal(d!.col, 'expect never condition "'.length + 1);
    assert.equal(d2!.col, 'expect never condition "\\"x'.length + 1);
    const e = only('expect never condition "server alive or servr\\\\ alive"');
    assert.equal(e.code, "PIN120");
    assert.equal(e.col, 'expect never condition "server alive or servr'.length + 1);
  });

  it("checks every name against the scenario", () => {
    assert.equal(only('expect never condition "servr alive"').code, "PIN231");
    assert.equal(only('expect never condition "server.mx pinned"').code, "PIN232");
    assert.equal(only('expect never condition "server.fd pinned"').code, "PIN121");
    assert.equal(only('expect never condition "peer.mr pinned"').code, "PIN232");
    assert.equal(only('expect never condition "block 4 free"').code, "PIN330");
    assert.equal(only('expect never condition "block of hole.page0 free"').code, "PIN331");
    assert.equal(only('expect never condition "block of data.page2 free"').code, "PIN331");
    assert.equal(only('expect never condition "data.page40 hole"').code, "PIN332");
    assert.equal(only('expect never condition "data.page0 holds junk"').code, "PIN230");
    assert.equal(only('expect never condition ""').code, "PIN122");
    assert.equal(only("expect never condition").code, "PIN122");
  });

  it("warns about an atom that can never be true", () => {
    const d = only('expect never condition "data.page0 dirty"');
    assert.deepEqual([d.code, d.severity], ["PIN333", "warning"]);
  });

  it("formats back to the same text", () => {
    const text = [
      ...HEAD,
      'expect   never condition   "peer.qp error"   under linux  # why',
      "",
    ].join("\n");
    const out = formatText(text, "c.pin").text!;
    assert.match(out, /^expect never condition "peer\.qp error" under linux {2}# why$/m);
    assert.equal(formatText(out, "c.pin").text, out);
  });
});
