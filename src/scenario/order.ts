/**
 * Ordering of local processes: `wait_for PROC.LABEL` and `fork` tie one
 * program's progress to another's. An operation can finish only after the
 * operations before it in its program, a `wait_for` only after the operation
 * it names, and a forked child's first operation only after its parent's
 * `fork`. A cycle in that relation is a set of waits none of which can ever
 * end (unless a process dies): lint reports it before anything runs.
 */

import type { ProcOp } from "../model/spec.js";
import type { DeclOf, OpNode } from "./ast.js";
import { spanOf } from "./ast.js";
import type { DiagnosticSink } from "./diagnostics.js";

interface Node {
  readonly proc: DeclOf<"proc">;
  readonly index: number;
  /** Nodes that must finish before this one. */
  readonly after: number[];
}

export function checkOrder(procs: readonly DeclOf<"proc">[], sink: DiagnosticSink): void {
  const nodes: Node[] = [];
  const id = new Map<string, number>(); // `${proc}#${index}`
  const labelled = new Map<string, number>(); // `${proc}.${label}`
  for (const p of procs)
    p.body.forEach((n, i) => {
      id.set(`${p.name}#${i}`, nodes.length);
      if (n.stmt.label) labelled.set(`${p.name}.${n.stmt.label.text}`, nodes.length);
      nodes.push({ proc: p, index: i, after: i > 0 ? [nodes.length - 1] : [] });
    });
  for (const node of nodes) {
    const n = node.proc.body[node.index]!;
    if (n.kind !== "op") continue;
    const op = n.op as ProcOp;
    if (op.op === "wait_for" && op.proc !== node.proc.name) {
      const target = labelled.get(`${op.proc}.${op.until}`);
      if (target !== undefined) node.after.push(target);
    }
    if (op.op === "fork") {
      const first = id.get(`${op.child}#0`);
      if (first !== undefined) nodes[first]!.after.push(id.get(`${node.proc.name}#${node.index}`)!);
    }
  }
  const cycle = findCycle(nodes);
  if (!cycle) return;
  // Report at a wait_for of the cycle, naming every wait in it.
  const waits = cycle.filter((i) => {
    const n = nodes[i]!.proc.body[nodes[i]!.index]!;
    return n.kind === "op" && n.op.op === "wait_for";
  });
  const at = waits[0] ?? cycle[0]!;
  const node = nodes[at]!;
  const n = node.proc.body[node.index]! as OpNode<ProcOp>;
  const chain = waits
    .map((i) => {
      const w = nodes[i]!;
      const op = (w.proc.body[w.index]! as OpNode<ProcOp>).op;
      return op.op === "wait_for" ? `\`${w.proc.name}\` waits for \`${op.proc}.${op.until}\`` : "";
    })
    .join(", ");
  sink.report(
    "PIN219",
    n.op.op === "wait_for" ? spanOf(n, "proc") : n.stmt.head,
    `these waits can never end: ${chain}, and each label comes after the other's wait`,
    "order the programs so that every label a process waits for can be reached without it",
  );
}

/** A cycle of the `after` relation (node ids in order), or null. */
function findCycle(nodes: readonly Node[]): number[] | null {
  const state = new Uint8Array(nodes.length); // 0 new, 1 on the stack, 2 done
  const stack: number[] = [];
  const visit = (v: number): number[] | null => {
    state[v] = 1;
    stack.push(v);
    for (const w of nodes[v]!.after) {
      if (state[w] === 1) return stack.slice(stack.indexOf(w));
      if (state[w] === 0) {
        const c = visit(w);
        if (c) return c;
      }
    }
    stack.pop();
    state[v] = 2;
    return null;
  };
  for (let v = 0; v < nodes.length; v++)
    if (state[v] === 0) {
      const c = visit(v);
      if (c) return c;
    }
  return null;
}
