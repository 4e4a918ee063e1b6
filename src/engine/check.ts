/**
 * `check` for the kernel model: explores every interleaving of a scenario
 * under a policy and turns the explorer's findings into herd7-style verdicts
 * (Never / Sometimes) with shortest witnesses, and judges the scenario's
 * expectations against them.
 */
import type { Model } from "../model/layout.js";
import type { Bounds, Expectation } from "../model/spec.js";
import type { Property } from "../properties/property.js";
import { applicable, expectationText } from "./expect.js";
import { explore } from "./explore/explore.js";
import type { ExploreOptions, ExploreResult } from "./explore/types.js";
import { type ModelSystemArg, propertiesFor, systemFromArg } from "./model-system.js";

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
}

export interface CheckedExpectation {
  readonly expectation: Expectation;
  readonly text: string;
  readonly ok: boolean;
  readonly undecided: boolean;
  readonly detail: string;
  /** For a refuted `always`: a run without the property (to its end, or prefix + cycle). */
  readonly witness?: readonly number[];
}

export interface CheckResult {
  readonly arg: ModelSystemArg;
  /** The compiled model that was explored, and the properties judged (for replaying witnesses). */
  readonly model: Model;
  readonly properties: readonly Property[];
  readonly explore: ExploreResult;
  readonly verdicts: readonly PropertyVerdict[];
  readonly expectations: readonly CheckedExpectation[];
  /** 0 every expectation met, 1 one failed, 3 incomplete. */
  readonly exit: 0 | 1 | 3;
}

export async function checkScenario(
  arg: ModelSystemArg,
  opts: ExploreOptions = {},
): Promise<CheckResult> {
  const sys = systemFromArg(arg);
  const props = propertiesFor(arg.spec);
  const res = await explore(
    opts.workers && opts.workers > 1 ? sys.factory! : sys,
    withScenarioBounds(opts, arg.spec.bounds),
  );
  const complete = res.status === "complete";
  const verdicts: PropertyVerdict[] = props.map((p, i) => {
    const found = res.properties[i];
    const live = p.pending ? res.liveness[sys.obligations!.indexOf(p.name)] : undefined;
    const shownByEnd = found?.shown === true;
    const shownByCycle = live?.violated === true && live.lasso !== undefined;
    const shown = shownByEnd || shownByCycle;
    const base = { name: p.name, kind: p.kind, summary: p.summary, proved: complete };
    if (!shown) return { ...base, verdict: "Never" as const };
    if (shownByEnd && found?.witness)
      return { ...base, verdict: "Sometimes" as const, witness: found.witness };
    return {
      ...base,
      verdict: "Sometimes" as const,
      witness: [...live!.lasso!.prefix, ...live!.lasso!.cycle],
      lasso: live!.lasso!,
    };
  });
  const byName = new Map(verdicts.map((v) => [v.name, v]));
  const expectations = applicable(arg.spec.expectations, arg.policy).map(
    (e): CheckedExpectation => {
      const text = expectationText(e);
      const judged = (ok: boolean, undecided: boolean, detail: string) => ({
        expectation: e,
        text,
        ok,
        undecided,
        detail,
      });
      const name = e.kind === "property" ? e.property : `${e.proc}.${e.op} returns ${e.result}`;
      const v = byName.get(name);
      if (!v) return judged(false, false, `no property ${name}`);
      const quant = e.kind === "property" ? e.quantifier : "sometimes";
      if (quant === "always") {
        const k = sys.obligations?.indexOf(`always ${name}`) ?? -1;
        const l = k >= 0 ? res.liveness[k] : undefined;
        if (!l) return judged(true, true, "'always' is judged only for properties shown by a step");
        if (l.violated) {
          const witness = l.lasso ? [...l.lasso.prefix, ...l.lasso.cycle] : (l.witness ?? []);
          return {
            ...judged(
              false,
              false,
              `a run without it: ${witness.length} steps${l.lasso ? " ending in a cycle" : ""}`,
            ),
            witness,
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
  return { arg, model: sys.model, properties: props, explore: res, verdicts, expectations, exit };
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
