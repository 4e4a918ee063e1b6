/**
 * A bound condition as a function over the model's state, built once per
 * compiled model: names become table indices and state offsets here, so
 * that judging a state is a few array reads and no parsing.
 */
import { blockReadContent } from "../../model/fs/blocks.js";
import {
  alive,
  BLK_BUSY,
  BLK_CONTENT,
  BLK_USERS,
  blk,
  CONTENT_STALE,
  CONTENT_ZERO,
  contentOf,
  ext,
  FF_DIRTY,
  FF_POISON,
  FR_CONTENT,
  FR_FLAGS,
  FR_REF,
  frm,
  GUP_PIN_COUNTING_BIAS,
  INO_EXISTS,
  INO_UNLINKED,
  ino,
  LEASE_NONE,
  LF_BREAKING,
  type Model,
  MR_INVALID,
  MR_VALID,
  MRL_BREAKING,
  MRL_NONE,
  mr,
  OFD_LEASE,
  OFD_LFLAGS,
  OFD_OPEN,
  ofd,
  P_STATUS,
  PS_BLOCKED,
  PS_CRASHED,
  PS_DONE,
  PS_EXITED,
  PS_HUNG,
  PS_KILLED,
  pcache,
  peer,
  proc,
  QP_DEAD,
  QP_READY,
  R_PART,
  R_PC,
  R_QP,
  type State,
  vma,
} from "../../model/layout.js";
import { copyName, copyOf } from "../../model/replicas.js";
import type { Bound } from "./bind.js";
import { assigns } from "./scope.js";
import { atoms, type Cond } from "./syntax.js";

export type Pred = (s: State) => boolean;

/** A name of the scenario as the model has it: a copy beyond those explored is the last explored. */
function lookup(names: readonly string[], name: string): number {
  const i = names.indexOf(name);
  if (i >= 0) return i;
  const c = copyOf(name);
  if (!c) return -1;
  for (let k = c[1]; k >= 1; k--) {
    const j = names.indexOf(copyName(c[0], k));
    if (j >= 0) return j;
  }
  return -1;
}

const bug = (what: string): never => {
  throw new Error(`pinlab bug: a bound condition names ${what} the model does not have`);
};

/** Compiles `cond`, whose atoms `bound` lists in text order (bindCondition), over model `m`. */
export function compileCondition(cond: Cond, bound: readonly Bound[], m: Model): Pred {
  const list = atoms(cond);
  if (list.length !== bound.length) throw new Error("pinlab bug: a condition compiled unbound");
  const byAtom = new Map(list.map((a, i) => [a, atomPred(bound[i]!, m)]));
  const go = (c: Cond): Pred => {
    if (c.k === "atom") return byAtom.get(c)!;
    if (c.k === "not") {
      const x = go(c.x);
      return (s) => !x(s);
    }
    const l = go(c.l);
    const r = go(c.r);
    return c.k === "and" ? (s) => l(s) && r(s) : (s) => l(s) || r(s);
  };
  return go(cond);
}

function atomPred(b: Bound, m: Model): Pred {
  const inodeNames = m.inodes.map((i) => i.name);
  const fileId = (name: string) => {
    const i = lookup(inodeNames, name);
    return i >= 0 ? i : bug(`file ${name}`);
  };
  /** The content a `holds` argument names. */
  const content = (arg: string | undefined): number => {
    const i = arg === undefined ? -1 : lookup(inodeNames, arg);
    if (i >= 0) return contentOf(i);
    return arg === "zeroes" ? CONTENT_ZERO : CONTENT_STALE;
  };
  switch (b.k) {
    case "block":
    case "block-of": {
      let n: number;
      if (b.k === "block") n = b.block;
      else {
        // The block the file's page had at the start (compile.ts lays out the initial extents).
        const e = m.init[ext(m, fileId(b.file), b.page)]!;
        n = e > 0 ? e - 1 : bug(`a block of ${b.file} page ${b.page}`);
      }
      if (n >= m.nBlocks) bug(`block ${n}`);
      const o = blk(m, n);
      switch (b.st) {
        case "free":
          return (s) => s[o + BLK_USERS] === 0 && s[o + BLK_BUSY] === 0;
        case "busy":
          return (s) => s[o + BLK_BUSY] !== 0;
        case "shared":
          return (s) => s[o + BLK_USERS]! > 1;
        case "holds": {
          const want = content(b.arg);
          // The bytes on the block, an unwritten extent's old bytes included.
          return (s) => s[o + BLK_CONTENT] === want;
        }
        default: {
          // owned [by FILE]: an extent map of a file that still exists references the block.
          const files = b.arg === undefined ? m.inodes.map((_, i) => i) : [fileId(b.arg)];
          const slots = files.map((i) => ({
            exists: ino(m, i) + INO_EXISTS,
            ext: Array.from({ length: m.maxPages }, (_, p) => ext(m, i, p)),
          }));
          return (s) => slots.some((f) => s[f.exists] !== 0 && f.ext.some((e) => s[e] === n + 1));
        }
      }
    }
    case "page": {
      const i = fileId(b.file);
      if (b.page >= m.maxPages) return () => b.st === "hole";
      const e = ext(m, i, b.page);
      const pc = pcache(m, i, b.page);
      const dax = m.dax && (m.inodes[i]!.backing === "fs" || m.inodes[i]!.backing === "other");
      /** The frame of the page now: on fs-DAX its block's pfn, else its page-cache page; -1 none. */
      const frame = (s: State): number => {
        if (dax) return s[e]! - 1;
        return s[pc]! - 1;
      };
      switch (b.st) {
        case "hole":
          return (s) => s[e] === 0 && (dax || s[pc] === 0);
        case "pinned":
          return (s) => {
            const f = frame(s);
            return f >= 0 && s[frm(m, f) + FR_REF]! >= GUP_PIN_COUNTING_BIAS;
          };
        case "poisoned":
          return (s) => {
            const f = frame(s);
            return f >= 0 && (s[frm(m, f) + FR_FLAGS]! & FF_POISON) !== 0;
          };
        case "dirty":
          return (s) => {
            const f = dax ? -1 : s[pc]! - 1;
            return f >= 0 && (s[frm(m, f) + FR_FLAGS]! & FF_DIRTY) !== 0;
          };
        default: {
          const want = content(b.arg);
          // What read(2) returns: the cached page, else the block (zeroes while unwritten), else a hole's zeroes.
          return (s) => {
            if (!dax && s[pc]! > 0) return s[frm(m, s[pc]! - 1) + FR_CONTENT] === want;
            const x = s[e]!;
            return (x > 0 ? blockReadContent(m, s, x - 1) : CONTENT_ZERO) === want;
          };
        }
      }
    }
    case "mr":
    case "fd":
    case "va": {
      const p = lookup(
        m.procs.map((x) => x.name),
        b.proc,
      );
      if (p < 0) bug(`process ${b.proc}`);
      // Every object the program assigns to the variable (usually one).
      const slots = m.procs[p]!.prog.flatMap((o) =>
        "dst" in o.spec && o.spec.dst === b.v && assigns(o.spec) !== undefined ? [o.a] : [],
      );
      if (b.k === "mr") {
        const offs = slots.map((x) => ({ o: mr(m, x), odp: m.mrs[x]!.odp }));
        if (b.st === "pinned") return (s) => offs.some((x) => !x.odp && s[x.o] === MR_VALID);
        const want = b.st === "registered" ? MR_VALID : MR_INVALID;
        return (s) => offs.some((x) => s[x.o] === want);
      }
      if (b.k === "fd") {
        const offs = slots.map((x) => ofd(m, x) + OFD_OPEN);
        // OFD_OPEN: 1 open; 2 released, 3 closed while a mapping holds the file.
        if (b.st === "open") return (s) => offs.some((o) => s[o] === 1);
        return (s) => offs.length > 0 && offs.every((o) => s[o] === 2 || s[o] === 3);
      }
      const offs = slots.map((x) => vma(m, x));
      return (s) => offs.some((o) => s[o] === 1);
    }
    case "qp": {
      const r = lookup(
        m.peers.map((x) => x.name),
        b.peer,
      );
      if (r < 0) bug(`peer ${b.peer}`);
      const o = peer(m, r) + R_QP;
      // error: in the error state, or gone with its crashed peer (QP_DEAD)
      return b.st === "ready" ? (s) => s[o] === QP_READY : (s) => s[o] !== QP_READY;
    }
    case "peer": {
      const r = lookup(
        m.peers.map((x) => x.name),
        b.peer,
      );
      if (r < 0) bug(`peer ${b.peer}`);
      const po = peer(m, r);
      if (b.st === "partitioned") return (s) => s[po + R_PART] !== 0;
      if (b.st === "crashed") return (s) => s[po + R_QP] === QP_DEAD;
      const n = m.peers[r]!.prog.length;
      // done: its program has run to its end (a repeating tail is never done).
      return m.peers[r]!.repeat ? () => false : (s) => s[po + R_PC]! >= n;
    }
    case "proc": {
      const p = lookup(
        m.procs.map((x) => x.name),
        b.proc,
      );
      if (p < 0) bug(`process ${b.proc}`);
      const o = proc(m, p) + P_STATUS;
      const status: Record<string, number> = {
        blocked: PS_BLOCKED,
        done: PS_DONE,
        exited: PS_EXITED,
        killed: PS_KILLED,
        crashed: PS_CRASHED,
        hung: PS_HUNG,
      };
      if (b.st === "alive") return (s) => alive(s, m, p);
      const want = status[b.st]!;
      return (s) => s[o] === want;
    }
    case "lease": {
      const i = fileId(b.file);
      const offs = m.ofds.flatMap((x, o) => (x.inode === i ? [ofd(m, o)] : []));
      // Beside F_SETLEASE leases, the lease revoke attaches to each long-term pin
      // of an fs-DAX file (the MR's lease field, mm/gup.ts): Jan Kara's proposal.
      const pins = m.mrs.flatMap((x, k) => (m.vmas[x.vma]?.inode === i ? [mr(m, k)] : []));
      const pinLease = (s: State, o: number) => s[o] === MR_VALID && s[o + 1] !== MRL_NONE;
      const held = (s: State) =>
        offs.some((o) => s[o + OFD_LEASE] !== LEASE_NONE) || pins.some((o) => pinLease(s, o));
      if (b.st === "held") return held;
      if (b.st === "none") return (s) => !held(s);
      return (s) =>
        offs.some(
          (o) => s[o + OFD_LEASE] !== LEASE_NONE && (s[o + OFD_LFLAGS]! & LF_BREAKING) !== 0,
        ) || pins.some((o) => pinLease(s, o) && s[o + 1] === MRL_BREAKING);
    }
    case "file": {
      const o = ino(m, fileId(b.file)) + INO_EXISTS;
      return b.st === "exists" ? (s) => s[o] !== 0 : (s) => s[o] === INO_UNLINKED;
    }
  }
}
