/**
 * Shaping: the statement tree given meaning. Each statement is bound against
 * its signature and becomes a declaration node holding the spec data it
 * lowers to. This is the last syntactic phase: names are not looked up yet,
 * so a file with an unknown user still shapes completely and the resolver can
 * report every unknown name in one run.
 */

import type {
  Access,
  Backing,
  Cap,
  Expectation,
  FallocMode,
  FsFlavor,
  LeaseBreakBehaviour,
  LeaseVariant,
  NicInvalidate,
  PeerOp,
  ProcOp,
  Quantifier,
  Seal,
  SourcePos,
  TimingKey,
} from "../model/spec.js";
import { formatPolicyRef, parsePolicyRef } from "../policies/ref.js";
import { closest } from "../util/suggest.js";
import { assumeDecl } from "./assume.js";
import type {
  Arg,
  BadOpNode,
  Decl,
  Name,
  PeerOpNode,
  ProcOpNode,
  Program,
  RepeatNode,
  Stmt,
  SyntaxTree,
} from "./ast.js";
import { type Bound, bind, list } from "./bind.js";
import { DiagnosticSink, type PhaseResult, type Span } from "./diagnostics.js";
import { FLOW_WORDS, hasFlow, shapeFlow } from "./flow.js";
import { TOP_LEVEL_WORDS } from "./parser.js";
import {
  ANON_MMAP,
  DECLS,
  PEER_OPS,
  PROC_OPS,
  QUANTIFIERS,
  REPEAT_SYNOPSIS,
  type Signature,
  TIMING_KEYS,
  VFIO_PROTS,
} from "./schema.js";
import { DISTRIBUTION_KINDS, DURATION_HINT, parseDuration, readDistribution } from "./time.js";

/** Statements that may appear at most once. */
const SINGLETONS = new Set([
  "scenario",
  "fs",
  "faults",
  "nic",
  "bounds",
  "layout_lease",
  "horizon",
]);

export function shape(tree: SyntaxTree, file = "<input>"): PhaseResult<Program> {
  const sink = new DiagnosticSink(file);
  const decls: Decl[] = [];
  const once = new Map<string, Span>();
  for (const stmt of tree.stmts) {
    const head = stmt.head.text;
    if (SINGLETONS.has(head)) {
      const prev = once.get(head);
      if (prev)
        sink.report(
          "PIN112",
          stmt.head,
          `\`${head}\` given twice`,
          `the first one is at line ${prev.line}; merge them`,
        );
      else once.set(head, stmt.head);
    }
    const d = topLevel(stmt, sink);
    if (d) decls.push(d);
  }
  // One `timing` per key, target and operation.
  const timings = new Map<string, Span>();
  for (const d of decls) {
    if (d.kind !== "timing") continue;
    const k = `${d.key} ${d.target ?? ""} ${d.op ?? ""}`;
    const prev = timings.get(k);
    if (prev)
      sink.report(
        "PIN112",
        d.stmt.head,
        `this \`timing ${d.key}\`${d.target ? ` of \`${d.target}\`` : ""}${d.op ? ` for \`${d.op}\`` : ""} is given twice`,
        `the first one is at line ${prev.line}; keep one`,
      );
    else timings.set(k, d.stmt.head);
  }
  return { result: { decls }, diagnostics: sink.drain() };
}

function topLevel(stmt: Stmt, sink: DiagnosticSink, inGroup = false): Decl | undefined {
  const head = stmt.head;
  const sig = DECLS.get(head.text);
  if (!sig && head.text !== "scenario" && head.text !== "expect" && head.text !== "assume") {
    unknownTopLevel(stmt, sink);
    return undefined;
  }
  if (stmt.label)
    sink.report(
      "PIN113",
      stmt.label,
      `\`${head.text}\` cannot have a label`,
      "labels name operations inside a `proc`",
    );
  if (stmt.dst)
    sink.report(
      "PIN111",
      stmt.dst,
      `\`${head.text}\` assigns no variable`,
      `remove \`${stmt.dst.text} =\``,
    );
  if (stmt.block && !sig?.block)
    sink.report(
      "PIN110",
      stmt.block.open,
      `\`${head.text}\` takes no block`,
      "only `proc`, `remote` and `replicate` have a `{ ... }` block",
    );
  if (head.text === "scenario") return scenarioDecl(stmt, sink);
  if (head.text === "expect") return expectDecl(stmt, sink);
  if (head.text === "assume") return assumeDecl(stmt, sink);
  if (head.text === "timing") return timingDecl(stmt, sink);
  if (head.text === "horizon") return horizonDecl(stmt, sink);
  if (head.text === "replicate") return replicateDecl(stmt, sink, inGroup);
  const s = sig!;
  const b = bind(stmt, s, sink);
  const base = { stmt, spans: b.spans };
  switch (s.name) {
    case "fs":
      return {
        ...base,
        kind: "fs",
        spec: {
          kind: b.name("kind", "dax") as "dax",
          blocks: b.int("blocks", 4),
          ...(b.names.has("flavor") ? { flavor: b.name("flavor") as FsFlavor } : {}),
          ...(b.names.has("dax") ? { daxMount: b.name("dax") as "inode" } : {}),
        },
      };
    case "user":
      return {
        ...base,
        kind: "user",
        spec: { name: b.name("name"), caps: b.list("caps") as Cap[] },
      };
    case "file": {
      const reflink = b.names.get("reflink");
      return {
        ...base,
        kind: "file",
        sizeKnown: b.ints.has("pages"),
        spec: {
          name: b.name("name"),
          owner: b.name("owner"),
          mode: b.int("mode", 0o644),
          pages: b.int("pages"),
          layout: b.name("layout", "allocated") as "allocated",
          zeroed: b.name("zeroed", "zeroed") === "zeroed",
          ...(reflink !== undefined ? { reflinkOf: reflink } : {}),
          kind: b.name("kind", "regular") as "regular",
          movable: b.has("movable"),
          ...(b.names.has("backing") ? { backing: b.name("backing") as Backing } : {}),
        },
      };
    }
    case "proc": {
      if (!stmt.block) missingBlock(stmt, s, sink);
      const stmts = stmt.block?.body ?? [];
      const flowBody: ProcOpNode[] = [];
      const flow = hasFlow(stmts)
        ? shapeFlow(stmts, flowBody, sink, (x) => opNode(x, "proc", sink) as ProcOpNode)
        : undefined;
      const prog = flow ? { body: flowBody } : programBody(stmts, "proc", sink);
      return {
        ...base,
        kind: "proc",
        ...(flow ? { flow } : {}),
        name: b.name("name"),
        user: b.name("user"),
        onLeaseBreak: b.name("on_lease_break", "terminate") as LeaseBreakBehaviour,
        ...(b.ints.has("memlock") ? { memlock: b.int("memlock") } : {}),
        ...(b.has("forked") ? { forked: true } : {}),
        body: prog.body as ProcOpNode[],
        ...(prog.repeat ? { repeat: prog.repeat } : {}),
      };
    }
    case "remote": {
      if (!stmt.block) missingBlock(stmt, s, sink);
      const prog = programBody(stmt.block?.body ?? [], "remote", sink);
      return {
        ...base,
        kind: "remote",
        name: b.name("name"),
        cancel: b.name("cancel", "yes") === "yes",
        body: prog.body as PeerOpNode[],
        ...(prog.repeat ? { repeat: prog.repeat } : {}),
      };
    }
    case "faults":
      return {
        ...base,
        kind: "faults",
        spec: {
          crash: b.list("crash"),
          hang: b.list("hang"),
          partition: b.list("partition"),
          ...(b.list("oom").length > 0 ? { oom: b.list("oom") } : {}),
          ...(b.list("peer_crash").length > 0 ? { peerCrash: b.list("peer_crash") } : {}),
          nicNoInvalidate: b.has("nic_no_invalidate"),
        },
      };
    case "nic":
      return {
        ...base,
        kind: "nic",
        spec: { invalidate: b.name("invalidate", "none") as NicInvalidate },
      };
    case "layout_lease":
      return { ...base, kind: "layout_lease", variant: b.name("variant") as LeaseVariant };
    default: {
      const maxStates = b.ints.get("max_states");
      const maxDepth = b.ints.get("max_depth");
      const repeats = b.ints.get("repeats");
      const replicas = b.ints.get("replicas");
      return {
        ...base,
        kind: "bounds",
        spec: {
          ...(maxStates !== undefined ? { maxStates } : {}),
          ...(maxDepth !== undefined ? { maxDepth } : {}),
          ...(repeats !== undefined ? { repeats } : {}),
          ...(replicas !== undefined ? { replicas } : {}),
        },
      };
    }
  }
}

function missingBlock(stmt: Stmt, sig: Signature, sink: DiagnosticSink): void {
  if (!stmt.broken)
    sink.report(
      "PIN108",
      stmt.head,
      `\`${sig.name}\` needs a program in \`{ ... }\``,
      `write \`${sig.synopsis}\``,
    );
}

function unknownTopLevel(stmt: Stmt, sink: DiagnosticSink): void {
  const w = stmt.head.text;
  if (w === "repeat") {
    sink.report(
      "PIN110",
      stmt.head,
      "`repeat` outside a program",
      "a repeating tail is the last statement of a `proc` or `remote` program",
    );
    return;
  }
  if (PROC_OPS.has(w) || PEER_OPS.has(w)) {
    sink.report(
      "PIN110",
      stmt.head,
      `operation \`${w}\` outside a program`,
      PROC_OPS.has(w)
        ? "operations of a local process go inside `proc NAME user=USER { ... }`"
        : "operations of a remote peer go inside `remote NAME { ... }`",
    );
    return;
  }
  const near = closest(w, TOP_LEVEL_WORDS);
  sink.report(
    "PIN101",
    stmt.head,
    `unknown statement \`${w}\``,
    w === "peer"
      ? "a remote peer is declared with `remote NAME { ... }`"
      : near
        ? `did you mean \`${near}\`?`
        : `a statement starts with one of ${list(TOP_LEVEL_WORDS)}`,
  );
}

function scenarioDecl(stmt: Stmt, sink: DiagnosticSink): Decl {
  const first = stmt.args[0]?.items[0];
  const spans = new Map<string, Span>();
  let name = "";
  if (first?.kind === "string" && !stmt.args[0]!.key && stmt.args[0]!.items.length === 1) {
    name = first.name.text;
    spans.set("name", first.span);
    const extra = stmt.args[1];
    if (extra)
      sink.report(
        "PIN106",
        extra.span,
        "`scenario` takes only its name",
        "put the whole name in one pair of quotes",
      );
  } else if (!stmt.broken) {
    sink.report(
      "PIN108",
      first?.span ?? stmt.head,
      "`scenario` needs its name in double quotes",
      first
        ? `write \`scenario "${sourceWords(stmt)}"\``
        : 'write `scenario "truncate while a peer writes"`',
    );
  }
  return { kind: "scenario", name, stmt, spans };
}

/** The arguments of a statement roughly as written, for quoting them back in a hint. */
function sourceWords(stmt: Stmt): string {
  return stmt.args
    .flatMap((a) => a.items)
    .map((it) =>
      it.kind === "range"
        ? `${it.first.text}..${it.last.text}`
        : it.kind === "dotted"
          ? `${it.left.text}.${it.right.text}`
          : it.name.text,
    )
    .join(" ");
}

/**
 * `expect never|sometimes|always PROPERTY [under POLICY,...]` or
 * `expect PROC.OP returns RESULT [under POLICY,...]`.
 */
function expectDecl(stmt: Stmt, sink: DiagnosticSink): Decl | undefined {
  const spans = new Map<string, Span>();
  const at: SourcePos = { line: stmt.start.line, col: stmt.start.col };
  const words: { name: Name; span: Span; dotted?: Name; str?: boolean }[] = [];
  let bad = false;
  for (const arg of stmt.args) {
    if (arg.key) {
      sink.report(
        "PIN106",
        arg.key,
        `\`expect\` has no argument \`${arg.key.text}=\``,
        EXPECT_SYNOPSIS,
      );
      bad = true;
      continue;
    }
    for (const it of arg.items) {
      if (it.kind === "word") words.push({ name: it.name, span: it.span });
      else if (it.kind === "dotted") words.push({ name: it.left, span: it.span, dotted: it.right });
      else if (it.kind === "string") words.push({ name: it.name, span: it.span, str: true });
      else {
        sink.report("PIN106", it.span, "unexpected value in `expect`", EXPECT_SYNOPSIS);
        bad = true;
      }
    }
  }
  for (const [i, w] of words.entries())
    if (w.str && !(i === 2 && words[1]?.name.text === "condition" && !words[1].dotted)) {
      sink.report("PIN106", w.span, "unexpected value in `expect`", EXPECT_SYNOPSIS);
      bad = true;
    }
  const quiet = stmt.broken || bad;
  const fail = (at: Span, message: string, hint = EXPECT_SYNOPSIS): undefined => {
    if (!quiet) sink.report("PIN108", at, message, hint);
    return undefined;
  };
  const first = words[0];
  if (first?.str) return undefined;
  if (!first)
    return fail(
      stmt.head,
      "`expect` needs a quantifier and a property, or `PROC.OP returns RESULT`",
    );

  // The optional `under` tail.
  const underAt = words.findIndex(
    (w, i) => i > 0 && w.name.text === "under" && !w.dotted && !w.str,
  );
  const body = underAt >= 0 ? words.slice(0, underAt) : words;
  let policies: string[] | undefined;
  if (underAt >= 0) {
    policies = [];
    const names = words.slice(underAt + 1);
    if (names.length === 0)
      return fail(
        words[underAt]!.span,
        "`under` needs one or more policies",
        "e.g. `under linux,wait`",
      );
    for (const w of names) {
      const i = policies.length;
      spans.set(`policies[${i}]`, w.span);
      const text = w.dotted ? `${w.name.text}.${w.dotted.text}` : w.name.text;
      // `revoke(escalation=invalidate)`: one word (lexer.ts); kept in canonical form,
      // with the place of each parameter's name and value for resolve's diagnostics.
      const r = text.includes("(") ? parsePolicyRef(text) : undefined;
      if (r?.ok) {
        const at = (from: number, to: number): Span => ({
          line: w.span.line,
          col: w.span.col + from,
          endCol: w.span.col + to,
        });
        spans.set(`policies[${i}].name`, at(0, r.ref.name.length));
        for (const [k, p] of Object.entries(r.places)) {
          spans.set(`policies[${i}].key.${k}`, at(p.key[0], p.key[1]));
          spans.set(`policies[${i}].value.${k}`, at(p.value[0], p.value[1]));
        }
      }
      policies.push(r?.ok ? formatPolicyRef(r.ref) : text);
    }
  }
  const extra = (from: number) => {
    const e = body[from];
    if (e)
      sink.report("PIN106", e.span, `unexpected \`${e.name.text}\` in \`expect\``, EXPECT_SYNOPSIS);
  };

  if (first.dotted) {
    spans.set("proc", first.name);
    spans.set("op", first.dotted);
    const returns = body[1];
    if (returns?.name.text !== "returns" || returns.dotted) {
      if (returns && !quiet)
        sink.report(
          "PIN106",
          returns.span,
          `expected \`returns\` after \`${first.name.text}.${first.dotted.text}\``,
          EXPECT_SYNOPSIS,
        );
      return returns ? undefined : fail(first.span, "`expect PROC.OP` needs `returns RESULT`");
    }
    const result = body[2];
    if (!result || result.dotted || result.str)
      return fail(returns.span, "`returns` needs a result: `ok`, `blocks` or an errno name");
    spans.set("result", result.span);
    extra(3);
    const spec: Expectation = {
      kind: "result",
      proc: first.name.text,
      op: first.dotted.text,
      result: result.name.text,
      ...(policies ? { policies } : {}),
      at,
    };
    return { kind: "expect", spec, stmt, spans };
  }

  const q = first.name.text;
  if (!(QUANTIFIERS as readonly string[]).includes(q)) {
    const near = closest(q, QUANTIFIERS);
    sink.report(
      "PIN109",
      first.span,
      `\`${q}\` is not a quantifier`,
      near
        ? `did you mean \`${near}\`?`
        : `write \`expect never PROPERTY\` or \`expect PROC.OP returns RESULT\``,
    );
    return undefined;
  }
  const prop = body[1];
  // `expect Q condition "TEXT"`: a predicate over the scenario's objects (properties/condition/).
  if (prop && !prop.dotted && prop.name.text === "condition" && body[2]?.str) {
    const str = body[2];
    spans.set("condition", str.span);
    extra(3);
    const spec: Expectation = {
      kind: "condition",
      quantifier: q as Quantifier,
      condition: str.name.text,
      ...(policies ? { policies } : {}),
      at,
    };
    return { kind: "expect", spec, stmt, spans };
  }
  if (!prop || prop.dotted || prop.str)
    return fail(first.span, `\`expect ${q}\` needs a property, e.g. \`foreign-dma\``);
  spans.set("property", prop.span);
  extra(2);
  const spec: Expectation = {
    kind: "property",
    quantifier: q as Quantifier,
    property: prop.name.text,
    ...(policies ? { policies } : {}),
    at,
  };
  return { kind: "expect", spec, stmt, spans };
}

const EXPECT_SYNOPSIS =
  'write `expect never|sometimes|always PROPERTY [under POLICY,...]`, `expect never|sometimes|always condition "..." [under POLICY,...]` or `expect PROC.OP returns RESULT [under POLICY,...]`';

function opNode(
  stmt: Stmt,
  where: "proc" | "remote",
  sink: DiagnosticSink,
): ProcOpNode | PeerOpNode {
  const table = where === "proc" ? PROC_OPS : PEER_OPS;
  let w = stmt.head.text;
  let anon = false;
  // `mmap anon ...` is mmap(MAP_ANONYMOUS): its own signature, without a file descriptor.
  const first = stmt.args[0];
  if (where === "proc" && w === "mmap" && !first?.key && first?.items[0]?.kind === "word")
    if (first.items[0].name.text === "anon") {
      w = "mmap_anon";
      anon = true;
      stmt = { ...stmt, args: stmt.args.slice(1) };
    }
  const sig = anon ? ANON_MMAP : table.get(w);
  const bad = (dstKind?: Signature["result"]): BadOpNode => ({
    kind: "bad",
    stmt,
    spans: new Map(),
    ...(stmt.dst ? { dst: stmt.dst } : {}),
    ...(dstKind ? { dstKind } : {}),
  });
  if (stmt.block)
    sink.report(
      "PIN110",
      stmt.block.open,
      "operations take no block",
      "blocks do not nest: close the program first",
    );
  if (!sig) {
    unknownOp(stmt, where, sink);
    return bad();
  }
  if (sig.result && !stmt.dst) {
    if (!stmt.broken)
      sink.report(
        "PIN111",
        stmt.head,
        `\`${w}\` returns ${resultWhat(sig.result)}: assign it to a variable`,
        `write \`${sig.synopsis}\``,
      );
    bind(stmt, sig, sink);
    return bad();
  }
  if (!sig.result && stmt.dst)
    sink.report(
      "PIN111",
      stmt.dst,
      `\`${w}\` returns nothing to assign`,
      `remove \`${stmt.dst.text} =\``,
    );
  const b = bind(stmt, sig, sink);
  if (!b.complete) return bad(sig.result);
  const spans = b.spans;
  if (stmt.dst) spans.set("result", stmt.dst);
  const base = {
    ...(stmt.label ? { label: stmt.label.text } : {}),
    at: { line: stmt.start.line, col: stmt.start.col },
  };
  if (stmt.label) spans.set("label", stmt.label);
  const dst = stmt.dst?.text ?? "";
  const op = where === "proc" ? procOp(w, dst, b) : peerOp(w, dst, b);
  return { kind: "op", op: { ...op, ...base } as ProcOp & PeerOp, stmt, spans };
}

function unknownOp(stmt: Stmt, where: "proc" | "remote", sink: DiagnosticSink): void {
  const w = stmt.head.text;
  const other = where === "proc" ? PEER_OPS : PROC_OPS;
  if (TOP_LEVEL_WORDS.includes(w)) {
    sink.report(
      "PIN110",
      stmt.head,
      `\`${w}\` is not allowed inside a program`,
      `\`${w}\` statements belong at the top level, outside \`{ ... }\``,
    );
    return;
  }
  if (other.has(w)) {
    sink.report(
      "PIN110",
      stmt.head,
      `\`${w}\` is an operation of a ${where === "proc" ? "remote peer" : "local process"}`,
      where === "proc"
        ? "put it in a `remote NAME { ... }` program"
        : "put it in a `proc NAME user=USER { ... }` program",
    );
    return;
  }
  const names = [...(where === "proc" ? PROC_OPS : PEER_OPS).keys()];
  const near = closest(w, names);
  sink.report(
    "PIN102",
    stmt.head,
    `unknown operation \`${w}\``,
    near
      ? `did you mean \`${near}\`?`
      : `the operations of a ${where === "proc" ? "process" : "remote peer"} are ${list(names)}`,
  );
}

function resultWhat(k: Signature["result"]): string {
  return k === "fd"
    ? "a file descriptor"
    : k === "va"
      ? "a mapping"
      : k === "buf"
        ? "an io_uring registered buffer"
        : k === "dma"
          ? "a VFIO DMA mapping"
          : "a memory registration";
}

/** Bound arguments to a ProcOp, with the same defaults as the builder (builder.ts). */
function procOp(w: string, dst: string, b: Bound): ProcOp {
  switch (w) {
    case "open":
    case "create":
      return {
        op: "open",
        dst,
        file: b.name("file"),
        mode: b.name("mode", "rw") as "rw",
        create: w === "create",
      };
    case "close":
      return { op: "close", fd: b.name("fd") };
    case "mmap": {
      const [first, last] = b.range("pages");
      return {
        op: "mmap",
        dst,
        fd: b.name("fd"),
        first,
        last,
        shared: b.name("shared", "shared") === "shared",
        prot: b.name("prot", "rw") as "rw",
      };
    }
    case "mmap_anon":
      return {
        op: "mmap_anon",
        dst,
        pages: b.int("pages"),
        shared: b.name("shared", "private") === "shared",
        prot: b.name("prot", "rw") as "rw",
      };
    case "memfd_create":
      return {
        op: "memfd_create",
        dst,
        hugetlb: b.has("hugetlb"),
        allowSealing: b.has("allow_sealing"),
      };
    case "add_seals":
      return { op: "add_seals", fd: b.name("fd"), seals: b.list("seals") as Seal[] };
    case "pin_longterm":
      return {
        op: "pin_longterm",
        dst,
        va: b.name("va"),
        write: b.name("prot", "rw") === "rw",
        fast: b.name("path", "slow") === "fast",
      };
    case "unpin_longterm":
      return { op: "unpin_longterm", pin: b.name("pin") };
    case "munmap":
      return { op: "munmap", va: b.name("va") };
    case "store":
    case "load":
      return { op: w, va: b.name("va"), page: b.int("page") };
    case "read":
    case "write":
      return { op: w, fd: b.name("fd"), page: b.int("page") };
    case "reg_mr":
      return {
        op: "reg_mr",
        dst,
        va: b.name("va"),
        access: b.list("access") as Access[],
        odp: b.has("odp"),
      };
    case "dereg_mr":
      return { op: "dereg_mr", mr: b.name("mr") };
    case "rereg_mr": {
      const va = b.names.get("va");
      const keys = b.names.get("keys");
      return {
        op: "rereg_mr",
        mr: b.name("mr"),
        ...(va !== undefined ? { va } : {}),
        ...(b.has("access") ? { access: b.list("access") as Access[] } : {}),
        ...(keys !== undefined ? { keys: keys as "same" | "new" } : {}),
      };
    }
    case "mprotect":
      return { op: "mprotect", va: b.name("va"), prot: b.name("prot") as "r" };
    case "mremap":
      return {
        op: "mremap",
        dst,
        va: b.name("va"),
        ...(b.has("fixed") ? { fixed: true } : {}),
        dontunmap: b.has("dontunmap"),
      };
    case "io_uring_register":
      return { op: "io_uring_register", dst, va: b.name("va") };
    case "io_uring_unregister":
      return { op: "io_uring_unregister", buf: b.name("buf") };
    case "read_fixed":
    case "write_fixed":
      return { op: w, buf: b.name("buf"), page: b.int("page") };
    case "dio_read":
    case "dio_write":
    case "vmsplice":
      return { op: w, va: b.name("va"), page: b.int("page") };
    case "pipe_read":
      return { op: "pipe_read" };
    case "vfio_map_dma": {
      // absent: both, as a VMM maps guest RAM for an assigned device
      const prot = b.has("prot") ? b.list("prot") : VFIO_PROTS;
      return {
        op: "vfio_map_dma",
        dst,
        va: b.name("va"),
        read: prot.includes("read"),
        write: prot.includes("write"),
      };
    }
    case "vfio_unmap_dma":
      return { op: "vfio_unmap_dma", dma: b.name("dma") };
    case "vfio_dma_write":
    case "vfio_dma_read":
      return { op: w, dma: b.name("dma"), page: b.int("page") };
    case "send":
      return { op: "send", peer: b.name("peer"), mr: b.name("mr") };
    case "setlease":
      return {
        op: "setlease",
        fd: b.name("fd"),
        type: b.name("type") as "rd",
        layout: b.has("layout"),
        unbreak: b.has("unbreak"),
      };
    case "truncate":
      return { op: "truncate", file: b.name("file"), pages: b.int("pages") };
    case "ftruncate":
      return { op: "ftruncate", fd: b.name("fd"), pages: b.int("pages") };
    case "fallocate": {
      const [first, last] = b.range("pages");
      return { op: "fallocate", fd: b.name("fd"), mode: b.name("mode") as FallocMode, first, last };
    }
    case "reflink":
      return { op: "reflink", src: b.name("src"), dst: b.name("dst") };
    case "dedupe": {
      const [first, last] = b.range("pages");
      return { op: "dedupe", src: b.name("src"), dst: b.name("dst"), first, last };
    }
    case "chmod":
      return { op: "chmod", file: b.name("file"), mode: b.int("mode") };
    case "chown":
      return { op: "chown", file: b.name("file"), user: b.name("owner") };
    case "fssetxattr":
      return { op: "fssetxattr", fd: b.name("fd"), dax: b.name("flag") === "dax" };
    case "fsync":
      return { op: "fsync", fd: b.name("fd") };
    case "await":
      return { op: "await", peer: b.name("peer") };
    case "kill": {
      const signal = b.names.get("signal");
      return { op: "kill", proc: b.name("proc"), ...(signal !== undefined ? { signal } : {}) };
    }
    case "setsig":
      return { op: "setsig", fd: b.name("fd"), signal: b.name("signal") };
    case "send_uverbs":
      return { op: "send_uverbs", proc: b.name("proc") };
    case "unplug":
      return { op: "unplug" };
    case "hca_reset":
      return { op: "hca_reset" };
    case "memory_failure":
      return {
        op: "memory_failure",
        file: b.name("file"),
        page: b.int("page"),
        ...(b.has("early_kill") ? { earlyKill: true } : {}),
      };
    case "fork":
      return { op: "fork", child: b.name("child") };
    case "madvise":
      return { op: "madvise", va: b.name("va"), advice: b.name("advice") as "dontfork" };
    case "unlink":
      return { op: "unlink", file: b.name("file") };
    case "wait_for":
      return { op: "wait_for", proc: b.name("proc"), until: b.name("until") };
    default:
      return { op: "exit" };
  }
}

function peerOp(w: string, dst: string, b: Bound): PeerOp {
  if (w === "recv") return { op: "recv", dst };
  return { op: w as "rdma_write", mr: b.name("mr"), page: b.int("page") };
}

/**
 * A program's statements: its operations, and a `repeat` block as the last
 * statement, whose operations join the body (from `from` on).
 */
function programBody(
  stmts: readonly Stmt[],
  where: "proc" | "remote",
  sink: DiagnosticSink,
): { body: (ProcOpNode | PeerOpNode)[]; repeat?: RepeatNode } {
  const body: (ProcOpNode | PeerOpNode)[] = [];
  let repeat: RepeatNode | undefined;
  stmts.forEach((stmt, i) => {
    if (where === "remote" && FLOW_WORDS.has(stmt.head.text)) {
      sink.report(
        "PIN142",
        stmt.head,
        `\`${stmt.head.text}\` is for the programs of local processes`,
        "a remote peer's program runs straight through; write its operations one by one",
      );
      return;
    }
    if (stmt.head.text !== "repeat") {
      body.push(opNode(stmt, where, sink));
      return;
    }
    if (i !== stmts.length - 1) {
      sink.report(
        "PIN114",
        stmt.head,
        "`repeat` must be the last statement of its program",
        "move the operations after it into the `repeat` block, or before it",
      );
      return;
    }
    const r = repeatNode(stmt, body.length, sink);
    for (const inner of stmt.block?.body ?? []) {
      if (FLOW_WORDS.has(inner.head.text)) {
        sink.report(
          "PIN141",
          inner.head,
          `\`${inner.head.text}\` cannot be used inside \`repeat\``,
          "a repeating tail runs straight through; write the iterations with `loop N { ... }` instead of `repeat`",
        );
        continue;
      }
      if (inner.head.text === "repeat") {
        sink.report(
          "PIN110",
          inner.head,
          "`repeat` blocks do not nest",
          "a program has one repeating tail, its last statement",
        );
        continue;
      }
      body.push(opNode(inner, where, sink));
    }
    if (r && body.length === r.from) {
      if (stmt.block)
        sink.report(
          "PIN108",
          stmt.head,
          "`repeat` needs operations to repeat",
          `write \`${REPEAT_SYNOPSIS}\` with operations inside`,
        );
      return;
    }
    repeat = r;
  });
  return repeat ? { body, repeat } : { body };
}

function repeatNode(stmt: Stmt, from: number, sink: DiagnosticSink): RepeatNode | undefined {
  const spans = new Map<string, Span>();
  if (stmt.label)
    sink.report(
      "PIN113",
      stmt.label,
      "`repeat` cannot have a label",
      "label the operations inside it",
    );
  if (stmt.dst)
    sink.report(
      "PIN111",
      stmt.dst,
      "`repeat` assigns no variable",
      `remove \`${stmt.dst.text} =\``,
    );
  if (!stmt.block) {
    if (!stmt.broken)
      sink.report(
        "PIN108",
        stmt.head,
        "`repeat` needs its operations in `{ ... }`",
        `write \`${REPEAT_SYNOPSIS}\``,
      );
    return undefined;
  }
  const first = stmt.args[0];
  if (!first) return { stmt, from, spans };
  const w = first.items[0];
  if (first.key || first.items.length !== 1 || w?.kind !== "word" || w.name.text !== "every") {
    sink.report(
      "PIN106",
      first.key ?? first.span,
      "`repeat` takes only `every DISTRIBUTION`",
      `write \`${REPEAT_SYNOPSIS}\`, e.g. \`repeat every 1h { ... }\``,
    );
    return { stmt, from, spans };
  }
  const d = readDistribution(stmt.args.slice(1), w.span, "repeat every", sink, stmt.broken);
  if (!d.dist) return { stmt, from, spans };
  if (d.span) spans.set("every", d.span);
  return { stmt, from, every: d.dist, spans };
}

/** `timing KEY [proc=PROC|peer=REMOTE] [OPERATION] DISTRIBUTION`. */
function timingDecl(stmt: Stmt, sink: DiagnosticSink): Decl | undefined {
  const spans = new Map<string, Span>();
  const synopsis =
    "write `timing KEY [proc=PROC|peer=REMOTE] [OPERATION] DISTRIBUTION`, e.g. `timing handler proc=db exp 2s`";
  const first = stmt.args[0];
  const w = first && !first.key && first.items.length === 1 ? first.items[0] : undefined;
  const keys = [...TIMING_KEYS.keys()];
  if (w?.kind !== "word" || !TIMING_KEYS.has(w.name.text as TimingKey)) {
    if (stmt.broken) return undefined;
    const near = w?.kind === "word" ? closest(w.name.text, keys) : undefined;
    sink.report(
      w ? "PIN109" : "PIN108",
      first?.span ?? stmt.head,
      w
        ? `\`${w.kind === "word" ? w.name.text : "this"}\` is not something that takes time`
        : "`timing` needs what it times",
      near ? `did you mean \`${near}\`?` : `one of ${list(keys)}`,
    );
    return undefined;
  }
  const key = w.name.text as TimingKey;
  spans.set("key", w.span);
  const allowed = TIMING_KEYS.get(key)!;
  let targetKind: "proc" | "peer" | undefined;
  let target: string | undefined;
  let op: string | undefined;
  const rest: Arg[] = [];
  for (const a of stmt.args.slice(1)) {
    const k = a.key?.text;
    if (k === "proc" || k === "peer") {
      const it = a.items[0];
      if (a.items.length !== 1 || it?.kind !== "word") {
        sink.report("PIN109", a.span, `\`${k}=\` needs one name`, synopsis);
        return undefined;
      }
      if (target !== undefined) {
        sink.report(
          "PIN107",
          a.key!,
          "a `timing` statement narrows to one process or peer",
          "write one statement per process or peer",
        );
        return undefined;
      }
      if (allowed === "none" || (allowed !== "either" && allowed !== k)) {
        sink.report(
          "PIN106",
          a.key!,
          allowed === "none"
            ? `\`timing ${key}\` is one setting for the whole system; it takes no \`${k}=\``
            : `\`timing ${key}\` is about a ${allowed === "proc" ? "process" : "remote peer"}: write \`${allowed}=NAME\``,
          allowed === "none" ? `remove \`${k}=${it.name.text}\`` : undefined,
        );
        return undefined;
      }
      targetKind = k;
      target = it.name.text;
      spans.set("target", it.span);
      continue;
    }
    const item = !a.key && a.items.length === 1 ? a.items[0] : undefined;
    if (
      key === "op" &&
      op === undefined &&
      rest.length === 0 &&
      item?.kind === "word" &&
      !(DISTRIBUTION_KINDS as readonly string[]).includes(item.name.text) &&
      item.name.text !== "exponential"
    ) {
      if (!PROC_OPS.has(item.name.text)) {
        const near = closest(item.name.text, [...PROC_OPS.keys()]);
        sink.report(
          "PIN102",
          item.span,
          `unknown operation \`${item.name.text}\``,
          near
            ? `did you mean \`${near}\`?`
            : `the operations of a process are ${list([...PROC_OPS.keys()])}`,
        );
        return undefined;
      }
      op = item.name.text === "create" ? "open" : item.name.text;
      spans.set("op", item.span);
      continue;
    }
    rest.push(a);
  }
  const d = readDistribution(rest, stmt.head, `timing ${key}`, sink, stmt.broken);
  if (!d.dist) return undefined;
  if (d.span) spans.set("dist", d.span);
  return {
    kind: "timing",
    stmt,
    spans,
    key,
    ...(targetKind !== undefined ? { targetKind, target: target! } : {}),
    ...(op !== undefined ? { op } : {}),
    dist: d.dist,
  };
}

/** `horizon DURATION`: how long `simulate` runs. */
function horizonDecl(stmt: Stmt, sink: DiagnosticSink): Decl | undefined {
  const spans = new Map<string, Span>();
  const a = stmt.args[0];
  const it = a && !a.key && a.items.length === 1 ? a.items[0] : undefined;
  const v = it?.kind === "number" ? parseDuration(it.name.text) : undefined;
  if (!a) {
    if (!stmt.broken)
      sink.report("PIN108", stmt.head, "`horizon` needs a duration", "e.g. `horizon 24h`");
    return undefined;
  }
  if (v === undefined || v <= 0) {
    sink.report(
      "PIN109",
      a.span,
      v === undefined ? "`horizon` takes one duration" : "`horizon` must be longer than zero",
      `e.g. \`horizon 24h\`; ${DURATION_HINT}`,
    );
    return undefined;
  }
  spans.set("seconds", it!.span);
  for (const extra of stmt.args.slice(1))
    sink.report("PIN106", extra.span, "`horizon` takes only its duration", "e.g. `horizon 24h`");
  return { kind: "horizon", stmt, spans, seconds: v };
}

/** The most copies a group may have: actors are numbered in 16 bits, and every copy is simulated. */
export const MAX_REPLICAS = 1000;

/** `replicate N { file ... proc ... remote ... }`. */
function replicateDecl(stmt: Stmt, sink: DiagnosticSink, inGroup: boolean): Decl | undefined {
  const spans = new Map<string, Span>();
  if (inGroup) {
    sink.report(
      "PIN110",
      stmt.head,
      "`replicate` blocks do not nest",
      "multiply the counts into one `replicate`",
    );
    return undefined;
  }
  const a = stmt.args[0];
  const it = a && !a.key && a.items.length === 1 ? a.items[0] : undefined;
  let count = 0;
  if (it?.kind === "number" && /^[0-9]+$/.test(it.name.text)) {
    count = Number(it.name.text);
    spans.set("count", it.span);
    if (count < 1 || count > MAX_REPLICAS)
      sink.report(
        "PIN306",
        it.span,
        `\`replicate\` makes 1 to ${MAX_REPLICAS} copies (got ${count})`,
        "check explores `bounds replicas` of them (default 2); simulate runs all",
      );
  } else if (!stmt.broken)
    sink.report(
      a ? "PIN109" : "PIN108",
      a?.span ?? stmt.head,
      "`replicate` needs how many copies, a whole number",
      "write `replicate N { file ... proc ... remote ... }`, e.g. `replicate 100 { ... }`",
    );
  for (const extra of stmt.args.slice(1))
    sink.report(
      "PIN106",
      extra.span,
      "`replicate` takes only its count",
      "write `replicate N { ... }`",
    );
  if (!stmt.block) {
    if (!stmt.broken)
      sink.report(
        "PIN108",
        stmt.head,
        "`replicate` needs what it copies in `{ ... }`",
        "write `replicate N { file ... proc ... remote ... }`",
      );
    return undefined;
  }
  const decls: Decl[] = [];
  for (const inner of stmt.block.body) {
    const w = inner.head.text;
    if (w !== "file" && w !== "proc" && w !== "remote") {
      if (w === "replicate") replicateDecl(inner, sink, true);
      else
        sink.report(
          "PIN110",
          inner.head,
          `\`${w}\` cannot be replicated`,
          "a `replicate` block holds `file`, `proc` and `remote` statements; the rest goes outside it",
        );
      continue;
    }
    const d = topLevel(inner, sink, true);
    if (d) decls.push(d);
  }
  return { kind: "replicate", stmt, spans, count, decls };
}
