/**
 * Scanning: characters to tokens. Newlines are tokens because they end
 * statements; comments are kept aside (with their positions) for the
 * formatter. The scanner is total: a character it does not know is reported
 * once per run of such characters and skipped.
 */
import { DiagnosticSink, type PhaseResult, type Span } from "./diagnostics.js";

export type TokenKind =
  | "ident"
  | "number"
  | "string"
  | "="
  | ","
  | ":"
  | "."
  | ".."
  | "{"
  | "}"
  | ";"
  | "newline"
  | "eof";

export interface Token extends Span {
  readonly kind: TokenKind;
  /** The source text of the token (for a string, without the quotes and with escapes undone). */
  readonly text: string;
}

/** A `#` comment: `text` starts at the `#` and has no trailing blanks. */
export interface Comment {
  readonly line: number;
  readonly col: number;
  readonly text: string;
}

export interface Scanned {
  readonly tokens: readonly Token[];
  readonly comments: readonly Comment[];
}

const PUNCT = new Set(["=", ",", ":", "{", "}", ";"]);

/** Letters of any script, so that `données` is one name and not a run of errors. */
const isLetter = (c: string): boolean =>
  (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_" || (c > "\x7f" && /\p{L}/u.test(c));
const isDigit = (c: string): boolean => c >= "0" && c <= "9";
const isWordChar = (c: string): boolean => isLetter(c) || isDigit(c);

export function scan(text: string, file = "<input>"): PhaseResult<Scanned> {
  const diags = new DiagnosticSink(file);
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  let badRun = -1; // index where the current run of unknown characters started
  let underOnLine = false; // an `under` was read on this line (policy parameters may follow)
  const push = (kind: TokenKind, start: number, end: number, value?: string) =>
    tokens.push({
      kind,
      text: value ?? text.slice(start, end),
      line,
      col: start - lineStart + 1,
      endCol: end - lineStart + 1,
    });
  const flushBad = (end: number) => {
    if (badRun < 0) return;
    const span = { line, col: badRun - lineStart + 1, endCol: end - lineStart + 1 };
    const what = text.slice(badRun, end);
    diags.report(
      "PIN001",
      span,
      `unexpected character${end - badRun > 1 ? "s" : ""} ${JSON.stringify(what.slice(0, 20))}`,
      hintForBad(what),
    );
    badRun = -1;
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\v" || c === "\uFEFF") {
      flushBad(i);
      i++;
      continue;
    }
    if (c === "\n") {
      flushBad(i);
      underOnLine = false;
      push("newline", i, i + 1);
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === "#") {
      flushBad(i);
      let j = i;
      while (j < text.length && text[j] !== "\n") j++;
      comments.push({ line, col: i - lineStart + 1, text: text.slice(i, j).trimEnd() });
      i = j;
      continue;
    }
    if (isLetter(c)) {
      flushBad(i);
      let j = i + 1;
      // `-` joins words (foreign-dma, layout-lease) when a letter or digit follows.
      while (
        j < text.length &&
        (isWordChar(text[j]!) ||
          (text[j] === "-" && j + 1 < text.length && isWordChar(text[j + 1]!)))
      )
        j++;
      // A copy of a replicated actor is `name#N` (`server#3`): `#` and digits glued to a word.
      if (text[j] === "#" && j + 1 < text.length && isDigit(text[j + 1]!)) {
        j++;
        while (j < text.length && isDigit(text[j]!)) j++;
      }
      // After `under` on the same line, a policy may carry parameters glued to its
      // name: `revoke(escalation=invalidate)` is one word, read by policies/ref.ts
      // (an unclosed list runs to the end of the line or a comment).
      if (underOnLine && text[j] === "(") {
        let k = j;
        while (k < text.length && text[k] !== ")" && text[k] !== "\n" && text[k] !== "#") k++;
        if (text[k] === ")") j = k + 1;
        else {
          while (k > j && /\s/.test(text[k - 1]!)) k--;
          j = k;
        }
      }
      push("ident", i, j);
      if (text.slice(i, j) === "under") underOnLine = true;
      i = j;
      continue;
    }
    if (isDigit(c)) {
      flushBad(i);
      let j = i + 1;
      // Letters glued to digits stay in the token (0o644, 4k, 45s) and are judged by the parser,
      // and so do a decimal point before a digit (1.5s, but not the range 0..1) and a rate's
      // `/` before a letter (10k/s).
      while (
        j < text.length &&
        (isWordChar(text[j]!) ||
          ((text[j] === "." || text[j] === "/") &&
            j + 1 < text.length &&
            (text[j] === "." ? isDigit(text[j + 1]!) : isLetter(text[j + 1]!))))
      )
        j++;
      push("number", i, j);
      i = j;
      continue;
    }
    if (c === '"') {
      flushBad(i);
      i = scanString(text, i, line, lineStart, push, diags);
      continue;
    }
    if (c === ".") {
      flushBad(i);
      const two = text[i + 1] === ".";
      push(two ? ".." : ".", i, i + (two ? 2 : 1));
      i += two ? 2 : 1;
      continue;
    }
    if (PUNCT.has(c)) {
      flushBad(i);
      if (c === ";" || c === "{" || c === "}") underOnLine = false;
      push(c as TokenKind, i, i + 1);
      i++;
      continue;
    }
    if (c === "/" && text[i + 1] === "/") {
      // A C-style comment: one report, then the rest of the line is skipped like a comment.
      flushBad(i);
      badRun = i;
      flushBad(i + 2);
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    if (badRun < 0) badRun = i;
    i++;
  }
  flushBad(i);
  push("eof", i, i);
  return { result: { tokens, comments }, diagnostics: diags.drain() };
}

/** A string runs to the closing quote on the same line; `\"` and `\\` are its only escapes. */
function scanString(
  text: string,
  start: number,
  line: number,
  lineStart: number,
  push: (kind: TokenKind, start: number, end: number, value?: string) => void,
  diags: DiagnosticSink,
): number {
  let j = start + 1;
  let value = "";
  while (j < text.length && text[j] !== '"' && text[j] !== "\n") {
    if (text[j] === "\\" && (text[j + 1] === '"' || text[j + 1] === "\\")) {
      value += text[j + 1];
      j += 2;
    } else {
      value += text[j];
      j++;
    }
  }
  if (text[j] === '"') {
    push("string", start, j + 1, value);
    return j + 1;
  }
  const end = text[j - 1] === "\r" ? j - 1 : j;
  diags.report(
    "PIN002",
    { line, col: start - lineStart + 1, endCol: end - lineStart + 1 },
    "unterminated string",
    'close it with `"` on the same line',
  );
  push("string", start, end, value.replace(/\r$/, ""));
  return end;
}

function hintForBad(what: string): string | undefined {
  if (what.startsWith("//")) return "comments start with `#`";
  if (what.startsWith("-"))
    return "numbers are never negative; names may contain `-` only between letters";
  if (what.startsWith("'")) return 'strings are written in double quotes: "..."';
  if (what.startsWith("(") || what.startsWith(")"))
    return "operations take their arguments separated by spaces, without parentheses";
  return undefined;
}
