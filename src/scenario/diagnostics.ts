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

/**
 * Collects diagnostics for one file. After `limit` errors it stops collecting,
 * so that a binary file fed to the parser yields a screenful, not a megabyte.
 */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  private errors = 0;
  constructor(
    readonly file: string,
    private readonly limit = 100,
  ) {}

  report(code: Code, at: Span, message: string, hint?: string, severity?: Severity): void {
    const sev = severity ?? CODES[code].severity;
    if (sev === "error") {
      this.errors++;
      if (this.errors > this.limit) return;
    }
    const d: Diagnostic = {
      code,
      severity: sev,
      message,
      file: this.file,
      line: at.line,
      col: at.col,
      ...(at.endCol > at.col ? { endCol: at.endCol } : {}),
      ...(hint !== undefined ? { hint } : {}),
    };
    this.list.push(d);
  }

  get errorCount(): number {
    return this.errors;
  }

  /** The collected diagnostics, plus a note when some errors were dropped over the limit. */
  drain(): Diagnostic[] {
    const out = [...this.list];
    if (this.errors > this.limit) {
      const last = out[out.length - 1];
      out.push({
        code: "PIN000",
        severity: "error",
        message: `too many errors; ${this.errors - this.limit} more not shown`,
        file: this.file,
        line: last?.line ?? 1,
        col: last?.col ?? 1,
      });
    }
    return out;
  }
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

/**
 * `file:line:col: error PIN102: message`, then the source line with a caret
 * under the column, then the hint. Tabs before the column are kept in the caret
 * line so the caret stays under the right character in a terminal.
 */
export function renderDiagnostic(d: Diagnostic, sourceText: string): string {
  const head = `${d.file}:${d.line}:${d.col}: ${d.severity} ${d.code}: ${d.message}`;
  const lines = [head];
  const src = sourceLine(sourceText, d.line);
  if (src !== undefined) {
    const num = String(d.line);
    const gutter = " ".repeat(num.length);
    const shown = printable(src);
    const width = Math.max(1, Math.min((d.endCol ?? d.col + 1) - d.col, shown.length - d.col + 1));
    const pad = shown.slice(0, Math.max(0, d.col - 1)).replace(/[^\t]/g, " ");
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
