/**
 * `pinlab lint <file.pin>...`: checks scenario files without running them and
 * prints every problem with its code, position, source line and hint. Also
 * provides the loader that other commands use to read a `.pin` file.
 */
import type { ScenarioSpec } from "../../model/spec.js";
import {
  type Diagnostic,
  renderDiagnostic,
  renderDiagnostics,
  summarize,
} from "../../scenario/diagnostics.js";
import { parseScenario } from "../../scenario/pin.js";
import { flag, parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { EXIT_BAD_INPUT, EXIT_OK, type Host } from "../host.js";

const USAGE = `pinlab lint <file.pin>... [--json] [--quiet]

Checks scenario files without running them: syntax, unknown names (users,
files, processes, remotes, variables, policies, properties), page ranges past
the end of a file, sizes beyond the model's bounds. Each problem is printed as
file:line:col, its code (PIN...), the source line with a caret, and a hint.
docs/scenario-format.md lists the codes.

  --json    print the diagnostics as JSON (schema pinlab.diagnostics/1)
  --quiet   print errors only, not warnings

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

export type ReadResult = { ok: true; text: string } | { ok: false; error: string };

/** Reads a file through the host; a failure is a sentence for the user, not an exception. */
export function readText(path: string, host: Host): ReadResult {
  try {
    return { ok: true, text: host.readFile(path) };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "it is a directory"
          : code === "EACCES"
            ? "permission denied"
            : code === "ENOTREG"
              ? "not a regular file (only regular files are read)"
              : e instanceof Error
                ? e.message
                : String(e);
    return { ok: false, error: `cannot read ${path}: ${why}` };
  }
}

export type PinLoaded =
  | { ok: true; spec: ScenarioSpec; source: string }
  | { ok: false; error: string; exit: number };

/**
 * Reads and checks a `.pin` file for the commands that run scenarios. On bad
 * input the error holds the rendered diagnostics; warnings are printed to
 * stderr and do not stop the run.
 */
export function loadPinFile(path: string, host: Host): PinLoaded {
  const read = readText(path, host);
  if (!read.ok) return { ok: false, error: read.error, exit: EXIT_BAD_INPUT };
  const { spec, diagnostics } = parseScenario(read.text, path);
  if (!spec)
    return {
      ok: false,
      error: renderDiagnostics(diagnostics, read.text).trimEnd(),
      exit: EXIT_BAD_INPUT,
    };
  for (const d of diagnostics) host.err(`${renderDiagnostic(d, read.text)}\n\n`);
  return { ok: true, spec, source: read.text };
}

function bad(host: Host, message: string): number {
  host.err(`pinlab lint: ${message}\n`);
  return EXIT_BAD_INPUT;
}
