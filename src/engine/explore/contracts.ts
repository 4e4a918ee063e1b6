/**
 * A contract test for any System: what the explorer trusts, checked on the
 * reachable states (breadth first, up to a bound). Reductions are exact only
 * if `independent` and `canonical` keep their promises (system.ts), so every
 * system that offers them should pass this in its tests.
 *
 * Checked at each state s: `enabledInto` agrees with `enabled`; `step` is
 * deterministic and agrees with `stepInto`; for each pair of enabled actions declared independent, each
 * stays enabled after the other, both orders reach the same state, and
 * neither changes `judge` of the other; `canonical` is idempotent and keeps
 * `pending`, `judgeEnd` and the number of enabled actions.
 */

import { fingerprintInto } from "../../model/fingerprint.js";
import type { System } from "./system.js";
import { FingerprintTable } from "./table.js";

export interface ContractReport {
  readonly states: number;
  /** Human-readable violations (empty: the contract holds on the states checked). */
  readonly problems: string[];
}

const same = (a: Int32Array, b: Int32Array) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

export function checkContracts(sys: System, maxStates = 20000, maxProblems = 20): ContractReport {
  const problems: string[] = [];
  const report = (s: Int32Array, what: string) => {
    if (problems.length < maxProblems) problems.push(`at [${s.join(",")}]: ${what}`);
  };
  const seen = new FingerprintTable();
  const fp = new Int32Array(2);
  const queue: Int32Array[] = [sys.init];
  fingerprintInto(sys.init, fp, 0);
  seen.add(fp[0]!, fp[1]!);
  let states = 0;
  // reused across states, as the explorer reuses it: stale entries must not leak in
  const enOut: number[] = [];
  const step = (s: Int32Array, a: number) => {
    const ev: unknown[] = [];
    const t = sys.step(s, a, ev);
    return { t, ev, bits: sys.judge(s, a, t, ev) };
  };
  while (queue.length > 0 && states < maxStates && problems.length < maxProblems) {
    const s = queue.shift()!;
    states++;
    const en = sys.enabled(s);
    if (sys.enabledInto) {
      const n = sys.enabledInto(s, enOut);
      if (n !== en.length || en.some((a, i) => enOut[i] !== a))
        report(s, "enabledInto disagrees with enabled");
    }
    const succ = new Map<number, Int32Array>();
    for (const a of en) {
      const { t } = step(s, a);
      succ.set(a, t);
      if (!same(t, sys.step(s, a, null)))
        report(s, `step is not deterministic for ${sys.describe(a)}`);
      if (sys.stepInto) {
        const out = new Int32Array(s.length);
        sys.stepInto(s, a, out, []);
        if (!same(out, t)) report(s, `stepInto disagrees with step for ${sys.describe(a)}`);
      }
      fingerprintInto(t, fp, 0);
      if (seen.add(fp[0]!, fp[1]!)) queue.push(t);
    }
    if (sys.independent)
      for (const a of en)
        for (const b of en) {
          if (a === b || !sys.independent(a, b, s)) continue;
          const name = `${sys.describe(a)} ∥ ${sys.describe(b)}`;
          const sa = succ.get(a)!;
          const sb = succ.get(b)!;
          if (!sys.enabled(sa).includes(b) || !sys.enabled(sb).includes(a)) {
            report(s, `${name}: one disables the other`);
            continue;
          }
          const ab = step(sa, b);
          const ba = step(sb, a);
          if (!same(ab.t, ba.t)) report(s, `${name}: the two orders reach different states`);
          if (ba.bits !== step(s, a).bits || ab.bits !== step(s, b).bits)
            report(s, `${name}: one changes what judge says of the other`);
        }
    if (sys.canonical) {
      const c = sys.canonical(s);
      if (!same(sys.canonical(c), c)) report(s, "canonical is not idempotent");
      if ((sys.pending?.(c) ?? 0) !== (sys.pending?.(s) ?? 0))
        report(s, "canonical changes pending");
      const endS = en.length === 0 ? sys.judgeEnd(s) : -1;
      const enC = sys.enabled(c);
      if (enC.length !== en.length) report(s, "canonical changes the number of enabled actions");
      else if (en.length === 0 && sys.judgeEnd(c) !== endS) report(s, "canonical changes judgeEnd");
    }
  }
  return { states, problems };
}
