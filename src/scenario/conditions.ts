/**
 * The conditions of `expect ... condition "..."`: each is parsed and its
 * names bound against the scenario (src/properties/condition/), and every
 * problem is reported at its line and column inside the string.
 */
import type { Bound } from "../properties/condition/bind.js";
import { checkCondition } from "../properties/condition/property.js";
import type { CondError } from "../properties/condition/syntax.js";
import { allDecls, type DeclOf, type Program } from "./ast.js";
import type { Code } from "./codes.js";
import { DiagnosticSink, type PhaseResult, type Span } from "./diagnostics.js";
import { lower } from "./lower.js";

/**
 * Column of offset `k` of a string's value: the value starts after the
 * opening quote, and each `"` or `\` in it was written escaped (two characters).
 */
function columnOf(quote: Span, value: string, k: number): number {
  let col = quote.col + 1;
  for (let i = 0; i < k && i < value.length; i++)
    col += value[i] === '"' || value[i] === "\\" ? 2 : 1;
  return col + Math.max(0, k - value.length);
}

export function checkConditions(program: Program, file = "<input>"): PhaseResult<null> {
  const sink = new DiagnosticSink(file);
  const decls = allDecls(program).filter(
    (d): d is DeclOf<"expect"> => d.kind === "expect" && d.spec.kind === "condition",
  );
  if (decls.length === 0) return { result: null, diagnostics: [] };
  const spec = lower(program, file).result;
  for (const d of decls) {
    if (d.spec.kind !== "condition") continue;
    const text = d.spec.condition;
    const quote = d.spans.get("condition") ?? d.stmt.start;
    const at = (e: { from: number; to: number }): Span => {
      const col = columnOf(quote, text, e.from);
      return { line: quote.line, col, endCol: Math.max(col + 1, columnOf(quote, text, e.to)) };
    };
    const c = checkCondition(text, spec);
    for (const e of c.errors) report(sink, e, at(e));
    if (c.cond)
      for (const w of constant(c.bound, spec.fs.kind === "dax", spec))
        sink.report("PIN333", quote, w.message, w.hint);
  }
  return { result: null, diagnostics: sink.drain() };
}

function report(sink: DiagnosticSink, e: CondError, span: Span): void {
  sink.report(e.code as Code, span, e.message, e.hint);
}

/** Atoms whose value no step can change (they make the condition mean less than it says). */
function constant(
  bound: readonly Bound[],
  dax: boolean,
  spec: ReturnType<typeof lower>["result"],
): { message: string; hint: string }[] {
  const out: { message: string; hint: string }[] = [];
  for (const b of bound) {
    if (b.k === "page" && b.st === "dirty") {
      const f = spec.files.find((x) => x.name === b.file);
      const backing = f?.backing ?? "fs";
      if (dax && (backing === "fs" || backing === "other"))
        out.push({
          message: `\`${b.file}.page${b.page} dirty\` is never true: an fs-DAX page has no page cache to dirty`,
          hint: "on fs-DAX, ask about the block: `block of FILE.pageN holds FILE`",
        });
    }
    if (
      b.k === "page" &&
      b.st === "poisoned" &&
      !spec.procs.some((p) => p.program.some((o) => o.op === "memory_failure"))
    )
      out.push({
        message: `\`${b.file}.page${b.page} poisoned\` is never true: no process runs \`memory_failure\``,
        hint: "add `memory_failure FILE page=N` to a program",
      });
    if (b.k === "peer" && b.st === "crashed" && !(spec.faults.peerCrash ?? []).includes(b.peer))
      out.push({
        message: `\`${b.peer} crashed\` is never true: \`${b.peer}\` is not in \`faults peer_crash=\``,
        hint: `add \`faults peer_crash=${b.peer}\``,
      });
    if (b.k === "peer" && b.st === "done" && spec.peers.find((r) => r.name === b.peer)?.repeat)
      out.push({
        message: `\`${b.peer} done\` is never true: its program repeats`,
        hint: "a repeating program never ends; ask about its QP instead",
      });
  }
  return out;
}
