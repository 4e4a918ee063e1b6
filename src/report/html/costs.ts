/**
 * The measured cost columns of the matrix (`compare --simulate --html`):
 * beside the proved verdicts, what each policy costs in its worst workload,
 * as means over seeds with their 95 % confidence intervals, and below the
 * matrix what they measure, the violations the simulations found and the
 * figures of every workload.
 */
import { COST_COLUMNS, COST_KEYS, type CompareSimulation } from "../../engine/matrix/costs.js";
import { type CompareDoc, costCell, simulationScope } from "../compare.js";
import { duration, intervalText } from "../figures.js";
import { esc } from "./escape.js";

/** The heading cell over the cost columns (null without a simulation). */
export function costGroupHeading(doc: CompareDoc): string {
  return doc.simulation
    ? `<th scope="colgroup" colspan="${COST_KEYS.length}" class="group cost">measured costs (simulated)</th>`
    : "";
}

/** The cost columns' headings. */
export function costHeadings(doc: CompareDoc): string {
  if (!doc.simulation) return "";
  return COST_KEYS.map(
    (k) =>
      `<th scope="col" title="${esc(COST_COLUMNS[k].summary)}"><span class="pname">${esc(COST_COLUMNS[k].title)}</span><span class="kind">simulated</span></th>`,
  ).join("");
}

/** A policy's cost cells. */
export function costCells(doc: CompareDoc, policy: string): string {
  const sim = doc.simulation;
  if (!sim) return "";
  return COST_KEYS.map((k) => {
    const [mean, ci] = costCell(sim, policy, k).split(" [");
    return `<td class="measured">${esc(mean ?? "-")}${ci ? `<span class="ci">[${esc(ci)}</span>` : ""}</td>`;
  }).join("");
}

/** Under the matrix: what the cost columns are, what the simulations found, every workload's figures. */
export function renderCostNotes(doc: CompareDoc): string {
  const sim: CompareSimulation | undefined = doc.simulation;
  if (!sim) return "";
  const out: string[] = [];
  out.push(`<p class="hint">Measured costs: ${esc(simulationScope(sim))}.</p>`);
  out.push(
    `<ul class="hint">${COST_KEYS.map((k) => `<li><strong>${esc(COST_COLUMNS[k].title)}</strong>: ${esc(COST_COLUMNS[k].summary)}</li>`).join("")}${sim.notes.map((n) => `<li>note: ${esc(n)}</li>`).join("")}</ul>`,
  );
  const unsafe = sim.costs.flatMap((c) => c.violations.map((v) => ({ c, v })));
  if (unsafe.length > 0)
    out.push(
      `<p>Violations the simulations found, each shrunk to a short witness:</p><ul>${unsafe
        .map(
          ({ c, v }) =>
            `<li><strong>${esc(c.policy)} / ${esc(v.property)}</strong> in <code>${esc(c.workload)}</code>, seed ${esc(String(v.seed))} at ${esc(duration(v.time))}, ${esc(String(v.steps))} steps: <code class="token">pinlab replay ${esc(v.token)}</code></li>`,
        )
        .join("")}</ul>`,
    );
  const rows = sim.costs.map((c) => {
    const cells = COST_KEYS.map((k) => {
      const i = c[k];
      return `<td class="measured">${esc(i ? intervalText(i, COST_COLUMNS[k].seconds) : "-")}</td>`;
    });
    return `<tr><th scope="row"><code>${esc(c.workload)}</code></th><th scope="row"><code>${esc(c.policy)}</code></th>${cells.join("")}</tr>`;
  });
  out.push(
    `<details class="by-workload"><summary>Costs by workload</summary><div class="scroll"><table class="grid costs"><thead><tr><th scope="col">workload</th><th scope="col">policy</th>${COST_KEYS.map((k) => `<th scope="col">${esc(COST_COLUMNS[k].title)}</th>`).join("")}</tr></thead><tbody>${rows.join("\n")}</tbody></table></div></details>`,
  );
  return out.join("\n");
}
