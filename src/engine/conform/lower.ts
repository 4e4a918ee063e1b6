/**
 * `pinlab conform`'s lowering: one schedule of a scenario, as the model ran
 * it, becomes a C program (over conform/runtime.h) that does the same
 * operations in the same order on a real kernel, and the model's own answer
 * for each operation, to compare with what the program prints. Pure: the
 * caller compiles and runs the text (src/cli/commands/conform.ts).
 *
 * Lowered: open, close, mmap (file and anonymous), memfd_create, F_ADD_SEALS,
 * munmap, CPU loads and stores (SIGBUS/SIGSEGV caught), pread, pwrite,
 * truncate, ftruncate, fallocate (every mode), chmod, chown, fsync, unlink,
 * fork, madvise, exit, FICLONE (where the filesystem has reflink),
 * FIDEDUPERANGE, FS_IOC_FSSETXATTR's FS_XFLAG_DAX, ibv_rereg_mr of the
 * access flags,
 * F_SETLEASE and F_SETSIG, the delivery of a lease-break signal, the end of
 * a lease-break handler and the lease-break timer, io_uring buffer
 * registration and fixed I/O (liburing), ibv_reg_mr/ibv_dereg_mr and a remote
 * peer's recv, RDMA WRITE and READ through a loopback RC QP (libibverbs, where
 * an RDMA device exists), and send/await/wait_for (the application's own
 * protocol: the schedule orders them). Everything else, and every operation
 * whose inputs come from one, is "not runnable" with the reason.
 */
import { errnoName } from "../../model/errno.js";
import type { ModelEvent } from "../../model/events.js";
import { type Model, type State, vma } from "../../model/layout.js";
import { pteFrame } from "../../model/mm/pte.js";
import { SIGNALS } from "../../model/proc/signum.js";
import type { Backing, ProcOp, ScenarioSpec } from "../../model/spec.js";
import {
  A_HANDLER,
  A_LEASE_TIMER,
  A_PEER,
  A_PROC,
  A_SIGIO,
  actionIndex,
  actionKind,
} from "../../model/step.js";
import type { TraceStep } from "../run/exec.js";
import { applicable } from "../run/expect.js";

/** What the program can use where it runs: a directory per backing, and the features present. */
export interface Target {
  /** Directories for files of each backing (fs: the scenario's filesystem, of kind `fsKind`). */
  readonly dirs: Partial<Record<Backing, string>>;
  /** What the `fs` directory is: a page-cache ext4 or an ext4 with -o dax. */
  readonly fsKind?: "pagecache" | "dax";
  readonly uring: boolean;
  readonly verbs: boolean;
  /** The `fs` directory's filesystem has reflink (FICLONE): XFS made with -m reflink=1. */
  readonly reflink?: boolean;
  /** The filesystem of the `fs` directory (default ext4): the program checks it before it starts. */
  readonly fsType?: "ext4" | "xfs";
  /**
   * Why the verbs provider cannot rereg an MR (absent: try; the program says
   * "not-run" when ibv_rereg_mr() answers EOPNOTSUPP).
   */
  readonly noRereg?: string;
}

/** One operation of the schedule, with the model's answer. */
export interface Row {
  readonly step: number;
  readonly actor: string;
  readonly op: string;
  /** ok, errno NAME, signal NAME, blocks, blocks-then X, skipped. */
  readonly model: string;
  /**
   * The scenario's own expectation for the operation under linux (the
   * gup_longterm.c scenarios take theirs from the selftest's table), if any.
   */
  readonly expected?: string;
  /** Why the operation cannot run on this target (absent: it runs). */
  readonly notRunnable?: string;
}

export interface Lowered {
  readonly rows: readonly Row[];
  /** The C program (absent: nothing of the scenario runs here; `why` says why). */
  readonly c?: string;
  readonly why?: string;
  /** Needs liburing / libibverbs to link. */
  readonly uring: boolean;
  readonly verbs: boolean;
}

interface Occ {
  /** A process's operation, a peer's, a signal's delivery, a lease-break handler's end, a lease-break timer. */
  kind: "proc" | "peer" | "signal" | "handler" | "timer";
  /** The process (the peer for `peer`; the lease holder for `timer`). */
  proc: number;
  pc: number;
  model: string;
  /** proc: the MR or buffer the operation pinned (its `pin` event). */
  mr?: number;
  /** handler: the MRs and buffers it lets go of (its `handler-done`); absent: it only asks peers to cancel. */
  mrs?: readonly number[];
  /** Why the step cannot be lowered (a handler that hangs or crashes, a signal that interrupts a call). */
  why?: string;
  /**
   * A device access of a pinned page (fixed I/O, an RDMA WRITE/READ that
   * landed): the pin (MR or buffer), the page and frame it reached, and the
   * step (index into the schedule) after which it happened.
   */
  data?: { mr: number; page: number; frame: number; at: number };
}

function resultText(r: number): string {
  return r < 0 ? `errno ${errnoName(-r)}` : "ok";
}

/**
 * Each operation of the run once, in schedule order, with its model outcome:
 * the processes' operations, the peers' (an RDMA WRITE/READ's outcome is its
 * completion: `wc SUCCESS qp=RTS` when the data lands, `wc STATUS qp=ERR`
 * when the NIC fails it), the delivery of lease-break signals, the
 * lease-break handlers' teardown, and the lease-break timers.
 */
function occurrences(m: Model, steps: readonly TraceStep[]): Occ[] {
  let at = -1;
  const out: Occ[] = [];
  const open = new Map<number, Occ>();
  const peerPc = m.peers.map(() => 0);
  const inflight = new Map<number, Occ>(); // peer → its operation in flight
  const lastSig = new Map<number, string>(); // proc → the signal its last lease break sent
  const seen = (o: Occ) => out.push(o);
  for (const st of steps) {
    at++;
    const kind = actionKind(st.action);
    const idx = actionIndex(st.action);
    let cur: Occ | undefined;
    if (kind === A_PEER) {
      cur = { kind: "peer", proc: idx, pc: peerPc[idx]!, model: "issued" };
      peerPc[idx]!++;
      seen(cur);
    } else if (kind === A_SIGIO) {
      cur = { kind: "signal", proc: idx, pc: -1, model: `signal ${lastSig.get(idx) ?? "SIGIO"}` };
      if (open.has(idx)) cur.why = "the signal interrupts a blocked call: not lowered";
      seen(cur);
    } else if (kind === A_HANDLER) {
      cur = { kind: "handler", proc: idx, pc: -1, model: "ok" };
      seen(cur);
    } else if (kind === A_LEASE_TIMER) {
      seen({ kind: "timer", proc: m.ofds[idx]!.proc, pc: -1, model: "ok" });
    }
    let made: Occ | undefined;
    let pinned: number | undefined;
    let fixed: Occ["data"];
    for (const e of st.events as readonly ModelEvent[]) {
      if (e.k === "ret" || e.k === "skip" || e.k === "block") {
        const blocked = open.get(e.proc);
        if (blocked && blocked.pc === e.pc) {
          if (e.k === "ret") {
            blocked.model = `blocks-then ${resultText(e.result)}`;
            open.delete(e.proc);
          }
          continue;
        }
        const o: Occ = {
          kind: "proc",
          proc: e.proc,
          pc: e.pc,
          model: e.k === "ret" ? resultText(e.result) : e.k === "skip" ? "skipped" : "blocks",
        };
        if (e.k === "block") open.set(e.proc, o);
        made = o;
        seen(o);
      } else if (e.k === "exit" && e.cause === "program" && kind === A_PROC && idx === e.proc) {
        // The program's `exit`: no `ret` event, the process is gone (its fds, MRs and QPs with it).
        const last = [...out].reverse().find((o) => o.proc === e.proc && o.kind === "proc");
        made = { kind: "proc", proc: e.proc, pc: last ? last.pc + 1 : 0, model: "ok" };
        seen(made);
      } else if (
        e.k === "exit" &&
        e.cause === "signal" &&
        kind === A_PROC &&
        idx === e.proc &&
        made === undefined
      ) {
        // A load or store the kernel answers with a fatal SIGSEGV/SIGBUS: no `ret`, the process dies.
        const last = [...out].reverse().find((o) => o.proc === e.proc && o.kind === "proc");
        made = {
          kind: "proc",
          proc: e.proc,
          pc: last ? last.pc + 1 : 0,
          model: `signal ${e.sig ?? "SIGSEGV"}`,
        };
        seen(made);
      } else if (e.k === "exit" && e.cause === "fault") {
        const last = [...out].reverse().find((o) => o.proc === e.proc && o.kind === "proc");
        if (last) last.model = `signal ${e.sig ?? "SIGBUS"}`;
      } else if (e.k === "exit" && cur?.kind === "signal" && e.proc === cur.proc) {
        if (e.how === "killed") cur.model = `killed ${e.sig ?? "SIGIO"}`;
        else cur.why = "a lease-break handler that crashes is not lowered";
      } else if (e.k === "hang" && cur?.kind === "signal" && e.proc === cur.proc) {
        cur.why = "a lease-break handler that hangs is not lowered";
      } else if (e.k === "sigio") {
        lastSig.set(e.proc, e.sig ?? "SIGIO");
      } else if (e.k === "handler-done" && cur?.kind === "handler") {
        cur.mrs = e.mrs;
      } else if (e.k === "pin") {
        pinned = e.mr;
      } else if (e.k === "recv" && cur?.kind === "peer") {
        cur.model = "ok";
      } else if (e.k === "issue" && cur?.kind === "peer") {
        inflight.set(e.peer, cur);
      } else if (e.k === "dma" && e.via === undefined && e.peer >= 0) {
        const o = inflight.get(e.peer);
        if (o) {
          o.model = "wc SUCCESS qp=RTS";
          o.data = { mr: e.mr, page: e.page, frame: e.frame, at };
        }
        inflight.delete(e.peer);
      } else if (e.k === "dma" && e.via === "io_uring") {
        fixed = { mr: e.mr, page: e.page, frame: e.frame, at };
      } else if (e.k === "rdma-error") {
        const o =
          inflight.get(e.peer) ?? (cur?.kind === "peer" && cur.proc === e.peer ? cur : undefined);
        if (o) o.model = `wc ${e.status} qp=ERR`;
        inflight.delete(e.peer);
      } else if (e.k === "peer-repeat") {
        peerPc[e.peer] = e.pc;
      }
    }
    if (made && pinned !== undefined) made.mr = pinned;
    if (made && fixed) made.data = fixed;
  }
  return out;
}

/**
 * cow.c's content check, as the model has it: whether the device's access
 * reached the page the pinning process's mapping shows now (`data=mapping`)
 * or another one (`data=stale`: the pin and the mapping parted, a COW broken
 * after a fork, say). Undefined when the mapping has no present PTE there:
 * nothing to compare without faulting it in.
 */
function dataOf(
  m: Model,
  states: readonly State[] | undefined,
  d: Occ["data"],
): string | undefined {
  if (!states || !d) return undefined;
  const s = states[d.at + 1];
  const mr = m.mrs[d.mr];
  if (!s || !mr) return undefined;
  // The accessed page's place in the VMA the pin was taken on (d.page is the file's page index).
  const k = d.page - m.vmas[mr.vma]!.first;
  const pte = s[vma(m, mr.vma) + 1 + k];
  if (s[vma(m, mr.vma)] === 0 || !pte) return undefined;
  return pteFrame(pte) === d.frame ? "data=mapping" : "data=stale";
}

/** A short text of the operation, as the scenario writes it. */
export function opText(op: ProcOp): string {
  const o = op as unknown as Record<string, unknown>;
  const parts: string[] = [op.op];
  // reflink's and dedupe's `dst` is a descriptor they take, not a variable they set.
  const input = op.op === "reflink" || op.op === "dedupe";
  for (const [k, v] of Object.entries(o)) {
    if (k === "op" || (k === "dst" && !input) || k === "at" || k === "label" || v === false)
      continue;
    if (v === true) {
      parts.push(k);
      continue;
    }
    parts.push(Array.isArray(v) ? `${k}=${v.join(",")}` : `${k}=${String(v)}`);
  }
  const dst = typeof o.dst === "string" && !input ? `${o.dst} = ` : "";
  return `${op.label ? `${op.label}: ` : ""}${dst}${parts.join(" ")}`;
}

const IBV: Record<string, string> = {
  local_write: "IBV_ACCESS_LOCAL_WRITE",
  remote_write: "IBV_ACCESS_REMOTE_WRITE",
  remote_read: "IBV_ACCESS_REMOTE_READ",
};

const SEAL: Record<string, string> = {
  seal: "F_SEAL_SEAL",
  shrink: "F_SEAL_SHRINK",
  grow: "F_SEAL_GROW",
  write: "F_SEAL_WRITE",
  future_write: "F_SEAL_FUTURE_WRITE",
  exec: "0x0020",
};

/**
 * The x86-64 system call each lowered operation sleeps in when it blocks
 * (arch/x86/entry/syscalls/syscall_64.tbl; glibc's open() is openat; -1: a
 * page fault, no system call): a worker that blocks elsewhere is a mismatch.
 */
const CALL: Readonly<Record<string, number>> = {
  open: 257,
  truncate: 76,
  ftruncate: 77,
  fallocate: 285,
  add_seals: 72,
  setlease: 72,
  fsync: 74,
  munmap: 11,
  madvise: 28,
  mprotect: 10,
  mremap: 25,
  read: 17,
  write: 18,
  reflink: 16,
  dedupe: 16,
  fssetxattr: 16,
  io_uring_register: 427,
  store: -1,
  load: -1,
};

/** Operations of the application's own protocol: nothing for the kernel to do. */
const NO_KERNEL = new Set(["send", "await", "wait_for"]);

/** Operations that change no kernel state a later operation could see. */
const READ_ONLY = new Set(["load", "read", "send", "await", "wait_for", "fsync"]);

/** uid of the scenario's i-th user (root runs the driver; users are unprivileged). */
export const uidOf = (i: number): number => 61000 + i;

/** Lowers the schedule `steps` of `spec` (compiled as `m`) for `target`. */
export function lowerSchedule(
  spec: ScenarioSpec,
  m: Model,
  steps: readonly TraceStep[],
  target: Target,
  /** The run's states (runSchedule's keepStates): with them, device accesses also compare the data. */
  states?: readonly State[],
): Lowered {
  const rows: Row[] = [];
  const vars = new Map<string, number>(); // "proc.var" → slot
  const slotOf = (p: number, name: string): number | undefined => {
    let q: number | undefined = p;
    while (q !== undefined) {
      const s = vars.get(`${q}.${name}`);
      if (s !== undefined) return s;
      q = m.procs[q]!.parent;
    }
    return undefined;
  };
  const vaPages = new Map<string, number>(); // "proc.var" → pages of the mapping
  const fileByName = new Map(spec.files.map((f) => [f.name, f]));
  const pathOf = (file: string): string | undefined => {
    const f = fileByName.get(file);
    const b: Backing = f?.backing ?? "fs";
    const d = target.dirs[b];
    return d === undefined ? undefined : `${d}/${file}`;
  };
  const fsOk = (): string | undefined => {
    if (target.fsKind !== spec.fs.kind)
      return spec.fs.kind === "dax"
        ? "fs-DAX needs the guest tier (an emulated NVDIMM)"
        : "no page-cache ext4 here";
    return undefined;
  };
  const backingOk = (file: string): string | undefined => {
    const f = fileByName.get(file);
    const b = f?.backing ?? "fs";
    if (f?.kind === "pfnmap") return "a VM_PFNMAP device file";
    if (b === "fs") return fsOk();
    if (target.dirs[b] === undefined) return `no ${b} here`;
    return undefined;
  };
  // Objects of one file (its fds, mappings, and the pins of those) form a family. An
  // operation that cannot run leaves the kernel's state of its family different from
  // the model's: later operations of the family cannot run either, until the
  // operation that undoes it (unpin_longterm, dereg_mr of the same pin) comes.
  const family = new Map<string, string>(); // "proc.var" → family
  const taint = new Map<string, Set<string>>(); // family → the tainting vars ("" : for good)
  const famOf = (p: number, name: string): string | undefined => {
    let q: number | undefined = p;
    while (q !== undefined) {
      const f = family.get(`${q}.${name}`);
      if (f !== undefined) return f;
      q = m.procs[q]!.parent;
    }
    return undefined;
  };
  const cases: string[][] = [...m.procs, ...m.peers].map(() => []);
  const broken = new Set<string>(); // "proc.var" whose producer did not run
  const deregd = new Set<string>(); // "proc.var" of MRs a lowered dereg_mr let go of
  let uring = false;
  let verbs = false;
  let caseNo = 0;
  const drive: string[] = [];
  const occs = occurrences(m, steps);
  const nProcs = m.procs.length;
  // Each peer's rkeys in the order they were sent: whether the send ran here.
  const sends: boolean[][] = m.peers.map(() => []);
  const received = m.peers.map(() => 0);
  const peerUsed = new Set<number>();
  const mrSlot = new Map<number, { slot: number; pinner: string }>(); // model MR → its variable
  let leases = false;
  const verbsProcs = new Set<number>(); // processes that register MRs or send rkeys
  let step = 0;
  const calls: string[] = [];
  const push = (p: number, body: string, row: Row, guards = "", op?: string): void => {
    const idx = caseNo++;
    cases[p]!.push(`  case ${idx}: ${guards}${body}`);
    const nr = op === undefined ? undefined : CALL[op];
    if (nr !== undefined) calls.push(`  case ${idx}: return ${nr};`);
    drive.push(`  drive(${row.step}, ${p}, ${idx});`);
    rows.push(row);
  };
  for (const o of occs) {
    step++;
    if (o.kind === "timer") {
      const holder = m.procs[o.proc]!.name;
      const row: Row = {
        step,
        actor: "kernel",
        op: `lease-break-time expires (${holder}'s lease)`,
        model: o.model,
      };
      if (!leases) rows.push({ ...row, notRunnable: "the lease did not run here" });
      else {
        drive.push(`  lease_timer(${step});`);
        rows.push(row);
      }
      continue;
    }
    if (o.kind === "signal" || o.kind === "handler") {
      const pi = m.procs[o.proc]!;
      const op =
        o.kind === "signal"
          ? "takes the lease-break signal"
          : o.mrs === undefined
            ? "lease-break handler: asks its peers to cancel"
            : `lease-break handler: lets go of ${o.mrs.length} pin(s), F_SETLEASE F_UNLCK`;
      let why = o.why ?? (leases ? undefined : "the lease did not run here");
      let body: string | undefined;
      if (!why && o.kind === "signal") {
        const mask = pi.handled.reduce((a, sig) => a | (1n << BigInt(sig)), 0n);
        body = `return take_signal(0x${mask.toString(16)}ULL);`;
      } else if (!why && o.mrs === undefined) body = "return 0;";
      else if (!why) {
        const undo: string[] = [];
        for (const x of o.mrs!) {
          const t = mrSlot.get(x);
          if (!t) why = "a pin the handler lets go of did not run here";
          else if (t.pinner === "io_uring") undo.push("uring_unregister();");
          else if (t.pinner === "rdma") undo.push(`dereg_mr(V[0][${t.slot}]);`);
          else why = `the handler's teardown of a ${t.pinner} pin is not lowered`;
        }
        body = `{ ${undo.join(" ")} return release_leases(); }`;
      }
      if (why || body === undefined) {
        rows.push({ step, actor: pi.name, op, model: o.model, notRunnable: why ?? "not lowered" });
        continue;
      }
      push(o.proc, body, { step, actor: pi.name, op, model: o.model });
      continue;
    }
    if (o.kind === "peer") {
      const r = o.proc;
      const w = nProcs + r;
      const name = m.peers[r]?.name ?? "peer";
      const pop = spec.peers.find((q) => q.name === name)?.program[o.pc];
      if (!pop) {
        rows.push({ step, actor: name, op: "?", model: o.model, notRunnable: "not lowered" });
        continue;
      }
      const text = opText(pop as unknown as ProcOp);
      let why: string | undefined;
      let body: string | undefined;
      let data: string | undefined;
      const pvar = (v: string) => `peer${r}.${v}`;
      if (!target.verbs) why = "no RDMA device here (the guest tier has rdma_rxe)";
      else if (pop.op === "recv") {
        const n = received[r]!++;
        const sent = sends[r]![n];
        if (sent === undefined) why = "no rkey was sent to it here";
        else if (!sent) why = "the rkey it receives comes from an operation that cannot run here";
        const slot = vars.get(pvar(pop.dst)) ?? vars.size;
        vars.set(pvar(pop.dst), slot);
        if (why) broken.add(pvar(pop.dst));
        else body = `return peer_recv(${r}, ${n}, &V[0][${slot}]);`;
      } else if (pop.op !== "rdma_write" && pop.op !== "rdma_read") {
        why = `${(pop as { op: string }).op} is not lowered to C yet`;
      } else {
        const slot = vars.get(pvar(pop.mr));
        if (slot === undefined) why = `${pop.mr} is not a variable the harness knows`;
        else if (broken.has(pvar(pop.mr)))
          why = `${pop.mr} comes from an operation that cannot run here`;
        else if (o.model === "issued") why = "the model's run ends before the operation completes";
        else {
          data = dataOf(m, states, o.data);
          body = `if (V[0][${slot}] == UNSET) return SKIP; return peer_rdma(${r}, V[0][${slot}], ${pop.page}, ${pop.op === "rdma_write" ? 1 : 0}, ${data ? 1 : 0});`;
        }
      }
      if (why || body === undefined) {
        rows.push({
          step,
          actor: name,
          op: text,
          model: o.model,
          notRunnable: why ?? "not lowered",
        });
        continue;
      }
      verbs = true;
      peerUsed.add(r);
      push(w, body, { step, actor: name, op: text, model: data ? `${o.model} ${data}` : o.model });
      continue;
    }
    const pi = m.procs[o.proc]!;
    const ps = spec.procs.find((p) => p.name === pi.name);
    const op = ps?.program[o.pc];
    if (!ps || !op || ps.program.length !== pi.prog.length) {
      rows.push({ step, actor: pi.name, op: "?", model: o.model, notRunnable: "not lowered" });
      continue;
    }
    const text = opText(op);
    const ex = applicable(spec.expectations, m.policy).find(
      (e) => e.kind === "result" && e.proc === pi.name && (e.op === op.label || e.op === op.op),
    );
    const expected =
      ex?.kind === "result"
        ? ex.result === "ok" || ex.result === "blocks"
          ? ex.result
          : `errno ${ex.result}`
        : undefined;
    const exp = expected !== undefined ? { expected } : {};
    const o2 = op as unknown as Record<string, unknown>;
    const inputs = ["fd", "va", "mr", "buf", "src", "pin"].filter((k) => typeof o2[k] === "string");
    const p = o.proc;
    let why: string | undefined;
    for (const k of inputs) {
      const name = o2[k] as string;
      const slot = slotOf(p, name);
      if (slot === undefined && k !== "src") why = `${name} is not a variable the harness knows`;
      if (broken.has(`${p}.${name}`)) why = `${name} comes from an operation that cannot run here`;
    }
    const dst = typeof o2.dst === "string" ? (o2.dst as string) : undefined;
    const fams = new Set<string>();
    for (const k of inputs) {
      const f = famOf(p, o2[k] as string);
      if (f !== undefined) fams.add(f);
    }
    if (typeof o2.file === "string") fams.add(`file:${o2.file as string}`);
    if (fams.size === 0 && dst !== undefined) fams.add(`${p}.${dst}`);
    if (dst !== undefined) family.set(`${p}.${dst}`, [...fams][0]!);
    const undoes = op.op === "unpin_longterm" ? op.pin : op.op === "dereg_mr" ? op.mr : undefined;
    if (!why)
      for (const f of fams) {
        const t = taint.get(f);
        if (!t || t.size === 0) continue;
        if (undoes !== undefined && t.has(`${p}.${undoes}`) && t.size === 1) continue;
        why =
          "an earlier operation on the same object did not run here: the kernel's state differs";
      }
    let slot = -1;
    if (dst !== undefined) {
      slot = vars.get(`${p}.${dst}`) ?? vars.size;
      vars.set(`${p}.${dst}`, slot);
    }
    const V = (name: string): string => `V[0][${slotOf(p, name) ?? 0}]`;
    const D = `V[0][${slot}]`;
    let body: string | undefined;
    let data: string | undefined; // the content check of a fixed I/O (cow.c)
    if (!why)
      switch (op.op) {
        case "open": {
          why = backingOk(op.file);
          const path = pathOf(op.file);
          const fl = op.mode === "r" ? "O_RDONLY" : op.mode === "w" ? "O_WRONLY" : "O_RDWR";
          if (!why && path)
            body = `{ int fd = open("${path}", ${fl}${op.create ? " | O_CREAT | O_EXCL, 0644" : ""}); if (fd < 0) return errno; ${D} = fd; return 0; }`;
          break;
        }
        case "close":
          body = `return sys(close((int)${V(op.fd)}));`;
          break;
        case "mmap": {
          const prot = op.prot === "r" ? "PROT_READ" : "PROT_READ | PROT_WRITE";
          const n = op.last - op.first + 1;
          vaPages.set(`${p}.${op.dst}`, n);
          body = `{ void *a = mmap(NULL, ${n} * PG, ${prot}, ${op.shared ? "MAP_SHARED" : "MAP_PRIVATE"}, (int)${V(op.fd)}, ${op.first} * PG); if (a == MAP_FAILED) return errno; ${D} = (long)a; return 0; }`;
          break;
        }
        case "mmap_anon": {
          const prot = op.prot === "r" ? "PROT_READ" : "PROT_READ | PROT_WRITE";
          vaPages.set(`${p}.${op.dst}`, op.pages);
          body = `{ void *a = mmap(NULL, ${op.pages} * PG, ${prot}, ${op.shared ? "MAP_SHARED" : "MAP_PRIVATE"} | MAP_ANONYMOUS, -1, 0); if (a == MAP_FAILED) return errno; ${D} = (long)a; return 0; }`;
          break;
        }
        case "memfd_create":
          if (op.hugetlb) why = "MFD_HUGETLB needs reserved huge pages";
          else
            body = `{ int fd = memfd_create("pinlab", ${op.allowSealing ? "MFD_ALLOW_SEALING" : "0"}); if (fd < 0) return errno; ${D} = fd; return 0; }`;
          break;
        case "add_seals":
          body = `return sys(fcntl((int)${V(op.fd)}, F_ADD_SEALS, ${op.seals.map((s) => SEAL[s]).join(" | ")}));`;
          break;
        case "munmap":
          body = `return sys(munmap((void *)${V(op.va)}, ${vaPages.get(`${p}.${op.va}`) ?? 1} * PG));`;
          break;
        case "store":
        case "load":
          // A store writes a value of its own (cow.c's checks compare what the device sees).
          body = `return touch(${V(op.va)}, ${op.page}, ${op.op === "store" ? (step % 127) + 1 : 0});`;
          break;
        case "read":
          body = `return do_read(${V(op.fd)}, ${op.page});`;
          break;
        case "write":
          body = `return do_write(${V(op.fd)}, ${op.page});`;
          break;
        case "truncate": {
          why = backingOk(op.file);
          const path = pathOf(op.file);
          if (!why && path) body = `return sys(truncate("${path}", ${op.pages} * PG));`;
          break;
        }
        case "ftruncate":
          body = `return sys(ftruncate((int)${V(op.fd)}, ${op.pages} * PG));`;
          break;
        case "fallocate": {
          const mode = {
            alloc: "0",
            punch: "FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE",
            collapse: "FALLOC_FL_COLLAPSE_RANGE",
            zero: "FALLOC_FL_ZERO_RANGE",
            insert: "FALLOC_FL_INSERT_RANGE",
            unshare: "FALLOC_FL_UNSHARE_RANGE",
          }[op.mode];
          body = `return sys(fallocate((int)${V(op.fd)}, ${mode}, ${op.first} * PG, ${op.last - op.first + 1} * PG));`;
          break;
        }
        case "fsync":
          body = `return sys(fsync((int)${V(op.fd)}));`;
          break;
        case "unlink": {
          why = backingOk(op.file);
          const path = pathOf(op.file);
          if (!why && path) body = `return sys(unlink("${path}"));`;
          break;
        }
        case "madvise":
          body = `return sys(madvise((void *)${V(op.va)}, ${vaPages.get(`${p}.${op.va}`) ?? 1} * PG, ${op.advice === "dontfork" ? "MADV_DONTFORK" : op.advice === "dontneed" ? "MADV_DONTNEED" : "MADV_DOFORK"}));`;
          break;
        case "mprotect": {
          const prot = { r: "PROT_READ", rw: "PROT_READ | PROT_WRITE", none: "PROT_NONE" }[op.prot];
          body = `return sys(mprotect((void *)${V(op.va)}, ${vaPages.get(`${p}.${op.va}`) ?? 1} * PG, ${prot}));`;
          break;
        }
        case "mremap": {
          const n = vaPages.get(`${p}.${op.va}`) ?? 1;
          vaPages.set(`${p}.${op.dst}`, n);
          // MREMAP_FIXED moves into a fresh PROT_NONE reservation; the fifth argument is always given
          const to = op.fixed
            ? `mmap(NULL, ${n} * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)`
            : "NULL";
          const flags = `MREMAP_MAYMOVE${op.fixed ? " | MREMAP_FIXED" : ""}${op.dontunmap ? " | MREMAP_DONTUNMAP" : ""}`;
          body = `{ void *t = ${to}; void *a = mremap((void *)${V(op.va)}, ${n} * PG, ${n} * PG, ${flags}, t); if (a == MAP_FAILED) return errno; ${D} = (long)a; return 0; }`;
          break;
        }
        case "fork": {
          const c = m.procs.findIndex((q) => q.name === op.child);
          body = `return op_fork(${c});`;
          break;
        }
        case "exit":
          body = "return EXITCODE;";
          break;
        case "send": {
          // Hands the rkey over the application's protocol; the first one sets up the connection.
          const r = m.peers.findIndex((q) => q.name === op.peer);
          if (!target.verbs) why = "no RDMA device here (the guest tier has rdma_rxe)";
          else if (r < 0) why = `${op.peer} is not a peer`;
          else {
            verbs = true;
            verbsProcs.add(p);
            peerUsed.add(r);
            body = `return send_rkey(${r}, ${V(op.mr)});`;
          }
          break;
        }
        case "await":
        case "wait_for":
          body = "return 0;";
          break;
        case "setlease": {
          // F_LAYOUT and F_UNBREAK (Ira Weiny's RFC) were never merged: a type with
          // other bits is not F_RDLCK/F_WRLCK/F_UNLCK, and fcntl_setlease() →
          // lease_alloc() → assign_type() (fs/locks.c) answers EINVAL.
          const t = op.type === "rd" ? "F_RDLCK" : op.type === "wr" ? "F_WRLCK" : "F_UNLCK";
          const extra = `${op.layout ? " | 16 /* F_LAYOUT (RFC) */" : ""}${op.unbreak ? " | 32 /* F_UNBREAK (RFC) */" : ""}`;
          leases = true;
          body = `return do_setlease(${V(op.fd)}, ${t}${extra});`;
          break;
        }
        case "setsig": {
          const sig = SIGNALS[op.signal];
          if (sig === undefined) why = `${op.signal} is not a signal the harness knows`;
          else body = `return sys(fcntl((int)${V(op.fd)}, F_SETSIG, ${sig}));`;
          break;
        }
        case "io_uring_register":
          if (!target.uring) why = "liburing is missing (scripts/ensure-conform-host.sh)";
          else {
            uring = true;
            vaPages.set(`${p}.${op.dst}`, vaPages.get(`${p}.${op.va}`) ?? 1);
            body = `{ int e = uring_register(${V(op.va)}, ${vaPages.get(`${p}.${op.va}`) ?? 1}); if (!e) ${D} = ${V(op.va)}; return e; }`;
          }
          break;
        case "io_uring_unregister":
          if (!target.uring) why = "liburing is missing";
          else {
            uring = true;
            body = "return uring_unregister();";
          }
          break;
        case "read_fixed":
        case "write_fixed":
          if (!target.uring) why = "liburing is missing";
          else {
            uring = true;
            data = dataOf(m, states, o.data);
            body = `return uring_fixed(${V(op.buf)}, ${op.page}, ${op.op === "read_fixed" ? 1 : 0}, ${data ? 1 : 0});`;
          }
          break;
        case "reg_mr":
          if (op.odp) why = "ODP MRs: rxe has no on-demand paging in these kernels";
          else if (!target.verbs) why = "no RDMA device here (the guest tier has rdma_rxe)";
          else {
            verbs = true;
            verbsProcs.add(p);
            const acc = op.access.map((a) => IBV[a]).join(" | ") || "0";
            body = `return reg_mr(&${D}, ${V(op.va)}, ${vaPages.get(`${p}.${op.va}`) ?? 1}, ${acc});`;
          }
          break;
        case "dereg_mr":
          if (!target.verbs) why = "no RDMA device here";
          else {
            verbs = true;
            deregd.add(`${p}.${op.mr}`);
            body = `return dereg_mr(${V(op.mr)});`;
          }
          break;
        case "reflink":
          // ioctl(dst, FICLONE, src): vfs_clone_file_range() → ->remap_file_range (XFS: xfs_file_remap_range).
          if (!target.reflink)
            why = "FICLONE needs a filesystem with reflink (XFS); this target's are ext4";
          else body = `return sys(ioctl((int)${V(op.dst)}, FICLONE, (int)${V(op.src)}));`;
          break;
        case "dedupe":
          // ioctl(src, FIDEDUPERANGE) with one destination (fs/remap_range.c vfs_dedupe_file_range());
          // ext4 has no ->remap_file_range: its EOPNOTSUPP is a case of its own.
          body = `return do_dedupe(${V(op.src)}, ${V(op.dst)}, ${op.first}, ${op.last - op.first + 1});`;
          break;
        case "chmod": {
          why = backingOk(op.file);
          const path = pathOf(op.file);
          if (!why && path) body = `return sys(chmod("${path}", 0${op.mode.toString(8)}));`;
          break;
        }
        case "chown": {
          // chown(2) to the new owner's uid (each user of the scenario is a uid of its own).
          // A user with capabilities runs as root, which has CAP_CHOWN: only one that has it runs.
          const caps = spec.users[pi.user]?.caps ?? [];
          const to = spec.users.findIndex((u) => u.name === op.user);
          why = backingOk(op.file);
          if (caps.length > 0 && !caps.includes("CAP_CHOWN"))
            why = "the harness runs a user with capabilities as root, which has CAP_CHOWN";
          const path = pathOf(op.file);
          if (!why && path) body = `return sys(chown("${path}", ${uidOf(to)}, -1));`;
          break;
        }
        case "fssetxattr":
          // ioctl(FS_IOC_FSGETXATTR), FS_XFLAG_DAX set or cleared, ioctl(FS_IOC_FSSETXATTR)
          // (fs/ioctl.c ioctl_fssetxattr() → vfs_fileattr_set()).
          if (m.daxInode)
            why =
              "the guest mounts fs-DAX with dax=always; the flag's dax=inode semantics (I_DONTCACHE, the next load decides) need a dax=inode mount";
          else body = `return do_fssetxattr(${V(op.fd)}, ${op.dax ? 1 : 0});`;
          break;
        case "rereg_mr":
          if (!target.verbs) why = "no RDMA device here (the guest tier has rdma_rxe)";
          else if (target.noRereg) why = target.noRereg;
          else if (op.va !== undefined)
            // rxe_rereg_user_mr() takes IB_MR_REREG_PD and IB_MR_REREG_ACCESS only (drivers/infiniband/sw/rxe/rxe_verbs.c)
            why =
              "rxe refuses IB_MR_REREG_TRANS (rxe_rereg_user_mr(): EOPNOTSUPP); the model follows mlx5's paths";
          else if (op.keys === "new")
            why = "rxe keeps the MR on a rereg (no new keys); keys=new is mlx5's create_real_mr()";
          else if (deregd.has(`${p}.${op.mr}`))
            why =
              "the MR was deregistered: libibverbs freed its struct ibv_mr, so there is no handle to pass";
          else {
            verbs = true;
            const acc = (op.access ?? []).map((a) => IBV[a]).join(" | ") || "0";
            body = `return rereg_mr_access(${V(op.mr)}, ${acc});`;
          }
          break;
        case "memory_failure":
          why =
            "MADV_HWPOISON poisons through the caller's own mapping (madvise_inject_error() takes a reference with get_user_pages_fast()), which the model's asynchronous report does not have";
          break;
        case "hca_reset":
          why =
            "rxe has no disassociate_ucontext: removing it makes ib_uverbs_remove_one() wait for every process to close its verbs context instead of disassociating them (drivers/infiniband/core/uverbs_main.c)";
          break;
        default:
          why = `${op.op} is not lowered to C yet`;
      }
    if (op.op === "send") {
      const r = m.peers.findIndex((q) => q.name === op.peer);
      if (r >= 0) sends[r]!.push(!why && body !== undefined);
    }
    if (why || body === undefined) {
      if (dst !== undefined) broken.add(`${p}.${dst}`);
      for (const f of fams) {
        const t = taint.get(f) ?? new Set<string>();
        if (undoes !== undefined && t.has(`${p}.${undoes}`)) t.delete(`${p}.${undoes}`);
        else if (!READ_ONLY.has(op.op)) t.add(dst !== undefined ? `${p}.${dst}` : "");
        taint.set(f, t);
      }
      rows.push({
        step,
        actor: pi.name,
        op: text,
        model: o.model,
        notRunnable: why ?? "not lowered",
      });
      continue;
    }
    // The application's own protocol (send, await, wait_for) runs whatever its inputs hold.
    const guards = (NO_KERNEL.has(op.op) ? [] : inputs)
      .map((k) => slotOf(p, o2[k] as string))
      .filter((x): x is number => x !== undefined)
      .map((x) => `if (V[0][${x}] == UNSET) return SKIP; `)
      .join("");
    if (o.mr !== undefined && slot >= 0 && (op.op === "reg_mr" || op.op === "io_uring_register"))
      mrSlot.set(o.mr, { slot, pinner: op.op === "reg_mr" ? "rdma" : "io_uring" });
    // await and wait_for wait in the application's own protocol, which the schedule
    // already orders: the program answers at once, and is compared with the model's final answer.
    const said =
      NO_KERNEL.has(op.op) && o.model.startsWith("blocks-then ") ? o.model.slice(12) : o.model;
    const model = data ? `${said} ${data}` : said;
    push(p, body, { step, actor: pi.name, op: text, model, ...exp }, guards, op.op);
  }
  if (drive.length === 0)
    return { rows, why: "no operation of this schedule runs here", uring, verbs };
  // Files of the scenario that this target can hold, created before the workers start.
  const setup: string[] = [];
  // statfs(2) f_type: EXT4_SUPER_MAGIC, XFS_SUPER_MAGIC, TMPFS_MAGIC (include/uapi/linux/magic.h).
  if (target.dirs.fs !== undefined && fsOk() === undefined) {
    const xfs = target.fsType === "xfs";
    setup.push(
      `  if (require_fs("${target.dirs.fs}", ${xfs ? "0x58465342" : "0xEF53"}, "${xfs ? "xfs" : "ext4"}${target.fsKind === "dax" ? " (fs-DAX)" : ""}")) return 1;`,
    );
  }
  if (target.dirs.tmpfs !== undefined && spec.files.some((f) => f.backing === "tmpfs"))
    setup.push(`  if (require_fs("${target.dirs.tmpfs}", 0x01021994, "tmpfs")) return 1;`);
  // Files the scenario creates (open ... create): an earlier schedule in the same boot left them.
  const made = new Set<string>();
  for (const ps of spec.procs)
    for (const op of ps.program) if (op.op === "open" && op.create) made.add(op.file);
  for (const f of made) {
    const path = backingOk(f) === undefined ? pathOf(f) : undefined;
    if (path) setup.push(`  unlink("${path}");`);
  }
  for (const f of spec.files) {
    if (backingOk(f.name) !== undefined) continue;
    const path = pathOf(f.name);
    if (!path) continue;
    const owner = spec.users.findIndex((u) => u.name === f.owner);
    setup.push(
      `  if (make_file("${path}", ${f.pages}, ${f.layout === "allocated" ? 1 : 0}, ${uidOf(owner)}, 0${f.mode.toString(8)})) { printf("@@R setup-failed ${f.name}\\n"); return 1; }`,
    );
  }
  const starts = m.procs
    .map((q, i) => {
      if (q.parent !== undefined) return "";
      // A user with capabilities (CAP_IPC_LOCK, CAP_LEASE) runs as root.
      const uid = (spec.users[q.user]?.caps.length ?? 0) > 0 ? 0 : uidOf(q.user);
      const early = verbsProcs.has(i) ? `  uses_verbs[${i}] = 1;\n` : "";
      return `${early}  start_worker(${i}, ${uid}, ${q.memlock});`;
    })
    .filter((x) => x !== "");
  const c = [
    `/* Generated by pinlab conform: ${spec.name.replace(/\*\//g, "")} */`,
    ...(uring ? ["#define CONFORM_URING 1"] : []),
    ...(verbs ? ["#define CONFORM_VERBS 1"] : []),
    '#include "runtime.h"',
    "",
    "static int ops(int proc, int idx) {",
    "  (void)proc;",
    "  switch (idx) {",
    ...cases.flat(),
    "  }",
    "  return EINVAL;",
    "}",
    "",
    "static long calls(int idx) {",
    "  switch (idx) {",
    ...calls,
    "  }",
    "  return NOCALL;",
    "}",
    "",
    "int main(void) {",
    "  setvbuf(stdout, NULL, _IOLBF, 0);",
    "  run_op = ops;",
    "  call_of = calls;",
    "  init_vars();",
    ...(leases ? ["  set_lease_break_time();"] : []),
    ...setup,
    `  pipes(${m.procs.length + m.peers.length});`,
    ...(verbs ? [`  links(${m.peers.length});`] : []),
    ...starts,
    ...[...peerUsed].sort().map((r) => `  start_peer(${nProcs + r}, ${r});`),
    ...drive,
    "  finish();",
    "  return 0;",
    "}",
    "",
  ].join("\n");
  return { rows, c, uring, verbs };
}
