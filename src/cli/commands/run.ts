/**
 * `pinlab run <scenario> --policy P [--seed N]`: one deterministic schedule,
 * printed as a trace with each property's verdict and the expectations;
 * `pinlab run --token T`: the steps of a replay token instead of a schedule.
 */
import { systemFromArg } from "../../engine/adapter/model-system.js";
import { decodeToken } from "../../engine/explore/token.js";
import { runSchedule } from "../../engine/run/exec.js";
import { judgeRun } from "../../engine/run/expect.js";
import { compile } from "../../model/compile.js";
import { policyOrigin } from "../../policies/index.js";
import { conditionProperties } from "../../properties/condition/property.js";
import { PROPERTIES } from "../../properties/index.js";
import { runJson } from "../../report/json.js";
import { renderTrace } from "../../report/trace.js";
import { flag, opt, type ParsedArgs, parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, type Host } from "../host.js";
import { parseParams, selectPolicies } from "../policy-args.js";
import { bundledNames, loadScenario } from "../scenarios.js";
import { tokenPolicy, tokenScenario } from "./replay.js";

const USAGE = `pinlab run <scenario> --policy <name> [options]
       pinlab run --token TOKEN [--scenario FILE] [--json]

Runs one deterministic schedule of a scenario under a policy and prints the
trace: each step's actor, operation and result (or errno), the kernel's
reactions (SIGIO, lease breaks, blocks freed, QP errors), then every
property's verdict on this run and the scenario's expectations.

  <scenario>           a bundled scenario name (pinlab run --list) or a .pin file
  --policy <name>      a policy (pinlab policies); repeat it, or 'all', for several;
                       or a plugin file (./mine.js or .ts, docs/plugins.md)
  --param name=value   a policy parameter, e.g. escalation=invalidate
  --seed N             0 (default): priority order, no faults; N > 0: a seeded random schedule
  --faults W           with --seed N > 0: how likely injected faults are, as the
                       weight of each against 1 for any other step (default 0.02;
                       1 draws them like everything else, 0 never)
  --max-steps N        stop after N steps (default 1000)
  --json               print the run as JSON (schema pinlab.run/2)
  --list               list the bundled scenarios
  --token TOKEN        run exactly the steps of a replay token (printed by check,
                       compare and simulate), under its scenario and policy; no
                       <scenario> or --policy then ('pinlab replay' also judges it)
  --scenario FILE      with --token: the .pin file the token was made from

Exit status: 0 every expectation met, 1 one failed, 2 bad input.`;

export const runCommand: Command = {
  name: "run",
  summary: "run one deterministic schedule of a scenario under a policy and print its trace",
  usage: USAGE,
  run(argv, host) {
    const parsed = parseArgs(argv, [
      { name: "policy", value: true, repeat: true },
      { name: "param", value: true, repeat: true },
      { name: "seed", value: true },
      { name: "max-steps", value: true },
      { name: "faults", value: true },
      { name: "json", value: false },
      { name: "list", value: false },
      { name: "token", value: true },
      { name: "scenario", value: true },
    ]);
    if (!parsed.ok) return bad(host, parsed.error);
    const a = parsed.args;
    if (flag(a, "list")) {
      for (const n of bundledNames()) host.out(`${n}\n`);
      return EXIT_OK;
    }
    const token = opt(a, "token");
    if (token !== undefined) return runToken(token, a, host);
    if (opt(a, "scenario") !== undefined) return bad(host, "--scenario goes with --token");
    if (a.positionals.length !== 1)
      return bad(host, "expected exactly one scenario (a bundled name or a .pin file)");
    const seedText = opt(a, "seed") ?? "0";
    if (!/^\d+$/.test(seedText))
      return bad(host, `--seed expects a non-negative integer (got '${seedText}')`);
    const maxText = opt(a, "max-steps") ?? "1000";
    if (!/^\d+$/.test(maxText))
      return bad(host, `--max-steps expects a positive integer (got '${maxText}')`);
    const faultsText = opt(a, "faults");
    if (faultsText !== undefined && !/^\d+(\.\d+)?$/.test(faultsText))
      return bad(host, `--faults expects a weight, a number >= 0 (got '${faultsText}')`);
    if (!a.options.has("policy"))
      return bad(
        host,
        "which policy? give --policy <name> or --policy all (pinlab policies lists them)",
      );
    const params = parseParams(a.options.get("param") ?? []);
    if (!params.ok) return bad(host, params.error);
    const sel = selectPolicies(a.options.get("policy") ?? [], params.params);
    if (!sel.ok) return bad(host, sel.error);
    const loaded = loadScenario(a.positionals[0]!, host);
    if (!loaded.ok) return bad(host, loaded.error, loaded.exit);
    let status = EXIT_OK;
    const json: unknown[] = [];
    // The bundled properties and the scenario's conditions (`expect ... condition "..."`).
    const props = [...PROPERTIES, ...conditionProperties(loaded.spec)];
    for (const policy of sel.policies) {
      const c = compile(loaded.spec, policy);
      if (!c.ok) {
        for (const e of c.errors)
          host.err(
            `pinlab: ${loaded.spec.file ?? loaded.spec.name}${e.at ? `:${e.at.line}:${e.at.col}` : ""}: ${e.message}\n`,
          );
        return EXIT_BAD_INPUT;
      }
      const run = runSchedule(c.model, {
        seed: Number(seedText),
        maxSteps: Number(maxText),
        ...(faultsText !== undefined ? { faultWeight: Number(faultsText) } : {}),
        properties: props,
      });
      const expectations = judgeRun(run);
      if (expectations.some((e) => !e.ok)) status = EXIT_FAILED;
      if (flag(a, "json")) json.push(runJson(run, policy, props, expectations));
      else {
        if (sel.policies.length > 1 && policy !== sel.policies[0])
          host.out(`\n${"─".repeat(72)}\n\n`);
        host.out(
          renderTrace(run, {
            policyName: policy.name + paramText(policy.params),
            policySummary: policy.summary,
            properties: props,
            expectations,
          }),
        );
      }
    }
    if (flag(a, "json"))
      host.out(`${JSON.stringify(json.length === 1 ? json[0] : json, null, 2)}\n`);
    return status;
  },
};

/** `run --token`: the token's steps, under its scenario, policy and parameters. */
function runToken(text: string, a: ParsedArgs, host: Host): number {
  for (const o of ["param", "seed", "max-steps", "faults"])
    if (a.options.has(o)) return bad(host, `--${o} does not go with --token: the token fixes it`);
  // --policy FILE loads a plugin policy's file; any other --policy is fixed by the token
  for (const v of (a.options.get("policy") ?? []).flatMap((x) => x.split(",")))
    if (!policyOrigin(v))
      return bad(
        host,
        "--policy does not go with --token: the token fixes it (only --policy FILE, for a plugin's policy)",
      );
  if (a.positionals.length > 0)
    return bad(host, "with --token, give no scenario: the token carries or names it");
  const t = decodeToken(text.replace(/\s+/g, ""));
  if ("error" in t) return bad(host, `not a valid replay token: ${t.error}`);
  const loaded = tokenScenario(t, opt(a, "scenario"), host);
  if (!loaded.ok) return bad(host, loaded.error, loaded.exit);
  const p = tokenPolicy(t);
  if (!p.ok) return bad(host, p.error);
  const c = compile(loaded.spec, p.policy);
  if (!c.ok) return bad(host, `the scenario does not compile: ${c.errors[0]?.message}`);
  // every step must be possible where the token takes it (replay judges the claim too)
  const sys = systemFromArg({ spec: loaded.spec, policy: p.policy.name, params: t.params });
  let s = sys.init;
  for (let i = 0; i < t.actions.length; i++) {
    if (!sys.enabled(s).includes(t.actions[i]!))
      return bad(
        host,
        `step ${i + 1} of the token cannot happen here: pinlab changed since the token was made`,
      );
    s = sys.step(s, t.actions[i]!, null);
  }
  const props = [...PROPERTIES, ...conditionProperties(loaded.spec)];
  const run = runSchedule(c.model, { actions: t.actions, properties: props });
  const expectations = judgeRun(run);
  if (flag(a, "json"))
    host.out(`${JSON.stringify(runJson(run, p.policy, props, expectations), null, 2)}\n`);
  else
    host.out(
      renderTrace(run, {
        policyName: p.policy.name + paramText(p.policy.params),
        policySummary: p.policy.summary,
        properties: props,
        expectations,
        schedule: `the steps of a token (${t.actions.length} steps)`,
      }),
    );
  return expectations.some((e) => !e.ok) ? EXIT_FAILED : EXIT_OK;
}

function paramText(params: Readonly<Record<string, string>>): string {
  const e = Object.entries(params);
  return e.length === 0 ? "" : ` (${e.map(([k, v]) => `${k}=${v}`).join(", ")})`;
}

function bad(host: { err(t: string): void }, message: string, exit = EXIT_BAD_INPUT): number {
  host.err(`pinlab run: ${message}\n`);
  return exit;
}
