/**
 * The comparison document (schema `pinlab.compare/1`) and its text and
 * Markdown renderings: the least-bad-options matrix, rows policies, columns
 * properties, each cell backed by the scenarios and shortest witnesses behind it.
 */
import type { Cell } from "../engine/cell.js";
import { aggregate, COMPARE_SCHEMA } from "../engine/compare.js";
import { actionLane } from "../engine/describe.js";
import { runSchedule } from "../engine/exec.js";
import { propertiesFor, systemFromArg } from "../engine/model-system.js";
import type { ScenarioSpec } from "../model/spec.js";
import { POLICIES } from "../policies/index.js";
import { PROPERTIES } from "../properties/index.js";
import { specHash } from "../scenario/source-hash.js";
import { actorOf, describeStep } from "./trace.js";

export interface DocStep {
  readonly n: number;
  readonly actor: string;
  /** Sequence-diagram lane: `proc:NAME`, `peer:NAME`, `nic` or `kernel`. */
  readonly lane: string;
  readonly text: string;
  readonly reactions: readonly string[];
  readonly marks: readonly string[];
}

export interface DocScenario {
  readonly ref: string;
  readonly title: string;
  readonly file: string | null;
  /** The lanes of its sequence diagrams, in order. */
  readonly lanes: readonly string[];
  /** Its content hash (as in `comparison.scenarios[]`). */
  readonly hash: string;
  /** The `.pin` text it was parsed from (null: a scenario built into pinlab). */
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

/** Renders a cell's witnesses as steps (replaying them through the model). */
function withSteps(cell: Cell, spec: ScenarioSpec): DocCell {
  const sys = systemFromArg({ spec, policy: cell.policy, params: cell.params });
  const m = sys.model;
  const props = propertiesFor(spec);
  const lane = (a: number): string => {
    const l = actionLane(a);
    if (l.kind === "proc") return `proc:${m.procs[l.index]!.name}`;
    if (l.kind === "peer") return `peer:${m.peers[l.index]!.name}`;
    return l.kind;
  };
  return {
    ...cell,
    verdicts: cell.verdicts.map((v) => {
      if (!v.witness) return { ...v, steps: null };
      const run = runSchedule(m, { actions: v.witness, properties: props });
      const marks = new Map<number, string[]>();
      for (const [name, occ] of run.occurrences)
        if (occ.step > 0) marks.set(occ.step, [...(marks.get(occ.step) ?? []), name]);
      const steps = run.steps.map((st) => {
        const d = describeStep(m, st);
        return {
          n: st.n,
          actor: actorOf(m, st.action),
          lane: lane(st.action),
          text: d.line,
          reactions: d.reactions,
          marks: marks.get(st.n) ?? [],
        };
      });
      return { ...v, steps };
    }),
  };
}

/**
 * The document of checked cells. `scenarios` holds the scenarios of these
 * cells (a map of bare specs: built-in scenarios, hashed by `specHash`).
 * Without a `comparison`, the cells are taken to be the whole of it, at an
 * unknown version of pinlab.
 */
export function buildDoc(
  cells: readonly Cell[],
  scenarios: ReadonlyMap<string, ScenarioInput> | ReadonlyMap<string, ScenarioSpec>,
  shard: { index: number; count: number } | null,
  comparison?: Comparison,
): CompareDoc {
  const inputs = new Map<string, ScenarioInput>();
  for (const [ref, x] of scenarios)
    inputs.set(ref, "hash" in x ? x : { spec: x, source: null, hash: specHash(x) });
  const docCells = cells.map((c) => withSteps(c, inputs.get(c.scenario)!.spec));
  const whole: Comparison = comparison ?? {
    pinlab: "unknown",
    scenarios: [...inputs].map(([ref, x]) => ({ ref, hash: x.hash })),
    policies: [...new Map(cells.map((c) => [c.policy, c.params])).entries()].map(
      ([name, params]) => ({ name, params }),
    ),
    bounds: { maxStates: null, maxTimeMs: null },
  };
  return assembleDoc(docCells, inputs, shard, whole);
}

/** Puts rendered cells together and seals the document with its digest. */
function assembleDoc(
  cells: readonly DocCell[],
  inputs: ReadonlyMap<string, ScenarioInput>,
  shard: { index: number; count: number } | null,
  comparison: Comparison,
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
    policies: POLICIES.filter((p) => usedPolicies.has(p.name)).map((p) => ({
      name: p.name,
      summary: p.summary,
      source: p.source,
    })),
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

/** The terminal text of one matrix cell. */
function cellText(doc: CompareDoc, policy: string, property: string, kind: string): string {
  const a = aggregate(doc.cells, policy, property);
  if (kind === "possibility")
    return a.verdict === "Sometimes" ? String(a.scenarios.length) : a.proved ? "0" : "0?";
  if (a.verdict === "Never") return a.proved ? "." : "?";
  return String(a.scenarios.length);
}

export function renderCompareText(doc: CompareDoc, o: { drill?: boolean } = {}): string {
  const out: string[] = [];
  const t = doc.totals;
  out.push(
    `pinlab compare: ${doc.scenarios.length} scenarios x ${doc.policies.length} policies, every interleaving of each (${t.cells} checks, ${t.states.toLocaleString("en")} states)`,
  );
  out.push("");
  const pw = Math.max(6, ...doc.policies.map((p) => p.name.length));
  const groups = matrixColumns(doc)
    .map((cols, gi) => ({
      heading: GROUP_HEADINGS[gi]![1],
      cols: cols.map((c) => ({ ...c, code: short(c.name) })),
    }))
    .filter((g) => g.cols.length > 0);
  const cols = groups.flatMap((g) => g.cols);
  const width = (c: { code: string }) => Math.max(c.code.length, 3);
  const groupText = (g: (typeof groups)[number], f: (c: (typeof cols)[number]) => string) =>
    g.cols.map((c) => f(c).padStart(width(c))).join(" ");
  const row = (f: (c: (typeof cols)[number]) => string) =>
    groups.map((g) => groupText(g, f)).join(" | ");
  const headings = groups
    .map((g) => {
      const w = groupText(g, (c) => c.code).length;
      return `${g.heading} `.padEnd(w, "-").slice(0, w);
    })
    .join(" | ");
  out.push(`${"".padEnd(pw)}  ${headings}`);
  out.push(`${"".padEnd(pw)}  ${row((c) => c.code)}`);
  for (const pol of doc.policies)
    out.push(`${pol.name.padEnd(pw)}  ${row((c) => cellText(doc, pol.name, c.name, c.kind))}`);
  out.push("");
  out.push("  N  safety and costs: the event happens in N scenarios (shortest witnesses below);");
  out.push("     capabilities: it is possible in N scenarios");
  out.push("  .  never happens: proved over every reachable state of every scenario");
  out.push("  ?  does not happen in the states explored, but a bound was hit");
  for (const c of cols) out.push(`  ${c.code.padEnd(5)} ${c.name}: ${c.summary}`);
  if (o.drill ?? true) {
    out.push("");
    out.push(
      "by scenario (property and shortest witness length; pinlab check <scenario> --policy <p> prints it)",
    );
    for (const sc of doc.scenarios) {
      out.push("");
      out.push(`${sc.ref}  ${sc.title}`);
      for (const pol of doc.policies) {
        const cell = doc.cells.find((c) => c.scenario === sc.ref && c.policy === pol.name);
        if (!cell) continue;
        const bad = cell.verdicts.filter(
          (v) =>
            v.verdict === "Sometimes" &&
            v.kind !== "possibility" &&
            doc.properties.some((p) => p.name === v.name),
        );
        const failed = cell.expectations.filter((e) => !e.ok);
        const parts = bad.map((v) => `${v.name}(${v.witnessLength})`);
        const status = cell.status === "complete" ? "" : ` [incomplete: ${cell.reason}]`;
        out.push(
          `  ${pol.name.padEnd(pw)}  ${parts.length ? parts.join(" ") : "-"}${status}${failed.length ? `   EXPECTATION FAILED: ${failed.map((e) => e.text).join("; ")}` : ""}`,
        );
      }
    }
  }
  out.push("");
  out.push(
    `expectations: ${t.expectationsMet} met, ${t.expectationsFailed} failed${t.expectationsUndecided ? `, ${t.expectationsUndecided} undecided` : ""}${t.incomplete ? `; ${t.incomplete} checks incomplete` : ""}`,
  );
  return `${out.join("\n")}\n`;
}

/** Markdown for a mail or an issue: the matrix with full names, then the witnesses with replay tokens. */
export function renderCompareMarkdown(doc: CompareDoc): string {
  const out: string[] = [];
  out.push(`## pinlab: least bad options (${doc.scenarios.length} scenarios, every interleaving)`);
  out.push("");
  out.push(`| policy | ${doc.properties.map((p) => p.name).join(" | ")} |`);
  out.push(`|---|${doc.properties.map(() => "---").join("|")}|`);
  for (const pol of doc.policies) {
    const cells = doc.properties.map((p) => {
      const a = aggregate(doc.cells, pol.name, p.name);
      if (a.verdict === "Never") return a.proved ? "Never" : "Never so far";
      return `Sometimes (${a.scenarios.length}: ${a.shortest!.scenario}, ${a.shortest!.length} steps)`;
    });
    out.push(`| ${pol.name} | ${cells.join(" | ")} |`);
  }
  out.push("");
  out.push(
    "Sometimes (n: s, k steps) = shown in n scenarios; the shortest witness is k steps in scenario s.",
  );
  out.push("Never = proved over every reachable state of every scenario.");
  out.push("");
  out.push("### Witnesses");
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
        `- **${pol.name} / ${p.name}** in \`${cell.scenario}\` (${v.witnessLength} steps): ${v.message ?? ""}  `,
      );
      out.push(`  \`pinlab replay ${v.token}\``);
    }
  }
  out.push("");
  return `${out.join("\n")}\n`;
}
