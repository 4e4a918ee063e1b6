/**
 * All I/O of the command line goes through a host object, so that commands can
 * be run in tests against strings instead of the real terminal and disk.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { terminalSafe } from "../util/terminal.js";

export interface Host {
  /** Text for stdout; on the real terminal, control characters are shown as `?` (util/terminal.ts). */
  out(text: string): void;
  /** Text for stderr, made safe as for `out`. */
  err(text: string): void;
  /** Redraws the one-line status (progress) on stderr in place; "" clears it. */
  status(line: string): void;
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
    // Every string that reaches the terminal passes here: user strings
    // (titles, names, paths, tokens) cannot send escape sequences.
    out: (t) => process.stdout.write(terminalSafe(t)),
    err: (t) => process.stderr.write(terminalSafe(t)),
    status: (line) => process.stderr.write(`\r${terminalSafe(line)}\x1b[K`),
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

/** The largest file read (scenarios, shards): far above any real one, far below the memory. */
export const MAX_READ_BYTES = 64 * 2 ** 20;

/**
 * Reads a regular file as UTF-8. Devices (`/dev/zero`), FIFOs and sockets
 * are refused, since their reads may never end; so is a file larger than
 * MAX_READ_BYTES. The file is opened without blocking (a FIFO would wait for
 * a writer) and checked on the open descriptor.
 */
export function readRegularFile(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error("it is a directory"), { code: "EISDIR" });
    if (!st.isFile()) throw new Error("it is not a regular file");
    if (st.size > MAX_READ_BYTES)
      throw new Error(`it is larger than ${MAX_READ_BYTES / 2 ** 20} MiB`);
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
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
    status(line: string) {
      h.stderr += `\r${line}`;
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
