/**
 * Helpers shared by the scenario tests: the sample files of the source tree
 * and spec comparison without source positions.
 */
import { readdirSync, readFileSync } from "node:fs";

/** The repository's `src/scenario/` directory, found from `dist/scenario/` where tests run. */
export const SOURCE_DIR = new URL("../../src/scenario/", import.meta.url);

/** Every `samples/*.pin` file: name and text. */
export function samples(): { name: string; text: string }[] {
  const dir = new URL("samples/", SOURCE_DIR);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".pin"))
    .sort()
    .map((name) => ({ name, text: readFileSync(new URL(name, dir), "utf8") }));
}

/** A deep copy without `at` and `file`, so specs read from different texts compare equal. */
export function strip<T>(value: T): T {
  if (value === undefined) return value;
  return JSON.parse(JSON.stringify(value, (k, v) => (k === "at" || k === "file" ? undefined : v)));
}
