/**
 * The HTML report in a real browser, opened from disk as a reviewer would:
 * choosing a matrix cell shows the witness as a sequence diagram, a hostile
 * scenario title stays text, and the page asks the network for nothing.
 *
 * Needs Chromium at /usr/bin/chromium (`sudo bash scripts/ensure-chromium.sh`)
 * and the playwright-core devDependency; PINLAB_SKIP_BROWSER=1 skips it.
 * Leaves screenshots at /tmp/pinlab-report.png and /tmp/pinlab-report-400.png
 * for a person to look at.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { memoryHost } from "../cli/host.js";
import { main } from "../cli/main.js";
import { aggregate } from "../engine/matrix/compare.js";
import { BROWSER_SKIP, launchChromium } from "../testing/browser.js";
import type { CompareDoc } from "./compare.js";
import { markOf } from "./marks.js";

const SCREENSHOT = "/tmp/pinlab-report.png";
const HOSTILE_TITLE = "<img src=x onerror=alert(1)></script>&amp; a title";
const HOSTILE_FILE = "/evil/<img src=x onerror=alert(1)>&.pin";

/** The few playwright-core calls used here (imported at run time, so the build never needs it). */
interface Locator {
  click(): Promise<void>;
  focus(): Promise<void>;
  count(): Promise<number>;
  first(): Locator;
  locator(selector: string): Locator;
  waitFor(o?: { state?: "visible" | "hidden"; timeout?: number }): Promise<void>;
  isVisible(): Promise<boolean>;
  textContent(): Promise<string | null>;
  evaluateAll<T>(f: (els: Element[]) => T): Promise<T>;
}
interface Element {
  getAttribute(name: string): string | null;
}
interface Page {
  on(event: "dialog", f: (d: { message(): string; dismiss(): Promise<void> }) => void): void;
  on(event: "request", f: (r: { url(): string }) => void): void;
  on(event: "pageerror", f: (e: Error) => void): void;
  on(event: "console", f: (m: { type(): string; text(): string }) => void): void;
  goto(url: string): Promise<unknown>;
  /** Evaluates a JavaScript expression in the page (a string: this build has no DOM types). */
  evaluate<T>(expression: string): Promise<T>;
  locator(selector: string): Locator;
  textContent(selector: string): Promise<string | null>;
  keyboard: { press(key: string): Promise<void> };
  screenshot(o: { path: string; fullPage?: boolean }): Promise<unknown>;
}

/** `pinlab compare --html` as a user runs it, on the core scenario and a hostile copy of it. */
async function writeReport(dir: string): Promise<{ file: string; doc: CompareDoc }> {
  const core = readFileSync(new URL("../../scenarios/core.pin", import.meta.url), "utf8");
  const evil = core.replace(/^scenario ".*"$/m, `scenario "${HOSTILE_TITLE}"`);
  const h = memoryHost({ [HOSTILE_FILE]: evil });
  const status = await main(
    [
      "compare",
      "core",
      HOSTILE_FILE,
      "--html",
      "/report.html",
      "--out",
      "/doc.json",
      "--workers",
      "1",
    ],
    h,
  );
  assert.equal(status, 0, h.stderr);
  const file = join(dir, "report.html");
  writeFileSync(file, h.files["/report.html"]!);
  return { file, doc: JSON.parse(h.files["/doc.json"]!) as CompareDoc };
}

const skip = BROWSER_SKIP;

test("the HTML report in Chromium: drill-down, sequence diagram, hostile text", {
  skip,
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "pinlab-html-"));
  const browser = await launchChromium<Page>();
  try {
    const { file, doc } = await writeReport(dir);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const dialogs: string[] = [];
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("request", (r) => {
      if (!r.url().startsWith("file:")) requests.push(r.url());
    });
    await page.goto(pathToFileURL(file).href);

    // The hostile title is text: no element was made of it.
    const body = (await page.textContent("body")) ?? "";
    assert.ok(body.includes(HOSTILE_TITLE), "the hostile title is shown as text");
    assert.ok(body.includes(HOSTILE_FILE), "the hostile file name is shown as text");
    assert.equal(await page.locator("img").count(), 0);

    // Choosing a matrix cell opens its drill-down with the shortest witness drawn.
    const cell = page.locator('#matrix button[data-policy="unsafe"][data-property="foreign-dma"]');
    await cell.click();
    const diagram = page.locator("#drill details[open] .seq").first();
    await diagram.waitFor({ state: "visible", timeout: 10_000 });
    const shortest = aggregate(doc.cells, "unsafe", "foreign-dma").shortest;
    assert.ok(shortest, "unsafe lets a DMA land in another file's block");
    const lanes = doc.scenarios.find((s) => s.ref === shortest.scenario)!.lanes;
    const shown = await diagram
      .locator("[data-lane]")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-lane")));
    assert.deepEqual(shown, [...lanes], "one column per lane of the scenario");
    const text = (await diagram.textContent()) ?? "";
    assert.match(text, /RDMA WRITE lands in block/);
    assert.match(text, /✗ foreign-dma violated/);
    assert.ok(await diagram.locator(".row.hit").first().isVisible(), "the marked step stands out");
    assert.match((await page.textContent("#drill")) ?? "", /pinlab replay pl2\./);

    // The keyboard reaches the same place: arrow down to linux, Enter, Escape closes.
    await cell.focus();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    assert.match((await page.textContent("#drill-h")) ?? "", /linux × foreign-dma/);
    assert.match((await page.textContent("#drill")) ?? "", /proved over every reachable state/);
    await page.keyboard.press("Escape");
    await page.locator("#drill").waitFor({ state: "hidden" });

    // Open again: the hostile title is text in the drill-down too.
    await cell.click();
    const drill = (await page.textContent("#drill")) ?? "";
    assert.ok(drill.includes(HOSTILE_TITLE), "the hostile title is text in the drill-down");
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    assert.deepEqual(dialogs, [], "no script ran from the document's strings");
    assert.deepEqual(errors, [], "no script error and no Content-Security-Policy violation");
    assert.deepEqual(requests, [], "no network request");
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The bundled library's report and its document, as a user makes them: `compare --html` and `--json`. */
async function writeLibraryReport(dir: string): Promise<{ file: string; doc: CompareDoc }> {
  const h = memoryHost();
  const status = await main(["compare", "--html", "/report.html", "--json"], h);
  assert.equal(status, 0, h.stderr);
  const file = join(dir, "report.html");
  writeFileSync(file, h.files["/report.html"]!);
  return { file, doc: JSON.parse(h.stdout) as CompareDoc };
}

/** What the page shows, read in the browser after every drill-down of the matrix was opened. */
interface PageMarks {
  /** Per-verdict marks of the scenario cards, by outcome. */
  readonly cards: Record<string, number>;
  /** ✗ characters in the scenario cards' verdicts. */
  readonly crosses: number;
  /** The outcomes of the result marks of the scenario cards. */
  readonly results: string[];
  /** Marks on the diagrams' steps: property name and mark. */
  readonly steps: { name: string; mark: string; text: string }[];
  readonly witnesses: number;
  readonly overflow: { body: number; viewport: number; matrix: number; matrixBox: number };
}

/**
 * Run in the page: counts the scenario cards' marks, then opens every matrix
 * cell that is not a plain proof and every witness in its drill-down (each
 * builds its diagram) and collects the marks on the diagrams' steps.
 */
const READ_MARKS = `(() => {
  const cards = {};
  document.querySelectorAll("#scenarios [data-outcome]").forEach((e) => {
    const o = e.getAttribute("data-outcome");
    cards[o] = (cards[o] || 0) + 1;
  });
  let crosses = 0;
  document.querySelectorAll("#scenarios button.mini").forEach((e) => {
    crosses += (e.textContent.match(/✗/g) || []).length;
  });
  const results = [...document.querySelectorAll("#scenarios [data-result]")].map((e) => e.getAttribute("data-outcome"));
  const steps = [];
  const seen = new Set();
  document.querySelectorAll("#matrix button.cell").forEach((b) => {
    if (b.dataset.summary === "proved" || b.dataset.summary === "impossible") return;
    b.click();
    document.querySelectorAll("#drill details.witness").forEach((d) => {
      d.open = true;
      d.dispatchEvent(new Event("toggle"));
      const key = b.dataset.policy + "/" + b.dataset.property + "/" + d.dataset.scenario;
      if (seen.has(key)) return;
      seen.add(key);
      d.querySelectorAll(".seq .mark[data-name]").forEach((m) =>
        steps.push({ name: m.getAttribute("data-name"), mark: m.getAttribute("data-mark"), text: m.textContent }));
    });
  });
  const box = document.querySelector(".matrix-scroll");
  return { cards, crosses, results, steps, witnesses: seen.size,
    overflow: { body: document.body.scrollWidth, viewport: document.documentElement.clientWidth,
      matrix: box.scrollWidth, matrixBox: box.clientWidth } };
})()`;

test("the library's HTML report: its violation marks are the violations of --json, no shown result is one, and it works at 400 px", {
  skip,
  timeout: 180_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "pinlab-html-"));
  const browser = await launchChromium<Page>();
  try {
    const { file, doc } = await writeLibraryReport(dir);
    // What --json reports, from each verdict's property: its group and kind in the document
    // (a name the document does not list is a scenario's `expect P.op returns R`).
    const bundled = new Map(doc.properties.map((p) => [p.name, p]));
    const verdicts = doc.cells.flatMap((c) => c.verdicts);
    const isViolation = (v: (typeof verdicts)[number]) => {
      const p = bundled.get(v.name);
      return (
        v.verdict === "Sometimes" && p !== undefined && p.group === "safety" && p.kind === "safety"
      );
    };
    const violations = verdicts.filter(isViolation).length;
    assert.ok(violations > 0, "the library has violations to count (unsafe's, at least)");
    for (const v of verdicts)
      assert.equal(v.outcome === "violation", isViolation(v), `${v.name}: outcome ${v.outcome}`);
    const results = verdicts.filter((v) => !bundled.has(v.name));
    const shownResults = results.filter((v) => v.verdict === "Sometimes").length;
    assert.ok(shownResults > 0, "some result expectation is shown");
    // Every step mark of every witness, by the mark the document's groups give it.
    const stepMarks = new Map<string, number>();
    for (const c of doc.cells)
      for (const v of c.verdicts)
        for (const st of v.steps ?? [])
          for (const m of st.marks) {
            const p = bundled.get(m) ?? { group: "result", kind: "possibility" };
            const k = markOf(p);
            stepMarks.set(k, (stepMarks.get(k) ?? 0) + 1);
          }

    const page = await browser.newPage({ viewport: { width: 400, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("request", (r) => {
      if (!r.url().startsWith("file:")) requests.push(r.url());
    });
    await page.goto(pathToFileURL(file).href);
    const seen = await page.evaluate<PageMarks>(READ_MARKS);

    // The violation marks of the page are the violations --json reports, ✗ for ✗.
    assert.equal(seen.cards.violation ?? 0, violations, JSON.stringify(seen.cards));
    assert.equal(seen.crosses, violations);
    // No shown result carries a violation mark: each is shown or not shown, as --json says.
    assert.equal(seen.results.length, results.length);
    assert.equal(seen.results.filter((o) => o === "shown").length, shownResults);
    assert.deepEqual([...new Set(seen.results)].sort(), ["not-shown", "shown"]);
    // In the diagrams too: a result's step mark says shown, a safety property's says violated.
    assert.ok(seen.witnesses > 50, `${seen.witnesses} witnesses drawn`);
    const resultSteps = seen.steps.filter((s) => !bundled.has(s.name));
    assert.ok(resultSteps.length > 0, "some witness passes a result expectation");
    for (const s of resultSteps) {
      assert.equal(s.mark, "shown", `${s.name}: ${s.text}`);
      assert.doesNotMatch(s.text, /violat|✗/);
    }
    for (const s of seen.steps) {
      const p = bundled.get(s.name);
      if (p) assert.equal(s.mark, markOf(p), `${s.name}: ${s.text}`);
    }
    // Each witness is drawn once per drill-down that lists it; the document's step marks all appear.
    for (const [k] of stepMarks)
      assert.ok(
        seen.steps.some((s) => s.mark === k),
        `some ${k} mark is drawn`,
      );

    // At 400 px the body never scrolls sideways; the matrix scrolls in its own box.
    assert.ok(seen.overflow.body <= seen.overflow.viewport, JSON.stringify(seen.overflow));
    assert.ok(
      seen.overflow.matrix > seen.overflow.matrixBox,
      "the matrix scrolls in its container",
    );

    // A drill-down at 400 px: arrows for the messages, a step opens what it changed. The
    // RDMA witness of core (io_uring and O_DIRECT witnesses have no messages to draw).
    await page.goto(`${pathToFileURL(file).href}#cell=unsafe/foreign-dma`);
    const open = page.locator('#drill details[data-scenario="core"]').first();
    if (!(await open.evaluateAll((els) => els[0]!.getAttribute("open") !== null)))
      await open.locator("summary").first().click();
    await open.locator(".seq").waitFor({ state: "visible", timeout: 10_000 });
    const scenario = await open.evaluateAll((els) => els[0]!.getAttribute("data-scenario"));
    const cell = doc.cells.find((c) => c.scenario === scenario && c.policy === "unsafe")!;
    const v = cell.verdicts.find((x) => x.name === "foreign-dma")!;
    const arrows = v.steps!.flatMap((s) => s.arrows);
    assert.ok(arrows.some((a) => a.kind === "message") && arrows.some((a) => a.kind === "rdma"));
    assert.equal(await open.locator(".seq .row.arrow").count(), arrows.length);
    const pinning = v.steps!.find((s) => s.changes.some((c) => c.kind === "pin"))!;
    await open.locator(`.seq .row.step[data-step="${pinning.n}"] .stepbtn`).click();
    const changes = open.locator(`.seq [data-changes="${pinning.n}"] tbody tr`);
    assert.equal(await changes.count(), pinning.changes.length);
    assert.match(
      (await open.locator(`.seq [data-changes="${pinning.n}"]`).textContent()) ?? "",
      /long-term pin/,
    );
    const wide = await page.evaluate<boolean>(
      "document.body.scrollWidth <= document.documentElement.clientWidth",
    );
    assert.ok(wide, "an open diagram scrolls in its own box, not the page");

    // Each scenario card shows its source, quoted mails included.
    const sources = await page
      .locator("#scenarios pre.src")
      .evaluateAll((els) => els.map((e) => e.getAttribute("class")));
    assert.equal(sources.length, doc.scenarios.length);
    const core = doc.scenarios.findIndex((s) => s.ref === "core");
    assert.match((await page.textContent(`#sc-${core} .src-head`)) ?? "", /Matthew Wilcox/);
    assert.equal(
      (await page.textContent(`#sc-${core} pre.src`)) ?? "",
      doc.scenarios[core]!.source!.replace(/\n$/, ""),
    );
    await page.screenshot({ path: "/tmp/pinlab-report-400.png" });
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
