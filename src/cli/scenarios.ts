/**
 * Finding a scenario by what the user typed: a bundled name, or a path to a
 * `.pin` file. Errors are messages for the user, never exceptions.
 */
import type { ScenarioSpec } from "../model/spec.js";
import { LIBRARY } from "../scenario/library.js";
import { closest } from "../util/suggest.js";
import type { Host } from "./host.js";

export type Loaded =
  | { ok: true; spec: ScenarioSpec; source?: string }
  | { ok: false; error: string; exit: number };

/** A hook for the text format: parses a `.pin` file into a spec, or renders its diagnostics. */
export type PinLoader = (path: string, host: Host) => Loaded;

let pinLoader: PinLoader | undefined;

/** Registered by the command line at start-up once the text format is available. */
export function setPinLoader(l: PinLoader): void {
  pinLoader = l;
}

export const BUNDLED: readonly string[] = Object.keys(LIBRARY);

export function loadScenario(arg: string, host: Host): Loaded {
  const builder = LIBRARY[arg];
  if (builder) return { ok: true, spec: builder() };
  if (arg.endsWith(".pin") || arg.includes("/")) {
    if (!pinLoader)
      return { ok: false, error: "reading .pin files is not available in this build", exit: 2 };
    return pinLoader(arg, host);
  }
  const near = closest(arg, BUNDLED);
  return {
    ok: false,
    exit: 2,
    error: `unknown scenario '${arg}'${near ? ` (did you mean '${near}'?)` : ""}; bundled: ${BUNDLED.join(", ")}; or give a path to a .pin file`,
  };
}
