/**
 * `--policy FILE`: the plugin files named among the `--policy` options are
 * loaded (engine/plugins/load.ts) before a command runs, and each is replaced
 * by the names of the policies it defines, so that every command sees them
 * as it sees built-in ones. Its properties are judged too.
 */
import { resolve } from "node:path";
import { loadPlugin, shownPath, unloadPlugins } from "../engine/plugins/load.js";
import type { Host } from "./host.js";

/** Commands that take `--policy FILE`. */
export const PLUGIN_COMMANDS: readonly string[] = [
  "run",
  "check",
  "compare",
  "simulate",
  "replay",
  "lint",
  "merge",
  "policies",
];

/** A `--policy` value that names a file rather than a policy. */
export function isPluginPath(v: string): boolean {
  return v.includes("/") || /\.(?:[cm]?js|[cm]?ts)$/.test(v);
}

/**
 * Loads the files among argv's `--policy` values and returns argv with each
 * file replaced by its policies' names (a file of properties only drops out).
 */
export async function loadPolicyFiles(
  argv: readonly string[],
  host: Host,
): Promise<{ ok: true; argv: string[] } | { ok: false; error: string }> {
  unloadPlugins();
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      out.push(...argv.slice(i));
      break;
    }
    let value: string | undefined;
    if (a === "--policy" && i + 1 < argv.length) value = argv[++i]!;
    else if (a.startsWith("--policy=")) value = a.slice("--policy=".length);
    else {
      out.push(a);
      continue;
    }
    const names: string[] = [];
    for (const part of value.split(",")) {
      if (!isPluginPath(part)) {
        names.push(part);
        continue;
      }
      const abs = resolve(host.cwd, part);
      const r = await loadPlugin(abs, shownPath(part, abs));
      if (!r.ok) return r;
      names.push(...r.plugin.policies);
    }
    if (names.length > 0) out.push("--policy", names.join(","));
  }
  return { ok: true, argv: out };
}
