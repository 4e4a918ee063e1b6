/**
 * Loops and branches in a `.pin` program (model/flow.ts has their meaning):
 *
 *     loop N { ... }                       N copies of the block, N in 1..16
 *     if LABEL RESULT[,RESULT...] { ... }  when the last result of LABEL is one of them
 *     else { ... }                         right after an `if` block
 *     break                                leave the innermost loop
 *
 * Shaping reads them into FlowNodes (the operations join the program's body
 * in source order, so names and variables are checked as in any program);
 * `checkFlowNodes` finds what cannot work; `lowerFlow` gives the spec's
 * FlowStmts, which model/flow.ts unrolls.
 */

import { errnoByName } from "../model/errno.js";
import {
  copyLabel,
  MAX_LOOP_COUNT,
  MAX_UNROLLED,
  NOT_IN_LOOP,
  RELEASES,
  released,
  unrollFlow,
} from "../model/flow.js";
import type { FlowStmt, ProcOp } from "../model/spec.js";
import type { DeclOf, FlowNode, Name, OpNode, ProcOpNode, Stmt } from "./ast.js";
import { spanOf } from "./ast.js";
import type { DiagnosticSink, Span } from "./diagnostics.js";

/** The words that make control flow inside a `proc` program. */
export const FLOW_WORDS: ReadonlySet<string> = new Set(["loop", "if", "else", "break"]);

export const LOOP_SYNOPSIS = "loop N { ... }";
export const IF_SYNOPSIS = "if LABEL ok|ERRNO[,ERRNO...] { ... } [else { ... }]";

/** Whether a program's statements use control flow anywhere at their top level. */
export function hasFlow(stmts: readonly Stmt[]): boolean {
  return stmts.some((s) => FLOW_WORDS.has(s.head.text));
}

/**
 * The FlowNodes of a block of a `proc` program; every operation met is
 * appended to `body` (source order). `opNode` shapes one operation.
 */
export function shapeFlow(
  stmts: readonly Stmt[],
  body: ProcOpNode[],
  sink: DiagnosticSink,
  opNode: (s: Stmt) => ProcOpNode,
  inLoop = false,
): FlowNode[] {
  const out: FlowNode[] = [];
  stmts.forEach((stmt, i) => {
    const w = stmt.head.text;
    if (w === "repeat") {
      sink.report(
        "PIN141",
        stmt.head,
        "`repeat` cannot be used in a program with `loop` or `if`",
        "a repeating tail runs for `simulate` without end; write the iterations with `loop N { ... }` instead",
      );
      return;
    }
    if (!FLOW_WORDS.has(w)) {
      const node = opNode(stmt);
      body.push(node);
      out.push({ kind: "op", node });
      return;
    }
    noLabel(stmt, sink);
    const block = (inner: boolean) =>
      stmt.block ? shapeFlow(stmt.block.body, body, sink, opNode, inner) : [];
    switch (w) {
      case "loop": {
        const count = loopCount(stmt, sink);
        const inner = block(true);
        if (count !== undefined && stmt.block) out.push({ kind: "loop", stmt, count, body: inner });
        return;
      }
      case "if": {
        const head = ifHead(stmt, sink);
        const inner = block(inLoop);
        const next = stmts[i + 1];
        const els =
          next?.head.text === "else" && next.block
            ? shapeFlow(next.block.body, body, sink, opNode, inLoop)
            : undefined;
        if (head && stmt.block)
          out.push({
            kind: "if",
            stmt,
            label: head.label,
            results: head.results,
            body: inner,
            ...(els ? { otherwise: els, elseStmt: next } : {}),
          });
        return;
      }
      case "else": {
        if (stmt.args.length > 0) {
          const a = stmt.args[0]!;
          const elseIf = a.items[0]?.kind === "word" && a.items[0].name.text === "if";
          sink.report(
            "PIN144",
            a.span,
            elseIf ? "`else if` is not a statement" : "`else` takes no arguments",
            elseIf
              ? "put the `if` inside the `else` block: `else { if LABEL RESULT { ... } }`"
              : "write `else { ... }`",
          );
        }
        if (!stmt.block && !stmt.broken)
          sink.report("PIN144", stmt.head, "`else` needs its operations in `{ ... }`");
        const prev = stmts[i - 1];
        if (prev?.head.text !== "if" || !prev.block) {
          sink.report(
            "PIN143",
            stmt.head,
            "`else` without an `if` just before it",
            `write \`${IF_SYNOPSIS}\``,
          );
          block(inLoop); // its operations are still checked
        }
        return; // shaped with its `if`
      }
      case "break":
        if (stmt.args.length > 0 || stmt.block)
          sink.report(
            "PIN144",
            stmt.args[0]?.span ?? stmt.block!.open,
            "`break` takes no arguments and no block",
            "write `break` alone: it leaves the innermost `loop`",
          );
        if (!inLoop) {
          sink.report(
            "PIN143",
            stmt.head,
            "`break` outside a loop",
            `\`break\` leaves the innermost \`${LOOP_SYNOPSIS}\``,
          );
          return;
        }
        out.push({ kind: "break", stmt });
        return;
    }
  });
  return out;
}

function noLabel(stmt: Stmt, sink: DiagnosticSink): void {
  if (stmt.label)
    sink.report(
      "PIN144",
      stmt.label,
      `\`${stmt.head.text}\` cannot have a label`,
      "label the operations inside it",
    );
  if (stmt.dst)
    sink.report(
      "PIN144",
      stmt.dst,
      `\`${stmt.head.text}\` assigns no variable`,
      `remove \`${stmt.dst.text} =\``,
    );
}

function loopCount(stmt: Stmt, sink: DiagnosticSink): number | undefined {
  const a = stmt.args[0];
  const item = a && !a.key && a.items.length === 1 ? a.items[0] : undefined;
  if (!stmt.block && !stmt.broken)
    sink.report("PIN144", stmt.head, "`loop` needs its operations in `{ ... }`", LOOP_HINT);
  for (const extra of stmt.args.slice(1))
    sink.report("PIN144", extra.span, "`loop` takes only its count", LOOP_HINT);
  if (item?.kind !== "number" || !/^\d+$/.test(item.name.text)) {
    if (!stmt.broken)
      sink.report(
        "PIN140",
        a?.span ?? stmt.head,
        "`loop` needs how many times, a whole number",
        LOOP_HINT,
      );
    return undefined;
  }
  const n = Number(item.name.text);
  if (n < 1 || n > MAX_LOOP_COUNT) {
    sink.report(
      "PIN140",
      item.span,
      `a loop runs 1 to ${MAX_LOOP_COUNT} times (got ${n})`,
      n < 1
        ? "a loop that never runs is dead code: remove it"
        : `each iteration is a copy of the body that \`check\` explores; split the scenario, or use \`repeat\` for \`simulate\``,
    );
    return undefined;
  }
  return n;
}

const LOOP_HINT = `write \`${LOOP_SYNOPSIS}\`, e.g. \`loop 3 { r: reg_mr va access=local_write; if r ok { break } }\``;

function ifHead(
  stmt: Stmt,
  sink: DiagnosticSink,
): { label: Name; results: readonly Name[] } | undefined {
  const hint = `write \`${IF_SYNOPSIS}\`, e.g. \`if t EBUSY { dereg_mr mr }\``;
  if (!stmt.block && !stmt.broken)
    sink.report("PIN144", stmt.head, "`if` needs its operations in `{ ... }`", hint);
  const [l, r, ...extra] = stmt.args;
  const label = l && !l.key && l.items.length === 1 ? l.items[0] : undefined;
  if (label?.kind !== "word") {
    if (!stmt.broken)
      sink.report(
        "PIN144",
        l?.span ?? stmt.head,
        "`if` needs the label of an operation",
        `label the operation (\`t: truncate ...\`), then ${hint}`,
      );
    return undefined;
  }
  if (!r || r.key || r.items.some((x) => x.kind !== "word")) {
    if (!stmt.broken)
      sink.report(
        "PIN144",
        r?.span ?? label.span,
        "`if` needs the results it tests: `ok` or errno names",
        hint,
      );
    return undefined;
  }
  for (const x of extra) sink.report("PIN144", x.span, "`if` takes a label and results", hint);
  const results = r.items.map((x) => (x as { name: Name }).name);
  let ok = true;
  for (const x of results)
    if (x.text !== "ok" && errnoByName(x.text) === undefined) {
      ok = false;
      sink.report(
        "PIN262",
        x,
        `\`${x.text}\` is not a result an operation returns`,
        "a branch tests `ok` (the call returned) or errno names such as `EBUSY`; `else` covers the rest",
      );
    }
  return ok ? { label: label.name, results } : undefined;
}

/** The spec's flow of a shaped program (operations that could not be understood are left out). */
export function lowerFlow(nodes: readonly FlowNode[], keep?: Map<FlowStmt, FlowNode>): FlowStmt[] {
  const out: FlowStmt[] = [];
  const put = (st: FlowStmt, n: FlowNode) => {
    keep?.set(st, n);
    out.push(st);
  };
  const at = (s: Stmt) => ({ line: s.start.line, col: s.start.col });
  for (const n of nodes) {
    switch (n.kind) {
      case "op":
        if (n.node.kind === "op") put({ kind: "op", op: n.node.op as ProcOp }, n);
        break;
      case "loop":
        put({ kind: "loop", count: n.count, body: lowerFlow(n.body, keep), at: at(n.stmt) }, n);
        break;
      case "break":
        put({ kind: "break", at: at(n.stmt) }, n);
        break;
      case "if":
        put(
          {
            kind: "if",
            label: n.label.text,
            results: n.results.map((r) => r.text),
            body: lowerFlow(n.body, keep),
            ...(n.otherwise ? { otherwise: lowerFlow(n.otherwise, keep) } : {}),
            at: at(n.stmt),
          },
          n,
        );
        break;
    }
  }
  return out;
}

/** The labels of a process's program once unrolled (`t#1`... inside loops), and which source labels are in loops. */
export function programLabels(d: DeclOf<"proc">): {
  labels: string[];
  looped: Map<string, number>;
} {
  const source = d.body.flatMap((n) => (n.stmt.label ? [n.stmt.label.text] : []));
  const looped = new Map<string, number>();
  if (!d.flow) return { labels: source, looped };
  const inLoops = new Set<string>();
  const walk = (nodes: readonly FlowNode[], deep: boolean) => {
    for (const n of nodes) {
      if (n.kind === "op" && deep && n.node.stmt.label) inLoops.add(n.node.stmt.label.text);
      if (n.kind === "loop") walk(n.body, true);
      if (n.kind === "if") {
        walk(n.body, deep);
        if (n.otherwise) walk(n.otherwise, deep);
      }
    }
  };
  walk(d.flow, false);
  const { program } = unrollFlow(lowerFlow(d.flow));
  const labels = program.flatMap((o) =>
    o.label !== undefined && o.op !== "jump" ? [o.label] : [],
  );
  for (const l of inLoops) looped.set(l, labels.filter((x) => x.startsWith(`${l}#`)).length);
  return { labels, looped };
}

/** How many times at most the statement of operation node n runs: the product of its loops' counts. */
export function timesRun(d: DeclOf<"proc">, n: ProcOpNode): number {
  if (!d.flow) return 1;
  const find = (nodes: readonly FlowNode[], times: number): number | undefined => {
    for (const x of nodes) {
      if (x.kind === "op" && x.node === n) return times;
      const inner =
        x.kind === "loop"
          ? find(x.body, times * x.count)
          : x.kind === "if"
            ? (find(x.body, times) ?? (x.otherwise ? find(x.otherwise, times) : undefined))
            : undefined;
      if (inner !== undefined) return inner;
    }
    return undefined;
  };
  return find(d.flow, 1) ?? 1;
}

/** Whether process d's program runs operation `name` more than once because of a loop. */
export function runsInLoop(d: DeclOf<"proc">, name: string): boolean {
  if (!d.flow) return false;
  return unrollFlow(lowerFlow(d.flow)).program.filter((o) => o.op === name).length > 1;
}

/**
 * A reference `LABEL` or `LABEL#k` (in an expectation or a `wait_for`) to an
 * operation of `d`: PIN261 when it names a label inside a loop without its
 * iteration, or an iteration the loop does not have. Returns whether the
 * reference was judged here (so the caller's own checks stay quiet).
 */
export function loopLabelRef(
  d: DeclOf<"proc">,
  ref: string,
  at: Span,
  sink: DiagnosticSink,
): boolean {
  if (!d.flow) return false;
  const { looped } = programLabels(d);
  const m = /^(.*)#(\d+)$/.exec(ref);
  const base = m ? m[1]! : ref;
  const n = looped.get(base);
  if (n === undefined) return false;
  if (!m) {
    sink.report(
      "PIN261",
      at,
      `\`${base}\` is inside a loop: its operation runs up to ${n} times`,
      `name one iteration: ${[...Array(Math.min(n, 3)).keys()].map((k) => `\`${copyLabel(base, k + 1)}\``).join(", ")}${n > 3 ? ", ..." : ""}`,
    );
    return true;
  }
  const k = Number(m[2]);
  if (k < 1 || k > n)
    sink.report(
      "PIN261",
      at,
      `\`${base}\` runs at most ${n} times: there is no \`${ref}\``,
      `name an iteration from \`${copyLabel(base, 1)}\` to \`${copyLabel(base, n)}\``,
    );
  return true;
}

/**
 * What cannot work in a program's control flow: a branch on a label no
 * operation before it has (PIN260) or on a result its operation never
 * returns (PIN370, from `canReturn`), code after a `break` (PIN371), an
 * operation a loop may not hold (PIN372), an object a loop could still hold
 * when its next iteration makes it again (PIN373), a variable assigned inside
 * a block and elsewhere (PIN374), a program too long unrolled (PIN375).
 */
export function checkFlowNodes(
  d: DeclOf<"proc">,
  sink: DiagnosticSink,
  canReturn: (op: ProcOp) => readonly string[] | undefined,
): void {
  if (!d.flow) return;
  const keep = new Map<FlowStmt, FlowNode>();
  const flow = lowerFlow(d.flow, keep);
  const seen = new Map<string, OpNode<ProcOp>>();
  const assigned = new Map<string, { node: ProcOpNode; nested: boolean }[]>();
  const walk = (stmts: readonly FlowStmt[], inLoop: boolean, nested: boolean) => {
    let after: Span | undefined;
    stmts.forEach((st, i) => {
      const n = keep.get(st)!;
      if (after) {
        const span = n.kind === "op" ? n.node.stmt.head : n.stmt.head;
        sink.report(
          "PIN371",
          span,
          "this never runs: a `break` comes before it in the same block",
          "remove it, or move the `break` into an `if`",
        );
        after = undefined; // once per block
      }
      if (st.kind === "break") {
        if (i < stmts.length - 1) after = (n as { stmt: Stmt }).stmt.head;
        return;
      }
      if (st.kind === "loop") {
        walk(st.body, true, true);
        return;
      }
      if (st.kind === "if") {
        const node = n as Extract<FlowNode, { kind: "if" }>;
        const target = seen.get(st.label);
        if (!target) {
          const later = d.body.find((b) => b.stmt.label?.text === st.label);
          sink.report(
            "PIN260",
            node.label,
            later
              ? `\`${st.label}\` has not run yet when this \`if\` tests it (line ${later.stmt.start.line})`
              : `no operation is labelled \`${st.label}\``,
            later
              ? "test an operation that comes before the `if`"
              : "label the operation it tests, e.g. `t: truncate data pages=0`",
          );
        } else {
          const can = canReturn(target.op);
          if (can)
            node.results.forEach((r) => {
              if (r.text !== "ok" && !can.includes(r.text))
                sink.report(
                  "PIN370",
                  r,
                  `\`${target.op.op}\` does not return ${r.text} in the model: this branch never runs`,
                  `it returns \`ok\` or one of ${can.map((x) => `\`${x}\``).join(", ")}`,
                );
            });
        }
        walk(st.body, inLoop, true);
        if (st.otherwise) walk(st.otherwise, inLoop, true);
        return;
      }
      const op = st.op;
      const node = (n as Extract<FlowNode, { kind: "op" }>).node as OpNode<ProcOp>;
      if (op.label !== undefined) seen.set(op.label, node);
      if ("dst" in op) assigned.set(op.dst, [...(assigned.get(op.dst) ?? []), { node, nested }]);
      if (!inLoop) return;
      if (NOT_IN_LOOP.has(op.op))
        sink.report(
          "PIN372",
          node.stmt.head,
          `\`${node.stmt.head.text}\` cannot be inside a loop`,
          op.op === "fork"
            ? "a process is forked once: fork before the loop"
            : op.op === "memfd_create" || op.op === "mmap_anon"
              ? "each makes an object of its own: make it before the loop"
              : "its I/O would still be in flight when the next iteration starts it again: do it before or after the loop",
        );
      else if (op.op in RELEASES && "dst" in op && !released(op, stmts.slice(i + 1))) {
        const [undo] = RELEASES[op.op]!;
        sink.report(
          "PIN373",
          spanOf(node, "result"),
          `\`${op.dst}\` may still be held when the loop starts again, and its next \`${node.stmt.head.text}\` would make another`,
          `\`${undo} ${op.dst}\` later in the same block, \`break\` after it, or test it: \`${op.label ?? "r"}: ${op.dst} = ...\` then \`if ${op.label ?? "r"} ok { break }\``,
        );
      }
    });
  };
  walk(flow, false, false);
  for (const [name, defs] of assigned)
    if (defs.length > 1 && defs.some((x) => x.nested)) {
      const other = defs.find((x) => x.nested) ?? defs[1]!;
      sink.report(
        "PIN374",
        spanOf(other.node, "result"),
        `\`${name}\` is assigned inside a \`loop\`, \`if\` or \`else\` block and also on line ${defs.find((x) => x !== other)!.node.stmt.start.line}: which one a later use means would depend on the branch taken`,
        "give each its own name",
      );
    }
  const { program } = unrollFlow(flow);
  if (program.length > MAX_UNROLLED)
    sink.report(
      "PIN375",
      d.stmt.head,
      `\`${d.name}\` has ${program.length} operations once its loops are unrolled (at most ${MAX_UNROLLED})`,
      "lower the loop counts",
    );
}
