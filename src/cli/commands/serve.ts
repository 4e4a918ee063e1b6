/**
 * `pinlab serve [--port N]`: the playground (built by `npm run build` into
 * dist/playground/) on localhost, with its Content-Security-Policy as a
 * header too. A static server of one folder: GET and HEAD of regular files
 * inside it, nothing else.
 */
import { readFileSync, realpathSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { opt, parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { EXIT_BAD_INPUT, EXIT_OK, type Host } from "../host.js";

/** Where `npm run build` puts the playground (vite.config.mjs). */
export const PLAYGROUND_DIR = fileURLToPath(new URL("../../playground/", import.meta.url));

/**
 * The page's policy, as its `<meta>` says (src/web/app/index.html), and
 * what only a header can say: no framing.
 */
export const PLAYGROUND_CSP = [
  "default-src 'none'",
  // 'wasm-unsafe-eval' lets the engine compile the fingerprint's WebAssembly
  // (src/model/xxh64.ts, bytes assembled in the page's own script); it allows
  // no eval of JavaScript
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "worker-src 'self'",
  "connect-src 'none'",
  "img-src 'none'",
  "font-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
};

const USAGE = `pinlab serve [--port N] [--host ADDRESS]

Serves the playground (an editor for scenarios that runs check, run and
compare in the browser) on this machine and prints its URL; Ctrl-C stops it.
The page needs nothing else once loaded: scenarios and results never leave
the browser. The playground is built by npm run build (dist/playground/); any
static web host can serve that folder as well.

  --port N          the TCP port (default 8737; 0: any free port)
  --host ADDRESS    the address to listen on (default 127.0.0.1)

Exit status: 0 stopped, 2 bad input or a port that cannot be used.`;

export const serveCommand: Command = {
  name: "serve",
  summary: "serve the playground (the browser editor and checker) on localhost",
  usage: USAGE,
  async run(argv, host) {
    const parsed = parseArgs(argv, [
      { name: "port", value: true },
      { name: "host", value: true },
    ]);
    if (!parsed.ok) return bad(host, parsed.error);
    if (parsed.args.positionals.length > 0)
      return bad(host, `serve takes no arguments (got '${parsed.args.positionals[0]}')`);
    const portText = opt(parsed.args, "port") ?? "8737";
    if (!/^\d+$/.test(portText) || Number(portText) > 65535)
      return bad(host, `--port expects a port number from 0 to 65535 (got '${portText}')`);
    const address = opt(parsed.args, "host") ?? "127.0.0.1";
    const served = await servePlayground(PLAYGROUND_DIR, Number(portText), address).catch(
      (e: Error) => e,
    );
    if (served instanceof Error) return bad(host, served.message);
    host.out(`pinlab playground: ${served.url}\n`);
    await new Promise<void>((resolve) => {
      const stop = host.onInterrupt?.(() => {
        stop?.();
        void served.close().then(resolve);
      });
      if (!stop) resolve();
    });
    return EXIT_OK;
  },
};

/** The running server: its URL, and how to stop it. */
export interface Served {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** Serves `dir` on `address:port`; fails with a message a user can act on. */
export function servePlayground(dir: string, port: number, address = "127.0.0.1"): Promise<Served> {
  let root: string;
  try {
    root = realpathSync(dir);
    statSync(join(root, "index.html"));
  } catch {
    return Promise.reject(
      new Error(`the playground is not built (no ${join(dir, "index.html")}): run npm run build`),
    );
  }
  const server = createServer((req, res) => answer(root, req, res));
  return new Promise((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === "EADDRINUSE"
            ? `port ${port} is in use: give another with --port N (0: any free port)`
            : `cannot listen on ${address}:${port}: ${e.message}`,
        ),
      ),
    );
    server.listen(port, address, () => {
      const a = server.address() as AddressInfo;
      const h = a.family === "IPv6" ? `[${a.address}]` : a.address;
      resolve({
        url: `http://${h}:${a.port}/`,
        server,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

function answer(root: string, req: IncomingMessage, res: ServerResponse): void {
  res.setHeader("Content-Security-Policy", PLAYGROUND_CSP);
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { Allow: "GET, HEAD" }).end();
    return;
  }
  let path: string;
  try {
    path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
  } catch {
    res.writeHead(400).end();
    return;
  }
  if (path.endsWith("/")) path += "index.html";
  const file = inside(root, path);
  if (!file) {
    res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("not found\n");
    return;
  }
  const body = readFileSync(file);
  res.writeHead(200, {
    "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
    "Content-Length": body.length,
    "Cache-Control": "no-cache",
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** The regular file at `path` if it is inside root (after links are resolved), else null. */
function inside(root: string, path: string): string | null {
  if (path.includes("\0")) return null;
  try {
    const real = realpathSync(join(root, path));
    if (!real.startsWith(root + sep) || !statSync(real).isFile()) return null;
    return real;
  } catch {
    return null;
  }
}

function bad(host: Host, message: string): number {
  host.err(`pinlab serve: ${message}\n`);
  return EXIT_BAD_INPUT;
}
