/**
 * Names and state words of a condition, checked against what a scenario
 * declares: each atom becomes a {@link Bound} atom, whose meaning
 * compile.ts gives over the model's state. The words, and what each means,
 * are listed in {@link STATES} (docs/scenario-format.md, "Conditions").
 */
import { closest } from "../../util/suggest.js";
import { atoms, type Cond, type CondError, type Word } from "./syntax.js";

/** What a variable of a process holds, by the operation that assigns it. */
export type VarKind = "fd" | "va" | "mr" | "buf" | "pin";

/** The names a condition may use: a scenario's, as bind sees them. */
export interface CondScope {
  /** Files: declared (with `pages`, and whether each page has a block at the start) or created. */
  readonly files: ReadonlyMap<string, { readonly pages: number; readonly blocks: boolean } | null>;
  /** Processes and the kind of each of their variables. */
  readonly procs: ReadonlyMap<string, ReadonlyMap<string, VarKind>>;
  readonly peers: ReadonlySet<string>;
  readonly blocks: number;
}

/** The model's file pages per file (layout.ts maxPages is at most this). */
export const MAX_FILE_PAGES = 32;

/**
 * The state words of each kind of object. The comment beside each is its
 * exact meaning over the model's state (compile.ts).
 */
export const STATES = {
  // block N, block of FILE.pageN (the block that page had at the start)
  block: [
    "free", // no extent references it and it is not held busy
    "busy", // freed by a layout change but held busy until its last unpin (deferred-free)
    "owned", // some file's extent map references it (`owned by FILE`: that file's)
    "shared", // more than one extent references it (reflink)
    "holds", // its bytes: `holds FILE` (data written for FILE), `holds zeroes`, `holds stale`
  ],
  // FILE.pageN: the file's page N as it is now
  page: [
    "hole", // no block (fs-DAX) and, on a page-cache file, no cached page and no block
    "pinned", // its frame carries a FOLL_PIN (GUP_PIN_COUNTING_BIAS) reference
    "dirty", // its cached page is dirty (page-cache files only)
    "poisoned", // its memory carries PG_hwpoison (memory_failure)
    "holds", // what a read of it returns: `holds FILE`, `holds zeroes`, `holds stale`
  ],
  mr: ["pinned", "registered", "invalidated"],
  fd: ["open", "closed"],
  va: ["mapped"],
  qp: ["ready", "error"],
  peer: ["partitioned", "crashed", "done"],
  proc: ["alive", "blocked", "done", "exited", "killed", "crashed", "hung"],
  lease: ["held", "breaking", "none"],
  file: ["exists", "unlinked"],
} as const;

type Kind = keyof typeof STATES;
const VAR_STATES: Record<VarKind, Kind> = { fd: "fd", va: "va", mr: "mr", buf: "mr", pin: "mr" };

/** A bound atom: the object, by name, and the state word. */
export type Bound =
  | { readonly k: "block"; readonly block: number; readonly st: string; readonly arg?: string }
  | {
      readonly k: "block-of";
      readonly file: string;
      readonly page: number;
      readonly st: string;
      readonly arg?: string;
    }
  | {
      readonly k: "page";
      readonly file: string;
      readonly page: number;
      readonly st: string;
      readonly arg?: string;
    }
  | {
      readonly k: "mr" | "fd" | "va";
      readonly proc: string;
      readonly v: string;
      readonly st: string;
    }
  | { readonly k: "qp" | "peer"; readonly peer: string; readonly st: string }
  | { readonly k: "proc"; readonly proc: string; readonly st: string }
  | { readonly k: "lease" | "file"; readonly file: string; readonly st: string };

/** The value of `holds`: a file's data, zeroes, or a previous owner's leftovers. */
export const HOLDS_WORDS: readonly string[] = ["zeroes", "stale"];

/**
 * Binds every atom of `cond`: the bound atoms in text order (as `atoms()`
 * lists them), or errors. Codes: PIN121 a state the object does not have,
 * PIN230 unknown file, PIN231 unknown process or peer, PIN232 unknown
 * variable, PIN330 a block outside the device, PIN331 a page with no block
 * at the start, PIN332 a page outside the model's file size.
 */
export function bindCondition(
  cond: Cond,
  scope: CondScope,
): { bound: Bound[]; errors: CondError[] } {
  const errors: CondError[] = [];
  const bound: Bound[] = [];
  const err = (code: string, w: Word, message: string, hint?: string) =>
    errors.push({ code, from: w.from, to: w.to, message, ...(hint ? { hint } : {}) });
  const suggest = (w: Word, names: Iterable<string>, what: string) => {
    const near = closest(w.text, [...names]);
    return near ? `did you mean \`${near}\`?` : `no ${what} is called \`${w.text}\``;
  };
  const file = (w: Word): boolean => {
    if (scope.files.has(w.text)) return true;
    err(
      "PIN230",
      w,
      `unknown file \`${w.text}\` in the condition`,
      suggest(w, scope.files.keys(), "file"),
    );
    return false;
  };
  const state = (kind: Kind, w: Word, what: string): boolean => {
    const words: readonly string[] = STATES[kind];
    if (words.includes(w.text)) return true;
    const near = closest(w.text, words);
    err(
      "PIN121",
      w,
      `${what} has no state \`${w.text}\``,
      `${near ? `did you mean \`${near}\`? ` : ""}${what} can be: ${words.map((x) => `\`${x}\``).join(", ")}`,
    );
    return false;
  };
  const holds = (w: Word | undefined): string | undefined => {
    if (!w) return undefined;
    if (scope.files.has(w.text) || HOLDS_WORDS.includes(w.text)) return w.text;
    err(
      "PIN230",
      w,
      `\`holds\` takes \`zeroes\`, \`stale\` or a file, not \`${w.text}\``,
      suggest(w, [...HOLDS_WORDS, ...scope.files.keys()], "file"),
    );
    return undefined;
  };
  const page = (fileW: Word, pageW: Word, index: number): boolean => {
    if (index < MAX_FILE_PAGES) return true;
    err(
      "PIN332",
      pageW,
      `page ${index} of \`${fileW.text}\` is outside the model's files (pages 0..${MAX_FILE_PAGES - 1})`,
    );
    return false;
  };
  for (const a of atoms(cond)) {
    const s = a.subject;
    const st = a.state.text;
    const before = errors.length;
    let b: Bound | undefined;
    if (s.k === "block" || s.k === "block-of") {
      if (!state("block", a.state, "a block")) continue;
      if (st === "owned" && a.arg && !file(a.arg)) continue;
      const arg = st === "holds" ? holds(a.arg) : a.arg?.text;
      if (st === "holds" && arg === undefined) continue;
      if (s.k === "block") {
        const n = Number(s.n.text);
        if (n >= scope.blocks) {
          err(
            "PIN330",
            s.n,
            `block ${n} is not on the device`,
            `the filesystem has blocks 0..${scope.blocks - 1}`,
          );
          continue;
        }
        b = { k: "block", block: n, st, ...(arg !== undefined ? { arg } : {}) };
      } else {
        if (!file(s.file) || !page(s.file, s.page, s.index)) continue;
        const f = scope.files.get(s.file.text);
        if (!f?.blocks || s.index >= f.pages) {
          err(
            "PIN331",
            s.page,
            `\`${s.file.text}\` has no block at page ${s.index} at the start`,
            !f
              ? "a file created by a process has no blocks at the start; name the block by number: `block N`"
              : !f.blocks
                ? "the file is sparse, or its pages are not on the filesystem's blocks (tmpfs, hugetlbfs, device-DAX, pfnmap)"
                : `it has ${f.pages} page${f.pages === 1 ? "" : "s"}`,
          );
          continue;
        }
        b = {
          k: "block-of",
          file: s.file.text,
          page: s.index,
          st,
          ...(arg !== undefined ? { arg } : {}),
        };
      }
    } else if (s.k === "lease") {
      if (!file(s.file) || !state("lease", a.state, "a lease")) continue;
      b = { k: "lease", file: s.file.text, st };
    } else if (s.k === "dotted") {
      const l = s.left.text;
      const r = s.right.text;
      const pm = /^page(\d+)$/.exec(r);
      if (pm && scope.files.has(l)) {
        const index = Number(pm[1]);
        if (!page(s.left, s.right, index) || !state("page", a.state, "a file page")) continue;
        const arg = st === "holds" ? holds(a.arg) : undefined;
        if (st === "holds" && arg === undefined) continue;
        b = { k: "page", file: l, page: index, st, ...(arg !== undefined ? { arg } : {}) };
      } else if (r === "qp" && scope.peers.has(l)) {
        if (!state("qp", a.state, "a QP")) continue;
        b = { k: "qp", peer: l, st };
      } else if (scope.procs.has(l)) {
        const vars = scope.procs.get(l)!;
        const kind = vars.get(r);
        if (!kind) {
          err(
            "PIN232",
            s.right,
            `process \`${l}\` assigns no variable \`${r}\``,
            suggest(s.right, vars.keys(), "variable"),
          );
          continue;
        }
        const what = {
          fd: "a file descriptor",
          va: "a mapping",
          mr: "an MR",
          buf: "an io_uring buffer",
          pin: "a gup_test pin",
        }[kind];
        if (!state(VAR_STATES[kind], a.state, `\`${l}.${r}\` (${what})`)) continue;
        b = { k: VAR_STATES[kind] as "mr" | "fd" | "va", proc: l, v: r, st };
      } else if (scope.peers.has(l)) {
        err(
          "PIN232",
          s.right,
          `a remote peer has only its \`qp\`, not \`${r}\``,
          `write \`${l}.qp ready\` or \`${l}.qp error\``,
        );
        continue;
      } else if (pm) {
        // `X.pageN` of no file: the file is what is unknown.
        file(s.left);
        continue;
      } else {
        err(
          "PIN231",
          s.left,
          `unknown process or peer \`${l}\` in the condition`,
          suggest(s.left, [...scope.procs.keys(), ...scope.peers], "process or peer"),
        );
        continue;
      }
    } else {
      const n = s.name.text;
      if (scope.procs.has(n)) {
        if (!state("proc", a.state, "a process")) continue;
        b = { k: "proc", proc: n, st };
      } else if (scope.peers.has(n)) {
        if (!state("peer", a.state, "a remote peer")) continue;
        b = { k: "peer", peer: n, st };
      } else if (scope.files.has(n)) {
        if (!state("file", a.state, "a file")) continue;
        b = { k: "file", file: n, st };
      } else {
        err(
          "PIN231",
          s.name,
          `unknown object \`${n}\` in the condition`,
          suggest(
            s.name,
            [...scope.procs.keys(), ...scope.peers, ...scope.files.keys()],
            "process, peer or file",
          ),
        );
        continue;
      }
    }
    if (errors.length === before && b) bound.push(b);
  }
  return { bound, errors };
}
