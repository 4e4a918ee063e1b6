/**
 * The scenarios section: an index of every scenario, then each one's card:
 * where it came from, its source (whose header comments quote the mails), its
 * own policy × property grid and the results its expectations ask about, so a
 * reader sees which scenario a matrix cell's verdict comes from (and the page
 * still reads without JavaScript).
 */
import { type CompareDoc, type DocCell, type DocScenario, matrixColumns } from "../compare.js";
import { OUTCOMES, type Outcome, outcomeOf } from "../marks.js";
import { esc, wrapName } from "./escape.js";
import { unreachedOf, vacuityOf } from "./evidence.js";
import { look } from "./look.js";
import { plural } from "./words.js";

type DocVerdict = DocCell["verdicts"][number];

/** Every scenario: where it came from, and its own policy × property grid. */
export function renderScenarios(doc: CompareDoc): string {
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

/** One scenario: title, file, lanes, source, the verdict grid, its results, and any expectation that failed. */
function renderScenario(
  doc: CompareDoc,
  sc: DocScenario,
  k: number,
  byKey: ReadonlyMap<string, DocCell>,
): string {
  const lanes = sc.lanes.map((l) => `<span class="lane-name">${esc(laneName(l))}</span>`).join(" ");
  const columns = matrixColumns(doc).flat();
  const head = columns
    .map((p) => `<th scope="col" title="${esc(p.summary)}">${wrapName(p.name)}</th>`)
    .join("");
  const failures: string[] = [];
  const unreached: string[] = [];
  const cells: DocCell[] = [];
  const rows = doc.policies.map((pol) => {
    const cell = byKey.get(`${sc.ref}\u0000${pol.name}`);
    if (!cell)
      return `<tr><th scope="row">${esc(pol.name)}</th><td colspan="${columns.length + 1}" class="muted">not checked in this shard</td></tr>`;
    cells.push(cell);
    const tds = columns.map((p) => `<td>${gridButton(sc, cell, p)}</td>`);
    for (const e of cell.expectations.filter((x) => !x.ok))
      failures.push(
        `<li><span class="chip bad">✗ failed</span> under <b>${esc(pol.name)}</b>: <code>${esc(e.text)}</code> <span class="muted">${esc(e.detail)}</span></li>`,
      );
    const cov = unreachedOf(cell);
    if (cov) unreached.push(`<li>under <b>${esc(pol.name)}</b>: ${esc(cov)}</li>`);
    return `<tr><th scope="row" title="${esc(pol.summary)}">${esc(pol.name)}</th>${tds.join("")}<td class="exp">${expectationSummary(cell)}</td></tr>`;
  });
  return [
    `<section class="scenario" id="sc-${k}" aria-labelledby="sc-${k}-h">`,
    `<h3 id="sc-${k}-h"><code class="ref">${esc(sc.ref)}</code> ${esc(sc.title)}</h3>`,
    `<p class="meta">file: <code>${esc(sc.file ?? "(built in)")}</code> · lanes: ${lanes}</p>`,
    renderSource(sc),
    '<div class="scroll grid-scroll"><table class="grid">',
    `<caption class="sr-only">${esc(sc.ref)}: verdict of every property under every policy</caption>`,
    `<thead><tr><th scope="col" class="corner">policy</th>${head}<th scope="col">expectations</th></tr></thead>`,
    `<tbody>${rows.join("\n")}</tbody>`,
    "</table></div>",
    renderResults(doc, sc, cells),
    unreached.length
      ? `<p class="cov-h">Operations never reached:</p><ul class="coverage">${unreached.join("\n")}</ul>`
      : "",
    failures.length ? `<ul class="failures">${failures.join("\n")}</ul>` : "",
    "</section>",
  ].join("\n");
}

/**
 * The scenario's `.pin` text: its header comments (which quote the mails the
 * scenario comes from) shown as they are, the whole file one click away.
 */
function renderSource(sc: DocScenario): string {
  const src = sc.source;
  if (typeof src !== "string" || src === "") return "";
  const lines = src.replace(/\n$/, "").split("\n");
  // The comment block after the `scenario` line (or at the top): the concern and the quoted mails.
  let at = 0;
  while (
    at < lines.length &&
    !lines[at]!.startsWith("#") &&
    (lines[at]!.trim() === "" || lines[at]!.startsWith("scenario"))
  )
    at++;
  const header: string[] = [];
  while (at < lines.length && lines[at]!.startsWith("#")) header.push(lines[at++]!);
  const quote = header.length
    ? `<pre class="src-head" aria-label="the scenario's header comments">${esc(header.join("\n"))}</pre>`
    : "";
  return [
    quote,
    `<details class="source"><summary>source <span class="muted">(${plural(lines.length, "line")}${sc.file ? `, ${esc(sc.file)}` : ""})</span></summary>`,
    `<pre class="src"><code>${esc(lines.join("\n"))}</code></pre>`,
    "</details>",
  ].join("\n");
}

/** The results the scenario's expectations ask about (`expect P.op returns R`), under every policy. */
function renderResults(doc: CompareDoc, sc: DocScenario, cells: readonly DocCell[]): string {
  const names = new Set(doc.properties.map((p) => p.name));
  const results = [
    ...new Set(
      cells.flatMap((c) => c.verdicts.filter((v) => !names.has(v.name)).map((v) => v.name)),
    ),
  ];
  if (!results.length) return "";
  const items = results.map((name) => {
    const chips = cells.map((c) => {
      const v = c.verdicts.find((x) => x.name === name);
      if (!v) return "";
      const tone = verdictOutcome(v, "result");
      const o = OUTCOMES[tone];
      const title = `${c.policy}: ${name}: ${o.note}${v.witnessLength !== null ? `, ${plural(v.witnessLength, "step")}` : ""}`;
      return `<button type="button" class="mini chip ${tone}" data-outcome="${tone}" data-result="${esc(name)}" data-policy="${esc(c.policy)}" data-property="${esc(name)}" data-scenario="${esc(sc.ref)}" title="${esc(title)}" aria-label="${esc(title)}">${o.symbol} ${esc(c.policy)}</button>`;
    });
    return `<li><code>${esc(name)}</code> ${chips.join(" ")}</li>`;
  });
  return `<p class="res-h">Results the expectations ask about (<span class="chip shown">${OUTCOMES.shown.symbol} shown</span> some run gets it; <span class="chip not-shown">${OUTCOMES["not-shown"].symbol} not shown</span> none does):</p><ul class="results">${items.join("\n")}</ul>`;
}

/**
 * A verdict's outcome: as the document says, when it names one of the
 * outcomes (a crafted shard's other words are ignored, never written into the
 * page); otherwise (a document without it) from its group and kind.
 */
export function verdictOutcome(v: DocVerdict, fallbackGroup: string): Outcome {
  const o: unknown = (v as { outcome?: unknown }).outcome;
  if (typeof o === "string" && Object.hasOwn(OUTCOMES, o)) return o as Outcome;
  const group: unknown = (v as { group?: unknown }).group;
  return outcomeOf(
    { group: typeof group === "string" ? group : fallbackGroup, kind: v.kind },
    v.verdict,
    v.proved,
  );
}

/** One verdict of one scenario under one policy: a symbol and the witness length. */
function gridButton(sc: DocScenario, cell: DocCell, p: CompareDoc["properties"][number]): string {
  const v = cell.verdicts.find((x) => x.name === p.name);
  if (!v) return '<span class="muted" title="not checked">·</span>';
  const l = look(p, v.verdict, v.proved);
  const tone = verdictOutcome(v, p.group ?? "safety");
  const vac = vacuityOf(v, cell);
  const len = v.witnessLength !== null ? ` ${v.witnessLength}` : "";
  const title = `${cell.policy} / ${p.name}: ${l.word} (${OUTCOMES[tone].note})${v.witnessLength !== null ? `, ${plural(v.witnessLength, "step")}` : ""}${vac ? `; ${vac}` : ""}`;
  return `<button type="button" class="mini ${tone}${vac ? " vacuous" : ""}" data-outcome="${tone}" data-policy="${esc(cell.policy)}" data-property="${esc(p.name)}" data-scenario="${esc(sc.ref)}" title="${esc(title)}" aria-label="${esc(title)}">${OUTCOMES[tone].symbol}${vac ? "∅" : ""}${esc(len)}</button>`;
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

/** A lane's name for people: `proc:server` → `server`, `nic` → `NIC`. */
function laneName(lane: string): string {
  if (lane.startsWith("proc:")) return lane.slice(5);
  if (lane.startsWith("peer:")) return `${lane.slice(5)} (peer)`;
  return lane === "nic" ? "NIC" : lane;
}
