/**
 * The scenarios section: an index of every scenario, then each one's own
 * policy × property grid, so a reader sees which scenario a matrix cell's
 * verdict comes from (and the page still reads without JavaScript).
 */
import type { CompareDoc, DocCell, DocScenario } from "../compare.js";
import { esc, wrapName } from "./escape.js";
import { look } from "./look.js";
import { plural } from "./words.js";

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
  return `<button type="button" class="mini ${l.tone}" data-policy="${esc(cell.policy)}" data-property="${esc(p.name)}" data-scenario="${esc(sc.ref)}" title="${esc(title)}" aria-label="${esc(title)}">${l.symbol}${esc(len)}</button>`;
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
