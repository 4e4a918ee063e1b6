import assert from "node:assert/strict";
import test from "node:test";
import { sourceHash, specHash } from "./source-hash.js";

test("a scenario's hash changes with any one-character edit and is stable otherwise", () => {
  const text = 'scenario "s"\nuser alice # a comment\n';
  assert.equal(sourceHash(text), sourceHash(`${text}`));
  assert.match(sourceHash(text), /^[0-9a-f]{16}$/);
  const seen = new Set([sourceHash(text)]);
  for (let i = 0; i < text.length; i++) {
    const edited = text.slice(0, i) + (text[i] === "x" ? "y" : "x") + text.slice(i + 1);
    seen.add(sourceHash(edited));
  }
  assert.equal(seen.size, text.length + 1);
  assert.notEqual(specHash({ a: 1 }), specHash({ a: 2 }));
});
