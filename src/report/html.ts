/**
 * The self-contained HTML report of a comparison (`pinlab compare --html`):
 * one file that a reviewer opens from disk, mails or attaches to an issue.
 *
 * The static parts (totals, the least-bad-options matrix, every scenario's
 * policy × property grid, the policy descriptions) are rendered here, so the
 * page reads and prints without JavaScript. The drill-down behind a matrix
 * cell (every scenario's verdict and the witnesses as sequence diagrams) is
 * built in the browser by a small inline script from the comparison document
 * embedded as JSON, which keeps the file to one copy of each witness.
 *
 * Everything in the document may come from a user's scenario file, so every
 * string is escaped here, the JSON cannot close its script element, and the
 * inline script only ever creates text nodes. A strict Content-Security-
 * Policy forbids any network access and any script or style but the page's
 * own (allowed by hash, never 'unsafe-inline'), `<base>` and forms; a small
 * guard keeps link clicks on the page.
 *
 * The parts live in html/, one concept a file: page.ts assembles the
 * document; matrix.ts, scenarios.ts and sections.ts render its sections;
 * escape.ts is the only way text reaches the HTML; look.ts and words.ts are
 * the shared vocabulary; style.ts and client.ts are the inline stylesheet and
 * script. This module is the report's public face, so callers need not know.
 */
export { DATA_ELEMENT_ID } from "./html/client.js";
export { esc, jsonForScript } from "./html/escape.js";
export { look, type Tone } from "./html/look.js";
export { CONTENT_SECURITY_POLICY, renderCompareHtml } from "./html/page.js";
