import { GUP_ERA_DOC } from "../../model/policy.js";
import { POLICIES, policyOrigin } from "../../policies/index.js";
import type { Command } from "../command.js";
import { EXIT_OK } from "../host.js";

export const policiesCommand: Command = {
  name: "policies",
  summary: "list the policies (one per option proposed for long-term pins) and their parameters",
  usage:
    "pinlab policies [--policy FILE]\n\nLists every policy with a one-line description, its source, how it answers each\nquestion of the policy interface (with its default parameters) and its parameters;\nwith --policy FILE, also the policies of that plugin file (docs/plugins.md).",
  run(_argv, host) {
    const w = Math.max(...POLICIES.map((p) => p.name.length));
    for (const p of POLICIES) {
      host.out(`${p.name.padEnd(w)}  ${p.summary}\n`);
      host.out(`${" ".repeat(w)}  source: ${p.source}\n`);
      const origin = policyOrigin(p.name);
      if (origin)
        host.out(`${" ".repeat(w)}  plugin: ${origin.file} (content hash ${origin.hash})\n`);
      const made = p.create({});
      const pad = " ".repeat(w);
      host.out(`${pad}  GUP rules: ${GUP_ERA_DOC[made.gupEra]}\n`);
      // How the instance with default parameters answers each question (src/model/policy.ts).
      const answers: [string, string][] = [
        ["long-term pin", made.answers.mayPin],
        ["layout change", made.answers.layoutChange],
      ];
      if (made.revocablePins)
        answers.push(
          ["revoke, per pinner", made.answers.revokePinner],
          ["lease-break-time expires", made.answers.leaseBreakTimeout],
        );
      for (const [i, [q, a]] of answers.entries())
        host.out(`${pad}  ${i === 0 ? "answers:" : "        "} ${q}: ${a}\n`);
      for (const q of p.params)
        host.out(
          `${pad}  --param ${q.name}=${q.values.join("|")} (default ${q.default}): ${q.doc}\n`,
        );
    }
    host.out(
      "\nParameters: --param NAME=VALUE (every selected policy that has it), or with the policy:\n" +
        "--policy 'revoke(escalation=invalidate)' on the command line and\n" +
        "`expect ... under revoke(escalation=invalidate)` in a scenario.\n",
    );
    return EXIT_OK;
  },
};
