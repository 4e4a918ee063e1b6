/** pinlab's version, read once from the package.json shipped beside dist/. */
import { readFileSync } from "node:fs";

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    return typeof pkg?.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}

/** The `version` of package.json (shards record it; `merge` refuses to join two versions). */
export const PINLAB_VERSION = readVersion();
