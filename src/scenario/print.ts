/**
 * Printing spec data as canonical `.pin` text. Each printer is the inverse of
 * shaping: reading its output gives back the same data. Defaults the reader
 * fills in are left out where the builder has them too (`on_lease_break=terminate`,
 * `cancel=yes`, `allocated`, `zeroed`, `flavor=xfs`); the rest is always spelt out.
 *
 * Names are printed as they are; a spec built in TypeScript must use names
 * that are words of the format (letters, digits, `_`, inner `-`).
 */

import { copyOf } from "../model/replicas.js";
import type {
  Bounds,
  Distribution,
  Expectation,
  FaultSpec,
  FileSpec,
  FlowStmt,
  FsSpec,
  NicSpec,
  PeerOp,
  PeerSpec,
  ProcOp,
  ProcSpec,
  Repeat,
  ScenarioSpec,
  TimingEntry,
  TimingKey,
  UserSpec,
} from "../model/spec.js";
import { printAssumption } from "./assume.js";
import type { DeclOf } from "./ast.js";
import { TIMING_KEYS } from "./schema.js";
import { printDistribution, printDuration } from "./time.js";

export const INDENT = "  ";

export function printName(name: string): string {
  return `scenario "${name.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export function printFs(fs: FsSpec): string {
  const flavor = fs.flavor !== undefined && fs.flavor !== "xfs" ? ` flavor=${fs.flavor}` : "";
  const dax = fs.daxMount === "inode" ? " dax=inode" : "";
  return `fs ${fs.kind} blocks=${fs.blocks}${flavor}${dax}`;
}

export function printUser(u: UserSpec): string {
  return u.caps.length > 0 ? `user ${u.name} caps=${u.caps.join(",")}` : `user ${u.name}`;
}

export function printFile(f: FileSpec): string {
  const parts = [`file ${f.name}`, `owner=${f.owner}`, `mode=${octal(f.mode)}`, `pages=${f.pages}`];
  if (f.layout === "sparse") parts.push("sparse");
  if (!f.zeroed) parts.push("hypothetical-unzeroed");
  if (f.reflinkOf !== undefined) parts.push(`reflink=${f.reflinkOf}`);
  if (f.kind === "pfnmap") parts.push("pfnmap");
  if (f.movable) parts.push("movable");
  if (f.backing !== undefined && f.backing !== "fs") parts.push(`backing=${f.backing}`);
  return parts.join(" ");
}

/** `0644`: permission bits in octal with a leading zero. */
export function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, "0")}`;
}

export function printProcHeader(
  p: Pick<ProcSpec, "name" | "user" | "onLeaseBreak" | "memlock" | "forked">,
): string {
  const lb = p.onLeaseBreak === "terminate" ? "" : ` on_lease_break=${p.onLeaseBreak}`;
  const ml = p.memlock === undefined ? "" : ` memlock=${p.memlock}`;
  return `proc ${p.name} user=${p.user}${lb}${ml}${p.forked ? " forked" : ""}`;
}

export function printRemoteHeader(r: Pick<PeerSpec, "name" | "cancel">): string {
  return `remote ${r.name}${r.cancel ? "" : " cancel=no"}`;
}

export function printProcOp(op: ProcOp): string {
  return labelled(op.label, procOpBody(op));
}

export function printPeerOp(op: PeerOp): string {
  const body = op.op === "recv" ? `${op.dst} = recv` : `${op.op} ${op.mr} page=${op.page}`;
  return labelled(op.label, body);
}

function labelled(label: string | undefined, body: string): string {
  return label === undefined ? body : `${label}: ${body}`;
}

function procOpBody(op: ProcOp): string {
  switch (op.op) {
    case "open":
      return `${op.dst} = ${op.create ? "create" : "open"} ${op.file} ${op.mode}`;
    case "mmap":
      return `${op.dst} = mmap ${op.fd} pages=${op.first}..${op.last} ${op.shared ? "shared" : "private"} ${op.prot}`;
    case "reg_mr": {
      const access = op.access.length > 0 ? ` access=${op.access.join(",")}` : "";
      return `${op.dst} = reg_mr ${op.va}${access}${op.odp ? " odp" : ""}`;
    }
    case "close":
    case "fsync":
      return `${op.op} ${op.fd}`;
    case "mmap_anon":
      return `${op.dst} = mmap anon pages=${op.pages} ${op.shared ? "shared" : "private"} ${op.prot}`;
    case "memfd_create":
      return `${op.dst} = memfd_create${op.hugetlb ? " hugetlb" : ""}${op.allowSealing ? " allow_sealing" : ""}`;
    case "add_seals":
      return `add_seals ${op.fd} seals=${op.seals.join(",")}`;
    case "pin_longterm":
      return `${op.dst} = pin_longterm ${op.va} ${op.write ? "rw" : "r"} ${op.fast ? "fast" : "slow"}`;
    case "unpin_longterm":
      return `unpin_longterm ${op.pin}`;
    case "munmap":
      return `munmap ${op.va}`;
    case "store":
    case "load":
      return `${op.op} ${op.va} page=${op.page}`;
    case "read":
    case "write":
      return `${op.op} ${op.fd} page=${op.page}`;
    case "dereg_mr":
      return `dereg_mr ${op.mr}`;
    case "io_uring_register":
      return `${op.dst} = io_uring_register ${op.va}`;
    case "io_uring_unregister":
      return `io_uring_unregister ${op.buf}`;
    case "read_fixed":
    case "write_fixed":
      return `${op.op} ${op.buf} page=${op.page}`;
    case "dio_read":
    case "dio_write":
    case "vmsplice":
      return `${op.op} ${op.va} page=${op.page}`;
    case "pipe_read":
      return "pipe_read";
    case "vfio_map_dma": {
      const prot = [...(op.read ? ["read"] : []), ...(op.write ? ["write"] : [])];
      return `${op.dst} = vfio_map_dma ${op.va}${op.read && op.write ? "" : ` prot=${prot.join(",")}`}`;
    }
    case "vfio_unmap_dma":
      return `vfio_unmap_dma ${op.dma}`;
    case "vfio_dma_write":
    case "vfio_dma_read":
      return `${op.op} ${op.dma} page=${op.page}`;
    case "send":
      return `send ${op.peer} ${op.mr}`;
    case "setlease":
      return `setlease ${op.fd} ${op.type}${op.layout ? " layout" : ""}${op.unbreak ? " unbreak" : ""}`;
    case "truncate":
      return `truncate ${op.file} pages=${op.pages}`;
    case "ftruncate":
      return `ftruncate ${op.fd} pages=${op.pages}`;
    case "fallocate":
      return `fallocate ${op.fd} ${op.mode} pages=${op.first}..${op.last}`;
    case "reflink":
      return `reflink ${op.src} ${op.dst}`;
    case "dedupe":
      return `dedupe ${op.src} ${op.dst} pages=${op.first}..${op.last}`;
    case "chmod":
      return `chmod ${op.file} mode=0${op.mode.toString(8)}`;
    case "chown":
      return `chown ${op.file} owner=${op.user}`;
    case "fssetxattr":
      return `fssetxattr ${op.fd} ${op.dax ? "dax" : "nodax"}`;
    case "await":
      return `await ${op.peer}`;
    case "kill":
      return `kill ${op.proc}${op.signal !== undefined ? ` ${op.signal}` : ""}`;
    case "setsig":
      return `setsig ${op.fd} ${op.signal}`;
    case "send_uverbs":
      return `send_uverbs ${op.proc}`;
    case "unplug":
    case "hca_reset":
    case "exit":
      return op.op;
    case "memory_failure":
      return `memory_failure ${op.file} page=${op.page}${op.earlyKill ? " early_kill" : ""}`;
    case "fork":
      return `fork ${op.child}`;
    case "madvise":
      return `madvise ${op.va} ${op.advice}`;
    case "mprotect":
      return `mprotect ${op.va} ${op.prot}`;
    case "mremap":
      return `${op.dst} = mremap ${op.va}${op.fixed ? " fixed" : ""}${op.dontunmap ? " dontunmap" : ""}`;
    case "rereg_mr": {
      const va = op.va !== undefined ? ` va=${op.va}` : "";
      const access = op.access !== undefined ? ` access=${op.access.join(",")}` : "";
      return `rereg_mr ${op.mr}${va}${access}${op.keys !== undefined ? ` keys=${op.keys}` : ""}`;
    }
    case "unlink":
      return `unlink ${op.file}`;
    case "wait_for":
      return `wait_for ${op.proc}.${op.until}`;
    case "jump":
      // Never a step (model/flow.ts); shown only where a program is listed operation by operation.
      return op.unless
        ? `jump ${op.to} unless ${op.unless.pc} ${op.unless.results.join(",")}`
        : `jump ${op.to}`;
  }
}

/** A program with control flow as written: `loop`, `if`, `else` and `break` blocks, indented. */
export function printFlow(flow: readonly FlowStmt[]): string[] {
  const out: string[] = [];
  const block = (stmts: readonly FlowStmt[]) => printFlow(stmts).map((l) => INDENT + l);
  for (const st of flow) {
    switch (st.kind) {
      case "op":
        out.push(printProcOp(st.op));
        break;
      case "break":
        out.push("break");
        break;
      case "loop":
        out.push(`loop ${st.count} {`, ...block(st.body), "}");
        break;
      case "if":
        out.push(`if ${st.label} ${st.results.join(",")} {`, ...block(st.body));
        if (st.otherwise) out.push("} else {", ...block(st.otherwise));
        out.push("}");
        break;
    }
  }
  return out;
}

export function printFaults(f: FaultSpec): string {
  const parts = ["faults"];
  if (f.crash.length > 0) parts.push(`crash=${f.crash.join(",")}`);
  if (f.hang.length > 0) parts.push(`hang=${f.hang.join(",")}`);
  if (f.partition.length > 0) parts.push(`partition=${f.partition.join(",")}`);
  if ((f.oom ?? []).length > 0) parts.push(`oom=${f.oom!.join(",")}`);
  if ((f.peerCrash ?? []).length > 0) parts.push(`peer_crash=${f.peerCrash!.join(",")}`);
  if (f.nicNoInvalidate) parts.push("nic_no_invalidate");
  return parts.join(" ");
}

export function printNic(n: NicSpec): string {
  return `nic invalidate=${n.invalidate}`;
}

export function printBounds(b: Bounds): string {
  const parts = ["bounds"];
  if (b.maxStates !== undefined) parts.push(`max_states=${b.maxStates}`);
  if (b.maxDepth !== undefined) parts.push(`max_depth=${b.maxDepth}`);
  if (b.repeats !== undefined) parts.push(`repeats=${b.repeats}`);
  if (b.replicas !== undefined) parts.push(`replicas=${b.replicas}`);
  return parts.join(" ");
}

export function printTiming(
  t: Pick<TimingEntry, "key" | "op" | "dist"> & {
    readonly target?: string;
    readonly targetKind?: "proc" | "peer";
  },
): string {
  const parts = [`timing ${t.key}`];
  if (t.target !== undefined) parts.push(`${t.targetKind ?? targetKindOf(t.key)}=${t.target}`);
  if (t.op !== undefined) parts.push(t.op);
  parts.push(printDistribution(t.dist));
  return parts.join(" ");
}

/** The target key a `timing` entry built in TypeScript is printed with (`pace` may be either: proc). */
function targetKindOf(key: TimingKey): "proc" | "peer" {
  return TIMING_KEYS.get(key) === "peer" ? "peer" : "proc";
}

export function printHorizon(seconds: number): string {
  return `horizon ${printDuration(seconds)}`;
}

export function printRepeatHeader(r: { readonly every?: Distribution }): string {
  return r.every ? `repeat every ${printDistribution(r.every)}` : "repeat";
}

export function printReplicateHeader(count: number): string {
  return `replicate ${count}`;
}

export function printExpectation(e: Expectation): string {
  const under = e.policies && e.policies.length > 0 ? ` under ${e.policies.join(",")}` : "";
  if (e.kind === "condition")
    return `expect ${e.quantifier} condition "${e.condition.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"${under}`;
  return e.kind === "property"
    ? `expect ${e.quantifier} ${e.property}${under}`
    : `expect ${e.proc}.${e.op} returns ${e.result}${under}`;
}

/** The one line of a top-level declaration without a block. */
export function printDecl(
  d: DeclOf<
    | "scenario"
    | "fs"
    | "user"
    | "file"
    | "faults"
    | "nic"
    | "bounds"
    | "layout_lease"
    | "assume"
    | "expect"
    | "timing"
    | "horizon"
  >,
): string {
  switch (d.kind) {
    case "assume":
      return printAssumption(d.spec);
    case "timing":
      return printTiming(d);
    case "horizon":
      return printHorizon(d.seconds);
    case "layout_lease":
      return `layout_lease ${d.variant}`;
    case "scenario":
      return printName(d.name);
    case "fs":
      return printFs(d.spec);
    case "user":
      return printUser(d.spec);
    case "file":
      return printFile(d.spec);
    case "faults":
      return printFaults(d.spec);
    case "nic":
      return printNic(d.spec);
    case "bounds":
      return printBounds(d.spec);
    case "expect":
      return printExpectation(d.spec);
  }
}

/**
 * A whole scenario as canonical text, in the order scenario, fs, users,
 * files, processes, remotes, faults, bounds, assumptions, expectations. Used to turn a
 * builder scenario into a file; comments of a file are kept by formatText.
 */
export function formatScenario(spec: ScenarioSpec): string {
  const out: string[] = [printName(spec.name), printFs(spec.fs)];
  if (spec.layoutLease !== undefined) out.push(`layout_lease ${spec.layoutLease}`);
  for (const u of spec.users) out.push(printUser(u));
  for (const f of spec.files) out.push(printFile(f));
  const program = <T>(ops: readonly T[], repeat: Repeat | undefined, print: (op: T) => string) => {
    if (!repeat) return ops.map(print);
    const tail = ops.slice(repeat.from).map(print);
    return [
      ...ops.slice(0, repeat.from).map(print),
      `${printRepeatHeader(repeat)} {`,
      ...tail.map((l) => INDENT + l),
      "}",
    ];
  };
  const actors = (procs: readonly ProcSpec[], peers: readonly PeerSpec[], depth: string) => {
    const lines: string[] = [];
    const put = (header: string, body: string[]) => {
      lines.push("");
      const one = `${header} { ${body.join("; ")} }`;
      if (body.length === 0) lines.push(`${depth}${header} {}`);
      else if (body.length === 1 && one.length <= 80) lines.push(depth + one);
      else lines.push(`${depth}${header} {`, ...body.map((l) => depth + INDENT + l), `${depth}}`);
    };
    for (const p of procs)
      put(
        printProcHeader(p),
        p.flow ? printFlow(p.flow) : program(p.program, p.repeat, printProcOp),
      );
    for (const r of peers) put(printRemoteHeader(r), program(r.program, r.repeat, printPeerOp));
    return lines;
  };
  out.push(...actors(spec.procs, spec.peers, ""));
  for (const g of spec.replicas ?? []) {
    out.push("", `${printReplicateHeader(g.count)} {`);
    for (const f of g.files) out.push(INDENT + printFile(f));
    out.push(
      ...actors(g.procs, g.peers, INDENT).filter((l, i) => l !== "" || i > 0 || g.files.length > 0),
    );
    out.push("}");
  }
  const f = spec.faults;
  const tail: string[] = [];
  if (
    f.crash.length +
      f.hang.length +
      f.partition.length +
      (f.oom ?? []).length +
      (f.peerCrash ?? []).length >
      0 ||
    f.nicNoInvalidate
  )
    tail.push(printFaults(f));
  if (spec.nic !== undefined) tail.push(printNic(spec.nic));
  if (Object.values(spec.bounds).some((v) => v !== undefined)) tail.push(printBounds(spec.bounds));
  // `timing pace` may name a process or a peer: which one, the scenario's names say.
  const peers = new Set(
    [...spec.peers, ...(spec.replicas ?? []).flatMap((g) => g.peers)].map((r) => r.name),
  );
  for (const t of spec.timing ?? []) {
    const base = t.target === undefined ? undefined : (copyOf(t.target)?.[0] ?? t.target);
    const targetKind = base !== undefined && peers.has(base) ? "peer" : "proc";
    tail.push(printTiming({ ...t, targetKind }));
  }
  if (spec.horizon !== undefined) tail.push(printHorizon(spec.horizon));
  for (const a of spec.assumptions ?? []) tail.push(printAssumption(a));
  for (const e of spec.expectations) tail.push(printExpectation(e));
  if (tail.length > 0) out.push("", ...tail);
  return `${out.join("\n")}\n`;
}
