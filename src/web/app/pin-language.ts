/**
 * `.pin` in CodeMirror 6: highlighting, live diagnostics and completion.
 * Every name list comes from pinlab's own tables (the scenario schema, the
 * policy registry, the properties), so the editor knows what the parser
 * knows; the diagnostics are `pinlab lint`'s (session.ts), drawn as
 * underlines with their code, message and hint.
 */
import {
  autocompletion,
  type Completion,
  type CompletionContext,
  type CompletionResult,
} from "@codemirror/autocomplete";
import {
  HighlightStyle,
  StreamLanguage,
  type StringStream,
  syntaxHighlighting,
} from "@codemirror/language";
import { type Diagnostic as CmDiagnostic, linter } from "@codemirror/lint";
import type { Text } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { tags } from "@lezer/highlight";
import { POLICIES } from "../../policies/index.js";
import { PROPERTIES } from "../../properties/index.js";
import type { Diagnostic } from "../../scenario/diagnostics.js";
import { FLOW_WORDS, IF_SYNOPSIS, LOOP_SYNOPSIS } from "../../scenario/flow.js";
import { DECLS, PEER_OPS, PROC_OPS, QUANTIFIERS, RESULTS } from "../../scenario/schema.js";
import { lintPin } from "../session.js";

/** The grammar's own words (parser.ts): statements, the words of an expectation, and control flow (flow.ts). */
const SYNTAX = [
  "scenario",
  "expect",
  "assume",
  "under",
  "returns",
  "repeat",
  "every",
  ...FLOW_WORDS,
];

const DECL_WORDS = new Set([...DECLS.keys(), ...SYNTAX]);
const OPS = new Set([...PROC_OPS.keys(), ...PEER_OPS.keys()]);
const PROPERTY_WORDS = new Set(PROPERTIES.map((p) => p.name));
const POLICY_WORDS = new Set(POLICIES.map((p) => p.name));
const QUANT = new Set<string>(QUANTIFIERS);
const RESULT_WORDS = new Set(["ok", ...[...RESULTS.values()].flat()]);

interface LexState {
  inString: boolean;
}

/** The highlighter: a line-by-line tokenizer over the same words as the lexer. */
export const pinLanguage = StreamLanguage.define<LexState>({
  name: "pin",
  startState: () => ({ inString: false }),
  copyState: (st) => ({ ...st }),
  token,
  languageData: { commentTokens: { line: "#" } },
});

function token(stream: StringStream, st: LexState): string | null {
  if (st.inString) {
    while (!stream.eol()) {
      const c = stream.next();
      if (c === "\\") stream.next();
      else if (c === '"') {
        st.inString = false;
        break;
      }
    }
    return "string";
  }
  if (stream.eatSpace()) return null;
  if (stream.match("#")) {
    stream.skipToEnd();
    return "comment";
  }
  if (stream.peek() === '"') {
    stream.next();
    st.inString = true;
    return token(stream, st);
  }
  if (stream.match(/^\d+(\.\d+)?[a-z]*/)) return "number";
  // A word, with the copy or iteration number that may follow it at once (`server#3`, `t#2`).
  const w = stream.match(/^[\p{L}_][\p{L}\p{N}_-]*(#\d+)?/u) as RegExpMatchArray | null;
  if (w) {
    const word = w[0].replace(/#\d+$/, "");
    if (DECL_WORDS.has(word)) return "keyword";
    if (QUANT.has(word)) return "operatorKeyword";
    if (OPS.has(word)) return "variableName.function";
    if (PROPERTY_WORDS.has(word)) return "atom";
    if (POLICY_WORDS.has(word)) return "typeName";
    if (RESULT_WORDS.has(word) || /^E[A-Z]+$/.test(word)) return "literal";
    return "variableName";
  }
  stream.next();
  return "punctuation";
}

/** Colours that read on light and dark backgrounds (the editor lives in a shadow root: no page CSS). */
export const pinHighlight = syntaxHighlighting(
  HighlightStyle.define([
    { tag: tags.comment, color: "#6a737d", fontStyle: "italic" },
    { tag: tags.string, color: "#0a7b83" },
    { tag: tags.number, color: "#1f6feb" },
    { tag: tags.keyword, color: "#cf222e", fontWeight: "600" },
    { tag: tags.operatorKeyword, color: "#8250df", fontWeight: "600" },
    { tag: tags.function(tags.variableName), color: "#1f6feb", fontWeight: "600" },
    { tag: tags.atom, color: "#1a7f37" },
    { tag: tags.typeName, color: "#9a6700" },
    { tag: tags.literal, color: "#bc4c00" },
  ]),
);

/**
 * The editor's size and font, and lint marks drawn without images: the
 * page's CSP allows no image at all (img-src 'none'), and CodeMirror's own
 * marks are data: SVGs.
 */
export const editorTheme = EditorView.theme({
  "&": { height: "70vh", border: "1px solid #8884", fontSize: "13px" },
  ".cm-scroller": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" },
  ".cm-lintRange-error": { backgroundImage: "none", textDecoration: "underline wavy #e11" },
  ".cm-lintRange-warning": { backgroundImage: "none", textDecoration: "underline wavy orange" },
  ".cm-lintRange-info, .cm-lintRange-hint": {
    backgroundImage: "none",
    textDecoration: "underline dotted #888",
  },
  ".cm-lintRange": { textDecorationSkipInk: "none" },
  ".cm-lint-marker": { content: "none", width: ".7em", height: ".7em", borderRadius: "50%" },
  ".cm-lint-marker-error": { content: "none", background: "#f66" },
  ".cm-lint-marker-warning": { content: "none", background: "#fc3" },
  ".cm-lint-marker-info": { content: "none", background: "#99f" },
});

/** A pinlab diagnostic as CodeMirror's: lines and columns are 1-based, `endCol` exclusive. */
export function toCm(d: Diagnostic, doc: Text): CmDiagnostic {
  const line = doc.line(Math.min(Math.max(d.line, 1), doc.lines));
  const from = Math.min(line.from + Math.max(d.col - 1, 0), line.to);
  const end = d.endCol !== undefined ? line.from + d.endCol - 1 : from + 1;
  const to = Math.max(from, Math.min(end, line.to));
  return {
    from,
    to,
    severity: d.severity,
    source: d.code,
    message: d.hint ? `${d.message} (hint: ${d.hint})` : d.message,
  };
}

/** Live diagnostics: `pinlab lint` on every pause in typing; `onLint` gets them as pinlab's. */
export function pinLinter(onLint: (ds: readonly Diagnostic[]) => void) {
  return linter(
    (view) => {
      const ds = lintPin(view.state.doc.toString());
      onLint(ds);
      return ds.map((d) => toCm(d, view.state.doc));
    },
    { delay: 300 },
  );
}

const opOptions: Completion[] = [...PROC_OPS.values(), ...PEER_OPS.values()].map((s) => ({
  label: s.name,
  type: "function",
  detail: s.synopsis,
}));
const declOptions: Completion[] = [...DECLS.values()].map((s) => ({
  label: s.name,
  type: "keyword",
  detail: s.synopsis,
}));
/** `loop`, `if`, `else`, `break`: offered where an operation may start. */
const flowOptions: Completion[] = [
  { label: "loop", type: "keyword", detail: LOOP_SYNOPSIS },
  { label: "if", type: "keyword", detail: IF_SYNOPSIS },
  { label: "else", type: "keyword", detail: "else { ... }" },
  { label: "break", type: "keyword", detail: "break" },
];
const propertyOptions: Completion[] = PROPERTIES.map((p) => ({
  label: p.name,
  type: "constant",
  detail: p.kind,
  info: p.summary,
}));
const policyOptions: Completion[] = POLICIES.map((p) => ({
  label: p.name,
  type: "type",
  info: p.summary,
}));

/**
 * Completion by place: a policy after `under` (and its commas), a property
 * after `expect never|sometimes|always`, else an operation, a declaration
 * or any of them.
 */
export function pinCompletions(ctx: CompletionContext): CompletionResult | null {
  const word = ctx.matchBefore(/[\p{L}_][\p{L}\p{N}_-]*/u);
  if (!word && !ctx.explicit) return null;
  const from = word ? word.from : ctx.pos;
  const before = ctx.state.doc
    .lineAt(ctx.pos)
    .text.slice(0, from - ctx.state.doc.lineAt(ctx.pos).from);
  let options: Completion[];
  if (/\bunder\s+([\w-]+\s*,\s*)*$/.test(before)) options = policyOptions;
  else if (/\bexpect\s+(never|sometimes|always)\s+$/.test(before)) options = propertyOptions;
  else if (/^\s*$/.test(before)) options = [...declOptions, ...flowOptions, ...opOptions];
  else options = [...opOptions, ...propertyOptions, ...policyOptions];
  return { from, options, validFor: /^[\p{L}\p{N}_-]*$/u };
}

export const pinAutocomplete = autocompletion({ override: [pinCompletions] });
