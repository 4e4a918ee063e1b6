/**
 * The self-contained HTML report of a comparison (placeholder until the
 * interactive report lands): the Markdown table inside a page.
 */
import type { CompareDoc } from "./compare.js";
import { renderCompareMarkdown } from "./compare.js";

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

export function renderCompareHtml(doc: CompareDoc): string {
  return `<!doctype html><meta charset="utf-8"><title>pinlab compare</title><pre>${esc(renderCompareMarkdown(doc))}</pre>\n`;
}
