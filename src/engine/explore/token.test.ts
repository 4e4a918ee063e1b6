import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeToken, encodeToken, type ReplayToken } from "./token.js";

const token: fc.Arbitrary<ReplayToken> = fc.record({
  scenario: fc.string(),
  policy: fc.string(),
  params: fc.dictionary(fc.string(), fc.string()),
  actions: fc.array(fc.integer({ min: -1000, max: 1 << 20 }), { maxLength: 200 }),
});

describe("replay tokens", () => {
  it("round-trip", () => {
    fc.assert(
      fc.property(token, (t) => {
        const s = encodeToken(t);
        assert.match(s, /^pl1\.[A-Za-z0-9_-]+$/);
        assert.deepEqual(decodeToken(s), { ...t, params: { ...t.params } });
      }),
    );
  });

  it("keep a parameter named __proto__ as a plain parameter", () => {
    const params = Object.fromEntries([["__proto__", "x"]]);
    const d = decodeToken(encodeToken({ scenario: "s", policy: "p", params, actions: [] }));
    assert.ok(!("error" in d));
    assert.deepEqual(Object.entries(d.params), [["__proto__", "x"]]);
  });

  it("are short for typical witnesses", () => {
    const s = encodeToken({
      scenario: "fs-dax-truncate",
      policy: "revoke",
      params: { escalate: "kill" },
      actions: [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9],
    });
    assert.ok(s.length < 90, s);
  });

  it("detect every single-character typo", () => {
    fc.assert(
      fc.property(token, fc.nat(), fc.nat(63), (t, at, sub) => {
        const s = encodeToken(t);
        const i = 4 + (at % (s.length - 4));
        const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        const c = alphabet[sub]!;
        fc.pre(c !== s[i]);
        const typo = s.slice(0, i) + c + s.slice(i + 1);
        assert.ok("error" in decodeToken(typo), typo);
      }),
    );
  });

  it("detect truncation and say what is wrong", () => {
    const s = encodeToken({ scenario: "a", policy: "b", params: {}, actions: [1, 2, 3] });
    for (let n = 0; n < s.length; n++) assert.ok("error" in decodeToken(s.slice(0, n)));
    assert.match((decodeToken("pl9.AAAA") as { error: string }).error, /version 9/);
    assert.match((decodeToken("hello") as { error: string }).error, /not a pinlab replay token/);
    assert.match((decodeToken("pl1.!!!!") as { error: string }).error, /characters/);
    assert.deepEqual(decodeToken(` ${s}\n`), decodeToken(s));
  });
});
