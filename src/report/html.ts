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
 * inline script only ever creates text nodes. A Content-Security-Policy
 * forbids any network access: no fonts, images, scripts or styles from
 * anywhere but the page itself.
 */
import { type Aggregate, aggregate } from "../engine/compare.js";
import type { CompareDoc, DocCell, DocScenario } from "./compare.js";

/** The id of the `<script type="application/json">` that carries the document. */
export const DATA_ELEMENT_ID = "pinlab-data";

/** No network, no plugins, no frames: only the page's own inline style and script. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

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

// ---------------------------------------------------------------------------
// Escaping: the only way text from a document reaches the HTML.

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for element content and for quoted attribute values alike. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/**
 * Escapes a name and lets it wrap after its hyphens, so that long property
 * names fit twelve columns in a 1280-pixel window without a tiny font.
 */
function wrapName(name: string): string {
  return esc(name).replace(/-/g, "-<wbr>");
}

/**
 * JSON that is safe as the raw text of a `<script>` element: `<`, `>` and `&`
 * become `\u003c`-style escapes (so a scenario titled `</script>` cannot end
 * the element, nor `<!--` start a comment), and the two JavaScript line
 * separators are escaped too. `JSON.parse` restores every character.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

// ---------------------------------------------------------------------------
// One vocabulary for verdicts (mirrored by `look` in the inline script), so
// the matrix, the scenario grids and the drill-down say the same thing.

/**
 * How a verdict is shown. A safety or liveness property that is "Sometimes"
 * is a violation (bad news); a possibility that is "Sometimes" (e.g. RDMA on
 * fs-DAX works at all) is good news. Each tone has a symbol and words, so
 * colour is never the only signal.
 */
export type Tone = "bad" | "good" | "unknown" | "possible" | "impossible";

interface Look {
  readonly tone: Tone;
  readonly symbol: string;
  readonly word: string;
  readonly note: string;
}

export function look(kind: string, verdict: string, proved: boolean): Look {
  const possibility = kind === "possibility";
  if (verdict === "Sometimes")
    return possibility
      ? { tone: "possible", symbol: "◆", word: "Sometimes", note: "possible" }
      : { tone: "bad", symbol: "✗", word: "Sometimes", note: "violated" };
  if (!proved) return { tone: "unknown", symbol: "?", word: "Never", note: "not proved" };
  return possibility
    ? { tone: "impossible", symbol: "–", word: "Never", note: "impossible" }
    : { tone: "good", symbol: "✓", word: "Never", note: "proved" };
}

/** "1 step", "8 steps", "9 policies". */
const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

const fmt = (n: number) => n.toLocaleString("en");

// ---------------------------------------------------------------------------
// Page sections.

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

/** Title, scope and the totals a reader checks first (did every expectation hold?). */
function renderHeader(doc: CompareDoc): string {
  const t = doc.totals;
  const shard = doc.shard ? `; shard ${doc.shard.index} of ${doc.shard.count}` : "";
  const stat = (label: string, value: number, tone = "") =>
    `<div class="stat${tone ? ` ${tone}` : ""}"><dt>${label}</dt><dd>${fmt(value)}</dd></div>`;
  return [
    '<header class="page">',
    "<h1>pinlab compare <small>which long-term pin policy is least bad?</small></h1>",
    `<p class="lede">${plural(doc.scenarios.length, "scenario")} × ${plural(doc.policies.length, "policy", "policies")}, every interleaving of each (${esc(doc.schema)}${esc(shard)}).</p>`,
    '<dl class="totals">',
    stat("checks", t.cells),
    stat("states explored", t.states),
    stat("expectations met", t.expectationsMet, "good"),
    stat("expectations failed", t.expectationsFailed, t.expectationsFailed > 0 ? "bad" : ""),
    stat("undecided", t.expectationsUndecided, t.expectationsUndecided > 0 ? "unknown" : ""),
    stat("incomplete checks", t.incomplete, t.incomplete > 0 ? "unknown" : ""),
    "</dl>",
    '<nav class="toc" aria-label="Sections"><a href="#matrix">Matrix</a> <a href="#properties">Properties</a> <a href="#scenarios">Scenarios</a> <a href="#policies">Policies</a></nav>',
    "</header>",
  ].join("\n");
}

/** The least-bad-options table: rows policies, columns properties, each cell a button to its drill-down. */
function renderMatrix(doc: CompareDoc): string {
  const head = doc.properties
    .map(
      (p) =>
        `<th scope="col" title="${esc(p.summary)}"><span class="pname">${wrapName(p.name)}</span><span class="kind">${esc(p.kind)}</span></th>`,
    )
    .join("");
  const rows = doc.policies.map((pol, r) => {
    const cells = doc.properties.map((p, c) => {
      const agg = aggregate(doc.cells, pol.name, p.name);
      return `<td>${matrixButton(doc, pol.name, p, agg, r, c)}</td>`;
    });
    return `<tr><th scope="row" title="${esc(pol.summary)}"><span class="pol">${esc(pol.name)}</span><span class="sub">${esc(pol.summary)}</span></th>${cells.join("")}</tr>`;
  });
  return [
    '<section id="matrix" aria-labelledby="matrix-h">',
    '<h2 id="matrix-h">Least bad options</h2>',
    '<p class="hint no-print">Each cell sums up one policy and one property over every scenario. Choose a cell (click, or Enter; arrow keys move) for the scenarios behind it and the shortest witness as a sequence diagram.</p>',
    '<div class="scroll"><table class="matrix">',
    `<caption>Rows: policies. Columns: properties. ${plural(doc.scenarios.length, "scenario")}.</caption>`,
    `<thead><tr><th scope="col" class="corner">policy</th>${head}</tr></thead>`,
    `<tbody>${rows.join("\n")}</tbody>`,
    "</table></div>",
    renderLegend(),
    "</section>",
  ].join("\n");
}

/** One matrix cell: verdict in words and symbol, how many scenarios, the shortest witness. */
function matrixButton(
  doc: CompareDoc,
  policy: string,
  prop: CompareDoc["properties"][number],
  agg: Aggregate,
  row: number,
  col: number,
): string {
  const l = look(prop.kind, agg.verdict, agg.proved);
  const lines = [`<span class="v">${l.symbol} ${esc(l.word)}</span>`];
  let title: string;
  if (agg.shortest) {
    lines.push(`<span class="d">${plural(agg.scenarios.length, "scenario")}</span>`);
    lines.push(`<span class="d">${plural(agg.shortest.length, "step")}</span>`);
    title = `${l.word}: ${l.note} in ${agg.scenarios.length} of ${doc.scenarios.length} scenarios; shortest ${prop.kind === "possibility" ? "example" : "witness"} ${plural(agg.shortest.length, "step")} in ${agg.shortest.scenario}`;
  } else {
    lines.push(`<span class="d">${esc(l.note)}</span>`);
    title = `${l.word}: ${l.note} over every scenario`;
  }
  return `<button type="button" class="cell ${l.tone}" data-policy="${esc(policy)}" data-property="${esc(prop.name)}" data-row="${row}" data-col="${col}" title="${esc(`${policy} / ${prop.name}: ${title}`)}">${lines.join("")}</button>`;
}

/** What the symbols of the matrix mean. */
function renderLegend(): string {
  const key = (l: Look, text: string) =>
    `<li><span class="chip ${l.tone}">${l.symbol} ${esc(l.word)}</span> ${text}</li>`;
  return [
    '<ul class="legend" aria-label="Legend">',
    key(
      look("safety", "Sometimes", true),
      "violated in some scenario (how many, and the shortest witness)",
    ),
    key(look("safety", "Never", true), "proved over every reachable state of every scenario"),
    key(look("safety", "Never", false), "not seen, but a bound was hit: not proved"),
    key(look("possibility", "Sometimes", true), "a possibility that happens: good news"),
    key(look("possibility", "Never", true), "a possibility that can never happen"),
    "</ul>",
  ].join("\n");
}

/** What each property says (the column tooltips, readable and printable). */
function renderProperties(doc: CompareDoc): string {
  const items = doc.properties
    .map(
      (p) =>
        `<div><dt><code>${esc(p.name)}</code> <span class="kind">${esc(p.kind)}</span></dt><dd>${esc(p.summary)}</dd></div>`,
    )
    .join("\n");
  return [
    '<section id="properties" aria-labelledby="properties-h">',
    '<h2 id="properties-h">Properties</h2>',
    `<dl class="defs">${items}</dl>`,
    "</section>",
  ].join("\n");
}

/** The empty panel that the inline script fills when a cell is chosen. */
function renderDrillPanel(): string {
  return [
    '<section id="drill" class="drill" hidden aria-labelledby="drill-h"></section>',
    '<noscript><p class="hint">The drill-down with sequence diagrams needs JavaScript; <code>pinlab check &lt;scenario&gt; --policy &lt;policy&gt;</code> prints the same witnesses.</p></noscript>',
  ].join("\n");
}

/** Every scenario: where it came from, and its own policy × property grid. */
function renderScenarios(doc: CompareDoc): string {
  const byKey = new Map(doc.cells.map((c) => [`${c.scenario}\u0000${c.policy}`, c]));
  const index = doc.scenarios
    .map(
      (s, k) =>
        `<li><a href="#sc-${k}">${esc(s.ref)}</a> <span class="muted">${esc(s.title)}</span></li>`,
    )
    .join("\n");
  return [
    '<section id="scenarios" aria-labelledby="scenarios-h">',
    '<h2 id="scenarios-h">Scenarios</h2>',
    `<ol class="index">${index}</ol>`,
    ...doc.scenarios.map((s, k) => renderScenario(doc, s, k, byKey)),
    "</section>",
  ].join("\n");
}

/** One scenario: title, file, lanes, the verdict grid, and any expectation that failed spelled out. */
function renderScenario(
  doc: CompareDoc,
  sc: DocScenario,
  k: number,
  byKey: ReadonlyMap<string, DocCell>,
): string {
  const lanes = sc.lanes.map((l) => `<span class="lane-name">${esc(laneName(l))}</span>`).join(" ");
  const head = doc.properties
    .map((p) => `<th scope="col" title="${esc(p.summary)}">${wrapName(p.name)}</th>`)
    .join("");
  const failures: string[] = [];
  const rows = doc.policies.map((pol) => {
    const cell = byKey.get(`${sc.ref}\u0000${pol.name}`);
    if (!cell)
      return `<tr><th scope="row">${esc(pol.name)}</th><td colspan="${doc.properties.length + 1}" class="muted">not checked in this shard</td></tr>`;
    const cells = doc.properties.map((p) => `<td>${gridButton(sc, cell, p)}</td>`);
    for (const e of cell.expectations.filter((x) => !x.ok))
      failures.push(
        `<li><span class="chip bad">✗ failed</span> under <b>${esc(pol.name)}</b>: <code>${esc(e.text)}</code> <span class="muted">${esc(e.detail)}</span></li>`,
      );
    return `<tr><th scope="row" title="${esc(pol.summary)}">${esc(pol.name)}</th>${cells.join("")}<td class="exp">${expectationSummary(cell)}</td></tr>`;
  });
  return [
    `<section class="scenario" id="sc-${k}" aria-labelledby="sc-${k}-h">`,
    `<h3 id="sc-${k}-h"><code class="ref">${esc(sc.ref)}</code> ${esc(sc.title)}</h3>`,
    `<p class="meta">file: <code>${esc(sc.file ?? "(built in)")}</code> · lanes: ${lanes}</p>`,
    '<div class="scroll"><table class="grid">',
    `<caption class="sr-only">${esc(sc.ref)}: verdict of every property under every policy</caption>`,
    `<thead><tr><th scope="col" class="corner">policy</th>${head}<th scope="col">expectations</th></tr></thead>`,
    `<tbody>${rows.join("\n")}</tbody>`,
    "</table></div>",
    failures.length ? `<ul class="failures">${failures.join("\n")}</ul>` : "",
    "</section>",
  ].join("\n");
}

/** One verdict of one scenario under one policy: a symbol and the witness length. */
function gridButton(sc: DocScenario, cell: DocCell, p: CompareDoc["properties"][number]): string {
  const v = cell.verdicts.find((x) => x.name === p.name);
  if (!v) return '<span class="muted" title="not checked">·</span>';
  const l = look(p.kind, v.verdict, v.proved);
  const len = v.witnessLength !== null ? ` ${v.witnessLength}` : "";
  const title = `${cell.policy} / ${p.name}: ${l.word} (${l.note})${v.witnessLength !== null ? `, ${plural(v.witnessLength, "step")}` : ""}`;
  return `<button type="button" class="mini ${l.tone}" data-policy="${esc(cell.policy)}" data-property="${esc(p.name)}" data-scenario="${esc(sc.ref)}" title="${esc(title)}" aria-label="${esc(title)}">${l.symbol}${len}</button>`;
}

/** Expectations of a cell in a few words, and whether its check was complete. */
function expectationSummary(cell: DocCell): string {
  const e = cell.expectations;
  const failed = e.filter((x) => !x.ok).length;
  const undecided = e.filter((x) => x.undecided).length;
  const parts: string[] = [];
  if (failed) parts.push(`<span class="chip bad">✗ ${failed} failed</span>`);
  if (undecided) parts.push(`<span class="chip unknown">? ${undecided} undecided</span>`);
  const met = e.filter((x) => x.ok && !x.undecided).length;
  if (met) parts.push(`<span class="chip good">✓ ${met} met</span>`);
  if (!e.length) parts.push('<span class="muted">none</span>');
  if (cell.status !== "complete")
    parts.push(
      `<span class="chip unknown" title="${esc(`incomplete: ${cell.reason ?? "a bound was hit"}`)}">? incomplete</span>`,
    );
  return parts.join(" ");
}

/** The policies compared, with where each proposal came from. */
function renderPolicies(doc: CompareDoc): string {
  const items = doc.policies
    .map(
      (p) =>
        `<div><dt><code>${esc(p.name)}</code></dt><dd>${esc(p.summary)}<br><span class="muted">from: ${esc(p.source)}</span></dd></div>`,
    )
    .join("\n");
  return [
    '<section id="policies" aria-labelledby="policies-h">',
    '<h2 id="policies-h">Policies</h2>',
    `<dl class="defs">${items}</dl>`,
    "</section>",
  ].join("\n");
}

function renderFooter(doc: CompareDoc): string {
  return `<footer class="page"><p>Generated by <code>pinlab compare --html</code> (${esc(doc.schema)}). Every witness replays with <code>pinlab replay &lt;token&gt;</code>.</p></footer>`;
}

/** The whole document, for the drill-down and for tools that scrape the report. */
function renderDataBlob(doc: CompareDoc): string {
  return `<script type="application/json" id="${DATA_ELEMENT_ID}">${jsonForScript(doc)}</script>`;
}

function renderScript(): string {
  // The script is a constant of this file: this is an assertion about pinlab, not about input.
  if (/<\/script|<!--/i.test(CLIENT)) throw new Error("inline script would end its element");
  return `<script>${CLIENT}</script>`;
}

/** A lane's name for people: `proc:server` → `server`, `nic` → `NIC`. */
function laneName(lane: string): string {
  if (lane.startsWith("proc:")) return lane.slice(5);
  if (lane.startsWith("peer:")) return `${lane.slice(5)} (peer)`;
  return lane === "nic" ? "NIC" : lane;
}

// ---------------------------------------------------------------------------
// The stylesheet: system fonts only, light and dark, print-friendly.

const STYLE = `
:root{--bg:#fff;--bg2:#f6f7f9;--fg:#1d2127;--muted:#5f6670;--line:#c9ced6;--accent:#2456a6;
--bad:#a4161a;--bad-bg:#fde8e7;--good:#1c6b38;--good-bg:#e5f3e9;--unknown:#7a5200;--unknown-bg:#fff3d1;
--possible:#1d4f99;--possible-bg:#e2ecfb;--impossible:#4b5058;--impossible-bg:#eceef1;
--proc:#2456a6;--kernel:#6b3fa0;--nic:#a85a00;--peer:#0f766e;--note-bg:#fffbea;--note-line:#c9a93b;
--mono:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace}
@media (prefers-color-scheme:dark){:root{--bg:#15181d;--bg2:#1e232a;--fg:#e6e8eb;--muted:#a0a7b1;--line:#3a414b;--accent:#8fb4f0;
--bad:#ff9b94;--bad-bg:#4a1c1c;--good:#8fd6a4;--good-bg:#173823;--unknown:#f2cd75;--unknown-bg:#3d3012;
--possible:#a9c7ff;--possible-bg:#1c2d4d;--impossible:#b9bec6;--impossible-bg:#2a2f37;
--proc:#8fb4f0;--kernel:#c9a6f2;--nic:#f2b36b;--peer:#6fd3c7;--note-bg:#2d2916;--note-line:#8a7630}}
*{box-sizing:border-box}
html{background:var(--bg);color:var(--fg)}
body{margin:0 auto;max-width:1400px;padding:1rem 1.25rem 3rem;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
h1{font-size:1.55rem;margin:.2rem 0 .3rem}
h1 small{font-weight:400;color:var(--muted);font-size:1rem;margin-left:.4rem}
h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
h3{font-size:1.05rem;margin:1.6rem 0 .3rem}
code{font-family:var(--mono);font-size:.92em}
a{color:var(--accent)}
.muted{color:var(--muted)}
.lede{margin:.1rem 0 .6rem;color:var(--muted)}
.hint{color:var(--muted);margin:.2rem 0 .6rem}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.totals{display:flex;flex-wrap:wrap;gap:.5rem;margin:.4rem 0}
.stat{border:1px solid var(--line);border-radius:6px;padding:.3rem .7rem;min-width:8.5rem;background:var(--bg2)}
.stat dt{font-size:.78rem;color:var(--muted)}
.stat dd{margin:0;font-size:1.2rem;font-weight:600;font-variant-numeric:tabular-nums}
.stat.bad{border-color:var(--bad);background:var(--bad-bg)}.stat.bad dd{color:var(--bad)}
.stat.unknown{border-color:var(--unknown);background:var(--unknown-bg)}
.stat.good dd{color:var(--good)}
.toc a{margin-right:1rem}
.scroll{overflow-x:auto}
table{border-collapse:collapse}
caption{text-align:left;color:var(--muted);font-size:.85rem;padding:.2rem 0}
.matrix{width:100%;table-layout:fixed}
.matrix th,.matrix td{border:1px solid var(--line);padding:1px;vertical-align:middle}
.matrix thead th{font-size:.76rem;font-weight:600;padding:.3rem 0;text-align:center;background:var(--bg2)}
.matrix th.corner{width:10.5rem;text-align:left;padding-left:.5rem}
.pname{display:block;font-family:var(--mono);font-size:.68rem;line-height:1.25;overflow-wrap:anywhere}
.kind{display:block;font-weight:400;color:var(--muted);font-size:.72rem}
.matrix tbody th{text-align:left;padding:.25rem .5rem;background:var(--bg2);font-weight:400}
.pol{display:block;font-family:var(--mono);font-weight:700}
.sub{display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden;font-size:.72rem;color:var(--muted);line-height:1.25}
button.cell{display:flex;flex-direction:column;align-items:center;justify-content:center;width:100%;min-height:3.6rem;border:1px solid transparent;border-radius:4px;padding:.2rem 0;font:inherit;font-size:.76rem;font-stretch:condensed;overflow:hidden;line-height:1.25;cursor:pointer}
button.cell .v{font-weight:700;font-size:.78rem;white-space:nowrap}
button.cell .d{color:inherit;opacity:.85;white-space:nowrap}
.bad{background:var(--bad-bg);color:var(--bad)}
.good{background:var(--good-bg);color:var(--good)}
.unknown{background:var(--unknown-bg);color:var(--unknown)}
.possible{background:var(--possible-bg);color:var(--possible)}
.impossible{background:var(--impossible-bg);color:var(--impossible)}
button.cell.bad{border-color:var(--bad);box-shadow:inset 0 0 0 1px var(--bad)}
button.cell.possible{border-style:dashed;border-color:var(--possible)}
button.cell:hover,button.mini:hover{filter:brightness(.95);text-decoration:underline}
button.cell:focus-visible,button.mini:focus-visible,summary:focus-visible,.close:focus-visible{outline:3px solid var(--accent);outline-offset:1px}
button.cell[aria-current=true],button.mini[aria-current=true]{outline:3px solid var(--fg);outline-offset:-3px}
.chip{display:inline-block;border-radius:3px;padding:0 .35rem;font-size:.8rem;font-weight:600;white-space:nowrap}
.legend{list-style:none;padding:0;margin:.6rem 0;display:flex;flex-wrap:wrap;gap:.3rem 1.6rem;font-size:.85rem}
.legend .chip{min-width:8rem}
.defs{margin:.3rem 0;font-size:.88rem}
.defs>div{display:grid;grid-template-columns:14rem 1fr;gap:1rem;padding:.2rem 0;border-bottom:1px solid var(--line)}
.defs dt{font-weight:600}
.defs dt .kind{display:inline;margin-left:.3rem}
.defs dd{margin:0;overflow-wrap:anywhere}
.drill{margin:1.2rem 0;padding:.8rem 1rem 1rem;border:2px solid var(--accent);border-radius:8px;background:var(--bg)}
.drill-head{display:flex;align-items:flex-start;gap:1rem}
.drill-head h2{flex:1;margin:0;border:0;font-size:1.2rem}
.drill-head h2:focus{outline:none}
.close{font:inherit;border:1px solid var(--line);background:var(--bg2);color:var(--fg);border-radius:4px;padding:.15rem .6rem;cursor:pointer}
.drill .about{margin:.3rem 0;font-size:.88rem}
.drill .verdict{font-size:1rem;margin:.5rem 0}
details.witness{border:1px solid var(--line);border-radius:6px;margin:.5rem 0;background:var(--bg)}
details.witness>summary{cursor:pointer;padding:.4rem .6rem;background:var(--bg2);border-radius:6px}
details.witness .msg{display:block;margin:.1rem 0 0 1.2rem;font-size:.82rem;color:var(--muted)}
details.witness[open]>summary{border-bottom:1px solid var(--line);border-radius:6px 6px 0 0}
details.witness>.body{padding:.6rem}
.nowit{font-size:.85rem;border-collapse:collapse;margin:.4rem 0}
.nowit tr.picked td{background:var(--unknown-bg);font-weight:600}
.nowit td,.nowit th{border-bottom:1px solid var(--line);padding:.15rem .6rem .15rem 0;text-align:left}
.seq{display:grid;border:1px solid var(--line);border-radius:4px;font:12px/1.35 var(--mono);overflow-x:auto;background:var(--bg)}
.seq>.row{display:contents}
.seq .hd{padding:.35rem .3rem;text-align:center;background:var(--bg2);border-bottom:2px solid var(--line);font-family:system-ui,sans-serif;font-size:.82rem}
.seq .hd b{display:block;font-family:var(--mono);overflow-wrap:anywhere}
.seq .hd small{color:var(--muted)}
.seq .hd.proc b{color:var(--proc)}.seq .hd.kernel b{color:var(--kernel)}.seq .hd.nic b{color:var(--nic)}.seq .hd.peer b{color:var(--peer)}
.seq .c{padding:.3rem .35rem;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:.2rem;min-width:0;
background-image:linear-gradient(to right,transparent calc(50% - 1px),var(--line) calc(50% - 1px),var(--line) calc(50% + 1px),transparent calc(50% + 1px))}
.seq .c.link{background-image:linear-gradient(to right,transparent calc(50% - 1px),var(--line) calc(50% - 1px),var(--line) calc(50% + 1px),transparent calc(50% + 1px)),repeating-linear-gradient(to right,var(--kernel) 0 5px,transparent 5px 9px);background-size:100% 100%,100% 2px;background-position:0 0,0 50%;background-repeat:no-repeat}
.seq .n{padding:.3rem .4rem;text-align:right;color:var(--muted);font-variant-numeric:tabular-nums;display:flex;flex-direction:column;align-items:flex-end;justify-content:center}
.seq .row>*{border-top:1px solid color-mix(in srgb,var(--line) 45%,transparent)}
.seq .row.hit>*{background-color:var(--bad-bg)}
.seq .row.reach>*{background-color:var(--possible-bg)}
.box{background:var(--bg);border:1.5px solid var(--line);border-radius:4px;padding:.25rem .45rem;max-width:100%;overflow-wrap:anywhere;position:relative;z-index:1}
.box.proc{border-color:var(--proc)}.box.kernel{border-color:var(--kernel)}.box.nic{border-color:var(--nic)}.box.peer{border-color:var(--peer)}
.box.hit{border:2.5px solid var(--bad);box-shadow:0 0 0 2px var(--bad-bg)}
.note{background:var(--note-bg);border:1px dashed var(--note-line);border-radius:3px;padding:.1rem .35rem;font-size:11px;max-width:100%;overflow-wrap:anywhere;position:relative;z-index:1}
.mark{display:inline-block;margin:.15rem .2rem 0 0;font:600 11px/1.3 system-ui,sans-serif;border-radius:3px;padding:0 .3rem}
.mark.focus{outline:1.5px solid currentColor}
.seq .n.cyc{color:var(--unknown);font-weight:700;white-space:nowrap}
.why{margin:.6rem 0 .3rem}
.replay{display:flex;flex-wrap:wrap;align-items:baseline;gap:.3rem .6rem;margin:.3rem 0;font-size:.85rem}
.replay code{user-select:all;-webkit-user-select:all;background:var(--bg2);border:1px solid var(--line);border-radius:3px;padding:.1rem .4rem;overflow-wrap:anywhere}
.index{columns:2 28rem;column-gap:2.5rem;font-size:.88rem;padding-left:1.6rem}
.index li{break-inside:avoid}
.scenario .meta{margin:.1rem 0 .4rem;font-size:.85rem;color:var(--muted)}
.ref{font-weight:700}
.lane-name{font-family:var(--mono);border:1px solid var(--line);border-radius:3px;padding:0 .3rem;font-size:.8rem}
.grid{width:100%;table-layout:fixed;font-size:.8rem}
.grid th,.grid td{border:1px solid var(--line);padding:1px;text-align:center}
.grid thead th{font-family:var(--mono);font-weight:600;font-size:.6rem;overflow-wrap:anywhere;background:var(--bg2);padding:.2rem .1rem;line-height:1.2}
.grid th.corner{width:7.5rem}
.grid thead th:last-child{width:7rem}
.grid tbody th{font-family:var(--mono);text-align:left;padding:0 .4rem;background:var(--bg2);font-weight:600}
.grid td.exp{text-align:left;padding:1px .3rem}
.grid td.exp .chip{font-size:.72rem}
button.mini{width:100%;border:0;border-radius:2px;font:600 .8rem/1.5 var(--mono);cursor:pointer;padding:.1rem 0}
button.mini.good,button.mini.impossible{font-weight:400}
button.mini.bad{outline:1px solid var(--bad);outline-offset:-1px}
.failures{font-size:.85rem}
footer.page{margin-top:2.5rem;color:var(--muted);font-size:.82rem;border-top:1px solid var(--line)}
@media print{
  :root{--bg:#fff;--bg2:#fff;--fg:#000}
  html,body{background:#fff;color:#000}
  body{max-width:none;padding:0;font-size:9.5pt}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  .no-print,.toc,.close,.hint,noscript{display:none!important}
  .scroll{overflow:visible}
  button.cell,button.mini{min-height:0;border-width:1px;cursor:default}
  .drill{border:1px solid #000;break-before:page}
  .scenario,.seq,tr{break-inside:avoid}
  details.witness>summary{list-style:none}
  a{color:inherit;text-decoration:none}
}
`;

// ---------------------------------------------------------------------------
// The inline script: the drill-down and its sequence diagrams. Plain ES2020
// for any browser; it builds every node with createElement and text nodes
// (never innerHTML), because every string in the document may be hostile.

const CLIENT = String.raw`
(function () {
  "use strict";
  var blob = document.getElementById("${DATA_ELEMENT_ID}");
  if (!blob) return;
  var doc = JSON.parse(blob.textContent);
  var panel = document.getElementById("drill");
  var props = new Map(doc.properties.map(function (p) { return [p.name, p]; }));
  var policies = new Map(doc.policies.map(function (p) { return [p.name, p]; }));
  var cells = new Map(doc.cells.map(function (c) { return [c.scenario + "\u0000" + c.policy, c]; }));
  var current = null;

  /** Builds an element; children are nodes or strings (which become text nodes, never markup). */
  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (attrs[k] === null || attrs[k] === undefined || attrs[k] === false) return;
      if (k === "class") e.className = attrs[k]; else e.setAttribute(k, String(attrs[k]));
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) c.forEach(function (x) { if (x) e.append(x); }); else e.append(c);
    }
    return e;
  }

  function plural(n, w) { return n + " " + w + (n === 1 ? "" : "s"); }

  /** Mirrors look() in html.ts: the tone, symbol and words of a verdict. */
  function look(kind, verdict, proved) {
    var possibility = kind === "possibility";
    if (verdict === "Sometimes") return possibility
      ? { tone: "possible", symbol: "\u25c6", word: "Sometimes", note: "possible" }
      : { tone: "bad", symbol: "\u2717", word: "Sometimes", note: "violated" };
    if (!proved) return { tone: "unknown", symbol: "?", word: "Never", note: "not proved" };
    return possibility
      ? { tone: "impossible", symbol: "\u2013", word: "Never", note: "impossible" }
      : { tone: "good", symbol: "\u2713", word: "Never", note: "proved" };
  }

  function chip(l, text) { return el("span", { class: "chip " + l.tone }, l.symbol + " " + (text || l.word)); }

  /** A lane's kind (for its colour and label) and its name for people. */
  function lane(l) {
    if (l.indexOf("proc:") === 0) return { kind: "proc", name: l.slice(5), label: "process" };
    if (l.indexOf("peer:") === 0) return { kind: "peer", name: l.slice(5), label: "remote peer" };
    if (l === "nic") return { kind: "nic", name: "NIC", label: "RDMA device" };
    return { kind: l, name: l, label: l === "kernel" ? "reactions" : "" };
  }

  /** Every scenario's verdict for one policy and property: witnesses first, shortest first. */
  function rowsFor(policy, property) {
    var rows = [];
    doc.scenarios.forEach(function (sc) {
      var cell = cells.get(sc.ref + "\u0000" + policy);
      if (!cell) return;
      var v = cell.verdicts.find(function (x) { return x.name === property; });
      if (v) rows.push({ sc: sc, cell: cell, v: v });
    });
    rows.sort(function (a, b) {
      var wa = a.v.steps ? 0 : 1, wb = b.v.steps ? 0 : 1;
      if (wa !== wb) return wa - wb;
      if (wa === 0 && a.v.witnessLength !== b.v.witnessLength) return a.v.witnessLength - b.v.witnessLength;
      return a.sc.ref < b.sc.ref ? -1 : a.sc.ref > b.sc.ref ? 1 : 0;
    });
    return rows;
  }

  /** Marks on a step: the properties it violates (or, for possibilities, reaches). */
  function markChips(step, focus) {
    return step.marks.map(function (m) {
      var p = props.get(m);
      var possibility = p && p.kind === "possibility";
      var l = look(p ? p.kind : "safety", "Sometimes", true);
      return el("span", { class: "mark " + l.tone + (m === focus ? " focus" : "") },
        l.symbol + " " + (possibility ? "reaches " : "violates ") + m);
    });
  }

  /**
   * The sequence diagram of a witness: a column per lane of the scenario, a
   * row per step; the step in its actor's lane, the kernel's reactions as
   * notes in the kernel lane joined to it by a dashed line, marked steps
   * highlighted with the property named.
   */
  function diagram(sc, v, focus) {
    var lanes = sc.lanes;
    var kernel = lanes.indexOf("kernel");
    var grid = el("div", { class: "seq", role: "table", "aria-label": "sequence diagram, " + plural(v.steps.length, "step") });
    grid.style.gridTemplateColumns = "3.6em repeat(" + lanes.length + ", minmax(8.5em, 1fr))";
    grid.append(el("div", { class: "row", role: "row" },
      el("div", { class: "hd", role: "columnheader" }, el("small", null, "step")),
      lanes.map(function (l) {
        var d = lane(l);
        return el("div", { class: "hd lane " + d.kind, role: "columnheader", "data-lane": l },
          el("b", null, d.name), el("small", null, d.label));
      })));
    var cycleFrom = v.lasso ? v.lasso.prefix : Infinity;
    v.steps.forEach(function (st, k) {
      var at = lanes.indexOf(st.lane);
      if (at < 0) at = kernel >= 0 ? kernel : 0;
      var notesAt = st.reactions.length && kernel >= 0 && kernel !== at ? kernel : -1;
      var hit = st.marks.indexOf(focus) >= 0;
      var focusKind = props.get(focus) ? props.get(focus).kind : "safety";
      var rowClass = "row" + (hit ? (focusKind === "possibility" ? " reach" : " hit") : "");
      var row = el("div", { class: rowClass, role: "row", "data-step": st.n });
      var cyc = k >= cycleFrom;
      row.append(el("div", { class: "n" + (cyc ? " cyc" : ""), role: "rowheader", title: cyc ? "in the cycle that repeats for ever" : null },
        cyc ? "\u21bb " + st.n : String(st.n)));
      lanes.forEach(function (l, i) {
        var lo = Math.min(at, notesAt), hi = Math.max(at, notesAt);
        var linked = notesAt >= 0 && i > lo && i < hi;
        var c = el("div", { class: "c" + (linked ? " link" : ""), role: "cell" });
        if (i === at) {
          var d = lane(l);
          var box = el("div", { class: "box " + d.kind + (hit && focusKind !== "possibility" ? " hit" : "") },
            el("div", null, st.text));
          var chips = markChips(st, focus);
          if (chips.length) box.append(el("div", null, chips));
          c.append(box);
          if (notesAt < 0) st.reactions.forEach(function (r) { c.append(el("div", { class: "note" }, "\u21b3 " + r)); });
        } else if (i === notesAt) {
          st.reactions.forEach(function (r) { c.append(el("div", { class: "note" }, "\u21b3 " + r)); });
        }
        row.append(c);
      });
      grid.append(row);
    });
    return grid;
  }

  /** What a reader copies: why it happened, how to replay it, how to re-check the cell. */
  function witnessFooter(sc, cell, v) {
    var out = [];
    if (v.message) out.push(el("p", { class: "why" }, el("b", null, v.name + ": "), v.message));
    if (v.lasso) out.push(el("p", { class: "why" }, "The last " + plural(v.lasso.cycle, "step") + " repeat for ever."));
    if (v.token) out.push(el("div", { class: "replay" }, el("span", null, "replay:"),
      el("code", { title: "select to copy" }, "pinlab replay " + v.token)));
    out.push(el("div", { class: "replay" }, el("span", null, "check:"),
      el("code", null, "pinlab check " + sc.ref + " --policy " + cell.policy)));
    return out;
  }

  /** One scenario with a witness: a collapsible section whose diagram is built when first opened. */
  function witnessSection(row, property, open) {
    var p = props.get(property);
    var l = look(p.kind, row.v.verdict, row.v.proved);
    var d = el("details", { class: "witness", "data-scenario": row.sc.ref });
    var built = false;
    d.append(el("summary", null, chip(l), " ",
      plural(row.v.witnessLength, "step"), " \u2014 ", el("code", { class: "ref" }, row.sc.ref), " ", row.sc.title,
      row.v.message ? el("span", { class: "msg" }, row.v.message) : null));
    var body = el("div", { class: "body" });
    d.append(body);
    function build() {
      if (built || !d.open) return;
      built = true;
      body.append(diagram(row.sc, row.v, property));
      witnessFooter(row.sc, row.cell, row.v).forEach(function (x) { body.append(x); });
    }
    d.addEventListener("toggle", build);
    if (open) { d.open = true; build(); }
    return d;
  }

  /** The scenarios without a witness, as a compact table (the one asked for, if any, marked). */
  function quietTable(rows, property, scenario) {
    var p = props.get(property);
    var t = el("table", { class: "nowit" }, el("thead", null, el("tr", null,
      el("th", { scope: "col" }, "scenario"), el("th", { scope: "col" }, "title"), el("th", { scope: "col" }, "verdict"))));
    var tb = el("tbody");
    rows.forEach(function (r) {
      var l = look(p.kind, r.v.verdict, r.v.proved);
      var picked = r.sc.ref === scenario;
      tb.append(el("tr", { class: picked ? "picked" : null, "aria-current": picked ? "true" : null },
        el("td", null, el("code", null, r.sc.ref)), el("td", null, r.sc.title),
        el("td", null, chip(l, l.word + " (" + l.note + ")"),
          r.cell.status !== "complete" ? " incomplete: " + (r.cell.reason || "bound hit") : null)));
    });
    t.append(tb);
    return t;
  }

  /** Fills the panel for one matrix cell (and opens one scenario's witness, if asked). */
  function openDrill(policy, property, scenario, focusPanel) {
    var pol = policies.get(policy), p = props.get(property);
    if (!pol || !p) return;
    current = { policy: policy, property: property };
    var rows = rowsFor(policy, property);
    var shown = rows.filter(function (r) { return r.v.steps; });
    var quiet = rows.filter(function (r) { return !r.v.steps; });
    var anyUnproved = rows.some(function (r) { return !r.v.proved; });
    var agg = look(p.kind, shown.length ? "Sometimes" : "Never", !anyUnproved);
    var h = el("h2", { id: "drill-h", tabindex: "-1" }, el("code", null, policy), " \u00d7 ", el("code", null, property));
    var close = el("button", { type: "button", class: "close", "aria-label": "close the drill-down" }, "close \u2715");
    close.addEventListener("click", closeDrill);
    var kindWord = p.kind === "possibility" ? "example" : "witness";
    var sentence = shown.length
      ? (p.kind === "possibility" ? "possible" : "violated") + " in " + shown.length + " of " + rows.length +
        " scenarios; the shortest " + kindWord + " is " + plural(shown[0].v.witnessLength, "step") + " (" + shown[0].sc.ref + ")."
      : (anyUnproved ? "not seen in the states explored, but a bound was hit." : "proved over every reachable state of " + plural(rows.length, "scenario") + ".");
    panel.replaceChildren(
      el("div", { class: "drill-head" }, h, close),
      el("p", { class: "about" }, el("b", null, "policy: "), pol.summary),
      el("p", { class: "about" }, el("b", null, "property (" + p.kind + "): "), p.summary),
      el("p", { class: "verdict" }, chip(agg), " ", sentence));
    var want = scenario && shown.some(function (r) { return r.sc.ref === scenario; }) ? scenario : shown.length ? shown[0].sc.ref : null;
    if (shown.length) {
      panel.append(el("h3", null, shown.length === 1 ? "The " + kindWord : "Scenarios with a " + kindWord + " (shortest first)"));
      shown.forEach(function (r) { panel.append(witnessSection(r, property, r.sc.ref === want)); });
    }
    if (quiet.length) {
      panel.append(el("h3", null, shown.length ? "Other scenarios" : "Scenarios"));
      panel.append(quietTable(quiet, property, scenario));
    }
    panel.hidden = false;
    pressed(policy, property, scenario);
    try { history.replaceState(null, "", "#cell=" + encodeURIComponent(policy) + "/" + encodeURIComponent(property) + (scenario ? "/" + encodeURIComponent(scenario) : "")); } catch (e) { /* some file:// hosts refuse */ }
    if (focusPanel) {
      // From a scenario's grid, go straight to its witness; from the matrix, to the panel's top.
      var target = !scenario ? panel : want === scenario ? panel.querySelector("details[open]") : panel.querySelector("tr.picked");
      (target || panel).scrollIntoView({ block: target && target.tagName === "TR" ? "center" : "start" });
      h.focus({ preventScroll: true });
    }
  }

  function closeDrill() {
    panel.hidden = true;
    panel.replaceChildren();
    var from = current;
    current = null;
    pressed(null, null, null);
    try { history.replaceState(null, "", location.pathname + location.search); } catch (e) { /* ignore */ }
    if (from) {
      var b = matrixButtons().find(function (x) { return x.dataset.policy === from.policy && x.dataset.property === from.property; });
      if (b) b.focus();
    }
  }

  /** Shows which cell the panel belongs to (aria-current is read out by screen readers). */
  function pressed(policy, property, scenario) {
    document.querySelectorAll("button[data-policy][data-property]").forEach(function (b) {
      var on = b.dataset.policy === policy && b.dataset.property === property &&
        (b.dataset.scenario === undefined || b.dataset.scenario === scenario);
      if (on) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
    });
  }

  function matrixButtons() { return Array.prototype.slice.call(document.querySelectorAll(".matrix button.cell")); }

  document.addEventListener("click", function (ev) {
    var b = ev.target instanceof Element ? ev.target.closest("button[data-policy][data-property]") : null;
    if (!b) return;
    openDrill(b.dataset.policy, b.dataset.property, b.dataset.scenario || null, true);
  });

  /** Arrow keys move between matrix cells, like a spreadsheet. */
  document.addEventListener("keydown", function (ev) {
    var b = ev.target instanceof Element ? ev.target.closest(".matrix button.cell") : null;
    if (ev.key === "Escape" && current) { closeDrill(); return; }
    if (!b) return;
    var d = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] }[ev.key];
    if (!d) return;
    var r = Number(b.dataset.row) + d[0], c = Number(b.dataset.col) + d[1];
    var next = matrixButtons().find(function (x) { return Number(x.dataset.row) === r && Number(x.dataset.col) === c; });
    if (next) { next.focus(); ev.preventDefault(); }
  });

  /** A link to a drill-down (#cell=policy/property[/scenario]) opens it. */
  function fromHash() {
    var m = /^#cell=([^/]*)\/([^/]*)(?:\/(.*))?$/.exec(location.hash);
    if (!m) return;
    try {
      openDrill(decodeURIComponent(m[1]), decodeURIComponent(m[2]), m[3] ? decodeURIComponent(m[3]) : null, true);
    } catch (e) { /* a malformed link opens nothing */ }
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
`;
