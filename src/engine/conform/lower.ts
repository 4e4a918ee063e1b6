/**
 * `pinlab conform`'s lowering: one schedule of a scenario, as the model ran
 * it, becomes a C program (over conform/runtime.h) that does the same
 * operations in the same order on a real kernel, and the model's own answer
 * for each operation, to compare with what the program prints. Pure: the
 * caller compiles and runs the text (src/cli/commands/conform.ts).
 *
 * Lowered: open, close, mmap (file and anonymous), memfd_create, F_ADD_SEALS,
 * munmap, CPU loads and stores (SIGBUS/SIGSEGV caught), pread, pwrite,
 * truncate, ftruncate, fallocate (alloc, punch, collapse), fsync, unlink,
 * fork, madvise, exit, io_uring buffer registration and fixed I/O (liburing),
 * ibv_reg_mr/ibv_dereg_mr (libibverbs, where an RDMA device exists), and
 * send/recv/await/wait_for (the application's own protocol: nothing for the
 * kernel to do, the schedule orders them). Everything else, and every
 * operation whose inputs come from one, is "not runnable" with the reason.
 */
import { errnoName } from "../../model/errno.js";
import type { ModelEvent } from "../../model/events.js";
import type { Model } from "../../model/layout.js";
import type { Backing, ProcOp, ScenarioSpec } from "../../model/spec.js";
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
  proc: number;
  pc: number;
  peer: boolean;
  model: string;
}

function resultText(r: number): string {
  return r < 0 ? `errno ${errnoName(-r)}` : "ok";
}

/** Each operation of the run once, in schedule order, with its model outcome. */
function occurrences(steps: readonly TraceStep[]): Occ[] {
  const out: Occ[] = [];
  const open = new Map<number, Occ>();
  const seen = (o: Occ) => out.push(o);
  for (const st of steps) {
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
          proc: e.proc,
          pc: e.pc,
          peer: false,
          model: e.k === "ret" ? resultText(e.result) : e.k === "skip" ? "skipped" : "blocks",
        };
        if (e.k === "block") open.set(e.proc, o);
        seen(o);
      } else if (e.k === "exit" && e.cause === "fault") {
        const last = [...out].reverse().find((o) => o.proc === e.proc && !o.peer);
        if (last && last.model === "ok") last.model = `signal ${e.sig ?? "SIGBUS"}`;
        else if (last && last.model !== "ok") last.model = `signal ${e.sig ?? "SIGBUS"}`;
      } else if (e.k === "issue" || e.k === "recv") {
        seen({ proc: e.peer, pc: -1, peer: true, model: e.k === "recv" ? "ok" : "issued" });
      }
    }
  }
  return out;
}

/** A short text of the operation, as the scenario writes it. */
export function opText(op: ProcOp): string {
  const o = op as unknown as Record<string, unknown>;
  const parts: string[] = [op.op];
  for (const [k, v] of Object.entries(o)) {
    if (k === "op" || k === "dst" || k === "at" || k === "label" || v === false) continue;
    if (v === true) {
      parts.push(k);
      continue;
    }
    parts.push(Array.isArray(v) ? `${k}=${v.join(",")}` : `${k}=${String(v)}`);
  }
  const dst = typeof o.dst === "string" ? `${o.dst} = ` : "";
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
  const cases: string[][] = m.procs.map(() => []);
  const broken = new Set<string>(); // "proc.var" whose producer did not run
  let uring = false;
  let verbs = false;
  let caseNo = 0;
  const drive: string[] = [];
  const occs = occurrences(steps);
  let step = 0;
  for (const o of occs) {
    step++;
    if (o.peer) {
      const name = m.peers[o.proc]?.name ?? "peer";
      if (o.model === "issued")
        rows.push({
          step,
          actor: name,
          op: "rdma_write/rdma_read",
          model: "issued",
          notRunnable: "RDMA WRITE/READ through a loopback QP is not lowered yet",
        });
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
          body = `return touch(${V(op.va)}, ${op.page}, ${op.op === "store" ? 1 : 0});`;
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
          const mode =
            op.mode === "alloc"
              ? "0"
              : op.mode === "punch"
                ? "FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE"
                : "FALLOC_FL_COLLAPSE_RANGE";
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
          body = "_exit(0);";
          break;
        case "send":
        case "await":
        case "wait_for":
          body = "return 0;";
          break;
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
            body = `return uring_fixed(${V(op.buf)}, ${op.page}, ${op.op === "read_fixed" ? 1 : 0});`;
          }
          break;
        case "reg_mr":
          if (op.odp) why = "ODP MRs: rxe has no on-demand paging in these kernels";
          else if (!target.verbs) why = "no RDMA device here (the guest tier has rdma_rxe)";
          else {
            verbs = true;
            const acc = op.access.map((a) => IBV[a]).join(" | ") || "0";
            body = `return reg_mr(&${D}, ${V(op.va)}, ${vaPages.get(`${p}.${op.va}`) ?? 1}, ${acc});`;
          }
          break;
        case "dereg_mr":
          if (!target.verbs) why = "no RDMA device here";
          else {
            verbs = true;
            body = `return dereg_mr(${V(op.mr)});`;
          }
          break;
        case "reflink":
          why = "FICLONE needs XFS or btrfs; the harness's filesystems are ext4";
          break;
        default:
          why = `${op.op} is not lowered to C yet`;
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
    const idx = caseNo++;
    // The application's own protocol (send, await, wait_for) runs whatever its inputs hold.
    const guards = (NO_KERNEL.has(op.op) ? [] : inputs)
      .map((k) => slotOf(p, o2[k] as string))
      .filter((x): x is number => x !== undefined)
      .map((x) => `if (V[0][${x}] == UNSET) return SKIP; `)
      .join("");
    cases[p]!.push(`  case ${idx}: ${guards}${body}`);
    drive.push(`  drive(${step}, ${p}, ${idx});`);
    rows.push({ step, actor: pi.name, op: text, model: o.model, ...exp });
  }
  if (drive.length === 0)
    return { rows, why: "no operation of this schedule runs here", uring, verbs };
  // Files of the scenario that this target can hold, created before the workers start.
  const setup: string[] = [];
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
      return `  start_worker(${i}, ${uid}, ${q.memlock});`;
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
    "int main(void) {",
    "  setvbuf(stdout, NULL, _IOLBF, 0);",
    "  run_op = ops;",
    "  init_vars();",
    ...setup,
    `  pipes(${m.procs.length});`,
    ...starts,
    ...drive,
    "  finish();",
    "  return 0;",
    "}",
    "",
  ].join("\n");
  return { rows, c, uring, verbs };
}
