/**
 * `pinlab fmt <file.pin>... [--write | --check]`: prints scenario files in
 * canonical form (comments kept), rewrites them, or checks that they already
 * are. A file with syntax errors is left alone and its diagnostics printed.
 */
import { renderDiagnostic } from "../../scenario/diagnostics.js";
import { formatText } from "../../scenario/format.js";
import { flag, parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, type Host } from "../host.js";
import { readText } from "../pin-file.js";

const USAGE = `pinlab fmt <file.pin>... [--write | --check]

Formats scenario files canonically: one statement per line, blocks indented
by two spaces, arguments in a fixed order, defaults left out, comments kept
beside or above their statement. Reading the output gives exactly the same
scenario, and formatting it again changes nothing.

  (no option)  print the formatted text of one file
  --write      rewrite each file that is not formatted
  --check      list the files that are not formatted; change nothing

Exit status: 0 done (or, with --check, every file is formatted), 1 with
--check: some file is not formatted, 2 bad input (syntax errors, a file that
cannot be read).`;

export const fmtCommand: Command = {
  name: "fmt",
  summary: "format .pin scenario files canonically (print, --write or --check)",
  usage: USAGE,
  run(argv, host) {
    const parsed = parseArgs(argv, [
      { name: "write", value: false },
      { name: "check", value: false },
    ]);
    if (!parsed.ok) return bad(host, parsed.error);
    const write = flag(parsed.args, "write");
    const check = flag(parsed.args, "check");
    const files = parsed.args.positionals;
    if (write && check) return bad(host, "give --write or --check, not both");
    if (files.length === 0) return bad(host, "give a .pin file to format");
    if (!write && !check && files.length > 1)
      return bad(host, "printing formats one file; use --write or --check for several");
    let badInput = false;
    let unformatted = 0;
    for (const file of files) {
      const read = readText(file, host);
      if (!read.ok) {
        host.err(`pinlab fmt: ${read.error}\n`);
        badInput = true;
        continue;
      }
      const r = formatText(read.text, file);
      if (r.text === undefined) {
        for (const d of r.diagnostics) host.err(`${renderDiagnostic(d, read.text)}\n\n`);
        host.err(`pinlab fmt: ${file} has syntax errors; not formatted\n`);
        badInput = true;
        continue;
      }
      if (!write && !check) host.out(r.text);
      else if (r.text !== read.text) {
        unformatted++;
        if (check) host.out(`${file}: not formatted\n`);
        else {
          try {
            host.writeFile(file, r.text);
            host.out(`${file}: formatted\n`);
          } catch (e) {
            host.err(
              `pinlab fmt: cannot write ${file}: ${e instanceof Error ? e.message : String(e)}\n`,
            );
            badInput = true;
          }
        }
      }
    }
    if (badInput) return EXIT_BAD_INPUT;
    return check && unformatted > 0 ? EXIT_FAILED : EXIT_OK;
  },
};

function bad(host: Host, message: string): number {
  host.err(`pinlab fmt: ${message}\n`);
  return EXIT_BAD_INPUT;
}
