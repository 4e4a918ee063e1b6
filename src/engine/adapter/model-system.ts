/**
 * The kernel model as a {@link System} for the explorer: properties become
 * bit masks over transitions and terminal states.
 */

import { compile } from "../../model/compile.js";
import { errnoByName } from "../../model/errno.js";
import type { ModelEvent } from "../../model/events.js";
import {
  INF_READ,
  type Model,
  P_PC,
  P_STATUS,
  PS_BLOCKED,
  R_INFL,
  R_TGT,
  type State,
} from "../../model/layout.js";
import { asExplored } from "../../model/replicas.js";
import type { ScenarioSpec } from "../../model/spec.js";
import {
  A_LAND,
  A_PEER,
  actionIndex,
  actionKind,
  enabled,
  enabledInto,
  isFault,
  step,
  stepInto,
} from "../../model/step.js";
import { makePolicy } from "../../policies/index.js";
import { refTextMatches } from "../../policies/ref.js";
import { conditionName, conditionProperty } from "../../properties/condition/property.js";
import { isPluginProperty, PROPERTIES } from "../../properties/index.js";
import type { Property } from "../../properties/property.js";
import type { System } from "../explore/system.js";
import { loadedPlugins, loadPluginsInWorker, type PluginRef } from "../plugins/load.js";
import { coverageMap } from "./coverage.js";
import { describeAction } from "./describe.js";
import { findSymmetry } from "./symmetry.js";

/**
 * @param always names of properties that an `always` expectation wants on
 * every run. Each gets a monitor bit in one extra state word (set once the
 * property has shown on the path) and a liveness obligation "always P",
 * pending until the bit is set: a run that ends, or loops for ever, with the
 * bit clear is a run without P.
 */
export function modelSystem(
  m: Model,
  props: readonly Property[],
  always: readonly string[] = [],
): System<ModelEvent> & {
  pending(s: State): number;
} {
  const live = props.filter((p) => p.pending);
  const watched = always.map((n) => props.find((p) => p.name === n && p.onStep)!).filter(Boolean);
  // Obligations are the registry's liveness properties and one per `always`
  // over a registry property: their number is bounded by the registry, not by
  // the scenario, so one 32-bit mask holds them.
  if (live.length + watched.length > 32)
    throw new Error("pinlab bug: more than 32 liveness obligations for one pending mask");
  /** Judge bit of property i (bigint masks: a scenario may add any number of result properties). */
  const BIT = props.map((_, i) => 1n << BigInt(i));
  const MON = m.size;
  const init = watched.length === 0 ? m.init : Int32Array.from([...m.init, 0]);
  // Properties that declare the event kinds they read are judged only on a
  // transition with one of them (stamp: the transition; subscribed[i] ===
  // stamp: property i reads one of its events).
  const byKind = new Map<string, number[]>();
  const all = [...props, ...watched];
  all.forEach((p, i) => {
    for (const k of p.reads ?? []) byKind.set(k, [...(byKind.get(k) ?? []), i]);
  });
  const filtered = all.map((p) => p.reads !== undefined);
  const subscribed = new Int32Array(all.length);
  let stamp = 0;
  const subscribe = (events: readonly ModelEvent[]) => {
    stamp = (stamp + 1) | 0;
    for (let e = 0; e < events.length; e++) {
      const subs = byKind.get(events[e]!.k);
      if (subs) for (let j = 0; j < subs.length; j++) subscribed[subs[j]!] = stamp;
    }
  };
  // With at most 31 properties (the registry's, and a scenario's few results),
  // the ones a transition must see are a bit mask: those that read every
  // transition, or per event kind those that read it. `judge` then asks just
  // those, in the same order as the loop over all of them.
  const small = props.length <= 31;
  let everyMask = 0;
  const kindMask = new Map<string, number>();
  if (small)
    props.forEach((p, i) => {
      if (!p.onStep) return;
      if (p.reads === undefined) everyMask |= 1 << i;
      else for (const k of p.reads) kindMask.set(k, (kindMask.get(k) ?? 0) | (1 << i));
    });
  /** Whether property i (of props, then watched) must see this transition. */
  const sees = (i: number) => !filtered[i] || subscribed[i] === stamp;
  /** Sets the monitor bits of the `always` properties that this transition shows. */
  const monitor = (before: State, after: State, events: readonly ModelEvent[]) => {
    subscribe(events);
    for (let j = 0; j < watched.length; j++)
      if (sees(props.length + j) && watched[j]!.onStep!(m, before, after, events) !== null)
        after[MON]! |= 1 << j;
  };
  const user = props.some(isPluginProperty);
  const sym = findSymmetry(m);
  const cov = coverageMap(m);
  const faulty =
    m.procs.some((p) => p.mayCrash || p.mayHang || p.mayOom === true) ||
    m.peers.some((r) => r.mayPartition || r.mayCrash === true);
  const quietButFaults = (s: State): boolean => {
    const en = enabled(m, s);
    return en.length > 0 && en.every(isFault);
  };
  const judgeEndBits = (s: State): bigint => {
    let bits = 0n;
    for (let i = 0; i < props.length; i++) {
      const p = props[i]!;
      if (p.atEnd && p.atEnd(m, s) !== null) bits |= BIT[i]!;
    }
    return bits;
  };
  return {
    init,
    properties: props.map((p) => p.name),
    enabled: (s) => enabled(m, s),
    enabledInto: (s, out) => enabledInto(m, s, out),
    step(s, a, ev) {
      if (watched.length === 0) return step(m, s, a, ev);
      const events = ev ?? [];
      const n = step(m, s, a, events);
      monitor(s, n, events);
      return n;
    },
    stepInto(s, a, out, ev) {
      if (watched.length === 0) return stepInto(m, s, a, out, ev);
      const events = ev ?? [];
      stepInto(m, s, a, out, events);
      monitor(s, out, events);
    },
    judge(before, a, after, events) {
      cov.note(before, a, events);
      let bits = 0n;
      if (small) {
        let ask = everyMask;
        for (let e = 0; e < events.length; e++) ask |= kindMask.get(events[e]!.k) ?? 0;
        while (ask !== 0) {
          const i = 31 - Math.clz32(ask & -ask); // the lowest bit first
          ask &= ask - 1;
          if (props[i]!.onStep!(m, before, after, events) !== null) bits |= BIT[i]!;
        }
      } else {
        subscribe(events);
        for (let i = 0; i < props.length; i++) {
          const p = props[i]!;
          if (p.onStep && sees(i) && p.onStep(m, before, after, events) !== null) bits |= BIT[i]!;
        }
      }
      // Injected faults are possibilities, not progress: a state where only a
      // fault could still happen may last for ever, so it is judged like an end.
      if (faulty && quietButFaults(after)) bits |= judgeEndBits(after);
      return bits;
    },
    judgeEnd: (s) => judgeEndBits(s),
    // Bit i of `pending` is obligation i: the i-th property that has one.
    pending(s) {
      let bits = 0;
      for (let i = 0; i < live.length; i++) if (live[i]!.pending!(m, s)) bits |= 1 << i;
      for (let j = 0; j < watched.length; j++)
        if ((s[MON]! & (1 << j)) === 0) bits |= 1 << (live.length + j);
      return bits;
    },
    obligations: [...live.map((p) => p.name), ...watched.map((p) => `always ${p.name}`)],
    // Partial-order and symmetry reduction are exact for what the bundled
    // properties judge (por.ts, symmetry.ts); a plugin's property may judge
    // anything, so a search that judges one explores without them.
    ...(user
      ? {}
      : { independent: (a: number, b: number, s: State) => peersIndependent(m, a, b, s) }),
    ...(sym && !user ? { canonical: sym.canonical, canonicalInto: sym.canonicalInto } : {}),
    describe: (a) => describeAction(m, a),
    coverage: () => cov.bytes,
  };
}

/**
 * Independence for partial-order reduction, kept to what is evident from the
 * model: two different peers' steps (issuing an operation, receiving a
 * message, or their NIC completing a DMA) touch only their own peer's fields
 * and, for a landing DMA, its target page. They commute and do not change
 * each other's judgement, unless both land on the same page and one writes.
 */
function peersIndependent(m: Model, a: number, b: number, s: State): boolean {
  const ka = actionKind(a);
  const kb = actionKind(b);
  if ((ka !== A_PEER && ka !== A_LAND) || (kb !== A_PEER && kb !== A_LAND)) return false;
  const ra = actionIndex(a);
  const rb = actionIndex(b);
  if (ra === rb) return false;
  if (ka === A_LAND && kb === A_LAND) {
    const pa = m.peers[ra]!.off;
    const pb = m.peers[rb]!.off;
    const bothRead = s[pa + R_INFL] === INF_READ && s[pb + R_INFL] === INF_READ;
    return bothRead || s[pa + R_TGT] !== s[pb + R_TGT];
  }
  return true;
}

/** What a worker thread needs to rebuild a model system: plain, structured-cloneable data. */
export interface ModelSystemArg {
  readonly spec: ScenarioSpec;
  readonly policy: string;
  readonly params: Readonly<Record<string, string>>;
}

/** The model system for a scenario under a policy, with a factory so that workers can rebuild it. */
export function systemFromArg(arg: ModelSystemArg): System<ModelEvent> & { readonly model: Model } {
  const p = makePolicy(arg.policy, arg.params);
  if (!p.ok) throw new Error(`pinlab bug: ${p.error}`);
  const c = compile(arg.spec, p.policy);
  if (!c.ok) throw new Error(`pinlab bug: scenario does not compile: ${c.errors[0]?.message}`);
  const always = arg.spec.expectations.flatMap((e) =>
    e.kind !== "result" &&
    e.quantifier === "always" &&
    (!e.policies || e.policies.some((ref) => refTextMatches(ref, p.policy)))
      ? [e.kind === "property" ? e.property : conditionName(e.condition)]
      : [],
  );
  const sys = modelSystem(c.model, propertiesFor(arg.spec), [...new Set(always)]);
  return {
    ...sys,
    model: c.model,
    // a worker thread loads the plugin files this thread loaded, then builds the system
    factory: {
      module: import.meta.url,
      export: "systemInWorker",
      arg: { arg, plugins: loadedPlugins() },
    },
  };
}

/** The factory workers call: the plugins first (their policies and properties), then the system. */
export async function systemInWorker(w: {
  arg: ModelSystemArg;
  plugins: readonly PluginRef[];
}): Promise<System<ModelEvent> & { readonly model: Model }> {
  await loadPluginsInWorker(w.plugins);
  return systemFromArg(w.arg);
}

/**
 * The properties judged for a scenario: the bundled ones, plus one per result
 * expectation ("proc.op returns R"), shown when some run gets that result.
 */
export function propertiesFor(spec: ScenarioSpec): Property[] {
  const extra: Property[] = [];
  // Result expectations name processes as the model does: copies of a replica group as explored.
  for (const e of asExplored(spec).expectations) {
    if (e.kind === "condition") {
      // Bound against the scenario as written; compiled once per model (condition/property.ts).
      const name = conditionName(e.condition);
      if (!extra.some((p) => p.name === name)) extra.push(conditionProperty(e.condition, spec));
      continue;
    }
    if (e.kind !== "result") continue;
    const name = `${e.proc}.${e.op} returns ${e.result}`;
    if (extra.some((p) => p.name === name)) continue;
    extra.push(resultProperty(name, e.proc, e.op, e.result));
  }
  return [...PROPERTIES, ...extra];
}

function resultProperty(name: string, procName: string, op: string, result: string): Property {
  const want = result === "ok" ? 0 : result === "blocks" ? 1 : -(errnoByName(result) ?? 0);
  // looked up once per model: the property is judged on every transition that returns
  const found = new WeakMap<Model, { p: number; pcs: number[] }>();
  const pcsOf = (m: Model) => {
    const known = found.get(m);
    if (known) return known;
    const p = m.procs.findIndex((x) => x.name === procName);
    // The first operation of that name or label (docs/scenario-format.md).
    const first =
      p < 0 ? undefined : m.procs[p]!.prog.find((o) => o.spec.op === op || o.spec.label === op);
    const r = { p, pcs: first ? [first.index] : [] };
    found.set(m, r);
    return r;
  };
  if (result === "blocks")
    return {
      name,
      summary: `${procName}'s ${op} blocks and never returns`,
      kind: "possibility",
      group: "result",
      atEnd(m, s) {
        const { p, pcs } = pcsOf(m);
        if (p < 0) return null;
        const po = m.procs[p]!.off;
        return s[po + P_STATUS] === PS_BLOCKED && pcs.includes(s[po + P_PC]!)
          ? { message: `${procName}'s ${op} is still blocked at the end` }
          : null;
      },
    };
  return {
    name,
    summary: `${procName}'s ${op} returns ${result}`,
    kind: "possibility",
    group: "result",
    reads: ["ret"],
    onStep(m, _b, _a, events) {
      const { p, pcs } = pcsOf(m);
      for (const e of events)
        if (
          e.k === "ret" &&
          e.proc === p &&
          pcs.includes(e.pc) &&
          (want === 0 ? e.result >= 0 : e.result === want)
        )
          return { message: `${procName}'s ${op} returned ${result}` };
      return null;
    },
  };
}
