/**
 * `check` for the kernel model: explores every interleaving of a scenario
 * under a policy and turns the explorer's findings into herd7-style verdicts
 * (Never / Sometimes) with shortest witnesses, and judges the scenario's
 * expectations against them.
 */
import type { Model } from "../../model/layout.js";
import type { Bounds, Expectation } from "../../model/spec.js";
import { enabled, step } from "../../model/step.js";
import type { Property } from "../../properties/property.js";
import { type BoundedNote, boundedOf, type Coverage, readCoverage } from "../adapter/coverage.js";
import { type ModelSystemArg, propertiesFor, systemFromArg } from "../adapter/model-system.js";
import { type LivenessReason, livenessReason, witnessReason } from "../adapter/reason.js";
import { findSymmetry } from "../adapter/symmetry.js";
import { explore } from "../explore/explore.js";
import type { ExploreOptions, ExploreResult } from "../explore/types.js";
import { applicable, expectationText, judgedName, quantifierOf } from "../run/expect.js";
import { assumptionText } from "./assume.js";
import { alwaysDetail } from "./rejudge.js";

export type Verdict = "Never" | "Sometimes";

export interface PropertyVerdict {
  readonly name: string;
  readonly kind: "safety" | "liveness" | "possibility";
  readonly summary: string;
  readonly verdict: Verdict;
  /** Whether "Never" is a proof (the exploration was complete). */
  readonly proved: boolean;
  /** Shortest action sequence that shows it (for liveness: to the dead end, or prefix + cycle). */
  readonly witness?: readonly number[];
  readonly lasso?: { readonly prefix: readonly number[]; readonly cycle: readonly number[] };
  /**
   * A proof that holds only because the scenario's registrations never
   * succeeded (no page was ever pinned), so nothing the property watches
   * could happen: see `CheckResult.vacuity`.
   */
  readonly vacuous?: boolean;
  /** For a liveness witness: which call never returns, what it waits for, who holds it, how the run ends. */
  readonly reason?: LivenessReason;
  /**
   * The verdict holds only under the scenario's assumptions ("assuming
   * holders answer within lease-break-time"): without them it differs.
   */
  readonly assumption?: string;
}

export interface CheckedExpectation {
  readonly expectation: Expectation;
  readonly text: string;
  readonly ok: boolean;
  readonly undecided: boolean;
  readonly detail: string;
  /** For a refuted `always`: a run without the property (to its end, or prefix + cycle). */
  readonly witness?: readonly number[];
  readonly lasso?: { readonly prefix: readonly number[]; readonly cycle: readonly number[] };
  /** For a refuted `always`: why that run never gets the property (how it ends, and any call left blocked). */
  readonly reason?: string;
  /** Met (or failed) only under the scenario's assumptions: without them the judgement differs. */
  readonly assumption?: string;
}

export interface CheckResult {
  readonly arg: ModelSystemArg;
  /** The compiled model that was explored, and the properties judged (for replaying witnesses). */
  readonly model: Model;
  readonly properties: readonly Property[];
  readonly explore: ExploreResult;
  readonly verdicts: readonly PropertyVerdict[];
  readonly expectations: readonly CheckedExpectation[];
  /** Which operations ran in the explored states, and which never did. */
  readonly coverage: Coverage | null;
  /**
   * What of the scenario the search bounded (replica groups cut to `bounds
   * replicas` copies, repeating tails run `bounds repeats` times), or null:
   * every verdict holds for the bounded scenario.
   */
  readonly bounded: BoundedNote | null;
  /** Why the Never verdicts marked `vacuous` are empty proofs ("no page was ever pinned: unreached ..."), or null. */
  readonly vacuity: string | null;
  /** 0 every expectation met, 1 one failed, 3 incomplete. */
  readonly exit: 0 | 1 | 3;
}

export async function checkScenario(
  arg: ModelSystemArg,
  opts: ExploreOptions = {},
): Promise<CheckResult> {
  const main = await exploreOnce(arg, opts);
  // A scenario that states assumptions is explored again without them: each
  // verdict or expectation that differs rests on them and says so.
  const stated = arg.spec.assumptions ?? [];
  if (stated.length === 0) return main;
  const dropped = await exploreOnce({ ...arg, spec: { ...arg.spec, assumptions: [] } }, opts);
  const text = assumptionText(stated);
  const without = new Map(dropped.verdicts.map((v) => [v.name, v.verdict]));
  const verdicts = main.verdicts.map((v) =>
    without.get(v.name) !== undefined && without.get(v.name) !== v.verdict
      ? { ...v, assumption: text }
      : v,
  );
  const expectations = main.expectations.map((e, i) => {
    const d = dropped.expectations[i];
    return d && d.ok !== e.ok ? { ...e, assumption: text } : e;
  });
  return { ...main, verdicts, expectations };
}

/** One exploration of the scenario as stated, judged. */
async function exploreOnce(arg: ModelSystemArg, opts: ExploreOptions): Promise<CheckResult> {
  const sys = systemFromArg(arg);
  const props = propertiesFor(arg.spec);
  const res = await explore(
    opts.workers && opts.workers > 1 ? sys.factory! : sys,
    withScenarioBounds(opts, arg.spec.bounds),
  );
  const complete = res.status === "complete";
  const coverage = res.coverage
    ? readCoverage(
        sys.model,
        res.coverage,
        res.reductions.symmetry ? findSymmetry(sys.model) : null,
      )
    : null;
  // Every registration failed: safety and cost properties, all about pins, had nothing to watch.
  const vacuity = vacuityOf(coverage, complete);
  const verdicts: PropertyVerdict[] = props.map((p, i) => {
    const found = res.properties[i];
    const live = p.pending ? res.liveness[sys.obligations!.indexOf(p.name)] : undefined;
    const shownByEnd = found?.shown === true;
    const shownByCycle = live?.violated === true && live.lasso !== undefined;
    const shown = shownByEnd || shownByCycle;
    const base = { name: p.name, kind: p.kind, summary: p.summary, proved: complete };
    if (!shown)
      return {
        ...base,
        verdict: "Never" as const,
        ...(isVacuous(vacuity, p.group, "Never") ? { vacuous: true } : {}),
      };
    if (shownByEnd && found?.witness) {
      const reason = p.kind === "liveness" ? witnessReason(sys.model, found.witness, null) : null;
      return {
        ...base,
        verdict: "Sometimes" as const,
        witness: found.witness,
        ...(reason ? { reason } : {}),
      };
    }
    const witness = [...live!.lasso!.prefix, ...live!.lasso!.cycle];
    const reason = witnessReason(sys.model, witness, live!.lasso!.cycle.length);
    return {
      ...base,
      verdict: "Sometimes" as const,
      witness,
      lasso: live!.lasso!,
      ...(reason ? { reason } : {}),
    };
  });
  const byName = new Map(verdicts.map((v) => [v.name, v]));
  const expectations = applicable(sys.model.spec.expectations, arg.policy).map(
    (e): CheckedExpectation => {
      const text = expectationText(e);
      const judged = (ok: boolean, undecided: boolean, detail: string) => ({
        expectation: e,
        text,
        ok,
        undecided,
        detail,
      });
      const name = judgedName(e);
      const v = byName.get(name);
      if (!v) return judged(false, false, `no property ${name}`);
      const quant = quantifierOf(e);
      if (quant === "always") {
        const k = sys.obligations?.indexOf(`always ${name}`) ?? -1;
        const l = k >= 0 ? res.liveness[k] : undefined;
        if (!l) return judged(true, true, "'always' is judged only for properties shown by a step");
        if (l.violated) {
          const witness = l.lasso ? [...l.lasso.prefix, ...l.lasso.cycle] : (l.witness ?? []);
          return {
            ...judged(false, false, alwaysDetail(witness.length, l.lasso !== undefined)),
            witness,
            ...(l.lasso ? { lasso: l.lasso } : {}),
            reason: withoutReason(sys.model, name, witness, l.lasso ? l.lasso.cycle.length : null),
          };
        }
        if (!complete) return judged(true, true, "not refuted, but the exploration is incomplete");
        return judged(true, false, `on every run, proved over ${res.stats.states} states`);
      }
      const shown = v.verdict === "Sometimes";
      const states = res.stats.states;
      if (quant === "never") {
        if (shown) return judged(false, false, `shown in ${v.witness!.length} steps`);
        if (!complete) return judged(true, true, "not shown, but the exploration is incomplete");
        return judged(true, false, `proved over ${states} states`);
      }
      if (shown) return judged(true, false, `witness of ${v.witness!.length} steps`);
      if (!complete) return judged(true, true, "not shown yet; the exploration is incomplete");
      return judged(false, false, `impossible: never shown in ${states} states`);
    },
  );
  const failed = expectations.some((e) => !e.ok);
  const exit = failed ? 1 : complete ? 0 : 3;
  return {
    arg,
    model: sys.model,
    properties: props,
    explore: res,
    verdicts,
    expectations,
    coverage,
    bounded: boundedOf(sys.model),
    vacuity,
    exit,
  };
}

/** Why a run refuting `always P` never shows P: it stops, or loops, without it. */
function withoutReason(m: Model, p: string, witness: readonly number[], cycle: number | null) {
  let s = m.init;
  for (const a of witness) s = step(m, s, a, null);
  const en = cycle === null ? enabled(m, s) : [];
  const how =
    cycle !== null
      ? `the last ${cycle} step${cycle === 1 ? "" : "s"} repeat for ever`
      : en.length === 0
        ? "it ends: nothing can move"
        : "it ends: nothing can move but an injected fault, which need not happen";
  const blocked = livenessReason(m, s, cycle);
  return `${p} never happens on this run: ${how}${blocked ? `; ${blocked.text}` : ""}`;
}

/**
 * Why a cell's safety and cost Nevers are empty proofs: a complete search in
 * which every registration of a scenario that registers memory failed.
 */
export function vacuityOf(coverage: Coverage | null, complete: boolean): string | null {
  if (!complete || !coverage?.registers || coverage.registered) return null;
  return `no page was ever pinned${coverage.unreached.length ? `: unreached ${coverage.unreached.join(", ")}` : ""}`;
}

/** Whether a verdict is vacuous in a cell with this vacuity. */
export function isVacuous(
  vacuity: string | null,
  group: Property["group"],
  verdict: Verdict,
): boolean {
  return vacuity !== null && verdict === "Never" && (group === "safety" || group === "cost");
}

/**
 * The scenario's own `bounds` apply unless the caller gives the same bound
 * (a command-line `--max-states` overrides the file's `max_states`).
 */
export function withScenarioBounds(opts: ExploreOptions, b: Bounds): ExploreOptions {
  return {
    ...opts,
    ...(opts.maxStates === undefined && b.maxStates !== undefined
      ? { maxStates: b.maxStates }
      : {}),
    ...(opts.maxDepth === undefined && b.maxDepth !== undefined ? { maxDepth: b.maxDepth } : {}),
  };
}
