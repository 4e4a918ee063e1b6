/**
 * Parsing: tokens to the statement tree. The grammar is uniform, so the parser
 * needs no knowledge of individual statements; it only knows which words may
 * start a top-level statement, to notice a block that was never closed.
 *
 * Recovery: the first error in a statement is reported and the rest of that
 * statement is read quietly; a block is closed by `}`, by the end of the file,
 * or by a top-level word (`proc`, `file`, ...) indented no deeper than the
 * statement that opened it. Every loop consumes a token or returns, and block
 * nesting is bounded, so the parser terminates on any input without deep
 * recursion.
 */
import type { Arg, Block, Item, Name, Stmt, SyntaxTree } from "./ast.js";
import { DiagnosticSink, type PhaseResult, type Span } from "./diagnostics.js";
import type { Token, TokenKind } from "./lexer.js";

/** Words that start a top-level statement. */
export const TOP_LEVEL_WORDS: readonly string[] = [
  "scenario",
  "fs",
  "user",
  "file",
  "proc",
  "remote",
  "faults",
  "nic",
  "bounds",
  "layout_lease",
  "assume",
  "expect",
  "timing",
  "horizon",
  "replicate",
];
const TOP = new Set(TOP_LEVEL_WORDS);
const MAX_DEPTH = 8;

const ENDS_ARGS: ReadonlySet<TokenKind> = new Set(["newline", ";", "}", "{", "eof"]);

interface OpenBlock {
  readonly open: Token;
  /** Column of the statement that owns the block. */
  readonly ownerCol: number;
  readonly owner: string;
}

export function parse(tokens: readonly Token[], file = "<input>"): PhaseResult<SyntaxTree> {
  const p = new Parser(tokens, new DiagnosticSink(file));
  const { body } = p.statements(undefined, 0);
  return { result: { stmts: body }, diagnostics: p.sink.drain() };
}

class Parser {
  private pos = 0;
  private last: Token;
  /** Set once the current statement reported an error: the rest of it stays quiet. */
  private broken = false;

  constructor(
    private readonly tokens: readonly Token[],
    readonly sink: DiagnosticSink,
  ) {
    this.last = tokens[0]!;
  }

  private peek(k = 0): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.pos++;
    this.last = t;
    return t;
  }

  private error(at: Span, message: string, hint?: string): void {
    if (!this.broken) this.sink.report("PIN103", at, message, hint);
    this.broken = true;
  }

  /** Statements up to the end of the block (or file); returns the closing brace if seen. */
  statements(block: OpenBlock | undefined, depth: number): { body: Stmt[]; close?: Span } {
    const body: Stmt[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === "newline" || t.kind === ";") {
        this.next();
        continue;
      }
      if (t.kind === "eof") {
        if (block) this.unclosed(block, undefined);
        return { body };
      }
      if (t.kind === "}") {
        this.next();
        if (block) return { body, close: t };
        this.sink.report(
          "PIN105",
          t,
          "`}` without a matching `{`",
          "remove it, or open the block it closes",
        );
        continue;
      }
      if (
        block &&
        t.kind === "ident" &&
        TOP.has(t.text) &&
        t.col <= block.ownerCol &&
        this.peek(1).kind !== "=" &&
        this.peek(1).kind !== ":"
      ) {
        this.unclosed(block, t);
        return { body };
      }
      const s = this.statement(depth);
      if (s) body.push(s);
      const after = this.peek();
      // A block closed implicitly leaves the next statement's first word, on a later line.
      // `} else {`: an `else` may follow the `}` of the block before it on the same line.
      const elseAfterBlock =
        s?.block?.close !== undefined && after.kind === "ident" && after.text === "else";
      if (!ENDS_ARGS.has(after.kind) && after.line === this.last.line && !elseAfterBlock) {
        this.error(
          after,
          `expected the end of the statement, found ${describe(after)}`,
          "put the next statement on its own line or after `;`",
        );
        this.skipStatement();
      }
    }
  }

  private unclosed(block: OpenBlock, before: Token | undefined): void {
    this.sink.report(
      "PIN104",
      block.open,
      `missing \`}\`: the block of ${block.owner} is never closed`,
      before
        ? `add \`}\` before \`${before.text}\` on line ${before.line}`
        : "add `}` at the end of the block",
    );
  }

  private statement(depth: number): Stmt | undefined {
    this.broken = false;
    const start = this.peek();
    let label: Name | undefined;
    let dst: Name | undefined;
    if (start.kind === "ident" && this.peek(1).kind === ":") {
      label = name(this.next());
      this.next();
    }
    if (this.peek().kind === "ident" && this.peek(1).kind === "=") {
      dst = name(this.next());
      this.next();
    }
    const h = this.peek();
    if (h.kind !== "ident") {
      const what = dst
        ? `an operation after \`${dst.text} =\``
        : label
          ? `an operation after \`${label.text}:\``
          : "a statement";
      this.error(h, `expected ${what}, found ${describe(h)}`, hintForStart(h));
      this.skipStatement();
      if (this.peek().kind === "{") this.block({ col: start.col, text: "this statement" }, depth);
      return undefined;
    }
    const head = name(this.next());
    const args: Arg[] = [];
    while (!ENDS_ARGS.has(this.peek().kind)) {
      const a = this.arg();
      if (a) args.push(a);
    }
    const end = this.last;
    // `proc x user=a` may have its `{` on the next line.
    if (
      this.peek().kind === "newline" &&
      (head.text === "proc" || head.text === "remote" || head.text === "replicate")
    ) {
      let k = 0;
      while (this.peek(k).kind === "newline") k++;
      if (this.peek(k).kind === "{") while (this.peek().kind === "newline") this.next();
    }
    let blk: Block | undefined;
    if (this.peek().kind === "{") {
      const owner = args[0]?.items[0];
      const ownerName = owner?.kind === "word" ? `${head.text} ${owner.name.text}` : head.text;
      blk = this.block({ col: start.col, text: ownerName }, depth);
    }
    const broken = this.broken;
    // Every statement has the same fields (absent ones undefined): one object shape, fast to read.
    return {
      label,
      dst,
      head,
      args,
      block: blk,
      start: span(start),
      end: blk ? blk.open : span(end),
      broken,
    };
  }

  private block(owner: { col: number; text: string }, depth: number): Block | undefined {
    const open = this.next();
    if (depth >= MAX_DEPTH) {
      this.error(open, "blocks are nested too deeply");
      this.skipBalanced();
      return undefined;
    }
    const broken = this.broken;
    const inner: OpenBlock = { open, ownerCol: owner.col, owner: owner.text };
    const { body, close } = this.statements(inner, depth + 1);
    this.broken = broken;
    return { open: span(open), ...(close ? { close } : {}), body };
  }

  private arg(): Arg | undefined {
    const t = this.peek();
    if (t.kind === "ident" && this.peek(1).kind === "=") {
      const key = name(this.next());
      const eq = this.next();
      if (ENDS_ARGS.has(this.peek().kind)) {
        this.error(eq, `expected a value after \`${key.text}=\``);
        return { key, items: [], span: join(key, eq) };
      }
      const items = this.list();
      return { key, items, span: join(key, this.last) };
    }
    const items = this.list();
    if (items.length === 0) return undefined;
    return { items, span: join(items[0]!.span, this.last) };
  }

  private list(): Item[] {
    const items: Item[] = [];
    const first = this.item();
    if (!first) return items;
    items.push(first);
    while (this.peek().kind === ",") {
      const comma = this.next();
      if (ENDS_ARGS.has(this.peek().kind)) {
        this.error(comma, "expected a value after `,`", "remove the trailing comma");
        break;
      }
      const it = this.item();
      if (!it) break;
      items.push(it);
    }
    return items;
  }

  private item(): Item | undefined {
    const t = this.peek();
    if (ENDS_ARGS.has(t.kind)) {
      this.error(t, `expected a value, found ${describe(t)}`);
      return undefined;
    }
    this.next();
    if (t.kind === "ident") {
      if (this.peek().kind === "." && this.peek(1).kind === "ident") {
        this.next();
        const right = this.next();
        return { kind: "dotted", left: name(t), right: name(right), span: join(t, right) };
      }
      return { kind: "word", name: name(t), span: span(t) };
    }
    if (t.kind === "string") return { kind: "string", name: name(t), span: span(t) };
    if (t.kind === "number") {
      if (this.peek().kind !== "..") return { kind: "number", name: name(t), span: span(t) };
      const dots = this.next();
      if (this.peek().kind !== "number") {
        this.error(
          dots,
          "expected the last page of the range after `..`",
          "write a range as `first..last`, e.g. `0..1`",
        );
        return { kind: "number", name: name(t), span: span(t) };
      }
      const last = this.next();
      return { kind: "range", first: name(t), last: name(last), span: join(t, last) };
    }
    this.error(t, `unexpected ${describe(t)}`, hintForPunct(t));
    return undefined;
  }

  /** Skips to the end of the statement, leaving a `{`, `}` or separator for the caller. */
  private skipStatement(): void {
    while (!ENDS_ARGS.has(this.peek().kind)) this.next();
  }

  /** After a block too deep to parse: skips to its matching `}` without recursion. */
  private skipBalanced(): void {
    let depth = 1;
    while (depth > 0 && this.peek().kind !== "eof") {
      const t = this.next();
      if (t.kind === "{") depth++;
      else if (t.kind === "}") depth--;
    }
  }
}

function name(t: Token): Name {
  return { text: t.text, line: t.line, col: t.col, endCol: t.endCol };
}

function span(t: Span): Span {
  return { line: t.line, col: t.col, endCol: t.endCol };
}

/** From the start of `a` to the end of `b`, or to the end of `a`'s line part if `b` is on a later line. */
function join(a: Span, b: Span): Span {
  return { line: a.line, col: a.col, endCol: b.line === a.line ? b.endCol : a.endCol };
}

function describe(t: Token): string {
  switch (t.kind) {
    case "eof":
      return "the end of the file";
    case "newline":
      return "the end of the line";
    case "ident":
      return `\`${t.text}\``;
    case "number":
      return `number ${t.text}`;
    case "string":
      return "a string";
    default:
      return `\`${t.kind}\``;
  }
}

function hintForStart(t: Token): string | undefined {
  if (t.kind === "number") return "a statement starts with a word, e.g. `truncate data pages=0`";
  if (t.kind === "=") return "an assignment is `name = operation ...`";
  if (t.kind === "{")
    return "a block belongs to `proc NAME user=USER { ... }` or `remote NAME { ... }`";
  return undefined;
}

function hintForPunct(t: Token): string | undefined {
  if (t.kind === ".") return "page ranges are written `first..last`, e.g. `0..1`";
  if (t.kind === "..") return "a range starts with a number, e.g. `0..1`";
  if (t.kind === "=") return "a named argument is `key=value`, without spaces around `=`";
  if (t.kind === ":")
    return "a label goes at the start of an operation: `t1: truncate data pages=0`";
  return undefined;
}
