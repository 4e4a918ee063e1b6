/**
 * A small argument parser: `--flag`, `--key value`, `--key=value`, positionals.
 * Unknown options are reported, never ignored.
 */
import { closest } from "../util/suggest.js";

export interface OptionSpec {
  readonly name: string;
  /** Takes a value (`--seed 3`) or is a boolean flag (`--json`). */
  readonly value: boolean;
  /** May be given several times; values are collected. */
  readonly repeat?: boolean;
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Map<string, string[]>;
}

export type ArgsResult = { ok: true; args: ParsedArgs } | { ok: false; error: string };

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ArgsResult {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const positionals: string[] = [];
  const options = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = byName.get(name);
    if (!spec) {
      const near = closest(name, [...byName.keys()]);
      return {
        ok: false,
        error: `unknown option --${name}${near ? ` (did you mean --${near}?)` : ""}`,
      };
    }
    let value = "true";
    if (spec.value) {
      if (eq >= 0) value = arg.slice(eq + 1);
      else {
        const next = argv[i + 1];
        if (next === undefined) return { ok: false, error: `option --${name} needs a value` };
        value = next;
        i++;
      }
      // An empty value (`--html ''`) names nothing: refused, not taken as "off".
      if (value === "") return { ok: false, error: `option --${name} needs a value (got '')` };
    } else if (eq >= 0) return { ok: false, error: `option --${name} takes no value` };
    const list = options.get(name) ?? [];
    if (list.length > 0 && !spec.repeat)
      return { ok: false, error: `option --${name} given twice` };
    list.push(value);
    options.set(name, list);
  }
  return { ok: true, args: { positionals, options } };
}

export function opt(a: ParsedArgs, name: string): string | undefined {
  return a.options.get(name)?.[0];
}

export function flag(a: ParsedArgs, name: string): boolean {
  return a.options.has(name);
}
