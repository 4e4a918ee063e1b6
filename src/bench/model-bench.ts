/**
 * Micro-benchmark of the model: random walks through the core scenario under
 * each policy, measuring enabled()+step() per second and fingerprints per second.
 */
import { prng } from "../engine/run/random.js";
import { compile } from "../model/compile.js";
import { fingerprintInto } from "../model/fingerprint.js";
import type { State } from "../model/layout.js";
import { enabled, step } from "../model/step.js";
import { POLICIES } from "../policies/index.js";
import { LIBRARY } from "../scenario/library.js";

export interface BenchClock {
  now(): number;
  /**
   * CPU time this process has used, in milliseconds: a rate over it holds on
   * a loaded machine, where one over the wall clock counts the waits for a core.
   */
  cpu?(): number;
}

export function runModelBench(
  print: (line: string) => void,
  clock: BenchClock,
  budgetMs = 400,
): void {
  print(
    "model: random walks over the core scenario (enabled + step), then fingerprints of the visited states",
  );
  print(
    `${"policy".padEnd(14)} ${"steps/s".padStart(12)} ${"fingerprints/s".padStart(16)} ${"state words".padStart(12)}`,
  );
  for (const mod of POLICIES) {
    const c = compile(LIBRARY.core!(), mod.create({}));
    if (!c.ok) throw new Error("pinlab bug: core scenario does not compile");
    const m = c.model;
    const rand = prng(1);
    const states: State[] = [];
    let s = m.init;
    let steps = 0;
    const t0 = clock.now();
    while (clock.now() - t0 < budgetMs) {
      for (let i = 0; i < 200; i++) {
        const en = enabled(m, s);
        if (en.length === 0) {
          s = m.init;
          continue;
        }
        s = step(m, s, en[Math.floor(rand() * en.length)]!, null);
        steps++;
        if (states.length < 100_000) states.push(s);
      }
    }
    const stepRate = (steps * 1000) / (clock.now() - t0);
    let acc = 0;
    let fps = 0;
    const fp = new Int32Array(2);
    const t1 = clock.now();
    while (clock.now() - t1 < budgetMs / 2) {
      for (const st of states) {
        fingerprintInto(st, fp, 0);
        acc ^= fp[0]! ^ fp[1]!;
      }
      fps += states.length;
    }
    const fpRate = (fps * 1000) / (clock.now() - t1);
    if (acc === 0x7fffffff) print("(checksum collision)"); // keeps the hashing from being optimised away
    print(
      `${mod.name.padEnd(14)} ${Math.round(stepRate).toLocaleString("en").padStart(12)} ${Math.round(fpRate).toLocaleString("en").padStart(16)} ${String(m.size).padStart(12)}`,
    );
  }
}
