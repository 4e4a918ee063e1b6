/**
 * The document as a whole: its head (with the Content-Security-Policy and the
 * stylesheet), the sections in reading order, and the script elements: the
 * comparison document as JSON, and the inline script (the guard that keeps
 * links on the page, then the client that reads the document).
 */
import type { CompareDoc } from "../compare.js";
import { type ConformTarget, conformSection } from "../conform.js";
import { CLIENT, DATA_ELEMENT_ID } from "./client.js";
import { esc, jsonForScript } from "./escape.js";
import { renderMatrix } from "./matrix.js";
import { renderScenarios } from "./scenarios.js";
import {
  renderDrillPanel,
  renderFooter,
  renderHeader,
  renderPolicies,
  renderProperties,
} from "./sections.js";
import { sha256Base64 } from "./sha256.js";
import { STYLE } from "./style.js";

/**
 * Clicks on a link that leaves the page do nothing: the report's own links
 * are `#fragment`s, and a link from anywhere else (there should be none:
 * every string is escaped) must not take the reader, or the page's data,
 * elsewhere. CSP has no directive that stops navigation (`navigate-to` was
 * never shipped), so this guard does it for links.
 */
export const NAVIGATION_GUARD = `
(function () {
  "use strict";
  function stay(ev) {
    var a = ev.target instanceof Element ? ev.target.closest("a[href], area[href]") : null;
    if (a && (a.getAttribute("href") || "").charAt(0) !== "#") ev.preventDefault();
  }
  document.addEventListener("click", stay, true);
  document.addEventListener("auxclick", stay, true);
})();
`;

/**
 * The Content-Security-Policy: nothing from anywhere (`default-src 'none'`:
 * no network, no plugins, no frames, no images, no fonts), except the
 * page's own stylesheet and scripts, allowed by their SHA-256 hashes so that
 * no other inline script, event-handler attribute or style attribute runs;
 * no `<base>` and no form submission. `frame-ancestors` and `sandbox` are
 * ignored in a `<meta>` element, so they are not given. The client script
 * may set styles through the CSSOM (`el.style.x = …`), never a `style`
 * attribute.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src 'sha256-${sha256Base64(NAVIGATION_GUARD + CLIENT)}'`,
  `style-src 'sha256-${sha256Base64(STYLE)}'`,
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

/**
 * The whole report, one self-contained HTML document ending in a newline;
 * `conform`: the results of `pinlab conform` (its JSON), shown as a section.
 */
export function renderCompareHtml(
  doc: CompareDoc,
  extra: { readonly conform?: readonly ConformTarget[] } = {},
): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    renderHead(doc),
    "<body>",
    renderHeader(doc),
    "<main>",
    renderMatrix(doc),
    renderDrillPanel(),
    renderProperties(doc),
    renderScenarios(doc),
    renderPolicies(doc),
    ...(extra.conform ? [conformSection(extra.conform)] : []),
    "</main>",
    renderFooter(doc),
    renderDataBlob(doc),
    renderScript(),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** Charset, policy, viewport, title and the whole stylesheet. */
function renderHead(doc: CompareDoc): string {
  const shard = doc.shard ? ` (shard ${doc.shard.index}/${doc.shard.count})` : "";
  return [
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    `<title>pinlab compare: ${doc.scenarios.length} scenarios × ${doc.policies.length} policies${esc(shard)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
  ].join("\n");
}

/** The whole document, for the drill-down and for tools that scrape the report. */
function renderDataBlob(doc: CompareDoc): string {
  return `<script type="application/json" id="${DATA_ELEMENT_ID}">${jsonForScript(doc)}</script>`;
}

/** The inline script that builds the drill-down from the data above it. */
function renderScript(): string {
  // The script is a constant of pinlab (client.ts): this is an assertion about pinlab, not about input.
  for (const code of [NAVIGATION_GUARD, CLIENT])
    if (/<\/script|<!--/i.test(code)) throw new Error("inline script would end its element");
  return `<script>${NAVIGATION_GUARD}${CLIENT}</script>`;
}
