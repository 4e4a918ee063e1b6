/**
 * Reductions keep verdicts exact: random product systems (with the exact
 * semantic independence relation) and the toy pins model are explored with
 * and without sleep sets and symmetry, and against a naive reference search.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { bundledSpecs } from "../../testing/baseline.js";
import { type LocalMove, productSystem, reference } from "../../testing/systems/sample-systems.js";
import { toyPinsSystem } from "../../testing/systems/toy-pins.js";
import { systemFromArg } from "../adapter/model-system.js";
import { checkContracts } from "./contracts.js";
import { explore } from "./explore.js";
import type { System } from "./system.js";
import type { ExploreResult } from "./types.js";
import { replay } from "./witness.js";

const move = (xs: number, locals: number): fc.Arbitrary<LocalMove> =>
  fc.record({
    from: fc.nat(locals - 1),
    to: fc.nat(locals - 1),
    // mostly private moves, so that many pairs are independent
    guard: fc.oneof(fc.constant(-1), fc.constant(-1), fc.integer({ min: -1, max: xs - 1 })),
    set: fc.oneof(fc.constant(-1), fc.constant(-1), fc.integer({ min: -1, max: xs - 1 })),
    bits: fc.constantFrom(0, 0, 0, 1, 2, 4),
    when: fc.integer({ min: 1, max: (1 << xs) - 1 }),
  });

const product = fc
  .record({ xs: fc.integer({ min: 1, max: 3 }), locals: fc.integer({ min: 2, max: 4 }) })
  .chain(({ xs, locals }) =>
    fc.record({
      procs: fc.array(fc.array(move(xs, locals), { maxLength: 5 }), { minLength: 1, maxLength: 4 }),
      xs: fc.constant(xs),
      endX: fc.integer({ min: -1, max: xs - 1 }),
      pendX: fc.integer({ min: -1, max: xs - 1 }),
    }),
  );

/** What must not change under reduction: everything but transition counts. */
function verdicts(r: ExploreResult) {
  return {
    properties: r.properties.map((p) => [p.name, p.shown, p.witness?.length ?? -1, p.kind]),
    deadlocks: r.deadlocks.count > 0,
    deadlockLen: r.deadlocks.witness?.length ?? -1,
    liveness: r.liveness.map((l) => [l.name, l.violated]),
  };
}

/** Every witness is a real path that shows what it claims. */
function checkWitnesses(sys: System, r: ExploreResult): void {
  r.properties.forEach((p, b) => {
    if (!p.witness) return;
    let s = sys.init;
    let shown = 0n;
    for (const a of p.witness) {
      assert.ok(sys.enabled(s).includes(a), "witness action enabled");
      const t = sys.step(s, a, []);
      if (a === p.witness.at(-1)) shown = sys.judge(s, a, t, []);
      s = t;
    }
    if (p.kind === "end") {
      assert.equal(sys.enabled(s).length, 0);
      assert.ok(sys.judgeEnd(s) & (1n << BigInt(b)));
    } else assert.ok(shown & (1n << BigInt(b)), `${p.name} shown by the last step`);
  });
  r.liveness.forEach((l, b) => {
    if (!l.violated) return;
    if (l.deadEnd) {
      const s = replay(sys, l.witness!);
      assert.equal(sys.enabled(s).length, 0);
      assert.ok(sys.pending!(s) & (1 << b));
      return;
    }
    const start = replay(sys, l.lasso!.prefix);
    let s = start;
    assert.ok(l.lasso!.cycle.length > 0);
    for (const a of l.lasso!.cycle) {
      assert.ok(sys.pending!(s) & (1 << b), "pending all along the cycle");
      assert.ok(sys.enabled(s).includes(a));
      s = sys.step(s, a, []);
    }
    assert.deepEqual([...s], [...start], "the cycle returns to its first state");
  });
}

describe("reductions keep verdicts exact", () => {
  it("random product systems: explorer = reference, with and without sleep sets", async () => {
    await fc.assert(
      fc.asyncProperty(product, async (spec) => {
        const sys = productSystem(spec);
        const ref = reference(sys);
        const full = await explore(sys);
        const por = await explore(sys, { reduce: true });
        assert.equal(por.reductions.por, true);
        assert.equal(full.stats.states, ref.states);
        assert.equal(por.stats.states, ref.states, "sleep sets never lose a state");
        assert.equal(full.deadlocks.count, ref.terminals);
        assert.equal(por.deadlocks.count, ref.terminals);
        assert.deepEqual(
          full.properties.map((p) => p.witness?.length ?? -1),
          ref.shortest,
        );
        assert.deepEqual(
          full.liveness.map((l) => l.violated),
          ref.violated,
        );
        assert.deepEqual(verdicts(por), verdicts(full));
        assert.ok(por.stats.transitions <= full.stats.transitions);
        checkWitnesses(sys, full);
        checkWitnesses(sys, por);
      }),
      { numRuns: 300 },
    );
  });

  it("sleep sets save transitions where processes are independent", async () => {
    const sys = toyPinsSystem({ n: 4, mode: "wait" });
    const full = await explore(sys);
    const por = await explore(sys, { por: true });
    assert.equal(por.stats.states, full.stats.states);
    assert.ok(por.stats.transitions < full.stats.transitions * 0.75);
  });

  for (const mode of ["unsafe", "wait", "revoke"] as const)
    for (const handler of ["cancel", "ignore"] as const)
      it(`toy pins (${mode}, ${handler}): same verdicts under sleep sets, symmetry and both`, async () => {
        for (const n of [1, 2, 3]) {
          const sys = toyPinsSystem({ n, mode, handler });
          const full = await explore(sys);
          const ref = reference(sys, 2, 1);
          assert.equal(full.stats.states, ref.states);
          assert.deepEqual(
            full.liveness.map((l) => l.violated),
            ref.violated.slice(0, 1),
          );
          for (const opt of [{ por: true }, { symmetry: true }, { reduce: true }]) {
            const r = await explore(sys, opt);
            assert.deepEqual(verdicts(r), verdicts(full), `n=${n} ${JSON.stringify(opt)}`);
            checkWitnesses(sys, r);
          }
          checkWitnesses(sys, full);
        }
      });

  it("symmetry stores one state per class of pinner permutations", async () => {
    const sys = toyPinsSystem({ n: 4, mode: "wait" });
    const full = await explore(sys);
    const sym = await explore(sys, { symmetry: true });
    assert.ok(sym.stats.states * 10 < full.stats.states);
    // the classes are exactly the distinct canonical forms of the reachable states
    const classes = new Set<string>();
    const seen = new Set<string>([sys.init.join()]);
    const stack = [sys.init];
    while (stack.length) {
      const s = stack.pop()!;
      classes.add(sys.canonical!(s).join());
      for (const a of sys.enabled(s)) {
        const t = sys.step(s, a, null);
        if (!seen.has(t.join())) {
          seen.add(t.join());
          stack.push(t);
        }
      }
    }
    assert.equal(sym.stats.states, classes.size);
  });

  it("the toy honours the System contract (independence, symmetry, stepInto)", () => {
    for (const mode of ["unsafe", "wait", "revoke"] as const)
      for (const handler of ["cancel", "ignore"] as const) {
        const r = checkContracts(toyPinsSystem({ n: 3, mode, handler, timer: 1 }));
        assert.deepEqual(r.problems, [], `${mode} ${handler}`);
        assert.ok(r.states > 100);
      }
  });

  it("the kernel model honours the System contract (enabledInto, stepInto, symmetry)", () => {
    const specs = bundledSpecs().filter((b) =>
      ["core", "replicas", "layout-lease", "odp-inflight", "partition"].includes(b.name),
    );
    assert.equal(specs.length, 5);
    for (const b of specs)
      for (const policy of ["linux", "revoke"]) {
        const sys = systemFromArg({ spec: b.spec, policy, params: {} });
        assert.ok(sys.enabledInto, "the model offers enabledInto");
        const r = checkContracts(sys, 3000);
        assert.deepEqual(r.problems, [], `${b.name} ${policy}`);
        assert.ok(r.states > 10, `${b.name} ${policy}: ${r.states} states`);
      }
  });

  it("the contract check catches an enabledInto that disagrees with enabled", () => {
    const sys = toyPinsSystem({ n: 2, mode: "wait" });
    // drops the last action: the explorer would miss its successors
    const short = {
      ...sys,
      enabledInto: (s: Int32Array, out: number[]) => {
        const en = sys.enabled(s);
        en.forEach((a, i) => {
          out[i] = a;
        });
        return Math.max(0, en.length - 1);
      },
    };
    assert.ok(checkContracts(short).problems.some((p) => p.includes("enabledInto disagrees")));
  });

  it("the explorer's reused enabled array finds what fresh arrays find, serial and parallel", async () => {
    const sys = systemFromArg({
      spec: bundledSpecs().find((b) => b.name === "multi-pinner")!.spec,
      policy: "revoke",
      params: {},
    });
    const { enabledInto: _, factory: __, ...plain } = sys;
    const summary = (r: ExploreResult) => ({
      states: r.stats.states,
      transitions: r.stats.transitions,
      properties: r.properties.map((p) => [p.shown, p.witness?.length]),
      liveness: r.liveness.map((l) => [l.violated, l.lasso?.prefix.length, l.lasso?.cycle.length]),
      deadlocks: r.deadlocks.count,
    });
    for (const por of [false, true]) {
      const fresh = summary(await explore(plain, { por }));
      assert.ok(fresh.states > 1000);
      assert.deepEqual(summary(await explore(sys, { por })), fresh, `por ${por}`);
      if (!por)
        assert.deepEqual(
          summary(await explore(sys, { workers: 2, parallelFrom: 100 })),
          fresh,
          "2 workers",
        );
    }
  });

  it("the contract check catches a false independence claim", () => {
    const sys = toyPinsSystem({ n: 2, mode: "wait" });
    const liar = { ...sys, independent: () => true };
    const r = checkContracts(liar);
    assert.ok(r.problems.length > 0);
  });
});
