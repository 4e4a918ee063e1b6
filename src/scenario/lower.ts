/**
 * Lowering: the declaration tree becomes the plain {@link ScenarioSpec} that
 * the builder also produces. Shaping already computed each node's spec data,
 * so this only assembles it, filling what a file may leave out (`fs`,
 * `faults`, `bounds`, the scenario's name) with the builder's defaults.
 */

import {
  NO_FAULTS,
  type PeerOp,
  type PeerSpec,
  type ProcOp,
  type ProcSpec,
  type ScenarioSpec,
} from "../model/spec.js";
import type { DeclOf, Program } from "./ast.js";
import type { PhaseResult } from "./diagnostics.js";

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
  const procs: ProcSpec[] = of("proc").map((p) => ({
    name: p.name,
    user: p.user,
    onLeaseBreak: p.onLeaseBreak,
    ...(p.memlock !== undefined ? { memlock: p.memlock } : {}),
    ...(p.forked ? { forked: true } : {}),
    program: p.body.flatMap((n) => (n.kind === "op" ? [n.op as ProcOp] : [])),
    at: { line: p.stmt.start.line, col: p.stmt.start.col },
  }));
  const peers: PeerSpec[] = of("remote").map((r) => ({
    name: r.name,
    cancel: r.cancel,
    program: r.body.flatMap((n) => (n.kind === "op" ? [n.op as PeerOp] : [])),
    at: { line: r.stmt.start.line, col: r.stmt.start.col },
  }));
  const spec: ScenarioSpec = {
    name: named?.name ?? defaultName(file),
    ...(file !== undefined ? { file } : {}),
    fs: of("fs")[0]?.spec ?? { ...DEFAULT_FS },
    users: of("user").map((u) => u.spec),
    files: of("file").map((f) => f.spec),
    procs,
    peers,
    faults: of("faults")[0]?.spec ?? { ...NO_FAULTS },
    bounds: of("bounds")[0]?.spec ?? {},
    ...(of("nic")[0] !== undefined ? { nic: of("nic")[0]!.spec } : {}),
    expectations: of("expect").map((e) => e.spec),
  };
  const variant = of("layout_lease")[0]?.variant;
  if (variant !== undefined) return { result: { ...spec, layoutLease: variant }, diagnostics: [] };
  return { result: spec, diagnostics: [] };
}

/** `scenarios/truncate-vs-write.pin` is called `truncate-vs-write` unless it says otherwise. */
function defaultName(file: string | undefined): string {
  if (file === undefined) return "scenario";
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.pin$/, "") || "scenario";
}
