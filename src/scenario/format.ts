/**
 * Canonical formatting of a `.pin` file, keeping its comments. Every
 * statement is reprinted from the data it means (print.ts), one per line,
 * blocks indented by two spaces (a program written on one line stays on one
 * line, `;`-separated); comments stay beside or above the statement
 * they were beside or above; runs of blank lines become one. Since the text
 * is printed from its meaning, reading the output gives the same scenario,
 * and formatting twice changes nothing.
 */

import type { PeerOp, ProcOp } from "../model/spec.js";
import type { Decl, DeclOf, FlowNode, ProcOpNode, Stmt } from "./ast.js";
import { type Diagnostic, hasErrors, limitErrors, type Span } from "./diagnostics.js";
import type { Comment } from "./lexer.js";
import { readSyntax } from "./pin.js";
import {
  INDENT,
  printDecl,
  printPeerOp,
  printProcHeader,
  printProcOp,
  printRemoteHeader,
  printRepeatHeader,
  printReplicateHeader,
} from "./print.js";

export interface FormatResult {
  /** The canonical text; absent when the file has syntax errors (see diagnostics). */
  readonly text?: string;
  readonly diagnostics: readonly Diagnostic[];
}

/** One output line made from one statement (or a block's braces). */
interface Slot {
  text: string;
  depth: number;
  startLine: number;
  /** Line and column where the statement's last token ends. */
  endLine: number;
  endCol: number;
  kind: "line" | "open" | "close";
  leading: Comment[];
  trailing?: Comment;
}

/** Formats a file. Refuses (returning only diagnostics) when it has syntax errors; name errors do not matter. */
export function formatText(text: string, file = "<input>"): FormatResult {
  const syn = readSyntax(text, file);
  if (hasErrors(syn.diagnostics)) return { diagnostics: limitErrors(syn.diagnostics, 100) };
  const slots = syn.program.decls.flatMap((d) => slotsOf(d));
  const tail = attachComments(slots, syn.comments);
  return { text: render(slots, tail, text.split("\n")), diagnostics: syn.diagnostics };
}

function slotsOf(d: Decl, depth = 0): Slot[] {
  const s = d.stmt;
  const slot = (text: string, at: number, kind: Slot["kind"], st = s): Slot => ({
    text,
    depth: at,
    startLine: st.start.line,
    endLine: st.end.line,
    endCol: st.end.endCol,
    kind,
    leading: [],
  });
  const close = (st: typeof s, at: number): Slot => {
    const c = st.block?.close ?? st.end;
    return {
      text: "}",
      depth: at,
      startLine: c.line,
      endLine: c.line,
      endCol: c.endCol,
      kind: "close",
      leading: [],
    };
  };
  if (d.kind === "replicate")
    return [
      slot(`${printReplicateHeader(d.count)} {`, depth, "open"),
      ...d.decls.flatMap((x) => slotsOf(x, depth + 1)),
      close(s, depth),
    ];
  if (d.kind !== "proc" && d.kind !== "remote") return [slot(printDecl(d), depth, "line")];
  const header = d.kind === "proc" ? printProcHeader(d) : printRemoteHeader(d);
  const opText = (n: (typeof d.body)[number]) => {
    const op = n.kind === "op" ? n.op : undefined;
    return op === undefined
      ? ""
      : d.kind === "proc"
        ? printProcOp(op as ProcOp)
        : printPeerOp(op as PeerOp);
  };
  if (d.kind === "proc" && d.flow) return flowSlots(d, d.flow, header, depth, slot, close);
  const from = d.repeat?.from ?? d.body.length;
  const head = d.body.slice(0, from).map((n) => slot(opText(n), depth + 1, "line", n.stmt));
  const tail = d.body.slice(from).map((n) => slot(opText(n), depth + 2, "line", n.stmt));
  const rep = d.repeat;
  const end = s.block?.close ?? s.end;
  // A program written on one line stays on one line (it cannot hold a comment), as gofmt keeps one-line bodies.
  if (end.line === s.start.line && d.body.length > 0) {
    const texts = head.map((b) => b.text);
    if (rep) texts.push(`${printRepeatHeader(rep)} { ${tail.map((b) => b.text).join("; ")} }`);
    return [
      {
        ...slot(`${header} { ${texts.join("; ")} }`, depth, "line"),
        endLine: end.line,
        endCol: end.endCol,
      },
    ];
  }
  const repSlots: Slot[] = [];
  if (rep) {
    const rEnd = rep.stmt.block?.close ?? rep.stmt.end;
    if (rEnd.line === rep.stmt.start.line)
      repSlots.push({
        ...slot(
          `${printRepeatHeader(rep)} { ${tail.map((b) => b.text).join("; ")} }`,
          depth + 1,
          "line",
          rep.stmt,
        ),
        endLine: rEnd.line,
        endCol: rEnd.endCol,
      });
    else
      repSlots.push(
        slot(`${printRepeatHeader(rep)} {`, depth + 1, "open", rep.stmt),
        ...tail,
        close(rep.stmt, depth + 1),
      );
  }
  return [slot(`${header} {`, depth, "open"), ...head, ...repSlots, close(s, depth)];
}

type SlotFn = (text: string, at: number, kind: Slot["kind"], st?: Stmt) => Slot;

/** A program with `loop` and `if` blocks: each block as the program's own (one line stays one line). */
function flowSlots(
  d: DeclOf<"proc">,
  flow: readonly FlowNode[],
  header: string,
  depth: number,
  slot: SlotFn,
  close: (st: Stmt, at: number) => Slot,
): Slot[] {
  const endOf = (n: FlowNode): Span => {
    if (n.kind === "op") return n.node.stmt.end;
    const st = n.kind === "if" && n.elseStmt ? n.elseStmt : n.stmt;
    return st.block?.close ?? st.end;
  };
  const opText = (n: ProcOpNode) => (n.kind === "op" ? printProcOp(n.op as ProcOp) : "");
  const braces = (body: readonly FlowNode[]) =>
    body.length === 0 ? "{}" : `{ ${body.map(inline).join("; ")} }`;
  const headText = (n: Exclude<FlowNode, { kind: "op" | "break" }>) =>
    n.kind === "loop"
      ? `loop ${n.count}`
      : `if ${n.label.text} ${n.results.map((r) => r.text).join(",")}`;
  const inline = (n: FlowNode): string => {
    if (n.kind === "op") return opText(n.node);
    if (n.kind === "break") return "break";
    const body = n.body;
    const els = n.kind === "if" && n.otherwise ? ` else ${braces(n.otherwise)}` : "";
    return `${headText(n)} ${braces(body)}${els}`;
  };
  const oneLine = (n: FlowNode, start: Stmt) => {
    const e = endOf(n);
    return { ...slot(inline(n), 0, "line", start), endLine: e.line, endCol: e.endCol };
  };
  const slots = (nodes: readonly FlowNode[], at: number): Slot[] =>
    nodes.flatMap((n): Slot[] => {
      if (n.kind === "op") return [slot(opText(n.node), at, "line", n.node.stmt)];
      if (n.kind === "break") return [slot("break", at, "line", n.stmt)];
      if (endOf(n).line === n.stmt.start.line) return [{ ...oneLine(n, n.stmt), depth: at }];
      const body = n.body;
      const out = [slot(`${headText(n)} {`, at, "open", n.stmt), ...slots(body, at + 1)];
      if (n.kind === "if" && n.otherwise && n.elseStmt) {
        const c = n.stmt.block?.close ?? n.stmt.end;
        out.push(
          { ...slot("} else {", at, "open", n.elseStmt), startLine: c.line },
          ...slots(n.otherwise, at + 1),
          close(n.elseStmt, at),
        );
      } else out.push(close(n.stmt, at));
      return out;
    });
  const s = d.stmt;
  const end = s.block?.close ?? s.end;
  if (end.line === s.start.line && flow.length > 0)
    return [
      {
        ...slot(`${header} { ${flow.map(inline).join("; ")} }`, depth, "line"),
        endLine: end.line,
        endCol: end.endCol,
      },
    ];
  return [slot(`${header} {`, depth, "open"), ...slots(flow, depth + 1), close(s, depth)];
}

/**
 * A comment after code on the same line trails the last statement ending on
 * that line; a comment on a line of its own leads the next statement. Returns
 * the comments after the last statement.
 */
function attachComments(slots: Slot[], comments: readonly Comment[]): Comment[] {
  const tail: Comment[] = [];
  let i = 0;
  for (const c of comments) {
    while (i < slots.length && slots[i]!.startLine < c.line) i++;
    // Slots ending on the comment's line, before it: the last one gets it.
    let owner: Slot | undefined;
    for (let j = i - 1; j >= 0 && slots[j]!.endLine >= c.line; j--)
      if (slots[j]!.endLine === c.line && slots[j]!.endCol <= c.col) {
        owner = slots[j];
        break;
      }
    // A statement starting on the comment's line (`a; b  # c` or `} # c`) may be the owner too.
    let k = i;
    while (k < slots.length && slots[k]!.startLine === c.line) {
      if (slots[k]!.endLine === c.line && slots[k]!.endCol <= c.col) owner = slots[k];
      k++;
    }
    if (owner && !owner.trailing) owner.trailing = c;
    else if (k < slots.length) slots[k]!.leading.push(c);
    else tail.push(c);
  }
  return tail;
}

function render(slots: Slot[], tail: Comment[], source: string[]): string {
  const out: Line[] = [];
  const blank = (line: number) => (source[line - 1] ?? "").trim() === "";
  let prevEnd = 0; // source line where the previous output entry ended
  let prevKind: Slot["kind"] | "comment" | undefined;
  const emit = (line: Line, start: number, end: number, kind: Slot["kind"] | "comment") => {
    if (prevKind !== undefined && prevKind !== "open" && kind !== "close") {
      for (let l = prevEnd + 1; l < start; l++)
        if (blank(l)) {
          out.push({ code: "" });
          break;
        }
    }
    out.push(line);
    prevEnd = end;
    prevKind = kind;
  };
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i]!;
    const pad = INDENT.repeat(s.depth);
    const cpad = INDENT.repeat(s.kind === "close" ? s.depth + 1 : s.depth);
    for (const c of s.leading) emit({ code: cpad + c.text }, c.line, c.line, "comment");
    const next = slots[i + 1];
    // An empty block with nothing inside prints as `{}` on the header's line.
    if (s.kind === "open" && next?.kind === "close" && next.leading.length === 0 && !s.trailing) {
      emit(withComment(`${pad}${s.text}}`, next.trailing), s.startLine, next.endLine, "line");
      i++;
      continue;
    }
    emit(withComment(pad + s.text, s.trailing), s.startLine, s.endLine, s.kind);
  }
  for (const c of tail) emit({ code: c.text }, c.line, c.line, "comment");
  return out.length > 0 ? `${align(out).join("\n")}\n` : "";
}

interface Line {
  code: string;
  comment?: string;
}

function withComment(code: string, c: Comment | undefined): Line {
  return c ? { code, comment: c.text } : { code };
}

/** Trailing comments on consecutive lines start in one column, two spaces after the longest code. */
function align(lines: readonly Line[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    let j = i;
    while (j < lines.length && lines[j]!.comment !== undefined) j++;
    if (j === i) {
      out.push(lines[i]!.code);
      i++;
      continue;
    }
    const width = Math.max(...lines.slice(i, j).map((l) => l.code.length));
    for (const l of lines.slice(i, j)) out.push(`${l.code.padEnd(width)}  ${l.comment}`);
    i = j;
  }
  return out;
}
