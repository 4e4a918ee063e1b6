/**
 * The condition language of `expect never|sometimes|always condition "..."`:
 * a predicate over the model's named objects, in the spirit of herd7's
 * `exists` clause. This file reads the text into a tree; bind.ts checks its
 * names against a scenario, compile.ts turns it into a function over states.
 *
 * ```ebnf
 * cond    = conj { "or" conj } ;
 * conj    = unary { "and" unary } ;
 * unary   = "not" unary | "(" cond ")" | atom ;
 * atom    = subject state ;
 * subject = "block" NUMBER | "block" "of" NAME "." PAGE | "lease" "of" NAME
 *         | NAME "." NAME | NAME ;
 * state   = WORD [ ( "by" | "holds" ) NAME ] ;   (* see bind.ts for the words *)
 * PAGE    = "page" DIGITS ;                        (* page0, page12 *)
 * ```
 *
 * Names are those of the scenario (letters, digits, `_`, `-` between two
 * parts, a copy's `#N`). Offsets are into the condition's text, 0-based, so
 * that the scenario layer can point at a column inside the string.
 */

export type CondCode = "PIN120" | "PIN121" | "PIN122";

/** A problem in a condition: `from`..`to` are offsets into its text. */
export interface CondError {
  readonly code: string;
  readonly from: number;
  readonly to: number;
  readonly message: string;
  readonly hint?: string;
}

export interface Word {
  readonly text: string;
  readonly from: number;
  readonly to: number;
}

/** What an atom is about. */
export type Subject =
  /** `block N`: block N of the device. */
  | { readonly k: "block"; readonly n: Word }
  /** `block of FILE.pageN`: the block FILE's page N had at the start. */
  | { readonly k: "block-of"; readonly file: Word; readonly page: Word; readonly index: number }
  /** `lease of FILE`: the leases set on FILE's open files. */
  | { readonly k: "lease"; readonly file: Word }
  /** `X.Y`: a file's page (`data.page0`), a peer's QP (`peer.qp`), a process's variable (`server.mr`). */
  | { readonly k: "dotted"; readonly left: Word; readonly right: Word }
  /** `X`: a process, a remote peer or a file. */
  | { readonly k: "name"; readonly name: Word };

export type Cond =
  | { readonly k: "and" | "or"; readonly l: Cond; readonly r: Cond }
  | { readonly k: "not"; readonly x: Cond }
  | {
      readonly k: "atom";
      readonly subject: Subject;
      /** The state word (`owned`, `pinned`, `ready`...). */
      readonly state: Word;
      /** The object of `owned by FILE` or `holds FILE|zeroes|stale`. */
      readonly arg?: Word;
      readonly from: number;
      readonly to: number;
    };

type TokKind = "word" | "number" | "." | "(" | ")" | "eof";
interface Tok extends Word {
  readonly kind: TokKind;
}

const isLetter = (c: string): boolean =>
  (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_" || (c > "\x7f" && /\p{L}/u.test(c));
const isDigit = (c: string): boolean => c >= "0" && c <= "9";

function tokenize(text: string, errors: CondError[]): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    if (c === "." || c === "(" || c === ")") {
      toks.push({ kind: c, text: c, from: i, to: i + 1 });
      i++;
      continue;
    }
    if (isDigit(c)) {
      let j = i;
      while (j < text.length && isDigit(text[j]!)) j++;
      toks.push({ kind: "number", text: text.slice(i, j), from: i, to: j });
      i = j;
      continue;
    }
    if (isLetter(c)) {
      let j = i + 1;
      for (;;) {
        const d = text[j];
        if (d !== undefined && (isLetter(d) || isDigit(d))) j++;
        else if (
          d === "-" &&
          text[j + 1] !== undefined &&
          (isLetter(text[j + 1]!) || isDigit(text[j + 1]!))
        )
          j += 2;
        else break;
      }
      // A copy of a replicated name: `server#3`.
      if (text[j] === "#" && text[j + 1] !== undefined && isDigit(text[j + 1]!)) {
        j++;
        while (j < text.length && isDigit(text[j]!)) j++;
      }
      toks.push({ kind: "word", text: text.slice(i, j), from: i, to: j });
      i = j;
      continue;
    }
    let j = i + 1;
    while (
      j < text.length &&
      !" \t.()".includes(text[j]!) &&
      !isLetter(text[j]!) &&
      !isDigit(text[j]!)
    )
      j++;
    const what = text.slice(i, j);
    errors.push({
      code: "PIN120",
      from: i,
      to: j,
      message: `unexpected ${JSON.stringify(what)} in a condition`,
      hint: hintFor(what),
    });
    i = j;
  }
  toks.push({ kind: "eof", text: "", from: text.length, to: text.length });
  return toks;
}

function hintFor(what: string): string {
  if (what.startsWith("&") || what.startsWith("|") || what.startsWith("!"))
    return "write `and`, `or`, `not`";
  if (what.startsWith("=")) return "write the state after the object: `peer.qp error`";
  return "a condition is atoms such as `peer.qp ready` joined by `and`, `or`, `not` and parentheses";
}

/** Words that join atoms: no name may be one of them inside a condition. */
export const CONNECTIVES: readonly string[] = ["and", "or", "not"];

/** Parses a condition; `cond` is absent when the text has an error. */
export function parseCondition(text: string): { cond?: Cond; errors: CondError[] } {
  const errors: CondError[] = [];
  const toks = tokenize(text, errors);
  if (errors.length > 0) return { errors };
  let i = 0;
  const peek = (): Tok => toks[i]!;
  const next = (): Tok => toks[i++]!;
  const fail = (t: Tok, message: string, hint?: string, code: CondCode = "PIN120"): never => {
    errors.push({
      code,
      from: t.from,
      to: Math.max(t.to, t.from + 1),
      message,
      ...(hint ? { hint } : {}),
    });
    throw errors;
  };
  const isWord = (t: Tok, w: string) => t.kind === "word" && t.text === w;
  const describe = (t: Tok) => (t.kind === "eof" ? "the end of the condition" : `\`${t.text}\``);
  const name = (what: string): Word => {
    const t = next();
    if (t.kind !== "word" || CONNECTIVES.includes(t.text))
      return fail(t, `expected ${what}, found ${describe(t)}`);
    return t;
  };

  const subject = (): Subject => {
    const t = peek();
    if (isWord(t, "block") && (toks[i + 1]?.kind === "number" || isWord(toks[i + 1]!, "of"))) {
      next();
      if (peek().kind === "number") return { k: "block", n: next() };
      next(); // of
      const file = name("a file name after `block of`");
      const dot = next();
      if (dot.kind !== ".")
        fail(
          dot,
          `expected \`.pageN\` after \`block of ${file.text}\``,
          "e.g. `block of data.page0`",
        );
      const page = next();
      const m = page.kind === "word" ? /^page(\d+)$/.exec(page.text) : null;
      if (!m)
        return fail(
          page,
          `expected \`pageN\` after \`block of ${file.text}.\``,
          "e.g. `block of data.page0`",
        );
      return { k: "block-of", file, page, index: Number(m[1]) };
    }
    if (isWord(t, "lease") && isWord(toks[i + 1]!, "of")) {
      next();
      next();
      return { k: "lease", file: name("a file name after `lease of`") };
    }
    if (t.kind === "number")
      fail(t, `unexpected number \`${t.text}\``, "a block is named `block N`; a page `FILE.pageN`");
    const left = name("an object (a process, a peer, a file, `block`, `lease of`)");
    if (peek().kind === ".") {
      next();
      const right = next();
      if (right.kind !== "word")
        fail(right, `expected a name after \`${left.text}.\`, found ${describe(right)}`);
      return { k: "dotted", left, right };
    }
    return { k: "name", name: left };
  };

  const atom = (): Cond => {
    const from = peek().from;
    const subj = subject();
    const st = peek();
    if (st.kind !== "word" || CONNECTIVES.includes(st.text))
      fail(
        st,
        `expected a state after the object, found ${describe(st)}`,
        "e.g. `peer.qp ready`, `server alive`, `block 0 free`",
        "PIN121",
      );
    next();
    let arg: Word | undefined;
    if (st.text === "owned" && isWord(peek(), "by")) {
      next();
      arg = name("a file name after `owned by`");
    } else if (st.text === "holds") arg = name("`zeroes`, `stale` or a file name after `holds`");
    const to = (arg ?? st).to;
    return { k: "atom", subject: subj, state: st, ...(arg ? { arg } : {}), from, to };
  };

  const unary = (): Cond => {
    const t = peek();
    if (isWord(t, "not")) {
      next();
      return { k: "not", x: unary() };
    }
    if (t.kind === "(") {
      next();
      const c = disj();
      const close = next();
      if (close.kind !== ")")
        fail(close, `expected \`)\`, found ${describe(close)}`, "close the `(`");
      return c;
    }
    if (t.kind === ")") fail(t, "unexpected `)`", "a `)` closes a `(` before it");
    return atom();
  };
  const conj = (): Cond => {
    let l = unary();
    while (isWord(peek(), "and")) {
      next();
      l = { k: "and", l, r: unary() };
    }
    return l;
  };
  const disj = (): Cond => {
    let l = conj();
    while (isWord(peek(), "or")) {
      next();
      l = { k: "or", l, r: conj() };
    }
    return l;
  };

  if (peek().kind === "eof") {
    errors.push({
      code: "PIN122",
      from: 0,
      to: text.length,
      message: "empty condition",
      hint: 'write a predicate, e.g. `expect never condition "block of data.page0 owned by other"`',
    });
    return { errors };
  }
  try {
    const cond = disj();
    const t = peek();
    if (t.kind !== "eof")
      fail(
        t,
        `unexpected ${describe(t)} after a complete condition`,
        "join atoms with `and` or `or`",
      );
    return { cond, errors };
  } catch (e) {
    if (e === errors) return { errors };
    throw e;
  }
}

/** Every atom of a condition, in text order. */
export function atoms(c: Cond): Extract<Cond, { k: "atom" }>[] {
  if (c.k === "atom") return [c];
  if (c.k === "not") return atoms(c.x);
  return [...atoms(c.l), ...atoms(c.r)];
}
