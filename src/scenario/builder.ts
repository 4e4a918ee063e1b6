/**
 * The TypeScript scenario builder: a fluent way to write a {@link ScenarioSpec}.
 * The `.pin` text format compiles to the same plain data.
 *
 *   scenario("truncate vs RDMA WRITE")
 *     .fs("dax", 4).user("alice").file("data", { owner: "alice", pages: 2 })
 *     .proc("server", "alice", (p) => p.open("fd", "data", "rw").mmap("va", "fd", 0, 1)...)
 */

import { unrollFlow } from "../model/flow.js";
import type {
  Access,
  Assumption,
  Backing,
  Bounds,
  Cap,
  Expectation,
  FallocMode,
  FaultSpec,
  FileSpec,
  FlowStmt,
  FsFlavor,
  FsKind,
  LeaseBreakBehaviour,
  LeaseVariant,
  NicSpec,
  PeerOp,
  PeerSpec,
  ProcOp,
  ProcSpec,
  Quantifier,
  ScenarioSpec,
  Seal,
  UserSpec,
} from "../model/spec.js";
import { NO_FAULTS } from "../model/spec.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Builds the program of one local process. Every method appends one operation. */
export class ProcBuilder {
  readonly ops: ProcOp[] = [];
  /** The program as written, with its loops and branches (model/flow.ts). */
  readonly flow: FlowStmt[] = [];
  /** Whether `loop`, `when` or `exitLoop` was used (here or in a block inside). */
  hasFlow = false;
  private push(op: ProcOp): this {
    this.ops.push(op);
    this.flow.push({ kind: "op", op });
    return this;
  }
  private block(body: (p: ProcBuilder) => ProcBuilder): FlowStmt[] {
    const inner = body(new ProcBuilder());
    this.hasFlow = true;
    return inner.flow;
  }
  /** `loop N { ... }`: the block `count` times (1..16); labels inside become `LABEL#k`. */
  loop(count: number, body: (p: ProcBuilder) => ProcBuilder): this {
    this.flow.push({ kind: "loop", count, body: this.block(body) });
    return this;
  }
  /** `if LABEL RESULTS { ... } [else { ... }]`: `results` are `ok` and errno names. */
  when(
    label: string,
    results: readonly string[],
    body: (p: ProcBuilder) => ProcBuilder,
    otherwise?: (p: ProcBuilder) => ProcBuilder,
  ): this {
    this.flow.push({
      kind: "if",
      label,
      results,
      body: this.block(body),
      ...(otherwise ? { otherwise: this.block(otherwise) } : {}),
    });
    return this;
  }
  /** `break`: leave the innermost loop. */
  exitLoop(): this {
    this.hasFlow = true;
    this.flow.push({ kind: "break" });
    return this;
  }
  open(dst: string, file: string, mode: "r" | "w" | "rw" = "rw", create = false): this {
    return this.push({ op: "open", dst, file, mode, create });
  }
  create(dst: string, file: string): this {
    return this.open(dst, file, "rw", true);
  }
  close(fd: string): this {
    return this.push({ op: "close", fd });
  }
  mmap(
    dst: string,
    fd: string,
    first: number,
    last: number,
    opts: { shared?: boolean; prot?: "r" | "rw" } = {},
  ): this {
    return this.push({
      op: "mmap",
      dst,
      fd,
      first,
      last,
      shared: opts.shared ?? true,
      prot: opts.prot ?? "rw",
    });
  }
  /** mmap(MAP_ANONYMOUS) of `pages` pages; private unless `shared`. */
  mmapAnon(dst: string, pages: number, opts: { shared?: boolean; prot?: "r" | "rw" } = {}): this {
    return this.push({
      op: "mmap_anon",
      dst,
      pages,
      shared: opts.shared ?? false,
      prot: opts.prot ?? "rw",
    });
  }
  memfdCreate(dst: string, opts: { hugetlb?: boolean; allowSealing?: boolean } = {}): this {
    return this.push({
      op: "memfd_create",
      dst,
      hugetlb: opts.hugetlb ?? false,
      allowSealing: opts.allowSealing ?? false,
    });
  }
  addSeals(fd: string, seals: readonly Seal[]): this {
    return this.push({ op: "add_seals", fd, seals });
  }
  /** gup_test's PIN_LONGTERM_TEST_START (R/W unless `write: false`; slow unless `fast`). */
  pinLongterm(dst: string, va: string, opts: { write?: boolean; fast?: boolean } = {}): this {
    return this.push({
      op: "pin_longterm",
      dst,
      va,
      write: opts.write ?? true,
      fast: opts.fast ?? false,
    });
  }
  unpinLongterm(pin: string): this {
    return this.push({ op: "unpin_longterm", pin });
  }
  munmap(va: string): this {
    return this.push({ op: "munmap", va });
  }
  store(va: string, page: number): this {
    return this.push({ op: "store", va, page });
  }
  load(va: string, page: number): this {
    return this.push({ op: "load", va, page });
  }
  read(fd: string, page: number): this {
    return this.push({ op: "read", fd, page });
  }
  write(fd: string, page: number): this {
    return this.push({ op: "write", fd, page });
  }
  regMr(dst: string, va: string, access: readonly Access[], opts: { odp?: boolean } = {}): this {
    return this.push({ op: "reg_mr", dst, va, access, odp: opts.odp ?? false });
  }
  deregMr(mr: string): this {
    return this.push({ op: "dereg_mr", mr });
  }
  send(peer: string, mr: string): this {
    return this.push({ op: "send", peer, mr });
  }
  /** IORING_REGISTER_BUFFERS of mapping `va` as one fixed buffer. */
  ioUringRegister(dst: string, va: string): this {
    return this.push({ op: "io_uring_register", dst, va });
  }
  ioUringUnregister(buf: string): this {
    return this.push({ op: "io_uring_unregister", buf });
  }
  /** IORING_OP_READ_FIXED into page `page` of the buffer. */
  readFixed(buf: string, page: number): this {
    return this.push({ op: "read_fixed", buf, page });
  }
  /** IORING_OP_WRITE_FIXED from page `page` of the buffer. */
  writeFixed(buf: string, page: number): this {
    return this.push({ op: "write_fixed", buf, page });
  }
  /**
   * VFIO_IOMMU_MAP_DMA of mapping `va`; `prot` from the device's side, both by
   * default (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE).
   */
  vfioMapDma(
    dst: string,
    va: string,
    prot: readonly ("read" | "write")[] = ["read", "write"],
  ): this {
    return this.push({
      op: "vfio_map_dma",
      dst,
      va,
      read: prot.includes("read"),
      write: prot.includes("write"),
    });
  }
  /** VFIO_IOMMU_UNMAP_DMA of the mapping's IOVA range. */
  vfioUnmapDma(dma: string): this {
    return this.push({ op: "vfio_unmap_dma", dma });
  }
  /** The assigned device writes page `page` of the DMA mapping. */
  vfioDmaWrite(dma: string, page: number): this {
    return this.push({ op: "vfio_dma_write", dma, page });
  }
  /** The assigned device reads page `page` of the DMA mapping. */
  vfioDmaRead(dma: string, page: number): this {
    return this.push({ op: "vfio_dma_read", dma, page });
  }
  /** vmsplice(2) of page `page` of the mapping into the process's pipe. */
  vmsplice(va: string, page: number): this {
    return this.push({ op: "vmsplice", va, page });
  }
  /** read(2) of the process's pipe (O_NONBLOCK): every buffer consumed. */
  pipeRead(): this {
    return this.push({ op: "pipe_read" });
  }
  /** An O_DIRECT read from another device into page `page` of the mapping. */
  dioRead(va: string, page: number): this {
    return this.push({ op: "dio_read", va, page });
  }
  /** An O_DIRECT write to another device from page `page` of the mapping. */
  dioWrite(va: string, page: number): this {
    return this.push({ op: "dio_write", va, page });
  }
  setlease(
    fd: string,
    type: "rd" | "wr" | "unlck",
    opts: { layout?: boolean; unbreak?: boolean } = {},
  ): this {
    return this.push({
      op: "setlease",
      fd,
      type,
      layout: opts.layout ?? false,
      unbreak: opts.unbreak ?? false,
    });
  }
  truncate(file: string, pages: number): this {
    return this.push({ op: "truncate", file, pages });
  }
  ftruncate(fd: string, pages: number): this {
    return this.push({ op: "ftruncate", fd, pages });
  }
  fallocate(fd: string, mode: FallocMode, first: number, last: number): this {
    return this.push({ op: "fallocate", fd, mode, first, last });
  }
  reflink(src: string, dst: string): this {
    return this.push({ op: "reflink", src, dst });
  }
  /** FIDEDUPERANGE of pages first..last of src into dst (same offsets). */
  dedupe(src: string, dst: string, first: number, last: number): this {
    return this.push({ op: "dedupe", src, dst, first, last });
  }
  chmod(file: string, mode: number): this {
    return this.push({ op: "chmod", file, mode });
  }
  chown(file: string, user: string): this {
    return this.push({ op: "chown", file, user });
  }
  /** FS_IOC_FSSETXATTR setting (true) or clearing FS_XFLAG_DAX. */
  fssetxattr(fd: string, dax: boolean): this {
    return this.push({ op: "fssetxattr", fd, dax });
  }
  fsync(fd: string): this {
    return this.push({ op: "fsync", fd });
  }
  await(peer: string): this {
    return this.push({ op: "await", peer });
  }
  unplug(): this {
    return this.push({ op: "unplug" });
  }
  /** kill(2); without a signal, SIGKILL. */
  kill(proc: string, signal?: string): this {
    return this.push(signal === undefined ? { op: "kill", proc } : { op: "kill", proc, signal });
  }
  /** fcntl(fd, F_SETSIG, signal). */
  setsig(fd: string, signal: string): this {
    return this.push({ op: "setsig", fd, signal });
  }
  sendUverbs(proc: string): this {
    return this.push({ op: "send_uverbs", proc });
  }
  exit(): this {
    return this.push({ op: "exit" });
  }
  /** fork(2) of a process declared with `forked: true`. */
  fork(child: string): this {
    return this.push({ op: "fork", child });
  }
  madvise(va: string, advice: "dontfork" | "dofork" | "dontneed"): this {
    return this.push({ op: "madvise", va, advice });
  }
  /** mprotect(2) of the whole mapping. */
  mprotect(va: string, prot: "r" | "rw" | "none"): this {
    return this.push({ op: "mprotect", va, prot });
  }
  /** mremap(2) with MREMAP_MAYMOVE, same size: `fixed` (MREMAP_FIXED) and/or `dontunmap` move it. */
  mremap(dst: string, va: string, o: { fixed?: boolean; dontunmap?: boolean } = {}): this {
    return this.push({
      op: "mremap",
      dst,
      va,
      ...(o.fixed ? { fixed: true } : {}),
      dontunmap: o.dontunmap ?? false,
    });
  }
  /** ibv_rereg_mr(): a new range (`va`) and/or access flags; `keys`: same lkey/rkey or new ones. */
  reregMr(
    mr: string,
    opts: { va?: string; access?: readonly Access[]; keys?: "same" | "new" } = {},
  ): this {
    return this.push({ op: "rereg_mr", mr, ...opts });
  }
  unlink(file: string): this {
    return this.push({ op: "unlink", file });
  }
  /** Waits until process `proc` has finished its operation labelled `label` (or died). */
  waitFor(proc: string, label: string): this {
    return this.push({ op: "wait_for", proc, until: label });
  }
  /** Labels the last operation, so that an expectation can name it. */
  as(label: string): this {
    const last = this.flow[this.flow.length - 1];
    if (last?.kind !== "op") throw new Error("as(): no operation to label");
    const op = { ...last.op, label };
    this.flow[this.flow.length - 1] = { kind: "op", op };
    this.ops[this.ops.length - 1] = op;
    return this;
  }
}

/** A process's program, unrolled when it has loops or branches (compile reports what cannot work). */
function program(b: ProcBuilder): Pick<ProcSpec, "program" | "flow"> {
  if (!b.hasFlow) return { program: b.ops };
  return { flow: b.flow, program: unrollFlow(b.flow).program };
}

/** Builds the RDMA program of one remote peer. */
export class PeerBuilder {
  readonly ops: PeerOp[] = [];
  recv(dst: string): this {
    this.ops.push({ op: "recv", dst });
    return this;
  }
  rdmaWrite(mr: string, page: number): this {
    this.ops.push({ op: "rdma_write", mr, page });
    return this;
  }
  rdmaRead(mr: string, page: number): this {
    this.ops.push({ op: "rdma_read", mr, page });
    return this;
  }
}

export interface FileOptions {
  owner: string;
  pages: number;
  mode?: number;
  layout?: "allocated" | "sparse";
  zeroed?: boolean;
  reflinkOf?: string;
  kind?: "regular" | "pfnmap";
  movable?: boolean;
  backing?: Backing;
}

export interface ProcOptions {
  user: string;
  onLeaseBreak?: LeaseBreakBehaviour;
  /** RLIMIT_MEMLOCK in pages (default: the kernel's 8 MiB). */
  memlock?: number;
  /** Started by another process's `fork` (ProcSpec.forked). */
  forked?: boolean;
}

/** The scenario under construction; `build()` returns the plain {@link ScenarioSpec}. */
export class ScenarioBuilder {
  private readonly spec: Mutable<ScenarioSpec>;
  constructor(name: string) {
    this.spec = {
      name,
      fs: { kind: "dax", blocks: 4 },
      users: [],
      files: [],
      procs: [],
      peers: [],
      faults: NO_FAULTS,
      bounds: {},
      expectations: [],
    };
  }
  fs(kind: FsKind, blocks: number, flavor?: FsFlavor, daxMount?: "always" | "inode"): this {
    this.spec.fs = {
      kind,
      blocks,
      ...(flavor !== undefined ? { flavor } : {}),
      ...(daxMount !== undefined ? { daxMount } : {}),
    };
    return this;
  }
  user(name: string, caps: readonly Cap[] = []): this {
    (this.spec.users as UserSpec[]).push({ name, caps });
    return this;
  }
  file(name: string, o: FileOptions): this {
    const f: FileSpec = {
      name,
      owner: o.owner,
      mode: o.mode ?? 0o644,
      pages: o.pages,
      layout: o.layout ?? "allocated",
      zeroed: o.zeroed ?? true,
      ...(o.reflinkOf !== undefined ? { reflinkOf: o.reflinkOf } : {}),
      kind: o.kind ?? "regular",
      movable: o.movable ?? false,
      ...(o.backing !== undefined && o.backing !== "fs" ? { backing: o.backing } : {}),
    };
    (this.spec.files as FileSpec[]).push(f);
    return this;
  }
  proc(name: string, o: ProcOptions | string, body: (p: ProcBuilder) => ProcBuilder): this {
    const opts = typeof o === "string" ? { user: o } : o;
    const p: ProcSpec = {
      name,
      user: opts.user,
      onLeaseBreak: opts.onLeaseBreak ?? "terminate",
      ...(opts.memlock !== undefined ? { memlock: opts.memlock } : {}),
      ...(opts.forked ? { forked: true } : {}),
      ...program(body(new ProcBuilder())),
    };
    (this.spec.procs as ProcSpec[]).push(p);
    return this;
  }
  peer(name: string, body: (r: PeerBuilder) => PeerBuilder, opts: { cancel?: boolean } = {}): this {
    const r: PeerSpec = { name, cancel: opts.cancel ?? true, program: body(new PeerBuilder()).ops };
    (this.spec.peers as PeerSpec[]).push(r);
    return this;
  }
  faults(f: Partial<FaultSpec>): this {
    this.spec.faults = { ...this.spec.faults, ...f };
    return this;
  }
  /** The local NIC's abilities (spec.ts NicSpec). */
  nic(n: NicSpec): this {
    this.spec.nic = n;
    return this;
  }
  /** Which layout-lease patches the programs are written for (the `layout_lease` statement). */
  layoutLease(variant: LeaseVariant): this {
    this.spec.layoutLease = variant;
    return this;
  }
  bounds(b: Bounds): this {
    this.spec.bounds = { ...this.spec.bounds, ...b };
    return this;
  }
  /**
   * States that `procs` (absent: every holder) answer a lease break within
   * lease-break-time: `assume holders answer within lease_break_time`, or
   * `assume P,... answers within lease_break_time`. Without it a lease-break
   * timer may fire at any moment of the break.
   */
  assumeAnswers(procs?: readonly string[]): this {
    if (procs !== undefined && procs.length === 0)
      throw new Error("assumeAnswers: name at least one process, or none for every holder");
    const a: Assumption = {
      kind: "answers-within-lease-break-time",
      ...(procs !== undefined ? { procs: [...procs] } : {}),
    };
    this.spec.assumptions = [...(this.spec.assumptions ?? []), a];
    return this;
  }
  expect(quantifier: Quantifier, property: string, policies?: readonly string[]): this {
    const e: Expectation = {
      kind: "property",
      quantifier,
      property,
      ...(policies ? { policies } : {}),
    };
    (this.spec.expectations as Expectation[]).push(e);
    return this;
  }
  expectResult(proc: string, op: string, result: string, policies?: readonly string[]): this {
    const e: Expectation = { kind: "result", proc, op, result, ...(policies ? { policies } : {}) };
    (this.spec.expectations as Expectation[]).push(e);
    return this;
  }
  /** Replaces one process's lease-break behaviour (for variants of a scenario). */
  onLeaseBreak(proc: string, b: LeaseBreakBehaviour): this {
    this.spec.procs = this.spec.procs.map((p) => (p.name === proc ? { ...p, onLeaseBreak: b } : p));
    return this;
  }
  build(): ScenarioSpec {
    return structuredClone(this.spec);
  }
}

export function scenario(name: string): ScenarioBuilder {
  return new ScenarioBuilder(name);
}
