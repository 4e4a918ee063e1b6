/**
 * Reading scenario files for every command: a file through the host (only
 * regular files), and a `.pin` file parsed and checked, with its diagnostics
 * rendered for the user.
 */
import type { ScenarioSpec } from "../model/spec.js";
import { renderDiagnostic, renderDiagnostics } from "../scenario/diagnostics.js";
import { parseScenario } from "../scenario/pin.js";
import { EXIT_BAD_INPUT, type Host } from "./host.js";

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
