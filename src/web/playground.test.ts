/**
 * The playground's parts that run in Node too: share links, the session
 * (lint, check, run of a text, as the command line does them) and `pinlab
 * serve`'s static server. The page itself is tested in Chromium
 * (playground-browser.test.ts).
 */
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { PLAYGROUND_CSP, PLAYGROUND_DIR, servePlayground } from "../cli/commands/serve.js";
import { memoryHost } from "../cli/host.js";
import { main } from "../cli/main.js";
import { aggregate } from "../engine/matrix/aggregate.js";
import { checkPin, lintPin, runPin } from "./session.js";
import { decodeShare, encodeShare, MAX_SHARED_BYTES } from "./share.js";

const core = readFileSync(new URL("../../scenarios/core.pin", import.meta.url), "utf8");

test("a share link carries the scenario, its policies and a cell, and nothing else", () => {
  const hostile = `scenario "<img src=x onerror=alert(1)>"\n# é ☃ \u0000 &amp;\n${core}`;
  const shared = {
    text: hostile,
    policies: ["unsafe", "revoke"],
    params: ["escalation=invalidate"],
    cell: { policy: "unsafe", property: "foreign-dma" },
  };
  const hash = encodeShare(shared);
  assert.match(
    hash,
    /^#pin=[A-Za-z0-9_-]+&policy=unsafe%2Crevoke&param=escalation%3Dinvalidate&cell=unsafe%2Fforeign-dma$/,
  );
  assert.ok(hash.length < core.length, "compressed");
  assert.deepEqual(decodeShare(hash), shared);
  assert.deepEqual(decodeShare(encodeShare({ text: "", policies: [], cell: null })), {
    text: "",
    policies: [],
    params: [],
    cell: null,
  });
  assert.equal(decodeShare("#cell=unsafe/foreign-dma"), null, "no scenario: not a share link");
  assert.match((decodeShare("#pin=a*b") as { error: string }).error, /damaged/);
  assert.match((decodeShare("#pin=AAAA") as { error: string }).error, /damaged/);
  // a link that inflates past the command line's file bound is refused, not inflated
  const big = encodeShare({ text: "x".repeat(MAX_SHARED_BYTES + 10), policies: [], cell: null });
  assert.match((decodeShare(big) as { error: string }).error, /larger than 512 KiB/);
});

test("the session lints as pinlab lint does: the typo's line, code and hint", async () => {
  const typo = core.replace("{ truncate data pages=0 }", "{ truncat data pages=0 }");
  const ds = lintPin(typo);
  const line = core.split("\n").findIndex((l) => l.startsWith("proc admin ")) + 1;
  assert.deepEqual(
    ds.map((d) => [d.code, d.line, d.hint]),
    [["PIN102", line, "did you mean `truncate`?"]],
  );
  const h = memoryHost({ "/typo.pin": typo });
  assert.equal(await main(["lint", "/typo.pin"], h), 2);
  assert.match(h.stdout, new RegExp(`/typo.pin:${line}:${ds[0]!.col}: error PIN102`));
  assert.deepEqual(lintPin(core), []);
});

test("the session's check of a text is pinlab check's: verdicts, witness, replay token", async () => {
  const r = await checkPin({ text: core, policies: ["unsafe"], version: "test" });
  assert.ok(r.ok);
  assert.equal(r.incomplete, false);
  const agg = aggregate(r.doc.cells, "unsafe", "foreign-dma");
  assert.equal(agg.verdict, "Sometimes");
  const v = r.doc.cells[0]!.verdicts.find((x) => x.name === "foreign-dma")!;
  assert.ok(v.steps && v.steps.length === v.witnessLength, "the witness drawn step by step");
  // the command line checks the same file to the same verdicts and witness
  const h = memoryHost({ "/playground.pin": core });
  await main(["check", "/playground.pin", "--policy", "unsafe", "--json"], h);
  const cli = JSON.parse(h.stdout) as {
    properties: { name: string; verdict: string; witnessLength: number | null }[];
  };
  const cell = r.doc.cells[0]!;
  assert.ok(cli.properties.length > 5);
  for (const c of cli.properties) {
    const mine = cell.verdicts.find((x) => x.name === c.name);
    assert.deepEqual([mine?.verdict, mine?.witnessLength], [c.verdict, c.witnessLength], c.name);
  }
  // the witness's replay token carries the text: `pinlab replay` judges it anywhere
  const replay = memoryHost();
  assert.equal(await main(["replay", v.token!], replay), 0, replay.stderr);
  assert.match(replay.stdout, /foreign-dma/);

  const bad = await checkPin({ text: 'scenario "x"\nbogus\n', policies: ["unsafe"], version: "t" });
  assert.ok(!bad.ok && bad.diagnostics.length > 0);
  const nope = await checkPin({ text: core, policies: ["nosuch"], version: "t" });
  // parameters reach the policy, as --param does
  const inv = await checkPin({
    text: core,
    policies: ["revoke"],
    params: ["escalation=invalidate"],
    version: "t",
  });
  assert.ok(inv.ok);
  assert.equal(inv.doc.cells[0]!.params.escalation, "invalidate");
  const badParam = await checkPin({
    text: core,
    policies: ["revoke"],
    params: ["escalation=maybe"],
    version: "t",
  });
  assert.ok(!badParam.ok && /escalation/.test(badParam.error), JSON.stringify(badParam));
  assert.ok(!nope.ok && /unknown policy 'nosuch'/.test(nope.error));
});

test("the session's check stops on its signal with what it found, marked interrupted", async () => {
  const c = new AbortController();
  c.abort();
  const r = await checkPin(
    { text: core, policies: ["unsafe", "linux"], version: "t" },
    { signal: c.signal },
  );
  assert.ok(r.ok);
  assert.equal(r.interrupted, true);
  assert.equal(r.incomplete, true);
});

test("the session's run is pinlab run's trace", async () => {
  const r = runPin({ text: core, policy: "unsafe", seed: 0 });
  assert.ok(r.ok);
  const h = memoryHost({ "/playground.pin": core });
  await main(["run", "/playground.pin", "--policy", "unsafe"], h);
  // the same steps (the header names the file differently)
  const steps = (t: string) => t.split("\n").filter((l) => /^\s*\d+\s/.test(l));
  assert.deepEqual(steps(r.trace), steps(h.stdout));
  assert.ok(steps(r.trace).length > 3);
});

function get(
  url: string,
  method = "GET",
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let body = "";
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("pinlab serve serves its folder's regular files, with the CSP, and nothing outside", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pinlab-serve-"));
  const site = join(dir, "site");
  mkdirSync(join(site, "assets"), { recursive: true });
  writeFileSync(join(site, "index.html"), "<!doctype html><p>hi</p>");
  writeFileSync(join(site, "assets", "a.js"), "export {};");
  writeFileSync(join(dir, "secret.txt"), "secret");
  symlinkSync(join(dir, "secret.txt"), join(site, "link.txt"));
  const s = await servePlayground(site, 0);
  try {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await get(s.url);
    assert.equal(index.status, 200);
    assert.equal(index.body, "<!doctype html><p>hi</p>");
    assert.equal(index.headers["content-security-policy"], PLAYGROUND_CSP);
    assert.match(String(index.headers["content-type"]), /^text\/html/);
    assert.equal(index.headers["x-content-type-options"], "nosniff");
    const js = await get(`${s.url}assets/a.js`);
    assert.match(String(js.headers["content-type"]), /^text\/javascript/);
    for (const path of ["../secret.txt", "%2e%2e/secret.txt", "link.txt", "assets", "nope"])
      assert.equal((await get(s.url + path)).status, 404, path);
    assert.equal((await get(s.url, "POST")).status, 405);
    assert.equal((await get(s.url, "HEAD")).body, "");
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
  // an unbuilt playground and a bad port are said plainly
  await assert.rejects(servePlayground(join(dir, "none"), 0), /not built.*npm run build/);
  const h = memoryHost();
  assert.equal(await main(["serve", "--port", "99999"], h), 2);
  assert.match(h.stderr, /--port expects a port number/);
});

test("the built page: its CSP is the server's, and it has no inline script or style", () => {
  const index = join(PLAYGROUND_DIR, "index.html");
  assert.ok(existsSync(index), `the playground is not built (${index}): run npm run build`);
  const html = readFileSync(index, "utf8");
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(meta, "the page carries its policy");
  // frame-ancestors is ignored in a <meta>: only the header says it
  assert.equal(meta[1], PLAYGROUND_CSP.replace("; frame-ancestors 'none'", ""));
  // 'wasm-unsafe-eval' (WebAssembly only: the fingerprint) is the one exception
  assert.doesNotMatch(meta[1]!, /unsafe-inline|(?<!wasm-)unsafe-eval|https?:|\*/);
  for (const script of html.match(/<script\b[^>]*>/g) ?? [])
    assert.match(script, /\bsrc="\.\/assets\/[^"]+\.js"/, `only the page's own files: ${script}`);
  assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i);
});
