/**
 * Runs the command line as a child process, sends it SIGINT once its stderr
 * shows `ready` (a check or simulation is running), and returns what it
 * printed and its exit status. A child that ignores the signal is killed
 * after a minute, and the status is then null.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../cli/main.js", import.meta.url));

export async function interruptWhen(
  args: readonly string[],
  ready: RegExp,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  await new Promise<void>((resolve) =>
    child.stderr.on("data", (d) => {
      err += d;
      if (ready.test(err)) resolve();
    }),
  );
  child.kill("SIGINT");
  const limit = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const code = await exited;
  clearTimeout(limit);
  return { code, out, err };
}
