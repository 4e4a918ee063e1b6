/**
 * Shrinking: a violation a simulation found is a schedule of thousands of
 * actions from the initial state, most of them beside the point. This cuts
 * it down to a short witness that `run` and `replay` reproduce, by delta
 * debugging over the schedule (Zeller and Hildebrandt's ddmin, "Simplifying
 * and Isolating Failure-Inducing Input", IEEE TSE 2002), then a last pass
 * that drops single actions until none can go. Before ddmin, one pass drops
 * every occurrence of one action at a time (an idle actor's whole part).
 *
 * A candidate (a subsequence of the schedule) is kept when, replayed from the
 * initial state, each of its actions is enabled where it is taken and the
 * property still shows, judged by the system's own masks (`judge` on a
 * transition, `judgeEnd` at a terminal state), exactly as `check` and
 * `replay` judge it. A kept candidate is cut after the step that first shows
 * the property, so that the witness ends where it shows.
 *
 * Pure and deterministic: no clock; the work is bounded by a budget of
 * replayed steps, after which the shortest valid schedule so far is returned.
 */
import type { ModelEvent } from "../../model/events.js";
import { DEFAULT_REPEATS, DEFAULT_REPLICAS, forSimulation } from "../../model/replicas.js";
import type { ScenarioSpec } from "../../model/spec.js";
import { policyOrigin } from "../../policies/index.js";
import { type ModelSystemArg, systemFromArg } from "../adapter/model-system.js";
import { judgeWitness } from "../check/rejudge.js";
import type { System } from "../explore/system.js";
import { encodeToken, type TokenBounds, type TokenScenario } from "../explore/token.js";

/** Steps replayed, at most, by one shrink (about a second of a small model's steps). */
export const DEFAULT_SHRINK_BUDGET = 5_000_000;
/** The longest schedule the pair pass runs on (its tests grow with the square of the length). */
const PAIR_PASS_MAX = 200;
/** The longest run of consecutive steps the window pass drops at once. */
const WINDOW_MAX = 6;

export interface ShrinkOptions {
  /** The most steps replayed over all candidates (default {@link DEFAULT_SHRINK_BUDGET}). */
  readonly budget?: number;
}

export interface ShrinkResult {
  /** The short schedule, from the initial state; it shows the property at its last step or at its end. */
  readonly actions: readonly number[];
  /** How many actions the schedule had. */
  readonly original: number;
  /** Candidates replayed. */
  readonly tests: number;
  /** Steps replayed over all candidates. */
  readonly replayed: number;
  /** The budget ran out before the last pass finished: the schedule is short, not minimal. */
  readonly exhausted: boolean;
}

/**
 * Where `actions` first shows property `pi`: the number of steps up to and
 * including the transition that shows it, or the whole length when it shows
 * at the terminal state the schedule ends in; -1 when an action is not
 * enabled where it is taken or the property does not show.
 */
export function firstShown<E>(
  sys: System<E>,
  actions: readonly number[],
  pi: number,
  counter?: { steps: number },
): number {
  const bit = 1n << BigInt(pi);
  let s = sys.init;
  const events: E[] = [];
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i]!;
    if (!sys.enabled(s).includes(a)) return -1;
    events.length = 0;
    const next = sys.step(s, a, events);
    if (counter) counter.steps++;
    if ((sys.judge(s, a, next, events) & bit) !== 0n) return i + 1;
    s = next;
  }
  return sys.enabled(s).length === 0 && (sys.judgeEnd(s) & bit) !== 0n ? actions.length : -1;
}

/**
 * A short schedule that still shows `property`, from one that does.
 * Throws (a pinlab bug) when the given schedule does not show it: the
 * simulator hands over only schedules that did.
 */
export function shrinkSchedule<E>(
  sys: System<E>,
  actions: readonly number[],
  property: string,
  o: ShrinkOptions = {},
): ShrinkResult {
  const pi = sys.properties.indexOf(property);
  if (pi < 0) throw new Error(`pinlab bug: shrink: no property '${property}' in this system`);
  const budget = o.budget ?? DEFAULT_SHRINK_BUDGET;
  const counter = { steps: 0 };
  let tests = 0;
  let exhausted = false;
  /** The candidate, cut after it first shows the property; null if it does not. */
  const test = (c: readonly number[]): number[] | null => {
    if (counter.steps >= budget) {
      exhausted = true;
      return null;
    }
    tests++;
    const k = firstShown(sys, c, pi, counter);
    return k < 0 ? null : c.slice(0, k);
  };
  const first = test(actions);
  if (!first)
    throw new Error(
      `pinlab bug: shrink: the schedule of ${actions.length} steps does not show ${property}`,
    );
  let cur = first;
  // First, whole actions at a time: every occurrence of one action (one actor's
  // steps of one kind, e.g. a bystander's operations or a peer's writes) at
  // once. Few tests, and a long run of a workload loses its idle actors early.
  for (const a of [...new Set(cur)]) {
    if (exhausted) break;
    const next = test(cur.filter((x) => x !== a));
    if (next) cur = next;
  }
  // ddmin: try each of n chunks alone, then each complement; on success restart
  // coarser, otherwise split finer until the chunks are single actions.
  let n = 2;
  while (cur.length >= 2 && !exhausted) {
    const size = cur.length / n;
    const chunks: [number, number][] = [];
    for (let i = 0; i < n; i++) chunks.push([Math.round(i * size), Math.round((i + 1) * size)]);
    let next: number[] | null = null;
    let nextN = n;
    for (const [lo, hi] of chunks) {
      if (hi <= lo) continue;
      next = test(cur.slice(lo, hi));
      if (next) {
        nextN = 2;
        break;
      }
    }
    if (!next && n > 2)
      for (const [lo, hi] of chunks) {
        if (hi <= lo) continue;
        next = test([...cur.slice(0, lo), ...cur.slice(hi)]);
        if (next) {
          nextN = Math.max(n - 1, 2);
          break;
        }
      }
    // with two chunks, a complement is the other chunk: tried above
    if (next) {
      cur = next;
      n = Math.min(nextN, Math.max(cur.length, 2));
    } else if (n >= cur.length) break;
    else n = Math.min(2 * n, cur.length);
  }
  // The last passes: drop one action at a time, until no single action can
  // go; then runs of consecutive actions; then, on a short schedule, any two.
  for (let changed = true; changed && !exhausted; ) {
    changed = false;
    for (let i = 0; i < cur.length && !exhausted; ) {
      const next = test([...cur.slice(0, i), ...cur.slice(i + 1)]);
      if (next) {
        cur = next;
        changed = true;
      } else i++;
    }
    if (changed) continue;
    // a run of consecutive steps: one iteration of a repeating tail (its
    // repeat step, its operation, the DMA landing) goes only as a whole
    windows: for (let w = 2; w <= WINDOW_MAX; w++)
      for (let i = 0; i + w <= cur.length && !exhausted; i++) {
        const next = test([...cur.slice(0, i), ...cur.slice(i + w)]);
        if (next) {
          cur = next;
          changed = true;
          break windows;
        }
      }
    if (changed || cur.length > PAIR_PASS_MAX) continue;
    pairs: for (let i = 0; i < cur.length && !exhausted; i++)
      for (let j = i + 1; j < cur.length && !exhausted; j++) {
        const next = test([...cur.slice(0, i), ...cur.slice(i + 1, j), ...cur.slice(j + 1)]);
        if (next) {
          cur = next;
          changed = true;
          break pairs;
        }
      }
  }
  return { actions: cur, original: actions.length, tests, replayed: counter.steps, exhausted };
}

/** A violation to shrink into evidence: the system `replay` builds from the token, and the schedule. */
export interface ShrinkJob {
  /**
   * The scenario, policy and parameters as `replay` rebuilds them from the
   * token: the spec parsed from `origin`, with the scenario's own timing
   * assumptions. The schedule must be a run of this system.
   */
  readonly arg: ModelSystemArg;
  /** Where the token finds the scenario (its bundled name or its text, with its hash). */
  readonly origin: TokenScenario;
  /** The property violated (a safety property's name). */
  readonly property: string;
  /** The schedule from the initial state, ending in (or passing through) the violation. */
  readonly actions: readonly number[];
  readonly budget?: number;
}

export type ShrunkViolation =
  | (ShrinkResult & {
      readonly ok: true;
      readonly token: string;
      /** Bounds the token carries, wider than the scenario's (absent: it fits them). */
      readonly bounds?: TokenBounds;
    })
  | { readonly ok: false; readonly error: string };

/**
 * Shrinks a simulated violation into a witness with its replay token, and
 * confirms the token the way `replay` will judge it (`judgeWitness` over the
 * same system). A schedule that is no run of the system `replay` builds (an
 * action the scenario's own assumption rules out: a lease-break timer firing
 * before a holder assumed prompt has answered) is refused with a reason: it
 * is evidence against the assumption, not a witness the scenario can replay.
 */
export function shrinkViolation(job: ShrinkJob): ShrunkViolation {
  let sys = systemFromArg(job.arg);
  const pi = sys.properties.indexOf(job.property);
  if (pi < 0) return { ok: false, error: `no property '${job.property}' is judged here` };
  const budget = job.budget !== undefined ? { budget: job.budget } : {};
  let actions = job.actions;
  let pre = 0;
  let bounds: TokenBounds | null = null;
  const same = sameActions(job.arg.spec);
  if (!same || firstShown(sys, actions, pi) < 0) {
    // A simulation runs every replica copy and repeating tails without end
    // (and assumes nothing): its schedule may pass `bounds repeats` or use a
    // copy beyond `bounds replicas`. Shrink it over the simulation's own
    // model first; the short witness usually fits the bounds `replay` keeps,
    // and when it does not, the token carries the bounds it needs.
    const sim = simulationSystem(job.arg);
    if (firstShown(sim, actions, pi) >= 0) {
      const first = shrinkSchedule(sim, actions, job.property, budget);
      actions = first.actions;
      pre = first.tests;
    }
    if (!same || firstShown(sys, actions, pi) < 0) {
      const wide = widened(job.arg, actions, pi, same);
      if (!wide)
        return {
          ok: false,
          error: `the schedule of ${actions.length} steps is no run of the scenario as check and replay bound it that shows ${job.property}, nor under wider bounds: it needs ${whyNot(job.arg.spec)}`,
        };
      sys = wide.sys;
      bounds = wide.bounds;
    }
  }
  const shrunk = shrinkSchedule(sys, actions, job.property, budget);
  const r = { ...shrunk, original: job.actions.length, tests: shrunk.tests + pre };
  const claim = { what: job.property, loop: null };
  const shown = judgeWitness(sys, r.actions, claim);
  if (!shown.ok)
    throw new Error(`pinlab bug: shrink: the shrunk witness does not replay: ${shown.error}`);
  const token = encodeToken({
    scenario: job.origin,
    policy: job.arg.policy,
    plugin: policyOrigin(job.arg.policy) ?? null,
    params: job.arg.params,
    claim,
    actions: [...r.actions],
    ...(bounds ? { bounds } : {}),
  });
  return { ok: true, ...r, token, ...(bounds ? { bounds } : {}) };
}

/** The scenario's spec with a token's bounds (as `replay` applies them). */
export function specWithBounds(
  spec: ScenarioSpec,
  b: TokenBounds | null | undefined,
): ScenarioSpec {
  if (!b) return spec;
  return {
    ...spec,
    bounds: {
      ...spec.bounds,
      ...(b.replicas !== null ? { replicas: b.replicas } : {}),
      ...(b.repeats !== null ? { repeats: b.repeats } : {}),
    },
  };
}

/** The most iterations of a repeating tail a widened token asks for. */
const MAX_TOKEN_REPEATS = 1 << 16;

/**
 * The smallest bounds, wider than the scenario's, under which the schedule
 * (numbered as in the simulation's model) shows the property: every copy of
 * each replica group that the scenario's bounds cut down, and the fewest
 * iterations of the repeating tails that let it run. The scenario's timing
 * assumptions stay: a schedule they rule out gets no token.
 */
function widened(
  arg: ModelSystemArg,
  actions: readonly number[],
  pi: number,
  same: boolean,
): { sys: ReturnType<typeof systemFromArg>; bounds: TokenBounds } | null {
  const spec = arg.spec;
  const replicas = same ? null : Math.max(...(spec.replicas ?? []).map((g) => g.count));
  const at = (repeats: number | null) => {
    const bounds = { replicas, repeats };
    const sys = systemFromArg({ ...arg, spec: specWithBounds(spec, bounds) });
    return firstShown(sys, actions, pi) >= 0 ? { sys, bounds } : null;
  };
  if (replicas !== null) {
    const plain = at(null);
    if (plain) return plain;
  }
  const repeating =
    spec.procs.some((p) => p.repeat) ||
    spec.peers.some((r) => r.repeat) ||
    (spec.replicas ?? []).some(
      (g) => g.procs.some((p) => p.repeat) || g.peers.some((r) => r.repeat),
    );
  if (!repeating) return null;
  // A tail runs at most once per step of the schedule: at most `actions.length + 1` iterations.
  const limit = Math.min(MAX_TOKEN_REPEATS, actions.length + 1);
  let lo = spec.bounds.repeats ?? DEFAULT_REPEATS;
  if (lo >= limit || !at(limit)) return null;
  let hi = limit; // works; lo does not (the scenario's own bound failed, or was not tried)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (at(mid)) hi = mid;
    else lo = mid;
  }
  return at(hi);
}

/** The system the simulator ran: every replica, repeating tails without end, no assumption. */
function simulationSystem(arg: ModelSystemArg): System<ModelEvent> {
  return systemFromArg({ ...arg, spec: forSimulation({ ...arg.spec, assumptions: [] }) });
}

/** Whether the simulation's model numbers its actions as the scenario's: no replica group is cut to `bounds replicas`. */
function sameActions(spec: ScenarioSpec): boolean {
  const limit = spec.bounds.replicas ?? DEFAULT_REPLICAS;
  return (spec.replicas ?? []).every((g) => g.count <= limit);
}

/** What a simulated schedule may need that the scenario as check bounds it does not allow. */
function whyNot(spec: ScenarioSpec): string {
  const why: string[] = [];
  if (spec.procs.some((p) => p.repeat) || spec.peers.some((r) => r.repeat) || spec.replicas?.length)
    why.push(
      "more iterations of a repeating tail than `bounds repeats`, or a replica copy beyond `bounds replicas`",
    );
  if (spec.assumptions?.length) why.push("a timing the scenario's assumptions rule out");
  return why.length > 0 ? why.join(", or ") : "a step the scenario does not allow";
}

/** A violation as the simulator hands it over: the property, the policy, the schedule from the initial state. */
export interface FoundViolation {
  readonly property: string;
  readonly policy: string;
  readonly params: Readonly<Record<string, string>>;
  readonly schedule: readonly number[];
}

/**
 * The simulator's shrink hook for one scenario: each violation found becomes
 * a short witness and its token, or null when it is no run of the scenario as
 * `replay` rebuilds it (then the simulator keeps what it has and says so).
 * `spec` is the scenario as loaded from `origin`, assumptions and all.
 */
export function shrinkerFor(
  spec: ModelSystemArg["spec"],
  origin: TokenScenario,
  budget?: number,
): (
  v: FoundViolation,
) => { steps: number; actions: readonly number[]; token: string; bounds?: TokenBounds } | null {
  return (v) => {
    const s = shrinkViolation({
      arg: { spec, policy: v.policy, params: v.params },
      origin,
      property: v.property,
      actions: v.schedule,
      ...(budget !== undefined ? { budget } : {}),
    });
    return s.ok
      ? {
          steps: s.actions.length,
          actions: s.actions,
          token: s.token,
          ...(s.bounds ? { bounds: s.bounds } : {}),
        }
      : null;
  };
}
