/**
 * The `assume` statement: a timing assumption that `check` makes only
 * because the scenario states it (spec.ts Assumption).
 *
 *   assume holders answer within lease_break_time
 *   assume PROC[,PROC...] answers within lease_break_time
 *
 * `holders answer` assumes it of every process; a list of processes is
 * followed by `answers`. The two spellings differ in their verb, so a process
 * called `holders` stays nameable (`assume holders answers ...`).
 */

import type { Assumption, SourcePos } from "../model/spec.js";
import type { Decl, Name, Stmt } from "./ast.js";
import type { DiagnosticSink, Span } from "./diagnostics.js";

export const ASSUME_SYNOPSIS =
  "write `assume holders answer within lease_break_time` or `assume PROC[,PROC...] answers within lease_break_time`";

/** The one bound an answer can be assumed within (fs/locks.c `lease_break_time`). */
const BOUNDS = ["lease_break_time", "lease-break-time"];

export function assumeDecl(stmt: Stmt, sink: DiagnosticSink): Decl | undefined {
  const spans = new Map<string, Span>();
  const at: SourcePos = { line: stmt.start.line, col: stmt.start.col };
  const quiet = stmt.broken;
  const fail = (where: Span, code: "PIN106" | "PIN108" | "PIN109", message: string) => {
    if (!quiet) sink.report(code, where, message, ASSUME_SYNOPSIS);
    return undefined;
  };
  for (const a of stmt.args) {
    if (a.key) return fail(a.key, "PIN106", `\`assume\` has no argument \`${a.key.text}=\``);
    for (const it of a.items)
      if (it.kind !== "word") return fail(it.span, "PIN106", "unexpected value in `assume`");
  }
  const [who, verb, within, bound, extra] = stmt.args;
  if (!who) return fail(stmt.head, "PIN108", "`assume` needs who answers, and within what");
  const names = who.items.map((it) => (it as { name: Name }).name);
  const verbWord = verb?.items.length === 1 ? (verb.items[0] as { name: Name }).name : undefined;
  if (!verbWord)
    return fail(who.span, "PIN108", "`assume` needs `answers within lease_break_time`");
  // `holders answer`: every process. Otherwise named processes, which `answers` (a list may `answer`).
  const everyone = names.length === 1 && names[0]!.text === "holders" && verbWord.text === "answer";
  const verbOk = verbWord.text === "answers" || (verbWord.text === "answer" && names.length > 1);
  if (!everyone && !verbOk)
    return fail(
      verbWord,
      "PIN109",
      verbWord.text === "answer"
        ? `one process \`answers\`: write \`assume ${names[0]!.text} answers within lease_break_time\``
        : `expected \`answers\`, found \`${verbWord.text}\``,
    );
  const withinWord =
    within?.items.length === 1 ? (within.items[0] as { name: Name }).name : undefined;
  if (withinWord?.text !== "within")
    return withinWord
      ? fail(withinWord, "PIN109", `expected \`within\`, found \`${withinWord.text}\``)
      : fail(verbWord, "PIN108", "`assume` needs `within lease_break_time`");
  const boundWord = bound?.items.length === 1 ? (bound.items[0] as { name: Name }).name : undefined;
  if (!boundWord) return fail(withinWord, "PIN108", "`within` needs `lease_break_time`");
  if (!BOUNDS.includes(boundWord.text))
    return fail(
      boundWord,
      "PIN109",
      `\`${boundWord.text}\` is not a bound an answer can be assumed within: only \`lease_break_time\``,
    );
  if (extra) return fail(extra.span, "PIN106", "unexpected words after `lease_break_time`");
  if (!everyone) for (const [i, n] of names.entries()) spans.set(`procs[${i}]`, n);
  spans.set("who", who.span);
  const spec: Assumption = {
    kind: "answers-within-lease-break-time",
    ...(everyone ? {} : { procs: names.map((n) => n.text) }),
    at,
  };
  return { kind: "assume", spec, stmt, spans };
}

/** The canonical text of an assumption (the inverse of {@link assumeDecl}). */
export function printAssumption(a: Assumption): string {
  return a.procs === undefined
    ? "assume holders answer within lease_break_time"
    : `assume ${a.procs.join(",")} answers within lease_break_time`;
}
