import assert from "node:assert/strict";
import { test } from "node:test";
import { wrap, wrapLines } from "./wrap.js";

test("wrap breaks at spaces, indents continuations and keeps a long word whole", () => {
  assert.deepEqual(wrap("aa bb cc dd", 8, "> ", "  "), ["> aa bb", "  cc dd"]);
  const token = "pl1.ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  assert.deepEqual(wrap(`replay: ${token}`, 12), ["replay:", token]);
  assert.deepEqual(wrap("a  b", 10), ["a  b"]); // a line's own spacing survives
});

test("wrapLines leaves short lines alone and continues a trace step under its operation", () => {
  const step = "  5  admin   truncate data pages=0  … blocks: waiting for pinned pages";
  const out = wrapLines(`short\n${step}`, 40).split("\n");
  assert.equal(out[0], "short");
  assert.ok(out.slice(1).every((l) => l.length <= 40));
  assert.match(out[2]!, /^ {15}\S/);
});
