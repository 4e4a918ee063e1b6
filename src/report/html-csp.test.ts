/** The report's Content-Security-Policy: strict, and it allows exactly the page's own script and style. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { buildDoc } from "./compare.js";
import { sha256Base64 } from "./html/sha256.js";
import { CONTENT_SECURITY_POLICY, renderCompareHtml } from "./html.js";

const hash = (s: string) => createHash("sha256").update(s, "utf8").digest("base64");

test("sha256Base64 is SHA-256 (checked against node:crypto at the block edges)", () => {
  for (const s of [
    "",
    "abc",
    "a".repeat(55),
    "a".repeat(56),
    "a".repeat(64),
    "é✓\u2028".repeat(99),
  ])
    assert.equal(sha256Base64(s), hash(s), `length ${s.length}`);
});

test("the CSP has no 'unsafe-inline', limits base and forms, and hashes every inline script and style", () => {
  const csp = CONTENT_SECURITY_POLICY;
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|unsafe-hashes|\*|data:|https?:/);
  const directives = new Map(
    csp.split(";").map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values];
    }),
  );
  assert.deepEqual(directives.get("default-src"), ["'none'"]);
  assert.deepEqual(directives.get("base-uri"), ["'none'"]);
  assert.deepEqual(directives.get("form-action"), ["'none'"]);
  const html = renderCompareHtml(buildDoc([], new Map(), null));
  assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${csp}">`));
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
  assert.ok(scripts.length >= 1 && styles.length === 1);
  assert.deepEqual(
    directives.get("script-src"),
    scripts.map((s) => `'sha256-${hash(s)}'`),
  );
  assert.deepEqual(
    directives.get("style-src"),
    styles.map((s) => `'sha256-${hash(s)}'`),
  );
  assert.doesNotMatch(html, /\sstyle=|\son[a-z]+=/i, "no style or event-handler attribute");
});
