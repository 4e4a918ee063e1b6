/**
 * The allocation-free canonical form equals the one computed the plain way
 * (each replica's key built as an array, the members sorted by key, the
 * state copied over): on the states of random walks through every bundled
 * scenario that has replicas, under every policy, and through scenarios grown
 * from replicas.pin; and on every reachable state, in breadth-first order as
 * the explorer asks (successors of one state one after another), of the
 * bundled scenarios with replicas and of repw-N-P.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { replicas } from "../../bench/check-bench.js";
import { fpHi, fpLo } from "../../model/fingerprint.js";
import type { State } from "../../model/layout.js";
import { R_OPMR, R_VARS } from "../../model/layout.js";
import type { ScenarioSpec } from "../../model/spec.js";
import { enabled, step } from "../../model/step.js";
import { POLICY_NAMES } from "../../policies/index.js";
import { bundledSpecs } from "../../testing/baseline.js";
import { prng } from "../run/random.js";
import { systemFromArg } from "./model-system.js";
import { findSymmetry, type Replica } from "./symmetry.js";

function mrRefs(r: Replica): number[] {
  const out = [r.peerOff + R_OPMR];
  for (let v = 0; v < r.peerVars; v++) out.push(r.peerOff + R_VARS + v);
  for (let i = 0; i < r.mboxCap; i++) out.push(r.mboxOff + 1 + i);
  return out;
}
const localRef = (r: Replica, v: number): number => (v > 0 ? r.mrs.indexOf(v - 1) + 1 : v);
const globalRef = (r: Replica, v: number): number => (v > 0 ? r.mrs[v - 1]! + 1 : v);

function keyOf(r: Replica, s: State): number[] {
  const key: number[] = [];
  for (const [o, n] of r.ranges) for (let i = 0; i < n; i++) key.push(s[o + i]!);
  const refs = new Set(mrRefs(r));
  for (let i = 0; i < R_VARS + r.peerVars; i++) {
    const at = r.peerOff + i;
    key.push(refs.has(at) ? localRef(r, s[at]!) : s[at]!);
  }
  for (let i = 0; i <= r.mboxCap; i++) {
    const at = r.mboxOff + i;
    key.push(refs.has(at) ? localRef(r, s[at]!) : s[at]!);
  }
  return key;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** The canonical form the plain way: the reference the fast one must equal. */
function reference(groups: readonly (readonly Replica[])[], s: State): State {
  let out: State | null = null;
  for (const group of groups) {
    const keys = group.map((r) => keyOf(r, s));
    const order = group.map((_, i) => i).sort((x, y) => compare(keys[x]!, keys[y]!) || x - y);
    if (order.every((x, i) => x === i)) continue;
    out ??= s.slice();
    order.forEach((src, dst) => {
      if (src === dst) return;
      const from = group[src]!;
      const to = group[dst]!;
      from.ranges.forEach(([o, n], k) => {
        const [t] = to.ranges[k]!;
        for (let i = 0; i < n; i++) out![t + i] = s[o + i]!;
      });
      const refs = new Set(mrRefs(from));
      for (let i = 0; i < R_VARS + from.peerVars; i++) {
        const v = s[from.peerOff + i]!;
        out![to.peerOff + i] = refs.has(from.peerOff + i) ? globalRef(to, localRef(from, v)) : v;
      }
      for (let i = 0; i <= from.mboxCap; i++) {
        const v = s[from.mboxOff + i]!;
        out![to.mboxOff + i] = i > 0 ? globalRef(to, localRef(from, v)) : v;
      }
    });
  }
  return out ?? s;
}

/** Random walks under `policy`: how many states had a canonical form that differs from themselves. */
function walk(spec: ScenarioSpec, policy: string, seed: number): number {
  const m = systemFromArg({ spec, policy, params: {} }).model;
  const sym = findSymmetry(m);
  if (!sym) return -1;
  const rand = prng(seed);
  const out = new Int32Array(m.size);
  let moved = 0;
  for (let run = 0; run < 20; run++) {
    let s = m.init;
    for (let d = 0; d < 60; d++) {
      const want = reference(sym.groups, s);
      const got: State = sym.canonicalInto(s, out);
      assert.deepEqual(Array.from(got), Array.from(want), `${spec.name} under ${policy}`);
      assert.equal(got === s, want === s, "a canonical state is returned as it is");
      assert.deepEqual(Array.from(sym.canonical(s)), Array.from(want));
      if (want !== s) moved++;
      const en = enabled(m, s);
      if (en.length === 0) break;
      s = step(m, s, en[Math.floor(rand() * en.length)]!, null);
    }
  }
  return moved;
}

test("canonical forms equal the plain computation on every bundled scenario and workload with replicas", () => {
  let scenarios = 0;
  let moved = 0;
  const dirs = ["../../../scenarios/", "../../../workloads/", "../../../examples/"];
  for (const b of dirs.flatMap((d) => bundledSpecs(new URL(d, import.meta.url)))) {
    for (const [i, policy] of POLICY_NAMES.entries()) {
      const n = walk(b.spec, policy, i + 1);
      if (n < 0) break;
      if (i === 0) scenarios++;
      moved += n;
    }
  }
  assert.ok(scenarios >= 3, `only ${scenarios} scenarios have replicas`);
  assert.ok(moved > 100, "the walks reach states that are not canonical");
});

test("canonical forms equal the plain computation on scenarios grown from replicas.pin", () => {
  for (const [n, p] of [
    [4, 2],
    [5, 1],
  ] as const)
    for (const policy of ["revoke", "wait", "odp"])
      assert.ok(walk(replicas(n, p), policy, n * 10 + p) > 0);
});

/**
 * Every reachable state of `spec` under `policy`, unreduced and breadth
 * first: each successor's canonical form checked against the plain one.
 * Returns the states reached (-1 without replicas).
 */
function everyState(spec: ScenarioSpec, policy: string): number {
  const m = systemFromArg({ spec, policy, params: {} }).model;
  const sym = findSymmetry(m);
  if (!sym) return -1;
  const out = new Int32Array(m.size);
  const seen = new Set<string>();
  const check = (s: State) => {
    const want = reference(sym.groups, s);
    const got: State = sym.canonicalInto(s, out);
    assert.equal(got === s, want === s, "a canonical state is returned as it is");
    for (let i = 0; i < want.length; i++)
      if (got[i] !== want[i]) assert.fail(`${spec.name} under ${policy}: word ${i} differs`);
  };
  const queue: State[] = [m.init];
  seen.add(`${fpHi(m.init)}:${fpLo(m.init)}`);
  check(m.init);
  for (let q = 0; q < queue.length; q++) {
    const s = queue[q]!;
    for (const a of enabled(m, s)) {
      const t = step(m, s, a, null);
      check(t);
      const key = `${fpHi(t)}:${fpLo(t)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      queue.push(t);
    }
    queue[q] = m.init; // let the expanded state go
  }
  return seen.size;
}

test("canonical forms equal the plain computation on every reachable state of the bundled scenarios with replicas", () => {
  let scenarios = 0;
  const dirs = ["../../../scenarios/", "../../../workloads/", "../../../examples/"];
  for (const b of dirs.flatMap((d) => bundledSpecs(new URL(d, import.meta.url)))) {
    for (const [i, policy] of POLICY_NAMES.entries()) {
      if (everyState(b.spec, policy) < 0) break;
      if (i === 0) scenarios++;
    }
  }
  assert.ok(scenarios >= 3, `only ${scenarios} scenarios have replicas`);
});

test("canonical forms equal the plain computation on every reachable state of repw-N-P", () => {
  // unreduced state counts under revoke (bench/check-bench.ts)
  assert.equal(everyState(replicas(2, 2), "revoke"), 4_810);
  assert.equal(everyState(replicas(2, 4), "revoke"), 11_426);
  assert.equal(everyState(replicas(3, 2), "revoke"), 262_918);
  for (const policy of ["wait", "odp", "unsafe"]) assert.ok(everyState(replicas(3, 1), policy) > 0);
});
