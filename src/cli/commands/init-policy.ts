/** `pinlab init-policy NAME`: writes NAME.js, a commented starting point for a plugin policy. */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { isBuiltinPolicy } from "../../policies/index.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { EXIT_BAD_INPUT, EXIT_OK, type Host } from "../host.js";

const NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** The starting file for a policy called `name`. */
export function policyTemplate(name: string): string {
  return `// ${name}: a pinlab policy (docs/plugins.md).
//
// Run it:   pinlab compare --policy ./${name}.js --policy revoke
//           pinlab check core --policy ./${name}.js
// Test it:  pinlab test-policy ./${name}.js
//
// A policy answers the questions the model asks where the kernel (or the
// proposal) decides; every other rule is the kernel's. Answers left out are
// today's kernel where the 2019 proposals are silent (DEFAULT_ANSWERS).
// A policy keeps no state: the same question must always get the same answer
// (test-policy checks it), so keep no variables outside the functions.
import { definePolicy, errno, pinHolders } from "pinlab/plugin";

export default definePolicy({
  // lower-case letters, digits and '-'; not the name of a built-in policy
  name: "${name}",
  // one line for 'pinlab policies' and the matrix
  summary: "TODO: what the proposal does, in one line",
  // the mail or commit it models, e.g. https://lore.kernel.org/r/<message-id>
  source: "TODO: https://lore.kernel.org/r/...",
  // parameters: --param name=value; a value list, or ["<seconds>"] for a number
  params: [
    {
      name: "lease-break-time",
      values: ["<seconds>"],
      default: "45",
      doc: "seconds before the kernel stops waiting for a lease holder (used by timed simulation)",
    },
  ],
  // the answers, for validated parameters (p["lease-break-time"] is a string)
  answers: (p) => ({
    // who may take a long-term pin: q.stage ("vma": check_vma_flags(); "page":
    // each fs-DAX page after the fault), q.pinner, q.user, q.caps, q.backing,
    // q.dax, q.shared, q.seals, q.leaseHeld. 0 allows it; a positive errno
    // refuses it (today's kernel: q.dax && q.stage === "vma" ? errno.EOPNOTSUPP : 0)
    mayPin: (q) => 0,
    // whether fs-DAX long-term pins hold revocable leases (needed by { do: "revoke" })
    revocablePins: false,
    // required: a layout change (q.kind: truncate, punch, collapse, alloc,
    // reflink, unplug, evict) by process q.caller meets pinned pages of
    // q.inode (q.dax: the file is on fs-DAX). Answer one of
    //   { do: "proceed" }  change the layout now (blocks freed under the pin)
    //   { do: "wait" }     block until the pins are gone
    //   { do: "fail", errno: errno.EBUSY }
    //   { do: "defer" }    change now, pinned blocks stay busy until unpinned
    //   { do: "revoke" }   break the pins' leases (SIGIO), then wait
    // pinHolders(q) lists the processes holding pins on the file.
    layoutChange: (q) => {
      if (!q.dax) return { do: "proceed" };
      return pinHolders(q).includes(q.caller) ? { do: "wait" } : { do: "fail", errno: errno.EBUSY };
    },
  }),
});
`;
}

export const initPolicyCommand: Command = {
  name: "init-policy",
  summary: "write NAME.js, a commented starting file for a plugin policy",
  usage: `pinlab init-policy <name>

Writes <name>.js in the current directory: a policy for 'pinlab <command>
--policy ./<name>.js', with a comment on each answer (docs/plugins.md). An
existing file is never overwritten.`,
  run(argv, host) {
    const parsed = parseArgs(argv, []);
    if (!parsed.ok) return bad(host, parsed.error);
    const [name, ...more] = parsed.args.positionals;
    if (name === undefined || more.length > 0) return bad(host, "expected one policy name");
    if (!NAME.test(name))
      return bad(
        host,
        `a policy name is lower-case letters, digits and '-', starting with a letter (got '${name}')`,
      );
    if (isBuiltinPolicy(name))
      return bad(host, `'${name}' is a built-in policy: give yours another name`);
    const file = `${name}.js`;
    const path = resolve(host.cwd, file);
    if (existsSync(path) || Object.hasOwn((host as { files?: object }).files ?? {}, path))
      return bad(host, `${file} exists: not overwritten`);
    host.writeFile(path, policyTemplate(name));
    host.out(`wrote ${file}: try 'pinlab test-policy ./${file}'\n`);
    return EXIT_OK;
  },
};

function bad(host: Host, message: string): number {
  host.err(`pinlab init-policy: ${message}\n`);
  return EXIT_BAD_INPUT;
}
