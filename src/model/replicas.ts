/**
 * Replica groups (`replicate N { ... }`) as plain copies, and the one call
 * that prepares a scenario for timed simulation. Both are pure functions of
 * a {@link ScenarioSpec}: lowering (compile.ts) expands what it is given, so
 * every engine sees a flat scenario.
 *
 * Copy i of a group member `name` is called `name#i` (1-based). Inside a
 * copy, a reference to a member of the same group means that copy's member;
 * a reference to anything outside the group is left alone. Outside the
 * group (top-level programs, faults, expectations, timing, assumptions), a
 * copy is named with its suffix; a bare member name in faults, timing and
 * assumptions means every copy. When fewer copies are kept than the group
 * declares, a name of a dropped copy is given to the last copy kept: the
 * copies run the same programs, so the last kept copy stands for any other.
 */
import type {
  Expectation,
  FileSpec,
  PeerSpec,
  ProcOp,
  ProcSpec,
  ReplicaGroup,
  ScenarioSpec,
  TimingEntry,
} from "./spec.js";

/** `server#3` → ["server", 3]; a name without a copy suffix → null. */
export function copyOf(name: string): readonly [string, number] | null {
  const m = /^(.*)#([1-9][0-9]*)$/.exec(name);
  return m ? [m[1]!, Number(m[2])] : null;
}

export const copyName = (name: string, i: number): string => `${name}#${i}`;

/** How many copies of a group `check`, `compare` and `run` keep by default (`bounds replicas`). */
export const DEFAULT_REPLICAS = 2;
/** How many times in all `check` runs a repeating tail by default (`bounds repeats`). */
export const DEFAULT_REPEATS = 2;

/**
 * The scenario with every replica group replaced by its copies, at most
 * `limit` of each (absent: all). Top-level files, processes and peers come
 * first, then each group's copies in order. The result has no `replicas`.
 */
export function expandReplicas(spec: ScenarioSpec, limit?: number): ScenarioSpec {
  const groups = spec.replicas ?? [];
  if (groups.length === 0) return spec;
  const kept = (g: ReplicaGroup) =>
    Math.max(1, Math.min(g.count, limit === undefined ? g.count : Math.max(1, limit)));
  // Every member name → its group's kept copy count.
  const members = new Map<string, number>();
  for (const g of groups)
    for (const n of [...g.files, ...g.procs, ...g.peers].map((x) => x.name))
      members.set(n, kept(g));
  /** A name used outside the groups: a copy beyond the kept ones becomes the last kept. */
  const outside = (name: string): string => {
    const c = copyOf(name);
    if (!c) return name;
    const k = members.get(c[0]);
    return k !== undefined && c[1] > k ? copyName(c[0], k) : name;
  };
  /** A name in a list that may name a whole group member: every kept copy. */
  const spread = (name: string): string[] => {
    const k = members.get(name);
    if (k === undefined) return [outside(name)];
    return Array.from({ length: k }, (_, i) => copyName(name, i + 1));
  };
  const spreadAll = (names: readonly string[]) => [...new Set(names.flatMap(spread))];

  const files: FileSpec[] = spec.files.map((f) =>
    f.reflinkOf !== undefined ? { ...f, reflinkOf: outside(f.reflinkOf) } : f,
  );
  const procs: ProcSpec[] = spec.procs.map((p) => renameProc(p, outside));
  const peers: PeerSpec[] = [...spec.peers];
  for (const g of groups) {
    const own = new Set([...g.files, ...g.procs, ...g.peers].map((x) => x.name));
    for (let i = 1; i <= kept(g); i++) {
      const inCopy = (n: string) => (own.has(n) ? copyName(n, i) : outside(n));
      for (const f of g.files)
        files.push({
          ...f,
          name: copyName(f.name, i),
          ...(f.reflinkOf !== undefined ? { reflinkOf: inCopy(f.reflinkOf) } : {}),
        });
      for (const p of g.procs) procs.push({ ...renameProc(p, inCopy), name: copyName(p.name, i) });
      for (const r of g.peers) peers.push({ ...r, name: copyName(r.name, i) });
    }
  }
  const expectations: Expectation[] = spec.expectations.map((e) =>
    e.kind === "result" ? { ...e, proc: outside(e.proc) } : e,
  );
  const timing: TimingEntry[] | undefined = spec.timing?.flatMap((t) =>
    t.target === undefined ? [t] : spread(t.target).map((target) => ({ ...t, target })),
  );
  const { replicas: _, ...rest } = spec;
  return {
    ...rest,
    files,
    procs,
    peers,
    faults: {
      ...spec.faults,
      crash: spreadAll(spec.faults.crash),
      hang: spreadAll(spec.faults.hang),
      partition: spreadAll(spec.faults.partition),
      ...(spec.faults.oom !== undefined ? { oom: spreadAll(spec.faults.oom) } : {}),
      ...(spec.faults.peerCrash !== undefined
        ? { peerCrash: spreadAll(spec.faults.peerCrash) }
        : {}),
    },
    expectations,
    ...(timing !== undefined ? { timing } : {}),
    ...(spec.assumptions !== undefined
      ? {
          assumptions: spec.assumptions.map((a) =>
            a.procs ? { ...a, procs: spreadAll(a.procs) } : a,
          ),
        }
      : {}),
  };
}

function renameProc(p: ProcSpec, rename: (n: string) => string): ProcSpec {
  return { ...p, program: p.program.map((op) => renameOp(op, rename)) };
}

function renameOp(op: ProcOp, rename: (n: string) => string): ProcOp {
  switch (op.op) {
    case "open":
    case "truncate":
      return { ...op, file: rename(op.file) };
    case "send":
    case "await":
      return { ...op, peer: rename(op.peer) };
    case "kill":
    case "send_uverbs":
      return { ...op, proc: rename(op.proc) };
    default:
      return op;
  }
}

/** The scenario as check, compare and run explore it: `bounds replicas` copies of each group. */
export function asExplored(spec: ScenarioSpec): ScenarioSpec {
  return expandReplicas(spec, spec.bounds.replicas ?? DEFAULT_REPLICAS);
}

/**
 * The scenario as `simulate` runs it: every copy of every replica group, and
 * repeating tails without end (`bounds repeats` becomes Infinity, which
 * compile() reads as "no iteration bound"). `check`, `compare` and `run`
 * compile the scenario as written, which keeps `bounds replicas` copies
 * (default 2) and runs each repeating tail `bounds repeats` times (default 2).
 */
export function forSimulation(spec: ScenarioSpec): ScenarioSpec {
  const flat = expandReplicas(spec);
  return { ...flat, bounds: { ...flat.bounds, repeats: Number.POSITIVE_INFINITY } };
}
