/** The report's Content-Security-Policy: strict, and it allows exactly the page's own script and style. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { runCell } from "../engine/matrix/cell.js";
import { LIBRARY } from "../scenario/library.js";
import { specHash } from "../scenario/source-hash.js";
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

test("numbers of a document are escaped at render time too (a crafted document cannot inject markup)", async () => {
  const spec = LIBRARY.core!();
  const origin = { kind: "bundled" as const, name: "core", hash: specHash(spec) };
  const cell = await runCell({ ref: "core", spec, origin, policy: "unsafe", params: {} });
  const doc = buildDoc([cell], new Map([["core", spec]]), null);
  const evil = "<img src=x onerror=alert(1)>";
  const d = JSON.parse(JSON.stringify(doc));
  for (const c of d.cells) {
    c.stats.states = evil;
    for (const v of c.verdicts) if (v.witnessLength !== null) v.witnessLength = evil;
  }
  d.totals.states = evil;
  d.totals.cells = evil;
  d.shard = { index: evil, count: evil };
  const html = renderCompareHtml(d);
  assert.ok(
    html.includes("&lt;img src=x onerror=alert(1)&gt;"),
    "the crafted values are shown as text",
  );
  assert.doesNotMatch(html, /<img/i);
});
