/**
 * Test support: playwright-core driving Debian's Chromium (no browser download).
 * playwright-core is a devDependency; it is typed here only as far as the tests
 * use it, each test naming the page methods it needs.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";

export interface Browser<Page> {
  newPage(o: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

export interface PlaywrightCore<Page> {
  chromium: { launch(o: { executablePath: string; args: string[] }): Promise<Browser<Page>> };
}

/** playwright-core, or a failure that says how to get it. */
export async function loadPlaywright<Page>(): Promise<PlaywrightCore<Page>> {
  const name = "playwright-core";
  try {
    return (await import(name)) as PlaywrightCore<Page>;
  } catch (e) {
    return assert.fail(
      `cannot load ${name} (${(e as Error).message}): run npm install (it is a devDependency), or set PINLAB_SKIP_BROWSER=1 to skip this test`,
    );
  }
}

/** Where Debian's chromium package puts the browser (scripts/ensure-chromium.sh). */
export const CHROMIUM = "/usr/bin/chromium";

/** The browser tests' skip reason: PINLAB_SKIP_BROWSER=1, or false to run. */
export const BROWSER_SKIP: string | false =
  process.env.PINLAB_SKIP_BROWSER === "1" ? "PINLAB_SKIP_BROWSER=1" : false;

/**
 * Debian's Chromium through playwright-core, headless, sandbox off and with
 * nothing of its own going to the network (so that a test can assert that a
 * page makes no request); a failure that says how to get it if it is missing.
 */
export async function launchChromium<Page>(): Promise<Browser<Page>> {
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} is missing: install it with \`sudo bash scripts/ensure-chromium.sh\` (Debian's chromium package), or set PINLAB_SKIP_BROWSER=1 to skip this test`,
  );
  const { chromium } = await loadPlaywright<Page>();
  return chromium.launch({
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
}
