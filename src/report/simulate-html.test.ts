/**
 * The simulation report as a string: self-contained (no script, the strict
 * policy), the plots rendered by Vega as inline SVG with marks, every string
 * of the result escaped, and the same result gives the same page.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeSimulation } from "../testing/simulation.js";
import { duration } from "./figures.js";
import { renderSimulationHtml, SIMULATE_CSP } from "./simulate-html.js";

const HOSTILE = `<img src=x onerror=alert(1)></script></svg>&amp;"'`;

test("the page: strict policy, no script, three plots of inline SVG with marks", async () => {
  const r = fakeSimulation([
    { policy: "revoke", scale: 1 },
    { policy: "wait", scale: 3 },
  ]);
  const html = await renderSimulationHtml(r);
  assert.ok(html.includes(`content="${SIMULATE_CSP}"`));
  assert.match(SIMULATE_CSP, /default-src 'none'/);
  assert.match(SIMULATE_CSP, /script-src 'none'/);
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /\sstyle="/, "no style attribute: the policy would refuse it");
  for (const id of ["plot-truncate-cdf", "plot-punch-cdf", "plot-stranded", "plot-kills"]) {
    const at = html.indexOf(`id="${id}"`);
    assert.ok(at >= 0, id);
    const fig = html.slice(at, html.indexOf("</figure>", at));
    assert.match(fig, /<svg[^>]*class="marks"/, `${id} is an SVG`);
    // one line per policy, drawn as a path with data
    const lines = fig.match(/<path[^>]*aria-roledescription="line mark"|role-line/g) ?? [];
    assert.ok(lines.length >= 1, `${id} has line marks`);
    assert.ok(fig.includes(">revoke<") && fig.includes(">wait<"), `${id} has a legend`);
  }
  assert.equal(await renderSimulationHtml(r), html, "the same result, the same page");
});

test("every string of the result is escaped, in the page and in the plots", async () => {
  const r = fakeSimulation(
    [
      {
        policy: HOSTILE,
        params: { [HOSTILE]: HOSTILE },
        violations: [{ property: HOSTILE, seed: 3, time: 12.5, steps: 8, token: HOSTILE }],
      },
    ],
    { scenario: HOSTILE, notes: [HOSTILE] },
  );
  const html = await renderSimulationHtml(r);
  assert.doesNotMatch(html, /<img/i);
  assert.doesNotMatch(html, /<\/script/i);
  assert.ok(!html.includes(HOSTILE), "never verbatim");
  assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;"), "shown as text");
  // the SVGs still close where they should: as many ends as starts
  assert.equal((html.match(/<svg/g) ?? []).length, (html.match(/<\/svg>/g) ?? []).length);
});

test("a result with nothing to plot says so instead of drawing empty axes", async () => {
  const r = fakeSimulation([{ policy: "linux" }]);
  const empty = {
    ...r,
    policies: r.policies.map((p) => ({
      ...p,
      truncate: { ...p.truncate, cdf: [] },
      punch: { ...p.punch, cdf: [] },
      series: [],
    })),
  };
  const html = await renderSimulationHtml(empty);
  assert.doesNotMatch(html, /<svg/);
  assert.match(html, /no truncate returned in any seed/);
});

test("calls that took no virtual time and levels of 0 are said and drawn on the axis", async () => {
  const r = fakeSimulation([{ policy: "linux" }, { policy: "wait" }]);
  const flat = {
    ...r,
    policies: r.policies.map((p) => ({
      ...p,
      truncate: { ...p.truncate, cdf: [{ latency: 0, fraction: 1 }] },
      punch: { ...p.punch, cdf: [{ latency: 0.5, fraction: 1 }] },
      series: p.series.map((x) => ({ ...x, stranded: 0, kills: 0 })),
    })),
  };
  const html = await renderSimulationHtml(flat);
  assert.match(html, /no truncate took any virtual time: every call returned at once/);
  // one latency is still a curve: it rises from 0 to 1 there
  const punch = html.slice(html.indexOf('id="plot-punch-cdf"'));
  assert.match(
    punch.slice(0, punch.indexOf("</figure>")),
    /aria-roledescription="line mark" d="M[^"]*L/,
  );
  // a level of 0 sits on the axis: the axis runs from 0 to 1, no "0.000000" label
  const stranded = html.slice(html.indexOf('id="plot-stranded"'));
  const fig = stranded.slice(0, stranded.indexOf("</figure>"));
  assert.doesNotMatch(fig, /0\.000000/);
  assert.match(fig, />1</);
});

test("durations read in their unit", () => {
  assert.equal(duration(0), "0 s");
  assert.equal(duration(0.00012), "120 µs");
  assert.equal(duration(0.035), "35.0 ms");
  assert.equal(duration(45), "45.0 s");
  assert.equal(duration(86_400), "24.0 h");
  assert.equal(duration(7 * 86_400), "7.00 d");
});
