/**
 * One seeded simulation: a discrete-event loop over the model's pure
 * `enabled`/`step`. The loop owns the virtual clock and the generator; the
 * model never sees either.
 *
 * Semantics: an action gets a delay sampled from its distribution when it
 * becomes enabled; the earliest scheduled action fires (ties: the model's
 * priority order); actions that stay enabled keep their time; actions that
 * become disabled are cancelled; an action that fired and is enabled again
 * gets a fresh sample.
 *
 * What it measures comes from the model's events, judged by the bundled
 * properties where one exists (so that simulate and check agree on what a
 * kill, a foreign DMA or a lost write is). Latencies stream into an
 * HdrHistogram; levels are integrated over time; nothing grows with the
 * horizon but the counters.
 */
import { ENOSPC } from "../../model/errno.js";
import type { ModelEvent } from "../../model/events.js";
import {
  BLK_BUSY,
  blk,
  FF_ANON,
  FF_USED,
  FR_FLAGS,
  FR_INODE,
  FR_REF,
  frm,
  type Model,
  P_PC,
  P_STATUS,
  PS_BLOCKED,
  peer as peerOff,
  proc,
  R_PC,
  type State,
} from "../../model/layout.js";
import type { Quantifier } from "../../model/spec.js";
import {
  A_CRASH,
  A_HANDLER,
  A_HANG,
  A_LAND,
  A_LEASE_TIMER,
  A_ODP_FAULT,
  A_OOM,
  A_PARTITION,
  A_PEER,
  A_PEER_ACK,
  A_PEER_CRASH,
  A_PEER_REPEAT,
  A_PIN_TIMER,
  A_PROC,
  A_REPEAT,
  A_SIGIO,
  A_WRITEBACK,
  actionIndex,
  actionKind,
  enabledInto,
  stepInto,
} from "../../model/step.js";
import { compileCondition } from "../../properties/condition/compile.js";
import { checkCondition, conditionName } from "../../properties/condition/property.js";
import { PROPERTIES } from "../../properties/index.js";
import { commFailure, kill } from "../../properties/outcomes.js";
import type { Property } from "../../properties/property.js";
import { prng } from "../run/random.js";
import { sample } from "./distribution.js";
import { type Found, StateMemo } from "./memo.js";
import { Schedule, scheduleTable } from "./schedule.js";
import { type LatencyHistogram, latencyHistogram } from "./stats.js";
import { type TimingTable, timingTable } from "./timing.js";

/** Points of the per-seed time series (for plots), evenly spaced over [0, horizon]. */
export const SERIES_POINTS = 49;

/** A latency figure of one seed. */
export interface SeedLatency {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly stalls: number;
  readonly unfinished: number;
}

/** Latencies pooled over seeds (for the CDF plots): counts add up in any order. */
export interface LatencyPool {
  readonly truncate: LatencyHistogram;
  readonly punch: LatencyHistogram;
}

export function latencyPool(): LatencyPool {
  return { truncate: latencyHistogram(), punch: latencyHistogram() };
}

/** The first time a safety property showed in a seed. */
export interface SeedViolation {
  readonly property: string;
  /** 1-based step (transition) at which it showed. */
  readonly step: number;
  readonly time: number;
  readonly message: string;
}

/** Everything one seed measured: plain data, cloneable across threads. */
export interface SeedStats {
  readonly seed: number;
  readonly events: number;
  /** Virtual time the run reached: the horizon, or when it stopped early (interrupted). */
  readonly end: number;
  /** The run ran out of enabled actions before the horizon (the state then lasts). */
  readonly quiescentAt: number | null;
  readonly truncate: SeedLatency;
  readonly punch: SeedLatency;
  readonly kills: number;
  readonly commFailures: number;
  readonly leaseBreaks: number;
  /** Lease breaks that ended (answered, timed out, holder gone) by the horizon. */
  readonly breaksEnded: number;
  /** Of those, the ones that ended in a kill of the holder or the lease-break timer. */
  readonly breaksKilled: number;
  readonly foreignDma: number;
  readonly staleReads: number;
  readonly lostWrites: number;
  readonly enospc: number;
  readonly stranded: { readonly mean: number; readonly max: number };
  readonly busy: { readonly mean: number; readonly max: number };
  /** At SERIES_POINTS evenly spaced times: stranded, busy, kills so far. */
  readonly series: {
    readonly stranded: number[];
    readonly busy: number[];
    readonly kills: number[];
  };
  readonly violations: readonly SeedViolation[];
  /**
   * Per condition expectation of the scenario (SimModel.conditions): whether
   * the condition held at some moment of the run, and for how long in all.
   */
  readonly conditions: readonly { readonly held: boolean; readonly time: number }[];
  readonly interrupted: boolean;
}

/** A condition expectation as the simulator judges it: compiled once per model. */
export interface SimCondition {
  /** The property name (`condition "TEXT"`), as check names it. */
  readonly name: string;
  readonly text: string;
  readonly quantifier: Quantifier;
  readonly holds: (s: State) => boolean;
}

/** What a simulation needs about one model, built once and reused for every seed. */
export interface SimModel {
  readonly model: Model;
  readonly timing: TimingTable;
  /** The safety properties whose first occurrence is recorded with its schedule. */
  readonly safety: readonly Property[];
  /** Per process, per pc: 1 truncate, 2 hole punch, 0 other. */
  readonly layoutKind: readonly Uint8Array[];
  /** One seed's latencies (reset at each seed's start). */
  readonly scratch: LatencyPool;
  /** The scenario's condition expectations, each once. */
  readonly conditions: readonly SimCondition[];
  /**
   * What the loop judges after each transition: the safety properties, then
   * `kill`, then `commFailure`; each is called only on a transition with an
   * event of a kind it reads (`Property.reads`; all of them without one).
   */
  readonly judged: Judged;
  /** Per process and per peer: where its repeating tail starts (undefined: none). */
  readonly repeatFrom: readonly (number | undefined)[];
  readonly peerRepeatFrom: readonly (number | undefined)[];
  /** State offsets of every block's busy flag, and of every page-cache frame. */
  readonly blkBusy: Int32Array;
  readonly frames: Int32Array;
  /** The schedule's arrays (one slot per action), reused by every seed of this model. */
  readonly slots: {
    readonly width: number;
    readonly at: Float64Array;
    readonly seenIn: Int32Array;
    /**
     * The round the next seed starts at: above every round seenIn holds but
     * one, so that no slot seems enabled in a round before the seed's first
     * (a seed clears nothing).
     */
    round: number;
  };
  /** A seed's other arrays, reused by every seed of this model (a seed runs to its end before the next). */
  readonly scratchState: {
    readonly a: State;
    readonly b: State;
    readonly callAt: Float64Array;
    readonly waitStart: Float64Array;
    readonly waitPc: Int32Array;
    readonly lastRepeat: Float64Array;
    readonly peerRepeatAt: Float64Array;
    /** The series' points passed (stranded, busy, kills), [0, gridK) written by each seed. */
    readonly series: {
      readonly stranded: number[];
      readonly busy: number[];
      readonly kills: number[];
    };
    /** simulateSeed's doubles (NOW, STRANDED_AREA, BUSY_AREA), zeroed at each seed's start. */
    readonly clock: Float64Array;
    /** Lease breaks open (holder × 65536 + inode), emptied at each seed's start. */
    readonly openBreaks: Set<number>;
  };
  /** The series' points of the last horizon run (gridOf). */
  readonly grid: { horizon: number; readonly at: Float64Array };
  /** The model's answers per distinct state and transition, kept across seeds (memo.ts). */
  readonly memo: StateMemo;
  /**
   * Per state of the memo: its stranded and busy levels, and per enabled
   * action its slot in the schedule (-1: a fault without timing, never
   * scheduled).
   */
  readonly memoOf: {
    readonly stranded: number[];
    readonly busy: number[];
    readonly slots: Int32Array[];
  };
  /**
   * The state words the memo holds at 0: the repeating tails' iteration
   * counters where tails repeat without end (repeat.ts: then only the
   * `iteration` of a repeat event reads them, and nothing the simulator
   * measures reads that), so that an iteration's states are the last one's.
   */
  readonly counters: Int32Array;
  /**
   * The schedule kept between transitions (schedule.ts), for the seeds that
   * start with the memo off; made by the first such seed.
   */
  schedule: Schedule | null;
}

/**
 * Properties by the event kinds they read, as bit masks over the first 30
 * (a property from 30 on is called on every transition): a transition's mask
 * is the OR of its events' masks, with no allocation per step.
 */
interface Judged {
  readonly props: readonly Property[];
  readonly maskOf: ReadonlyMap<string, number>;
  /** The properties without `reads` (called on every transition). */
  readonly always: number;
}

const MASKED = 30;

function judgedOf(props: readonly Property[]): Judged {
  const maskOf = new Map<string, number>();
  let always = 0;
  props.forEach((p, i) => {
    if (i >= MASKED) return;
    if (p.reads === undefined) always |= 1 << i;
    for (const k of p.reads ?? []) maskOf.set(k, (maskOf.get(k) ?? 0) | (1 << i));
  });
  return { props, maskOf, always };
}

/**
 * Slots of the schedule: one per action kind (A_* < KINDS) and index. Room
 * for kinds yet to come; a kind past it is a pinlab bug, caught where the
 * slot is computed.
 */
const KINDS = 32;

function simConditions(m: Model): SimCondition[] {
  const out: SimCondition[] = [];
  for (const e of m.spec.expectations) {
    if (e.kind !== "condition" || out.some((c) => c.text === e.condition)) continue;
    const c = checkCondition(e.condition, m.spec);
    if (!c.cond)
      throw new Error(`pinlab bug: condition ${JSON.stringify(e.condition)} was not checked`);
    out.push({
      name: conditionName(e.condition),
      text: e.condition,
      quantifier: e.quantifier,
      holds: compileCondition(c.cond, c.bound, m),
    });
  }
  return out;
}

/** The blocks held busy in state s (stranded space is these and the orphans). */
function busyIn(blkBusy: Int32Array, s: State): number {
  let busy = 0;
  for (let b = 0; b < blkBusy.length; b++) if (s[blkBusy[b]!] === 1) busy++;
  return busy;
}

/** The page-cache frames of state s that no file maps and something still references. */
function orphansIn(frames: Int32Array, s: State): number {
  let orphans = 0;
  for (let f = 0; f < frames.length; f++) {
    const fo = frames[f]!;
    const fl = s[fo + FR_FLAGS]!;
    if (
      (fl & FF_USED) !== 0 &&
      (fl & FF_ANON) === 0 &&
      s[fo + FR_INODE] === 0 &&
      s[fo + FR_REF]! > 0
    )
      orphans++;
  }
  return orphans;
}

export function simModel(m: Model): SimModel {
  const safety = PROPERTIES.filter((p) => p.group === "safety" && p.onStep);
  const width =
    Math.max(m.procs.length, m.peers.length, m.nFrames, m.ofds.length, m.mrs.length) + 1;
  const blkBusy = Int32Array.from({ length: m.nBlocks }, (_, b) => blk(m, b) + BLK_BUSY);
  const frames = m.dax
    ? new Int32Array(0)
    : Int32Array.from({ length: m.nFrames }, (_, f) => frm(m, f));
  const memoOf = { stranded: [] as number[], busy: [] as number[], slots: [] as Int32Array[] };
  const timing = timingTable(m);
  const counters =
    m.repeatLimit === Number.POSITIVE_INFINITY
      ? Int32Array.from(
          [...m.procs, ...m.peers].flatMap((a) => (a.repeat ? [a.repeat.counter] : [])),
        )
      : new Int32Array(0);
  return {
    counters,
    schedule: null,
    model: m,
    timing,
    safety,
    judged: judgedOf([...safety, kill, commFailure]),
    repeatFrom: m.procs.map((p) => m.spec.procs.find((q) => q.name === p.name)?.repeat?.from),
    peerRepeatFrom: m.peers.map((r) => m.spec.peers.find((q) => q.name === r.name)?.repeat?.from),
    blkBusy,
    frames,
    memo: new StateMemo(m, (id, s, en) => {
      const busy = busyIn(blkBusy, s);
      memoOf.stranded[id] = busy + orphansIn(frames, s);
      memoOf.busy[id] = busy;
      const slots =
        memoOf.slots[id]?.length === en.length ? memoOf.slots[id]! : new Int32Array(en.length);
      for (let k = 0; k < en.length; k++)
        slots[k] = isTimed(timing, en[k]!) ? slotIn(width, en[k]!) : -1;
      memoOf.slots[id] = slots;
    }),
    memoOf,
    grid: { horizon: Number.NaN, at: new Float64Array(SERIES_POINTS + 1) },
    slots: {
      width,
      at: new Float64Array(KINDS * width),
      seenIn: new Int32Array(KINDS * width),
      round: 2,
    },
    scratchState: {
      a: new Int32Array(m.init.length),
      b: new Int32Array(m.init.length),
      callAt: new Float64Array(m.procs.length),
      waitStart: new Float64Array(m.procs.length),
      waitPc: new Int32Array(m.procs.length),
      lastRepeat: new Float64Array(m.procs.length),
      peerRepeatAt: new Float64Array(m.peers.length),
      clock: new Float64Array(3),
      series: {
        stranded: new Array<number>(SERIES_POINTS).fill(0),
        busy: new Array<number>(SERIES_POINTS).fill(0),
        kills: new Array<number>(SERIES_POINTS).fill(0),
      },
      openBreaks: new Set(),
    },
    layoutKind: m.procs.map((p) =>
      Uint8Array.from(p.prog, (o) =>
        o.spec.op === "truncate" || o.spec.op === "ftruncate"
          ? 1
          : o.spec.op === "fallocate" && o.spec.mode === "punch"
            ? 2
            : 0,
      ),
    ),
    scratch: latencyPool(),
    conditions: simConditions(m),
  };
}

/** Fault actions without a timing entry never strike. */
function isTimed(T: TimingTable, a: number): boolean {
  const i = actionIndex(a);
  switch (actionKind(a)) {
    case A_CRASH:
      return T.crash[i] !== null;
    case A_HANG:
      return T.hang[i] !== null;
    case A_PARTITION:
      return T.partition[i] !== null;
    case A_OOM:
      return T.oom[i] !== null;
    case A_PEER_CRASH:
      return T.peerCrash[i] !== null;
    default:
      return true;
  }
}

/** Action a's slot in a schedule of `width` slots per kind. */
function slotIn(width: number, a: number): number {
  if (actionKind(a) >= KINDS)
    throw new Error(`pinlab bug: action kind ${actionKind(a)} has no slot`);
  return actionKind(a) * width + actionIndex(a);
}

export interface SeedOptions {
  readonly horizon: number;
  /** Polled every few thousand steps: true stops the run (it is then `interrupted`). */
  readonly stop?: () => boolean;
  /** Keep the first `record` actions (a violation's schedule; `recorded` in the answer). */
  readonly record?: number;
  /** Also add every latency here. */
  readonly pool?: LatencyPool;
  /**
   * Check every answer taken from the memo against the model's own (for
   * tests): the enabled actions after every transition, and each reused
   * transition's successor and events. A difference throws.
   */
  readonly verify?: boolean;
}

const PERCENTILES = [50, 90, 99];

/** Streams latencies of one kind of layout change for one seed. */
function latencyRecorder(h: LatencyHistogram, pool: LatencyHistogram | undefined) {
  h.reset();
  let stalls = 0;
  return {
    record(seconds: number) {
      h.record(seconds);
      pool?.record(seconds);
      if (seconds > 1) stalls++;
    },
    done(open: readonly number[], end: number): SeedLatency {
      for (const start of open) if (end - start > 1) stalls++;
      if (h.count === 0)
        return { count: 0, p50: 0, p90: 0, p99: 0, max: 0, stalls, unfinished: open.length };
      const p = h.atEach(PERCENTILES);
      return {
        count: h.count,
        p50: p[0]!,
        p90: p[1]!,
        p99: p[2]!,
        max: h.max,
        stalls,
        unfinished: open.length,
      };
    },
  };
}

/** simulateSeed's doubles (F): the virtual clock and the integrals of the levels over time. */
const NOW = 0;
const STRANDED_AREA = 1;
const BUSY_AREA = 2;

const EXIT_KILLS = new Set(["escalation", "lease-break", "memory-failure"]);

/** a.fill(v), as an index loop: a call of the builtin costs more than a few words. */
function fillIn<A extends Float64Array | Int32Array>(a: A, v: number): A {
  for (let k = 0; k < a.length; k++) a[k] = v;
  return a;
}

/** a[from..to) = v (an index loop: faster than `fill` on a new array). */
function put(a: number[], from: number, to: number, v: number): void {
  for (let k = from; k < to; k++) a[k] = v;
}

/** SERIES_POINTS copies of v, for the small v most series end with (never handed out: sliced). */
const TAILS: number[][] = [];

/** A series: scratch[0, n) then v up to SERIES_POINTS (a copy of a cached tail, then the head). */
function seriesOut(scratch: readonly number[], n: number, v: number): number[] {
  let tail: number[] | undefined;
  if (Number.isInteger(v) && v >= 0 && v < 64) {
    tail = TAILS[v];
    if (tail === undefined) {
      tail = [];
      for (let k = 0; k < SERIES_POINTS; k++) tail.push(v);
      TAILS[v] = tail;
    }
  }
  const out = tail !== undefined ? tail.slice() : new Array<number>(SERIES_POINTS);
  if (tail === undefined) put(out, n, SERIES_POINTS, v);
  for (let k = 0; k < n; k++) out[k] = scratch[k]!;
  return out;
}

/**
 * The series' points for a horizon: at (horizon·k)/(SERIES_POINTS − 1), and
 * past the last one +∞ (kept for the model's last horizon: its seeds share it).
 */
function gridOf(sm: SimModel, horizon: number): Float64Array {
  const g = sm.grid;
  if (g.horizon !== horizon) {
    for (let k = 0; k < SERIES_POINTS; k++) g.at[k] = (horizon * k) / (SERIES_POINTS - 1);
    g.at[SERIES_POINTS] = Number.POSITIVE_INFINITY;
    g.horizon = horizon;
  }
  return g.at;
}

/** Runs seed `seed` of model sm up to the horizon. */
export function simulateSeed(
  sm: SimModel,
  seed: number,
  o: SeedOptions,
): SeedStats & { readonly recorded?: readonly number[] } {
  const m = sm.model;
  const T = sm.timing;
  const horizon = o.horizon;
  const rand = prng(seed);
  const nP = m.procs.length;
  // Process p's current call started at callAt[p] (its pace done); a blocked layout
  // change started at waitStart[p] (NaN: none) at program counter waitPc[p].
  const X = sm.scratchState;
  const callAt = fillIn(X.callAt, 0);
  const waitStart = fillIn(X.waitStart, Number.NaN);
  const waitPc = fillIn(X.waitPc, 0);
  const repeatFrom = sm.repeatFrom;
  // When the current iteration of a repeating tail began (NaN: not yet).
  const peerRepeatFrom = sm.peerRepeatFrom;
  const lastRepeat = fillIn(X.lastRepeat, Number.NaN);
  const peerRepeatAt = fillIn(X.peerRepeatAt, Number.NaN);
  const since = (t: number) => (Number.isNaN(t) ? F[NOW]! : t);
  // The virtual clock and the levels' integrals: in a typed array, where V8 stores a
  // double in place (a captured `let` would box each new value).
  const F = fillIn(X.clock, 0);

  const delay = (a: number, s: State): number => {
    const i = actionIndex(a);
    switch (actionKind(a)) {
      case A_PROC: {
        const po = proc(m, i);
        if (s[po + P_STATUS] === PS_BLOCKED) {
          return 0; // woken: the cause went away
        }
        const pace = sample(T.procPace[i]!, rand);
        callAt[i] = F[NOW]! + pace;
        const op = T.procOp[i]![s[po + P_PC]!];
        return pace + (op ? sample(op, rand) : 0);
      }
      case A_SIGIO:
        return sample(T.sigio[i]!, rand);
      case A_HANDLER:
        return sample(T.handler[i]!, rand);
      case A_LAND:
        return sample(T.rdmaOp[i]!, rand);
      case A_ODP_FAULT:
        return sample(T.odpFault[i]!, rand);
      case A_WRITEBACK:
        return sample(T.writeback, rand);
      case A_PEER_ACK:
        return sample(T.cancelRtt[i]!, rand);
      case A_LEASE_TIMER:
        return sample(T.leaseBreak[m.ofds[i]!.proc]!, rand);
      case A_PIN_TIMER:
        return sample(T.leaseBreak[m.mrs[i]!.proc]!, rand);
      case A_PEER:
        return sample(T.peerPace[i]!, rand);
      case A_CRASH:
        return sample(T.crash[i]!, rand);
      case A_HANG:
        return sample(T.hang[i]!, rand);
      case A_PARTITION:
        return sample(T.partition[i]!, rand);
      case A_OOM:
        return sample(T.oom[i]!, rand);
      case A_PEER_CRASH:
        return sample(T.peerCrash[i]!, rand);
      case A_REPEAT:
        // Each iteration starts `every` after the previous one began.
        return Math.max(0, since(lastRepeat[i]!) + sample(T.procRepeat[i]!, rand) - F[NOW]!);
      case A_PEER_REPEAT:
        return Math.max(0, since(peerRepeatAt[i]!) + sample(T.peerRepeat[i]!, rand) - F[NOW]!);
      default:
        throw new Error(`pinlab bug: no timing for action kind ${actionKind(a)}`);
    }
  };

  // With the memo on, cur is the memo's copy of state curId and nxt is
  // where a transition not seen before is computed; with it off (curId -1),
  // cur and nxt are the seed's two buffers, swapped after each transition.
  const memo = sm.memo;
  const mOf = sm.memoOf;
  let curId = -1;
  let cur = X.a;
  let nxt = X.b;
  const counters = sm.counters;
  const known = memo.on ? memo.knownInitial() : -1;
  if (known >= 0) {
    // Every seed starts from the same state: its id is kept (no copy, no lookup).
    curId = known;
    cur = memo.state(curId);
  } else cur.set(m.init);
  if (known < 0 && memo.on) {
    for (let c = 0; c < counters.length; c++) cur[counters[c]!] = 0;
    curId = memo.initial(cur);
    if (memo.on) cur = memo.state(curId);
    else curId = -1;
  }
  // The schedule, one slot per action (kind × index): its time, and the round
  // in which it was last enabled; an action enabled in the previous round too
  // keeps its time.
  const slots = sm.slots;
  const { width, at, seenIn } = slots;
  if (slots.round > 0x3fffffff) {
    seenIn.fill(0);
    slots.round = 2;
  }
  let round = slots.round;
  const ev: ModelEvent[] = [];
  const recorded: number[] | undefined = o.record !== undefined ? [] : undefined;

  const trunc = latencyRecorder(sm.scratch.truncate, o.pool?.truncate);
  const punch = latencyRecorder(sm.scratch.punch, o.pool?.punch);
  let kills = 0;
  let commFailures = 0;
  let leaseBreaks = 0;
  let breaksEnded = 0;
  let breaksKilled = 0;
  let foreign = 0;
  let stale = 0;
  let lost = 0;
  let enospc = 0;
  const openBreaks = X.openBreaks;
  // (clear allocates a new table even when empty)
  if (openBreaks.size > 0) openBreaks.clear();
  const violations: SeedViolation[] = [];
  // Conditions: whether each holds now, has held, and for how long in all.
  const conds = sm.conditions;
  const condNow = conds.map((c) => c.holds(cur));
  const condHeld = [...condNow];
  const condTime = conds.map(() => 0);

  // Levels: integrated over time, sampled on the series grid. Computed into
  // two variables (no tuple per step: this runs after every transition).
  const { blkBusy, frames } = sm;
  let strandedNow = 0;
  let busyNow = 0;
  const levels = (s: State): void => {
    busyNow = busyIn(blkBusy, s);
    strandedNow = busyNow + orphansIn(frames, s);
  };
  levels(cur);
  let strandedMax = strandedNow;
  let busyMax = busyNow;
  // The points passed so far, [0, gridK), in the model's scratch; the rest,
  // from the last level on, are added when the seed ends (seriesOut).
  const series = X.series;
  const grid = gridOf(sm, horizon);
  // The series' next point: its index and time (computed once per point, not per step).
  let gridK = 0;
  let gridT = grid[0]!;
  /** Time passes from now to t with the levels as they are (the series' points too, with `points`). */
  const advance = (t: number, points: boolean) => {
    for (let j = 0; j < conds.length; j++) if (condNow[j]) condTime[j]! += t - F[NOW]!;
    F[STRANDED_AREA]! += strandedNow * (t - F[NOW]!);
    F[BUSY_AREA]! += busyNow * (t - F[NOW]!);
    if (points && gridK < SERIES_POINTS && gridT < t) {
      // The levels hold from now to t: every point passed gets them.
      const from = gridK;
      while (gridK < SERIES_POINTS && gridT < t) {
        gridK++;
        gridT = grid[gridK]!;
      }
      put(series.stranded, from, gridK, strandedNow);
      put(series.busy, from, gridK, busyNow);
      put(series.kills, from, gridK, kills);
    }
    F[NOW] = t;
  };

  let fired = -1;
  let steps = 0;
  let interrupted = false;
  let quiescentAt: number | null = null;
  const en: number[] = [];
  const J = sm.judged;
  const nSafety = sm.safety.length;
  /** What property i found on this transition (a message), counted as its kind says. */
  const onFound = (i: number, message: string): void => {
    if (i === nSafety) {
      kills++;
      return;
    }
    if (i === nSafety + 1) {
      commFailures++;
      return;
    }
    const name = J.props[i]!.name;
    if (name === "foreign-dma") foreign++;
    else if (name === "stale-exposure") stale++;
    else if (name === "lost-write") lost++;
    if (!violations.some((v) => v.property === name)) {
      violations.push({ property: name, step: steps, time: F[NOW]!, message });
    }
  };
  // With the memo off from the start: the schedule kept between transitions.
  const timeOf = (a: number, s: State): number => F[NOW]! + delay(a, s);
  let sched: Schedule | null = null;
  if (curId < 0) {
    sched = sm.schedule ??= new Schedule(
      m,
      scheduleTable(m),
      (a) => (isTimed(T, a) ? slotIn(width, a) : -1),
      KINDS * width,
    );
    sched.start(cur, timeOf);
  }
  const shadow = o.verify === true ? new Shadow(sm) : null;
  const verify = shadow !== null;
  let found: Found[] = [];
  for (;;) {
    if ((steps & 4095) === 4095 && o.stop?.()) {
      interrupted = true;
      break;
    }
    let enOf: readonly number[];
    let nEn: number;
    let slotsOf: Int32Array | null = null;
    let minT = Number.POSITIVE_INFINITY;
    let minA = -1;
    let minK = -1;
    if (sched !== null) {
      if (steps > 0) sched.advance(cur, fired, timeOf);
      minA = sched.top();
      minT = sched.at();
      nEn = verify ? sched.enabledInto(en) : 0;
      enOf = en;
    } else if (curId >= 0) {
      enOf = memo.enabled(curId);
      nEn = enOf.length;
      slotsOf = mOf.slots[curId]!;
    } else {
      nEn = enabledInto(m, cur, en);
      enOf = en;
    }
    for (let k = 0; sched === null && k < nEn; k++) {
      const a = enOf[k]!;
      const slot = slotsOf !== null ? slotsOf[k]! : isTimed(T, a) ? slotIn(width, a) : -1;
      if (slot < 0) continue;
      let t: number;
      if (a !== fired && seenIn[slot] === round - 1) t = at[slot]!;
      else {
        t = F[NOW]! + delay(a, cur);
        at[slot] = t;
      }
      seenIn[slot] = round;
      if (t < minT) {
        minT = t;
        minA = a;
        minK = k;
      }
    }
    round++;
    slots.round = round + 1;
    if (minA < 0) {
      quiescentAt = F[NOW]!;
      break;
    }
    if (minT > horizon) break;
    sched?.fire();
    advance(minT, true);
    const tr = curId >= 0 ? memo.transition(curId, minK) : undefined;
    let events: readonly ModelEvent[];
    if (tr === undefined) {
      // Emptied by pops: V8 runs them inline, where setting `length` calls into the runtime.
      while (ev.length > 0) ev.pop();
      stepInto(m, cur, minA, nxt, ev);
    }
    events = tr === undefined ? ev : tr.events;
    steps++;
    recorded?.push(minA);
    const kind = actionKind(minA);
    const who = actionIndex(minA);
    // A tail's first iteration begins with its first operation; later ones with the repeat.
    if (
      kind === A_PROC &&
      Number.isNaN(lastRepeat[who]!) &&
      cur[proc(m, who) + P_PC] === repeatFrom[who] &&
      cur[proc(m, who) + P_STATUS] !== PS_BLOCKED
    )
      lastRepeat[who] = F[NOW]!;
    if (
      kind === A_PEER &&
      Number.isNaN(peerRepeatAt[who]!) &&
      cur[peerOff(m, who) + R_PC] === peerRepeatFrom[who]
    )
      peerRepeatAt[who] = F[NOW]!;
    if (kind === A_REPEAT) lastRepeat[who] = F[NOW]!;
    if (kind === A_PEER_REPEAT) peerRepeatAt[who] = F[NOW]!;

    // One pass over the events: the counters below, and which properties must
    // judge them (a transition from the memo has its findings kept: no mask).
    let mask = J.always;
    const judge = tr === undefined;
    for (let k = 0; k < events.length; k++) {
      const e = events[k]!;
      const kindOf = e.k;
      if (judge) mask |= J.maskOf.get(kindOf) ?? 0;
      switch (kindOf) {
        case "lease-break": {
          const key = e.holder * 65536 + e.inode;
          if (!openBreaks.has(key)) {
            openBreaks.add(key);
            leaseBreaks++;
          }
          break;
        }
        case "timer":
          if (openBreaks.delete(e.holder * 65536 + e.inode)) {
            breaksEnded++;
            breaksKilled++;
          }
          break;
        case "lease-removed":
          if (openBreaks.delete(e.holder * 65536 + e.inode)) breaksEnded++;
          break;
        case "handler-done":
          for (const key of openBreaks)
            if (Math.floor(key / 65536) === e.proc) {
              openBreaks.delete(key);
              breaksEnded++;
            }
          break;
        case "exit": {
          const killed = EXIT_KILLS.has(e.cause);
          for (const key of openBreaks)
            if (Math.floor(key / 65536) === e.proc) {
              openBreaks.delete(key);
              breaksEnded++;
              if (killed) breaksKilled++;
            }
          waitStart[e.proc] = Number.NaN; // a call that never returns: not a latency
          break;
        }
        case "block":
          if (sm.layoutKind[e.proc]![e.pc]! !== 0 && Number.isNaN(waitStart[e.proc]!)) {
            waitStart[e.proc] = kind === A_PROC && who === e.proc ? callAt[e.proc]! : F[NOW]!;
            waitPc[e.proc] = e.pc;
          }
          break;
        case "ret": {
          if (e.result === -ENOSPC) enospc++;
          const lk = sm.layoutKind[e.proc]![e.pc]!;
          if (lk === 0) break;
          const waited = !Number.isNaN(waitStart[e.proc]!) && waitPc[e.proc] === e.pc;
          const start = waited
            ? waitStart[e.proc]!
            : kind === A_PROC && who === e.proc
              ? callAt[e.proc]!
              : F[NOW]!;
          waitStart[e.proc] = Number.NaN;
          (lk === 1 ? trunc : punch).record(F[NOW]! - start);
          break;
        }
        default:
          break;
      }
    }
    // Judged by the bundled properties, as check judges the same transition;
    // a property that reads none of this transition's event kinds finds nothing.
    if (tr !== undefined) {
      for (let k = 0; k < tr.found.length; k++) onFound(tr.found[k]!.prop, tr.found[k]!.message);
      shadow?.step(enOf, nEn, minA, tr.events, tr.found);
    } else {
      for (let i = 0; i < J.props.length; i++) {
        if (i < MASKED && ((mask >>> i) & 1) === 0) continue;
        const f = J.props[i]!.onStep!(m, cur, nxt, ev);
        if (f === null) continue;
        if (curId >= 0 || verify) found.push({ prop: i, message: f.message });
        onFound(i, f.message);
      }
      shadow?.step(enOf, nEn, minA, ev, found);
      if (curId < 0 && found.length > 0) found = [];
    }
    fired = minA;
    if (curId >= 0) {
      let next: number;
      if (tr !== undefined) next = tr.next;
      else {
        // Interned last: a full memory starts over, and cur may then be overwritten.
        for (let c = 0; c < counters.length; c++) nxt[counters[c]!] = 0;
        const from = curId;
        const generation = memo.generation;
        next = memo.intern(nxt);
        if (next >= 0) memo.keep(from, minK, next, ev, found);
        if (memo.generation !== generation) next = memo.intern(nxt);
        if (found.length > 0) found = [];
      }
      if (memo.on) {
        curId = next;
        cur = memo.state(next);
        strandedNow = mOf.stranded[next]!;
        busyNow = mOf.busy[next]!;
      } else {
        // Switched off: on with the seed's own buffers.
        curId = -1;
        cur = X.a;
        cur.set(memo.state(next));
        nxt = X.b;
        memo.release();
        levels(cur);
      }
    } else {
      const t = cur;
      cur = nxt;
      nxt = t;
      levels(cur);
    }
    shadow?.same(cur);
    for (let j = 0; j < conds.length; j++) {
      const h = conds[j]!.holds(cur);
      condNow[j] = h;
      if (h) condHeld[j] = true;
    }
    if (strandedNow > strandedMax) strandedMax = strandedNow;
    if (busyNow > busyMax) busyMax = busyNow;
    if (recorded && o.record !== undefined && steps >= o.record) break;
  }
  const end = interrupted ? F[NOW]! : horizon;
  // The levels last to the horizon: the points from gridK on have the last ones.
  if (!interrupted) advance(horizon, false);
  const open = (kind: number) => {
    const out: number[] = [];
    for (let p = 0; p < nP; p++)
      if (!Number.isNaN(waitStart[p]!) && sm.layoutKind[p]![waitPc[p]!] === kind)
        out.push(waitStart[p]!);
    return out;
  };
  const span = end > 0 ? end : 1;
  return {
    seed,
    events: steps,
    end,
    quiescentAt,
    truncate: trunc.done(open(1), end),
    punch: punch.done(open(2), end),
    kills,
    commFailures,
    leaseBreaks,
    breaksEnded,
    breaksKilled,
    foreignDma: foreign,
    staleReads: stale,
    lostWrites: lost,
    enospc,
    stranded: { mean: F[STRANDED_AREA]! / span, max: strandedMax },
    busy: { mean: F[BUSY_AREA]! / span, max: busyMax },
    series: {
      stranded: seriesOut(series.stranded, gridK, strandedNow),
      busy: seriesOut(series.busy, gridK, busyNow),
      kills: seriesOut(series.kills, gridK, kills),
    },
    violations,
    conditions: conds.map((_, j) => ({ held: condHeld[j]!, time: condTime[j]! })),
    interrupted,
    ...(recorded ? { recorded } : {}),
  };
}

/**
 * A second run of the same schedule straight through the model, on the
 * states as the model has them (iteration counters and all), for
 * `SeedOptions.verify`: after every transition it checks that the loop saw
 * the enabled actions, the events (but a repeat's iteration number) and the
 * findings the model gives, and that the loop's state is the model's but
 * for the iteration counters. A difference throws.
 */
class Shadow {
  private cur: Int32Array;
  private nxt: Int32Array;
  private readonly en: number[] = [];
  private readonly ev: ModelEvent[] = [];
  private readonly masked: Int32Array;

  constructor(private readonly sm: SimModel) {
    this.cur = Int32Array.from(sm.model.init);
    this.nxt = new Int32Array(this.cur.length);
    this.masked = sm.counters;
  }

  step(
    en: readonly number[],
    nEn: number,
    a: number,
    events: readonly ModelEvent[],
    found: readonly Found[],
  ): void {
    const { model: m, judged: J } = this.sm;
    const n = enabledInto(m, this.cur, this.en);
    let same = n === nEn;
    for (let k = 0; same && k < n; k++) same = this.en[k] === en[k];
    if (!same)
      throw new Error(
        `pinlab bug: the simulator's enabled actions [${en.slice(0, nEn)}] are not the model's [${this.en.slice(0, n)}]`,
      );
    this.ev.length = 0;
    stepInto(m, this.cur, a, this.nxt, this.ev);
    const plain = (evs: readonly ModelEvent[]) =>
      JSON.stringify(
        evs.map((e) => (e.k === "repeat" || e.k === "peer-repeat" ? { ...e, iteration: 0 } : e)),
      );
    if (plain(events) !== plain(this.ev))
      throw new Error(
        `pinlab bug: the simulator's events ${plain(events)} are not the model's ${plain(this.ev)}`,
      );
    const want: Found[] = [];
    for (let i = 0; i < J.props.length; i++) {
      const f = J.props[i]!.onStep!(m, this.cur, this.nxt, this.ev);
      if (f !== null) want.push({ prop: i, message: f.message });
    }
    if (JSON.stringify(want) !== JSON.stringify(found))
      throw new Error(
        `pinlab bug: the simulator's findings ${JSON.stringify(found)} are not the model's ${JSON.stringify(want)}`,
      );
    const t = this.cur;
    this.cur = this.nxt;
    this.nxt = t;
  }

  /** Throws unless s is the model's state but for the iteration counters (see SimModel.counters). */
  same(s: State): void {
    for (let i = 0; i < s.length; i++) {
      if (s[i] === this.cur[i] || this.masked.includes(i)) continue;
      throw new Error(
        `pinlab bug: the simulator's state differs from the model's at word ${i}: ${s[i]}, not ${this.cur[i]}`,
      );
    }
  }
}

/** The first `steps` actions of seed `seed`: a violation's schedule from the initial state. */
export function scheduleOf(sm: SimModel, seed: number, horizon: number, steps: number): number[] {
  return [...(simulateSeed(sm, seed, { horizon, record: steps }).recorded ?? [])];
}
