/**
 * All I/O of the command line goes through a host object, so that commands can
 * be run in tests against strings instead of the real terminal and disk.
 */
import { readFileSync, writeFileSync } from "node:fs";

export interface Host {
  out(text: string): void;
  err(text: string): void;
  readFile(path: string): string;
  writeFile(path: string, text: string): void;
  now(): number;
  /** Calls `f` on Ctrl-C (SIGINT) until the returned function is called. */
  onInterrupt?(f: () => void): () => void;
  /** Whether stderr is a terminal (progress lines are drawn only then, or with --progress). */
  readonly tty: boolean;
  readonly cwd: string;
}

export function nodeHost(): Host {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    readFile: (p) => readFileSync(p, "utf8"),
    writeFile: (p, t) => writeFileSync(p, t),
    now: () => performance.now(),
    onInterrupt(f) {
      const handler = () => {
        process.stderr.write(
          "\ninterrupted: finishing with what was found so far (Ctrl-C again to quit)\n",
        );
        process.removeListener("SIGINT", handler);
        f();
      };
      process.on("SIGINT", handler);
      return () => process.removeListener("SIGINT", handler);
    },
    tty: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
  };
}

/** A host that records output, for tests. */
export function memoryHost(files: Record<string, string> = {}): Host & {
  stdout: string;
  stderr: string;
  files: Record<string, string>;
} {
  const h = {
    stdout: "",
    stderr: "",
    files: { ...files },
    out(t: string) {
      h.stdout += t;
    },
    err(t: string) {
      h.stderr += t;
    },
    readFile(p: string): string {
      // Files given to the host first; anything else (the bundled library) from disk.
      return h.files[p] ?? readFileSync(p, "utf8");
    },
    writeFile(p: string, t: string) {
      h.files[p] = t;
    },
    now: () => 0,
    tty: false,
    cwd: process.cwd(),
  };
  return h;
}

/** Exit statuses (DESIGN.md): 0 every expectation met, 1 one failed, 2 bad input, 3 incomplete. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_INCOMPLETE = 3;
