/**
 * How long Ctrl-C takes to end a running `compare` with workers: SIGINT is
 * sent while a check of millions of states runs in a worker, and the time to
 * the process's exit (the partial matrix printed, exit 3) is measured.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hugeScenario } from "../testing/huge.js";

const MAIN = fileURLToPath(new URL("../cli/main.js", import.meta.url));

/** One run: milliseconds from SIGINT to exit, and the exit status. */
function once(file: string, now: () => number): Promise<{ ms: number; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [MAIN, "compare", "core", file, "--policy", "linux", "--workers", "2", "--progress"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let sent = 0;
    child.stderr.on("data", (d: Buffer) => {
      // `core` is done: the huge check is the one running, in a worker
      if (sent === 0 && / 1\/2 /.test(String(d))) {
        sent = now();
        child.kill("SIGINT");
      }
    });
    child.on("exit", (code) => resolve({ ms: now() - sent, code }));
  });
}

export async function runInterruptBench(
  print: (line: string) => void,
  clock: { now: () => number },
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "pinlab-bench-"));
  try {
    const file = join(dir, "huge.pin");
    writeFileSync(file, hugeScenario());
    const ms: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await once(file, clock.now);
      if (r.code !== 3) {
        print(`interrupt: compare exited ${r.code}, not 3 (incomplete)`);
        return;
      }
      ms.push(r.ms);
    }
    ms.sort((a, b) => a - b);
    const f = (x: number) => `${Math.round(x)} ms`;
    print(
      `interrupt: SIGINT to a compare --workers 2 mid-check, to its exit 3: min ${f(ms[0]!)}, median ${f(ms[1]!)}, max ${f(ms[2]!)} (target: under 1 s)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
