/**
 * The playground in a real browser, served as `pinlab serve` serves it: a
 * typo's diagnostic at its line with its hint; check under `unsafe` showing
 * foreign DMA Sometimes with the witness diagram; the share link reopening
 * the same scenario and witness in a new page; a long check that leaves the
 * page responsive and stops on cancel; a hostile scenario that runs no
 * script; and no request but the page's own files. Prints the check time in
 * the browser beside Node's (printed, not asserted).
 *
 * Needs the built playground (`npm run build`, as `npm test` does), Chromium
 * at /usr/bin/chromium (`sudo bash scripts/ensure-chromium.sh`) and the
 * playwright-core devDependency; PINLAB_SKIP_BROWSER=1 skips it. Leaves a
 * screenshot at /tmp/pinlab-playground.png for a person to look at.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { PLAYGROUND_DIR, servePlayground } from "../cli/commands/serve.js";
import { POLICY_NAMES } from "../policies/index.js";
import { sourceHash } from "../scenario/source-hash.js";
import { BROWSER_SKIP, launchChromium } from "../testing/browser.js";
import { hugeScenario } from "../testing/huge.js";
import { checkPin } from "./session.js";
import { encodeShare } from "./share.js";

const SCREENSHOT = "/tmp/pinlab-playground.png";
const HOSTILE = "<img src=x onerror=alert(1)>";

/** The few playwright-core calls used here (imported at run time, so the build never needs it). */
interface Locator {
  click(): Promise<void>;
  count(): Promise<number>;
  first(): Locator;
  nth(i: number): Locator;
  last(): Locator;
  locator(selector: string): Locator;
  waitFor(o?: { state?: "visible" | "hidden" | "attached"; timeout?: number }): Promise<void>;
  textContent(): Promise<string | null>;
  getAttribute(name: string): Promise<string | null>;
  inputValue(): Promise<string>;
  selectOption(value: string): Promise<unknown>;
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
  keyboard: { press(key: string): Promise<void>; type(text: string): Promise<void> };
  screenshot(o: { path: string; fullPage?: boolean }): Promise<unknown>;
  close(): Promise<void>;
}

const skip = BROWSER_SKIP;
const core = readFileSync(new URL("../../scenarios/core.pin", import.meta.url), "utf8");
const TYPO_LINE = core.split("\n").findIndex((l) => l.startsWith("proc admin ")) + 1;

/** A page that records what it asks the network for, its dialogs and its errors. */
async function open(browser: { newPage(o: object): Promise<Page> }, url: string) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const seen = { requests: [] as string[], dialogs: [] as string[], errors: [] as string[] };
  page.on("request", (r) => seen.requests.push(r.url()));
  page.on("dialog", (d) => {
    seen.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on("pageerror", (e) => seen.errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") seen.errors.push(m.text());
  });
  await page.goto(url);
  await page.locator("#editor .cm-content").waitFor({ state: "visible", timeout: 15_000 });
  return { page, seen };
}

/**
 * Waits until a JavaScript expression is true in the page. (Not playwright's
 * waitForFunction: it evaluates a string with eval, which the page's CSP forbids.)
 */
async function until(page: Page, expression: string, timeout = 30_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await page.evaluate<boolean>(`Boolean(${expression})`))) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the page is not running anything. */
const idle = (page: Page, timeout = 60_000) =>
  until(page, 'document.body.dataset.busy !== "true"', timeout);

/** Replaces the end of line `n` of the editor: Backspace `erase` times, then types `text`. */
async function editLineEnd(page: Page, n: number, erase: number, text: string): Promise<void> {
  await page
    .locator(".cm-line")
    .nth(n - 1)
    .click();
  await page.keyboard.press("End");
  for (let i = 0; i < erase; i++) await page.keyboard.press("Backspace");
  await page.keyboard.type(text);
}

test("the playground in Chromium: lint, check, witness, share link, cancel, hostile text", {
  skip,
  timeout: 120_000,
}, async () => {
  assert.ok(
    existsSync(join(PLAYGROUND_DIR, "index.html")),
    `the playground is not built (${PLAYGROUND_DIR}): run npm run build`,
  );
  const served = await servePlayground(PLAYGROUND_DIR, 0);
  const browser = await launchChromium<Page>();
  const pages: { page: Page; seen: { requests: string[]; dialogs: string[]; errors: string[] } }[] =
    [];
  try {
    // 1. Open the playground, pick the core example, break an operation's name.
    const a = await open(browser, served.url);
    pages.push(a);
    const { page } = a;
    await page.locator("#example").selectOption("core");
    await until(page, 'document.querySelector("#status").textContent.startsWith("ready")');
    const admin = core.split("\n")[TYPO_LINE - 1]!;
    const tail = admin.slice(admin.indexOf("{"));
    await editLineEnd(page, TYPO_LINE, tail.length, tail.replace("truncate", "truncat"));
    const diag = page.locator(`#diagnostics li[data-line="${TYPO_LINE}"]`);
    await diag.waitFor({ state: "visible", timeout: 10_000 });
    assert.equal(await diag.getAttribute("data-code"), "PIN102");
    const said = (await diag.textContent()) ?? "";
    assert.match(said, /unknown operation `truncat`/);
    assert.match(said, /hint: did you mean `truncate`\?/);
    assert.ok(
      (await page.locator("#editor .cm-lintRange-error").count()) > 0,
      "the typo is underlined",
    );

    // 2. Fix it, check under unsafe: foreign DMA Sometimes, and its witness drawn.
    await editLineEnd(page, TYPO_LINE, tail.length - 1, tail);
    await until(page, 'document.querySelectorAll("#diagnostics li.error").length === 0');
    await page.locator("#policy").selectOption("unsafe");
    await page.locator("#check").click();
    await idle(page);
    const cell = page.locator('button.cell[data-policy="unsafe"][data-property="foreign-dma"]');
    assert.equal(await cell.getAttribute("data-summary"), "violation");
    assert.match((await cell.textContent()) ?? "", /Sometimes/);
    const browserMs = Number(
      await page.evaluate('document.querySelector("#results").dataset.timeMs'),
    );
    await cell.click();
    const diagram = page.locator("#drill details[open] .seq").first();
    await diagram.waitFor({ state: "visible", timeout: 10_000 });
    const drawn = (await diagram.textContent()) ?? "";
    assert.match(drawn, /RDMA WRITE lands in block/);
    assert.match(drawn, /✗ foreign-dma violated/);
    assert.match((await page.textContent("#status")) ?? "", new RegExp(sourceHash(core)));

    // Node checks the same text with the same code: the times side by side.
    const node = await checkPin({ text: core, policies: ["unsafe"], version: "test" });
    assert.ok(node.ok);
    console.log(
      `check core --policy unsafe: browser ${browserMs.toFixed(0)} ms, Node ${node.timeMs.toFixed(0)} ms (${node.states} states)`,
    );

    // 3. The share link opens the same scenario and witness in a new page.
    await page.locator("#share").click();
    const link = await page.locator("#share-url").inputValue();
    assert.match(link, /#pin=.*&cell=unsafe%2Fforeign-dma/);
    const b = await open(browser, link);
    pages.push(b);
    await idle(b.page);
    const again = b.page.locator("#drill details[open] .seq").first();
    await again.waitFor({ state: "visible", timeout: 30_000 });
    assert.equal(await again.textContent(), drawn, "the same witness");
    assert.match((await b.page.textContent("#drill-h")) ?? "", /unsafe × foreign-dma/);
    assert.match(
      (await b.page.textContent("#status")) ?? "",
      new RegExp(sourceHash(core)),
      "the same scenario, character for character",
    );
    await page.screenshot({ path: SCREENSHOT });

    // Run prints one schedule; Compare checks every policy (the matrix's rows).
    await b.page.locator("#run").click();
    await idle(b.page);
    assert.match((await b.page.textContent("#trace")) ?? "", /truncate data pages=0/);
    await b.page.locator("#compare").click();
    await idle(b.page);
    assert.equal(
      await b.page.locator('button.cell[data-property="foreign-dma"]').count(),
      POLICY_NAMES.length,
    );
    assert.equal(
      await b.page
        .locator('button.cell[data-policy="linux"][data-property="foreign-dma"]')
        .getAttribute("data-summary"),
      "proved",
    );
    // Completion: operations, then properties after a quantifier, policies after `under`.
    await b.page.locator(".cm-content").click();
    await b.page.keyboard.press("Control+End");
    for (const [typed, offered] of [
      ["\nproc x user=alice { trunc", "truncate"],
      [" }\nexpect never foreign-d", "foreign-dma"],
      [" under layout-l", "layout-lease"],
    ] as const) {
      await b.page.keyboard.type(typed);
      const option = b.page.locator(`.cm-tooltip-autocomplete li:has-text("${offered}")`);
      await option.first().waitFor({ state: "visible", timeout: 10_000 });
      // CodeMirror ignores Enter for 75 ms after the list appears (its interactionDelay)
      await new Promise((r) => setTimeout(r, 200));
      await b.page.keyboard.press("Enter");
    }
    const lines = await b.page.evaluate<string[]>(
      'Array.from(document.querySelector("#editor").shadowRoot.querySelectorAll(".cm-line"), (l) => l.textContent)',
    );
    assert.ok(
      lines.includes("expect never foreign-dma under layout-lease"),
      lines.slice(-3).join("|"),
    );

    // 4. A long check keeps the page responsive, and cancel stops it.
    const c = await open(
      browser,
      served.url + encodeShare({ text: hugeScenario(), policies: ["unsafe"], cell: null }),
    );
    pages.push(c);
    await c.page.locator("#check").click();
    await until(
      c.page,
      '/ [1-9][0-9,]* states/.test(document.querySelector("#status").textContent)',
    );
    // While the worker explores, the page still lints what is typed (on its own thread).
    await editLineEnd(c.page, 1, 0, " bogus");
    await c.page.locator("#diagnostics li.error").first().waitFor({ state: "visible" });
    assert.equal(await c.page.evaluate("document.body.dataset.busy"), "true", "still checking");
    const gap = await c.page.evaluate<number>(
      "new Promise((r) => { let last = performance.now(), max = 0; const t = setInterval(() => { const n = performance.now(); max = Math.max(max, n - last); last = n; }, 10); setTimeout(() => { clearInterval(t); r(max); }, 500); })",
    );
    console.log(`during a long check the page's longest pause was ${gap.toFixed(0)} ms`);
    await c.page.locator("#cancel").click();
    await idle(c.page, 10_000);
    assert.match((await c.page.textContent("#status")) ?? "", /^cancelled: what was found so far/);

    // 5. A hostile scenario: text everywhere, no script, no request.
    const hostile = core
      .replace(/^scenario ".*"$/m, `scenario "${HOSTILE}</script>&amp;"`)
      .replace(/^(file data .*)$/m, `# ${HOSTILE} <script>alert(2)</script>\n$1`);
    const d = await open(
      browser,
      served.url +
        encodeShare({
          text: hostile,
          policies: ["unsafe"],
          cell: { policy: "unsafe", property: "foreign-dma" },
        }),
    );
    pages.push(d);
    await idle(d.page);
    const loaded = d.seen.requests.length;
    await d.page.locator("#drill details[open] .seq").first().waitFor({ state: "visible" });
    const text = (await d.page.textContent("#drill")) ?? "";
    assert.ok(
      text.includes(`${HOSTILE}</script>&amp;`),
      "the hostile title is text in the drill-down",
    );
    // ... and in the editor, and in a diagnostic that quotes it
    await editLineEnd(d.page, 1, 0, ` ${HOSTILE}`);
    await d.page.locator("#diagnostics li.error").first().waitFor({ state: "visible" });
    assert.equal(
      await d.page.evaluate('document.querySelectorAll("img, script:not([src])").length'),
      0,
    );
    assert.equal(
      await d.page.evaluate(
        'document.querySelector("#editor").shadowRoot.querySelectorAll("img").length',
      ),
      0,
    );
    assert.equal(d.seen.requests.length, loaded, "no request after the page loaded");

    for (const p of pages) {
      assert.deepEqual(p.seen.dialogs, [], "no script ran from the scenario's strings");
      assert.deepEqual(
        p.seen.errors,
        [],
        "no script error and no Content-Security-Policy violation",
      );
      for (const r of p.seen.requests)
        assert.ok(r.startsWith(served.url), `only the page's own files are asked for (got ${r})`);
    }
  } finally {
    await browser.close();
    await served.close();
  }
});
