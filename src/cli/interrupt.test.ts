/**
 * Ctrl-C during `compare` with workers stops every running check at once:
 * the matrix of what was found so far is printed, the interrupted cells
 * marked incomplete, exit 3. A check that is left running would take far
 * longer than the test's limit (its scenario has millions of states).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, it } from "node:test";
import { hugeScenario } from "../testing/huge.js";
import { interruptWhen } from "../testing/interrupt.js";

const dir = mkdtempSync(join(tmpdir(), "pinlab-interrupt-"));
after(() => rmSync(dir, { recursive: true, force: true }));

it("SIGINT to compare with workers ends it with the partial matrix and exit 3", async () => {
  const huge = join(dir, "huge.pin");
  writeFileSync(huge, hugeScenario());
  // once `core` is done, the huge check is the one running
  const { code, out, err } = await interruptWhen(
    ["compare", "core", huge, "--policy", "linux", "--workers", "2", "--progress"],
    / 1\/2 /,
  );
  assert.equal(code, 3, `exit status (stderr: ${err.slice(-500)})`);
  assert.match(out, /^linux /m, "the matrix is printed");
  assert.match(out, /^core\s/m, "with the finished cell");
  assert.match(
    out,
    /huge\.pin.*\n\s+linux .*\[incomplete: interrupted\]/,
    "and the interrupted one",
  );
});
