/**
 * Resolution: every name is looked up. Users, files, processes and remote
 * peers are global; variables are local to their program and must be
 * assigned, by an operation giving the right kind of value, before they are
 * used (programs are straight-line, so "before" is textual order). Policy and
 * property names are checked against the lists the caller knows.
 *
 * The result records, for each operation, the operation that produced each of
 * its variables, so the checker can follow `va` back to the file it maps.
 */

import { ERRNO_NAMES } from "../model/errno.js";
import type { ParamSpec } from "../model/policy.js";
import { copyOf } from "../model/replicas.js";
import type { PeerOp, ProcOp } from "../model/spec.js";
import { findPolicy } from "../policies/index.js";
import { parsePolicyRef, valueAllowed } from "../policies/ref.js";
import { RENAMED_PROPERTIES } from "../properties/index.js";
import { closest } from "../util/suggest.js";
import type { Decl, DeclOf, OpNode, PeerOpNode, ProcOpNode, Program, VarKind } from "./ast.js";
import { allDecls, spanOf } from "./ast.js";
import { list } from "./bind.js";
import { DiagnosticSink, type PhaseResult, type Span } from "./diagnostics.js";
import { loopLabelRef, runsInLoop } from "./flow.js";
import {
  ANON_MMAP,
  DEFAULT_POLICIES,
  DEFAULT_PROPERTIES,
  EXTRA_ERRNOS,
  PEER_OPS,
  PROC_OPS,
  type Signature,
} from "./schema.js";

export interface ResolveOptions {
  /** Property names an `expect` may use (default: the ten of DESIGN.md). */
  readonly properties?: readonly string[];
  /** Policy names an `under` may use (default: the nine of DESIGN.md). */
  readonly policies?: readonly string[];
  /** The parameters of a policy an `under` names (default: the registry's, policies/index.ts). */
  readonly policyParams?: (name: string) => readonly ParamSpec[] | undefined;
}

export type AnyOpNode = ProcOpNode | PeerOpNode;

export interface Resolution {
  readonly users: ReadonlyMap<string, DeclOf<"user">>;
  /** Declared files. */
  readonly files: ReadonlyMap<string, DeclOf<"file">>;
  /** Files that some process creates (`create`) and that are not declared. */
  readonly created: ReadonlySet<string>;
  readonly procs: ReadonlyMap<string, DeclOf<"proc">>;
  readonly remotes: ReadonlyMap<string, DeclOf<"remote">>;
  /** For an operation, the operation that assigned each of its variable arguments (by role). */
  readonly defs: ReadonlyMap<AnyOpNode, ReadonlyMap<string, AnyOpNode>>;
  /** How many copies of each member of a `replicate` group `simulate` makes (others: one). */
  readonly copies: ReadonlyMap<Decl, number>;
}

const RESULT_WORDS = ["ok", "blocks"];

/** The signature an operation was written with (`create` is an `open`). */
export function signatureOf(op: ProcOp | PeerOp): Signature {
  if (op.op === "open" && op.create) return PROC_OPS.get("create")!;
  if (op.op === "mmap_anon") return ANON_MMAP;
  return (PROC_OPS.get(op.op) ?? PEER_OPS.get(op.op))!;
}

export function resolve(
  program: Program,
  file = "<input>",
  opts: ResolveOptions = {},
): PhaseResult<Resolution> {
  const sink = new DiagnosticSink(file);
  const r = new Resolver(sink, opts);
  return { result: r.run(program), diagnostics: sink.drain() };
}

class Resolver {
  private readonly users = new Map<string, DeclOf<"user">>();
  private readonly files = new Map<string, DeclOf<"file">>();
  private readonly created = new Set<string>();
  private readonly procs = new Map<string, DeclOf<"proc">>();
  private readonly remotes = new Map<string, DeclOf<"remote">>();
  private readonly defs = new Map<AnyOpNode, Map<string, AnyOpNode>>();
  /** Where the assumptions so far were stated: of every holder, and of each process named. */
  private assumedAll: Span | undefined;
  private readonly assumedOf = new Map<string, Span>();
  /** Where each process assigns each variable, for "assigned in another process" hints. */
  private readonly assignedIn = new Map<string, string>();
  /** The replica group of each member declaration, and of each member name. */
  private readonly memberOf = new Map<Decl, DeclOf<"replicate">>();
  private readonly groupOf = new Map<string, DeclOf<"replicate">>();
  /** The group whose member is being resolved (its members are named without a copy number). */
  private group: DeclOf<"replicate"> | undefined;
  /** Whether a bare member name means every copy (faults, timing). */
  private bareMeansAll = false;

  constructor(
    private readonly sink: DiagnosticSink,
    private readonly opts: ResolveOptions,
  ) {}

  run(program: Program): Resolution {
    const decls = allDecls(program);
    for (const g of program.decls)
      if (g.kind === "replicate")
        for (const d of g.decls) {
          this.memberOf.set(d, g);
          const name =
            d.kind === "file"
              ? d.spec.name
              : d.kind === "proc" || d.kind === "remote"
                ? d.name
                : "";
          if (name !== "" && !this.groupOf.has(name)) this.groupOf.set(name, g);
        }
    this.declare(decls);
    for (const d of decls) {
      this.group = this.memberOf.get(d);
      if (d.kind === "file") this.file(d);
      else if (d.kind === "proc") this.proc(d);
      else if (d.kind === "remote") this.remote(d);
      else if (d.kind === "faults") this.faults(d);
      else if (d.kind === "expect") this.expect(d);
      else if (d.kind === "assume") this.assume(d);
      else if (d.kind === "timing") this.timing(d);
    }
    this.group = undefined;
    this.unusedBounds(program);
    return {
      users: this.users,
      files: this.files,
      created: this.created,
      procs: this.procs,
      remotes: this.remotes,
      defs: this.defs,
      copies: new Map([...this.memberOf].map(([d, g]) => [d, g.count])),
    };
  }

  /** Global names first, so a process may name a peer declared below it. */
  private declare(decls: readonly Decl[]): void {
    const actors = new Map<string, Span>();
    const once = (map: Map<string, Span>, what: string, name: string, at: Span): boolean => {
      if (name === "") return false;
      const prev = map.get(name);
      if (prev) {
        this.sink.report(
          "PIN207",
          at,
          `${what} \`${name}\` is already declared`,
          `the first declaration is at line ${prev.line}; rename one`,
        );
        return false;
      }
      map.set(name, at);
      return true;
    };
    const userAt = new Map<string, Span>();
    const fileAt = new Map<string, Span>();
    for (const d of decls) {
      const at = spanOf(d, "name");
      const declared =
        d.kind === "user" || d.kind === "file"
          ? d.spec.name
          : d.kind === "proc" || d.kind === "remote"
            ? d.name
            : "";
      if (copyOf(declared))
        this.sink.report(
          "PIN109",
          at,
          `\`${declared}\` ends like a copy of a replicated name`,
          `\`#N\` is the suffix \`replicate\` gives its copies; declare \`${copyOf(declared)![0]}\` inside \`replicate N { ... }\`, or choose another name`,
        );
      if (d.kind === "user" && once(userAt, "user", d.spec.name, at))
        this.users.set(d.spec.name, d);
      if (d.kind === "file" && once(fileAt, "file", d.spec.name, at))
        this.files.set(d.spec.name, d);
      if (d.kind === "proc" && once(actors, "a process or remote called", d.name, at))
        this.procs.set(d.name, d);
      if (d.kind === "remote" && once(actors, "a process or remote called", d.name, at))
        this.remotes.set(d.name, d);
    }
    for (const d of decls) {
      if (d.kind !== "proc") continue;
      for (const n of d.body) {
        if (n.kind !== "op") continue;
        if (n.op.op === "open" && n.op.create) {
          if (this.files.has(n.op.file))
            this.sink.report(
              "PIN213",
              spanOf(n, "file"),
              `\`create\` of \`${n.op.file}\`, which is declared with \`file\``,
              `\`create\` makes a new file (O_CREAT|O_EXCL); use \`open ${n.op.file}\`, or remove the \`file\` declaration`,
            );
          else this.created.add(n.op.file);
        }
        const dst =
          n.op.op === "open" ||
          n.op.op === "mmap" ||
          n.op.op === "mremap" ||
          n.op.op === "reg_mr" ||
          n.op.op === "io_uring_register" ||
          n.op.op === "vfio_map_dma"
            ? n.op.dst
            : undefined;
        if (dst !== undefined && !this.assignedIn.has(dst)) this.assignedIn.set(dst, d.name);
      }
    }
  }

  private file(d: DeclOf<"file">): void {
    this.lookup(
      "PIN201",
      "user",
      d.spec.owner,
      spanOf(d, "owner"),
      this.users,
      `declare it with \`user ${d.spec.owner}\``,
    );
    if (d.spec.reflinkOf !== undefined)
      this.lookup(
        "PIN202",
        "file",
        d.spec.reflinkOf,
        spanOf(d, "reflink"),
        this.files,
        "a reflink source must be a declared file",
      );
  }

  private proc(d: DeclOf<"proc">): void {
    this.lookup(
      "PIN201",
      "user",
      d.user,
      spanOf(d, "user"),
      this.users,
      `declare it with \`user ${d.user}\``,
    );
    const { env, labels, later } = scopeOf(d.body);
    const inherited = this.forkOrigin(d, env);
    for (const n of d.body) {
      this.label(n, labels);
      if (n.kind === "bad") {
        if (n.dst)
          env.set(n.dst.text, { ...(n.dstKind ? { kind: n.dstKind } : {}), node: n, name: "" });
        continue;
      }
      const op = n.op;
      const sig = signatureOf(op);
      if (op.op === "fork") this.forkTarget(d, n as OpNode<ProcOp>);
      if (op.op === "wait_for") this.waitTarget(d, n as OpNode<ProcOp>);
      if (op.op === "chown")
        this.lookup(
          "PIN201",
          "user",
          op.user,
          spanOf(n, "owner"),
          this.users,
          `declare it with \`user ${op.user}\``,
        );
      const defs = new Map<string, AnyOpNode>();
      for (const ref of sig.refs) {
        const value = (op as unknown as Record<string, string>)[ref.role] ?? "";
        const at = spanOf(n, ref.role);
        if (ref.kind === "file") {
          if (!(op.op === "open" && op.create) && !this.created.has(value))
            this.lookup(
              "PIN202",
              "file",
              value,
              at,
              this.files,
              wordHint(sig, value) ??
                `declare it with \`file ${value} owner=USER pages=N\`, or \`create\` it first`,
            );
        } else if (ref.kind === "peer") {
          this.lookup(
            "PIN204",
            "remote peer",
            value,
            at,
            this.remotes,
            this.procs.has(value)
              ? `\`${value}\` is a process; ${sig.name} needs a \`remote\``
              : `declare it with \`remote ${value} { ... }\``,
          );
        } else if (ref.kind === "label") {
          const target = op.op === "wait_for" ? op.proc : "";
          this.lookup(
            "PIN203",
            "process",
            target,
            spanOf(n, "proc"),
            this.procs,
            this.remotes.has(target)
              ? `\`${target}\` is a remote peer; wait for it with \`await ${target}\``
              : undefined,
          );
        } else if (ref.kind === "proc") {
          this.lookup(
            "PIN203",
            "process",
            value,
            at,
            this.procs,
            this.remotes.has(value)
              ? `\`${value}\` is a remote peer; ${sig.name} needs a local process`
              : undefined,
          );
        } else if (
          ref.kind === "fd" ||
          ref.kind === "va" ||
          ref.kind === "mr" ||
          ref.kind === "buf" ||
          ref.kind === "dma"
        ) {
          const parents = inherited.get(value);
          if (!env.has(value) && parents !== undefined) {
            this.sink.report(
              "PIN218",
              at,
              `\`${value}\` is the parent's ${parents === "fd" ? "file descriptor" : "memory registration"}: a forked child may use only the parent's mappings`,
              parents === "fd"
                ? "open the file again in the child; the inherited descriptor still keeps the file (and its lease) open until the child exits"
                : "the child holds the parent's uverbs file (the MR's pins live until both exit) but cannot use its MRs; register the child's own mapping",
            );
            continue;
          }
          const def = this.variable(value, ref.kind, at, env, later, d.name, sig);
          if (def) defs.set(ref.role, def);
        }
      }
      // rereg_mr's new range is a mapping named by its `va=` key
      if (op.op === "rereg_mr" && op.va !== undefined) {
        const def = this.variable(op.va, "va", spanOf(n, "va"), env, later, d.name, sig);
        if (def) defs.set("va", def);
      }
      this.defs.set(n, defs);
      if (sig.result && "dst" in op) env.set(op.dst, { kind: sig.result, node: n, name: sig.name });
    }
    if (d.repeat) this.tailReleases(d);
  }

  /** A repeating tail releases what it creates (model/repeat.ts): each iteration makes new ones. */
  private tailReleases(d: DeclOf<"proc">): void {
    const tail = d.body.slice(d.repeat!.from);
    const RELEASE = {
      open: ["close", "fd", "opened", "closed", "close"],
      mmap: ["munmap", "va", "mapped", "unmapped", "munmap"],
      reg_mr: ["dereg_mr", "mr", "registered", "deregistered", "dereg_mr"],
      memfd_create: ["close", "fd", "created", "closed", "close"],
      mmap_anon: ["munmap", "va", "mapped", "unmapped", "munmap"],
      mremap: ["munmap", "va", "mapped", "unmapped", "munmap"],
      pin_longterm: ["unpin_longterm", "pin", "pinned", "unpinned", "unpin_longterm"],
    } as const;
    for (const n of tail) {
      if (n.kind !== "op") continue;
      const op = n.op;
      if (!(op.op in RELEASE) || !("dst" in op)) continue;
      const [undo, role, done, undone, verb] = RELEASE[op.op as keyof typeof RELEASE];
      const released = tail.some(
        (x) =>
          x.kind === "op" &&
          // an mremap without MREMAP_DONTUNMAP unmaps the old range: its new one is the one to release
          (x.op.op === undo ||
            (role === "va" && x.op.op === "mremap" && x.op.fixed === true && !x.op.dontunmap)) &&
          this.defs.get(x)?.get(role) === n,
      );
      if (!released)
        this.sink.report(
          "PIN316",
          spanOf(n, "result"),
          `\`${op.dst}\` is ${done} in the repeating tail and never ${undone} in it`,
          `each iteration makes a new one: \`${verb} ${op.dst}\` before the tail ends, or move it before \`repeat\``,
        );
    }
  }

  /**
   * A `forked` process starts from its parent's variables as they were at
   * the `fork`: its mappings go into `env`; the descriptors and MRs it
   * inherits but may not use are returned by name.
   */
  private forkOrigin(
    d: DeclOf<"proc">,
    env: Map<string, { kind?: VarKind; node: AnyOpNode; name: string }>,
  ): Map<string, VarKind> {
    const out = new Map<string, VarKind>();
    const forks: { parent: DeclOf<"proc">; at: number }[] = [];
    for (const q of this.procs.values())
      q.body.forEach((n, i) => {
        if (n.kind === "op" && n.op.op === "fork" && n.op.child === d.name)
          forks.push({ parent: q, at: i });
      });
    if (!d.forked) return out;
    const at = spanOf(d, "forked");
    if (forks.length === 0) {
      this.sink.report(
        "PIN218",
        at,
        `\`${d.name}\` is declared \`forked\`, but no process forks it`,
        `add \`fork ${d.name}\` to the program of its parent`,
      );
      return out;
    }
    const { parent, at: index } = forks[0]!;
    if (parent.user !== d.user)
      this.sink.report(
        "PIN218",
        spanOf(d, "user"),
        `\`${d.name}\` runs as \`${d.user}\`, but its parent \`${parent.name}\` runs as \`${parent.user}\``,
        `a child of fork(2) has its parent's credentials: write \`user=${parent.user}\``,
      );
    for (const n of parent.body.slice(0, index)) {
      if (n.kind !== "op") continue;
      const sig = signatureOf(n.op);
      if (!sig.result || !("dst" in n.op)) continue;
      if (sig.result === "va") {
        env.set(n.op.dst, { kind: "va", node: n, name: sig.name });
        out.delete(n.op.dst);
      } else {
        env.delete(n.op.dst);
        out.set(n.op.dst, sig.result);
      }
    }
    return out;
  }

  /** `fork CHILD`: the child must be declared `forked`, forked once, and not be the caller. */
  private forkTarget(d: DeclOf<"proc">, n: OpNode<ProcOp>): void {
    if (n.op.op !== "fork") return;
    const child = this.procs.get(n.op.child);
    const at = spanOf(n, "child");
    if (!child) return; // PIN203, reported with the refs
    if (child === d) {
      this.sink.report("PIN218", at, "a process cannot fork itself", "fork a `forked` process");
      return;
    }
    if (!child.forked) {
      this.sink.report(
        "PIN218",
        at,
        `\`${child.name}\` is not declared \`forked\`: it already runs from the start`,
        `declare it \`proc ${child.name} user=${child.user} forked { ... }\``,
      );
      return;
    }
    for (const q of this.procs.values())
      for (const m of q.body) {
        if (m === n) return;
        if (m.kind === "op" && m.op.op === "fork" && m.op.child === child.name) {
          this.sink.report(
            "PIN218",
            at,
            `\`${child.name}\` is already forked by \`${q.name}\` at line ${m.stmt.start.line}`,
            "a process is started by one fork; declare another `forked` process",
          );
          return;
        }
      }
  }

  /** `wait_for PROC.LABEL`: the process must have that label, and be another process. */
  private waitTarget(d: DeclOf<"proc">, n: OpNode<ProcOp>): void {
    if (n.op.op !== "wait_for") return;
    const target = this.procs.get(n.op.proc);
    if (!target) return; // PIN203
    const label = n.op.until;
    const at = spanOf(n, "until");
    if (loopLabelRef(target, label, at, this.sink)) return;
    const labels = target.body.flatMap((m) => (m.stmt.label ? [m.stmt.label.text] : []));
    if (!labels.includes(label)) {
      const near = closest(label, labels);
      this.sink.report(
        "PIN217",
        at,
        `\`${target.name}\` has no operation labelled \`${label}\``,
        near
          ? `did you mean \`${near}\`?`
          : labels.length > 0
            ? `its labels are ${list(labels)}`
            : `label the operation to wait for, e.g. \`${label}: ...\` in \`${target.name}\``,
      );
      return;
    }
    if (target === d)
      this.sink.report(
        "PIN219",
        at,
        `\`${d.name}\` waits for its own label \`${label}\``,
        "a process's own operations already run in order; wait for another process",
      );
  }

  private remote(d: DeclOf<"remote">): void {
    const { env, labels, later } = scopeOf(d.body);
    for (const n of d.body) {
      this.label(n, labels);
      if (n.kind === "bad") {
        if (n.dst)
          env.set(n.dst.text, { ...(n.dstKind ? { kind: n.dstKind } : {}), node: n, name: "" });
        continue;
      }
      const op = n.op as PeerOp;
      const defs = new Map<string, AnyOpNode>();
      if (op.op === "recv") env.set(op.dst, { kind: "mr", node: n, name: "recv" });
      else {
        const def = this.variable(
          op.mr,
          "mr",
          spanOf(n, "mr"),
          env,
          later,
          d.name,
          signatureOf(op),
        );
        if (def) defs.set("mr", def);
      }
      this.defs.set(n, defs);
    }
  }

  private label(n: AnyOpNode, labels: Map<string, Span>): void {
    const l = n.stmt.label;
    if (!l) return;
    const prev = labels.get(l.text);
    if (prev)
      this.sink.report(
        "PIN208",
        l,
        `label \`${l.text}\` is already used in this program`,
        `the first one is at line ${prev.line}`,
      );
    else labels.set(l.text, l);
  }

  /** A variable use: assigned earlier in this program, by an operation giving a `kind`. */
  private variable(
    name: string,
    kind: VarKind,
    at: Span,
    env: Map<string, { kind?: VarKind; node: AnyOpNode; name: string }>,
    later: Map<string, Span>,
    owner: string,
    sig: Signature,
  ): AnyOpNode | undefined {
    if (name === "") return undefined;
    const v = env.get(name);
    if (!v) {
      const after = later.get(name);
      const elsewhere = this.assignedIn.get(name);
      const near = closest(
        name,
        [...env.entries()].filter(([, e]) => e.kind === kind || !e.kind).map(([k]) => k),
      );
      this.sink.report(
        "PIN205",
        at,
        `\`${name}\` is used before it is assigned`,
        wordHint(sig, name) ??
          (after && (after.line > at.line || (after.line === at.line && after.col > at.col))
            ? `it is assigned at line ${after.line}, after this use`
            : near
              ? `did you mean \`${near}\`?`
              : elsewhere && elsewhere !== owner
                ? `variables are local to their program; \`${name}\` is assigned in \`${elsewhere}\``
                : PEER_OPS.has(sig.name)
                  ? `receive it first: \`${name} = recv\``
                  : `assign it first, e.g. \`${example(kind, name)}\``),
      );
      return undefined;
    }
    if (v.kind && v.kind !== kind) {
      this.sink.report(
        "PIN206",
        at,
        `\`${name}\` is ${what(v.kind)}, but \`${sig.name}\` needs ${what(kind)} here`,
        v.name
          ? `\`${name}\` was assigned by \`${v.name}\` at line ${v.node.stmt.start.line}`
          : undefined,
      );
      return undefined;
    }
    return v.node;
  }

  private faults(d: DeclOf<"faults">): void {
    const check = (key: string, names: readonly string[], code: "PIN203" | "PIN204") =>
      names.forEach((n, i) => {
        const at = spanOf(d, `${key}[${i}]`);
        if (code === "PIN203")
          this.lookup(
            code,
            "process",
            n,
            at,
            this.procs,
            this.remotes.has(n)
              ? `\`${n}\` is a remote peer: use \`peer_crash=${n}\` or \`partition=${n}\``
              : undefined,
            this.remotes.has(n),
          );
        else
          this.lookup(
            code,
            "remote peer",
            n,
            at,
            this.remotes,
            this.procs.has(n)
              ? `\`${n}\` is a process: use \`crash=${n}\`, \`oom=${n}\` or \`hang=${n}\``
              : undefined,
            this.procs.has(n),
          );
      });
    this.bareMeansAll = true;
    check("crash", d.spec.crash, "PIN203");
    check("hang", d.spec.hang, "PIN203");
    check("oom", d.spec.oom ?? [], "PIN203");
    check("partition", d.spec.partition, "PIN204");
    check("peer_crash", d.spec.peerCrash ?? [], "PIN204");
    this.bareMeansAll = false;
  }

  /** `timing KEY proc=NAME|peer=NAME ...`: the target exists (a bare replicated name: every copy). */
  private timing(d: DeclOf<"timing">): void {
    if (d.target === undefined) return;
    this.bareMeansAll = true;
    if (d.targetKind === "peer")
      this.lookup(
        "PIN204",
        "remote peer",
        d.target,
        spanOf(d, "target"),
        this.remotes,
        this.procs.has(d.target)
          ? `\`${d.target}\` is a process: write \`proc=${d.target}\``
          : undefined,
      );
    else if (d.key === "pace" && this.remotes.has(d.target))
      this.sink.report(
        "PIN204",
        spanOf(d, "target"),
        `\`${d.target}\` is a remote peer`,
        `write \`peer=${d.target}\``,
      );
    else
      this.lookup(
        "PIN203",
        "process",
        d.target,
        spanOf(d, "target"),
        this.procs,
        this.remotes.has(d.target)
          ? `\`${d.target}\` is a remote peer: write \`peer=${d.target}\``
          : undefined,
      );
    this.bareMeansAll = false;
  }

  /** `bounds repeats=` without a `repeat`, `bounds replicas=` without a `replicate`: check ignores them. */
  private unusedBounds(program: Program): void {
    const b = program.decls.find((d): d is DeclOf<"bounds"> => d.kind === "bounds");
    if (!b) return;
    const all = allDecls(program);
    const repeats = all.some((d) => (d.kind === "proc" || d.kind === "remote") && d.repeat);
    if (b.spec.repeats !== undefined && !repeats)
      this.sink.report(
        "PIN318",
        spanOf(b, "repeats"),
        "`repeats=` bounds repeating tails, and no program has one",
        "remove it, or end a program with `repeat { ... }`",
      );
    if (b.spec.replicas !== undefined && !program.decls.some((d) => d.kind === "replicate"))
      this.sink.report(
        "PIN318",
        spanOf(b, "replicas"),
        "`replicas=` bounds replica groups, and there is no `replicate`",
        "remove it, or declare copies with `replicate N { ... }`",
      );
    for (const [key, v] of [
      ["repeats", b.spec.repeats],
      ["replicas", b.spec.replicas],
    ] as const)
      if (v !== undefined && v < 1)
        this.sink.report(
          "PIN306",
          spanOf(b, key),
          `\`${key}=\` must be at least 1`,
          `e.g. \`${key}=2\``,
        );
  }

  /**
   * `assume`: each name a process, none twice, and each one a holder: a
   * process that takes a lease or registers memory (or is handed another's
   * uverbs context), else no lease-break timer of its can run and the
   * assumption changes nothing.
   */
  private assume(d: DeclOf<"assume">): void {
    const here = d.stmt.head;
    const holders = new Set(
      [...this.procs.values()].flatMap((p) =>
        p.body.flatMap((n) => {
          if (n.kind === "bad") return [p.name];
          if (n.op.op === "setlease" || n.op.op === "reg_mr") return [p.name];
          if (n.op.op === "send_uverbs") return [n.op.proc];
          return [];
        }),
      ),
    );
    const procs = d.spec.procs;
    if (procs === undefined) {
      if (this.assumedAll)
        this.sink.report(
          "PIN319",
          here,
          "every holder is already assumed to answer within lease_break_time",
          `the first statement is at line ${this.assumedAll.line}; remove one`,
        );
      else if (this.assumedOf.size > 0) {
        const [name, at] = [...this.assumedOf][0]!;
        this.sink.report(
          "PIN319",
          here,
          `\`holders\` includes \`${name}\`, already assumed at line ${at.line}`,
          "keep one of the two statements",
        );
      } else if (holders.size === 0 && this.procs.size > 0)
        this.sink.report(
          "PIN320",
          here,
          "no process takes a lease or registers memory: the assumption changes nothing",
          "an assumption about answering lease breaks needs a holder (`setlease`, `reg_mr`)",
        );
      this.assumedAll ??= here;
      return;
    }
    const seen = new Set<string>();
    procs.forEach((n, i) => {
      const at = spanOf(d, `procs[${i}]`);
      // a bare name of a replicated process means every copy (model/replicas.ts)
      this.bareMeansAll = true;
      const p = this.lookup(
        "PIN203",
        "process",
        n,
        at,
        this.procs,
        this.remotes.has(n)
          ? `\`${n}\` is a remote peer: its cancel is part of the answer of the process that registered the MR; name that process`
          : n === "holders"
            ? "to assume it of every process, write `assume holders answer within lease_break_time`"
            : undefined,
      );
      this.bareMeansAll = false;
      if (!p) return;
      const prev = this.assumedOf.get(n);
      if (seen.has(n)) this.sink.report("PIN313", at, `\`${n}\` is listed twice`, "remove one");
      else if (this.assumedAll || prev)
        this.sink.report(
          "PIN319",
          at,
          `\`${n}\` is already assumed to answer within lease_break_time`,
          `see line ${(prev ?? this.assumedAll)!.line}; remove one`,
        );
      else if (!holders.has(n))
        this.sink.report(
          "PIN320",
          at,
          `\`${n}\` takes no lease and registers no memory: the assumption changes nothing`,
          "assume it of the process whose lease or MR is broken",
        );
      seen.add(n);
      if (!prev) this.assumedOf.set(n, at);
    });
  }

  private expect(d: DeclOf<"expect">): void {
    const e = d.spec;
    const policies = this.opts.policies ?? DEFAULT_POLICIES;
    const paramsOf = this.opts.policyParams ?? ((n: string) => findPolicy(n)?.params);
    const bare = new Set((e.policies ?? []).filter((p) => !p.includes("(")));
    (e.policies ?? []).forEach((p, i) => {
      const whole = spanOf(d, `policies[${i}]`);
      const r = parsePolicyRef(p);
      if (!r.ok) {
        const at = {
          line: whole.line,
          col: whole.col + r.error.from,
          endCol: whole.col + r.error.to,
        };
        const clipped = { ...at, endCol: Math.min(at.endCol, whole.endCol) };
        if (r.error.kind === "twice")
          this.sink.report("PIN116", clipped, r.error.message, "give each parameter once");
        else
          this.sink.report(
            "PIN115",
            clipped,
            r.error.message,
            "write a policy with parameters as `NAME(PARAM=VALUE,...)`, e.g. `revoke(escalation=invalidate)`",
          );
        return;
      }
      const name = r.ref.name;
      const nameAt = d.spans.get(`policies[${i}].name`) ?? whole;
      if (!policies.includes(name)) {
        // A name spelt like a known policy is a typo; any other may be a
        // proposal in a plugin file, which a stock pinlab does not know: the
        // expectation then applies to no policy that runs.
        if (closest(name, policies) !== undefined)
          this.unknown(
            "PIN209",
            "policy",
            name,
            nameAt,
            policies,
            `known policies: ${list(policies)}`,
          );
        else
          this.sink.report(
            "PIN360",
            nameAt,
            `policy \`${name}\` is neither built in nor defined by a plugin file loaded`,
            `if it is a plugin's, pass its file: --policy ./FILE.js (docs/plugins.md); known policies: ${list(policies)}`,
          );
        return;
      }
      const written = Object.entries(r.ref.params);
      if (written.length === 0) return;
      if (bare.has(name))
        this.sink.report(
          "PIN325",
          whole,
          `\`${p}\` adds nothing: \`${name}\` is also listed, and a bare name applies under any parameters`,
          `remove \`${name}\` to expect this only under \`${p}\`, or remove \`${p}\``,
        );
      const specs = paramsOf(name) ?? [];
      for (const [k, v] of written) {
        const spec = specs.find((s) => s.name === k);
        if (!spec) {
          const names = specs.map((s) => s.name);
          const near = closest(k, names);
          this.sink.report(
            "PIN220",
            d.spans.get(`policies[${i}].key.${k}`) ?? whole,
            `policy \`${name}\` has no parameter \`${k}\``,
            near
              ? `did you mean \`${near}\`?`
              : names.length > 0
                ? `its parameters: ${list(names)} (pinlab policies)`
                : `\`${name}\` takes no parameters`,
          );
          continue;
        }
        if (!valueAllowed(spec, v)) {
          const numeric = spec.values[0]!.startsWith("<");
          const near = numeric ? undefined : closest(v, spec.values);
          this.sink.report(
            "PIN324",
            d.spans.get(`policies[${i}].value.${k}`) ?? whole,
            `\`${v}\` is not a value of \`${name}\`'s parameter \`${k}\``,
            `${near ? `did you mean \`${near}\`? ` : ""}${numeric ? `${k} is a whole number of ${spec.values[0]!.slice(1, -1)}` : `allowed: ${list(spec.values)}`}`,
          );
        }
      }
    });
    // A condition's names are checked against the lowered scenario (conditions.ts).
    if (e.kind === "condition") return;
    if (e.kind === "property") {
      const props = this.opts.properties ?? DEFAULT_PROPERTIES;
      const renamed = RENAMED_PROPERTIES.get(e.property);
      if (renamed && props.includes(renamed) && !props.includes(e.property))
        this.sink.report(
          "PIN214",
          spanOf(d, "property"),
          `\`${e.property}\` is now called \`${renamed}\``,
          `properties are named for the event they watch: write \`${e.quantifier} ${renamed}\``,
        );
      else if (e.property === "condition" && !props.includes(e.property))
        this.sink.report(
          "PIN122",
          spanOf(d, "property"),
          "`condition` needs its predicate in double quotes",
          `e.g. \`expect ${e.quantifier} condition "peer.qp error"\``,
        );
      else if (!props.includes(e.property))
        this.unknown(
          "PIN210",
          "property",
          e.property,
          spanOf(d, "property"),
          props,
          `known properties: ${list(props)}`,
        );
      return;
    }
    const proc = this.lookup(
      "PIN203",
      "process",
      e.proc,
      spanOf(d, "proc"),
      this.procs,
      this.remotes.has(e.proc)
        ? `\`${e.proc}\` is a remote peer; results are expected of processes`
        : undefined,
    );
    if (proc && !loopLabelRef(proc, e.op, spanOf(d, "op"), this.sink)) {
      const ops = proc.body.filter((n): n is OpNode<ProcOp> => n.kind === "op");
      const byLabel = ops.filter((n) => n.op.label === e.op);
      const byName = ops.filter((n) => n.op.op === e.op);
      if (byLabel.length === 0 && byName.length === 0 && !proc.body.some((n) => n.kind === "bad")) {
        const names = [
          ...new Set([
            ...ops.map((n) => n.op.op),
            ...ops.flatMap((n) => (n.op.label ? [n.op.label] : [])),
          ]),
        ];
        const near = closest(e.op, names);
        this.sink.report(
          "PIN211",
          spanOf(d, "op"),
          `\`${e.proc}\` has no operation or label \`${e.op}\``,
          e.op === "create" && byName.length === 0 && ops.some((n) => n.op.op === "open")
            ? "a `create` is an `open`: write `.open`, or label it"
            : near
              ? `did you mean \`${near}\`?`
              : names.length > 0
                ? `its operations and labels are ${list(names)}`
                : undefined,
        );
      } else if (byLabel.length === 0 && byName.length === 1 && runsInLoop(proc, e.op)) {
        this.sink.report(
          "PIN311",
          spanOf(d, "op"),
          `\`${e.proc}\` runs \`${e.op}\` in a loop (line ${byName[0]!.stmt.start.line}); this expectation names its first iteration`,
          `label it, e.g. \`t1: ${e.op} ...\`, and write \`${e.proc}.t1#1\`, \`${e.proc}.t1#2\`, ...`,
        );
      } else if (byLabel.length === 0 && byName.length > 1) {
        const lines = byName.map((n) => n.stmt.start.line).join(", ");
        this.sink.report(
          "PIN311",
          spanOf(d, "op"),
          `\`${e.proc}\` runs \`${e.op}\` ${byName.length} times (lines ${lines}); this expectation names the first`,
          `label the one you mean, e.g. \`t1: ${e.op} ...\`, and write \`${e.proc}.t1\``,
        );
      }
    }
    const results = [...RESULT_WORDS, ...ERRNO_NAMES, ...EXTRA_ERRNOS];
    if (!results.includes(e.result))
      this.unknown(
        "PIN212",
        "result",
        e.result,
        spanOf(d, "result"),
        results,
        "a result is `ok`, `blocks` or an errno name such as `EBUSY`",
      );
  }

  private lookup<T>(
    code: "PIN201" | "PIN202" | "PIN203" | "PIN204",
    what: string,
    name: string,
    at: Span,
    table: ReadonlyMap<string, T>,
    hint?: string,
    exact = false,
  ): T | undefined {
    if (name === "") return undefined;
    const key = this.copyKey(name, at, what);
    if (key === undefined) return undefined;
    const found = table.get(key);
    if (found === undefined) {
      const extra = what === "file" ? [...this.created] : [];
      this.unknown(code, what, name, at, [...table.keys(), ...extra], hint, exact);
    }
    return found;
  }

  /**
   * The declared name a use refers to: `server#3` is copy 3 of the replicated
   * `server`; a member of a group is named bare inside its group and with a
   * copy number outside it. Undefined after reporting a misuse.
   */
  private copyKey(name: string, at: Span, what: string): string | undefined {
    const c = copyOf(name);
    if (c) {
      const g = this.groupOf.get(c[0]);
      if (!g) return name;
      if (c[1] > g.count) {
        this.sink.report(
          "PIN215",
          at,
          `\`replicate\` at line ${g.stmt.start.line} makes ${g.count} ${g.count === 1 ? "copy" : "copies"} of \`${c[0]}\`; there is no \`${name}\``,
          `copies are numbered ${c[0]}#1 to ${c[0]}#${g.count}`,
        );
        return undefined;
      }
      return c[0];
    }
    const g = this.groupOf.get(name);
    if (g && g !== this.group && !this.bareMeansAll) {
      this.sink.report(
        "PIN216",
        at,
        `${what} \`${name}\` is replicated (line ${g.stmt.start.line}): name one copy`,
        `write \`${name}#1\` (copies are numbered 1 to ${g.count})`,
      );
      return undefined;
    }
    return name;
  }

  private unknown(
    code: Parameters<DiagnosticSink["report"]>[0],
    what: string,
    name: string,
    at: Span,
    candidates: readonly string[],
    hint?: string,
    exact = false,
  ): void {
    // An actor of the other kind by this very name beats a spelling guess.
    const near = exact ? undefined : closest(name, candidates);
    this.sink.report(
      code,
      at,
      `unknown ${what} \`${name}\``,
      near ? `did you mean \`${near}\`?` : hint,
    );
  }
}

/** When a name is spelt like a keyword of the operation, the user most likely left out the name. */
function wordHint(sig: Signature, name: string): string | undefined {
  if (!sig.words.some((g) => g.values.includes(name))) return undefined;
  return `\`${name}\` is a keyword of \`${sig.name}\`; the names come first: \`${sig.synopsis}\``;
}

function what(k: VarKind): string {
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

function example(k: VarKind, name: string): string {
  return k === "fd"
    ? `${name} = open FILE rw`
    : k === "va"
      ? `${name} = mmap FD pages=0..0 shared rw`
      : k === "buf"
        ? `${name} = io_uring_register VA`
        : k === "dma"
          ? `${name} = vfio_map_dma VA prot=read,write`
          : `${name} = reg_mr VA access=local_write`;
}

/**
 * The scopes of a process or remote body: its variables as they get assigned,
 * its labels, and where each variable is first assigned (so that a use before
 * the assignment can say "assigned later, on line N").
 */
function scopeOf(body: readonly AnyOpNode[]) {
  const env = new Map<string, { kind?: VarKind; node: AnyOpNode; name: string }>();
  const labels = new Map<string, Span>();
  const later = new Map<string, Span>();
  for (const n of body) {
    const dst = n.kind === "bad" ? n.dst : n.stmt.dst;
    if (dst && !later.has(dst.text)) later.set(dst.text, dst);
  }
  return { env, labels, later };
}
