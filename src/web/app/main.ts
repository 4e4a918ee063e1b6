/**
 * The playground page: an editor for a `.pin` scenario with `pinlab lint`'s
 * diagnostics, a policy picker, and run, check and compare in a Web Worker
 * (worker.ts) with progress and cancel. Results are drawn by the HTML
 * report's own renderers: the matrix as the report renders it (escaped
 * HTML from html/matrix.ts, made in the worker) and the drill-down with its
 * sequence diagrams by the report's DRILL function. A share link carries the
 * scenario in the URL's fragment (share.ts).
 *
 * Every string from the scenario reaches the page as a text node, through
 * the report's escaping, or inside CodeMirror (which draws text); nothing
 * here sets innerHTML from anything but the report's escaped matrix.
 */
import "virtual:pinlab-report.css";
import "./style.css";
import { pinlabDrill } from "virtual:pinlab-drill";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { bracketMatching, indentOnInput } from "@codemirror/language";
import { lintGutter } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { POLICIES } from "../../policies/index.js";
import type { CompareDoc } from "../../report/compare.js";
import type { Diagnostic } from "../../scenario/diagnostics.js";
import { sourceHash } from "../../scenario/source-hash.js";
import { decodeShare, encodeShare } from "../share.js";
import { EXAMPLES } from "./examples.js";
import {
  editorTheme,
  pinAutocomplete,
  pinHighlight,
  pinLanguage,
  pinLinter,
} from "./pin-language.js";
import type { Reply, Request } from "./protocol.js";

const $ = <T extends HTMLElement>(id: string): T => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e as T;
};

const ui = {
  example: $<HTMLSelectElement>("example"),
  policy: $<HTMLSelectElement>("policy"),
  params: $<HTMLInputElement>("params"),
  run: $<HTMLButtonElement>("run"),
  check: $<HTMLButtonElement>("check"),
  compare: $<HTMLButtonElement>("compare"),
  cancel: $<HTMLButtonElement>("cancel"),
  share: $<HTMLButtonElement>("share"),
  shareBox: $<HTMLDivElement>("share-box"),
  shareUrl: $<HTMLInputElement>("share-url"),
  status: $<HTMLParagraphElement>("status"),
  editor: $<HTMLDivElement>("editor"),
  diagnostics: $<HTMLUListElement>("diagnostics"),
  results: $<HTMLDivElement>("results"),
  trace: $<HTMLPreElement>("trace"),
};

/** Builds an element whose children are nodes or text (never markup). */
function el(tag: string, cls: string | null, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  e.append(...children);
  return e;
}

function say(text: string, error = false): void {
  ui.status.textContent = text;
  ui.status.classList.toggle("error", error);
}

// --- the policy picker and the examples, from pinlab's own tables ---

for (const p of POLICIES) {
  const o = el("option", null, p.name) as HTMLOptionElement;
  o.value = p.name;
  o.title = p.summary;
  ui.policy.append(o);
}
ui.policy.value = "unsafe";
ui.example.append(el("option", null, "(your own)"));
(ui.example.firstChild as HTMLOptionElement).value = "";
for (const name of Object.keys(EXAMPLES)) {
  const o = el("option", null, name) as HTMLOptionElement;
  o.value = name;
  ui.example.append(o);
}

// --- the editor, in a shadow root: CodeMirror's styles then go into a
// constructed stylesheet, which the page's CSP (style-src 'self') allows ---

function showDiagnostics(ds: readonly Diagnostic[]): void {
  ui.diagnostics.replaceChildren(
    ...ds.map((d) => {
      const li = el(
        "li",
        d.severity,
        el("span", "where", `line ${d.line}:${d.col} `),
        el("span", "code", d.code),
        " ",
        el("span", "msg", d.message),
      );
      li.dataset.line = String(d.line);
      li.dataset.code = d.code;
      if (d.hint) li.append(" ", el("span", "hint", `hint: ${d.hint}`));
      return li;
    }),
  );
}

const host = ui.editor.attachShadow({ mode: "open" });
const mount = document.createElement("div");
host.append(mount);
const view = new EditorView({
  root: host,
  parent: mount,
  state: EditorState.create({
    doc: "",
    extensions: [
      lineNumbers(),
      history(),
      drawSelection(),
      indentOnInput(),
      bracketMatching(),
      highlightActiveLine(),
      EditorView.lineWrapping,
      pinLanguage,
      pinHighlight,
      editorTheme,
      pinLinter(showDiagnostics),
      lintGutter(),
      pinAutocomplete,
      keymap.of([...defaultKeymap, ...historyKeymap]),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) ui.shareBox.hidden = true;
      }),
    ],
  }),
});

function setText(text: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}
const text = () => view.state.doc.toString();

ui.example.addEventListener("change", () => {
  const t = EXAMPLES[ui.example.value];
  if (t !== undefined) setText(t);
});

// --- the worker ---

let worker: Worker;
let nextId = 1;
let busy: { id: number; what: string; started: number } | null = null;
let lastDoc: CompareDoc | null = null;
/** The cell the drill-down shows (for the share link), and the one a link asks to open. */
let openCell: { policy: string; property: string } | null = null;
let wantCell: { policy: string; property: string } | null = null;
let abortTimer: number | undefined;

function startWorker(): void {
  worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  worker.onmessage = (ev: MessageEvent<Reply>) => onReply(ev.data);
  worker.onerror = (ev) => {
    ev.preventDefault();
    finish();
    say(`the engine stopped: ${ev.message || "out of memory?"}; it is restarted`, true);
    startWorker();
  };
}

function send(r: Request): void {
  worker.postMessage(r);
}

function setBusy(on: boolean): void {
  for (const b of [ui.run, ui.check, ui.compare]) b.disabled = on;
  ui.cancel.disabled = !on;
  document.body.dataset.busy = on ? "true" : "false";
}

function finish(): void {
  busy = null;
  if (abortTimer !== undefined) clearTimeout(abortTimer);
  abortTimer = undefined;
  setBusy(false);
}

function elapsed(): string {
  return busy ? `${((performance.now() - busy.started) / 1000).toFixed(1)} s` : "";
}

function onReply(r: Reply): void {
  if (r.type === "ready") {
    if (!busy) say("ready: pick an example or write a scenario");
    return;
  }
  if (!busy || r.id !== busy.id) return;
  if (r.type === "progress") {
    say(
      `${busy.what}: under ${r.policy} (${r.done + 1}/${r.total}), ${r.states.toLocaleString("en")} states, ${elapsed()}`,
    );
    return;
  }
  finish();
  if (r.type === "failed") {
    say(r.error, true);
    return;
  }
  if (r.type === "ran") {
    ui.trace.textContent = r.trace;
    ui.trace.hidden = false;
    say(r.failed ? "ran one schedule: an expectation failed" : "ran one schedule");
    return;
  }
  showDoc(r.doc, r.matrixHtml);
  const states = `${r.states.toLocaleString("en")} states`;
  const time = `${(r.timeMs / 1000).toFixed(2)} s`;
  ui.results.dataset.timeMs = String(r.timeMs);
  const hash = r.doc.scenarios[0]?.hash ?? "";
  say(
    r.interrupted
      ? `cancelled: what was found so far (${states}, ${time}; not proved)`
      : `${r.incomplete ? "incomplete (a bound was hit)" : "done"}: ${states} in ${time}; scenario content hash ${hash}`,
  );
}

/**
 * The matrix (the report's, escaped) and a drill-down over the document, in
 * a fresh box each time, so that the last result's listeners go with it.
 */
function showDoc(doc: CompareDoc, matrixHtml: string): void {
  lastDoc = doc;
  ui.trace.hidden = true;
  const t = document.createElement("template");
  t.innerHTML = matrixHtml; // the report's renderer: every string escaped (report/html/escape.ts)
  const panel = el("section", "drill");
  panel.id = "drill";
  panel.hidden = true;
  panel.setAttribute("aria-labelledby", "drill-h");
  const box = el("div", "result", t.content, panel);
  ui.results.replaceChildren(box);
  openCell = null;
  const drill = pinlabDrill(doc, panel, (policy, property) => {
    openCell = policy === null || property === null ? null : { policy, property };
  });
  drill.bind(box);
  if (wantCell) {
    const c = wantCell;
    wantCell = null;
    drill.open(c.policy, c.property, null, true);
  }
}

function start(what: string, r: Request & { id: number }): void {
  busy = { id: r.id, what, started: performance.now() };
  setBusy(true);
  say(`${what}…`);
  send(r);
}

/** The parameters typed, `name=value` separated by blanks or commas (as `--param`). */
const params = (): string[] => ui.params.value.split(/[\s,]+/).filter((p) => p.length > 0);

function check(policies: string[]): void {
  const id = nextId++;
  start(policies.length === 1 ? `checking under ${policies[0]}` : "comparing every policy", {
    type: "check",
    id,
    text: text(),
    policies,
    params: params(),
  });
}

ui.check.addEventListener("click", () => check([ui.policy.value]));
ui.compare.addEventListener("click", () => check(["all"]));
ui.run.addEventListener("click", () => {
  start(`running under ${ui.policy.value}`, {
    type: "run",
    id: nextId++,
    text: text(),
    policy: ui.policy.value,
    params: params(),
    seed: 0,
  });
});
ui.cancel.addEventListener("click", () => {
  if (!busy) return;
  say(`cancelling ${busy.what}…`);
  send({ type: "abort" });
  // A check stops within a slice of work; should the engine not answer, it is replaced.
  abortTimer = window.setTimeout(() => {
    if (!busy) return;
    worker.terminate();
    finish();
    say("cancelled (the engine was restarted)");
    startWorker();
  }, 3000);
});

// --- share links ---

ui.share.addEventListener("click", () => {
  const policies = lastDoc ? lastDoc.policies.map((p) => p.name) : [ui.policy.value];
  const hash = encodeShare({
    text: text(),
    policies: policies.length === POLICIES.length ? ["all"] : policies,
    params: params(),
    cell: openCell,
  });
  const url = `${location.origin}${location.pathname}${hash}`;
  ui.shareUrl.value = url;
  ui.shareBox.hidden = false;
  ui.shareUrl.select();
  try {
    window.history.replaceState(null, "", hash);
  } catch {
    // a host that refuses it: the link is in the box
  }
  void navigator.clipboard?.writeText(url).catch(() => undefined);
});

/** A link's scenario, policies and cell: shown, and checked when it names a cell. */
function fromLink(): void {
  const s = decodeShare(location.hash);
  if (s === null) return;
  if ("error" in s) {
    say(s.error, true);
    return;
  }
  setText(s.text);
  ui.example.value = Object.entries(EXAMPLES).find(([, t]) => t === s.text)?.[0] ?? "";
  const one = s.policies.length === 1 && s.policies[0] !== "all" ? s.policies[0]! : null;
  if (one && POLICIES.some((p) => p.name === one)) ui.policy.value = one;
  ui.params.value = (s.params ?? []).join(" ");
  if (s.cell) {
    wantCell = s.cell;
    check(s.policies.length > 0 ? [...s.policies] : [s.cell.policy]);
  } else say(`opened a shared scenario (content hash ${sourceHash(s.text)})`);
}

startWorker();
if (location.hash.length > 1) fromLink();
else {
  ui.example.value = "core";
  setText(EXAMPLES.core ?? "");
}
