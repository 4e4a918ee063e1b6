/**
 * Runs as JSON (schema `pinlab.run/2`, documented in docs/json.md): stable
 * field names, object names instead of table indices, every step's text as
 * the trace prints it plus its events as data.
 */
import type { RunResult } from "../engine/run/exec.js";
import type { ExpectationResult } from "../engine/run/expect.js";
import type { Policy } from "../model/policy.js";
import type { Property } from "../properties/property.js";
import { eventJson } from "./event-json.js";
import { markOf } from "./marks.js";
import { actorOf, describeStep } from "./trace.js";

export const RUN_SCHEMA = "pinlab.run/2";

export function runJson(
  run: RunResult,
  policy: Policy,
  props: readonly Property[],
  expectations: readonly ExpectationResult[],
) {
  const m = run.model;
  return {
    schema: RUN_SCHEMA,
    scenario: m.spec.name,
    file: m.spec.file ?? null,
    policy: policy.name,
    params: policy.params,
    seed: run.seed,
    end: run.end,
    steps: run.steps.map((st) => {
      const d = describeStep(m, st);
      return {
        n: st.n,
        actor: actorOf(m, st.action),
        text: d.line,
        reactions: d.reactions,
        events: st.events.map((e) => eventJson(m, e)),
      };
    }),
    properties: props.map((p) => {
      const occ = run.occurrences.get(p.name);
      return {
        name: p.name,
        kind: p.kind,
        group: p.group,
        /** What an occurrence is (marks.ts): violation, hang, cost, possible or shown. */
        mark: markOf(p),
        occurred: occ !== undefined,
        step: occ ? occ.step : null,
        message: occ ? occ.message : null,
      };
    }),
    expectations: expectations.map((e) => ({
      text: e.text,
      ok: e.ok,
      undecided: e.undecided,
      detail: e.detail,
    })),
    ok: expectations.every((e) => e.ok),
  };
}
