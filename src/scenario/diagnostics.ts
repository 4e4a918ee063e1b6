/**
 * Diagnostics as data: every problem in a `.pin` file is a value with a stable
 * code, a position and usually a hint. Phases collect them; only the edge (the
 * command line, the playground) renders them as text.
 */
import { CODES, type Code } from "./codes.js";

export type Severity = "error" | "warning";

/** A stretch of one source line. Lines and columns are 1-based; `endCol` is exclusive. */
export interface Span {
  readonly line: number;
  readonly col: number;
  readonly endCol: number;
}

export interface Diagnostic {
  /** Stable across releases (`PIN102`); see codes.ts and docs/scenario-format.md. */
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly endCol?: number;
  /** What to do about it, e.g. "did you mean `truncate`?". */
  readonly hint?: string;
}

/** Every phase returns its result together with what it found wrong. */
export interface PhaseResult<T> {
  readonly result: T;
  readonly diagnostics: readonly Diagnostic[];
}

/** Collects the diagnostics of one phase for one file. */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  constructor(readonly file: string) {}

  report(code: Code, at: Span, message: string, hint?: string, severity?: Severity): void {
    this.list.push({
      code,
      severity: severity ?? CODES[code].severity,
      message,
      file: this.file,
      line: at.line,
      col: at.col,
      ...(at.endCol > at.col ? { endCol: at.endCol } : {}),
      ...(hint !== undefined ? { hint } : {}),
    });
  }

  drain(): Diagnostic[] {
    return [...this.list];
  }
}

/**
 * Keeps the first `max` errors (and every warning before the cut), then one
 * PIN000 saying how many were left out: a binary file fed to the parser
 * yields a screenful, not a megabyte.
 */
export function limitErrors(list: readonly Diagnostic[], max: number): Diagnostic[] {
  let errors = 0;
  const out: Diagnostic[] = [];
  let last: Diagnostic | undefined;
  for (const d of list) {
    if (d.severity === "error") errors++;
    if (errors > max) continue;
    out.push(d);
    last = d;
  }
  if (errors > max && last)
    out.push({
      code: "PIN000",
      severity: "error",
      message: `too many errors; ${errors - max} more not shown`,
      file: last.file,
      line: last.line,
      col: last.col,
    });
  return out;
}

/** Source order, then errors before warnings at the same place. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.col - b.col ||
      (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1) ||
      a.code.localeCompare(b.code),
  );
}

export function hasErrors(list: readonly Diagnostic[]): boolean {
  return list.some((d) => d.severity === "error");
}

/** The longest stretch of a source line shown in a frame, and how much of it before the column. */
const MAX_FRAME = 240;
const FRAME_BEFORE = 80;

/**
 * `file:line:col: error PIN102: message`, then the source line with a caret
 * under the column, then the hint. Tabs before the column are kept in the caret
 * line so the caret stays under the right character in a terminal.
 */
export function renderDiagnostic(d: Diagnostic, sourceText: string): string {
  const head = `${d.file}:${d.line}:${d.col}: ${d.severity} ${d.code}: ${d.message}`;
  const lines = [head];
  const line = sourceLine(sourceText, d.line);
  if (line !== undefined) {
    const num = String(d.line);
    const gutter = " ".repeat(num.length);
    // A very long line is shown as a window around the column.
    const from = Math.max(0, Math.min(d.col - 1 - FRAME_BEFORE, line.length - MAX_FRAME));
    const src = line.slice(from, from + MAX_FRAME);
    const col = d.col - from;
    const shown = printable(src);
    const width = Math.max(1, Math.min((d.endCol ?? d.col + 1) - d.col, shown.length - col + 1));
    const pad = shown.slice(0, Math.max(0, col - 1)).replace(/[^\t]/g, " ");
    lines.push(` ${num} | ${shown}`.trimEnd());
    lines.push(` ${gutter} | ${pad}${"^".repeat(width)}`);
  }
  if (d.hint !== undefined) lines.push(`hint: ${d.hint}`);
  return lines.join("\n");
}

/** Renders a list in source order, separated by blank lines, with a count at the end. */
export function renderDiagnostics(list: readonly Diagnostic[], sourceText: string): string {
  if (list.length === 0) return "";
  const body = sortDiagnostics(list)
    .map((d) => renderDiagnostic(d, sourceText))
    .join("\n\n");
  return `${body}\n\n${summarize(list)}\n`;
}

/** "2 errors, 1 warning". */
export function summarize(list: readonly Diagnostic[]): string {
  const e = list.filter((d) => d.severity === "error").length;
  const w = list.length - e;
  return `${e} error${e === 1 ? "" : "s"}, ${w} warning${w === 1 ? "" : "s"}`;
}

function sourceLine(text: string, line: number): string | undefined {
  if (line < 1) return undefined;
  let start = 0;
  for (let i = 1; i < line; i++) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  const end = text.indexOf("\n", start);
  return text.slice(start, end < 0 ? text.length : end).replace(/\r$/, "");
}

/** Control characters would garble a terminal; show them as `?` (one column each). */
function printable(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const n = s.charCodeAt(i);
    out += n === 9 || (n >= 32 && n !== 127) ? s[i] : "?";
  }
  return out;
}
