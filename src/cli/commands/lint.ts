/**
 * `pinlab lint <file.pin>...`: checks scenario files without running them and
 * prints every problem with its code, position, source line and hint.
 */
import { type Diagnostic, renderDiagnostic, summarize } from "../../scenario/diagnostics.js";
import { parseScenario } from "../../scenario/pin.js";
import { flag, parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { EXIT_BAD_INPUT, EXIT_OK, type Host } from "../host.js";
import { readText } from "../pin-file.js";

const USAGE = `pinlab lint <file.pin>... [--json] [--quiet] [--policy FILE]

Checks scenario files without running them: syntax, unknown names (users,
files, processes, remotes, variables, policies, properties), page ranges past
the end of a file, sizes beyond the model's bounds. Each problem is printed as
file:line:col, its code (PIN...), the source line with a caret, and a hint.
docs/scenario-format.md lists the codes.

  --json    print the diagnostics as JSON (schema pinlab.diagnostics/1)
  --quiet   print errors only, not warnings
  --policy FILE
            load a plugin file (docs/plugins.md), so that its policies and
            properties are known names (repeatable)

Exit status: 0 no errors (warnings allowed), 2 an error, or a file that
cannot be read.`;

export const lintCommand: Command = {
  name: "lint",
  summary: "check .pin scenario files and print their diagnostics",
  usage: USAGE,
  run(argv, host) {
    const parsed = parseArgs(argv, [
      { name: "json", value: false },
      { name: "quiet", value: false },
      // plugin files, loaded before the command runs (cli/plugins.ts): their names are known
      { name: "policy", value: true, repeat: true },
    ]);
    if (!parsed.ok) return bad(host, parsed.error);
    const files = parsed.args.positionals;
    if (files.length === 0) return bad(host, "give one or more .pin files to check");
    const json = flag(parsed.args, "json");
    const quiet = flag(parsed.args, "quiet");
    let failed = false;
    const all: Diagnostic[] = [];
    const report: { file: string; error?: string; diagnostics: Diagnostic[] }[] = [];
    for (const file of files) {
      const read = readText(file, host);
      if (!read.ok) {
        failed = true;
        report.push({ file, error: read.error, diagnostics: [] });
        if (!json) host.err(`pinlab lint: ${read.error}\n`);
        continue;
      }
      const { diagnostics } = parseScenario(read.text, file);
      const shown = quiet ? diagnostics.filter((d) => d.severity === "error") : diagnostics;
      if (diagnostics.some((d) => d.severity === "error")) failed = true;
      all.push(...shown);
      report.push({ file, diagnostics: shown });
      if (!json) for (const d of shown) host.out(`${renderDiagnostic(d, read.text)}\n\n`);
    }
    const unread = report.filter((r) => r.error !== undefined).length;
    const read = files.length - unread;
    if (json)
      host.out(`${JSON.stringify({ schema: "pinlab.diagnostics/1", files: report }, null, 2)}\n`);
    else
      host.out(
        `${read} file${read === 1 ? "" : "s"} checked: ${summarize(all)}${unread > 0 ? `; ${unread} could not be read` : ""}\n`,
      );
    return failed ? EXIT_BAD_INPUT : EXIT_OK;
  },
};

function bad(host: Host, message: string): number {
  host.err(`pinlab lint: ${message}\n`);
  return EXIT_BAD_INPUT;
}
