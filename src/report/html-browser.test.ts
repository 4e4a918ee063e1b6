/**
 * The HTML report in a real browser, opened from disk as a reviewer would:
 * choosing a matrix cell shows the witness as a sequence diagram, a hostile
 * scenario title stays text, and the page asks the network for nothing.
 *
 * Needs Chromium at /usr/bin/chromium (`sudo bash scripts/ensure-chromium.sh`)
 * and the playwright-core devDependency; PINLAB_SKIP_BROWSER=1 skips it.
 * Leaves a screenshot at /tmp/pinlab-report.png for a person to look at.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { memoryHost } from "../cli/host.js";
import { main } from "../cli/main.js";
import { aggregate } from "../engine/compare.js";
import type { CompareDoc } from "./compare.js";

const CHROMIUM = "/usr/bin/chromium";
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
  locator(selector: string): Locator;
  textContent(selector: string): Promise<string | null>;
  keyboard: { press(key: string): Promise<void> };
  screenshot(o: { path: string; fullPage?: boolean }): Promise<unknown>;
}
interface Browser {
  newPage(o: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}
interface PlaywrightCore {
  chromium: { launch(o: { executablePath: string; args: string[] }): Promise<Browser> };
}

/** playwright-core, or a failure that says how to get it. */
async function loadPlaywright(): Promise<PlaywrightCore> {
  const name = "playwright-core";
  try {
    return (await import(name)) as PlaywrightCore;
  } catch (e) {
    return assert.fail(
      `cannot load ${name} (${(e as Error).message}): run npm install (it is a devDependency), or set PINLAB_SKIP_BROWSER=1 to skip this test`,
    );
  }
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

const skip = process.env.PINLAB_SKIP_BROWSER === "1" ? "PINLAB_SKIP_BROWSER=1" : false;

test("the HTML report in Chromium: drill-down, sequence diagram, hostile text", {
  skip,
  timeout: 120_000,
}, async () => {
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} is missing: install it with \`sudo bash scripts/ensure-chromium.sh\` (Debian's chromium package), or set PINLAB_SKIP_BROWSER=1 to skip this test`,
  );
  const { chromium } = await loadPlaywright();
  const dir = mkdtempSync(join(tmpdir(), "pinlab-html-"));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
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
    assert.match((await page.textContent("#drill")) ?? "", /pinlab replay pl1\./);

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
