/**
 * Finding a scenario by what the user typed: a bundled name, or a path to a
 * `.pin` file. Errors are messages for the user, never exceptions. Each loaded
 * scenario carries its origin for replay tokens: a bundled scenario's name and
 * content hash, or a file's whole text and its hash (a token never names a path).
 */
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { TokenScenario } from "../engine/explore/token.js";
import type { ScenarioSpec } from "../model/spec.js";
import { LIBRARY, libraryScenario } from "../scenario/library.js";
import { sourceHash, specHash } from "../scenario/source-hash.js";
import { closest } from "../util/suggest.js";
import type { Host } from "./host.js";
import { loadPinFile } from "./pin-file.js";

export type Loaded =
  | { ok: true; spec: ScenarioSpec; source?: string; origin: TokenScenario }
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

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/**
 * What a replay token records for a scenario that `loadScenario(ref)` loaded
 * (with its source, null for one built in TypeScript): a bundled one by its
 * name, a file by its whole text. A file's ref always has a `/` or ends in
 * `.pin`, which no bundled name has.
 */
export function originOf(ref: string, source: string | null, hash: string): TokenScenario {
  return source !== null && !(NAME.test(ref) && !ref.endsWith(".pin"))
    ? { kind: "text", text: source, hash }
    : { kind: "bundled", name: ref, hash };
}

/**
 * A bundled scenario by its name alone: never a path, whatever the name
 * holds (replay tokens name scenarios this way). Undefined if there is none.
 */
export function loadBundled(name: string, host: Host): Loaded | undefined {
  if (!NAME.test(name)) return undefined;
  if (bundledPins().includes(name)) {
    const abs = join(LIBRARY_DIR, `${name}.pin`);
    const rel = relative(host.cwd, abs);
    const l = loadPinFile(rel.startsWith("..") ? abs : rel, host);
    if (!l.ok) return l;
    return { ...l, origin: originOf(name, l.source, sourceHash(l.source)) };
  }
  const b = libraryScenario(name);
  if (!b) return undefined;
  const spec = b();
  return { ok: true, spec, origin: originOf(name, null, specHash(spec)) };
}

export function loadScenario(arg: string, host: Host): Loaded {
  const bundled = arg.endsWith(".pin") ? undefined : loadBundled(arg, host);
  if (bundled) return bundled;
  if (arg.endsWith(".pin") || arg.includes("/")) return loadFile(arg, host);
  const names = bundledNames();
  const near = closest(arg, names);
  return {
    ok: false,
    exit: 2,
    error: `unknown scenario '${arg}'${near ? ` (did you mean '${near}'?)` : ""}; bundled: ${names.join(", ")}; or give a path to a .pin file`,
  };
}

/** A `.pin` file the user named; its token carries the whole text. */
export function loadFile(path: string, host: Host): Loaded {
  const l = loadPinFile(path, host);
  if (!l.ok) return l;
  return { ...l, origin: originOf(path, l.source, sourceHash(l.source)) };
}
