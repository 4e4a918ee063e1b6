/**
 * Hostile reports in a real browser: a `compare --html` of a scenario whose
 * title, comments and file name are markup, and a `merge --html` of a
 * crafted shard that carries markup in every free-text field merge accepts.
 * Every button, witness and link of each page is used, and no dialog opens,
 * no request is made and the page never navigates away. Markup injected
 * into the page after the fact is stopped by the Content-Security-Policy.
 *
 * Needs Chromium at /usr/bin/chromium and playwright-core, as
 * html-browser.test.ts does; PINLAB_SKIP_BROWSER=1 skips it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { memoryHost } from "../cli/host.js";
import { main } from "../cli/main.js";
import { BROWSER_SKIP, launchChromium } from "../testing/browser.js";
import { docDigest } from "./compare.js";

const EVIL = "<img src=x onerror=alert(1)>";
const ESCAPE = `"'><script>alert(2)</script><a href="https://example.com/leak">x</a>`;
const HOSTILE_FILE = `/evil/${EVIL}&.pin`;

/** core.pin with markup in its title and comments, and an expectation that fails (its detail is shown). */
function hostileScenario(): string {
  const core = readFileSync(new URL("../../scenarios/core.pin", import.meta.url), "utf8");
  return `# ${EVIL} ${ESCAPE}\n${core.replace(/^scenario ".*"$/m, `scenario "${EVIL} ${ESCAPE.replaceAll('"', "'")}"`)}\n# ${EVIL}\nexpect never foreign-dma under unsafe # ${ESCAPE}\n`;
}

interface Locator {
  click(o?: { timeout?: number; force?: boolean }): Promise<void>;
  count(): Promise<number>;
  nth(i: number): Locator;
  evaluateAll<T>(f: (els: HTMLElementLike[]) => T): Promise<T>;
}
interface HTMLElementLike {
  open: boolean;
  dispatchEvent(e: unknown): boolean;
}
interface Page {
  on(event: "dialog", f: (d: { message(): string; dismiss(): Promise<void> }) => void): void;
  on(event: "request", f: (r: { url(): string }) => void): void;
  on(
    event: "requestfailed",
    f: (r: { url(): string; failure(): { errorText: string } | null }) => void,
  ): void;
  on(event: "framenavigated", f: (fr: { url(): string }) => void): void;
  on(event: "console", f: (m: { type(): string; text(): string }) => void): void;
  goto(url: string): Promise<unknown>;
  locator(selector: string): Locator;
  evaluate(expression: string): Promise<unknown>;
  url(): string;
  waitForTimeout(ms: number): Promise<void>;
  keyboard: { press(key: string): Promise<void> };
  close(): Promise<void>;
}

/** `compare --html` of the hostile scenario; also its shards 1/2 and 2/2. */
async function hostileCompare() {
  const files = { [HOSTILE_FILE]: hostileScenario() };
  const h = memoryHost(files);
  const args = ["compare", "core", HOSTILE_FILE, "--policy", "unsafe", "--policy", "linux"];
  assert.equal(await main([...args, "--html", "/c.html", "--workers", "1"], h), 1, h.stderr);
  const shards: string[] = [];
  for (const i of [1, 2]) {
    const s = memoryHost(files);
    await main([...args, "--shard", `${i}/2`, "--out", "/s.json", "--workers", "1"], s);
    shards.push(s.files["/s.json"]!);
  }
  return { html: h.files["/c.html"]!, shards };
}

/**
 * A crafted shard: markup in every free-text field that merge takes as it
 * is (expectation details, statistics' names), sealed with a fresh digest.
 */
function craft(text: string): string {
  const d = JSON.parse(text);
  for (const c of d.cells) {
    for (const e of c.expectations) e.detail = `${EVIL} ${ESCAPE}`;
    c.stats[EVIL] = 1;
  }
  delete d.digest;
  return JSON.stringify({ ...d, digest: docDigest(d) });
}

async function hostileMerge(shards: readonly string[]): Promise<string> {
  const h = memoryHost({ "/s1.json": craft(shards[0]!), "/s2.json": craft(shards[1]!) });
  const status = await main(["merge", "/s1.json", "/s2.json", "--html", "/m.html"], h);
  assert.equal(status, 1, h.stderr);
  return h.files["/m.html"]!;
}

const skip = BROWSER_SKIP;

test("hostile compare --html and merge --html: no dialog, no request, no navigation", {
  skip,
  timeout: 180_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "pinlab-hostile-"));
  const browser = await launchChromium<Page>();
  try {
    const c = await hostileCompare();
    const reports = { "compare --html": c.html, "merge --html": await hostileMerge(c.shards) };
    for (const [name, html] of Object.entries(reports)) {
      assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;"), `${name}: hostile text shown`);
      const file = join(dir, `${name.split(" ")[0]}.html`);
      writeFileSync(file, html);
      const href = pathToFileURL(file).href;
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const dialogs: string[] = [];
      const requests: string[] = [];
      const navigations: string[] = [];
      const errors: string[] = [];
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      const blocked = new Map<string, string>();
      page.on("request", (r) => requests.push(r.url()));
      page.on("requestfailed", (r) => blocked.set(r.url(), r.failure()?.errorText ?? ""));
      page.on("framenavigated", (f) => navigations.push(f.url()));
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      await page.goto(href);
      assert.equal(await page.locator("img, iframe, object, embed, form").count(), 0, name);
      assert.equal(await page.locator('a[href]:not([href^="#"])').count(), 0, name);

      // Use everything on the page: every matrix cell, every scenario grid cell, every witness, every link.
      const buttons = page.locator("button[data-policy]");
      assert.ok((await buttons.count()) > 10, `${name}: the page has its buttons`);
      await buttons.nth(0).click({ timeout: 5_000 });
      await page.locator("a[href]").nth(0).click({ timeout: 5_000 });
      await page.evaluate(`(() => {
        for (const b of document.querySelectorAll("button[data-policy]")) {
          b.click();
          for (const d of document.querySelectorAll("#drill details")) d.open = true;
        }
        for (const a of document.querySelectorAll("a[href]")) a.click();
      })()`);
      await page.waitForTimeout(200);
      await page.keyboard.press("Escape");
      const stayed = page.url().split("#")[0];
      assert.deepEqual(requests, [href], `${name}: no request but the page itself`);
      assert.deepEqual(dialogs, [], `${name}: no dialog`);
      assert.deepEqual(errors, [], `${name}: no error and no CSP violation by the page itself`);

      // Markup that got in anyway (as if escaping had failed) is stopped by the policy.
      await page.evaluate(`(() => {
        const d = document.createElement("div");
        d.innerHTML =
          '<img src="https://example.com/x.png" onerror="alert(3)"><a id="out" href="https://example.com/leak">leak</a><form action="https://example.com/f"><button id="send">send</button></form><base href="https://example.com/">';
        document.body.append(d);
        const s = document.createElement("script");
        s.textContent = "alert(4)";
        document.body.append(s);
        document.getElementById("out").click();
        document.getElementById("send").click();
      })()`);
      await page.waitForTimeout(300);

      assert.deepEqual(dialogs, [], `${name}: no script ran`);
      // A request the policy blocks never leaves the browser (Chromium still reports it, as failed).
      for (const u of requests.slice(1))
        assert.match(
          blocked.get(u) ?? "",
          /^csp$|ERR_BLOCKED_BY_CSP/i,
          `${name}: ${u} was not blocked`,
        );
      assert.ok(
        navigations.every((u) => u.split("#")[0] === href),
        `${name}: no navigation away (${navigations.join(", ")})`,
      );
      assert.equal(page.url().split("#")[0], href, `${name}: still on the page`);
      assert.equal(stayed, href);
      assert.ok(
        errors.some((e) => /Content Security Policy/i.test(e)),
        `${name}: the injected markup was refused by the policy`,
      );
      await page.close();
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
