/**
 * Re-judging a witness from a replay token: the token says what its actions
 * show (a property at the last step or at the end, a dead end, or a lasso and
 * where its cycle starts); this replays the actions through the same system
 * `check` explored and confirms that they show exactly that, so that
 * `replay` prints the verdict `check` printed, or refuses. A scenario or a
 * pinlab that changed since the token was made shows up here as an action
 * that cannot happen, or a witness that no longer shows its claim.
 */
import type { ModelEvent } from "../../model/events.js";
import { isFault, enabled as modelEnabled } from "../../model/step.js";
import type { Property } from "../../properties/property.js";
import { type ModelSystemArg, propertiesFor, systemFromArg } from "../adapter/model-system.js";
import type { System } from "../explore/system.js";
import type { WitnessClaim } from "../explore/token.js";
import type { Lasso } from "../explore/types.js";
import { applicable, expectationText, judgedName } from "../run/expect.js";
import type { CheckedExpectation, PropertyVerdict } from "./check.js";

/** What a property verdict's witness shows. */
export function verdictClaim(v: PropertyVerdict): WitnessClaim {
  return { what: v.name, loop: v.lasso ? v.lasso.prefix.length : null };
}

/** What the witness of a refuted `always P` shows: a run on which the obligation stays open. */
export function alwaysClaim(e: CheckedExpectation): WitnessClaim | null {
  if (e.expectation.kind === "result" || e.expectation.quantifier !== "always") return null;
  return {
    what: `always ${judgedName(e.expectation)}`,
    loop: e.lasso ? e.lasso.prefix.length : null,
  };
}

/** The detail `check` gives a refuted `always` (shared with replay). */
export function alwaysDetail(steps: number, lasso: boolean): string {
  return `a run without it: ${steps} steps${lasso ? " ending in a cycle" : ""}`;
}

export type Rejudged =
  | {
      readonly ok: true;
      /** The property verdict, as check gave it. */
      readonly verdict: PropertyVerdict;
      /** For a refuted `always`: the expectation, as check judged it. */
      readonly expectation?: { readonly text: string; readonly detail: string };
      /** What the witness shows, in one line; `step` 0 means at its end. */
      readonly finding: { readonly step: number; readonly message: string };
    }
  | { readonly ok: false; readonly error: string };

function same(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** How a witness shows its claim, judged by a system's own masks. */
export type Shown =
  | {
      readonly ok: true;
      /** At the last transition, at the end state, at a dead end (an obligation), or by a lasso. */
      readonly how: "step" | "end" | "dead-end" | "lasso";
      readonly lasso?: Lasso;
      /** The states along the witness, from the initial one. */
      readonly states: readonly Int32Array[];
      readonly events: readonly unknown[];
    }
  | { readonly ok: false; readonly error: string };

/**
 * Replays `actions` through `sys` and judges them as the explorer does: a
 * property by `judge` on the last transition or `judgeEnd` at a terminal
 * state, an obligation by `pending` at a terminal state (a dead end) or all
 * along a cycle that returns to the very state it started from (a lasso).
 * Every action must be enabled where it is taken.
 */
export function judgeWitness<E>(
  sys: System<E>,
  actions: readonly number[],
  claim: WitnessClaim,
): Shown {
  const fail = (error: string): Shown => ({ ok: false, error });
  const states: Int32Array[] = [sys.init];
  let s = sys.init;
  let lastBits = 0n;
  let events: E[] = [];
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i]!;
    if (!sys.enabled(s).includes(a))
      return fail(
        `step ${i + 1} of the token cannot happen here: pinlab changed since the token was made`,
      );
    events = [];
    const next = sys.step(s, a, events);
    if (i === actions.length - 1) lastBits = sys.judge(s, a, next, events);
    states.push(next);
    s = next;
  }
  const n = actions.length;
  const terminal = sys.enabled(s).length === 0;
  const pi = sys.properties.indexOf(claim.what);
  const oi = sys.obligations?.indexOf(claim.what) ?? -1;
  const noLonger = (how: string) =>
    fail(
      `the token's ${n} steps no longer show ${claim.what} (${how}): pinlab changed since the token was made`,
    );
  if (pi < 0 && oi < 0)
    return fail(`the token's witness is for '${claim.what}', which is not judged here`);
  const ok = (how: "step" | "end" | "dead-end" | "lasso", lasso?: Lasso): Shown => ({
    ok: true,
    how,
    ...(lasso ? { lasso } : {}),
    states,
    events,
  });
  if (claim.loop !== null) {
    if (oi < 0 || !sys.pending) return noLonger("it is not a liveness obligation");
    if (claim.loop >= n || !same(states[claim.loop]!, s))
      return noLonger(`the steps after step ${claim.loop} do not return to where they started`);
    for (let k = claim.loop; k < n; k++)
      if ((sys.pending(states[k]!) & (1 << oi)) === 0)
        return noLonger(`it is not pending all along the cycle (after step ${k})`);
    return ok("lasso", { prefix: actions.slice(0, claim.loop), cycle: actions.slice(claim.loop) });
  }
  if (pi >= 0) {
    const bit = 1n << BigInt(pi);
    if (n > 0 && (lastBits & bit) !== 0n) return ok("step");
    if (terminal && (sys.judgeEnd(s) & bit) !== 0n) return ok("end");
    return noLonger("not at its last step, nor at its end");
  }
  if (terminal && sys.pending && (sys.pending(s) & (1 << oi)) !== 0) return ok("dead-end");
  return noLonger("it does not end where nothing can move with the obligation open");
}

/**
 * Replays `actions` under `arg` and judges them as `check` did. The property
 * masks, dead ends and cycles are the explorer's own (`judge`, `judgeEnd`,
 * `pending` of the same system), so the verdict cannot drift from check's.
 */
export function rejudge(
  arg: ModelSystemArg,
  actions: readonly number[],
  claim: WitnessClaim,
): Rejudged {
  const sys = systemFromArg(arg);
  const m = sys.model;
  const props: readonly Property[] = propertiesFor(arg.spec);
  const shown = judgeWitness(sys, actions, claim);
  if (!shown.ok) return shown;
  const n = actions.length;
  const base = claim.what.replace(/^always /, "");
  const p = props.find((x) => x.name === base);
  if (!p) return { ok: false, error: `pinlab bug: no property behind ${claim.what}` };
  const s = shown.states[n]!;
  let finding: { step: number; message: string };
  if (shown.how === "lasso")
    finding = {
      step: 0,
      message: `${base === claim.what ? p.summary : `no ${base}`}: the last ${n - claim.loop!} steps repeat for ever`,
    };
  else if (shown.how === "dead-end")
    finding = { step: 0, message: `no ${base} on this run, and nothing can move any more` };
  else {
    // judge() also counts an end where only injected faults are left (model-system.ts)
    const byStep =
      shown.how === "step" &&
      p.onStep?.(m, shown.states[n - 1]!, s, shown.events as readonly ModelEvent[]);
    const quiet = modelEnabled(m, s).every(isFault);
    const byEnd = !byStep && quiet && p.atEnd?.(m, s);
    finding = byStep
      ? { step: n, message: byStep.message }
      : { step: 0, message: byEnd ? byEnd.message : p.summary };
  }
  const verdict: PropertyVerdict = {
    name: claim.what,
    kind: p.kind,
    summary: p.summary,
    verdict: "Sometimes",
    proved: false,
    witness: [...actions],
    ...(shown.lasso ? { lasso: shown.lasso } : {}),
  };
  if (base === claim.what) return { ok: true, verdict, finding };
  const e = applicable(arg.spec.expectations, arg.policy).find(
    (x) => x.kind !== "result" && x.quantifier === "always" && judgedName(x) === base,
  );
  return {
    ok: true,
    verdict,
    finding,
    expectation: {
      text: e ? expectationText(e) : claim.what,
      detail: alwaysDetail(n, shown.lasso !== undefined),
    },
  };
}
