import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Cond, parseCondition } from "./syntax.js";

/** The tree as a compact string: `(a & b)`, `(a | b)`, `!a`, atoms as their subject and state. */
function show(c: Cond): string {
  if (c.k === "not") return `!${show(c.x)}`;
  if (c.k !== "atom") return `(${show(c.l)} ${c.k === "and" ? "&" : "|"} ${show(c.r)})`;
  const s = c.subject;
  const subj =
    s.k === "block"
      ? `block ${s.n.text}`
      : s.k === "block-of"
        ? `block of ${s.file.text}.page${s.index}`
        : s.k === "lease"
          ? `lease of ${s.file.text}`
          : s.k === "dotted"
            ? `${s.left.text}.${s.right.text}`
            : s.name.text;
  return `${subj} ${c.state.text}${c.arg ? ` ${c.arg.text}` : ""}`;
}

const tree = (text: string) => {
  const r = parseCondition(text);
  assert.deepEqual(r.errors, [], text);
  return show(r.cond!);
};

const error = (text: string) => {
  const r = parseCondition(text);
  assert.equal(r.cond, undefined, text);
  assert.equal(r.errors.length, 1, text);
  return r.errors[0]!;
};

describe("condition syntax", () => {
  it("reads atoms of every subject", () => {
    assert.equal(tree("block 3 free"), "block 3 free");
    assert.equal(tree("block of data.page12 owned by other"), "block of data.page12 owned other");
    assert.equal(tree("lease of data breaking"), "lease of data breaking");
    assert.equal(tree("peer.qp ready"), "peer.qp ready");
    assert.equal(tree("server#2.mr pinned"), "server#2.mr pinned");
    assert.equal(tree("data.page0 holds zeroes"), "data.page0 holds zeroes");
    assert.equal(tree("unsafe-ish alive"), "unsafe-ish alive");
    // `block` and `lease` are names too, unless `of` or a number follows.
    assert.equal(tree("block.page0 hole"), "block.page0 hole");
    assert.equal(tree("lease alive"), "lease alive");
  });

  it("binds not tighter than and, and and tighter than or", () => {
    assert.equal(tree("a alive or b alive and c alive"), "(a alive | (b alive & c alive))");
    assert.equal(tree("not a alive and b alive"), "(!a alive & b alive)");
    assert.equal(tree("not (a alive or b alive)"), "!(a alive | b alive)");
    assert.equal(tree("a alive and b alive and c alive"), "((a alive & b alive) & c alive)");
  });

  it("points at the offending offset", () => {
    const e1 = error("peer.qp ready && x");
    assert.deepEqual([e1.code, e1.from, e1.to], ["PIN120", 14, 16]);
    assert.match(e1.hint!, /`and`/);
    const e2 = error("(a alive or b alive");
    assert.deepEqual([e2.code, e2.from], ["PIN120", 19]);
    const e3 = error("server");
    assert.deepEqual([e3.code, e3.from], ["PIN121", 6]);
    const e4 = error("a alive b alive");
    assert.deepEqual([e4.code, e4.from, e4.to], ["PIN120", 8, 9]);
    const e5 = error("block of data page0 free");
    assert.deepEqual([e5.code, e5.from], ["PIN120", 14]);
    const e6 = error("block of data.pg0 free");
    assert.deepEqual([e6.code, e6.from, e6.to], ["PIN120", 14, 17]);
    assert.equal(error("   ").code, "PIN122");
    assert.equal(error("a owned by and").code, "PIN120");
  });
});
