/**
 * A state read as a reviewer names it (processes, files and their blocks,
 * page frames and their pins, leases, MRs, queue pairs), and what one step
 * changed in it, as TLC's trace explorer shows the variables a step changed.
 *
 * Facts are keyed by the object they describe, so two states compare fact by
 * fact; object names are the scenario's own (`server.mr`, `data`, `peer`).
 */
import {
  BLK_BUSY,
  BLK_CONTENT,
  BLK_USERS,
  blk,
  ext,
  FF_ANON,
  FF_DIRTY,
  FF_POISON,
  FF_USED,
  FR_FLAGS,
  FR_INDEX,
  FR_INODE,
  FR_REF,
  frm,
  GUP_PIN_COUNTING_BIAS,
  INF_NONE,
  INF_READ,
  INF_READ_FAULT,
  INF_WRITE,
  INF_WRITE_FAULT,
  INO_EXISTS,
  INO_SIZE,
  ino,
  K_HCA_RESET,
  K_UNPLUGGED,
  LEASE_NONE,
  LEASE_RD,
  LF_BREAKING,
  LF_LAYOUT,
  LF_UNBREAK,
  type Model,
  MR_DEREG,
  MR_INVALID,
  MR_MOVED,
  MR_NONE,
  MR_VALID,
  MRL_BREAKING,
  MRL_HELD,
  mr,
  OFD_LEASE,
  OFD_LFLAGS,
  OFD_OPEN,
  ofd,
  P_HANDLER,
  P_PC,
  P_SIG,
  P_STATUS,
  PS_BLOCKED,
  PS_CRASHED,
  PS_DONE,
  PS_EXITED,
  PS_HUNG,
  PS_KILLED,
  PS_RUN,
  PTE_NONE,
  PTE_RO,
  pcache,
  peer,
  proc,
  QP_DEAD,
  QP_ERROR,
  R_CANCEL,
  R_INFL,
  R_OPPAGE,
  R_PART,
  R_QP,
  R_TGT,
  R_VARS,
  type State,
  vma,
} from "../model/layout.js";
import { contentName, fileName, mrName, peerName, procName } from "../properties/names.js";
import { printProcOp } from "../scenario/print.js";

/** What a fact is about, for grouping and colour: the issue's blocks, pins, leases, MRs and QPs. */
export type FactKind = "process" | "file" | "block" | "pin" | "lease" | "mapping" | "mr" | "qp";

/** One thing a step changed: `what` names the object, `from` and `to` its value (null: absent). */
export interface StateChange {
  readonly kind: FactKind;
  readonly what: string;
  readonly from: string | null;
  readonly to: string | null;
}

interface Fact {
  readonly kind: FactKind;
  readonly what: string;
  readonly value: string;
}

const STATUS: Record<number, string> = {
  [PS_RUN]: "running",
  [PS_BLOCKED]: "blocked",
  [PS_DONE]: "program done (alive)",
  [PS_EXITED]: "exited",
  [PS_KILLED]: "killed",
  [PS_CRASHED]: "crashed",
  [PS_HUNG]: "hung",
};

const MR_STATE: Record<number, string> = {
  [MR_NONE]: "not registered",
  [MR_VALID]: "valid",
  [MR_INVALID]: "invalidated (rkey revoked)",
  [MR_DEREG]: "deregistered",
  [MR_MOVED]: "re-registered (ibv_rereg_mr kept the rkey)",
};

/** A registered buffer's states, in io_uring's words (no rkey). */
const RING_STATE: Record<number, string> = {
  [MR_NONE]: "not registered",
  [MR_VALID]: "registered",
  [MR_INVALID]: "removed from the ring by the kernel",
  [MR_DEREG]: "unregistered",
};

/** A VFIO DMA mapping's states, in VFIO's words (no rkey). */
const VFIO_STATE: Record<number, string> = {
  [MR_NONE]: "not mapped",
  [MR_VALID]: "mapped",
  [MR_INVALID]: "removed from the container by the kernel",
  [MR_DEREG]: "unmapped",
};

const INFLIGHT: Record<number, string> = {
  [INF_WRITE]: "RDMA WRITE in flight",
  [INF_READ]: "RDMA READ in flight",
  [INF_WRITE_FAULT]: "RDMA WRITE waits for an ODP fault",
  [INF_READ_FAULT]: "RDMA READ waits for an ODP fault",
};

/** Every fact of a state that a reviewer would look at; absent facts are defaults (free, unpinned, none). */
function facts(m: Model, s: State): Fact[] {
  const out: Fact[] = [];
  const add = (kind: FactKind, what: string, value: string) => out.push({ kind, what, value });
  const frameName = (f: number) =>
    f === m.nFrames ? "zero-page" : m.dax && f < m.nBlocks ? `block ${f}` : `frame ${f}`;
  m.procs.forEach((p, i) => {
    const o = proc(m, i);
    const st = s[o + P_STATUS]!;
    const pc = s[o + P_PC]!;
    const op = p.prog[pc];
    const at = (st === PS_RUN || st === PS_BLOCKED) && op ? `: ${printProcOp(op.spec)}` : "";
    add("process", procName(m, i), `${STATUS[st] ?? `status ${st}`}${at}`);
    if (s[o + P_SIG]) add("process", `${procName(m, i)} SIGIO`, "pending");
    if (s[o + P_HANDLER]) add("process", `${procName(m, i)} cancel handler`, "waits for acks");
  });
  m.inodes.forEach((inode, i) => {
    const o = ino(m, i);
    if (!s[o + INO_EXISTS]) return;
    add("file", inode.name, `size ${s[o + INO_SIZE]} page${s[o + INO_SIZE] === 1 ? "" : "s"}`);
    for (let pg = 0; pg < m.maxPages; pg++) {
      const b = s[ext(m, i, pg)]!;
      if (b > 0) add("block", `${inode.name} page ${pg}`, `block ${b - 1}`);
      const f = s[pcache(m, i, pg)]!;
      if (f > 0) add("file", `${inode.name} page ${pg} cached`, frameName(f - 1));
    }
  });
  for (let b = 0; b < m.nBlocks; b++) {
    const o = blk(m, b);
    const users = s[o + BLK_USERS]!;
    const busy = s[o + BLK_BUSY] === 1;
    if (users === 0 && !busy) continue;
    const parts = [users === 0 ? "freed" : users === 1 ? "in use" : `shared by ${users} extents`];
    if (busy) parts.push("held busy until the last unpin");
    parts.push(contentName(m, s[o + BLK_CONTENT]!));
    add("block", `block ${b}`, parts.join(", "));
  }
  for (let f = 0; f < m.nFrames; f++) {
    const o = frm(m, f);
    const ref = s[o + FR_REF]!;
    const pins = Math.floor(ref / GUP_PIN_COUNTING_BIAS);
    if (pins > 0) add("pin", frameName(f), `${pins} long-term pin${pins === 1 ? "" : "s"}`);
    const flags = s[o + FR_FLAGS]!;
    if (!m.dax && flags & FF_USED) {
      const owner = s[o + FR_INODE]!;
      const whose =
        flags & FF_ANON
          ? "anonymous (private copy)"
          : owner > 0
            ? `${fileName(m, owner - 1)} page ${s[o + FR_INDEX]}`
            : "orphaned (out of the page cache)";
      add("pin", `${frameName(f)} holds`, `${whose}${flags & FF_DIRTY ? ", dirty" : ""}`);
    } else if (m.dax && flags & FF_DIRTY) add("pin", `${frameName(f)} holds`, "dirty");
    if (flags & FF_POISON) add("pin", `${frameName(f)} memory`, "poisoned (memory_failure)");
  }
  m.ofds.forEach((d, i) => {
    const o = ofd(m, i);
    const owner = `${procName(m, d.proc)}'s ${fileName(m, d.inode)}`;
    if (s[o + OFD_OPEN]) add("file", `${owner} open`, d.write ? "read-write" : "read-only");
    const lease = s[o + OFD_LEASE]!;
    if (lease === LEASE_NONE) return;
    const fl = s[o + OFD_LFLAGS]!;
    const words = [lease === LEASE_RD ? "read lease" : "write lease"];
    if (fl & LF_LAYOUT) words.push("layout");
    if (fl & LF_UNBREAK) words.push("unbreakable");
    if (fl & LF_BREAKING) words.push("being broken");
    add("lease", `${owner} lease`, words.join(", "));
  });
  m.vmas.forEach((v, i) => {
    const o = vma(m, i);
    if (!s[o]) return;
    const ptes: string[] = [];
    for (let pg = 0; pg < v.pages; pg++) {
      const pte = s[o + 1 + pg]!;
      ptes.push(pte === PTE_NONE ? "-" : pte === PTE_RO ? "ro" : "rw");
    }
    add(
      "mapping",
      `${procName(m, v.proc)}'s mapping of ${fileName(m, v.inode)}`,
      `${v.shared ? "shared" : "private"}, ptes ${ptes.join(" ")}`,
    );
  });
  m.mrs.forEach((x, i) => {
    const o = mr(m, i);
    const st = s[o]!;
    if (st === MR_NONE) return;
    // An io_uring buffer is a pin without rkey or QP: shown as a pin, not as an MR;
    // a gup_test pin is no registration either: it is pinned or not.
    const ring = x.pinner === "io_uring";
    if (ring) add("pin", `${mrName(m, i)} (io_uring buffer)`, RING_STATE[st] ?? `state ${st}`);
    else if (x.pinner === "vfio")
      add("pin", `${mrName(m, i)} (VFIO DMA mapping)`, VFIO_STATE[st] ?? `state ${st}`);
    else if (x.gupTest)
      add("pin", `${mrName(m, i)} (gup_test)`, st === MR_VALID ? "pinned" : "unpinned");
    else add("mr", mrName(m, i), MR_STATE[st] ?? `state ${st}`);
    // a re-registered MR's second field says where its rkey leads, not a lease (rdma/rereg.ts)
    const lease = st === MR_MOVED ? 0 : s[o + 1]!;
    if (lease === MRL_HELD) add("lease", `${mrName(m, i)} pin lease`, "held");
    else if (lease === MRL_BREAKING) add("lease", `${mrName(m, i)} pin lease`, "being broken");
    const pages: string[] = [];
    for (let pg = 0; pg < x.pages; pg++) {
      const f = s[o + 2 + pg]!;
      pages.push(f > 0 ? frameName(f - 1) : "-");
    }
    if (pages.some((p) => p !== "-"))
      add(ring ? "pin" : "mr", `${mrName(m, i)} pages`, pages.join(", "));
  });
  m.peers.forEach((info, r) => {
    const o = peer(m, r);
    const name = peerName(m, r);
    info.vars.forEach((v, k) => {
      const msg = s[o + R_VARS + k]!;
      if (msg !== 0)
        add("qp", `${name}.${v}`, msg > 0 ? `rkey of ${mrName(m, msg - 1)}` : "no rkey");
    });
    add(
      "qp",
      `${name}'s QP`,
      s[o + R_QP] === QP_ERROR
        ? "error"
        : s[o + R_QP] === QP_DEAD
          ? "gone (the peer crashed)"
          : "ready",
    );
    const infl = s[o + R_INFL]!;
    if (infl !== INF_NONE) {
      const tgt = s[o + R_TGT]!;
      add(
        "qp",
        `${name} in flight`,
        `${INFLIGHT[infl] ?? `op ${infl}`}, page ${s[o + R_OPPAGE]}${tgt > 0 ? ` → ${frameName(tgt - 1)}` : ""}`,
      );
    }
    const c = s[o + R_CANCEL]!;
    if (c) add("qp", `${name} cancel`, c === 1 ? "requested" : "acknowledged");
    if (s[o + R_PART]) add("qp", `${name} network`, "partitioned");
  });
  if (s[m.offKernel + K_UNPLUGGED]) add("block", "device", "unplugged");
  if (s[m.offKernel + K_HCA_RESET]) add("qp", "HCA", "reset: every uverbs context disassociated");
  return out;
}

/** A state's facts, each with its key (kind and object), listed and by key. */
interface FactSet {
  readonly list: readonly (Fact & { readonly key: string })[];
  readonly byKey: ReadonlyMap<string, Fact>;
}

function factSet(m: Model, s: State): FactSet {
  const list = facts(m, s).map((f) => ({ ...f, key: `${f.kind}\u0000${f.what}` }));
  return { list, byKey: new Map(list.map((f) => [f.key, f])) };
}

/**
 * What each step of a run changed (`states`: the initial state, then the
 * state after each step), each state's facts read once.
 */
export function runChanges(m: Model, states: readonly State[]): StateChange[][] {
  const sets = states.map((s) => factSet(m, s));
  return sets.slice(1).map((after, k) => changesBetween(sets[k]!, after));
}

/** What the step from `a` to `b` changed, in the order facts are listed. */
function changesBetween(a: FactSet, b: FactSet): StateChange[] {
  const out: StateChange[] = [];
  for (const f of b.list) {
    const old = a.byKey.get(f.key);
    if (!old || old.value !== f.value)
      out.push({ kind: f.kind, what: f.what, from: old ? old.value : null, to: f.value });
  }
  for (const f of a.list)
    if (!b.byKey.has(f.key)) out.push({ kind: f.kind, what: f.what, from: f.value, to: null });
  return out;
}
