/**
 * The front door of the `.pin` format: text in, a {@link ScenarioSpec} and
 * diagnostics out. Runs every phase even after errors, so one run reports
 * syntax, name and size problems together; each later phase is written to
 * stay quiet about gaps an earlier one already reported.
 */

import type { ScenarioSpec } from "../model/spec.js";
import type { Program, SyntaxTree } from "./ast.js";
import { check } from "./check.js";
import { checkConditions } from "./conditions.js";
import {
  type Diagnostic,
  DiagnosticSink,
  hasErrors,
  limitErrors,
  sortDiagnostics,
} from "./diagnostics.js";
import { type Comment, scan } from "./lexer.js";
import { lower } from "./lower.js";
import { parse } from "./parser.js";
import { type ResolveOptions, resolve } from "./resolve.js";
import { shape } from "./shape.js";

export interface ParseOptions extends ResolveOptions {
  /** At most this many errors are reported (default 100). */
  readonly maxErrors?: number;
}

export interface ParseResult {
  /** Present exactly when there is no error (warnings allowed). */
  readonly spec?: ScenarioSpec;
  /** In source order. */
  readonly diagnostics: Diagnostic[];
}

/** Parses and checks a scenario. Never throws on any input text. */
export function parseScenario(text: string, file: string, opts: ParseOptions = {}): ParseResult {
  const syn = readSyntax(text, file);
  if (syn.diagnostics.some((d) => d.code === "PIN004")) return { diagnostics: syn.diagnostics };
  const res = resolve(syn.program, file, opts);
  const chk = check(syn.program, res.result, file);
  const cond = checkConditions(syn.program, file);
  const all = silenced(
    sortDiagnostics([
      ...syn.diagnostics,
      ...res.diagnostics,
      ...chk.diagnostics,
      ...cond.diagnostics,
    ]),
    syn.comments,
    text,
  );
  const diagnostics = limitErrors(all, opts.maxErrors ?? 100);
  if (hasErrors(diagnostics)) return { diagnostics };
  return { spec: lower(syn.program, file).result, diagnostics };
}

/**
 * Drops the warnings a `# pinlab-ignore CODE[,CODE...]` comment silences:
 * one at the end of the warning's line, or one alone on the line above it.
 * Errors cannot be silenced: the scenario would not mean anything.
 */
export function silenced(
  list: readonly Diagnostic[],
  comments: readonly Comment[],
  text: string,
): Diagnostic[] {
  const lines = text.split(/\r?\n/);
  const ignore = new Map<number, Set<string>>();
  for (const c of comments) {
    const m = /^#\s*pinlab-ignore\s+(PIN\d{3}(?:\s*,\s*PIN\d{3})*)/.exec(c.text);
    if (!m) continue;
    const codes = m[1]!.split(",").map((x) => x.trim());
    const alone = (lines[c.line - 1] ?? "").slice(0, c.col - 1).trim() === "";
    const target = alone ? c.line + 1 : c.line;
    ignore.set(target, new Set([...(ignore.get(target) ?? []), ...codes]));
  }
  if (ignore.size === 0) return [...list];
  return list.filter((d) => d.severity !== "warning" || !ignore.get(d.line)?.has(d.code));
}

export interface SyntaxResult {
  readonly tree: SyntaxTree;
  readonly program: Program;
  readonly comments: readonly Comment[];
  /** Diagnostics of scanning, parsing and shaping only: what stops a file from being formatted. */
  readonly diagnostics: Diagnostic[];
}

/**
 * The longest source read, in UTF-16 units (512 KiB of ASCII). The phases keep
 * a few hundred bytes per character (tokens, nodes, spans), so a bound on
 * the input is a bound on memory; real scenarios are a few kilobytes.
 */
export const MAX_SOURCE_CHARS = 1 << 19;

/** The syntactic phases (scan → parse → shape), for the formatter and for tools. */
export function readSyntax(text: string, file: string): SyntaxResult {
  if (text.length > MAX_SOURCE_CHARS) {
    const sink = new DiagnosticSink(file);
    sink.report(
      "PIN004",
      { line: 1, col: 1, endCol: 1 },
      `the file has ${text.length.toLocaleString("en")} characters; a scenario may have at most ${MAX_SOURCE_CHARS.toLocaleString("en")}`,
      "split it into several scenarios",
    );
    return { ...readSyntax("", file), diagnostics: sink.drain() };
  }
  const scanned = scan(text, file);
  const parsed = parse(scanned.result.tokens, file);
  const shaped = shape(parsed.result, file);
  return {
    tree: parsed.result,
    program: shaped.result,
    comments: scanned.result.comments,
    diagnostics: sortDiagnostics([
      ...scanned.diagnostics,
      ...parsed.diagnostics,
      ...shaped.diagnostics,
    ]),
  };
}
