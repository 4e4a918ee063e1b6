/**
 * The least-bad-options matrix: the table a reader comes to the report for,
 * one row per policy and one column per property (grouped as safety, costs
 * and capabilities), each cell summing up every scenario and opening the
 * drill-down.
 */
import { type Aggregate, aggregate } from "../../engine/matrix/aggregate.js";
import { type CompareDoc, GROUP_HEADINGS, matrixColumns } from "../compare.js";
import { ASSUMED } from "../marks.js";
import { costCells, costGroupHeading, costHeadings, renderCostNotes } from "./costs.js";
import { esc, wrapName } from "./escape.js";
import { vacuityOf } from "./evidence.js";
import { type Look, look } from "./look.js";
import { plural } from "./words.js";

type DocProperty = CompareDoc["properties"][number];

/** The least-bad-options table: rows policies, columns properties, each cell a button to its drill-down. */
export function renderMatrix(doc: CompareDoc): string {
  const groups = matrixColumns(doc)
    .map((cols, k) => ({ heading: GROUP_HEADINGS[k]![1], group: GROUP_HEADINGS[k]![0], cols }))
    .filter((g) => g.cols.length > 0);
  const columns = groups.flatMap((g) => g.cols);
  const groupRow = groups
    .map(
      (g) =>
        `<th scope="colgroup" colspan="${g.cols.length}" class="group ${esc(g.group)}">${esc(g.heading)}</th>`,
    )
    .join("")
    .concat(costGroupHeading(doc));
  const head = columns
    .map(
      (p) =>
        `<th scope="col" title="${esc(p.summary)}"><span class="pname">${wrapName(p.name)}</span><span class="kind">${esc(p.kind)}</span></th>`,
    )
    .join("")
    .concat(costHeadings(doc));
  const rows = doc.policies.map((pol, r) => {
    const cells = columns.map((p, c) => {
      const agg = aggregate(doc.cells, pol.name, p.name);
      return `<td>${matrixButton(doc, pol.name, p, agg, r, c)}</td>`;
    });
    return `<tr><th scope="row" title="${esc(pol.summary)}"><span class="pol">${esc(pol.name)}</span><span class="sub">${esc(pol.summary)}</span></th>${cells.join("")}${costCells(doc, pol.name)}</tr>`;
  });
  return [
    '<section id="matrix" aria-labelledby="matrix-h">',
    '<h2 id="matrix-h">Least bad options</h2>',
    '<p class="hint no-print">Each cell sums up one policy and one property over every scenario. Choose a cell (click, or Enter; arrow keys move) for the scenarios behind it and the shortest witness as a sequence diagram.</p>',
    `<div class="scroll matrix-scroll" tabindex="0" role="region" aria-label="matrix (scrolls sideways)"><table class="matrix${doc.simulation ? " with-costs" : ""}">`,
    `<caption>Rows: policies. Columns: properties, grouped. ${esc(plural(doc.scenarios.length, "scenario"))}.</caption>`,
    `<thead><tr><th scope="col" class="corner" rowspan="2">policy</th>${groupRow}</tr><tr>${head}</tr></thead>`,
    `<tbody>${rows.join("\n")}</tbody>`,
    "</table></div>",
    renderLegend(),
    renderCostNotes(doc),
    "</section>",
  ].join("\n");
}

/** One matrix cell: verdict in words and symbol, how many scenarios, the shortest witness. */
function matrixButton(
  doc: CompareDoc,
  policy: string,
  prop: DocProperty,
  agg: Aggregate,
  row: number,
  col: number,
): string {
  const l = look(prop, agg.verdict, agg.proved);
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
  // Proofs that hold only because what they are about never happened, told apart from real ones.
  const vacuous = doc.cells.filter(
    (c) =>
      c.policy === policy &&
      vacuityOf(
        c.verdicts.find((v) => v.name === prop.name),
        c,
      ),
  ).length;
  if (vacuous > 0) {
    lines.push(`<span class="d vac">∅ ${vacuous} vacuous</span>`);
    title += `; in ${plural(vacuous, "scenario")} the proof is vacuous (what it is about never happened)`;
  }
  // Verdicts that hold only under an assumption the scenario states (`assume ...`).
  if (agg.assumed.length > 0) {
    const why = doc.cells
      .filter((c) => c.policy === policy && agg.assumed.includes(c.scenario))
      .map((c) => `${c.scenario}: ${c.verdicts.find((v) => v.name === prop.name)?.assumption}`);
    lines.push(`<span class="d assumed">${ASSUMED.symbol} ${agg.assumed.length} assumed</span>`);
    title += `; ${ASSUMED.note}: ${why.join("; ")}`;
  }
  // data-summary, not data-outcome: a matrix cell sums up many verdicts, it is not one.
  return `<button type="button" class="cell ${l.tone}${vacuous > 0 ? " vacuous" : ""}" data-summary="${l.tone}" data-policy="${esc(policy)}" data-property="${esc(prop.name)}" data-row="${row}" data-col="${col}" title="${esc(`${policy} / ${prop.name}: ${title}`)}">${lines.join("")}</button>`;
}

/** What the symbols and colours of the page mean. */
function renderLegend(): string {
  const key = (l: Look, text: string) =>
    `<li><span class="chip ${l.tone}">${l.symbol} ${esc(l.note)}</span> ${text}</li>`;
  const safety = { group: "safety", kind: "safety" };
  return [
    '<ul class="legend" aria-label="Legend">',
    key(look(safety, "Sometimes", true), "safety: the bad event happens in some scenario"),
    key(
      look({ group: "cost", kind: "liveness" }, "Sometimes", true),
      "an operation never returns (a hang, a dead end or a cycle)",
    ),
    key(
      look({ group: "cost", kind: "safety" }, "Sometimes", true),
      "a cost of making progress: a refusal, revoke, kill, failure or stranded space",
    ),
    key(
      look({ group: "capability", kind: "possibility" }, "Sometimes", true),
      "a capability that is possible: good news",
    ),
    key(
      look({ group: "result", kind: "possibility" }, "Sometimes", true),
      "a scenario's expected result that some run gets",
    ),
    key(look(safety, "Never", true), "never happens: proved over every reachable state"),
    `<li><span class="chip">${ASSUMED.symbol} assumed</span> ${esc(ASSUMED.note)}</li>`,
    key(
      look({ group: "capability", kind: "possibility" }, "Never", true),
      "a capability that can never happen",
    ),
    key(look(safety, "Never", false), "not seen, but a bound was hit: not proved"),
    '<li><span class="chip unproved">∅ vacuous</span> proofs that hold only because what they are about never happened (counted in the cell)</li>',
    "</ul>",
  ].join("\n");
}
