/**
 * `pinlab replay TOKEN`: prints a witness again, on any machine, from the
 * token that `check` (or `compare`) printed beside it.
 */
import { runSchedule } from "../../engine/exec.js";
import { judgeRun } from "../../engine/expect.js";
import { decodeToken } from "../../engine/explore/token.js";
import { propertiesFor } from "../../engine/model-system.js";
import { compile } from "../../model/compile.js";
import { enabled, step } from "../../model/step.js";
import { makePolicy } from "../../policies/index.js";
import { renderTrace } from "../../report/trace.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { EXIT_BAD_INPUT, EXIT_OK, type Host } from "../host.js";
import { loadScenario } from "../scenarios.js";

export const replayCommand: Command = {
  name: "replay",
  summary: "print a witness again from its replay token",
  usage: `pinlab replay <token>

Decodes a replay token (printed by check and compare beside each witness:
scenario, policy, parameters and the exact sequence of steps) and prints the
same trace as 'run' does. The scenario is looked up by the name or path in the
token, so a token from a .pin file replays where that file is.`,
  run(argv, host) {
    const parsed = parseArgs(argv, []);
    if (!parsed.ok) return bad(host, parsed.error);
    if (parsed.args.positionals.length !== 1) return bad(host, "expected one replay token");
    const t = decodeToken(parsed.args.positionals[0]!.trim());
    if ("error" in t) return bad(host, `not a valid replay token: ${t.error}`);
    const loaded = loadScenario(t.scenario, host);
    if (!loaded.ok)
      return bad(host, `the token names scenario '${t.scenario}': ${loaded.error}`, loaded.exit);
    const p = makePolicy(t.policy, t.params);
    if (!p.ok) return bad(host, p.error);
    const c = compile(loaded.spec, p.policy);
    if (!c.ok) return bad(host, `the scenario no longer compiles: ${c.errors[0]?.message}`);
    // Every action must be enabled where the token says it ran: otherwise the scenario changed.
    let s = c.model.init;
    const props = propertiesFor(loaded.spec);
    for (let i = 0; i < t.actions.length; i++) {
      if (!enabled(c.model, s).includes(t.actions[i]!))
        return bad(
          host,
          `step ${i + 1} of the token cannot happen in '${t.scenario}' any more: the scenario or pinlab changed since the token was made`,
        );
      s = step(c.model, s, t.actions[i]!, null);
    }
    const run = runSchedule(c.model, { actions: t.actions, properties: props });
    host.out(
      renderTrace(run, {
        policyName: p.policy.name,
        policySummary: p.policy.summary,
        properties: props,
        expectations: judgeRun(run, p.policy.name).filter(
          (e) => e.expectation.kind === "property" && !e.undecided && !e.ok,
        ),
        schedule: `replayed from a token (${t.actions.length} steps)`,
      }),
    );
    return EXIT_OK;
  },
};

function bad(host: Host, message: string, exit = EXIT_BAD_INPUT): number {
  host.err(`pinlab replay: ${message}\n`);
  return exit;
}
