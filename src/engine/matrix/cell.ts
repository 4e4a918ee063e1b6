/**
 * One cell of the policy × scenario matrix: `check` of one scenario under one
 * policy, reduced to plain data (verdicts, witnesses as action lists, replay
 * tokens, expectations), so that cells can cross worker threads, be written
 * to shard files and be merged.
 */
import type { Model } from "../../model/layout.js";
import type { ScenarioSpec } from "../../model/spec.js";
import { policyOrigin } from "../../policies/index.js";
import type { Property } from "../../properties/property.js";
import type { Coverage } from "../adapter/coverage.js";
import type { LivenessReason } from "../adapter/reason.js";
import { checkScenario } from "../check/check.js";
import { verdictClaim } from "../check/rejudge.js";
import { encodeToken, type TokenScenario, type WitnessClaim } from "../explore/token.js";
import type { ExploreOptions, ExploreStats } from "../explore/types.js";
import { type RunResult, runSchedule } from "../run/exec.js";

export interface CellJob {
  /** What the user calls the scenario (a bundled name or a path). */
  readonly ref: string;
  /** Where replay tokens find the scenario: its bundled name or its text, with its hash. */
  readonly origin: TokenScenario;
  readonly spec: ScenarioSpec;
  readonly policy: string;
  readonly params: Readonly<Record<string, string>>;
}

export interface CellVerdict {
  readonly name: string;
  readonly kind: "safety" | "liveness" | "possibility";
  readonly verdict: "Never" | "Sometimes";
  readonly proved: boolean;
  readonly witnessLength: number | null;
  readonly lasso: { readonly prefix: number; readonly cycle: number } | null;
  readonly token: string | null;
  readonly message: string | null;
  /** The shortest witness as actions from the initial state (replayed by reports). */
  readonly witness: readonly number[] | null;
  /** A Never that holds only because no page was ever pinned (the cell's `vacuity` says why). */
  readonly vacuous: boolean;
  /** For a liveness witness: why it never ends (the call, what it waits for, who holds it). */
  readonly reason: LivenessReason | null;
  /** The verdict holds only under the scenario's stated assumptions ("assuming ..."), else null. */
  readonly assumption: string | null;
}

export interface Cell {
  readonly scenario: string;
  readonly title: string;
  readonly file: string | null;
  readonly policy: string;
  readonly params: Readonly<Record<string, string>>;
  readonly status: "complete" | "incomplete";
  readonly reason: string | null;
  readonly stats: ExploreStats;
  readonly verdicts: readonly CellVerdict[];
  readonly expectations: readonly {
    text: string;
    ok: boolean;
    undecided: boolean;
    detail: string;
    /** Met (or failed) only under the scenario's stated assumptions ("assuming ..."), else null. */
    assumption: string | null;
  }[];
  /** Operations that ran in the explored states and those that never did (null: not recorded). */
  readonly coverage: Coverage | null;
  /** Why this cell's vacuous Nevers are empty proofs, e.g. "no page was ever pinned: unreached peer.rdma_write". */
  readonly vacuity: string | null;
  readonly exit: 0 | 1 | 3;
}

/** The replay token of a cell's witness (merge makes it again from a shard's witness, and compares). */
export function witnessToken(
  job: CellJob,
  claim: WitnessClaim,
  actions: readonly number[],
): string {
  return encodeToken({
    scenario: job.origin,
    policy: job.policy,
    plugin: policyOrigin(job.policy) ?? null,
    params: job.params,
    claim,
    actions: [...actions],
  });
}

/** The cell verdict of a property with no witness (a Never, proved or not). */
export function unwitnessed(
  v: Pick<CellVerdict, "name" | "kind" | "verdict" | "proved">,
  vacuous: boolean,
  assumption: string | null = null,
): CellVerdict {
  return {
    name: v.name,
    kind: v.kind,
    verdict: v.verdict,
    proved: v.proved,
    witnessLength: null,
    lasso: null,
    token: null,
    message: null,
    witness: null,
    vacuous,
    reason: null,
    assumption,
  };
}

/**
 * A checked cell with what its witnesses were replayed in: the compiled
 * model, the properties and each witness's replay, so that the thread that
 * checked the cell can render it further without compiling or replaying again.
 */
export interface CheckedCell {
  readonly cell: Cell;
  readonly model: Model;
  readonly properties: readonly Property[];
  /** Each witness's replay, by property name; with every state when asked for (`keepStates`). */
  readonly replays: ReadonlyMap<string, RunResult>;
}

/** Checks one cell and renders its witnesses. */
export async function runCell(job: CellJob, opts: ExploreOptions = {}): Promise<Cell> {
  return (await checkCell(job, opts)).cell;
}

/** Checks one cell, keeping its model and witness replays (with their states if `keepStates`). */
export async function checkCell(
  job: CellJob,
  opts: ExploreOptions = {},
  keepStates = false,
): Promise<CheckedCell> {
  const arg = { spec: job.spec, policy: job.policy, params: job.params };
  const r = await checkScenario(arg, opts);
  const { model, properties: props } = r;
  const replays = new Map<string, RunResult>();
  const verdicts: CellVerdict[] = r.verdicts.map((v) => {
    if (!v.witness) return unwitnessed(v, v.vacuous ?? false, v.assumption ?? null);
    const run = runSchedule(model, { actions: v.witness, properties: props, keepStates });
    replays.set(v.name, run);
    return {
      name: v.name,
      kind: v.kind,
      verdict: v.verdict,
      proved: v.proved,
      witnessLength: v.witness.length,
      lasso: v.lasso ? { prefix: v.lasso.prefix.length, cycle: v.lasso.cycle.length } : null,
      token: witnessToken(job, verdictClaim(v), v.witness),
      message: v.reason?.text ?? run.occurrences.get(v.name)?.message ?? null,
      witness: v.witness,
      vacuous: false,
      reason: v.reason ?? null,
      assumption: v.assumption ?? null,
    };
  });
  const cell: Cell = {
    scenario: job.ref,
    title: job.spec.name,
    file: job.spec.file ?? null,
    policy: job.policy,
    params: job.params,
    status: r.explore.status,
    reason: r.explore.reason ?? null,
    stats: r.explore.stats,
    verdicts,
    expectations: r.expectations.map((e) => ({
      text: e.text,
      ok: e.ok,
      undecided: e.undecided,
      detail: e.detail,
      assumption: e.assumption ?? null,
    })),
    coverage: r.coverage,
    vacuity: r.vacuity,
    exit: r.exit,
  };
  return { cell, model, properties: props, replays };
}
