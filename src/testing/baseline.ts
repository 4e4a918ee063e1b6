/**
 * What the engine's results on a scenario come to, in a form recorded once and
 * compared afterwards: state and transition counts, dead ends, and per
 * property its verdict with the witness (length and a hash of its actions),
 * per obligation its lasso. Faster searches must reproduce these exactly.
 */
import { readdirSync, readFileSync } from "node:fs";
import { replicas } from "../bench/check-bench.js";
import { checkScenario } from "../engine/check/check.js";
import type { ExploreOptions } from "../engine/explore/types.js";
import type { ScenarioSpec } from "../model/spec.js";
import { POLICY_NAMES } from "../policies/index.js";
import { parseScenario } from "../scenario/pin.js";
import { sourceHash } from "../scenario/source-hash.js";

/** The bundled `.pin` library of the source tree, found from dist/testing/ where tests run. */
export const SCENARIO_DIR = new URL("../../scenarios/", import.meta.url);

export interface BundledPin {
  readonly name: string;
  readonly hash: string;
  readonly spec: ScenarioSpec;
}

/** Every bundled scenario that parses (or those of another directory of the tree), with the hash of its text. */
export function bundledSpecs(dir: URL = SCENARIO_DIR): BundledPin[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".pin"))
    .sort()
    .flatMap((f) => {
      const text = readFileSync(new URL(f, dir), "utf8");
      const r = parseScenario(text, f);
      return r.spec ? [{ name: f.slice(0, -4), hash: sourceHash(text), spec: r.spec }] : [];
    });
}

/** FNV-1a over a list of actions: witnesses compared without storing them whole. */
export function actionsHash(xs: readonly number[]): string {
  let h = 0x811c9dc5;
  for (const x of xs) {
    h ^= x & 0xffff;
    h = Math.imul(h, 0x01000193);
    h ^= x >>> 16;
    h = Math.imul(h, 0x01000193);
  }
  return `${xs.length}:${(h >>> 0).toString(16).padStart(8, "0")}`;
}

/** One cell: a scenario under a policy, with or without reductions. */
export type CellSummary = Record<string, string | number>;

export async function summarise(
  spec: ScenarioSpec,
  policy: string,
  opts: ExploreOptions,
): Promise<CellSummary> {
  const r = await checkScenario({ spec, policy, params: {} }, opts);
  const e = r.explore;
  const out: CellSummary = {
    status: e.status,
    states: e.stats.states,
    transitions: e.stats.transitions,
    depth: e.stats.depth,
    deadlocks: `${e.deadlocks.count} ${e.deadlocks.witness ? actionsHash(e.deadlocks.witness) : "-"}`,
    exit: r.exit,
  };
  for (const v of r.verdicts)
    out[v.name] =
      v.verdict === "Never"
        ? "Never"
        : `Sometimes ${actionsHash(v.witness ?? [])}${v.lasso ? ` cycle ${v.lasso.cycle.length}` : ""}`;
  for (const l of e.liveness)
    out[`live ${l.name}`] = l.violated
      ? `${l.deadEnd ? "dead-end" : "lasso"} ${actionsHash(l.witness ?? [])}`
      : "holds";
  return out;
}

/** The searches the baseline records per cell: the default (reductions on) and unreduced. */
export const BASELINE_MODES: Readonly<Record<string, ExploreOptions>> = {
  reduced: { reduce: true },
  unreduced: { reduce: false },
};

export { POLICY_NAMES };

/**
 * The scenarios grown from `replicas.pin` that the baseline records besides
 * the library: N server/client pairs x P pages (bench/check-bench.ts).
 */
export const GROWN: readonly (readonly [number, number])[] = [
  [2, 2],
  [3, 1],
];

/** The property names a recording knew: a name among them missing from a cell is a Never. */
export interface Baseline {
  readonly properties: readonly string[];
  /** scenario -> hash of its text (cells of a scenario whose text changed are not compared). */
  readonly hashes: Record<string, string>;
  /** "scenario policy mode" -> cell, Never verdicts left out. */
  readonly cells: Record<string, CellSummary>;
}

/** A cell without its Never verdicts (they are implied by the baseline's property list). */
export function compact(c: CellSummary): CellSummary {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== "Never"));
}

/**
 * What differs between a recorded cell and a new one: every recorded field,
 * and every property the recording knew (Never when absent).
 */
export function differences(
  known: readonly string[],
  recorded: CellSummary,
  now: CellSummary,
): string[] {
  const out: string[] = [];
  const keys = new Set([...Object.keys(recorded), ...known]);
  for (const k of keys) {
    const want = recorded[k] ?? (known.includes(k) ? "Never" : undefined);
    const got = now[k] ?? (known.includes(k) ? "Never" : undefined);
    if (want !== got) out.push(`${k}: recorded ${want}, now ${got}`);
  }
  return out;
}

/** Where the recording lives in the source tree (tests run from dist/). */
export const BASELINE_FILE = new URL("../../src/engine/check/baseline.json", import.meta.url);

/** Every scenario the baseline covers: the bundled library, then the grown ones. */
export function baselineScenarios(): BundledPin[] {
  const grown = GROWN.map(([n, p]) => ({
    name: `grown-${n}x${p}`,
    hash: "builder",
    spec: replicas(n, p),
  }));
  return [...bundledSpecs(), ...grown];
}
