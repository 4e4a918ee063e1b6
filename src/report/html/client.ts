/**
 * The inline script: the drill-down and its sequence diagrams. Plain ES2020
 * for any browser; it builds every node with createElement and text nodes
 * (never innerHTML), because every string in the document may be hostile.
 *
 * It is a string rather than compiled code because it runs in the reader's
 * browser, inlined into the report so that the file opens from disk with no
 * network access. It can import nothing: its `look` is kept in step with
 * look.ts by hand, and the data id below is shared with the page.
 */

/** The id of the `<script type="application/json">` that carries the document. */
export const DATA_ELEMENT_ID = "pinlab-data";

export const CLIENT = String.raw`
(function () {
  "use strict";
  var blob = document.getElementById("${DATA_ELEMENT_ID}");
  if (!blob) return;
  var doc = JSON.parse(blob.textContent);
  var panel = document.getElementById("drill");
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

  /** Mirrors look() in html.ts: the tone, symbol and words of a verdict. */
  function look(kind, verdict, proved) {
    var possibility = kind === "possibility";
    if (verdict === "Sometimes") return possibility
      ? { tone: "possible", symbol: "\u25c6", word: "Sometimes", note: "possible" }
      : { tone: "bad", symbol: "\u2717", word: "Sometimes", note: "violated" };
    if (!proved) return { tone: "unknown", symbol: "?", word: "Never", note: "not proved" };
    return possibility
      ? { tone: "impossible", symbol: "\u2013", word: "Never", note: "impossible" }
      : { tone: "good", symbol: "\u2713", word: "Never", note: "proved" };
  }

  function chip(l, text) { return el("span", { class: "chip " + l.tone }, l.symbol + " " + (text || l.word)); }

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

  /** Marks on a step: the properties it violates (or, for possibilities, reaches). */
  function markChips(step, focus) {
    return step.marks.map(function (m) {
      var p = props.get(m);
      var possibility = p && p.kind === "possibility";
      var l = look(p ? p.kind : "safety", "Sometimes", true);
      return el("span", { class: "mark " + l.tone + (m === focus ? " focus" : "") },
        l.symbol + " " + (possibility ? "reaches " : "violates ") + m);
    });
  }

  /**
   * The sequence diagram of a witness: a column per lane of the scenario, a
   * row per step; the step in its actor's lane, the kernel's reactions as
   * notes in the kernel lane joined to it by a dashed line, marked steps
   * highlighted with the property named.
   */
  function diagram(sc, v, focus) {
    var lanes = sc.lanes;
    var kernel = lanes.indexOf("kernel");
    var grid = el("div", { class: "seq", role: "table", "aria-label": "sequence diagram, " + plural(v.steps.length, "step") });
    grid.style.gridTemplateColumns = "3.6em repeat(" + lanes.length + ", minmax(8.5em, 1fr))";
    grid.append(el("div", { class: "row", role: "row" },
      el("div", { class: "hd", role: "columnheader" }, el("small", null, "step")),
      lanes.map(function (l) {
        var d = lane(l);
        return el("div", { class: "hd lane " + d.kind, role: "columnheader", "data-lane": l },
          el("b", null, d.name), el("small", null, d.label));
      })));
    var cycleFrom = v.lasso ? v.lasso.prefix : Infinity;
    v.steps.forEach(function (st, k) {
      var at = lanes.indexOf(st.lane);
      if (at < 0) at = kernel >= 0 ? kernel : 0;
      var notesAt = st.reactions.length && kernel >= 0 && kernel !== at ? kernel : -1;
      var hit = st.marks.indexOf(focus) >= 0;
      var focusKind = props.get(focus) ? props.get(focus).kind : "safety";
      var rowClass = "row" + (hit ? (focusKind === "possibility" ? " reach" : " hit") : "");
      var row = el("div", { class: rowClass, role: "row", "data-step": st.n });
      var cyc = k >= cycleFrom;
      row.append(el("div", { class: "n" + (cyc ? " cyc" : ""), role: "rowheader", title: cyc ? "in the cycle that repeats for ever" : null },
        cyc ? "\u21bb " + st.n : String(st.n)));
      lanes.forEach(function (l, i) {
        var lo = Math.min(at, notesAt), hi = Math.max(at, notesAt);
        var linked = notesAt >= 0 && i > lo && i < hi;
        var c = el("div", { class: "c" + (linked ? " link" : ""), role: "cell" });
        if (i === at) {
          var d = lane(l);
          var box = el("div", { class: "box " + d.kind + (hit && focusKind !== "possibility" ? " hit" : "") },
            el("div", null, st.text));
          var chips = markChips(st, focus);
          if (chips.length) box.append(el("div", null, chips));
          c.append(box);
          if (notesAt < 0) st.reactions.forEach(function (r) { c.append(el("div", { class: "note" }, "\u21b3 " + r)); });
        } else if (i === notesAt) {
          st.reactions.forEach(function (r) { c.append(el("div", { class: "note" }, "\u21b3 " + r)); });
        }
        row.append(c);
      });
      grid.append(row);
    });
    return grid;
  }

  /** What a reader copies: why it happened, how to replay it, how to re-check the cell. */
  function witnessFooter(sc, cell, v) {
    var out = [];
    if (v.message) out.push(el("p", { class: "why" }, el("b", null, v.name + ": "), v.message));
    if (v.lasso) out.push(el("p", { class: "why" }, "The last " + plural(v.lasso.cycle, "step") + " repeat for ever."));
    if (v.token) out.push(el("div", { class: "replay" }, el("span", null, "replay:"),
      el("code", { title: "select to copy" }, "pinlab replay " + v.token)));
    out.push(el("div", { class: "replay" }, el("span", null, "check:"),
      el("code", null, "pinlab check " + sc.ref + " --policy " + cell.policy)));
    return out;
  }

  /** One scenario with a witness: a collapsible section whose diagram is built when first opened. */
  function witnessSection(row, property, open) {
    var p = props.get(property);
    var l = look(p.kind, row.v.verdict, row.v.proved);
    var d = el("details", { class: "witness", "data-scenario": row.sc.ref });
    var built = false;
    d.append(el("summary", null, chip(l), " ",
      plural(row.v.witnessLength, "step"), " \u2014 ", el("code", { class: "ref" }, row.sc.ref), " ", row.sc.title,
      row.v.message ? el("span", { class: "msg" }, row.v.message) : null));
    var body = el("div", { class: "body" });
    d.append(body);
    function build() {
      if (built || !d.open) return;
      built = true;
      body.append(diagram(row.sc, row.v, property));
      witnessFooter(row.sc, row.cell, row.v).forEach(function (x) { body.append(x); });
    }
    d.addEventListener("toggle", build);
    if (open) { d.open = true; build(); }
    return d;
  }

  /** The scenarios without a witness, as a compact table (the one asked for, if any, marked). */
  function quietTable(rows, property, scenario) {
    var p = props.get(property);
    var t = el("table", { class: "nowit" }, el("thead", null, el("tr", null,
      el("th", { scope: "col" }, "scenario"), el("th", { scope: "col" }, "title"), el("th", { scope: "col" }, "verdict"))));
    var tb = el("tbody");
    rows.forEach(function (r) {
      var l = look(p.kind, r.v.verdict, r.v.proved);
      var picked = r.sc.ref === scenario;
      tb.append(el("tr", { class: picked ? "picked" : null, "aria-current": picked ? "true" : null },
        el("td", null, el("code", null, r.sc.ref)), el("td", null, r.sc.title),
        el("td", null, chip(l, l.word + " (" + l.note + ")"),
          r.cell.status !== "complete" ? " incomplete: " + (r.cell.reason || "bound hit") : null)));
    });
    t.append(tb);
    return t;
  }

  /** Fills the panel for one matrix cell (and opens one scenario's witness, if asked). */
  function openDrill(policy, property, scenario, focusPanel) {
    var pol = policies.get(policy), p = props.get(property);
    if (!pol || !p) return;
    current = { policy: policy, property: property };
    var rows = rowsFor(policy, property);
    var shown = rows.filter(function (r) { return r.v.steps; });
    var quiet = rows.filter(function (r) { return !r.v.steps; });
    var anyUnproved = rows.some(function (r) { return !r.v.proved; });
    var agg = look(p.kind, shown.length ? "Sometimes" : "Never", !anyUnproved);
    var h = el("h2", { id: "drill-h", tabindex: "-1" }, el("code", null, policy), " \u00d7 ", el("code", null, property));
    var close = el("button", { type: "button", class: "close", "aria-label": "close the drill-down" }, "close \u2715");
    close.addEventListener("click", closeDrill);
    var kindWord = p.kind === "possibility" ? "example" : "witness";
    var sentence = shown.length
      ? (p.kind === "possibility" ? "possible" : "violated") + " in " + shown.length + " of " + rows.length +
        " scenarios; the shortest " + kindWord + " is " + plural(shown[0].v.witnessLength, "step") + " (" + shown[0].sc.ref + ")."
      : (anyUnproved ? "not seen in the states explored, but a bound was hit." : "proved over every reachable state of " + plural(rows.length, "scenario") + ".");
    panel.replaceChildren(
      el("div", { class: "drill-head" }, h, close),
      el("p", { class: "about" }, el("b", null, "policy: "), pol.summary),
      el("p", { class: "about" }, el("b", null, "property (" + p.kind + "): "), p.summary),
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
    try { history.replaceState(null, "", "#cell=" + encodeURIComponent(policy) + "/" + encodeURIComponent(property) + (scenario ? "/" + encodeURIComponent(scenario) : "")); } catch (e) { /* some file:// hosts refuse */ }
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
    try { history.replaceState(null, "", location.pathname + location.search); } catch (e) { /* ignore */ }
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

  document.addEventListener("click", function (ev) {
    var b = ev.target instanceof Element ? ev.target.closest("button[data-policy][data-property]") : null;
    if (!b) return;
    openDrill(b.dataset.policy, b.dataset.property, b.dataset.scenario || null, true);
  });

  /** Arrow keys move between matrix cells, like a spreadsheet. */
  document.addEventListener("keydown", function (ev) {
    var b = ev.target instanceof Element ? ev.target.closest(".matrix button.cell") : null;
    if (ev.key === "Escape" && current) { closeDrill(); return; }
    if (!b) return;
    var d = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] }[ev.key];
    if (!d) return;
    var r = Number(b.dataset.row) + d[0], c = Number(b.dataset.col) + d[1];
    var next = matrixButtons().find(function (x) { return Number(x.dataset.row) === r && Number(x.dataset.col) === c; });
    if (next) { next.focus(); ev.preventDefault(); }
  });

  /** A link to a drill-down (#cell=policy/property[/scenario]) opens it. */
  function fromHash() {
    var m = /^#cell=([^/]*)\/([^/]*)(?:\/(.*))?$/.exec(location.hash);
    if (!m) return;
    try {
      openDrill(decodeURIComponent(m[1]), decodeURIComponent(m[2]), m[3] ? decodeURIComponent(m[3]) : null, true);
    } catch (e) { /* a malformed link opens nothing */ }
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
`;
