/**
 * The simulation report in a real browser, opened from disk: every plot is
 * an SVG with marks that have a size, the page runs no script, breaks no
 * rule of its Content-Security-Policy and asks the network for nothing.
 *
 * Needs Chromium at /usr/bin/chromium (`sudo bash scripts/ensure-chromium.sh`)
 * and the playwright-core devDependency; PINLAB_SKIP_BROWSER=1 skips it.
 * Leaves a screenshot at /tmp/pinlab-simulate.png for a person to look at.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { BROWSER_SKIP, launchChromium } from "../testing/browser.js";
import { fakeSimulation } from "../testing/simulation.js";
import { renderSimulationHtml } from "./simulate-html.js";

const SCREENSHOT = "/tmp/pinlab-simulate.png";

interface Page {
  on(event: "pageerror", f: (e: Error) => void): void;
  on(event: "console", f: (m: { type(): string; text(): string }) => void): void;
  on(event: "request", f: (r: { url(): string }) => void): void;
  goto(url: string): Promise<unknown>;
  evaluate<T>(expression: string): Promise<T>;
  screenshot(o: { path: string; fullPage?: boolean }): Promise<unknown>;
}

const skip = BROWSER_SKIP;

/** Per figure: its id, whether it holds an SVG, its size, and the marks drawn with a size. */
const MEASURE = `(() => [...document.querySelectorAll("figure.plot")].map((f) => {
  const svg = f.querySelector("svg");
  const box = svg ? svg.getBoundingClientRect() : null;
  const marks = svg ? [...svg.querySelectorAll(".mark-line.role-mark path")] : [];
  const drawn = marks.filter((m) => { const b = m.getBBox(); return b.width > 0 || b.height > 0; });
  const legend = svg ? [...svg.querySelectorAll(".role-legend-label text")].map((t) => t.textContent) : [];
  return { id: f.id, svg: !!svg, width: box ? box.width : 0, height: box ? box.height : 0, marks: marks.length, drawn: drawn.length, legend };
}))()`;

interface Measured {
  id: string;
  svg: boolean;
  width: number;
  height: number;
  marks: number;
  drawn: number;
  legend: string[];
}

test("the simulation report in Chromium: the plots render, no error, no CSP violation", {
  skip,
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "pinlab-sim-html-"));
  const browser = await launchChromium<Page>();
  try {
    const r = fakeSimulation(
      [
        { policy: "revoke", scale: 1 },
        { policy: "wait", scale: 4 },
        {
          policy: "unsafe",
          scale: 0.5,
          foreignDma: 2,
          violations: [
            { property: "foreign-dma", seed: 3, time: 3725.5, steps: 8, token: "pl2.AAR-example" },
          ],
        },
      ],
      { notes: ["a fault without a timing entry never strikes"] },
    );
    const file = join(dir, "simulate.html");
    writeFileSync(file, await renderSimulationHtml(r));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      // Chromium reports a refused style or script as a console error
      if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
    });
    page.on("request", (q) => {
      if (!q.url().startsWith("file:")) requests.push(q.url());
    });
    await page.goto(pathToFileURL(file).href);
    const figs = await page.evaluate<Measured[]>(MEASURE);
    assert.deepEqual(
      figs.map((f) => f.id),
      ["plot-truncate-cdf", "plot-punch-cdf", "plot-stranded", "plot-kills"],
    );
    for (const f of figs) {
      assert.ok(f.svg && f.width > 200 && f.height > 100, `${f.id}: an SVG of some size`);
      assert.equal(f.marks, 3, `${f.id}: one line per policy`);
      assert.equal(f.drawn, 3, `${f.id}: every line has a size`);
      assert.deepEqual([...f.legend].sort(), ["revoke", "unsafe", "wait"], `${f.id}: legend`);
    }
    // the stylesheet applied (its hash matched): the figures have their border
    const border = await page.evaluate<string>(
      `getComputedStyle(document.querySelector("figure.plot")).borderTopStyle`,
    );
    assert.equal(border, "solid", "the page's stylesheet is allowed by its hash");
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.deepEqual(errors, [], "no script error and no Content-Security-Policy violation");
    assert.deepEqual(requests, [], "no network request");
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
