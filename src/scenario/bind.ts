/**
 * Binding: the arguments of one statement read against its signature. The
 * first bare words fill the positional names in order (`open data`), later
 * ones must be keywords of the signature (`rw`, `shared`);
 * `key=value` arguments are converted to their declared type. Problems are
 * reported here, once, and the binding says whether it is complete enough to
 * be given meaning.
 */

import { closest } from "../util/suggest.js";
import type { Arg, Item, Name, Stmt } from "./ast.js";
import type { DiagnosticSink, Span } from "./diagnostics.js";
import type { KeySlot, Signature } from "./schema.js";

/** What a statement's arguments mean, by role or key name. */
export class Bound {
  readonly spans = new Map<string, Span>();
  /** Positional names, chosen words, and `name`/`enum`/`yesno` keys. */
  readonly names = new Map<string, string>();
  readonly ints = new Map<string, number>();
  readonly ranges = new Map<string, readonly [number, number]>();
  readonly lists = new Map<string, readonly string[]>();
  /** Every required slot is present and well-formed. */
  complete = true;

  name(key: string, dflt = ""): string {
    return this.names.get(key) ?? dflt;
  }
  int(key: string, dflt = 0): number {
    return this.ints.get(key) ?? dflt;
  }
  range(key: string): readonly [number, number] {
    return this.ranges.get(key) ?? [0, 0];
  }
  list(key: string): readonly string[] {
    return this.lists.get(key) ?? [];
  }
  has(key: string): boolean {
    return this.names.has(key) || this.ints.has(key) || this.ranges.has(key) || this.lists.has(key);
  }
}

export function bind(stmt: Stmt, sig: Signature, sink: DiagnosticSink): Bound {
  const b = new Bound();
  const quiet = stmt.broken;
  const seen = new Set<string>();
  /** Required keys a misspelt key was suggested for: their absence is not reported again. */
  const excused = new Set<string>();
  let nextRef = 0;
  /** One "unexpected argument" per statement: the rest are usually the same mistake. */
  let strays = 0;

  for (const arg of stmt.args) {
    if (arg.key) {
      bindKey(arg, arg.key, sig, b, sink, seen, excused);
      continue;
    }
    if (arg.items.length > 1) {
      sink.report(
        "PIN109",
        arg.span,
        `a list is only allowed after \`key=\` in \`${sig.name}\``,
        `write it as in \`${sig.synopsis}\``,
      );
      continue;
    }
    const item = arg.items[0]!;
    if (item.kind === "word") {
      const w = item.name;
      // Names come first, so that no name is reserved: `open rw rw` opens a file called rw.
      const ref = sig.refs[nextRef];
      if (ref?.kind === "label") {
        nextRef++;
        b.complete = false;
        sink.report(
          "PIN109",
          w,
          `\`${sig.name}\` needs a process and one of its labels, not \`${w.text}\` alone`,
          `write \`${sig.name} ${w.text}.LABEL\`, naming a label of \`${w.text}\``,
        );
        continue;
      }
      if (ref) {
        nextRef++;
        b.names.set(ref.role, w.text);
        b.spans.set(ref.role, w);
        continue;
      }
      const group = sig.words.find((g) => g.values.includes(w.text));
      if (group) {
        const prev = b.names.get(group.role);
        if (prev !== undefined) {
          sink.report(
            "PIN107",
            w,
            prev === w.text
              ? `\`${w.text}\` given twice`
              : `\`${w.text}\` conflicts with \`${prev}\``,
            group.values.length > 1 ? `choose one of ${list(group.values)}` : undefined,
          );
          continue;
        }
        b.names.set(group.role, w.text);
        b.spans.set(group.role, w);
        continue;
      }
      if (strays++ === 0) unknownWord(w, sig, sink);
      continue;
    }
    if (item.kind === "dotted" && sig.refs[nextRef]?.kind === "label") {
      // `PROC.LABEL`: a process and the label of one of its operations.
      nextRef++;
      b.names.set("proc", item.left.text);
      b.spans.set("proc", item.left);
      b.names.set("until", item.right.text);
      b.spans.set("until", item.right);
      continue;
    }
    if (item.kind === "number" || item.kind === "range") {
      const wanted = item.kind === "number" ? "int" : "range";
      const slots = sig.keys.filter((k) => k.type === wanted);
      const slot = slots.length === 1 ? slots[0] : undefined;
      if (slot && !seen.has(slot.key)) {
        sink.report(
          "PIN103",
          item.span,
          `a bare ${item.kind === "number" ? "number" : "range"} is not an argument of \`${sig.name}\``,
          `write \`${slot.key}=${text(item)}\``,
        );
        bindKey(arg, { ...item.span, text: slot.key }, sig, b, sink, seen, excused);
        continue;
      }
    }
    if (strays++ === 0)
      sink.report(
        "PIN106",
        item.span,
        `unexpected ${describeItem(item)} in \`${sig.name}\``,
        `write it as in \`${sig.synopsis}\``,
      );
  }

  // What is missing. A broken statement has already been reported: stay quiet.
  const missing = (what: string, at: Span) => {
    b.complete = false;
    if (!quiet)
      sink.report("PIN108", at, `\`${sig.name}\` needs ${what}`, `write \`${sig.synopsis}\``);
  };
  const at = stmt.head;
  for (const ref of sig.refs.slice(nextRef)) missing(refWhat(ref.kind, ref.role), at);
  for (const g of sig.words)
    if (g.required && !b.names.has(g.role)) missing(`one of ${list(g.values)}`, at);
  for (const k of sig.keys)
    if (k.required && !b.has(k.key) && !seen.has(k.key)) {
      if (excused.has(k.key)) b.complete = false;
      else missing(`\`${k.key}=\``, at);
    }
  return b;
}

function bindKey(
  arg: Arg,
  key: Name,
  sig: Signature,
  b: Bound,
  sink: DiagnosticSink,
  seen: Set<string>,
  excused: Set<string>,
): void {
  const slot = sig.keys.find((k) => k.key === key.text);
  if (!slot) {
    const near = closest(
      key.text,
      sig.keys.map((k) => k.key),
    );
    const word = sig.words.find((g) => g.values.includes(key.text));
    if (near) excused.add(near);
    sink.report(
      "PIN106",
      key,
      `\`${sig.name}\` has no argument \`${key.text}=\``,
      near
        ? `did you mean \`${near}=\`?`
        : word
          ? `\`${key.text}\` is a bare word here: write \`${key.text}\` without \`=\``
          : `write \`${sig.synopsis}\``,
    );
    return;
  }
  if (seen.has(slot.key)) {
    sink.report("PIN107", key, `\`${slot.key}=\` given twice`);
    return;
  }
  seen.add(slot.key);
  const ok = convert(arg, slot, sig, b, sink);
  if (!ok && slot.required) b.complete = false;
  if (ok) b.spans.set(slot.key, valueSpan(arg));
}

function valueSpan(arg: Arg): Span {
  const first = arg.items[0];
  const last = arg.items[arg.items.length - 1];
  if (!first || !last) return arg.span;
  return {
    line: first.span.line,
    col: first.span.col,
    endCol: last.span.line === first.span.line ? last.span.endCol : first.span.endCol,
  };
}

/** Converts a `key=value` to its type; false (after a report) when it cannot. */
function convert(arg: Arg, slot: KeySlot, sig: Signature, b: Bound, sink: DiagnosticSink): boolean {
  const items = arg.items;
  if (items.length === 0) return false; // `key=` with no value: reported by the parser
  const one = (): Item | undefined => {
    if (items.length === 1) return items[0];
    sink.report("PIN109", arg.span, `\`${slot.key}=\` takes one value, not a list`);
    return undefined;
  };
  const k = slot.key;
  switch (slot.type) {
    case "int": {
      const it = one();
      if (!it) return false;
      if (it.kind === "range") {
        sink.report(
          "PIN109",
          it.span,
          `\`${k}=\` of \`${sig.name}\` is a number, not a range`,
          k === "pages"
            ? `\`${k}=N\` is a size in pages, e.g. \`${k}=${it.last.text}\``
            : undefined,
        );
        return false;
      }
      const n = it.kind === "number" ? decimal(it.name, sink) : undefined;
      if (it.kind !== "number")
        sink.report("PIN109", it.span, `\`${k}=\` needs a number, not ${describeItem(it)}`);
      if (n === undefined) return false;
      b.ints.set(k, n);
      return true;
    }
    case "octal": {
      const it = one();
      if (!it) return false;
      const m = it.kind === "number" ? /^(?:0o?)?([0-7]{1,4})$/.exec(it.name.text) : null;
      if (!m) {
        sink.report(
          "PIN109",
          it.span,
          `\`${k}=\` needs octal permission bits`,
          "e.g. `mode=0644` or `mode=0600`",
        );
        return false;
      }
      b.ints.set(k, Number.parseInt(m[1]!, 8));
      return true;
    }
    case "range": {
      const it = one();
      if (!it) return false;
      if (it.kind !== "range") {
        const n = it.kind === "number" ? it.name.text : "N";
        sink.report(
          "PIN109",
          it.span,
          `\`${k}=\` of \`${sig.name}\` needs a page range \`first..last\``,
          it.kind === "number"
            ? `for page ${n} alone write \`${k}=${n}..${n}\`; for the first ${n} pages \`${k}=0..${Math.max(0, Number(n) - 1)}\``
            : undefined,
        );
        return false;
      }
      const first = decimal(it.first, sink);
      const last = decimal(it.last, sink);
      if (first === undefined || last === undefined) return false;
      b.ranges.set(k, [first, last]);
      return true;
    }
    case "name": {
      const it = one();
      if (!it) return false;
      if (it.kind !== "word") {
        sink.report("PIN109", it.span, `\`${k}=\` needs a name, not ${describeItem(it)}`);
        return false;
      }
      b.names.set(k, it.name.text);
      return true;
    }
    case "yesno":
    case "enum": {
      const it = one();
      if (!it) return false;
      const values = slot.type === "yesno" ? ["yes", "no"] : (slot.values ?? []);
      const w = wordIn(it, values, k, sink);
      if (w === undefined) return false;
      b.names.set(k, w);
      return true;
    }
    case "names":
    case "enums": {
      const out: string[] = [];
      let ok = true;
      items.forEach((it) => {
        const w =
          slot.type === "enums"
            ? wordIn(it, slot.values ?? [], k, sink)
            : it.kind === "word"
              ? it.name.text
              : undefined;
        if (slot.type === "names" && it.kind !== "word")
          sink.report("PIN109", it.span, `\`${k}=\` needs names, not ${describeItem(it)}`);
        if (w === undefined) {
          ok = false;
          return;
        }
        if (out.includes(w)) {
          sink.report("PIN313", it.span, `\`${w}\` is listed twice in \`${k}=\``);
          return;
        }
        b.spans.set(`${k}[${out.length}]`, it.span);
        out.push(w);
      });
      b.lists.set(k, out);
      return ok;
    }
  }
}

function wordIn(
  it: Item,
  values: readonly string[],
  key: string,
  sink: DiagnosticSink,
): string | undefined {
  if (it.kind === "word" && values.includes(it.name.text)) return it.name.text;
  const got = it.kind === "word" ? `\`${it.name.text}\`` : describeItem(it);
  const near = it.kind === "word" ? closest(it.name.text, values) : undefined;
  sink.report(
    "PIN109",
    it.span,
    `\`${key}=\` cannot be ${got}`,
    near ? `did you mean \`${near}\`? (one of ${list(values)})` : `one of ${list(values)}`,
  );
  return undefined;
}

/** A decimal number token; anything else (`4k`, `0x10`) is a malformed number. */
export function decimal(n: Name, sink: DiagnosticSink): number | undefined {
  if (/^[0-9]+$/.test(n.text)) return Number(n.text);
  sink.report(
    "PIN003",
    n,
    `malformed number \`${n.text}\``,
    "numbers are plain decimal digits, e.g. `2`",
  );
  return undefined;
}

/** Words renamed because their meaning changed; the hint names the new spelling and why. */
const RENAMED_WORDS: Readonly<Record<string, string>> = {
  "file unzeroed":
    "unzeroed blocks are hypothetical (XFS and ext4 never hand them out): write `hypothetical-unzeroed`",
  "fs shmem":
    "a backing is chosen per file, beside the scenario's filesystem: keep `fs dax` or `fs pagecache` and declare `file NAME ... backing=tmpfs`",
  "fs tmpfs":
    "a backing is chosen per file, beside the scenario's filesystem: keep `fs dax` or `fs pagecache` and declare `file NAME ... backing=tmpfs`",
  "fs hugetlbfs":
    "a backing is chosen per file, beside the scenario's filesystem: keep `fs dax` or `fs pagecache` and declare `file NAME ... backing=hugetlbfs`",
  "fs hugetlb":
    "a backing is chosen per file, beside the scenario's filesystem: keep `fs dax` or `fs pagecache` and declare `file NAME ... backing=hugetlbfs`",
  "fs devdax":
    "a backing is chosen per file, beside the scenario's filesystem: keep `fs dax` or `fs pagecache` and declare `file NAME ... backing=devdax`",
  "fs anon":
    "anonymous memory is no filesystem: map it with `VA = mmap anon pages=N` inside a process",
};

function unknownWord(w: Name, sig: Signature, sink: DiagnosticSink): void {
  const key = sig.keys.find((k) => k.key === w.text);
  const words = sig.words.flatMap((g) => g.values);
  const near = closest(w.text, words);
  const renamed = RENAMED_WORDS[`${sig.name} ${w.text}`];
  sink.report(
    "PIN106",
    w,
    `unexpected \`${w.text}\` in \`${sig.name}\``,
    key
      ? `\`${key.key}\` takes a value: \`${key.key}=...\``
      : renamed !== undefined
        ? renamed
        : near
          ? `did you mean \`${near}\`?`
          : `write \`${sig.synopsis}\``,
  );
}

function refWhat(kind: string, role: string): string {
  switch (kind) {
    case "new":
      return "a name";
    case "file":
      return "a file name";
    case "fd":
      return role === "src"
        ? "a source file descriptor"
        : role === "dst"
          ? "a destination file descriptor"
          : "a file descriptor";
    case "va":
      return "a mapping";
    case "mr":
      return "a memory registration";
    case "buf":
      return "an io_uring registered buffer";
    case "dma":
      return "a VFIO DMA mapping";
    case "peer":
      return "a remote peer";
    case "label":
      return "a process and its label (`PROC.LABEL`)";
    default:
      return "a process";
  }
}

function describeItem(it: Item): string {
  switch (it.kind) {
    case "word":
      return `\`${it.name.text}\``;
    case "number":
      return `number ${it.name.text}`;
    case "string":
      return "a string";
    case "range":
      return `range ${it.first.text}..${it.last.text}`;
    case "dotted":
      return `\`${it.left.text}.${it.right.text}\``;
  }
}

function text(it: Item): string {
  return it.kind === "range"
    ? `${it.first.text}..${it.last.text}`
    : it.kind === "word" || it.kind === "number"
      ? it.name.text
      : "";
}

export function list(values: readonly string[]): string {
  return values.map((v) => `\`${v}\``).join(", ");
}
