/**
 * The text report of `check`: one verdict line per property in herd7's
 * spirit, the shortest witness of every violation printed like `run`'s trace
 * with its replay token, the expectations, and the statistics.
 */
import type { CheckResult, PropertyVerdict } from "../engine/check/check.js";
import { alwaysClaim, verdictClaim } from "../engine/check/rejudge.js";
import { encodeToken, type TokenScenario, type WitnessClaim } from "../engine/explore/token.js";
import type { ExploreStats } from "../engine/explore/types.js";
import { runSchedule } from "../engine/run/exec.js";
import { judgedName } from "../engine/run/expect.js";
import { policyOrigin } from "../policies/index.js";
import { PROPERTY_NAMES } from "../properties/index.js";
import { printAssumption } from "../scenario/assume.js";
import { OUTCOMES, outcomeOf } from "./marks.js";
import { renderExpectations, renderSteps } from "./trace.js";
import { wrap } from "./wrap.js";

const n = (x: number) => Math.round(x).toLocaleString("en");

export function statsLine(s: ExploreStats): string {
  return `states ${n(s.states)}  transitions ${n(s.transitions)}  depth ${s.depth}  time ${(s.timeMs / 1000).toFixed(2)} s  (${n(s.statesPerSec)} states/s)  peak memory ${n(s.peakMemoryBytes / 2 ** 20)} MiB  ${s.bytesPerState.toFixed(1)} bytes/state`;
}

/** The verdict column text of one property, after its mark (marks.ts): `✗`, `∞`, `▲`, `◆`, `⚑`, `✓`, `–`, `?`. */
export function verdictText(
  v: PropertyVerdict,
  states: number,
  group: string | undefined = undefined,
): string {
  const o = OUTCOMES[outcomeOf({ group: group ?? "safety", kind: v.kind }, v.verdict, v.proved)];
  return `${o.symbol} ${bareVerdict(v, states)}${v.assumption ? `, ${v.assumption}` : ""}`;
}

function bareVerdict(v: PropertyVerdict, states: number): string {
  if (v.verdict === "Never")
    return v.proved
      ? `Never      proved over ${n(states)} states${v.vacuous ? ", vacuously (no page pinned)" : ""}`
      : `Never      so far (exploration incomplete)`;
  if (v.lasso)
    return `Sometimes  lasso: ${v.lasso.prefix.length} steps, then a cycle of ${v.lasso.cycle.length} that never ends`;
  const how = v.kind === "liveness" ? "dead end after" : "shortest witness";
  return `Sometimes  ${how} ${v.witness!.length} step${v.witness!.length === 1 ? "" : "s"}`;
}

/**
 * Why a bounded search would not stop at the same states if run again, or
 * null if it would (a complete search, or a serial one stopped by a state
 * bound). The count printed is exact either way.
 */
export function irreproducible(r: CheckResult): string | null {
  const e = r.explore;
  if (e.status === "complete") return null;
  if (e.reason === "max-states" && e.workers > 1)
    return `${e.workers} workers stop where each one is when the bound is reached, so the states explored past the bound differ from run to run (--workers 1 stops at the same states every time)`;
  if (e.reason === "max-time")
    return "where a time bound stops depends on the machine and its load";
  if (e.reason === "max-memory") return "where a memory bound stops depends on the machine";
  if (e.reason === "interrupted") return "the search was interrupted";
  return null;
}

/** Which verdicts deserve a printed witness: violations (and, on request, possibilities). */
function wanted(v: PropertyVerdict, all: boolean): boolean {
  if (v.verdict !== "Sometimes") return false;
  if (all) return true;
  return v.kind !== "possibility";
}

/** The replay token of a witness: the scenario (name or text, and hash), policy, claim and steps. */
export function tokenFor(
  r: CheckResult,
  origin: TokenScenario,
  claim: WitnessClaim,
  witness: readonly number[],
): string {
  return encodeToken({
    scenario: origin,
    policy: r.arg.policy,
    plugin: policyOrigin(r.arg.policy) ?? null,
    params: r.arg.params,
    claim,
    actions: [...witness],
  });
}

export function renderCheck(
  r: CheckResult,
  origin: TokenScenario,
  o: { allWitnesses?: boolean; width?: number } = {},
): string {
  const width = o.width ?? 100;
  const spec = r.arg.spec;
  const out: string[] = [];
  const params = Object.entries(r.arg.params).map(([k, v]) => `${k}=${v}`);
  out.push(`check     ${spec.name}${spec.file ? `  (${spec.file})` : ""}`);
  out.push(`policy    ${r.arg.policy}${params.length ? ` (${params.join(", ")})` : ""}`);
  const red = r.explore.reductions;
  out.push(
    `search    every interleaving, breadth first${red.por || red.symmetry ? `, with ${[red.por && "partial-order", red.symmetry && "symmetry"].filter(Boolean).join(" and ")} reduction` : ""}${r.explore.workers > 1 ? `, ${r.explore.workers} workers` : ""}`,
  );
  const stated = spec.assumptions ?? [];
  if (stated.length > 0)
    out.push(
      ...wrap(
        `assume    ${stated.map((a) => printAssumption(a).replace(/^assume /, "")).join("; ")} (verdicts that differ without it say so)`,
        width,
        "",
        "          ",
      ),
    );
  out.push("");
  // The bundled properties, and the result expectations that apply under this policy.
  const mentioned = new Set(r.expectations.map((e) => judgedName(e.expectation)));
  const shown = r.verdicts.filter((v) => PROPERTY_NAMES.includes(v.name) || mentioned.has(v.name));
  // Long names (a condition's text) overflow their column rather than widen it for all.
  const w = Math.max(12, ...shown.filter((v) => v.name.length <= 30).map((v) => v.name.length));
  const groupOf = (name: string) => r.properties.find((p) => p.name === name)?.group;
  for (const v of shown)
    out.push(`  ${v.name.padEnd(w)}  ${verdictText(v, r.explore.stats.states, groupOf(v.name))}`);
  if (r.explore.deadlocks.count > 0)
    out.push(
      `  ${"(end states)".padEnd(w)}  ${n(r.explore.deadlocks.count)} states where nothing can move`,
    );
  if (r.bounded) out.push(...wrap(`bounded: ${r.bounded.text}`, width, "  ", "    "));
  if (r.vacuity) out.push(...wrap(`vacuous: proved, but ${r.vacuity}`, width, "  ", "    "));
  else if (r.coverage) {
    const c = r.coverage;
    const all = c.reached.length + c.unreached.length;
    out.push(
      ...wrap(
        c.unreached.length === 0
          ? `coverage: all ${all} operations ran`
          : `coverage: ${c.reached.length} of ${all} operations ran; unreached ${c.unreached.join(", ")}`,
        width,
        "  ",
        "    ",
      ),
    );
  }
  const { model, properties: props } = r;
  // A condition that holds somewhere is printed with the shortest run to it: a
  // witness against its `never`, an example for its `sometimes`.
  const refuted = new Set(
    r.expectations.flatMap((e) =>
      e.expectation.kind === "condition" && e.expectation.quantifier === "never"
        ? [judgedName(e.expectation)]
        : [],
    ),
  );
  const conditions = new Set(
    r.expectations.flatMap((e) =>
      e.expectation.kind === "condition" ? [judgedName(e.expectation)] : [],
    ),
  );
  for (const v of r.verdicts) {
    const asked = conditions.has(v.name) && v.verdict === "Sometimes";
    if ((!wanted(v, o.allWitnesses ?? false) && !asked) || !v.witness) continue;
    const run = runSchedule(model, { actions: v.witness, properties: props });
    const witness = (v.verdict === "Sometimes" && v.kind !== "possibility") || refuted.has(v.name);
    out.push("");
    out.push(
      `${v.name}: ${witness ? "witness" : "example"}${v.lasso ? ` (the last ${v.lasso.cycle.length} steps repeat for ever)` : ""}`,
    );
    out.push(...renderSteps(run, props).map((l) => `  ${l}`));
    const occ = run.occurrences.get(v.name);
    if (v.reason) out.push(...wrap(v.reason.text, width, "  reason: ", "          "));
    else if (occ) out.push(`  → ${occ.message}`);
    out.push(`  replay: pinlab replay ${tokenFor(r, origin, verdictClaim(v), v.witness)}`);
  }
  for (const e of r.expectations) {
    const claim = alwaysClaim(e);
    if (!e.witness || !claim) continue;
    const run = runSchedule(model, { actions: e.witness, properties: props });
    out.push("");
    out.push(`${e.text}: a run without it`);
    out.push(...renderSteps(run, props).map((l) => `  ${l}`));
    if (e.reason) out.push(...wrap(e.reason, width, "  reason: ", "          "));
    out.push(`  replay: pinlab replay ${tokenFor(r, origin, claim, e.witness)}`);
  }
  if (r.expectations.length > 0) {
    out.push("");
    out.push("expectations");
    out.push(...renderExpectations(r.expectations));
  }
  out.push("");
  out.push(`statistics ${statsLine(r.explore.stats)}`);
  if (r.explore.status === "incomplete") {
    out.push(
      `INCOMPLETE ${r.explore.reason}: the verdicts above hold for the ${n(r.explore.stats.states)} states explored so far`,
    );
    const why = irreproducible(r);
    if (why) out.push(...wrap(`not reproducible: ${why}`, width, "           "));
  }
  return `${out.join("\n")}\n`;
}
