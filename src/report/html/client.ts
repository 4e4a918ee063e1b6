/**
 * The inline script: the drill-down and its sequence diagrams. Plain ES2020
 * for any browser; it builds every node with createElement and text nodes
 * (never innerHTML), because every string in the document may be hostile.
 *
 * It is a string rather than compiled code because it runs in the reader's
 * browser, inlined into the report so that the file opens from disk with no
 * network access. It can import nothing: the marks' symbols and words are
 * written into it from marks.ts when the page is built, its `outcomeOf` is
 * kept in step with marks.ts by hand, and the data id below is shared with
 * the page. It draws what the document gives it: the arrows, the waiting
 * operation and each step's changes to the state are computed when the
 * report is built (witness-view.ts), not here.
 *
 * DRILL is the drill-down itself, a function over a comparison document and
 * the panel to fill; CLIENT is the report's script around it. The playground
 * (src/web/) runs the same DRILL as a module, built from this string, so the
 * report and the playground draw witnesses with one renderer.
 */
import { OUTCOMES } from "../marks.js";

/** The id of the `<script type="application/json">` that carries the document. */
export const DATA_ELEMENT_ID = "pinlab-data";

export const DRILL = String.raw`
function pinlabDrill(doc, panel, onShow) {
  "use strict";
  var props = new Map(doc.properties.map(function (p) { return [p.name, p]; }));
  var policies = new Map(doc.policies.map(function (p) { return [p.name, p]; }));
  var cells = new Map(doc.cells.map(function (c) { return [c.scenario + "\u0000" + c.policy, c]; }));
  var current = null;

  /** Builds an element; children are nodes or strings (which become text nodes, never markup). */
  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (attrs[k] === null || attrs[k] === undefined || attrs[k] === false) return;
      if (k === "class") e.className = attrs[k]; else e.setAttribute(k, String(attrs[k]));
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) c.forEach(function (x) { if (x) e.append(x); }); else e.append(c);
    }
    return e;
  }

  function plural(n, w) { return n + " " + w + (n === 1 ? "" : "s"); }

  /** The marks of every format (marks.ts), written in when the page is built. */
  var OUTCOMES = ${JSON.stringify(OUTCOMES)};

  /** Mirrors markOf() and outcomeOf() in marks.ts. */
  function markOf(p) {
    if (p.group === "result") return "shown";
    if (p.kind === "possibility") return "possible";
    if (p.kind === "liveness") return "hang";
    if (p.group === "cost") return "cost";
    return "violation";
  }
  function outcomeOf(p, verdict, proved) {
    if (verdict === "Sometimes") return markOf(p);
    if (!proved) return "unproved";
    if (p.group === "result") return "not-shown";
    return p.kind === "possibility" ? "impossible" : "proved";
  }
  /** A verdict's look: the document's outcome when it has one. */
  function look(p, verdict, proved, outcome) {
    // The document's outcome only when it is one of the outcomes (a crafted shard's other words are ignored).
    var tone = typeof outcome === "string" && Object.prototype.hasOwnProperty.call(OUTCOMES, outcome) ? outcome : outcomeOf(p, verdict, proved);
    var o = OUTCOMES[tone];
    return { tone: tone, symbol: o.symbol, word: verdict === "Sometimes" ? "Sometimes" : "Never", note: o.note };
  }
  function vlook(p, v) { return look(p, v.verdict, v.proved, v.outcome); }

  /**
   * A property by name: a bundled one, or a result expectation of the
   * scenario (proc.op returns R), known only from a cell's verdicts.
   */
  function propOf(name, cell) {
    var p = props.get(name);
    if (p) return p;
    var v = cell ? cell.verdicts.find(function (x) { return x.name === name; }) : null;
    if (!v) for (var i = 0; i < doc.cells.length && !v; i++)
      v = doc.cells[i].verdicts.find(function (x) { return x.name === name; });
    if (!v) return null;
    return { name: name, kind: v.kind, group: v.group || "result", summary: "a result the scenario's expectations ask about: some run gets it" };
  }

  /** Mirrors evidence.ts: fields a document may carry beside a verdict, read tolerantly. */
  function textOf(x) {
    if (typeof x === "string") return x;
    if (x && typeof x === "object") {
      var ks = ["text", "line", "message", "summary", "why"];
      for (var i = 0; i < ks.length; i++) if (typeof x[ks[i]] === "string") return x[ks[i]];
    }
    return null;
  }
  function vacuityWords(x) {
    if (x === undefined || x === null || x === false) return null;
    if (typeof x === "object" && x.vacuous === false) return null;
    return textOf(x) || "proved, but vacuously: what it is about never happened";
  }
  function vacuity(v, cell) {
    if (!v || v.verdict !== "Never") return null;
    var own = v.vacuous !== undefined ? v.vacuous : v.vacuity !== undefined ? v.vacuity : v.proof === "vacuous" ? true : undefined;
    if (own === false) return null;
    var fromCell = cell ? vacuityWords(cell.vacuity !== undefined ? cell.vacuity : cell.vacuous) : null;
    if (own === true) return fromCell || vacuityWords(true);
    return vacuityWords(own) || fromCell;
  }

  function chip(l, text) { return el("span", { class: "chip " + l.tone, "data-outcome": l.tone }, l.symbol + " " + (text || l.word)); }

  /** A lane's kind (for its colour and label) and its name for people. */
  function lane(l) {
    if (l.indexOf("proc:") === 0) return { kind: "proc", name: l.slice(5), label: "process" };
    if (l.indexOf("peer:") === 0) return { kind: "peer", name: l.slice(5), label: "remote peer" };
    if (l === "nic") return { kind: "nic", name: "NIC", label: "RDMA device" };
    return { kind: l, name: l, label: l === "kernel" ? "reactions" : "" };
  }

  /** Every scenario's verdict for one policy and property: witnesses first, shortest first. */
  function rowsFor(policy, property) {
    var rows = [];
    doc.scenarios.forEach(function (sc) {
      var cell = cells.get(sc.ref + "\u0000" + policy);
      if (!cell) return;
      var v = cell.verdicts.find(function (x) { return x.name === property; });
      if (v) rows.push({ sc: sc, cell: cell, v: v });
    });
    rows.sort(function (a, b) {
      var wa = a.v.steps ? 0 : 1, wb = b.v.steps ? 0 : 1;
      if (wa !== wb) return wa - wb;
      if (wa === 0 && a.v.witnessLength !== b.v.witnessLength) return a.v.witnessLength - b.v.witnessLength;
      return a.sc.ref < b.sc.ref ? -1 : a.sc.ref > b.sc.ref ? 1 : 0;
    });
    return rows;
  }

  /** Marks on a step: each property that first showed there, marked for what it is. */
  function markChips(step, focus, cell) {
    return step.marks.map(function (m) {
      var p = propOf(m, cell) || { kind: "safety", group: "safety" };
      var mk = markOf(p);
      var o = OUTCOMES[mk];
      return el("span", { class: "mark " + mk + (m === focus ? " focus" : ""), "data-mark": mk, "data-name": m },
        o.symbol + " " + m + " " + o.word);
    });
  }

  var KIND_WORDS = { process: "process", file: "file", block: "block", pin: "pin", lease: "lease", mapping: "mapping", mr: "MR", qp: "QP" };

  /** What a step changed, as TLC's trace explorer lists the variables a step changed. */
  function changesPanel(st, span) {
    var box = el("div", { class: "changes", role: "cell" });
    box.style.gridColumn = "1 / " + (span + 1);
    var ch = st.changes || [];
    if (!ch.length) { box.append(el("p", { class: "muted" }, "Step " + st.n + " changed nothing a reviewer tracks (blocks, pins, leases, MRs, QPs, processes).")); return box; }
    var t = el("table", { class: "diff" }, el("caption", null, "What step " + st.n + " changed"),
      el("thead", null, el("tr", null, el("th", { scope: "col" }, "what"), el("th", { scope: "col" }, "object"),
        el("th", { scope: "col" }, "before"), el("th", { scope: "col" }, "after"))));
    var tb = el("tbody");
    ch.forEach(function (c) {
      tb.append(el("tr", { class: "k-" + c.kind },
        el("td", null, el("span", { class: "kind-tag " + c.kind }, Object.prototype.hasOwnProperty.call(KIND_WORDS, c.kind) ? KIND_WORDS[c.kind] : String(c.kind))),
        el("td", null, el("code", null, c.what)),
        el("td", { class: c.from === null ? "none" : null }, c.from === null ? "\u2014" : c.from),
        el("td", { class: c.to === null ? "none" : null }, c.to === null ? "\u2014 (gone)" : c.to)));
    });
    t.append(tb);
    box.append(t);
    return box;
  }

  /** A message arriving: a row above the receiving step with an arrow from the sender's lane. */
  function arrowRow(lanes, a, to) {
    var from = lanes.indexOf(a.fromLane);
    var row = el("div", { class: "row arrow " + a.kind, role: "row", "data-arrow": a.kind, "data-from": a.from });
    row.append(el("div", { class: "n", role: "rowheader" }, el("small", null, "\u2190 " + a.from)));
    var right = from < to, lo = Math.min(from, to), hi = Math.max(from, to);
    var labelAt = hi - lo > 1 ? lo + 1 : from;
    lanes.forEach(function (l, i) {
      var cls = "c";
      if (from >= 0 && from !== to) {
        if (i === from) cls += " a-start " + (right ? "a-r" : "a-l");
        else if (i === to) cls += " a-end " + (right ? "a-r" : "a-l");
        else if (i > lo && i < hi) cls += " a-mid";
      }
      var c = el("div", { class: cls, role: "cell" });
      if (i === labelAt) c.append(el("span", { class: "lbl" }, a.label + " (step " + a.from + ")"));
      if (i === to && from !== to) c.append(el("span", { class: "head", "aria-hidden": "true" }, right ? "\u25b6" : "\u25c0"));
      row.append(c);
    });
    return row;
  }

  /**
   * The sequence diagram of a witness: a column per lane of the scenario, a
   * row per step; the step in its actor's lane, the kernel's reactions as
   * notes in the kernel lane joined to it by a dashed line, messages as
   * arrows from the sender's lane, marked steps highlighted with the property
   * named, and the operation that never returns marked in a hang. Choosing a
   * step (click, or Enter on its number) opens what it changed in the state.
   */
  function diagram(sc, cell, v, focus) {
    var lanes = sc.lanes;
    var kernel = lanes.indexOf("kernel");
    var fp = propOf(focus, cell) || { kind: v.kind, group: "safety" };
    var focusMark = markOf(fp);
    var grid = el("div", { class: "seq", role: "table", "aria-label": "sequence diagram, " + plural(v.steps.length, "step") + "; choose a step for what it changed" });
    grid.style.gridTemplateColumns = "3.6em repeat(" + lanes.length + ", minmax(8.5em, 1fr))";
    grid.append(el("div", { class: "row", role: "row" },
      el("div", { class: "hd", role: "columnheader" }, el("small", null, "step")),
      lanes.map(function (l) {
        var d = lane(l);
        return el("div", { class: "hd lane " + d.kind, role: "columnheader", "data-lane": l },
          el("b", null, d.name), el("small", null, d.label));
      })));
    var cycleFrom = v.lasso ? v.lasso.prefix : Infinity;
    // Where each step's messages arrive, told at the sender too.
    var outgoing = new Map();
    v.steps.forEach(function (st) {
      (st.arrows || []).forEach(function (a) {
        if (!outgoing.has(a.from)) outgoing.set(a.from, []);
        outgoing.get(a.from).push(st.n);
      });
    });
    v.steps.forEach(function (st, k) {
      var at = lanes.indexOf(st.lane);
      if (at < 0) at = kernel >= 0 ? kernel : 0;
      (st.arrows || []).forEach(function (a) { grid.append(arrowRow(lanes, a, at)); });
      var notesAt = st.reactions.length && kernel >= 0 && kernel !== at ? kernel : -1;
      var hit = st.marks.indexOf(focus) >= 0;
      var rowClass = "row step" + (hit ? " hit m-" + focusMark : "") + (st.waits ? " waits" : "");
      var row = el("div", { class: rowClass, role: "row", "data-step": st.n });
      var cyc = k >= cycleFrom;
      var btn = el("button", { type: "button", class: "stepbtn", "aria-expanded": "false", title: "what step " + st.n + " changed" },
        cyc ? "\u21bb " + st.n : String(st.n));
      row.append(el("div", { class: "n" + (cyc ? " cyc" : ""), role: "rowheader", title: cyc ? "in the cycle that repeats for ever" : null }, btn));
      lanes.forEach(function (l, i) {
        var lo = Math.min(at, notesAt), hi = Math.max(at, notesAt);
        var linked = notesAt >= 0 && i > lo && i < hi;
        var c = el("div", { class: "c" + (linked ? " link" : ""), role: "cell" });
        if (i === at) {
          var d = lane(l);
          var box = el("div", { class: "box " + d.kind + (hit ? " hit m-" + focusMark : "") + (st.waits ? " waits" : "") },
            el("div", null, st.text));
          if (outgoing.has(st.n)) box.append(el("div", { class: "out" }, "\u2192 arrives at step " + outgoing.get(st.n).join(", ")));
          var chips = markChips(st, focus, cell);
          if (st.waits) chips.push(el("span", { class: "mark hang waiting", "data-waits": st.waits },
            OUTCOMES.hang.symbol + " " + st.waits + " waits here for ever"));
          if (chips.length) box.append(el("div", null, chips));
          c.append(box);
          if (notesAt < 0) st.reactions.forEach(function (r) { c.append(el("div", { class: "note" }, "\u21b3 " + r)); });
        } else if (i === notesAt) {
          st.reactions.forEach(function (r) { c.append(el("div", { class: "note" }, "\u21b3 " + r)); });
        }
        row.append(c);
      });
      grid.append(row);
      var open = null;
      function toggle() {
        if (open) { open.remove(); open = null; btn.setAttribute("aria-expanded", "false"); row.classList.remove("open"); return; }
        open = el("div", { class: "row changes-row", role: "row", "data-changes": st.n }, changesPanel(st, lanes.length + 1));
        row.after(open);
        btn.setAttribute("aria-expanded", "true");
        row.classList.add("open");
      }
      btn.addEventListener("click", function (ev) { ev.stopPropagation(); toggle(); });
      row.addEventListener("click", function (ev) {
        if (ev.target instanceof Element && ev.target.closest("button, a, code")) return;
        toggle();
      });
    });
    return grid;
  }

  /** What a reader copies: why it happened, how to replay it, how to re-check the cell. */
  function witnessFooter(sc, cell, v) {
    var out = [];
    if (v.message) out.push(el("p", { class: "why" }, el("b", null, v.name + ": "), v.message));
    var reason = textOf(v.reason);
    if (reason) out.push(el("p", { class: "why reason" }, el("b", null, "why: "), reason));
    if (v.lasso) out.push(el("p", { class: "why" }, "\u21bb The last " + plural(v.lasso.cycle, "step") + " repeat for ever."));
    // A hang says which operation never returns, what it waits for and who holds it (its step's text),
    // and whether a cycle repeats for ever or nothing can move.
    var waiting = v.steps.filter(function (s) { return s.waits; });
    waiting.forEach(function (s) {
      out.push(el("p", { class: "why hang-why" }, el("b", null, OUTCOMES.hang.symbol + " never returns: "),
        s.waits + " at step " + s.n + ": ", el("code", null, s.text)));
    });
    if (v.kind === "liveness" && v.verdict === "Sometimes" && !v.lasso)
      out.push(el("p", { class: "why" }, "Dead end: after the last step nothing left can move."));
    if (v.token) out.push(el("div", { class: "replay" }, el("span", null, "replay:"),
      el("code", { title: "select to copy" }, "pinlab replay " + v.token)));
    out.push(el("div", { class: "replay" }, el("span", null, "check:"),
      el("code", null, "pinlab check " + sc.ref + " --policy " + cell.policy)));
    return out;
  }

  /** One scenario with a witness: a collapsible section whose diagram is built when first opened. */
  function witnessSection(row, property, open) {
    var p = propOf(property, row.cell);
    var l = vlook(p, row.v);
    var d = el("details", { class: "witness", "data-scenario": row.sc.ref, "data-outcome": l.tone });
    var built = false;
    d.append(el("summary", null, chip(l), " ",
      plural(row.v.witnessLength, "step"), " \u2014 ", el("code", { class: "ref" }, row.sc.ref), " ", row.sc.title,
      row.v.message ? el("span", { class: "msg" }, row.v.message) : null));
    var body = el("div", { class: "body" });
    d.append(body);
    function build() {
      if (built || !d.open) return;
      built = true;
      body.append(diagram(row.sc, row.cell, row.v, property));
      witnessFooter(row.sc, row.cell, row.v).forEach(function (x) { body.append(x); });
    }
    d.addEventListener("toggle", build);
    if (open) { d.open = true; build(); }
    return d;
  }

  /** The scenarios without a witness, as a compact table (the one asked for, if any, marked). */
  function quietTable(rows, property, scenario) {
    var p = propOf(property, rows.length ? rows[0].cell : null);
    var t = el("table", { class: "nowit" }, el("thead", null, el("tr", null,
      el("th", { scope: "col" }, "scenario"), el("th", { scope: "col" }, "title"), el("th", { scope: "col" }, "verdict"))));
    var tb = el("tbody");
    rows.forEach(function (r) {
      var l = vlook(p, r.v);
      var picked = r.sc.ref === scenario;
      var vac = vacuity(r.v, r.cell);
      tb.append(el("tr", { class: picked ? "picked" : null, "aria-current": picked ? "true" : null },
        el("td", null, el("code", null, r.sc.ref)), el("td", null, r.sc.title),
        el("td", null, chip(l, l.word + " (" + l.note + ")"),
          vac ? el("span", { class: "vac" }, " \u2205 " + vac) : null,
          r.v && r.v.assumption ? el("span", { class: "assumed" }, " * " + r.v.assumption) : null,
          r.cell.status !== "complete" ? " incomplete: " + (r.cell.reason || "bound hit") : null)));
    });
    t.append(tb);
    return t;
  }

  /** Fills the panel for one matrix cell (and opens one scenario's witness, if asked). */
  function openDrill(policy, property, scenario, focusPanel) {
    var pol = policies.get(policy), p = propOf(property, null);
    if (!pol || !p) return;
    current = { policy: policy, property: property };
    var rows = rowsFor(policy, property);
    var shown = rows.filter(function (r) { return r.v.steps; });
    var quiet = rows.filter(function (r) { return !r.v.steps; });
    var anyUnproved = rows.some(function (r) { return !r.v.proved; });
    var agg = look(p, shown.length ? "Sometimes" : "Never", !anyUnproved);
    var h = el("h2", { id: "drill-h", tabindex: "-1" }, el("code", null, policy), " \u00d7 ", el("code", null, property));
    var close = el("button", { type: "button", class: "close", "aria-label": "close the drill-down" }, "close \u2715");
    close.addEventListener("click", closeDrill);
    var kindWord = p.kind === "possibility" ? "example" : "witness";
    var HAPPENS = { violation: "violated", hang: "an operation never returns", cost: "happens", possible: "possible", shown: "shown" };
    var sentence = shown.length
      ? HAPPENS[markOf(p)] + " in " + shown.length + " of " + rows.length +
        " scenarios; the shortest " + kindWord + " is " + plural(shown[0].v.witnessLength, "step") + " (" + shown[0].sc.ref + ")."
      : (anyUnproved ? "not seen in the states explored, but a bound was hit." : "proved over every reachable state of " + plural(rows.length, "scenario") + ".");
    var vacuous = rows.filter(function (r) { return vacuity(r.v, r.cell); }).length;
    if (vacuous) sentence += " \u2205 In " + plural(vacuous, "scenario") + " the proof is vacuous: what it is about never happened.";
    panel.replaceChildren(
      el("div", { class: "drill-head" }, h, close),
      el("p", { class: "about" }, el("b", null, "policy: "), pol.summary),
      el("p", { class: "about" }, el("b", null, "property (" + ((p.group || "safety") === p.kind ? p.kind : (p.group || "safety") + ", " + p.kind) + "): "), p.summary),
      el("p", { class: "verdict" }, chip(agg), " ", sentence));
    var want = scenario && shown.some(function (r) { return r.sc.ref === scenario; }) ? scenario : shown.length ? shown[0].sc.ref : null;
    if (shown.length) {
      panel.append(el("h3", null, shown.length === 1 ? "The " + kindWord : "Scenarios with a " + kindWord + " (shortest first)"));
      shown.forEach(function (r) { panel.append(witnessSection(r, property, r.sc.ref === want)); });
    }
    if (quiet.length) {
      panel.append(el("h3", null, shown.length ? "Other scenarios" : "Scenarios"));
      panel.append(quietTable(quiet, property, scenario));
    }
    panel.hidden = false;
    pressed(policy, property, scenario);
    if (onShow) onShow(policy, property, scenario);
    if (focusPanel) {
      // From a scenario's grid, go straight to its witness; from the matrix, to the panel's top.
      var target = !scenario ? panel : want === scenario ? panel.querySelector("details[open]") : panel.querySelector("tr.picked");
      (target || panel).scrollIntoView({ block: target && target.tagName === "TR" ? "center" : "start" });
      h.focus({ preventScroll: true });
    }
  }

  function closeDrill() {
    panel.hidden = true;
    panel.replaceChildren();
    var from = current;
    current = null;
    pressed(null, null, null);
    if (onShow) onShow(null, null, null);
    if (from) {
      var b = matrixButtons().find(function (x) { return x.dataset.policy === from.policy && x.dataset.property === from.property; });
      if (b) b.focus();
    }
  }

  /** Shows which cell the panel belongs to (aria-current is read out by screen readers). */
  function pressed(policy, property, scenario) {
    document.querySelectorAll("button[data-policy][data-property]").forEach(function (b) {
      var on = b.dataset.policy === policy && b.dataset.property === property &&
        (b.dataset.scenario === undefined || b.dataset.scenario === scenario);
      if (on) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
    });
  }

  function matrixButtons() { return Array.prototype.slice.call(document.querySelectorAll(".matrix button.cell")); }

  /** Choosing a cell inside root opens its drill-down; arrow keys move between matrix cells. */
  function bind(root) {
    root.addEventListener("click", function (ev) {
      var b = ev.target instanceof Element ? ev.target.closest("button[data-policy][data-property]") : null;
      if (!b) return;
      openDrill(b.dataset.policy, b.dataset.property, b.dataset.scenario || null, true);
    });

    /** Arrow keys move between matrix cells, like a spreadsheet. */
    root.addEventListener("keydown", function (ev) {
      var b = ev.target instanceof Element ? ev.target.closest(".matrix button.cell") : null;
      if (ev.key === "Escape" && current) { closeDrill(); return; }
      if (!b) return;
      var d = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] }[ev.key];
      if (!d) return;
      var r = Number(b.dataset.row) + d[0], c = Number(b.dataset.col) + d[1];
      var next = matrixButtons().find(function (x) { return Number(x.dataset.row) === r && Number(x.dataset.col) === c; });
      if (next) { next.focus(); ev.preventDefault(); }
    });
  }

  return { open: openDrill, close: closeDrill, bind: bind };
}
`;

/** The report's inline script: the drill-down over the document embedded in the page. */
export const CLIENT = String.raw`
(function () {
  "use strict";
${DRILL}
  var blob = document.getElementById("${DATA_ELEMENT_ID}");
  if (!blob) return;
  var drill = pinlabDrill(JSON.parse(blob.textContent), document.getElementById("drill"), function (policy, property, scenario) {
    try {
      if (policy === null) history.replaceState(null, "", location.pathname + location.search);
      else history.replaceState(null, "", "#cell=" + encodeURIComponent(policy) + "/" + encodeURIComponent(property) + (scenario ? "/" + encodeURIComponent(scenario) : ""));
    } catch (e) { /* some file:// hosts refuse */ }
  });
  drill.bind(document);

  /** A link to a drill-down (#cell=policy/property[/scenario]) opens it. */
  function fromHash() {
    var m = /^#cell=([^/]*)\/([^/]*)(?:\/(.*))?$/.exec(location.hash);
    if (!m) return;
    try {
      drill.open(decodeURIComponent(m[1]), decodeURIComponent(m[2]), m[3] ? decodeURIComponent(m[3]) : null, true);
    } catch (e) { /* a malformed link opens nothing */ }
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
`;
