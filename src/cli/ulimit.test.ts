/**
 * `check --workers 2` under `ulimit -v` (RLIMIT_AS) on a scenario too large
 * for it ends as "incomplete max-memory", exit 3, with the partial
 * statistics, instead of dying in an allocation. V8 reserves far more
 * address space than it touches, so the bound must come from RLIMIT_AS, not
 * from the resident set (engine/explore/budget.ts addressSpaceLimit).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, it } from "node:test";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("./main.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "pinlab-ulimit-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Five servers pinning three pages each while the owner truncates: millions of states unreduced. */
function bigScenario(): string {
  const l = ['scenario "big"', "fs dax blocks=5", "user alice", "file data owner=alice pages=3"];
  for (let i = 1; i <= 5; i++) {
    l.push(`proc s${i} user=alice on_lease_break=cancel {`);
    l.push("  fd = open data rw", "  va = mmap fd pages=0..2 shared rw");
    l.push("  mr = reg_mr va access=local_write,remote_write", `  send c${i} mr`, "}");
    l.push(`remote c${i} {`, "  mr = recv", "  rdma_write mr page=0", "  rdma_write mr page=1");
    l.push("  rdma_write mr page=2", "}");
  }
  l.push("proc admin user=alice { truncate data pages=0 }");
  return `${l.join("\n")}\n`;
}

const linux = process.platform === "linux" && existsSync("/proc/self/limits");

it("check --workers 2 under ulimit -v ends incomplete max-memory with exit 3", {
  skip: !linux,
}, () => {
  const file = join(dir, "big.pin");
  writeFileSync(file, bigScenario());
  const cmd = `ulimit -v 3000000 && exec "${process.execPath}" "${MAIN}" check "${file}" --policy revoke --workers 2 --no-reduce`;
  const r = spawnSync("bash", ["-c", cmd], { encoding: "utf8", timeout: 240_000 });
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr.slice(-500)}`);
  assert.equal(r.status, 3, `exit ${r.status}\n${r.stdout.slice(-800)}\n${r.stderr.slice(-800)}`);
  assert.match(r.stdout, /INCOMPLETE max-memory/);
  assert.match(r.stdout, /statistics states [\d,]+ {2}transitions [\d,]+/);
  assert.doesNotMatch(r.stdout + r.stderr, /allocation failed|pinlab bug|at .*\.js:\d+/);
});
