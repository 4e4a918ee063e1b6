/**
 * Grammar-aware fuzzing of the whole pipeline: random scenarios built from
 * the format's own statements, operations and arguments (mostly well-formed,
 * sometimes not: wrong variables, pages out of range, names that are
 * Object.prototype keys, odd titles), most of them then mutated (a line
 * dropped, a number or word replaced...) twice. Every one is linted; each that lints
 * clean goes through `check` (with a small state bound) and `run` under
 * every policy, as a user would run them. Bad input must be exit 2 with a
 * message; nothing may throw (an internal error), whatever the input.
 * The seed is printed; PINLAB_FUZZ_SEED=<seed> reproduces a run.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { prng } from "../engine/run/random.js";
import { memoryHost } from "./host.js";
import { main } from "./main.js";

const seed = Number(process.env.PINLAB_FUZZ_SEED ?? Date.now() % 2 ** 31);
console.log(`pipeline fuzz seed: ${seed} (PINLAB_FUZZ_SEED=${seed} reproduces it)`);

const INPUTS = Number(process.env.PINLAB_FUZZ_INPUTS ?? 10_000);
/** Each `check` explores at most this many states: enough to reach every kind of step. */
const MAX_STATES = 12;
/**
 * Share of inputs mutated, twice (most then fail lint: its diagnostics are
 * fuzzed too); about one input in five lints clean, which keeps the test's
 * time bounded while thousands of scenarios are checked.
 */
const MUTATE = 0.9;

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const chance = (r: Rand, p: number) => r() < p;

/** Names users give, with some that a plain-object lookup would mistake for its own keys. */
const NAMES = ["alice", "bob", "data", "other", "server", "peer", "t1", "x"];
const HOSTILE = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"];
const PROPS = [
  "foreign-dma",
  "stale-exposure",
  "lost-write",
  "kernel-bug",
  "pinned-movable",
  "truncate-hang",
  "untruncatable",
  "revocation",
  "kill",
  "comm-failure",
  "stranded-space",
  "rdma-on-dax",
];
const POLICIES = ["unsafe", "linux", "wait", "ebusy", "revoke", "layout-lease", "immutable"];
const RESULTS = ["ok", "blocks", "EBUSY", "EACCES", "EPERM", "EINVAL", "EOPNOTSUPP", "ETXTBSY"];

interface Names {
  users: string[];
  files: { name: string; pages: number }[];
  procs: string[];
  remotes: string[];
}

/** A name for something new, unique among `taken`. */
function fresh(r: Rand, base: string, taken: readonly string[]): string {
  const pool = chance(r, 0.08) ? HOSTILE : [base];
  for (let i = 0; ; i++) {
    const n = i === 0 ? pick(r, pool) : `${base}${i}`;
    if (!taken.includes(n)) return n;
  }
}

/** One program of a local process: operations over the variables it has assigned so far. */
function procProgram(r: Rand, n: Names, self: string): { text: string; ops: string[] } {
  const fds: string[] = [];
  const vas: string[] = [];
  const mrs: string[] = [];
  const lines: string[] = [];
  const ops: string[] = [];
  const file = () => pick(r, n.files);
  const pageOf = (f?: { pages: number }) => int(r, 0, Math.max(0, (f?.pages ?? 2) - 1));
  const len = int(r, 0, 6);
  for (let i = 0; i < len; i++) {
    const f = file();
    // mostly, what an operation needs exists: a file descriptor, then a mapping
    const needFd = fds.length === 0 && !chance(r, 0.03);
    const needVa = !needFd && vas.length === 0 && chance(r, 0.7);
    const fd = fds.length > 0 ? pick(r, fds) : "nofd";
    const label = chance(r, 0.15) ? `l${i}: ` : "";
    const choices: (() => string)[] = [
      () => {
        const v = `fd${fds.length}`;
        fds.push(v);
        return `${v} = ${chance(r, 0.1) ? `create new${fds.length}` : `open ${chance(r, 0.97) ? f.name : "nofile"}`} ${pick(r, ["r", "w", "rw", ""])}`;
      },
      () => {
        const v = `va${vas.length}`;
        vas.push(v);
        const a = pageOf(f);
        return `${v} = mmap ${fd} pages=${a}..${chance(r, 0.97) ? Math.min(a + int(r, 0, 1), f.pages - 1) : 40} ${pick(r, ["shared", "private", ""])} ${pick(r, ["r", "rw", ""])}`;
      },
      () => {
        const v = `mr${mrs.length}`;
        const va = vas.length > 0 ? pick(r, vas) : "nova";
        mrs.push(v);
        const acc = pick(r, ["", "access=local_write", "access=local_write,remote_write"]);
        return `${v} = reg_mr ${va} ${acc} ${chance(r, 0.2) ? "odp" : ""}`;
      },
      () => (mrs.length > 0 ? `dereg_mr ${pick(r, mrs)}` : "exit"),
      () =>
        `${pick(r, ["store", "load"])} ${vas.length > 0 ? pick(r, vas) : "nova"} page=${pageOf(f)}`,
      () => `${pick(r, ["read", "write"])} ${fd} page=${pageOf(f)}`,
      () =>
        n.remotes.length > 0 && mrs.length > 0
          ? `send ${pick(r, n.remotes)} ${pick(r, mrs)}`
          : `fsync ${fd}`,
      () => (n.remotes.length > 0 ? `await ${pick(r, n.remotes)}` : "unplug"),
      () =>
        `setlease ${fd} ${pick(r, ["rd", "wr", "unlck"])} ${pick(r, ["", "layout", "layout unbreak"])}`,
      () => `truncate ${f.name} pages=${int(r, 0, f.pages)}`,
      () => `ftruncate ${fd} pages=${int(r, 0, f.pages)}`,
      () => {
        const a = pageOf(f);
        return `fallocate ${fd} ${pick(r, ["alloc", "punch", "collapse"])} pages=${a}..${a + int(r, 0, 1)}`;
      },
      () => (fds.length > 1 ? `reflink ${fds[0]} ${fds[1]}` : `close ${fd}`),
      () => `close ${fd}`,
      () => `munmap ${vas.length > 0 ? pick(r, vas) : "nova"}`,
      () => `kill ${pick(r, [...n.procs.filter((p) => p !== self), self])}`,
      () => "exit",
    ];
    const text = (needFd ? choices[0]! : needVa ? choices[1]! : pick(r, choices))();
    lines.push(`${label}${text}`);
    ops.push(label ? `l${i}` : text.replace(/^\w+ = /, "").split(" ")[0]!);
  }
  return { text: lines.join("; "), ops };
}

function remoteProgram(r: Rand): string {
  const lines = ["m = recv"];
  const len = int(r, 0, 3);
  for (let i = 0; i < len; i++)
    lines.push(`${pick(r, ["rdma_write", "rdma_read"])} m page=${int(r, 0, 2)}`);
  return lines.join("; ");
}

/** A random scenario text. */
export function scenario(r: Rand): string {
  const n: Names = { users: [], files: [], procs: [], remotes: [] };
  const out: string[] = [];
  const title = pick(r, ["fuzz", "a \u001b]0;t\u0007 title", "é → ─", "x".repeat(int(r, 1, 90))]);
  out.push(`scenario "${title}"`);
  const dax = chance(r, 0.5);
  const fsAt = out.push("fs") - 1; // written once the files' sizes are known
  for (let i = int(r, 1, 2); i > 0; i--) {
    const u = fresh(r, pick(r, ["alice", "bob"]), n.users);
    n.users.push(u);
    out.push(
      `user ${u}${chance(r, 0.3) ? ` caps=${pick(r, ["CAP_LEASE", "CAP_IPC_LOCK", "CAP_LEASE,CAP_IPC_LOCK"])}` : ""}`,
    );
  }
  for (let i = int(r, 1, 2); i > 0; i--) {
    const name = fresh(
      r,
      pick(r, ["data", "other"]),
      n.files.map((f) => f.name),
    );
    const reflink = chance(r, 0.1) ? n.files[0] : undefined;
    const pages = reflink && chance(r, 0.9) ? reflink.pages : int(r, 1, 3);
    const extra = [
      chance(r, 0.8) ? `mode=${pick(r, ["0644", "0600", "0666", "0400"])}` : "",
      chance(r, 0.2) ? "sparse" : "",
      chance(r, 0.2) ? "unzeroed" : "",
      chance(r, 0.1) && !dax ? "movable" : "",
      chance(r, 0.05) ? "pfnmap" : "",
      reflink ? `reflink=${reflink.name}` : "",
    ].filter(Boolean);
    n.files.push({ name, pages });
    out.push(`file ${name} owner=${pick(r, n.users)} pages=${pages} ${extra.join(" ")}`);
  }
  const pages = n.files.reduce((t, f) => t + f.pages, 0);
  const blocks = chance(r, 0.95) ? int(r, pages, pages + 6) : int(r, 1, 12);
  out[fsAt] = `fs ${dax ? "dax" : "pagecache"} blocks=${blocks}`;
  const nProcs = int(r, 1, 3);
  const nRemotes = int(r, 0, 1);
  for (let i = 0; i < nProcs; i++) n.procs.push(fresh(r, NAMES[4 + (i % 2)]!, n.procs));
  for (let i = 0; i < nRemotes; i++) n.remotes.push(fresh(r, "peer", [...n.procs, ...n.remotes]));
  const programs = new Map<string, string[]>();
  for (const p of n.procs) {
    const prog = procProgram(r, n, p);
    programs.set(p, prog.ops);
    const lb = chance(r, 0.3)
      ? ` on_lease_break=${pick(r, ["cancel", "ignore", "hang", "crash"])}`
      : "";
    out.push(`proc ${p} user=${pick(r, n.users)}${lb} { ${prog.text} }`);
  }
  for (const q of n.remotes)
    out.push(
      `remote ${q}${chance(r, 0.3) ? ` cancel=${pick(r, ["yes", "no"])}` : ""} { ${remoteProgram(r)} }`,
    );
  if (chance(r, 0.2)) {
    const f: string[] = [];
    if (chance(r, 0.5)) f.push(`crash=${pick(r, n.procs)}`);
    if (chance(r, 0.3)) f.push(`hang=${pick(r, n.procs)}`);
    if (n.remotes.length > 0 && chance(r, 0.5)) f.push(`partition=${n.remotes[0]}`);
    if (chance(r, 0.3)) f.push("nic_no_invalidate");
    out.push(`faults ${f.join(" ")}`);
  }
  if (chance(r, 0.1)) out.push(`bounds max_states=${int(r, 1, 30)}`);
  for (let i = int(r, 0, 4); i > 0; i--) {
    const under = chance(r, 0.3) ? ` under ${pick(r, POLICIES)}` : "";
    const p = pick(r, n.procs);
    const ops = programs.get(p)!;
    if (chance(r, 0.25))
      out.push(
        `expect ${pick(r, ["never", "sometimes", "always"])} condition "${condition(r, n, 2)}"${under}`,
      );
    else if (ops.length > 0 && chance(r, 0.5))
      out.push(`expect ${p}.${pick(r, ops)} returns ${pick(r, RESULTS)}${under}`);
    else out.push(`expect ${pick(r, ["never", "sometimes", "always"])} ${pick(r, PROPS)}${under}`);
  }
  return `${out.join("\n")}\n`;
}

/** A condition over the scenario's names (and, rarely, names it does not have). */
function condition(
  r: Rand,
  n: { files: readonly { name: string }[]; procs: readonly string[]; remotes: readonly string[] },
  depth: number,
): string {
  if (depth > 0 && chance(r, 0.4)) {
    const l = condition(r, n, depth - 1);
    const c = condition(r, n, depth - 1);
    return pick(r, [`${l} and ${c}`, `${l} or ${c}`, `not (${l})`, `(${l}) and not ${c}`]);
  }
  const file = n.files.length > 0 ? pick(r, n.files).name : "data";
  const proc = chance(r, 0.95) ? pick(r, n.procs) : pick(r, HOSTILE);
  const page = int(r, 0, 3);
  switch (int(r, 0, 7)) {
    case 0:
      return `${proc} ${pick(r, ["alive", "killed", "blocked", "done", "hung", "crashed"])}`;
    case 1:
      return n.remotes.length > 0
        ? `${n.remotes[0]}.qp ${pick(r, ["ready", "error"])}`
        : `${proc} alive`;
    case 2:
      return `block ${int(r, 0, 8)} ${pick(r, ["free", "busy", "owned", "shared", "holds zeroes"])}`;
    case 3:
      return `block of ${file}.page${page} ${pick(r, ["owned by", "holds"])} ${pick(r, n.files.map((f) => f.name).concat(["stale"]))}`;
    case 4:
      return `${file}.page${page} ${pick(r, ["hole", "pinned", "dirty", `holds ${file}`])}`;
    case 5:
      return `lease of ${file} ${pick(r, ["held", "breaking", "none"])}`;
    case 6:
      return `${proc}.${pick(r, ["fd", "va", "mr", "x"])} ${pick(r, ["pinned", "registered", "open", "mapped"])}`;
    default:
      return `${file} ${pick(r, ["exists", "unlinked"])}`;
  }
}

/** One small change to a scenario's text: a line dropped, doubled or moved, a number or word replaced, a stray token. */
export function mutate(r: Rand, text: string): string {
  const lines = text.split("\n");
  const at = int(r, 0, lines.length - 1);
  const words = (l: string) => l.split(/(\s+)/);
  switch (int(r, 0, 5)) {
    case 0:
      lines.splice(at, 1);
      break;
    case 1:
      lines.splice(at, 0, lines[at]!);
      break;
    case 2: {
      const b = int(r, 0, lines.length - 1);
      [lines[at], lines[b]] = [lines[b]!, lines[at]!];
      break;
    }
    case 3:
      lines[at] = lines[at]!.replace(/\d+/, () => pick(r, ["0", "1", "2", "33", "64", "99"]));
      break;
    case 4: {
      const w = words(lines[at]!);
      w[2 * int(r, 0, Math.floor((w.length - 1) / 2))] = pick(r, [
        ...HOSTILE,
        ...PROPS,
        "under",
        "=",
        "r",
      ]);
      lines[at] = w.join("");
      break;
    }
    default: {
      const l = lines[at]!;
      const i = int(r, 0, l.length);
      lines[at] =
        l.slice(0, i) + pick(r, ["{", "}", " = ", ";", "..", '"', " x", "\t"]) + l.slice(i);
    }
  }
  return lines.join("\n");
}

async function pinlab(files: Record<string, string>, argv: string[]) {
  const h = memoryHost(files);
  try {
    const code = await main(argv, h);
    return { code, out: h.stdout, err: h.stderr };
  } catch (e) {
    assert.fail(`internal error in 'pinlab ${argv.join(" ")}': ${(e as Error).stack}`);
  }
}

test(`${INPUTS} grammar-aware scenarios: lint, and check and run under every policy`, {
  timeout: 600_000,
}, async () => {
  const r = prng(seed);
  let clean = 0;
  for (let i = 0; i < INPUTS; i++) {
    const made = scenario(r);
    const text = chance(r, MUTATE) ? mutate(r, mutate(r, made)) : made;
    const file = `fuzz-${i}.pin`;
    const files = { [file]: text };
    const where = `input ${i} of seed ${seed}:\n${text}`;
    const lint = await pinlab(files, ["lint", file]);
    assert.ok(lint.code === 0 || lint.code === 2, `lint exit ${lint.code}, ${where}`);
    if (lint.code !== 0) continue;
    clean++;
    const check = await pinlab(files, [
      "check",
      file,
      "--policy",
      "all",
      "--max-states",
      String(MAX_STATES),
    ]);
    assert.ok([0, 1, 3].includes(check.code), `check exit ${check.code}: ${check.err}\n${where}`);
    const run = await pinlab(files, ["run", file, "--policy", "all"]);
    assert.ok([0, 1, 3].includes(run.code), `run exit ${run.code}: ${run.err}\n${where}`);
  }
  console.log(`pipeline fuzz: ${clean} of ${INPUTS} inputs linted clean and were checked and run`);
  assert.ok(clean > INPUTS / 10, `too few clean inputs (${clean}): the generator has drifted`);
  assert.ok(clean < INPUTS / 3, `too many clean inputs (${clean}): the test would take too long`);
});
