import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { crc32, decodeToken, encodeToken, MAX_TEXT_BYTES, type ReplayToken } from "./token.js";

const hash = fc.stringMatching(/^[0-9a-f]{16}$/);
const token: fc.Arbitrary<ReplayToken> = fc.record({
  scenario: fc.oneof(
    fc.record({ kind: fc.constant("bundled" as const), name: fc.string(), hash }),
    fc.record({ kind: fc.constant("text" as const), text: fc.string({ unit: "grapheme" }), hash }),
  ),
  policy: fc.string(),
  params: fc.dictionary(fc.string(), fc.string()),
  claim: fc.record({ what: fc.string(), loop: fc.option(fc.nat(5), { nil: null }) }),
  actions: fc.array(fc.integer({ min: -1000, max: 1 << 20 }), { minLength: 6, maxLength: 200 }),
});

const bundled = (actions: number[] = [1, 2, 3]): ReplayToken => ({
  scenario: { kind: "bundled", name: "core", hash: "0123456789abcdef" },
  policy: "wait",
  params: {},
  claim: { what: "truncate-hang", loop: null },
  actions,
});

describe("replay tokens", () => {
  it("round-trip, with the scenario's name or text, its hash and the claim", () => {
    fc.assert(
      fc.property(token, (t) => {
        const s = encodeToken(t);
        assert.match(s, /^pl2\.[A-Za-z0-9_-]+$/);
        const plain = (x: unknown) => JSON.parse(JSON.stringify(x));
        assert.deepEqual(plain(decodeToken(s)), plain(t));
      }),
    );
  });

  it("keep a parameter named __proto__ as a plain parameter", () => {
    const params = Object.fromEntries([["__proto__", "x"]]);
    const d = decodeToken(encodeToken({ ...bundled(), params }));
    assert.ok(!("error" in d));
    assert.deepEqual(Object.entries(d.params), [["__proto__", "x"]]);
  });

  it("are short for a bundled scenario, and one line that carries a whole .pin file", () => {
    const s = encodeToken({
      ...bundled([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9]),
      params: { escalation: "kill" },
    });
    assert.ok(s.length < 100, s);
    const text = `scenario "x"\n${"# a quoted mail line, compressed in the token\n".repeat(40)}`;
    const c = encodeToken({ ...bundled(), scenario: { kind: "text", text, hash: "0".repeat(16) } });
    assert.match(c, /^pl2\.[A-Za-z0-9_-]+$/);
    assert.ok(c.length < text.length / 4, `${c.length} characters for ${text.length}`);
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
    const s = encodeToken(bundled());
    for (let n = 0; n < s.length; n++) assert.ok("error" in decodeToken(s.slice(0, n)));
    assert.match((decodeToken("pl9.AAAA") as { error: string }).error, /version 9/);
    assert.match((decodeToken("hello") as { error: string }).error, /not a pinlab replay token/);
    assert.match((decodeToken("pl2.!!!!") as { error: string }).error, /characters/);
    assert.deepEqual(decodeToken(` ${s}\n`), decodeToken(s));
  });

  it("refuse a version-1 token, which named its scenario by path, with a reason", () => {
    const e = decodeToken("pl1.C2h1bmctaG9sZGVyBHdhaXQACAAAAAACgIBIgIBIgIAYA-rulg");
    assert.ok("error" in e);
    assert.match(e.error, /version-1 token.*cannot tell whether the scenario changed/s);
  });

  it("refuse a carried text that inflates past its declared size, or past the limit", () => {
    const text = (t: string): ReplayToken => ({
      ...bundled(),
      scenario: { kind: "text", text: t, hash: "0".repeat(16) },
    });
    const good = encodeToken(text("a".repeat(1000)));
    assert.ok(!("error" in decodeToken(good)));
    // the same payload, declaring 999 bytes (varint e8 07 -> e7 07), with a valid checksum
    const bytes = Buffer.from(good.slice(4), "base64url");
    assert.deepEqual([...bytes.subarray(0, 3)], [1, 0xe8, 0x07]);
    const payload = Uint8Array.from(bytes.subarray(0, bytes.length - 4));
    payload[1] = 0xe7;
    const c = crc32(payload);
    const forged = Buffer.concat([payload, Uint8Array.of(c >>> 24, c >>> 16, c >>> 8, c)]);
    const d = decodeToken(`pl2.${forged.toString("base64url")}`);
    assert.ok("error" in d);
    assert.match(d.error, /wrong length/);
    assert.throws(() => encodeToken(text("a".repeat(MAX_TEXT_BYTES + 1))), /over/);
  });
});

describe("replay tokens of plugin policies", () => {
  const plugin = { file: "owner-revoke.js", hash: "432710e8ab634d57" };
  it("carry the plugin's file name and content hash, with or without bounds", () => {
    for (const extra of [{}, { bounds: { replicas: 3, repeats: null } }]) {
      const t: ReplayToken = { ...bundled(), policy: "owner-revoke", plugin, ...extra };
      assert.deepEqual(decodeToken(encodeToken(t)), t);
    }
  });
  it("a built-in policy's token has no plugin field and is unchanged by it", () => {
    const t = bundled();
    assert.equal(encodeToken({ ...t, plugin: null }), encodeToken(t));
    assert.ok(!("plugin" in (decodeToken(encodeToken(t)) as object)));
  });
});
