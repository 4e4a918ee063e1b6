/**
 * The document as a whole: its head (with the Content-Security-Policy and the
 * stylesheet), the sections in reading order, and the two script elements,
 * the comparison document as JSON and the inline script that reads it.
 */
import type { CompareDoc } from "../compare.js";
import { CLIENT, DATA_ELEMENT_ID } from "./client.js";
import { jsonForScript } from "./escape.js";
import { renderMatrix } from "./matrix.js";
import { renderScenarios } from "./scenarios.js";
import {
  renderDrillPanel,
  renderFooter,
  renderHeader,
  renderPolicies,
  renderProperties,
} from "./sections.js";
import { STYLE } from "./style.js";

/** No network, no plugins, no frames: only the page's own inline style and script. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/** The whole report, one self-contained HTML document ending in a newline. */
export function renderCompareHtml(doc: CompareDoc): string {
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
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    `<title>pinlab compare: ${doc.scenarios.length} scenarios × ${doc.policies.length} policies${shard}</title>`,
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
  if (/<\/script|<!--/i.test(CLIENT)) throw new Error("inline script would end its element");
  return `<script>${CLIENT}</script>`;
}
