/**
 * `run`: one deterministic schedule. Seed 0 takes the first enabled action in
 * the model's priority order (processes, hardware, peers' answers, timers,
 * peers' next operations) and never injects faults; any other seed picks
 * among the enabled actions with a seeded PRNG. There an injected fault
 * (crash, hang, partition) weighs `faultWeight` (default 0.02) against 1 for
 * every other action, so that most random runs show the scenario and only
 * some a fault; where only faults could still happen, the run ends unless
 * the same weighted draw picks one. A weight of 1 draws faults like anything
 * else.
 */
import type { ModelEvent } from "../../model/events.js";
import { type Model, P_STATUS, PS_BLOCKED, proc, type State } from "../../model/layout.js";
import { enabled, isFault, step } from "../../model/step.js";
import type { Property } from "../../properties/property.js";
import { prng } from "./random.js";

export interface TraceStep {
  /** 1-based step number. */
  readonly n: number;
  readonly action: number;
  readonly events: readonly ModelEvent[];
}

/** The first time a property showed in the run (`step` 0: judged at the end). */
export interface Occurrence {
  readonly step: number;
  readonly message: string;
}

export interface RunResult {
  readonly model: Model;
  readonly seed: number;
  readonly steps: readonly TraceStep[];
  readonly final: State;
  /** How the run ended: nothing left to do, some process waits forever, or the step bound. */
  readonly end: "quiescent" | "deadlock" | "max-steps" | "replayed";
  readonly occurrences: ReadonlyMap<string, Occurrence>;
  /** With `keepStates`: the initial state, then the state after each step. */
  readonly states?: readonly State[];
}

export interface RunOptions {
  readonly seed?: number;
  readonly maxSteps?: number;
  readonly properties: readonly Property[];
  /** Weight of each fault action in a random schedule, against 1 for the others (default 0.02). */
  readonly faultWeight?: number;
  /** Replay exactly these actions instead of scheduling (replay tokens). */
  readonly actions?: readonly number[];
  /** Keep every state of the run (reports show what each step changed). */
  readonly keepStates?: boolean;
}

export const DEFAULT_FAULT_WEIGHT = 0.02;

/**
 * A weighted draw: faults weigh `w`, other actions 1. When only faults are
 * enabled, "nothing happens" weighs 1 too and ends the run (undefined).
 */
function draw(choices: readonly number[], rand: () => number, w: number): number | undefined {
  const faults = choices.filter(isFault).length;
  const others = choices.length - faults;
  const total = (others === 0 ? 1 : others) + faults * w;
  let x = rand() * total;
  for (const a of choices) {
    x -= isFault(a) ? w : 1;
    if (x < 0) return a;
  }
  return others === 0 ? undefined : choices.find((a) => !isFault(a));
}

export function runSchedule(m: Model, opts: RunOptions): RunResult {
  const seed = opts.seed ?? 0;
  const maxSteps = opts.maxSteps ?? 1000;
  const rand = seed === 0 ? null : prng(seed);
  const steps: TraceStep[] = [];
  const occurrences = new Map<string, Occurrence>();
  let s = m.init;
  let end: RunResult["end"] = "quiescent";
  const states: State[] | undefined = opts.keepStates ? [s] : undefined;
  for (let n = 1; ; n++) {
    let a: number | undefined;
    if (opts.actions) {
      if (n > opts.actions.length) break;
      a = opts.actions[n - 1];
    } else {
      const en = enabled(m, s);
      const choices = rand === null ? en.filter((x) => !isFault(x)) : en;
      if (choices.length === 0) break;
      if (n > maxSteps) {
        end = "max-steps";
        break;
      }
      a =
        rand === null ? choices[0] : draw(choices, rand, opts.faultWeight ?? DEFAULT_FAULT_WEIGHT);
      if (a === undefined) break;
    }
    const events: ModelEvent[] = [];
    const next = step(m, s, a!, events);
    for (const p of opts.properties) {
      if (!p.onStep || occurrences.has(p.name)) continue;
      const f = p.onStep(m, s, next, events);
      if (f) occurrences.set(p.name, { step: n, message: f.message });
    }
    steps.push({ n, action: a!, events });
    states?.push(next);
    s = next;
  }
  if (opts.actions && enabled(m, s).length > 0) end = "replayed";
  else if (end !== "max-steps") {
    for (const p of opts.properties) {
      if (!p.atEnd || occurrences.has(p.name)) continue;
      const f = p.atEnd(m, s);
      if (f) occurrences.set(p.name, { step: 0, message: f.message });
    }
    for (let p = 0; p < m.procs.length; p++)
      if (s[proc(m, p) + P_STATUS] === PS_BLOCKED) end = "deadlock";
  }
  return { model: m, seed, steps, final: s, end, occurrences, ...(states ? { states } : {}) };
}
