/**
 * `pinlab test-policy FILE`: the contract tests of a plugin's policies
 * (engine/plugins/contract.ts), then the bundled library checked under each,
 * printed as its row of the matrix.
 */
import { resolve } from "node:path";
import { policyContract } from "../../engine/plugins/contract.js";
import { loadPlugin, shownPath } from "../../engine/plugins/load.js";
import type { ScenarioSpec } from "../../model/spec.js";
import { findPolicy } from "../../policies/index.js";
import { opt, parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, type Host } from "../host.js";
import { bundledPins, loadScenario } from "../scenarios.js";
import { compareCommand } from "./compare.js";

const USAGE = `pinlab test-policy <file> [scenario...] [--workers N] [--max-states N]

Loads a plugin file (docs/plugins.md) and tests each policy it defines:
  determinism           every question the model asks it while the bundled
                        scenarios run, asked again of fresh instances twice,
                        gets the same answer
  no module state       asked in reverse order, every answer is the same
  parameters validated  an unknown parameter and an undocumented value are
                        refused; every documented value makes a valid policy
then checks the bundled library (or the scenarios given) under it, as
'pinlab compare --policy' does, and prints its row of the matrix.

  --workers N           check cells on N worker threads (default 1)
  --max-states N        per check, as for compare

Exit status: 0 every test passed and every expectation met, 1 one failed,
2 bad input (a broken plugin: its file:line and what is wrong), 3 incomplete.`;

export const testPolicyCommand: Command = {
  name: "test-policy",
  summary: "test a plugin policy's contract and print its row of the matrix",
  usage: USAGE,
  async run(argv, host) {
    const parsed = parseArgs(argv, [
      { name: "workers", value: true },
      { name: "max-states", value: true },
    ]);
    if (!parsed.ok) return bad(host, parsed.error);
    const a = parsed.args;
    if (a.positionals.length === 0) return bad(host, "expected a plugin file (.js, .mjs or .ts)");
    const [given, ...scenarios] = a.positionals as [string, ...string[]];
    const abs = resolve(host.cwd, given);
    const r = await loadPlugin(abs, shownPath(given, abs));
    if (!r.ok) return bad(host, r.error);
    if (r.plugin.policies.length === 0)
      return bad(
        host,
        `${given} defines no policy (only properties: ${r.plugin.properties.join(", ")})`,
      );
    const specs: ScenarioSpec[] = [];
    for (const name of scenarios.length > 0 ? scenarios : bundledPins()) {
      const l = loadScenario(name, host);
      if (!l.ok) {
        host.err(`pinlab test-policy: ${l.error}\n`);
        return l.exit;
      }
      specs.push(l.spec);
    }
    let failed = false;
    for (const name of r.plugin.policies) {
      const mod = findPolicy(name)!;
      host.out(`policy ${name} (${r.plugin.shown}, content hash ${r.plugin.hash})\n`);
      for (const c of policyContract(mod, specs)) {
        host.out(`  ${c.ok ? "ok  " : "FAIL"}  ${c.name.padEnd(20)}  ${c.detail}\n`);
        if (!c.ok) failed = true;
      }
    }
    host.out("\n");
    // a policy that breaks the contract would break the search's own assertions
    if (failed) {
      host.out("the library is not checked under a policy that breaks the contract\n");
      return EXIT_FAILED;
    }
    const args = [...scenarios, "--policy", r.plugin.policies.join(",")];
    for (const k of ["workers", "max-states"]) {
      const v = opt(a, k);
      if (v !== undefined) args.push(`--${k}`, v);
    }
    // compare's matrix, up to its legend; its failed expectations, if any
    let text = "";
    const code = await compareCommand.run(args, {
      ...host,
      out: (t) => {
        text += t;
      },
    });
    const lines = text.split("\n");
    const legend = lines.findIndex((l) => /^ {2}N {3}/.test(l));
    host.out(
      `${lines
        .slice(0, legend < 0 ? lines.length : legend)
        .join("\n")
        .trimEnd()}\n`,
    );
    const fails = lines.filter((l) => /\bFAIL\b/.test(l));
    if (fails.length > 0) host.out(`\nexpectations failed:\n${fails.join("\n")}\n`);
    if (code === EXIT_BAD_INPUT) return code;
    if (failed) return EXIT_FAILED;
    return code === EXIT_OK ? EXIT_OK : code;
  },
};

function bad(host: Host, message: string): number {
  host.err(`pinlab test-policy: ${message}\n`);
  return EXIT_BAD_INPUT;
}
