/**
 * The comparison document (schema `pinlab.compare/1`) and its text and
 * Markdown renderings: the least-bad-options matrix, rows policies, columns
 * properties, each cell backed by the scenarios and shortest witnesses behind it.
 */

import { propertiesFor, systemFromArg } from "../engine/adapter/model-system.js";
import { aggregate, COMPARE_SCHEMA } from "../engine/matrix/aggregate.js";
import type { Cell, CellVerdict, CheckedCell } from "../engine/matrix/cell.js";
import {
  COST_COLUMNS,
  COST_KEYS,
  type CompareSimulation,
  worstCost,
} from "../engine/matrix/costs.js";
import type { CellFinish } from "../engine/matrix/finish.js";
import type { ScenarioSpec } from "../model/spec.js";
import { type PluginOrigin, POLICIES } from "../policies/index.js";
import { PROPERTIES } from "../properties/index.js";
import type { Property } from "../properties/property.js";
import { specHash } from "../scenario/source-hash.js";
import { duration, intervalText } from "./figures.js";
import { ASSUMED, type Group, groupOf, OUTCOMES, type Outcome, outcomeOf } from "./marks.js";
import { type DocStep, witnessSteps } from "./witness-view.js";
import { wrap } from "./wrap.js";

export type { DocArrow, DocStep } from "./witness-view.js";

export interface DocScenario {
  readonly ref: string;
  readonly title: string;
  readonly file: string | null;
  /** The lanes of its sequence diagrams, in order. */
  readonly lanes: readonly string[];
  /** Its content hash (as in `comparison.scenarios[]`). */
  readonly hash: string;
  /** The `.pin` text it was parsed from, header comments quoting the mails included (null: a scenario built into pinlab). */
  readonly source: string | null;
  readonly spec: ScenarioSpec;
}

/** A scenario as a comparison checks it: its data, its source text if any, its content hash. */
export interface ScenarioInput {
  readonly spec: ScenarioSpec;
  readonly source: string | null;
  /** `sourceHash(source)` for a `.pin` file, `specHash(spec)` for a built-in scenario. */
  readonly hash: string;
}

/**
 * What makes two shards parts of one comparison: the same pinlab, the same
 * scenarios (by content hash) in the same order, the same policies with the
 * same parameters, the same bounds. Every shard of a split carries the whole
 * of it, so `merge` can tell which cells the split must hold.
 */
export interface Comparison {
  /** The version of pinlab (package.json) that checked the cells. */
  readonly pinlab: string;
  readonly scenarios: readonly { readonly ref: string; readonly hash: string }[];
  readonly policies: readonly {
    readonly name: string;
    readonly params: Readonly<Record<string, string>>;
    /** A plugin's policy: its file's name and content hash (absent for a built-in one). */
    readonly plugin?: PluginOrigin;
  }[];
  /** The command-line bounds of every check (null: none). */
  readonly bounds: { readonly maxStates: number | null; readonly maxTimeMs: number | null };
}

/** The cells of a comparison, in the order compare checks them: scenario-major, policies as given. */
export function comparisonCells(c: Comparison): { scenario: string; policy: string }[] {
  return c.scenarios.flatMap((s) => c.policies.map((p) => ({ scenario: s.ref, policy: p.name })));
}

export interface DocCell extends Omit<Cell, "verdicts"> {
  readonly verdicts: readonly (Cell["verdicts"][number] & {
    /** safety, cost, capability or result (a scenario's `expect P.op returns R`). */
    readonly group: Group;
    /** How every format marks it (marks.ts): violation, hang, cost, possible, shown, proved, ... */
    readonly outcome: Outcome;
    readonly steps: readonly DocStep[] | null;
  })[];
}

export interface CompareDoc {
  readonly schema: typeof COMPARE_SCHEMA;
  /** The whole comparison this document is (a shard of). */
  readonly comparison: Comparison;
  readonly shard: { readonly index: number; readonly count: number } | null;
  readonly policies: readonly {
    readonly name: string;
    readonly summary: string;
    readonly source: string;
  }[];
  readonly properties: readonly {
    readonly name: string;
    readonly kind: string;
    /** safety, cost or capability (a document of schema 1 has none: safety). */
    readonly group?: string;
    readonly summary: string;
  }[];
  readonly scenarios: readonly DocScenario[];
  readonly cells: readonly DocCell[];
  readonly totals: {
    readonly cells: number;
    readonly states: number;
    readonly incomplete: number;
    readonly expectationsMet: number;
    readonly expectationsFailed: number;
    readonly expectationsUndecided: number;
  };
  /**
   * `compare --simulate`: the workloads simulated under each policy and their
   * measured costs, means over seeds with 95 % confidence intervals (absent
   * without `--simulate`).
   */
  readonly simulation?: CompareSimulation;
  /**
   * `specHash` of the document without this field: `merge` refuses a shard
   * whose content was changed after compare wrote it. It detects edits and
   * damage, not an adversary, who can compute it too (docs/json.md).
   */
  readonly digest: string;
}

/** The digest of a document's other fields, in their order (see `CompareDoc.digest`). */
export function docDigest(body: object): string {
  return specHash(body);
}

/** Lanes of a scenario's diagrams: its processes, the kernel, the NIC, its peers. */
export function lanesOf(spec: ScenarioSpec): string[] {
  return [
    ...spec.procs.map((p) => `proc:${p.name}`),
    "kernel",
    "nic",
    ...spec.peers.map((r) => `peer:${r.name}`),
  ];
}

/** Renders a cell's witnesses as steps (replaying them through the model) and marks each verdict. */
function withSteps(cell: Cell, spec: ScenarioSpec): DocCell {
  const m = systemFromArg({ spec, policy: cell.policy, params: cell.params }).model;
  const props = propertiesFor(spec);
  return rendered(cell, props, (v, w) => witnessSteps(m, props, w, v.kind === "liveness"));
}

/**
 * A cell rendered in the thread that checked it (compare's workers): its
 * model, properties and witness replays (with their states) are at hand.
 */
export function renderChecked(c: CheckedCell): DocCell {
  return rendered(c.cell, c.properties, (v, w) => {
    const run = c.replays.get(v.name);
    return witnessSteps(
      c.model,
      c.properties,
      w,
      v.kind === "liveness",
      run?.states ? run : undefined,
    );
  });
}

/**
 * A cell with its verdicts marked and no witness steps (`steps` null): all
 * that the text and Markdown renderings read, for a comparison that writes
 * neither JSON nor HTML.
 */
export function markChecked(c: CheckedCell): DocCell {
  return rendered(c.cell, c.properties, () => null);
}

/** How compare's workers render the cells they check: with witness steps, or marked only. */
export const RENDER_CHECKED: CellFinish = {
  module: import.meta.url,
  export: "renderChecked",
  keepStates: true,
};
export const MARK_CHECKED: CellFinish = {
  module: import.meta.url,
  export: "markChecked",
  keepStates: false,
};

function rendered(
  cell: Cell,
  props: readonly Property[],
  steps: (v: CellVerdict, witness: readonly number[]) => readonly DocStep[] | null,
): DocCell {
  return {
    ...cell,
    verdicts: cell.verdicts.map((v) => {
      const group = groupOf(v.name, props);
      const outcome = outcomeOf({ group, kind: v.kind }, v.verdict, v.proved);
      return { ...v, group, outcome, steps: v.witness ? steps(v, v.witness) : null };
    }),
  };
}

/**
 * The document of checked cells. `scenarios` holds the scenarios of these
 * cells (a map of bare specs: built-in scenarios, hashed by `specHash`).
 * Without a `comparison`, the cells are taken to be the whole of it, at an
 * unknown version of pinlab.
 */
export function buildDoc(cells: readonly Cell[], ...from: DocSources): CompareDoc {
  const inputs = scenarioInputs(from[0]);
  return buildRenderedDoc(
    cells.map((c) => withSteps(c, inputs.get(c.scenario)!.spec)),
    ...from,
  );
}

/** What a document is built from beside its cells (see `buildDoc`). */
type DocSources = [
  scenarios: ReadonlyMap<string, ScenarioInput> | ReadonlyMap<string, ScenarioSpec>,
  shard: { index: number; count: number } | null,
  comparison?: Comparison,
  simulation?: CompareSimulation,
];

/** `buildDoc` of cells rendered already (`renderChecked`). */
export function buildRenderedDoc(
  cells: readonly DocCell[],
  ...[scenarios, shard, comparison, simulation]: DocSources
): CompareDoc {
  const inputs = scenarioInputs(scenarios);
  const whole: Comparison = comparison ?? {
    pinlab: "unknown",
    scenarios: [...inputs].map(([ref, x]) => ({ ref, hash: x.hash })),
    policies: [...new Map(cells.map((c) => [c.policy, c.params])).entries()].map(
      ([name, params]) => ({ name, params }),
    ),
    bounds: { maxStates: null, maxTimeMs: null },
  };
  return assembleDoc(cells, inputs, shard, whole, simulation);
}

function scenarioInputs(scenarios: DocSources[0]): Map<string, ScenarioInput> {
  const inputs = new Map<string, ScenarioInput>();
  for (const [ref, x] of scenarios)
    inputs.set(ref, "hash" in x ? x : { spec: x, source: null, hash: specHash(x) });
  return inputs;
}

/** Puts rendered cells together and seals the document with its digest. */
function assembleDoc(
  cells: readonly DocCell[],
  inputs: ReadonlyMap<string, ScenarioInput>,
  shard: { index: number; count: number } | null,
  comparison: Comparison,
  simulation?: CompareSimulation,
): CompareDoc {
  const usedPolicies = new Set(cells.map((c) => c.policy));
  const scenarios: DocScenario[] = [...inputs.entries()].map(([ref, x]) => ({
    ref,
    title: x.spec.name,
    file: x.spec.file ?? null,
    lanes: lanesOf(x.spec),
    hash: x.hash,
    source: x.source,
    spec: x.spec,
  }));
  const exp = cells.flatMap((c) => c.expectations);
  const body: Omit<CompareDoc, "digest"> = {
    schema: COMPARE_SCHEMA,
    comparison,
    shard,
    // In registry order; a policy compared under several parameter sets has a row per
    // label (`revoke`, `revoke(escalation=invalidate)`), in the comparison's order.
    policies: POLICIES.flatMap((p) =>
      [p.name, ...comparison.policies.map((c) => c.name).filter((l) => l.startsWith(`${p.name}(`))]
        .filter((l) => usedPolicies.has(l))
        .map((name) => ({ name, summary: p.summary, source: p.source })),
    ),
    properties: PROPERTIES.map((p) => ({
      name: p.name,
      kind: p.kind,
      group: p.group,
      summary: p.summary,
    })),
    scenarios,
    cells,
    totals: {
      cells: cells.length,
      states: cells.reduce((a, c) => a + c.stats.states, 0),
      incomplete: cells.filter((c) => c.status !== "complete").length,
      expectationsMet: exp.filter((e) => e.ok && !e.undecided).length,
      expectationsFailed: exp.filter((e) => !e.ok).length,
      expectationsUndecided: exp.filter((e) => e.undecided).length,
    },
    ...(simulation ? { simulation } : {}),
  };
  return { ...body, digest: docDigest(body) };
}

/** Column codes of the terminal table (explained under it). */
const SHORT: Record<string, string> = {
  "foreign-dma": "FDMA",
  "stale-exposure": "STALE",
  "lost-write": "LOST",
  "kernel-bug": "BUG",
  "pinned-movable": "MOVE",
  "truncate-hang": "HANG",
  untruncatable: "UNTR",
  revocation: "RVK",
  "revocation-by-other": "RVKO",
  kill: "KILL",
  "comm-failure": "COMM",
  "stranded-space": "SPACE",
  "rdma-on-dax": "DAX",
};

const short = (name: string) => SHORT[name] ?? name.slice(0, 6).toUpperCase();

/** The matrix's column groups, in order, with the heading each is drawn under. */
export const GROUP_HEADINGS = [
  ["safety", "safety"],
  ["cost", "costs"],
  ["capability", "capabilities"],
] as const;

/** The properties of the document in matrix order: grouped, each group in document order. */
export function matrixColumns(doc: CompareDoc): CompareDoc["properties"][number][][] {
  return GROUP_HEADINGS.map(([g]) => doc.properties.filter((p) => (p.group ?? "safety") === g));
}

/** Shorter codes for a 72-column mail (the terminal has room for the longer ones). */
const MAIL_SHORT: Record<string, string> = {
  FDMA: "FDM",
  STALE: "STL",
  LOST: "LST",
  MOVE: "MOV",
  HANG: "HNG",
  UNTR: "UNT",
  RVKO: "RVO",
  KILL: "KIL",
  COMM: "COM",
  SPACE: "SPC",
};

/** The terminal text of one matrix cell, marked when a scenario's verdict in it rests on a stated assumption. */
function cellText(doc: CompareDoc, policy: string, property: string, kind: string): string {
  const a = aggregate(doc.cells, policy, property);
  const text = bareCellText(doc, a, policy, kind);
  return a.assumed.length > 0 ? `${text}${ASSUMED.symbol}` : text;
}

function bareCellText(
  doc: CompareDoc,
  a: ReturnType<typeof aggregate>,
  policy: string,
  kind: string,
): string {
  if (kind === "possibility")
    return a.verdict === "Sometimes" ? String(a.scenarios.length) : a.proved ? "0" : "0?";
  if (a.verdict !== "Never") return String(a.scenarios.length);
  if (!a.proved) return "?";
  // `v`: nothing was pinned in any scenario, so no proof of this row means anything;
  // where only some are vacuous the row's VAC column counts them.
  const all = doc.cells.filter((c) => c.policy === policy).length;
  return all > 0 && a.vacuous.length === all ? "v" : ".";
}

/** Whether any verdict or expectation of the document rests on a stated assumption. */
function anyAssumed(doc: CompareDoc): boolean {
  return doc.cells.some(
    (c) => c.verdicts.some((v) => v.assumption) || c.expectations.some((e) => e.assumption),
  );
}

/** `kill Never, comm-failure Never, assuming server answers within lease-break-time`, or "". */
function assumedText(cell: DocCell): string {
  const vs = cell.verdicts.filter((v) => v.assumption);
  const es = cell.expectations.filter(
    (e) => e.assumption && !vs.some((v) => e.text.includes(v.name)),
  );
  if (vs.length === 0 && es.length === 0) return "";
  const what = [
    ...vs.map((v) => `${v.name} ${v.verdict}`),
    ...es.map((e) => `'${e.text}' ${e.ok ? "met" : "failed"}`),
  ];
  const text = (vs[0]?.assumption ?? es[0]?.assumption)!;
  return `${what.join(", ")}, ${text}`;
}

/** How many of a policy's scenarios never pinned a page (their proofs are vacuous). */
function vacuousCount(doc: CompareDoc, policy: string): number {
  return doc.cells.filter((c) => c.policy === policy && c.vacuity).length;
}

export interface TextOptions {
  /** The per-scenario lines below the matrix (default true). */
  readonly drill?: boolean;
  /** Columns every line fits in: 100 for a terminal (default), 72 for a mail. */
  readonly width?: number;
}

export function renderCompareText(doc: CompareDoc, o: TextOptions = {}): string {
  const width = o.width ?? 100;
  const narrow = width < 80;
  const out: string[] = [];
  const t = doc.totals;
  out.push(
    ...wrap(
      `pinlab compare: ${doc.scenarios.length} scenarios x ${doc.policies.length} policies, every interleaving of each (${t.cells} checks, ${t.states.toLocaleString("en")} states)`,
      width,
      "",
      "  ",
    ),
  );
  out.push("");
  const pw = Math.max(6, ...doc.policies.map((p) => p.name.length));
  const code = (name: string) => {
    const c = short(name);
    return narrow ? (MAIL_SHORT[c] ?? c.slice(0, 3)) : c;
  };
  const groups = matrixColumns(doc)
    .map((cols, gi) => ({
      heading: GROUP_HEADINGS[gi]![1],
      cols: cols.map((c) => ({ ...c, code: code(c.name) })),
    }))
    .filter((g) => g.cols.length > 0);
  const cols = groups.flatMap((g) => g.cols);
  const colWidth = (c: { code: string }) => Math.max(c.code.length, 3);
  const groupText = (g: (typeof groups)[number], f: (c: (typeof cols)[number]) => string) =>
    g.cols.map((c) => f(c).padStart(colWidth(c))).join(" ");
  const sep = narrow ? " |" : " | ";
  const gap = narrow ? " " : "  ";
  const row = (f: (c: (typeof cols)[number]) => string) =>
    groups.map((g) => groupText(g, f)).join(sep);
  const headings = groups
    .map((g) => {
      const w = groupText(g, (c) => c.code).length;
      return `${g.heading} `.padEnd(w, "-").slice(0, w);
    })
    .join(sep);
  const anyVacuous = doc.policies.some((p) => vacuousCount(doc, p.name) > 0);
  // A mail has no room for the VAC column: the legend counts them instead.
  const vacColumn = anyVacuous && !narrow;
  const vacCol = (text: string) => (vacColumn ? `${sep}${text.padStart(3)}` : "");
  out.push(`${"".padEnd(pw)}${gap}${headings}${vacColumn ? sep.trimEnd() : ""}`);
  out.push(`${"".padEnd(pw)}${gap}${row((c) => c.code)}${vacCol("VAC")}`);
  for (const pol of doc.policies)
    out.push(
      `${pol.name.padEnd(pw)}${gap}${row((c) => cellText(doc, pol.name, c.name, c.kind))}${vacCol(String(vacuousCount(doc, pol.name) || "."))}`,
    );
  out.push("");
  const legend = (mark: string, text: string) =>
    out.push(...wrap(text, width, `  ${mark.padEnd(4)}`, "      "));
  legend(
    "N",
    "safety and costs: the event happens in N scenarios (shortest witnesses below); capabilities: it is possible in N scenarios",
  );
  legend(".", "never happens: proved over every reachable state of every scenario");
  if (anyVacuous) {
    const counts = doc.policies
      .map((p) => ({ p: p.name, n: vacuousCount(doc, p.name) }))
      .filter((x) => x.n > 0)
      .map((x) => `${x.n} under ${x.p}`)
      .join(", ");
    legend(
      vacColumn ? "VAC" : "vac",
      vacColumn
        ? `how many of the ${doc.scenarios.length} scenarios never pinned a page under the policy (every registration failed); there the row's proofs are vacuous, true only because nothing was pinned; listed below`
        : `scenarios (of ${doc.scenarios.length}) that never pinned a page, every registration having failed: ${counts}; there the row's proofs are vacuous, true only because nothing was pinned; listed below`,
    );
    legend("v", "never happens, but vacuously in every scenario");
  }
  legend("?", "does not happen in the states explored, but a bound was hit");
  if (anyAssumed(doc))
    legend(ASSUMED.symbol, `${ASSUMED.note}; the scenarios and what they assume are listed below`);
  const cw = Math.max(...cols.map((c) => c.code.length));
  for (const c of cols)
    out.push(
      ...wrap(`${c.name}: ${c.summary}`, width, `  ${c.code.padEnd(cw)} `, " ".repeat(cw + 3)),
    );
  if (doc.simulation) out.push("", ...costsText(doc, doc.simulation, pw, width, o.drill ?? true));
  if (o.drill ?? true) {
    out.push("");
    out.push(
      ...wrap(
        "by scenario (property and shortest witness length; pinlab check <scenario> --policy <p> prints it)",
        width,
      ),
    );
    const ind = " ".repeat(pw + 4);
    for (const sc of doc.scenarios) {
      out.push("");
      out.push(...wrap(`${sc.ref}  ${sc.title}`, width, "", "    "));
      for (const pol of doc.policies) {
        const cell = doc.cells.find((c) => c.scenario === sc.ref && c.policy === pol.name);
        if (!cell) continue;
        // Violations and costs, then the scenario's conditions that hold on some run.
        const bad = cell.verdicts.filter(
          (v) =>
            v.verdict === "Sometimes" &&
            ((v.kind !== "possibility" && doc.properties.some((p) => p.name === v.name)) ||
              v.name.startsWith('condition "')),
        );
        const failed = cell.expectations.filter((e) => !e.ok);
        const parts = bad.map((v) => `${v.name}(${v.witnessLength})`);
        const status = cell.status === "complete" ? "" : ` [incomplete: ${cell.reason}]`;
        const vac = cell.vacuity ? ` (vacuous: ${cell.vacuity})` : "";
        const assumed = assumedText(cell) && ` (${ASSUMED.symbol} ${assumedText(cell)})`;
        out.push(
          ...wrap(
            `${parts.length ? parts.join(" ") : "-"}${vac}${assumed}${status}${failed.length ? `   EXPECTATION FAILED: ${failed.map((e) => e.text).join("; ")}` : ""}`,
            width,
            `  ${pol.name.padEnd(pw)}  `,
            ind,
          ),
        );
      }
    }
  }
  out.push("");
  out.push(
    ...wrap(
      `expectations: ${t.expectationsMet} met, ${t.expectationsFailed} failed${t.expectationsUndecided ? `, ${t.expectationsUndecided} undecided` : ""}${t.incomplete ? `; ${t.incomplete} checks incomplete` : ""}`,
      width,
    ),
  );
  return `${out.join("\n")}\n`;
}

/**
 * Markdown for a mail or an issue: the matrix with the terminal's short
 * column codes (explained in a legend, so that a row stays short), then the
 * shortest witnesses with their replay tokens.
 */
export function renderCompareMarkdown(doc: CompareDoc): string {
  const out: string[] = [];
  out.push(`## pinlab: least bad options (${doc.scenarios.length} scenarios, every interleaving)`);
  out.push("");
  const cols = matrixColumns(doc).flat();
  const sim = doc.simulation;
  const costHead = sim ? ` ${COST_KEYS.map((k) => COST_COLUMNS[k].code).join(" | ")} |` : "";
  out.push(`| policy | ${cols.map((p) => short(p.name)).join(" | ")} |${costHead}`);
  out.push(
    `|---|${cols.map(() => "--:").join("|")}|${sim ? `${COST_KEYS.map(() => "--:").join("|")}|` : ""}`,
  );
  const costCells = (pol: string) =>
    sim ? ` ${COST_KEYS.map((k) => costCell(sim, pol, k)).join(" | ")} |` : "";
  // Each outcome its own mark (marks.ts): a cost is not drawn like corruption.
  const mdCell = (pol: string, p: (typeof cols)[number]) => {
    const a = aggregate(doc.cells, pol, p.name);
    // A `*` in a table cell is Markdown emphasis: escaped.
    const text = cellText(doc, pol, p.name, p.kind).replace(/\*$/, "\\*");
    return a.verdict === "Sometimes"
      ? `${OUTCOMES[outcomeOf(p, a.verdict, a.proved)].symbol} ${text}`
      : text;
  };
  for (const pol of doc.policies)
    out.push(
      `| ${pol.name} | ${cols.map((p) => mdCell(pol.name, p)).join(" | ")} |${costCells(pol.name)}`,
    );
  out.push("");
  if (sim) out.push(...costsMarkdown(sim));
  out.push(
    `- N: shown in N scenarios (for a capability: possible in N), marked ${(["violation", "hang", "cost", "possible"] as const).map((o) => `${OUTCOMES[o].symbol} ${OUTCOMES[o].note}`).join(", ")}`,
  );
  out.push("- `.`: proved never over every reachable state of every scenario");
  out.push("- `v`: proved never, but vacuously in every scenario: no page was ever pinned");
  out.push("- `?`: not shown, but a bound was hit");
  if (anyAssumed(doc)) out.push(`- \`${ASSUMED.symbol}\`: ${ASSUMED.note} (listed below)`);
  out.push("");
  for (const [g, heading] of GROUP_HEADINGS) {
    const mine = cols.filter((p) => (p.group ?? "safety") === g);
    if (mine.length === 0) continue;
    out.push(`**${heading}**`);
    out.push("");
    for (const p of mine) out.push(`- ${short(p.name)} \`${p.name}\`: ${p.summary}`);
    out.push("");
  }
  const vac = doc.cells.filter((c) => c.vacuity);
  if (vac.length > 0) {
    out.push("### Vacuous proofs");
    out.push("");
    for (const c of vac) out.push(`- ${c.policy} / \`${c.scenario}\`: ${c.vacuity}`);
    out.push("");
  }
  if (anyAssumed(doc)) {
    out.push("### Verdicts resting on stated assumptions");
    out.push("");
    for (const c of doc.cells) {
      const t = assumedText(c);
      if (t) out.push(`- ${c.policy} / \`${c.scenario}\`: ${t}`);
    }
    out.push("");
  }
  out.push("### Witnesses");
  out.push("");
  for (const pol of doc.policies) {
    for (const p of doc.properties) {
      if (p.kind === "possibility") continue;
      const a = aggregate(doc.cells, pol.name, p.name);
      if (!a.shortest) continue;
      const cell = doc.cells.find(
        (c) => c.scenario === a.shortest!.scenario && c.policy === pol.name,
      )!;
      const v = cell.verdicts.find((x) => x.name === p.name)!;
      out.push(
        `- **${pol.name} / ${p.name}** in \`${cell.scenario}\` (${v.witnessLength} steps, ${a.scenarios.length} scenario${a.scenarios.length === 1 ? "" : "s"}): ${v.message ?? ""}  `,
      );
      out.push(`  \`pinlab replay ${v.token}\``);
    }
  }
  out.push("");
  return `${out.join("\n")}\n`;
}

/** A cost cell: the policy's worst workload's mean and interval; "-" when none measured it. */
export function costCell(
  sim: CompareSimulation,
  policy: string,
  key: (typeof COST_KEYS)[number],
): string {
  const w = worstCost(sim, policy, key);
  if (!w) return "-";
  return intervalText(w.interval, COST_COLUMNS[key].seconds);
}

/** What the simulated columns are, in one sentence: seeds, horizon, means and intervals. */
export function simulationScope(sim: CompareSimulation): string {
  const seeds =
    sim.seeds === 1
      ? `seed ${sim.firstSeed}`
      : `seeds ${sim.firstSeed}-${sim.firstSeed + sim.seeds - 1}`;
  const horizon =
    sim.horizon !== null ? `${duration(sim.horizon)} each` : "each workload's own horizon";
  return `measured by simulation: ${sim.workloads.length} workload${sim.workloads.length === 1 ? "" : "s"} under each policy, ${seeds} (${horizon}); each figure is the mean over the seeds with its 95 % confidence interval [lo, hi], for the policy's worst workload (the highest mean)`;
}

/** The simulated costs in the terminal: one row per policy, as the matrix, then per workload. */
function costsText(
  doc: CompareDoc,
  sim: CompareSimulation,
  pw: number,
  width: number,
  drill: boolean,
): string[] {
  const out: string[] = [];
  const narrow = width < 80;
  const gap = narrow ? " " : "  ";
  // A mail has no room for the intervals in the table: the lines by workload give them.
  const texts = doc.policies.map((p) =>
    COST_KEYS.map((k) => {
      const t = costCell(sim, p.name, k);
      return narrow ? t.replace(/ \[.*\]$/, "") : t;
    }),
  );
  const widths = COST_KEYS.map((k, j) =>
    Math.max(COST_COLUMNS[k].code.length, ...texts.map((t) => t[j]!.length)),
  );
  const row = (cells: readonly string[]) => cells.map((c, j) => c.padStart(widths[j]!)).join(gap);
  const heading = "measured costs (simulated) ";
  const total = row(COST_KEYS.map((k) => COST_COLUMNS[k].code)).length;
  out.push(
    `${"".padEnd(pw)}${gap}${heading.padEnd(total, "-").slice(0, Math.max(total, heading.length))}`,
  );
  out.push(`${"".padEnd(pw)}${gap}${row(COST_KEYS.map((k) => COST_COLUMNS[k].code))}`);
  doc.policies.forEach((p, i) => {
    out.push(`${p.name.padEnd(pw)}${gap}${row(texts[i]!)}`);
  });
  out.push("");
  out.push(
    ...wrap(
      `${simulationScope(sim)}${narrow ? "; the intervals are in the lines by workload below (and in --json)" : ""}`,
      width,
      "  ",
      "  ",
    ),
  );
  const cw = Math.max(...COST_KEYS.map((k) => COST_COLUMNS[k].code.length));
  for (const k of COST_KEYS)
    out.push(
      ...wrap(
        COST_COLUMNS[k].summary,
        width,
        `  ${COST_COLUMNS[k].code.padEnd(cw)} `,
        " ".repeat(cw + 3),
      ),
    );
  const unsafe = sim.costs.flatMap((c) => c.violations.map((v) => ({ c, v })));
  if (unsafe.length > 0) {
    out.push("");
    out.push(...wrap("violations the simulations found (shrunk; check confirms each):", width));
    for (const { c, v } of unsafe)
      out.push(
        ...wrap(
          `${c.policy} / ${v.property} in ${c.workload}, seed ${v.seed} at ${duration(v.time)}, ${v.steps} steps: pinlab replay ${v.token}`,
          width,
          "  ",
          "    ",
        ),
      );
  }
  for (const n of sim.notes) out.push(...wrap(`note: ${n}`, width, "  ", "    "));
  if (drill) {
    out.push("");
    out.push(...wrap("by workload (the figures behind the worst ones above)", width));
    for (const w of sim.workloads) {
      out.push("");
      out.push(...wrap(`${w.ref}  ${w.title}  (${duration(w.horizon)})`, width, "", "    "));
      for (const p of doc.policies) {
        const c = sim.costs.find((x) => x.workload === w.ref && x.policy === p.name);
        if (!c) continue;
        const parts = COST_KEYS.map((k) => {
          const i = c[k];
          return `${COST_COLUMNS[k].code} ${i ? intervalText(i, COST_COLUMNS[k].seconds) : "-"}`;
        });
        out.push(...wrap(parts.join(", "), width, `  ${p.name.padEnd(pw)}  `, " ".repeat(pw + 4)));
      }
    }
  }
  return out;
}

/** The simulated columns' legend and violations, for Markdown. */
function costsMarkdown(sim: CompareSimulation): string[] {
  const out: string[] = [];
  out.push(`Measured costs: ${simulationScope(sim)}.`);
  out.push("");
  for (const k of COST_KEYS) out.push(`- ${COST_COLUMNS[k].code}: ${COST_COLUMNS[k].summary}`);
  for (const n of sim.notes) out.push(`- note: ${n}`);
  out.push("");
  const unsafe = sim.costs.flatMap((c) => c.violations.map((v) => ({ c, v })));
  if (unsafe.length > 0) {
    out.push("### Violations found by simulation");
    out.push("");
    for (const { c, v } of unsafe)
      out.push(
        `- **${c.policy} / ${v.property}** in \`${c.workload}\`, seed ${v.seed} at ${duration(v.time)} (${v.steps} steps)  `,
        `  \`pinlab replay ${v.token}\``,
      );
    out.push("");
  }
  return out;
}
