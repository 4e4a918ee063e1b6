/** The names a condition may use in a scenario (bind.ts CondScope), from its spec. */
import { expandReplicas } from "../../model/replicas.js";
import type { ProcOp, ScenarioSpec } from "../../model/spec.js";
import type { CondScope, VarKind } from "./bind.js";

/** The kind of value an operation assigns to its variable, if it assigns one. */
export function assigns(op: ProcOp): VarKind | undefined {
  switch (op.op) {
    case "open":
    case "memfd_create":
      return "fd";
    case "mmap":
    case "mmap_anon":
    case "mremap":
      return "va";
    case "reg_mr":
      return "mr";
    case "io_uring_register":
      return "buf";
    case "pin_longterm":
      return "pin";
    default:
      return undefined;
  }
}

/** Every name of the scenario, each replica group's copies included (`server#3`). */
export function scopeOfSpec(spec: ScenarioSpec): CondScope {
  const flat = expandReplicas(spec);
  const files = new Map<string, { pages: number; blocks: boolean } | null>();
  for (const f of flat.files) {
    const onBlocks = f.backing === undefined || f.backing === "fs" || f.backing === "other";
    const src = f.reflinkOf !== undefined ? flat.files.find((g) => g.name === f.reflinkOf) : f;
    const blocks =
      onBlocks && src !== undefined && src.layout === "allocated" && src.kind !== "pfnmap";
    files.set(f.name, { pages: f.pages, blocks });
  }
  const procs = new Map<string, Map<string, VarKind>>();
  for (const p of flat.procs) {
    const vars = new Map<string, VarKind>();
    for (const op of p.program) {
      if (op.op === "open" && op.create && !files.has(op.file)) files.set(op.file, null);
      const k = assigns(op);
      if (k && "dst" in op) vars.set(op.dst, k);
    }
    procs.set(p.name, vars);
  }
  return { files, procs, peers: new Set(flat.peers.map((r) => r.name)), blocks: spec.fs.blocks };
}
