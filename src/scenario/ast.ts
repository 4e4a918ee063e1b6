/**
 * The two trees of a `.pin` file.
 *
 * The *statement tree* is what the grammar knows: every statement is
 * `[label:] [var =] word args... [{ block }]`, whatever the word. Keeping the
 * grammar this uniform makes the parser small and its error recovery simple.
 *
 * The *declaration tree* is the statement tree given meaning by the
 * statement signatures (schema.ts): each node holds the plain spec data it
 * lowers to, plus the source span of each field, so that later phases can
 * point at the exact word that is wrong.
 */

import type {
  Assumption,
  Bounds,
  Distribution,
  Expectation,
  FaultSpec,
  FileSpec,
  FsSpec,
  LeaseBreakBehaviour,
  LeaseVariant,
  NicSpec,
  PeerOp,
  ProcOp,
  TimingKey,
  UserSpec,
} from "../model/spec.js";
import type { Span } from "./diagnostics.js";

/** A word of the source with its place. */
export interface Name extends Span {
  readonly text: string;
}

/** One element of an argument: `rw`, `2`, `"a b"`, `0..1` or `admin.truncate`. */
export type Item =
  | { readonly kind: "word"; readonly name: Name; readonly span: Span }
  | { readonly kind: "number"; readonly name: Name; readonly span: Span }
  | { readonly kind: "string"; readonly name: Name; readonly span: Span }
  | { readonly kind: "range"; readonly first: Name; readonly last: Name; readonly span: Span }
  | { readonly kind: "dotted"; readonly left: Name; readonly right: Name; readonly span: Span };

/** `key=a,b`, `a,b` or just `a`. */
export interface Arg {
  readonly key?: Name;
  readonly items: readonly Item[];
  readonly span: Span;
}

export interface Block {
  readonly open: Span;
  /** Absent when the block was never closed (a PIN104 was reported). */
  readonly close?: Span;
  readonly body: readonly Stmt[];
}

export interface Stmt {
  readonly label?: Name;
  readonly dst?: Name;
  readonly head: Name;
  readonly args: readonly Arg[];
  readonly block?: Block;
  /** The first token of the statement (its label, variable or word). */
  readonly start: Span;
  /** The last token before the block's body: the `{` if there is a block. */
  readonly end: Span;
  /** A syntax error was reported inside; later phases stay quiet about its gaps. */
  readonly broken: boolean;
}

/** The statement tree of one file, and whether it was read without syntax errors. */
export interface SyntaxTree {
  readonly stmts: readonly Stmt[];
}

// ---- the declaration tree ----

/** Where each field of a node came from: keys are spec field names, `name[i]` for list elements. */
export type Spans = ReadonlyMap<string, Span>;

interface NodeBase {
  readonly stmt: Stmt;
  readonly spans: Spans;
}

export type VarKind = "fd" | "va" | "mr" | "buf" | "dma";

/** An operation whose arguments were understood. */
export interface OpNode<T extends ProcOp | PeerOp> extends NodeBase {
  readonly kind: "op";
  readonly op: T;
}

/**
 * An operation that could not be understood (already reported). It still
 * defines its variable, with the kind its operation would give if known, so a
 * misspelt `fd = opne data` does not also make every later use of `fd` an error.
 */
export interface BadOpNode extends NodeBase {
  readonly kind: "bad";
  readonly dst?: Name;
  readonly dstKind?: VarKind;
}

export type ProcOpNode = OpNode<ProcOp> | BadOpNode;
export type PeerOpNode = OpNode<PeerOp> | BadOpNode;

export type Decl =
  | (NodeBase & { readonly kind: "scenario"; readonly name: string })
  | (NodeBase & { readonly kind: "fs"; readonly spec: FsSpec })
  | (NodeBase & { readonly kind: "user"; readonly spec: UserSpec })
  | (NodeBase & { readonly kind: "file"; readonly spec: FileSpec; readonly sizeKnown: boolean })
  | (NodeBase & {
      readonly kind: "proc";
      readonly name: string;
      readonly user: string;
      readonly onLeaseBreak: LeaseBreakBehaviour;
      /** RLIMIT_MEMLOCK in pages, when the file gives one. */
      readonly memlock?: number;
      /** Started by another process's `fork` (ProcSpec.forked). */
      readonly forked?: boolean;
      readonly body: readonly ProcOpNode[];
      readonly repeat?: RepeatNode;
      /** The program's control flow, when it has `loop`, `if` or `break` (its operations are `body`'s). */
      readonly flow?: readonly FlowNode[];
    })
  | (NodeBase & {
      readonly kind: "remote";
      readonly name: string;
      readonly cancel: boolean;
      readonly body: readonly PeerOpNode[];
      readonly repeat?: RepeatNode;
    })
  | (NodeBase & { readonly kind: "faults"; readonly spec: FaultSpec })
  | (NodeBase & { readonly kind: "bounds"; readonly spec: Bounds })
  | (NodeBase & { readonly kind: "nic"; readonly spec: NicSpec })
  | (NodeBase & { readonly kind: "layout_lease"; readonly variant: LeaseVariant })
  | (NodeBase & { readonly kind: "assume"; readonly spec: Assumption })
  | (NodeBase & { readonly kind: "expect"; readonly spec: Expectation })
  | (NodeBase & {
      readonly kind: "timing";
      readonly key: TimingKey;
      /** `proc=` or `peer=`, as written. */
      readonly targetKind?: "proc" | "peer";
      readonly target?: string;
      readonly op?: string;
      readonly dist: Distribution;
    })
  | (NodeBase & { readonly kind: "horizon"; readonly seconds: number })
  | (NodeBase & {
      readonly kind: "replicate";
      readonly count: number;
      /** The group's files, processes and remotes, in source order. */
      readonly decls: readonly Decl[];
    });

/**
 * A statement of a program with control flow (spec.ts FlowStmt): an operation
 * of the program's body, or `loop N { ... }`, `if LABEL RESULT,... { ... }
 * [else { ... }]`, `break`.
 */
export type FlowNode =
  | { readonly kind: "op"; readonly node: ProcOpNode }
  | {
      readonly kind: "loop";
      readonly stmt: Stmt;
      readonly count: number;
      readonly body: readonly FlowNode[];
    }
  | {
      readonly kind: "if";
      readonly stmt: Stmt;
      readonly label: Name;
      readonly results: readonly Name[];
      readonly body: readonly FlowNode[];
      readonly otherwise?: readonly FlowNode[];
      /** The `else` statement, when there is one. */
      readonly elseStmt?: Stmt;
    }
  | { readonly kind: "break"; readonly stmt: Stmt };

/**
 * `repeat [every DIST] { ... }`, the last statement of a program: its
 * operations are the program's from `from` on (they sit in the program's
 * body like the others, so variables flow through it as through any code).
 */
export interface RepeatNode {
  readonly stmt: Stmt;
  readonly from: number;
  readonly every?: Distribution;
  readonly spans: Spans;
}

export type DeclOf<K extends Decl["kind"]> = Extract<Decl, { kind: K }>;

/** The declarations of one file in source order. */
export interface Program {
  readonly decls: readonly Decl[];
}

/**
 * Every declaration, with the members of each `replicate` group after the
 * group's own node: what name resolution and the checks walk.
 */
export function allDecls(program: Program): Decl[] {
  return program.decls.flatMap((d) => (d.kind === "replicate" ? [d, ...d.decls] : [d]));
}

/** The span of a field, or the start of its statement when the field was defaulted. */
export function spanOf(node: NodeBase, key: string): Span {
  return node.spans.get(key) ?? node.stmt.start;
}
