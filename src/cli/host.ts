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
      const f = h.files[p];
      if (f === undefined) {
        const e = new Error(`ENOENT: no such file or directory, open '${p}'`) as Error & {
          code: string;
        };
        e.code = "ENOENT";
        throw e;
      }
      return f;
    },
    writeFile(p: string, t: string) {
      h.files[p] = t;
    },
    now: () => 0,
    tty: false,
    cwd: "/",
  };
  return h;
}

/** Exit statuses (DESIGN.md): 0 every expectation met, 1 one failed, 2 bad input, 3 incomplete. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_INCOMPLETE = 3;
