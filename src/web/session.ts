/**
 * What the playground does with a scenario's text: lint it, run one
 * schedule, check it under some policies. Pure (no DOM, no node:), so the
 * page's Web Worker runs it and Node runs the very same code in the tests;
 * it goes through the same public functions as the command line
 * (parseScenario as `lint`, runCell as `check` and `compare`, buildDoc and
 * renderTrace as their reports).
 */

import { parseParams, selectPolicies } from "../cli/policy-args.js";
import type { Cell, CellJob } from "../engine/matrix/cell.js";
import { runCell } from "../engine/matrix/cell.js";
import { runSchedule } from "../engine/run/exec.js";
import { judgeRun } from "../engine/run/expect.js";
import { compile } from "../model/compile.js";
import { conditionProperties } from "../properties/condition/property.js";
import { PROPERTIES } from "../properties/index.js";
import { buildDoc, type CompareDoc, type Comparison } from "../report/compare.js";
import { renderTrace } from "../report/trace.js";
import { type Diagnostic, sortDiagnostics } from "../scenario/diagnostics.js";
import { parseScenario } from "../scenario/pin.js";
import { sourceHash } from "../scenario/source-hash.js";

/** The playground's scenario is a file of this name, as `pinlab check playground.pin` would see it. */
export const PLAYGROUND_FILE = "playground.pin";

/** Every diagnostic of the text, as `pinlab lint` prints them, in source order. */
export function lintPin(text: string, file = PLAYGROUND_FILE): Diagnostic[] {
  return sortDiagnostics([...parseScenario(text, file).diagnostics]);
}

export interface CheckRequest {
  readonly text: string;
  /** The scenario's name in the document (a file name: replay tokens then carry the text). */
  readonly ref?: string;
  /** Policy names (`all` or none: every policy). */
  readonly policies: readonly string[];
  /** Policy parameters, `name=value`. */
  readonly params?: readonly string[];
  readonly maxStates?: number;
  readonly maxTimeMs?: number;
  /** pinlab's version, recorded in the document. */
  readonly version: string;
}

export interface CheckHooks {
  readonly signal?: AbortSignal;
  /** Before each cell. */
  readonly onStart?: (policy: string, done: number, total: number) => void;
  /** During a cell, about every `progressIntervalMs`: the states explored so far. */
  readonly onStates?: (policy: string, states: number) => void;
  readonly progressIntervalMs?: number;
}

export type CheckResult =
  | {
      readonly ok: true;
      readonly doc: CompareDoc;
      /** A cell stopped by the signal or a bound. */
      readonly incomplete: boolean;
      readonly interrupted: boolean;
      readonly timeMs: number;
      readonly states: number;
    }
  | { readonly ok: false; readonly error: string; readonly diagnostics: readonly Diagnostic[] };

/**
 * `pinlab check` (one policy) or `pinlab compare` (several) of one
 * scenario's text: every interleaving under each policy, one cell each, in
 * the comparison document that the HTML report draws.
 */
export async function checkPin(
  req: CheckRequest,
  hooks: CheckHooks = {},
  now: () => number = () => performance.now(),
): Promise<CheckResult> {
  const ref = req.ref ?? PLAYGROUND_FILE;
  const parsed = parseScenario(req.text, ref);
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (!parsed.spec || errors.length > 0)
    return {
      ok: false,
      error: `the scenario has ${errors.length} error${errors.length === 1 ? "" : "s"}`,
      diagnostics: errors,
    };
  const params = parseParams(req.params ?? []);
  if (!params.ok) return { ok: false, error: params.error, diagnostics: [] };
  const sel = selectPolicies(req.policies, params.params);
  if (!sel.ok) return { ok: false, error: sel.error, diagnostics: [] };
  const spec = parsed.spec;
  const hash = sourceHash(req.text);
  const origin = { kind: "text", text: req.text, hash } as const;
  const jobs: CellJob[] = sel.policies.map((p) => ({
    ref,
    spec,
    origin,
    policy: p.name,
    params: p.params,
  }));
  const comparison: Comparison = {
    pinlab: req.version,
    scenarios: [{ ref, hash }],
    policies: sel.policies.map((p) => ({ name: p.name, params: p.params })),
    bounds: { maxStates: req.maxStates ?? null, maxTimeMs: req.maxTimeMs ?? null },
  };
  const start = now();
  const cells: Cell[] = [];
  for (const job of jobs) {
    if (hooks.signal?.aborted) break;
    hooks.onStart?.(job.policy, cells.length, jobs.length);
    cells.push(
      await runCell(job, {
        reduce: true,
        now,
        ...(req.maxStates !== undefined ? { maxStates: req.maxStates } : {}),
        ...(req.maxTimeMs !== undefined ? { maxTimeMs: req.maxTimeMs } : {}),
        ...(hooks.signal ? { signal: hooks.signal } : {}),
        ...(hooks.onStates
          ? {
              progress: (s: { states: number }) => hooks.onStates?.(job.policy, s.states),
              progressIntervalMs: hooks.progressIntervalMs ?? 250,
            }
          : {}),
      }),
    );
  }
  const timeMs = now() - start;
  const doc = buildDoc(cells, new Map([[ref, { spec, source: req.text, hash }]]), null, comparison);
  return {
    ok: true,
    doc,
    incomplete: cells.length < jobs.length || cells.some((c) => c.status !== "complete"),
    interrupted: hooks.signal?.aborted ?? false,
    timeMs,
    states: cells.reduce((n, c) => n + c.stats.states, 0),
  };
}

export interface RunRequest {
  readonly text: string;
  readonly policy: string;
  readonly params?: readonly string[];
  readonly seed: number;
  readonly maxSteps?: number;
}

/** `pinlab run --seed N`: one schedule, its trace as the command line prints it. */
export function runPin(
  req: RunRequest,
): { ok: true; trace: string; failed: boolean } | { ok: false; error: string } {
  const parsed = parseScenario(req.text, PLAYGROUND_FILE);
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (!parsed.spec || errors.length > 0)
    return { ok: false, error: `the scenario has ${errors.length} error(s)` };
  const params = parseParams(req.params ?? []);
  if (!params.ok) return params;
  const sel = selectPolicies([req.policy], params.params);
  if (!sel.ok) return sel;
  const policy = sel.policies[0]!;
  const c = compile(parsed.spec, policy);
  if (!c.ok) return { ok: false, error: c.errors.map((e) => e.message).join("; ") };
  // the command line's default (pinlab run): at most 1000 steps
  // the bundled properties and the scenario's conditions, as pinlab run judges them
  const props = [...PROPERTIES, ...conditionProperties(parsed.spec)];
  const run = runSchedule(c.model, {
    seed: req.seed,
    maxSteps: req.maxSteps ?? 1000,
    properties: props,
  });
  const expectations = judgeRun(run);
  const extra = Object.entries(policy.params);
  return {
    ok: true,
    trace: renderTrace(run, {
      policyName:
        policy.name + (extra.length ? ` (${extra.map(([k, v]) => `${k}=${v}`).join(", ")})` : ""),
      policySummary: policy.summary,
      properties: props,
      expectations,
    }),
    failed: expectations.some((e) => !e.ok),
  };
}
