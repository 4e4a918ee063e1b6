#!/usr/bin/env node
import { loadedPlugins, pluginFailure, unloadPlugins } from "../engine/plugins/load.js";
import { closest } from "../util/suggest.js";
import { terminalSafe } from "../util/terminal.js";
/**
 * The `pinlab` command line: dispatches to one command per file in commands/.
 * Bad input is reported as a message with exit status 2, never a stack trace;
 * a stack trace means a bug in pinlab.
 */
import type { Command } from "./command.js";
import { checkCommand } from "./commands/check.js";
import { compareCommand } from "./commands/compare.js";
import { conformCommand } from "./commands/conform.js";
import { demoCommand } from "./commands/demo.js";
import { fmtCommand } from "./commands/fmt.js";
import { initPolicyCommand } from "./commands/init-policy.js";
import { lintCommand } from "./commands/lint.js";
import { mergeCommand } from "./commands/merge.js";
import { policiesCommand } from "./commands/policies.js";
import { replayCommand } from "./commands/replay.js";
import { runCommand } from "./commands/run.js";
import { serveCommand } from "./commands/serve.js";
import { simulateCommand } from "./commands/simulate.js";
import { testPolicyCommand } from "./commands/test-policy.js";
import { EXIT_BAD_INPUT, EXIT_OK, type Host, nodeHost } from "./host.js";
import { loadPolicyFiles, PLUGIN_COMMANDS } from "./plugins.js";
import { PINLAB_VERSION } from "./version.js";

export const COMMANDS: readonly Command[] = [
  runCommand,
  compareCommand,
  mergeCommand,
  checkCommand,
  simulateCommand,
  replayCommand,
  lintCommand,
  fmtCommand,
  policiesCommand,
  testPolicyCommand,
  initPolicyCommand,
  demoCommand,
  serveCommand,
  conformCommand,
];

function help(host: Host): void {
  host.out(
    "pinlab — an executable model of long-term pins (RDMA) vs. fs-DAX and page-cache files\n\n",
  );
  host.out("usage: pinlab <command> [options]\n\ncommands:\n");
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  for (const c of COMMANDS) host.out(`  ${c.name.padEnd(w)}  ${c.summary}\n`);
  host.out("\n'pinlab help <command>' or 'pinlab <command> --help' shows a command's options.\n");
}

export async function main(argv: readonly string[], host: Host): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? rest[0] : undefined;
    const cmd = topic ? COMMANDS.find((c) => c.name === topic) : undefined;
    if (topic && !cmd) {
      host.err(`pinlab: no command '${topic}'\n`);
      return EXIT_BAD_INPUT;
    }
    if (cmd) host.out(`${cmd.usage}\n`);
    else help(host);
    return name === undefined ? EXIT_BAD_INPUT : EXIT_OK;
  }
  if (name === "--version") {
    host.out(`pinlab ${PINLAB_VERSION}\n`);
    return EXIT_OK;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    const near = closest(
      name,
      COMMANDS.map((c) => c.name),
    );
    host.err(
      `pinlab: unknown command '${name}'${near ? ` (did you mean '${near}'?)` : ""}; see pinlab --help\n`,
    );
    return EXIT_BAD_INPUT;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    host.out(`${cmd.usage}\n`);
    return EXIT_OK;
  }
  let args = rest;
  if (PLUGIN_COMMANDS.includes(cmd.name)) {
    const r = await loadPolicyFiles(rest, host);
    if (!r.ok) {
      host.err(`pinlab ${cmd.name}: ${r.error}\n`);
      return EXIT_BAD_INPUT;
    }
    args = r.argv;
  }
  try {
    return await cmd.run(args, host);
  } catch (e) {
    // a plugin's policy or property that throws or answers out of the interface: bad input
    const msg = pluginFailure(e);
    if (msg !== null) {
      host.err(`pinlab ${cmd.name}: ${msg}\n`);
      return EXIT_BAD_INPUT;
    }
    // The search's own assertions (a step that is not pure, a cycle that does not
    // close) fail when a plugin's policy keeps state between calls.
    const files = loadedPlugins();
    if (files.length === 0 || !/^pinlab bug/.test((e as Error)?.message ?? "")) throw e;
    host.err(
      `pinlab ${cmd.name}: the search found the model impure with ${files.map((f) => f.shown).join(", ")} loaded (${(e as Error).message.replace(/^pinlab bug: /, "")}): a plugin that keeps state between calls does this; run 'pinlab test-policy FILE'\n`,
    );
    return EXIT_BAD_INPUT;
  } finally {
    unloadPlugins();
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly || process.argv[1]?.endsWith("/pinlab")) {
  // `pinlab compare | head`: a closed pipe ends the output quietly, as for any Unix tool.
  for (const stream of [process.stdout, process.stderr])
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(0);
      throw e;
    });
  main(process.argv.slice(2), nodeHost()).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(
        terminalSafe(
          `pinlab: internal error (a bug in pinlab, please report it):\n${(e as Error)?.stack ?? e}\n`,
        ),
      );
      process.exitCode = 70;
    },
  );
}
