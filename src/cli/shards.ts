/**
 * Joining the shards of a comparison (`pinlab merge`), trusting none of them.
 *
 * The shards must form exactly one complete split of one comparison: the same
 * pinlab version, scenarios (by content hash), policies, parameters and
 * bounds; shards 1..N of one N, each once; every cell of the comparison in
 * the shard `compare --shard` puts it in, once. Anything else is refused
 * with a message naming the shard and the problem.
 *
 * What a shard says about its cells is checked as far as a merge can check
 * it without checking the cells again (docs/json.md, "What merge verifies"):
 * - the digest catches a shard changed after compare wrote it, by hand or by
 *   damage (not by someone who recomputes it: it is no signature);
 * - every scenario is parsed again from the source the shard carries (or
 *   rebuilt, for one built into pinlab) and must match its hash and data;
 * - every "Sometimes" is replayed: its witness must be a run of the
 *   scenario under the policy that shows the property, so a verdict flipped
 *   to "Sometimes" is caught; rendered steps, replay tokens and messages are
 *   made again from the witness, never copied;
 * - every "Never" must come without a witness, and every expectation must
 *   follow from the verdicts, so a verdict flipped to "Never" is caught when
 *   an expectation of the scenario speaks about it (or when only the verdict
 *   word was changed). A flip to "Never" that also drops the witness and
 *   recomputes the digest, of a property no expectation names, cannot be
 *   told from a true "Never" without checking the cell again.
 */

import { type Coverage, operationNames } from "../engine/adapter/coverage.js";
import { propertiesFor, systemFromArg } from "../engine/adapter/model-system.js";
import { witnessReason } from "../engine/adapter/reason.js";
import { assumptionText } from "../engine/check/assume.js";
import { isVacuous, vacuityOf } from "../engine/check/check.js";
import type { TokenScenario } from "../engine/explore/token.js";
import { type Cell, type CellVerdict, unwitnessed, witnessToken } from "../engine/matrix/cell.js";
import { runSchedule } from "../engine/run/exec.js";
import { applicable, expectationText, judgedName, quantifierOf } from "../engine/run/expect.js";
import type { ScenarioSpec } from "../model/spec.js";
import { enabled, step } from "../model/step.js";
import { makePolicy, type PluginOrigin, POLICY_NAMES, policyOrigin } from "../policies/index.js";
import { isPinRegistration } from "../properties/names.js";
import {
  buildDoc,
  type CompareDoc,
  type Comparison,
  comparisonCells,
  type DocCell,
  docDigest,
  type ScenarioInput,
} from "../report/compare.js";
import { checkCompareDoc } from "../report/compare-schema.js";
import { LIBRARY } from "../scenario/library.js";
import { parseScenario } from "../scenario/pin.js";
import { sourceHash, specHash } from "../scenario/source-hash.js";
import { originOf } from "./scenarios.js";

export type Joined = { ok: true; doc: CompareDoc } | { ok: false; error: string };

interface Shard {
  readonly path: string;
  readonly doc: CompareDoc;
  readonly index: number;
  readonly count: number;
}

const cellName = (scenario: string, policy: string) => `${scenario} x ${policy}`;
const key = (scenario: string, policy: string) => `${scenario}\u0000${policy}`;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

/** Lists at most a few names, then how many more. */
function few(names: readonly string[], n = 4): string {
  return names.length <= n
    ? names.join(", ")
    : `${names.slice(0, n).join(", ")} and ${names.length - n} more`;
}

/** Joins the shard files' texts into one document, or says why not. */
export function joinShards(files: readonly { path: string; text: string }[]): Joined {
  const shards: Shard[] = [];
  for (const f of files) {
    const r = readShard(f.path, f.text);
    if (!r.ok) return r;
    shards.push(r.shard);
  }
  const whole = sameComparison(shards);
  if (whole) return fail(whole);
  const comparison = shards[0]!.doc.comparison;
  const split = oneSplit(shards);
  if (split) return fail(split);
  const policies = checkPolicies(comparison);
  if (policies) return fail(`${shards[0]!.path}: ${policies}`);
  const inputs = scenarioInputs(shards, comparison);
  if (!inputs.ok) return inputs;
  const received = new Map<string, { cell: DocCell; path: string }>();
  for (const s of shards) {
    const e = shardCells(s, comparison, received);
    if (e) return fail(e);
  }
  const cells: Cell[] = [];
  for (const c of comparisonCells(comparison)) {
    const got = received.get(key(c.scenario, c.policy))!;
    const input = inputs.map.get(c.scenario)!;
    const r = checkCell(got.cell, input.spec, originOf(c.scenario, input.source, input.hash));
    if (!r.ok) return fail(`${got.path}: ${cellName(c.scenario, c.policy)}: ${r.error}`);
    cells.push(r.cell);
  }
  const doc = buildDoc(cells, inputs.map, null, comparison);
  // The steps a shard shows must be the ones its witnesses replay to.
  for (const c of doc.cells) {
    const got = received.get(key(c.scenario, c.policy))!;
    for (const [i, v] of c.verdicts.entries())
      if (!same(v.steps, got.cell.verdicts[i]!.steps))
        return fail(
          `${got.path}: ${cellName(c.scenario, c.policy)}: the steps shown for ${v.name} are not the ones its witness replays to`,
        );
  }
  return { ok: true, doc };
}

/** One file: JSON, of the schema, with its digest intact. */
function readShard(
  path: string,
  text: string,
): { ok: true; shard: Shard } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail(`${path} is not JSON: ${(e as Error).message}`);
  }
  const checked = checkCompareDoc(raw);
  if (!checked.ok) return fail(`${path}: ${checked.error}`);
  const { digest, ...body } = raw as Record<string, unknown>;
  if (docDigest(body) !== digest)
    return fail(
      `${path} was changed after compare wrote it: its digest does not match its content`,
    );
  const doc = checked.doc;
  const index = doc.shard?.index ?? 1;
  const count = doc.shard?.count ?? 1;
  if (index > count) return fail(`${path}: shard ${index}/${count} does not exist`);
  return { ok: true, shard: { path, doc, index, count } };
}

function shownPlugin(o: PluginOrigin | undefined): string {
  return o ? `${o.file} (content hash ${o.hash})` : "a built-in policy";
}

/** Every shard describes the same comparison; otherwise the first difference. */
function sameComparison(shards: readonly Shard[]): string | null {
  const a = shards[0]!;
  const ca = a.doc.comparison;
  for (const b of shards.slice(1)) {
    const cb = b.doc.comparison;
    if (same(ca, cb)) continue;
    const pair = `${a.path} and ${b.path}`;
    if (ca.pinlab !== cb.pinlab)
      return `${pair} come from different versions of pinlab (${ca.pinlab} and ${cb.pinlab}): check every shard with one version`;
    const hashes = new Map(ca.scenarios.map((s) => [s.ref, s.hash]));
    for (const s of cb.scenarios) {
      const h = hashes.get(s.ref);
      if (h !== undefined && h !== s.hash)
        return `${pair} were made from different versions of scenario ${s.ref} (content hashes ${h} and ${s.hash}): check every shard from the same files`;
    }
    if (!same(ca.scenarios, cb.scenarios))
      return `${pair} are shards of different comparisons: their scenarios differ (${few(ca.scenarios.map((s) => s.ref))} against ${few(cb.scenarios.map((s) => s.ref))})`;
    if (
      !same(
        ca.policies.map((p) => p.name),
        cb.policies.map((p) => p.name),
      )
    )
      return `${pair} are shards of different comparisons: their policies differ (${ca.policies.map((p) => p.name).join(", ")} against ${cb.policies.map((p) => p.name).join(", ")})`;
    for (const [i, p] of ca.policies.entries())
      if (!same(p.params, cb.policies[i]!.params))
        return `${pair} checked policy ${p.name} with different parameters (${JSON.stringify(p.params)} and ${JSON.stringify(cb.policies[i]!.params)})`;
    for (const [i, p] of ca.policies.entries()) {
      const q = cb.policies[i]!;
      if (!same(p.plugin, q.plugin))
        return `${pair} checked policy ${p.name} with different plugin files (${shownPlugin(p.plugin)} and ${shownPlugin(q.plugin)}): check every shard with the same file`;
    }
    return `${pair} checked with different bounds (${JSON.stringify(ca.bounds)} and ${JSON.stringify(cb.bounds)})`;
  }
  return null;
}

/** Shards 1..N of one N, each once. */
function oneSplit(shards: readonly Shard[]): string | null {
  const n = shards[0]!.count;
  for (const s of shards)
    if (s.count !== n)
      return `${shards[0]!.path} is shard ${shards[0]!.index}/${n} but ${s.path} is shard ${s.index}/${s.count}: shards of different splits`;
  const byIndex = new Map<number, string>();
  for (const s of shards) {
    const prev = byIndex.get(s.index);
    if (prev !== undefined) return `${prev} and ${s.path} are both shard ${s.index}/${n}`;
    byIndex.set(s.index, s.path);
  }
  const lacking = n - byIndex.size;
  if (lacking === 0) return null;
  // The first few missing (the count may be huge: a crafted shard can claim any).
  const missing: string[] = [];
  for (let i = 1; i <= n && missing.length < 8; i++) if (!byIndex.has(i)) missing.push(`${i}/${n}`);
  const list =
    lacking > missing.length
      ? `${missing.join(", ")} and ${lacking - missing.length} more`
      : missing.join(", ");
  return `missing ${lacking === 1 ? "shard" : "shards"} ${list} of the split into ${n}: without ${lacking === 1 ? "it" : "them"} the matrix would read 'never' where a shard not given may say otherwise`;
}

/** The comparison's policies exist in this pinlab, with valid parameters, defaults filled in. */
function checkPolicies(c: Comparison): string | null {
  const seen = new Set<string>();
  for (const p of c.policies) {
    // A row label names its parameters: `revoke(escalation=invalidate)` (compare.ts).
    const base = p.name.split("(")[0]!;
    if (!POLICY_NAMES.includes(base))
      return `unknown policy ${JSON.stringify(p.name)} (a plugin's? give its file with --policy FILE)`;
    if (seen.has(p.name)) return `policy ${p.name} is listed twice`;
    seen.add(p.name);
    // The plugin given to merge must be the file the shards were checked with.
    const here = policyOrigin(base);
    if (p.plugin && here && p.plugin.hash !== here.hash)
      return `policy ${base}: the shards were checked with ${shownPlugin(p.plugin)}, but the file given is ${shownPlugin(here)}: give merge the same file`;
    if (p.plugin && !here)
      return `policy ${base} was a plugin's (${shownPlugin(p.plugin)}), but the one here is built in`;
    const made = makePolicy(p.name, p.params);
    if (!made.ok) return made.error;
    if (!same(Object.entries(made.policy.params).sort(), Object.entries(p.params).sort()))
      return `policy ${p.name}: parameters ${JSON.stringify(p.params)} are not the ones compare records`;
  }
  const refs = new Set<string>();
  for (const s of c.scenarios) {
    if (refs.has(s.ref)) return `scenario ${s.ref} is listed twice`;
    refs.add(s.ref);
  }
  return null;
}

/** Every scenario of the comparison, parsed again from a shard's copy and checked against its hash. */
function scenarioInputs(
  shards: readonly Shard[],
  c: Comparison,
): { ok: true; map: Map<string, ScenarioInput> } | { ok: false; error: string } {
  const hashes = new Map(c.scenarios.map((s) => [s.ref, s.hash]));
  const found = new Map<string, { input: ScenarioInput; path: string; file: string | null }>();
  for (const s of shards) {
    const listed = new Set<string>();
    for (const sc of s.doc.scenarios) {
      const where = `${s.path}: scenario ${sc.ref}`;
      const hash = hashes.get(sc.ref);
      if (hash === undefined)
        return fail(`${s.path} lists scenario ${sc.ref}, which its comparison does not`);
      if (listed.has(sc.ref)) return fail(`${where} is listed twice`);
      listed.add(sc.ref);
      if (sc.hash !== hash)
        return fail(`${where} has content hash ${sc.hash}, but its comparison says ${hash}`);
      if (sc.source !== null && sourceHash(sc.source) !== hash)
        return fail(`${where}: its source does not match its content hash ${hash}`);
      const prev = found.get(sc.ref);
      if (prev) {
        if (prev.input.source !== sc.source || prev.file !== sc.file)
          return fail(`${where} is not the one in ${prev.path}`);
        if (!same(prev.input.spec, sc.spec))
          return fail(`${where}: its data is not what its source parses to`);
        continue;
      }
      const r = rebuild(sc.ref, sc.source, sc.file, hash);
      if (!r.ok) return fail(`${where}: ${r.error}`);
      if (!same(r.spec, sc.spec))
        return fail(`${where}: its data is not what its source parses to`);
      found.set(sc.ref, {
        input: { spec: r.spec, source: sc.source, hash },
        path: s.path,
        file: sc.file,
      });
    }
  }
  const map = new Map<string, ScenarioInput>();
  for (const s of c.scenarios) {
    const f = found.get(s.ref);
    if (!f) return fail(`no shard carries scenario ${s.ref}`);
    map.set(s.ref, f.input);
  }
  return { ok: true, map };
}

/** A scenario from its source (or, for one built into pinlab, from the library), checked against its hash. */
function rebuild(
  ref: string,
  source: string | null,
  file: string | null,
  hash: string,
): { ok: true; spec: ScenarioSpec } | { ok: false; error: string } {
  if (source === null) {
    if (!Object.hasOwn(LIBRARY, ref))
      return fail("carries no source and is not a scenario built into this pinlab");
    const spec = LIBRARY[ref]!();
    if (specHash(spec) !== hash)
      return fail(
        `is built into pinlab, but this version's differs (content hash ${specHash(spec)}, not ${hash})`,
      );
    return { ok: true, spec };
  }
  if (sourceHash(source) !== hash)
    return fail(`its source does not match its content hash ${hash}`);
  if (file === null) return fail("carries a source but no file name");
  const parsed = parseScenario(source, file);
  if (!parsed.spec) {
    const first = parsed.diagnostics.find((d) => d.severity === "error") ?? parsed.diagnostics[0];
    return fail(
      `its source does not parse (${first ? `${first.code}: ${first.message}` : "no scenario"})`,
    );
  }
  return { ok: true, spec: parsed.spec };
}

/** A shard holds exactly the cells of its share of the comparison, each once. */
function shardCells(
  s: Shard,
  c: Comparison,
  received: Map<string, { cell: DocCell; path: string }>,
): string | null {
  const all = comparisonCells(c);
  const slot = new Map(all.map((x, k) => [key(x.scenario, x.policy), k]));
  const scenarios = new Set(c.scenarios.map((x) => x.ref));
  const params = new Map(c.policies.map((p) => [p.name, p.params]));
  const listed = new Set(s.doc.scenarios.map((x) => x.ref));
  const shard = `${s.index}/${s.count}`;
  for (const cell of s.doc.cells) {
    const name = cellName(cell.scenario, cell.policy);
    if (!scenarios.has(cell.scenario))
      return `${s.path}: a cell for scenario ${cell.scenario}, which the comparison does not list`;
    if (!params.has(cell.policy))
      return `${s.path}: a cell for policy ${cell.policy}, which the comparison does not list`;
    if (!listed.has(cell.scenario))
      return `${s.path}: the cell ${name} has no entry in the shard's scenarios`;
    const k = slot.get(key(cell.scenario, cell.policy))!;
    if (k % s.count !== s.index - 1)
      return `${s.path}: the cell ${name} belongs to shard ${(k % s.count) + 1}/${s.count}, not ${shard}`;
    const prev = received.get(key(cell.scenario, cell.policy));
    if (prev) return `${s.path}: the cell ${name} appears twice`;
    if (!same(cell.params, params.get(cell.policy)))
      return `${s.path}: the cell ${name} was checked with parameters ${JSON.stringify(cell.params)}, not the comparison's ${JSON.stringify(params.get(cell.policy))}`;
    received.set(key(cell.scenario, cell.policy), { cell, path: s.path });
  }
  const lacking = all
    .filter((_, k) => k % s.count === s.index - 1)
    .filter((x) => !received.has(key(x.scenario, x.policy)))
    .map((x) => cellName(x.scenario, x.policy));
  if (lacking.length)
    return `${s.path} (shard ${shard}) lacks ${lacking.length} of its cells: ${few(lacking)} (an interrupted compare writes only the checks it finished)`;
  return null;
}

/**
 * One cell, checked against its scenario and rebuilt from its checked
 * fields: its verdicts are the scenario's properties, each "Sometimes"
 * replays to a run that shows it, and its expectations and exit status
 * follow from its verdicts.
 */
function checkCell(
  d: DocCell,
  spec: ScenarioSpec,
  origin: TokenScenario,
): { ok: true; cell: Cell } | { ok: false; error: string } {
  if (d.title !== spec.name) return fail("its title is not its scenario's");
  if (d.file !== (spec.file ?? null)) return fail("its file is not its scenario's");
  const complete = d.status === "complete";
  if (complete !== (d.reason === null))
    return fail(
      complete ? "a complete check with a reason to stop" : "an incomplete check without a reason",
    );
  if (d.reason !== null && !/^[a-z][a-z-]*$/.test(d.reason))
    return fail(`${JSON.stringify(d.reason)} is not a reason for a check to stop`);
  const props = propertiesFor(spec);
  if (
    !same(
      d.verdicts.map((v) => [v.name, v.kind]),
      props.map((p) => [p.name, p.kind]),
    )
  )
    return fail(
      "its verdicts are not one for each property of the scenario, in order (written by another pinlab?)",
    );
  const { model } = systemFromArg({ spec, policy: d.policy, params: d.params });
  // Coverage cannot be checked without checking the cell again; that it names
  // the scenario's operations, and that the vacuity follows from it, can.
  let coverage: Coverage | null = null;
  if (d.coverage) {
    const names = operationNames(model);
    const reached = new Set(d.coverage.reached);
    const unreached = new Set(d.coverage.unreached);
    if (
      reached.size + unreached.size !== names.length ||
      names.some((x) => reached.has(x) === unreached.has(x))
    )
      return fail("its coverage does not name each of the scenario's operations once");
    const registers = model.procs.some((p) => p.prog.some((o) => isPinRegistration(o.spec.op)));
    if (d.coverage.registers !== registers)
      return fail("its coverage is wrong about whether the scenario registers memory");
    coverage = {
      reached: names.filter((x) => reached.has(x)),
      unreached: names.filter((x) => unreached.has(x)),
      registers,
      registered: d.coverage.registered,
    };
  }
  const vacuity = vacuityOf(coverage, complete);
  if ((d.vacuity ?? null) !== vacuity) return fail("its vacuity is not what its coverage says");
  // Whether a verdict rests on the stated assumptions needs the check without
  // them; what can be checked is that it names the scenario's assumptions.
  const stated = spec.assumptions ?? [];
  const assumed = stated.length > 0 ? assumptionText(stated) : null;
  const badAssumption = (x: { assumption?: string | null }) =>
    (x.assumption ?? null) !== null && x.assumption !== assumed;
  if (d.verdicts.some(badAssumption) || d.expectations.some(badAssumption))
    return fail(
      assumed === null
        ? "a verdict rests on an assumption its scenario does not state"
        : `a verdict rests on an assumption other than its scenario's (${assumed})`,
    );
  const verdicts: CellVerdict[] = [];
  for (const [i, v] of d.verdicts.entries()) {
    const shown = v.verdict === "Sometimes";
    const bad = (why: string) => fail(`${v.name}: ${why}`);
    const vacuous = isVacuous(vacuity, props[i]!.group, v.verdict);
    if ((v.vacuous ?? false) !== vacuous)
      return bad(vacuous ? "not marked vacuous in a vacuous cell" : "marked vacuous wrongly");
    if (v.proved !== complete)
      return bad(complete ? "not proved over a complete check" : "proved by an incomplete check");
    if (!shown) {
      if (v.witness !== null || v.witnessLength !== null || v.lasso !== null || v.token !== null)
        return bad("'Never' with a witness (a flipped verdict?)");
      if (v.steps !== null || v.message !== null) return bad("'Never' with the steps of a witness");
      verdicts.push(unwitnessed(v, vacuous, v.assumption ?? null));
      continue;
    }
    const w = v.witness;
    if (w === null) return bad("'Sometimes' without a witness (a flipped verdict?)");
    if (v.witnessLength !== w.length) return bad("its witness length is not its witness's");
    if (v.lasso !== null) {
      if (v.kind !== "liveness") return bad("a cycle for a property that is not liveness");
      if (v.lasso.prefix + v.lasso.cycle !== w.length || v.lasso.cycle < 1)
        return bad("its cycle does not fit its witness");
    }
    // Replay the witness, every action possible where it is taken.
    const p = props[i]!;
    let s = model.init;
    let pendingThroughout = true;
    for (const [n, a] of w.entries()) {
      if (!enabled(model, s).includes(a))
        return bad(`step ${n + 1} of its witness is not possible in the scenario`);
      s = step(model, s, a, []);
      if (v.lasso && n + 1 >= v.lasso.prefix) pendingThroughout &&= p.pending?.(model, s) === true;
    }
    const run = runSchedule(model, { actions: w, properties: props });
    const shows =
      run.occurrences.has(v.name) ||
      (p.atEnd?.(model, s) ?? null) !== null ||
      // A liveness witness ends in a dead end with the obligation still pending, or in a
      // cycle of states that all have it pending (engine/explore/liveness.ts); that the
      // dead end is one, or that the cycle closes, is not judged again here.
      (p.kind === "liveness" && (v.lasso ? pendingThroughout : p.pending?.(model, s) === true));
    if (!shows) return bad("its witness does not show it (a flipped verdict?)");
    const token = witnessToken(
      { ref: d.scenario, spec, origin, policy: d.policy, params: d.params },
      { what: v.name, loop: v.lasso ? v.lasso.prefix : null },
      w,
    );
    if (v.token !== token) return bad("its replay token is not its witness's");
    const reason =
      p.kind === "liveness" ? witnessReason(model, w, v.lasso ? v.lasso.cycle : null) : null;
    verdicts.push({
      name: v.name,
      kind: v.kind,
      verdict: v.verdict,
      proved: v.proved,
      witnessLength: v.witnessLength,
      lasso: v.lasso,
      token,
      message: reason?.text ?? run.occurrences.get(v.name)?.message ?? null,
      witness: [...w],
      vacuous: false,
      reason,
      assumption: v.assumption ?? null,
    });
  }
  const e = checkExpectations(d, spec, verdicts, complete);
  if (e) return fail(e);
  const failed = d.expectations.some((x) => !x.ok);
  const exit = failed ? 1 : complete ? 0 : 3;
  if (d.exit !== exit) return fail(`its exit status ${d.exit} does not follow from it (${exit})`);
  return {
    ok: true,
    cell: {
      scenario: d.scenario,
      title: spec.name,
      file: spec.file ?? null,
      policy: d.policy,
      params: d.params,
      status: d.status,
      reason: d.reason,
      stats: d.stats,
      verdicts,
      coverage,
      vacuity,
      expectations: d.expectations.map((x) => ({
        text: x.text,
        ok: x.ok,
        undecided: x.undecided,
        detail: x.detail,
        assumption: x.assumption ?? null,
      })),
      exit: d.exit,
    },
  };
}

/**
 * The cell's expectations are the scenario's under its policy, and each
 * `never`, `sometimes` and result expectation is judged as `check` judges
 * it from the verdict (engine/check.ts). An `always` rests on a search for a
 * run without the property, which a shard does not record: only its text is
 * checked.
 */
function checkExpectations(
  d: DocCell,
  spec: ScenarioSpec,
  verdicts: readonly CellVerdict[],
  complete: boolean,
): string | null {
  const want = applicable(spec.expectations, { name: d.policy.split("(")[0]!, params: d.params });
  if (
    !same(
      d.expectations.map((x) => x.text),
      want.map(expectationText),
    )
  )
    return "its expectations are not the scenario's";
  for (const [i, e] of want.entries()) {
    const got = d.expectations[i]!;
    const quant = quantifierOf(e);
    if (quant === "always") continue;
    const name = judgedName(e);
    const v = verdicts.find((x) => x.name === name);
    let ok: boolean;
    let undecided: boolean;
    if (!v) [ok, undecided] = [false, false];
    else if (quant === "never")
      [ok, undecided] = v.verdict === "Sometimes" ? [false, false] : [true, !complete];
    else
      [ok, undecided] =
        v.verdict === "Sometimes" ? [true, false] : complete ? [false, false] : [true, true];
    if (got.ok !== ok || got.undecided !== undecided)
      return `its expectation '${got.text}' does not follow from its verdicts (a flipped verdict?)`;
  }
  return null;
}
