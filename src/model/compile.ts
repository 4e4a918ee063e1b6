/**
 * Lowering: a {@link ScenarioSpec} plus a policy becomes a {@link Model} with
 * its initial state. Programs are straight-line, so every variable use resolves
 * statically to the one operation that produced it, and every object an
 * operation creates gets a fixed table slot.
 */

import { SEAL_BITS } from "./backing.js";
import { checkFlow, type FlowInfo, type FreshSlots, resultValues } from "./flow.js";
import {
  BLK_CONTENT,
  BLK_STRIDE,
  BLK_USERS,
  type Bounded,
  CONTENT_STALE,
  CONTENT_ZERO,
  type CPeerOp,
  type CProcOp,
  type DioInfo,
  FR_STRIDE,
  INO_EXISTS,
  INO_EXT,
  INO_SIZE,
  INO_T_LINEAGE,
  INO_T_MODE,
  INO_T_OWNER,
  INO_T_SEALS,
  INO_T_XFLAGS,
  INO_TAIL,
  type InodeInfo,
  K_STRIDE,
  type Model,
  type MrInfo,
  OFD_STRIDE,
  type OfdInfo,
  P_STATUS,
  P_VARS,
  type PeerInfo,
  type ProcInfo,
  PS_DONE,
  PS_UNBORN,
  R_VARS,
  type State,
  type UserInfo,
  type VmaInfo,
  XF_DAX,
} from "./layout.js";
import type { Policy } from "./policy.js";
import { SIGIO, SIGKILL, SIGNALS } from "./proc/signum.js";
import { DEFAULT_REPEATS, DEFAULT_REPLICAS, expandReplicas } from "./replicas.js";
import {
  DEFAULT_MEMLOCK_PAGES,
  DEFAULT_NIC,
  type ProcOp,
  type ProcSpec,
  type Repeat,
  type ScenarioSpec,
  type SourcePos,
} from "./spec.js";

export interface CompileError {
  readonly message: string;
  readonly at?: SourcePos;
}

export type CompileResult =
  | { readonly ok: true; readonly model: Model }
  | { readonly ok: false; readonly errors: readonly CompileError[] };

type VarKind = "fd" | "va" | "mr" | "buf" | "dma";
type Objs = readonly { readonly kind: VarKind; readonly slot: number; readonly index: number }[];
interface VarDef {
  kind: VarKind;
  slot: number; // ofd / vma / mr slot
}

/** fallocate modes as sysFallocate() numbers them (fs/file-ops.ts FALLOC_*). */
const FALLOC_MODES = { alloc: 0, punch: 1, collapse: 2, zero: 3, insert: 4, unshare: 5 } as const;
/** madvise advice codes of compiled programs (proc/fork.ts, mm/vma-ops.ts). */
export const MADVICE = { dofork: 0, dontfork: 1, dontneed: 2 } as const;
const PROTS = { r: 0, rw: 1, none: 2 } as const;
const LEASE_TYPES = { unlck: 0, rd: 1, wr: 2 } as const;

/**
 * Lowers a scenario for one policy. Never throws on a bad scenario: returns its errors.
 *
 * Replica groups are expanded first (replicas.ts): `bounds replicas` copies of
 * each (default 2), and the model's `spec` is the flat scenario, whose names
 * (`server#1`) traces and expectations use. Repeating tails run `bounds
 * repeats` times in all (default 2). For `simulate`, compile
 * `forSimulation(spec)`: every copy, and tails without end.
 */
export function compile(written: ScenarioSpec, policy: Policy): CompileResult {
  const errors: CompileError[] = [];
  const err = (message: string, at?: SourcePos) => errors.push(at ? { message, at } : { message });
  const replicaLimit = written.bounds.replicas ?? DEFAULT_REPLICAS;
  if (!Number.isInteger(replicaLimit) || replicaLimit < 1)
    err(`bounds replicas must be a whole number of at least 1 (got ${replicaLimit})`);
  for (const g of written.replicas ?? [])
    if (!Number.isInteger(g.count) || g.count < 1)
      err(`replicate needs a whole number of copies of at least 1 (got ${g.count})`, g.at);
  const spec = expandReplicas(written, replicaLimit);
  const bounded: Bounded = {
    replicas: (written.replicas ?? []).map((g) => ({
      members: [...g.files, ...g.procs, ...g.peers].map((x) => x.name),
      count: g.count,
      copies: Math.min(g.count, replicaLimit),
    })),
    repeating: [...spec.procs, ...spec.peers].filter((x) => x.repeat).map((x) => x.name),
  };
  const repeatLimit = spec.bounds.repeats ?? DEFAULT_REPEATS;
  if (
    repeatLimit !== Number.POSITIVE_INFINITY &&
    (!Number.isInteger(repeatLimit) || repeatLimit < 1)
  )
    err(`bounds repeats must be a whole number of at least 1 (got ${repeatLimit})`);
  for (const x of [...spec.procs, ...spec.peers]) {
    const from = x.repeat?.from;
    if (from !== undefined && (!Number.isInteger(from) || from < 0 || from >= x.program.length))
      err(`${x.name}: the repeating tail must hold at least one operation`, x.repeat?.at);
  }
  for (const p of spec.procs) if (p.repeat) unreleased(p, err);
  for (const p of spec.procs) {
    if (!p.flow) continue;
    if (p.repeat) err(`process ${p.name}: a repeating tail and loops or branches do not mix`, p.at);
    for (const e of checkFlow(p.flow)) err(`process ${p.name}: ${e.message}`, e.at);
  }

  if (!Number.isInteger(spec.fs.blocks) || spec.fs.blocks < 1 || spec.fs.blocks > 64)
    err(`fs blocks must be an integer in 1..64 (got ${spec.fs.blocks})`);

  const users: UserInfo[] = spec.users.map((u) => ({
    name: u.name,
    capLease: u.caps.includes("CAP_LEASE"),
    capIpcLock: u.caps.includes("CAP_IPC_LOCK"),
    caps: [...u.caps],
  }));
  const userIdx = new Map(users.map((u, i) => [u.name, i]));
  const inodes: InodeInfo[] = [];
  const inodeIdx = new Map<string, number>();
  for (const f of spec.files) {
    const owner = userIdx.get(f.owner);
    if (owner === undefined) err(`file ${f.name}: unknown owner ${f.owner}`);
    if (inodeIdx.has(f.name)) err(`file ${f.name} declared twice`);
    inodeIdx.set(f.name, inodes.length);
    inodes.push({
      name: f.name,
      owner: owner ?? 0,
      mode: f.mode,
      pfnmap: f.kind === "pfnmap",
      movable: f.movable ?? false,
      declared: true,
      backing: f.backing ?? "fs",
    });
  }
  // Files created by `open ... create` get an inode slot that starts non-existent.
  spec.procs.forEach((p) => {
    const owner = userIdx.get(p.user) ?? 0;
    for (const op of p.program) {
      if (op.op === "open" && op.create && !inodeIdx.has(op.file)) {
        inodeIdx.set(op.file, inodes.length);
        inodes.push({
          name: op.file,
          owner,
          mode: 0o644,
          pfnmap: false,
          movable: false,
          declared: false,
          backing: "fs",
        });
      }
    }
  });
  // memfd_create and mmap(MAP_ANONYMOUS) create an object of their own (backing.ts).
  const ownInode = hiddenInodes(spec, inodes, inodeIdx, userIdx);

  // Largest page index any file can reach.
  let maxPages = 1;
  for (const f of spec.files) maxPages = Math.max(maxPages, f.pages);
  const bump = (n: number) => {
    if (Number.isInteger(n) && n >= 0 && n < 64) maxPages = Math.max(maxPages, n);
  };
  for (const p of spec.procs)
    for (const op of p.program) {
      if (op.op === "truncate" || op.op === "ftruncate") bump(op.pages);
      if (op.op === "fallocate" || op.op === "mmap") bump(op.last + 1);
      if (op.op === "write" || op.op === "read") bump(op.page + 1);
      if (op.op === "mmap_anon") bump(op.pages);
    }
  // FALLOC_FL_INSERT_RANGE grows a file by its range: room for every insert after the largest size.
  let inserted = 0;
  for (const p of spec.procs)
    for (const op of p.program)
      if (op.op === "fallocate" && op.mode === "insert") inserted += op.last - op.first + 1;
  if (inserted > 0) bump(Math.min(maxPages + inserted, 63));

  const procIdx = new Map(spec.procs.map((p, i) => [p.name, i]));
  const peerIdx = new Map(spec.peers.map((r, i) => [r.name, i]));
  const ofds: OfdInfo[] = [];
  const vmaDefs: Omit<VmaInfo, "off">[] = [];
  const mrDefs: Omit<MrInfo, "off">[] = [];
  const dioDefs: Omit<DioInfo, "off">[] = [];
  /** The object slots each process's operations create, by operation index. */
  const procObjs: Objs[] = spec.procs.map(() => []);
  const sendsTo = spec.peers.map(() => 0);
  let privatePages = 0;

  const progs: CProcOp[][] = spec.procs.map(() => []);
  const procVars: string[][] = spec.procs.map(() => []);
  /** A forked child's first variables: the parent's, as they were at its fork (proc/fork.ts). */
  const forkScopes = new Map<number, { parent: number; vars: Map<string, VarDef> }>();
  const parentOf = new Map<number, number>();
  const compileProc = (p: ProcSpec, pi: number, inherited: Map<string, VarDef> | undefined) => {
    if (userIdx.get(p.user) === undefined) err(`process ${p.name}: unknown user ${p.user}`, p.at);
    const vars = new Map<string, VarDef>();
    // The child's own copy of each of the parent's mappings; descriptors and MRs
    // are shared objects the child may not operate on in the model.
    const inheritedOnly = new Map<string, VarKind>();
    for (const [name, v] of inherited ?? []) {
      if (v.kind !== "va") {
        inheritedOnly.set(name, v.kind);
        continue;
      }
      const slot = vmaDefs.length;
      const pv = vmaDefs[v.slot]!;
      vmaDefs.push({ ...pv, proc: pi, forkOf: v.slot });
      if (!pv.shared) privatePages += pv.pages;
      vars.set(name, { kind: "va", slot });
    }
    const prog: CProcOp[] = [];
    const objs: { kind: VarKind; slot: number; index: number }[] = [];
    procObjs[pi] = objs;
    const use = (name: string, kind: VarKind, at?: SourcePos): number => {
      const v = vars.get(name);
      if (!v) {
        const k = inheritedOnly.get(name);
        if (k !== undefined)
          err(
            `process ${p.name}: ${name} is the parent's ${article(k).replace(/^an? /, "")}; a forked child uses only the parent's mappings`,
            at,
          );
        else err(`process ${p.name}: variable ${name} is used before it is assigned`, at);
        return 0;
      }
      if (v.kind !== kind)
        err(`process ${p.name}: ${name} is ${article(v.kind)}, not ${article(kind)}`, at);
      return v.slot;
    };
    const inode = (name: string, at?: SourcePos): number => {
      const i = inodeIdx.get(name);
      if (i === undefined) {
        err(`process ${p.name}: unknown file ${name}`, at);
        return 0;
      }
      return i;
    };
    const page = (n: number, at?: SourcePos): number => {
      if (!Number.isInteger(n) || n < 0 || n >= 64) err(`page ${n} is out of range 0..63`, at);
      return n;
    };
    /** Page `n` of a mapping or buffer of `pages` pages, named `what` (`the mapping va`). */
    const pageOf = (op: string, n: number, pages: number, what: string, at?: SourcePos) => {
      if (n < 0 || n >= pages)
        err(`${op}: page ${n} is outside ${what} (pages 0..${pages - 1})`, at);
    };
    /** Page `n` of mapping v, named `va` in the scenario. */
    const vmaPage = (op: string, v: number, n: number, va: string, at?: SourcePos) =>
      pageOf(op, n, vmaDefs[v]?.pages ?? 1, `the mapping ${va}`, at);
    /** Page `n` of pin-table slot x (an io_uring buffer or a DMA mapping), named `what`. */
    const slotPage = (op: string, x: number, n: number, what: string, at?: SourcePos) =>
      pageOf(op, n, mrDefs[x]?.pages ?? 1, what, at);
    /** A creating statement's compiled form and its variable, for its later copies (flow.ts). */
    const made = new Map<number, { op: CProcOp; dst?: VarDef; inputs: Map<string, VarDef> }>();
    p.program.forEach((op: ProcOp, index) => {
      const at = op.at;
      const push = (a = 0, b = 0, c = 0, d = 0) => prog.push({ spec: op, index, a, b, c, d });
      if (op.op === "jump") {
        const u = op.unless;
        if (!Number.isInteger(op.to) || op.to <= index || op.to > p.program.length)
          err(`process ${p.name}: a jump must go forward, within the program (to ${op.to})`, at);
        if (u && (!Number.isInteger(u.pc) || u.pc < 0 || u.pc >= index))
          err(`process ${p.name}: a branch must test an earlier operation (${u.pc})`, at);
        if (index === 0) err(`process ${p.name}: a program cannot start with a jump`, at);
        push(op.to, u ? u.pc : -1);
        return;
      }
      const orig = op.copyOf !== undefined ? made.get(op.copyOf) : undefined;
      if (op.copyOf !== undefined && orig === undefined && "dst" in op)
        err(`process ${p.name}: a copy must follow its first copy (${op.copyOf})`, at);
      if (orig !== undefined) {
        // A copy of a creating statement reuses its slots: the same inputs, the same object.
        for (const [name, def] of orig.inputs)
          if (vars.get(name) !== def)
            err(
              `process ${p.name}: ${name} is assigned later in the loop's body, so its ${op.op} would use another ${name} in the next iteration; assign ${name} before the ${op.op}, or before the loop`,
              at,
            );
        prog.push({ ...orig.op, spec: op, index });
        if (orig.dst && "dst" in op) vars.set(op.dst, orig.dst);
        return;
      }
      const inputs = new Map<string, VarDef>();
      for (const key of ["fd", "va"] as const) {
        const name = (op as { [k in typeof key]?: string })[key];
        const def = name === undefined ? undefined : vars.get(name);
        if (name !== undefined && def !== undefined) inputs.set(name, def);
      }
      /**
       * A pinner with no rkey or peer (io_uring buffer, VFIO DMA mapping) over
       * mapping v: a slot of the pin table like an MR's, which a repeating tail
       * makes ready again.
       */
      const localPin = (
        dst: string,
        kind: "buf" | "dma",
        v: number,
        how: Pick<MrInfo, "writable" | "pinner" | "iommuRead">,
      ) => {
        const slot = mrDefs.length;
        mrDefs.push({
          proc: pi,
          vma: v,
          pages: vmaDefs[v]?.pages ?? 1,
          remoteWrite: false,
          remoteRead: false,
          accessValid: true,
          odp: false,
          ...how,
        });
        vars.set(dst, { kind, slot });
        objs.push({ kind: "mr", slot, index });
        push(slot, v, slot);
      };
      switch (op.op) {
        case "open": {
          const i = inode(op.file, at);
          const slot = ofds.length;
          ofds.push({ proc: pi, inode: i, read: op.mode !== "w", write: op.mode !== "r" });
          vars.set(op.dst, { kind: "fd", slot });
          objs.push({ kind: "fd", slot, index });
          push(slot, i, slot, op.create ? 1 : 0);
          break;
        }
        case "close":
          push(use(op.fd, "fd", at));
          break;
        case "mmap": {
          const o = use(op.fd, "fd", at);
          if (op.last < op.first) err(`mmap: page range ${op.first}..${op.last} is empty`, at);
          page(op.first, at);
          page(op.last, at);
          const slot = vmaDefs.length;
          const pages = Math.max(1, op.last - op.first + 1);
          vmaDefs.push({
            proc: pi,
            ofd: o,
            inode: ofds[o]?.inode ?? 0,
            first: op.first,
            pages,
            shared: op.shared,
            writable: op.prot === "rw",
          });
          if (!op.shared) privatePages += pages;
          vars.set(op.dst, { kind: "va", slot });
          objs.push({ kind: "va", slot, index });
          push(slot, o, slot);
          break;
        }
        case "mmap_anon": {
          const i = ownInode.get(op)!;
          if (!Number.isInteger(op.pages) || op.pages < 1 || op.pages > 32)
            err(`mmap anon: pages must be in 1..32 (got ${op.pages})`, at);
          const o = ofds.length;
          ofds.push({ proc: pi, inode: i, read: true, write: true });
          const slot = vmaDefs.length;
          const pages = Math.max(1, Math.min(op.pages, 32));
          vmaDefs.push({
            proc: pi,
            ofd: o,
            inode: i,
            first: 0,
            pages,
            shared: op.shared,
            writable: op.prot === "rw",
          });
          if (!op.shared) privatePages += pages;
          vars.set(op.dst, { kind: "va", slot });
          // A repeat resets the mapping and the object's hidden file description with it.
          objs.push({ kind: "va", slot, index });
          objs.push({ kind: "fd", slot: o, index });
          push(slot);
          break;
        }
        case "memfd_create": {
          const i = ownInode.get(op)!;
          const slot = ofds.length;
          ofds.push({ proc: pi, inode: i, read: true, write: true });
          vars.set(op.dst, { kind: "fd", slot });
          objs.push({ kind: "fd", slot, index });
          push(slot, i, op.allowSealing ? 1 : 0);
          break;
        }
        case "add_seals": {
          let mask = 0;
          for (const w of op.seals) {
            const bit = SEAL_BITS[w];
            if (bit === undefined) err(`add_seals: unknown seal ${w}`, at);
            else mask |= bit;
          }
          push(use(op.fd, "fd", at), mask);
          break;
        }
        case "pin_longterm": {
          const v = use(op.va, "va", at);
          const slot = mrDefs.length;
          mrDefs.push({
            proc: pi,
            vma: v,
            pages: vmaDefs[v]?.pages ?? 1,
            remoteWrite: false,
            remoteRead: false,
            writable: op.write,
            accessValid: true,
            odp: false,
            gupTest: { fast: op.fast },
          });
          vars.set(op.dst, { kind: "mr", slot });
          objs.push({ kind: "mr", slot, index });
          push(slot, v);
          break;
        }
        case "unpin_longterm": {
          const x = use(op.pin, "mr", at);
          if (mrDefs[x] && !mrDefs[x].gupTest)
            err(`unpin_longterm: ${op.pin} is a memory registration; dereg_mr ends it`, at);
          push(x);
          break;
        }
        case "munmap":
          push(use(op.va, "va", at));
          break;
        case "store":
        case "load": {
          const v = use(op.va, "va", at);
          vmaPage(op.op, v, op.page, op.va, at);
          push(v, op.page);
          break;
        }
        case "read":
        case "write":
          push(use(op.fd, "fd", at), page(op.page, at));
          break;
        case "reg_mr": {
          const v = use(op.va, "va", at);
          const vd = vmaDefs[v];
          const slot = mrDefs.length;
          const remoteWrite = op.access.includes("remote_write");
          const localWrite = op.access.includes("local_write");
          mrDefs.push({
            proc: pi,
            vma: v,
            pages: vd?.pages ?? 1,
            remoteWrite,
            remoteRead: op.access.includes("remote_read"),
            writable: remoteWrite || localWrite,
            // ib_check_mr_access(): remote write needs local write (include/rdma/ib_verbs.h)
            accessValid: !remoteWrite || localWrite,
            odp: (op.odp ?? false) || policy.odp,
          });
          vars.set(op.dst, { kind: "mr", slot });
          objs.push({ kind: "mr", slot, index });
          push(slot, v, slot);
          break;
        }
        case "dereg_mr": {
          const x = use(op.mr, "mr", at);
          if (mrDefs[x]?.gupTest)
            err(`dereg_mr: ${op.mr} is a gup_test pin; unpin_longterm drops it`, at);
          push(x);
          break;
        }
        case "io_uring_register": {
          // One registered buffer: a slot of the pin table, like an MR without rkey or peer.
          const v = use(op.va, "va", at);
          // io_pin_pages(): always FOLL_WRITE (gup_longterm.c: "io_uring always pins pages writable");
          // io_uring has no on-demand paging: its buffers are pinned under every policy
          localPin(op.dst, "buf", v, { writable: true, pinner: "io_uring" });
          break;
        }
        case "io_uring_unregister":
          push(use(op.buf, "buf", at));
          break;
        case "read_fixed":
        case "write_fixed": {
          const x = use(op.buf, "buf", at);
          slotPage(op.op, x, op.page, `the buffer ${op.buf}`, at);
          push(x, op.page);
          break;
        }
        case "vfio_map_dma": {
          // One VFIO DMA mapping: a slot of the pin table, like an MR without rkey or peer.
          const v = use(op.va, "va", at);
          const vd = vmaDefs[v];
          if (vd && inodes[vd.inode]?.pfnmap)
            err(
              `vfio_map_dma: ${op.va} maps a device file (VM_PFNMAP), which VFIO maps unpinned (vaddr_get_pfns → follow_fault_pfn); pinlab does not model it`,
              at,
            );
          // vaddr_get_pfns(): FOLL_WRITE only for IOMMU_WRITE (VFIO_DMA_MAP_FLAG_WRITE);
          // type1 has no on-demand paging: its mappings are pinned under every policy
          localPin(op.dst, "dma", v, { writable: op.write, iommuRead: op.read, pinner: "vfio" });
          break;
        }
        case "vfio_unmap_dma":
          push(use(op.dma, "dma", at));
          break;
        case "vfio_dma_write":
        case "vfio_dma_read": {
          const x = use(op.dma, "dma", at);
          slotPage(op.op, x, op.page, `the DMA mapping ${op.dma}`, at);
          push(x, op.page);
          break;
        }
        case "vmsplice": {
          const v = use(op.va, "va", at);
          vmaPage(op.op, v, op.page, op.va, at);
          const slot = dioDefs.length;
          dioDefs.push({ proc: pi, vma: v, page: op.page, write: false, splice: true });
          push(slot, v, op.page);
          break;
        }
        case "pipe_read":
          push();
          break;
        case "dio_read":
        case "dio_write": {
          const v = use(op.va, "va", at);
          vmaPage(op.op, v, op.page, op.va, at);
          const slot = dioDefs.length;
          dioDefs.push({ proc: pi, vma: v, page: op.page, write: op.op === "dio_read" });
          push(slot, v, op.page);
          break;
        }
        case "send": {
          const r = peerIdx.get(op.peer);
          if (r === undefined) err(`send: unknown peer ${op.peer}`, at);
          else sendsTo[r] = (sendsTo[r] ?? 0) + 1;
          const x = use(op.mr, "mr", at);
          if (mrDefs[x]?.gupTest) err(`send: ${op.mr} is a gup_test pin, with no rkey to send`, at);
          push(r ?? 0, x);
          break;
        }
        case "setlease":
          if (op.unbreak && !op.layout) err("setlease: F_UNBREAK needs F_LAYOUT", at);
          push(
            use(op.fd, "fd", at),
            LEASE_TYPES[op.type],
            (op.layout ? 1 : 0) | (op.unbreak ? 2 : 0),
          );
          break;
        case "truncate":
          push(inode(op.file, at), page(op.pages, at));
          break;
        case "ftruncate":
          push(use(op.fd, "fd", at), page(op.pages, at));
          break;
        case "fallocate":
          if (op.last < op.first) err(`fallocate: page range ${op.first}..${op.last} is empty`, at);
          push(use(op.fd, "fd", at), FALLOC_MODES[op.mode], page(op.first, at), page(op.last, at));
          break;
        case "reflink":
          push(use(op.src, "fd", at), use(op.dst, "fd", at));
          break;
        case "dedupe":
          if (op.last < op.first) err(`dedupe: page range ${op.first}..${op.last} is empty`, at);
          push(use(op.src, "fd", at), use(op.dst, "fd", at), page(op.first, at), page(op.last, at));
          break;
        case "chmod":
          if (!Number.isInteger(op.mode) || op.mode < 0 || op.mode > 0o7777)
            err(`chmod: mode ${op.mode.toString(8)} is not a permission mode`, at);
          push(inode(op.file, at), op.mode & 0o777);
          break;
        case "chown": {
          const u = userIdx.get(op.user);
          if (u === undefined) err(`chown: unknown user ${op.user}`, at);
          push(inode(op.file, at), u ?? 0);
          break;
        }
        case "fssetxattr":
          push(use(op.fd, "fd", at), op.dax ? 1 : 0);
          break;
        case "fsync":
          push(use(op.fd, "fd", at));
          break;
        case "await": {
          const r = peerIdx.get(op.peer);
          if (r === undefined) err(`await: unknown peer ${op.peer}`, at);
          push(r ?? 0);
          break;
        }
        case "send_uverbs": {
          const t = procIdx.get(op.proc);
          if (t === undefined) err(`send_uverbs: unknown process ${op.proc}`, at);
          if (t === pi) err("send_uverbs: a process already holds its own uverbs file", at);
          push(t ?? 0);
          break;
        }
        case "kill": {
          const t = procIdx.get(op.proc);
          if (t === undefined) err(`kill: unknown process ${op.proc}`, at);
          const sig = SIGNALS[op.signal ?? "SIGKILL"];
          if (sig === undefined) err(`kill: unknown signal ${op.signal}`, at);
          push(t ?? 0, sig ?? SIGKILL);
          break;
        }
        case "setsig": {
          const sig = SIGNALS[op.signal];
          if (sig === undefined) err(`setsig: unknown signal ${op.signal}`, at);
          push(use(op.fd, "fd", at), sig ?? SIGIO);
          break;
        }
        case "unplug":
        case "hca_reset":
        case "exit":
          push();
          break;
        case "memory_failure": {
          const i = inode(op.file, at);
          const b = inodes[i]?.backing ?? "fs";
          // proc/memory-failure.ts models fs-DAX, device-DAX and page-cache files only: shmem
          // keeps a poisoned page in its cache (shmem_error_remove_folio), hugetlbfs has a path
          // of its own (try_memory_failure_hugetlb, me_huge_page).
          if (b !== "fs" && b !== "other" && b !== "devdax")
            err(
              `memory_failure: ${op.file} is ${b === "anon" ? "anonymous memory" : `on ${b}`}; pinlab models memory_failure() of fs-DAX, device-DAX and page-cache files only`,
              at,
            );
          if (!Number.isInteger(op.page) || op.page < 0 || op.page >= 32)
            err(`memory_failure: page must be in 0..31 (got ${op.page})`, at);
          push(i, op.page, op.earlyKill ? 1 : 0);
          break;
        }
        case "fork": {
          const t = procIdx.get(op.child);
          if (t === undefined) err(`fork: unknown process ${op.child}`, at);
          else if (!spec.procs[t]!.forked)
            err(`fork: process ${op.child} is not declared \`forked\``, at);
          else if (t === pi) err("fork: a process cannot fork itself", at);
          else if (parentOf.has(t)) err(`fork: process ${op.child} is forked twice`, at);
          else if (spec.procs[t]!.user !== p.user)
            err(`fork: process ${op.child} must run as ${p.user}, its parent's user`, at);
          else if (p.repeat !== undefined && index >= p.repeat.from)
            err("fork: a process is forked once; move the fork out of the repeating tail", at);
          else {
            parentOf.set(t, pi);
            forkScopes.set(t, { parent: pi, vars: new Map(vars) });
          }
          push(t ?? 0);
          break;
        }
        case "madvise":
          push(use(op.va, "va", at), MADVICE[op.advice]);
          break;
        case "mprotect":
          push(use(op.va, "va", at), PROTS[op.prot]);
          break;
        case "mremap": {
          // A new VMA slot at the new address, a copy of the old one (mm/vma-ops.ts).
          const v = use(op.va, "va", at);
          if (!op.fixed && !op.dontunmap) {
            // the same size without MREMAP_FIXED or MREMAP_DONTUNMAP: nothing moves (MREMAP_NO_RESIZE)
            vars.set(op.dst, { kind: "va", slot: v });
            push(v, v, 2);
            break;
          }
          const od = vmaDefs[v];
          const slot = vmaDefs.length;
          if (od) {
            const { forkOf: _, ...rest } = od;
            vmaDefs.push({ ...rest, proc: pi });
            // the old range (MREMAP_DONTUNMAP) may refault private pages beside the moved ones
            if (!od.shared) privatePages += od.pages;
          } else
            vmaDefs.push({
              proc: pi,
              ofd: 0,
              inode: 0,
              first: 0,
              pages: 1,
              shared: true,
              writable: false,
            });
          vars.set(op.dst, { kind: "va", slot });
          objs.push({ kind: "va", slot, index });
          push(slot, v, op.dontunmap ? 1 : 0);
          break;
        }
        case "rereg_mr": {
          // The re-registration gets a slot of its own; the variable names it from here on (rdma/rereg.ts).
          const x = use(op.mr, "mr", at);
          const od = mrDefs[x];
          if (od?.gupTest)
            err(`rereg_mr: ${op.mr} is a gup_test pin, not a memory registration`, at);
          const v = op.va !== undefined ? use(op.va, "va", at) : (od?.vma ?? 0);
          const odp = od?.odp ?? false;
          const keys = odp ? "new" : (op.keys ?? "same");
          const remoteWrite = op.access?.includes("remote_write");
          const localWrite = op.access?.includes("local_write");
          // IB_MR_REREG_ACCESS: the new flags, checked as reg_mr's; without it the old ones
          const access = op.access
            ? {
                remoteWrite: remoteWrite === true,
                remoteRead: op.access.includes("remote_read"),
                writable: remoteWrite === true || localWrite === true,
                accessValid: !remoteWrite || localWrite === true,
              }
            : {
                remoteWrite: od?.remoteWrite ?? false,
                remoteRead: od?.remoteRead ?? false,
                writable: od?.writable ?? false,
                accessValid: od?.accessValid ?? true,
              };
          const slot = mrDefs.length;
          mrDefs.push({
            proc: pi,
            vma: v,
            pages: vmaDefs[v]?.pages ?? 1,
            ...access,
            odp,
            rereg: { from: x, trans: op.va !== undefined, access: op.access !== undefined, keys },
          });
          vars.set(op.mr, { kind: "mr", slot });
          objs.push({ kind: "mr", slot, index });
          push(slot, x, slot);
          break;
        }
        case "unlink":
          push(inode(op.file, at));
          break;
        case "wait_for": {
          const t = procIdx.get(op.proc);
          const pc =
            t === undefined ? -1 : spec.procs[t]!.program.findIndex((o) => o.label === op.until);
          if (t === undefined) err(`wait_for: unknown process ${op.proc}`, at);
          else if (pc < 0)
            err(`wait_for: process ${op.proc} has no operation labelled ${op.until}`, at);
          else if (t === pi) err("wait_for: a process cannot wait for its own label", at);
          push(t ?? 0, Math.max(pc, 0));
          break;
        }
      }
      if (p.flow && "dst" in op)
        made.set(index, { op: prog[prog.length - 1]!, dst: vars.get(op.dst), inputs });
    });
    progs[pi] = prog;
    procVars[pi] = [...vars.keys()];
  };
  // Parents before their children: a child starts from its parent's variables at the fork.
  const done = new Set<number>();
  spec.procs.forEach((p, pi) => {
    if (p.forked) return;
    compileProc(p, pi, undefined);
    done.add(pi);
  });
  for (let progress = true; progress; ) {
    progress = false;
    spec.procs.forEach((p, pi) => {
      const scope = forkScopes.get(pi);
      if (done.has(pi) || !scope || !done.has(scope.parent)) return;
      compileProc(p, pi, scope.vars);
      done.add(pi);
      progress = true;
    });
  }
  spec.procs.forEach((p, pi) => {
    if (!done.has(pi))
      err(`process ${p.name} is declared \`forked\`, but no process forks it`, p.at);
  });
  if (spec.procs.length > 30 && spec.procs.some((p) => p.forked)) err("fork: at most 30 processes");

  const peerProgs: { prog: CPeerOp[]; vars: string[] }[] = spec.peers.map((r) => {
    const vars = new Map<string, number>();
    const prog: CPeerOp[] = [];
    r.program.forEach((op, index) => {
      if (op.op === "recv") {
        if (!vars.has(op.dst)) vars.set(op.dst, vars.size);
        prog.push({ spec: op, index, a: vars.get(op.dst)!, b: 0 });
      } else {
        const v = vars.get(op.mr);
        if (v === undefined)
          err(`peer ${r.name}: ${op.mr} is used before a recv assigns it`, op.at);
        if (!Number.isInteger(op.page) || op.page < 0)
          err(`page ${op.page} is out of range`, op.at);
        prog.push({ spec: op, index, a: v ?? 0, b: op.page });
      }
    });
    return { prog, vars: [...vars.keys()] };
  });

  if (
    spec.procs.length > 30 &&
    spec.procs.some((p) => p.program.some((o) => o.op === "send_uverbs"))
  )
    err("send_uverbs: at most 30 processes");
  for (const p of spec.procs)
    if (p.memlock !== undefined && (!Number.isInteger(p.memlock) || p.memlock < 0))
      err(`process ${p.name}: memlock must be a number of pages (got ${p.memlock})`, p.at);
  for (const n of spec.faults.crash) if (!procIdx.has(n)) err(`faults: unknown process ${n}`);
  for (const n of spec.faults.hang) if (!procIdx.has(n)) err(`faults: unknown process ${n}`);
  for (const n of spec.faults.partition) if (!peerIdx.has(n)) err(`faults: unknown peer ${n}`);
  for (const n of spec.faults.oom ?? []) if (!procIdx.has(n)) err(`faults: unknown process ${n}`);
  for (const n of spec.faults.peerCrash ?? [])
    if (!peerIdx.has(n)) err(`faults: unknown peer ${n}`);
  for (const f of spec.files) {
    if (f.reflinkOf !== undefined && !inodeIdx.has(f.reflinkOf))
      err(`file ${f.name}: reflink source ${f.reflinkOf} is not a file`);
    if (!Number.isInteger(f.pages) || f.pages < 0 || f.pages > 32)
      err(`file ${f.name}: pages must be in 0..32 (got ${f.pages})`);
    const b = f.backing ?? "fs";
    if (b === "other" && spec.fs.kind === "dax")
      err(`file ${f.name}: backing=other is a page-cache filesystem; it needs \`fs pagecache\``);
    if (b !== "fs" && f.reflinkOf !== undefined)
      err(`file ${f.name}: reflink= needs backing=fs (only XFS shares extents)`);
    if (b !== "fs" && f.kind === "pfnmap")
      err(`file ${f.name}: pfnmap is a device file of its own; drop backing=${b}`);
  }
  // One lineage bit per file (INO_T_LINEAGE).
  if (inodes.length > 31) err(`at most 31 files (got ${inodes.length})`);
  if (errors.length > 0) return { ok: false, errors };

  // ---- state layout ----
  const dax = spec.fs.kind === "dax";
  const nBlocks = spec.fs.blocks;
  const totalPages = inodes.length * maxPages;
  // Files whose pages live in memory only (tmpfs, hugetlbfs, device-DAX) need RAM frames on fs-DAX too.
  const memPages =
    inodes.filter((i) => i.backing !== "fs" && i.backing !== "other").length * maxPages;
  const ramFrames = dax ? 3 * memPages + privatePages + 2 : 3 * totalPages + privatePages + 2;
  const nFrames = (dax ? nBlocks : 0) + ramFrames;
  const inodeStride = INO_EXT + 2 * maxPages + INO_TAIL;
  let off = 0;
  const offBlocks = off;
  off += nBlocks * BLK_STRIDE;
  const offInodes = off;
  off += inodes.length * inodeStride;
  const offFrames = off;
  off += nFrames * FR_STRIDE;
  const offOfds = off;
  off += ofds.length * OFD_STRIDE;
  const offOfdHolders = off;
  off += ofds.length;
  const vmas: VmaInfo[] = vmaDefs.map((v) => {
    const o = off;
    off += 2 + v.pages; // mapped, PTEs, flags (layout.ts vmaFlags)
    return { ...v, off: o };
  });
  const mrs: MrInfo[] = mrDefs.map((x) => {
    const o = off;
    off += 4 + x.pages; // state, lease, pages, invalidator, holders (layout.ts mrInval, mrHolders)
    return { ...x, off: o };
  });
  const dios: DioInfo[] = dioDefs.map((d) => {
    const o = off;
    off += 1; // frame+1 while the bio is in flight (mm/dio.ts)
    return { ...d, off: o };
  });
  const procs: ProcInfo[] = spec.procs.map((p, i) => {
    const o = off;
    off += P_VARS;
    return {
      name: p.name,
      user: userIdx.get(p.user)!,
      onLeaseBreak: p.onLeaseBreak,
      // sigaction() for SIGIO and for every signal the program names in F_SETSIG, unless it installs none
      handled:
        p.onLeaseBreak === "terminate"
          ? []
          : [
              SIGIO,
              ...p.program.flatMap((op) =>
                op.op === "setsig" && SIGNALS[op.signal] !== undefined ? [SIGNALS[op.signal]!] : [],
              ),
            ],
      prog: progs[i]!,
      vars: procVars[i]!,
      off: o,
      mayCrash: spec.faults.crash.includes(p.name),
      mayHang: spec.faults.hang.includes(p.name),
      ...((spec.faults.oom ?? []).includes(p.name) ? { mayOom: true } : {}),
      prompt: assumesPrompt(spec, p.name),
      memlock: p.memlock ?? DEFAULT_MEMLOCK_PAGES,
      ...(parentOf.has(i) ? { parent: parentOf.get(i)! } : {}),
    };
  });
  const peers: PeerInfo[] = spec.peers.map((r, i) => {
    const o = off;
    off += R_VARS + peerProgs[i]!.vars.length;
    return {
      name: r.name,
      cancel: r.cancel,
      prog: peerProgs[i]!.prog,
      vars: peerProgs[i]!.vars,
      off: o,
      mayPartition: spec.faults.partition.includes(r.name),
      ...((spec.faults.peerCrash ?? []).includes(r.name) ? { mayCrash: true } : {}),
    };
  });
  // A send in a repeating tail runs as often as the tail (twice per ring for simulate's endless tails).
  const perRun = Number.isFinite(repeatLimit) ? repeatLimit : 2;
  const sendsToCap = spec.peers.map(() => 0);
  for (const p of spec.procs)
    p.program.forEach((op, index) => {
      if (op.op !== "send") return;
      const r = peerIdx.get(op.peer)!;
      sendsToCap[r]! += p.repeat && index >= p.repeat.from ? perRun : 1;
    });
  const mboxOff: number[] = [];
  const mboxCap: number[] = [];
  spec.peers.forEach((_, i) => {
    mboxOff.push(off);
    mboxCap.push(Math.max(1, sendsToCap[i]!));
    off += 1 + Math.max(1, sendsToCap[i]!);
  });
  // One iteration counter per repeating program (repeat.ts).
  const counters: number[] = [];
  for (let i = 0; i < bounded.repeating.length; i++) counters.push(off++);
  let nextCounter = 0;
  const repeatInfo = (x: { repeat?: Repeat }, objs: Objs) => {
    if (!x.repeat) return {};
    const from = x.repeat.from;
    const body = (kind: string) => objs.filter((o) => o.kind === kind && o.index >= from);
    return {
      repeat: {
        from,
        counter: counters[nextCounter++]!,
        ofds: body("fd").map((o) => o.slot),
        vmas: body("va").map((o) => o.slot),
        mrs: body("mr").map((o) => o.slot),
      },
    };
  };
  // One result field per statement an `if` tests (flow.ts), only in programs with branches.
  const flowInfo = (x: ProcSpec, prog: readonly CProcOp[], objs: Objs): { flow?: FlowInfo } => {
    if (!x.flow) return {};
    const tested = new Map<number, number>();
    for (const o of prog)
      if (o.spec.op === "jump" && o.b >= 0 && !tested.has(o.b)) tested.set(o.b, off++);
    const results = new Int32Array(prog.length).fill(-1);
    prog.forEach((o, pc) => {
      const at = tested.get(o.spec.copyOf ?? pc);
      if (at !== undefined) results[pc] = at;
    });
    const tests = prog.map((o) =>
      o.spec.op === "jump" && o.spec.unless ? resultValues(o.spec.unless.results) : undefined,
    );
    const fresh = prog.map((o): FreshSlots | undefined => {
      const c = o.spec.copyOf;
      if (c === undefined || !("dst" in o.spec)) return undefined;
      const mine = (kind: string) => objs.filter((b) => b.kind === kind && b.index === c);
      return {
        ofds: mine("fd").map((b) => b.slot),
        vmas: mine("va").map((b) => b.slot),
        mrs: mine("mr").map((b) => b.slot),
      };
    });
    return { flow: { results, tests, fresh } };
  };
  const procsR: ProcInfo[] = procs.map((p, i) => ({
    ...p,
    ...repeatInfo(spec.procs[i]!, procObjs[i]!),
    ...flowInfo(spec.procs[i]!, progs[i]!, procObjs[i]!),
  }));
  const peersR: PeerInfo[] = peers.map((r, i) => ({
    ...r,
    ...repeatInfo(spec.peers[i]!, []),
  }));
  const offKernel = off;
  off += K_STRIDE;

  const init: State = new Int32Array(off);
  const model: Model = {
    spec,
    policy,
    dax,
    users,
    inodes,
    ofds,
    vmas,
    mrs,
    dios,
    procs: procsR,
    peers: peersR,
    nBlocks,
    nFrames,
    maxPages,
    // `faults nic_no_invalidate` (old spelling) is the default `none`.
    nicInvalidate: spec.faults.nicNoInvalidate ? "none" : (spec.nic ?? DEFAULT_NIC).invalidate,
    flavor: spec.fs.flavor ?? "xfs",
    daxInode: dax && spec.fs.daxMount === "inode",
    repeatLimit,
    bounded,
    mboxOff,
    mboxCap,
    offBlocks,
    offInodes,
    inodeStride,
    offFrames,
    offOfds,
    offOfdHolders,
    offKernel,
    size: off,
    init,
  };

  // ---- initial state: declared files exist with their extents ----
  let nextBlock = 0;
  const blockOf = new Map<string, number[]>();
  for (const f of spec.files) {
    if (f.reflinkOf !== undefined) continue;
    const i = inodeIdx.get(f.name)!;
    const base = offInodes + i * inodeStride;
    init[base + INO_EXISTS] = 1;
    init[base + INO_SIZE] = f.pages;
    const blocks: number[] = [];
    // shmem and hugetlbfs inodes start with F_SEAL_SEAL (shmem_get_inode(), hugetlbfs_get_inode()).
    if (f.backing === "tmpfs" || f.backing === "hugetlbfs")
      init[base + INO_EXT + 2 * maxPages + INO_T_SEALS] = SEAL_BITS.seal;
    const onBlocks = f.backing === undefined || f.backing === "fs" || f.backing === "other";
    if (f.layout === "allocated" && f.kind !== "pfnmap" && onBlocks) {
      for (let pg = 0; pg < f.pages; pg++) {
        if (nextBlock >= nBlocks)
          return {
            ok: false,
            errors: [{ message: `fs has ${nBlocks} blocks: too few for the declared files` }],
          };
        const b = nextBlock++;
        blocks.push(b);
        init[base + INO_EXT + pg] = b + 1;
        init[offBlocks + b * BLK_STRIDE + BLK_USERS] = 1;
        init[offBlocks + b * BLK_STRIDE + BLK_CONTENT] = f.zeroed ? CONTENT_ZERO : CONTENT_STALE;
      }
    }
    blockOf.set(f.name, blocks);
  }
  for (const f of spec.files) {
    if (f.reflinkOf === undefined) continue;
    const i = inodeIdx.get(f.name)!;
    const src = inodeIdx.get(f.reflinkOf)!;
    const base = offInodes + i * inodeStride;
    const sbase = offInodes + src * inodeStride;
    init[base + INO_EXISTS] = 1;
    init[base + INO_SIZE] = init[sbase + INO_SIZE]!;
    for (let pg = 0; pg < maxPages; pg++) {
      const b1 = init[sbase + INO_EXT + pg]!;
      init[base + INO_EXT + pg] = b1;
      if (b1 > 0) init[offBlocks + (b1 - 1) * BLK_STRIDE + BLK_USERS]! += 1;
    }
  }
  // Each file may hold its own data; a clone also its source's (FICLONE at setup).
  const tail = (i: number) => offInodes + i * inodeStride + INO_EXT + 2 * maxPages;
  for (let i = 0; i < inodes.length; i++) init[tail(i) + INO_T_LINEAGE] = 1 << i;
  // i_uid and i_mode as declared (or as `open ... create` gives them), for chown and chmod;
  // FS_XFLAG_DAX set on every file of a `dax=inode` mount (inherited from the directory).
  for (let i = 0; i < inodes.length; i++) {
    init[tail(i) + INO_T_OWNER] = inodes[i]!.owner;
    init[tail(i) + INO_T_MODE] = inodes[i]!.mode;
    if (model.daxInode && inodes[i]!.backing === "fs") init[tail(i) + INO_T_XFLAGS] = XF_DAX;
  }
  for (const f of spec.files) {
    if (f.reflinkOf === undefined) continue;
    const i = inodeIdx.get(f.name)!;
    const src = inodeIdx.get(f.reflinkOf)!;
    init[tail(i) + INO_T_LINEAGE]! |= init[tail(src) + INO_T_LINEAGE]!;
  }
  // Blocks never allocated hold leftovers of earlier files (CONTENT_STALE). The
  // filesystem never lets them be read: an allocation either zeroes the block
  // (DAX, XFS_BMAPI_ZERO) or marks it unwritten (fallocate; see fs/blocks.ts).
  for (let b = nextBlock; b < nBlocks; b++)
    init[offBlocks + b * BLK_STRIDE + BLK_CONTENT] = CONTENT_STALE;
  // A process with an empty program has finished it before the first step
  // (the status the last operation's return leaves, program.ts advance()).
  for (const p of model.procs) if (p.prog.length === 0) init[p.off + P_STATUS] = PS_DONE;
  // A forked child does not exist until its parent's fork (proc/fork.ts).
  for (const p of model.procs) if (p.parent !== undefined) init[p.off + P_STATUS] = PS_UNBORN;
  return { ok: true, model };
}

/**
 * The inodes of `memfd_create` (named `memfd:VAR` as the kernel names them,
 * tmpfs or hugetlbfs) and of `mmap anon` (`anon:VAR`: a shmem object when
 * shared, anonymous memory when private), one per operation. They start
 * non-existent; the operation creates them.
 */
function hiddenInodes(
  spec: ScenarioSpec,
  inodes: InodeInfo[],
  inodeIdx: Map<string, number>,
  userIdx: ReadonlyMap<string, number>,
): Map<ProcOp, number> {
  const own = new Map<ProcOp, number>();
  for (const p of spec.procs) {
    const owner = userIdx.get(p.user) ?? 0;
    for (const op of p.program) {
      if (op.op !== "memfd_create" && op.op !== "mmap_anon") continue;
      const base = `${op.op === "memfd_create" ? "memfd" : "anon"}:${op.dst}`;
      let name = base;
      for (let n = 2; inodeIdx.has(name); n++) name = `${base}#${n}`;
      inodeIdx.set(name, inodes.length);
      own.set(op, inodes.length);
      inodes.push({
        name,
        owner,
        mode: op.op === "memfd_create" ? 0o777 : 0o600,
        pfnmap: false,
        movable: false,
        declared: false,
        backing:
          op.op === "memfd_create"
            ? op.hugetlb
              ? "hugetlbfs"
              : "tmpfs"
            : op.shared
              ? "tmpfs"
              : "anon",
        ...(op.op === "memfd_create" ? { memfd: true } : {}),
      });
    }
  }
  return own;
}

function article(k: VarKind): string {
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

/**
 * Whether the scenario assumes holder `name` answers lease breaks within
 * lease-break-time (an `assume` statement). Without one nothing is assumed:
 * the timer may fire at any moment of the break, racing the holder's answer.
 */
export function assumesPrompt(spec: ScenarioSpec, name: string): boolean {
  return (spec.assumptions ?? []).some(
    (a) => a.kind === "answers-within-lease-break-time" && (!a.procs || a.procs.includes(name)),
  );
}

/**
 * A repeating tail must release what it creates (repeat.ts): every fd it
 * opens is closed, every mapping unmapped, every MR deregistered before the
 * tail ends, so the next iteration can create them again.
 */
function unreleased(p: ProcSpec, err: (message: string, at?: SourcePos) => void): void {
  const from = p.repeat!.from;
  const body = p.program.slice(from);
  body.forEach((op, k) => {
    if (!(op.op in RELEASE)) return;
    const kind = op.op as keyof typeof RELEASE;
    if (!("dst" in op)) return;
    const later = body.slice(k + 1);
    const rebound = later.findIndex((o) => "dst" in o && o.dst === op.dst);
    const until = rebound < 0 ? later : later.slice(0, rebound);
    const released = until.some(
      (o) =>
        (op.op === "open" && o.op === "close" && o.fd === op.dst) ||
        (op.op === "mmap" && o.op === "munmap" && o.va === op.dst) ||
        (op.op === "reg_mr" && o.op === "dereg_mr" && o.mr === op.dst) ||
        (op.op === "memfd_create" && o.op === "close" && o.fd === op.dst) ||
        (op.op === "mmap_anon" && o.op === "munmap" && o.va === op.dst) ||
        (op.op === "pin_longterm" && o.op === "unpin_longterm" && o.pin === op.dst),
    );
    if (!released)
      err(
        `process ${p.name}: the repeating tail ${RELEASE[kind].what} ${op.dst} but never ${RELEASE[kind].undo}s it; ${RELEASE[kind].undo} it before the tail ends, or create it before \`repeat\``,
        op.at,
      );
  });
}

const RELEASE = {
  open: { what: "opens", undo: "close" },
  mmap: { what: "maps", undo: "unmap" },
  reg_mr: { what: "registers", undo: "deregister" },
  memfd_create: { what: "creates the memfd", undo: "close" },
  mmap_anon: { what: "maps", undo: "unmap" },
  pin_longterm: { what: "pins", undo: "unpin" },
} as const;
