/**
 * Lowering: the declaration tree becomes the plain {@link ScenarioSpec} that
 * the builder also produces. Shaping already computed each node's spec data,
 * so this only assembles it, filling what a file may leave out (`fs`,
 * `faults`, `bounds`, the scenario's name) with the builder's defaults.
 */

import { unrollFlow } from "../model/flow.js";
import {
  NO_FAULTS,
  type PeerOp,
  type PeerSpec,
  type ProcOp,
  type ProcSpec,
  type Repeat,
  type ReplicaGroup,
  type ScenarioSpec,
  type TimingEntry,
} from "../model/spec.js";
import type { DeclOf, Program } from "./ast.js";
import type { PhaseResult } from "./diagnostics.js";
import { lowerFlow } from "./flow.js";

/** The fs a scenario without an `fs` statement gets (the builder's default). */
export const DEFAULT_FS = { kind: "dax", blocks: 4 } as const;

/**
 * Never fails: operations that could not be understood are left out, so call
 * it only on a program without errors if the result is to mean anything.
 */
export function lower(program: Program, file?: string): PhaseResult<ScenarioSpec> {
  const of = <K extends Program["decls"][number]["kind"]>(k: K) =>
    program.decls.filter((d): d is DeclOf<K> => d.kind === k);
  const named = of("scenario")[0];
  const groups: ReplicaGroup[] = of("replicate").map((g) => {
    const inner = <K extends "file" | "proc" | "remote">(k: K) =>
      g.decls.filter((d): d is DeclOf<K> => d.kind === k);
    return {
      count: g.count,
      files: inner("file").map((f) => f.spec),
      procs: inner("proc").map(procSpec),
      peers: inner("remote").map(peerSpec),
      at: { line: g.stmt.start.line, col: g.stmt.start.col },
    };
  });
  const timing: TimingEntry[] = of("timing").map((d) => ({
    key: d.key,
    ...(d.target !== undefined ? { target: d.target } : {}),
    ...(d.op !== undefined ? { op: d.op } : {}),
    dist: d.dist,
    at: { line: d.stmt.start.line, col: d.stmt.start.col },
  }));
  const horizon = of("horizon")[0]?.seconds;
  const spec: ScenarioSpec = {
    name: named?.name ?? defaultName(file),
    ...(file !== undefined ? { file } : {}),
    fs: of("fs")[0]?.spec ?? { ...DEFAULT_FS },
    users: of("user").map((u) => u.spec),
    files: of("file").map((f) => f.spec),
    procs: of("proc").map(procSpec),
    peers: of("remote").map(peerSpec),
    faults: of("faults")[0]?.spec ?? { ...NO_FAULTS },
    bounds: of("bounds")[0]?.spec ?? {},
    ...(of("nic")[0] !== undefined ? { nic: of("nic")[0]!.spec } : {}),
    expectations: of("expect").map((e) => e.spec),
    // Absent when the file states none, so that a scenario's spec (and its hash) is unchanged by the statement's existence.
    ...(of("assume").length > 0 ? { assumptions: of("assume").map((a) => a.spec) } : {}),
    ...(timing.length > 0 ? { timing } : {}),
    ...(horizon !== undefined ? { horizon } : {}),
    ...(groups.length > 0 ? { replicas: groups } : {}),
  };
  const variant = of("layout_lease")[0]?.variant;
  if (variant !== undefined) return { result: { ...spec, layoutLease: variant }, diagnostics: [] };
  return { result: spec, diagnostics: [] };
}

/** A program's repeating tail, its start counted among the operations that were understood. */
function repeatOf(d: DeclOf<"proc" | "remote">): { repeat?: Repeat } {
  const r = d.repeat;
  if (!r) return {};
  const from = (d.body as readonly { kind: string }[])
    .slice(0, r.from)
    .filter((n) => n.kind === "op").length;
  return {
    repeat: {
      from,
      ...(r.every !== undefined ? { every: r.every } : {}),
      at: { line: r.stmt.start.line, col: r.stmt.start.col },
    },
  };
}

function procSpec(p: DeclOf<"proc">): ProcSpec {
  return {
    name: p.name,
    user: p.user,
    onLeaseBreak: p.onLeaseBreak,
    ...(p.memlock !== undefined ? { memlock: p.memlock } : {}),
    ...(p.forked ? { forked: true } : {}),
    ...(p.flow ? { flow: lowerFlow(p.flow) } : {}),
    program: p.flow
      ? unrollFlow(lowerFlow(p.flow)).program
      : p.body.flatMap((n) => (n.kind === "op" ? [n.op as ProcOp] : [])),
    at: { line: p.stmt.start.line, col: p.stmt.start.col },
    ...repeatOf(p),
  };
}

function peerSpec(r: DeclOf<"remote">): PeerSpec {
  return {
    name: r.name,
    cancel: r.cancel,
    program: r.body.flatMap((n) => (n.kind === "op" ? [n.op as PeerOp] : [])),
    at: { line: r.stmt.start.line, col: r.stmt.start.col },
    ...repeatOf(r),
  };
}

/** `scenarios/truncate-vs-write.pin` is called `truncate-vs-write` unless it says otherwise. */
function defaultName(file: string | undefined): string {
  if (file === undefined) return "scenario";
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.pin$/, "") || "scenario";
}
