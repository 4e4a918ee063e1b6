import { GUP_ERA_DOC } from "../../model/policy.js";
import { POLICIES, policyOrigin } from "../../policies/index.js";
import type { Command } from "../command.js";
import { EXIT_OK } from "../host.js";

export const policiesCommand: Command = {
  name: "policies",
  summary: "list the policies (one per option proposed for long-term pins) and their parameters",
  usage:
    "pinlab policies [--policy FILE]\n\nLists every policy with a one-line description, its source and its parameters;\nwith --policy FILE, also the policies of that plugin file (docs/plugins.md).",
  run(_argv, host) {
    const w = Math.max(...POLICIES.map((p) => p.name.length));
    for (const p of POLICIES) {
      host.out(`${p.name.padEnd(w)}  ${p.summary}\n`);
      host.out(`${" ".repeat(w)}  source: ${p.source}\n`);
      const origin = policyOrigin(p.name);
      if (origin)
        host.out(`${" ".repeat(w)}  plugin: ${origin.file} (content hash ${origin.hash})\n`);
      host.out(`${" ".repeat(w)}  GUP rules: ${GUP_ERA_DOC[p.create({}).gupEra]}\n`);
      for (const q of p.params)
        host.out(
          `${" ".repeat(w)}  --param ${q.name}=${q.values.join("|")} (default ${q.default}): ${q.doc}\n`,
        );
    }
    return EXIT_OK;
  },
};
