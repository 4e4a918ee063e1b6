/**
 * The least-bad-options matrix: the table a reader comes to the report for,
 * one row per policy and one column per property, each cell summing up every
 * scenario and opening the drill-down.
 */
import { type Aggregate, aggregate } from "../../engine/compare.js";
import type { CompareDoc } from "../compare.js";
import { esc, wrapName } from "./escape.js";
import { type Look, look } from "./look.js";
import { plural } from "./words.js";

/** The least-bad-options table: rows policies, columns properties, each cell a button to its drill-down. */
export function renderMatrix(doc: CompareDoc): string {
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
    `<caption>Rows: policies. Columns: properties. ${esc(plural(doc.scenarios.length, "scenario"))}.</caption>`,
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
    lines.push(`<span class="d">${esc(plural(agg.scenarios.length, "scenario"))}</span>`);
    lines.push(`<span class="d">${esc(plural(agg.shortest.length, "step"))}</span>`);
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
