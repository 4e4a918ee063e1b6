/**
 * All I/O of the command line goes through a host object, so that commands can
 * be run in tests against strings instead of the real terminal and disk.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, writeFileSync } from "node:fs";

/**
 * Reads a file only if it is a regular file: a FIFO, a device (/dev/zero) or
 * a directory is refused (error code ENOTREG) before a byte is read. Opened
 * non-blocking, so that opening a FIFO with no writer cannot hang, and
 * checked on the open descriptor, so that nothing can swap the file between
 * the check and the read.
 */
export function readRegularFile(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile())
      throw Object.assign(new Error(`${path} is not a regular file`), { code: "ENOTREG" });
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

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
    readFile: (p) => readRegularFile(p),
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
      return h.files[p] ?? readRegularFile(p);
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
