/**
 * Ctrl-C during `compare` with workers stops every running check at once:
 * the matrix of what was found so far is printed, the interrupted cells
 * marked incomplete, exit 3. A check that is left running would take far
 * longer than the test's limit (its scenario has millions of states).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, it } from "node:test";
import { fileURLToPath } from "node:url";
import { hugeScenario } from "../testing/huge.js";

const MAIN = fileURLToPath(new URL("./main.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "pinlab-interrupt-"));
after(() => rmSync(dir, { recursive: true, force: true }));

it("SIGINT to compare with workers ends it with the partial matrix and exit 3", async () => {
  const huge = join(dir, "huge.pin");
  writeFileSync(huge, hugeScenario());
  const child = spawn(
    process.execPath,
    [MAIN, "compare", "core", huge, "--policy", "linux", "--workers", "2", "--progress"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  // once `core` is done, the huge check is the one running
  await new Promise<void>((resolve) =>
    child.stderr.on("data", (d) => {
      err += d;
      if (/ 1\/2 /.test(err)) resolve();
    }),
  );
  child.kill("SIGINT");
  const limit = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const code = await exited;
  clearTimeout(limit);
  assert.equal(code, 3, `exit status (stderr: ${err.slice(-500)})`);
  assert.match(out, /^linux /m, "the matrix is printed");
  assert.match(out, /^core\s/m, "with the finished cell");
  assert.match(
    out,
    /huge\.pin.*\n\s+linux .*\[incomplete: interrupted\]/,
    "and the interrupted one",
  );
});
