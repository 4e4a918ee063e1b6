/**
 * Test support: playwright-core driving Debian's Chromium (no browser download).
 * playwright-core is a devDependency; it is typed here only as far as the tests
 * use it, each test naming the page methods it needs.
 */
import assert from "node:assert/strict";

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
