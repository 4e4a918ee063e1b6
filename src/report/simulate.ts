/**
 * `simulate` results as text: per policy one table of figures, each the
 * mean over the seeds with its 95 % confidence interval, then the safety
 * violations found with the seed and a replay token.
 */
import type {
  Interval,
  LatencySummary,
  PolicySimulation,
  SimulationResult,
} from "../engine/simulate/result.js";

/** A duration in seconds for people: µs, ms, s, min, h. */
export function duration(s: number): string {
  if (s === 0) return "0";
  const a = Math.abs(s);
  if (a < 1e-3) return `${round(s * 1e6)} µs`;
  if (a < 1) return `${round(s * 1e3)} ms`;
  if (a < 120) return `${round(s)} s`;
  if (a < 3600) return `${round(s / 60)} min`;
  return `${round(s / 3600)} h`;
}

function round(x: number): string {
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function num(x: number): string {
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString("en");
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}

function cells(i: Interval, f: (x: number) => string): [string, string] {
  if (i.n === 0) return ["-", "(no seed has one)"];
  if (i.n === 1 || i.lo === i.hi) return [f(i.mean), i.n === 1 ? "(one seed)" : ""];
  return [f(i.mean), `${f(Math.max(i.lo, 0))} .. ${f(i.hi)}`];
}

function latencyRows(name: string, l: LatencySummary): [string, Interval, (x: number) => string][] {
  if (l.count.mean === 0 && l.unfinished.mean === 0) return [[`${name} calls`, l.count, num]];
  return [
    [`${name} calls`, l.count, num],
    [`${name} latency p50`, l.p50, duration],
    [`${name} latency p90`, l.p90, duration],
    [`${name} latency p99`, l.p99, duration],
    [`${name} latency max`, l.max, duration],
    [`${name} stalls over 1 s`, l.stallsOver1s, num],
    [`${name} unfinished at horizon`, l.unfinished, num],
  ];
}

export function policyTable(p: PolicySimulation): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const rows: [string, Interval, (x: number) => string][] = [
    ...latencyRows("truncate", p.truncate),
    ...latencyRows("punch", p.punch),
    ["kills per hour", p.killsPerHour, num],
    ["connection failures per hour", p.commFailuresPerHour, num],
    ["lease breaks", p.leaseBreaks, num],
    ["breaks ending in a kill or timer", p.breaksEndingInKill, pct],
    ["foreign DMAs", p.foreignDma, num],
    ["stale reads", p.staleReads, num],
    ["lost writes", p.lostWrites, num],
    ["stranded blocks (time mean)", p.stranded.mean, num],
    ["stranded blocks (max)", p.stranded.max, num],
    ["busy blocks (time mean)", p.busy.mean, num],
    ["busy blocks (max)", p.busy.max, num],
    ["ENOSPC", p.enospc, num],
  ];
  const body = rows.map(([label, i, f]) => [label, ...cells(i, f)] as const);
  const w0 = Math.max(6, ...body.map((r) => r[0].length));
  const w1 = Math.max(4, ...body.map((r) => r[1].length));
  const params = Object.entries(p.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  const lines = [
    `${p.policy}${params ? ` (${params})` : ""}: ${p.seeds} seeds, ${p.events.toLocaleString("en")} events`,
    `  ${"figure".padEnd(w0)}  ${"mean".padStart(w1)}  95 % CI`,
    ...body.map(([a, b, c]) => `  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`.trimEnd()),
  ];
  if (p.violations.length > 0) {
    lines.push("  safety violations (first seed of each):");
    for (const v of p.violations)
      lines.push(
        `    ${v.property}: seed ${v.seed} at ${duration(v.time)}, ${v.steps} steps${v.token ? `: pinlab replay ${v.token}` : ""}`,
      );
  }
  // Conditions (`expect ... condition "..."`): in how many runs, and for how much of the time, each held.
  const conds = p.conditions ?? [];
  if (conds.length > 0) {
    lines.push("  conditions (runs in which each held; share of the time it held, 95 % CI):");
    for (const c of conds) {
      const [mean, ci] = cells(c.timeFraction, pct);
      lines.push(
        `    ${c.quantifier} ${c.name}: ${c.seedsHeld} of ${p.seeds} runs (${pct(c.fraction)}); ${mean} of the time ${ci}${c.contradicted ? `  (contradicts \`${c.quantifier}\`)` : ""}`.trimEnd(),
      );
    }
  }
  return lines.join("\n");
}

export function renderSimulation(r: SimulationResult): string {
  const seeds =
    r.seeds === 1 ? `seed ${r.firstSeed}` : `seeds ${r.firstSeed}..${r.firstSeed + r.seeds - 1}`;
  const out = [
    `simulate ${r.scenario}`,
    `${r.seeds} ${r.seeds === 1 ? "run" : "runs"} per policy (${seeds}), horizon ${duration(r.horizon)} of virtual time; figures per run: mean and 95 % confidence interval across runs`,
  ];
  for (const n of r.notes) out.push(`note: ${n}`);
  for (const p of r.policies) out.push("", policyTable(p));
  return `${out.join("\n")}\n`;
}
