/**
 * Finding a scenario by what the user typed: a bundled name, or a path to a
 * `.pin` file. Errors are messages for the user, never exceptions.
 */
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { ScenarioSpec } from "../model/spec.js";
import { LIBRARY, libraryScenario } from "../scenario/library.js";
import { closest } from "../util/suggest.js";
import { loadPinFile } from "./commands/lint.js";
import type { Host } from "./host.js";

export type Loaded =
  | { ok: true; spec: ScenarioSpec; source?: string }
  | { ok: false; error: string; exit: number };

/** The bundled `.pin` library, shipped beside dist/ in the package. */
export const LIBRARY_DIR = fileURLToPath(new URL("../../scenarios/", import.meta.url));

/** Names of the bundled `.pin` scenarios (file names without `.pin`). */
export function bundledPins(): string[] {
  try {
    return readdirSync(LIBRARY_DIR)
      .filter((f) => f.endsWith(".pin"))
      .map((f) => f.slice(0, -4))
      .sort();
  } catch {
    return [];
  }
}

/** Every scenario name `run` accepts: the `.pin` library, then builder-only scenarios. */
export function bundledNames(): string[] {
  const pins = bundledPins();
  return [...pins, ...Object.keys(LIBRARY).filter((n) => !pins.includes(n))];
}

export function loadScenario(arg: string, host: Host): Loaded {
  if (!arg.endsWith(".pin") && !arg.includes("/") && bundledPins().includes(arg)) {
    const abs = join(LIBRARY_DIR, `${arg}.pin`);
    const rel = relative(host.cwd, abs);
    return loadPinFile(rel.startsWith("..") ? abs : rel, host);
  }
  const builder = libraryScenario(arg);
  if (builder) return { ok: true, spec: builder() };
  if (arg.endsWith(".pin") || arg.includes("/")) return loadPinFile(arg, host);
  const names = bundledNames();
  const near = closest(arg, names);
  return {
    ok: false,
    exit: 2,
    error: `unknown scenario '${arg}'${near ? ` (did you mean '${near}'?)` : ""}; bundled: ${names.join(", ")}; or give a path to a .pin file`,
  };
}
