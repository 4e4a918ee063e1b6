/**
 * Replay tokens as a stranger uses them: a token printed by check replays from
 * another directory with check's verdict; an edited scenario is refused; a
 * token never makes replay read a file it names.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { crc32, decodeToken, encodeToken } from "../engine/explore/token.js";
import { memoryHost } from "./host.js";
import { main } from "./main.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(ROOT, "dist/cli/main.js");
const tmp = mkdtempSync(join(tmpdir(), "pinlab-replay-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function pinlab(argv: string[], files: Record<string, string> = {}) {
  const h = memoryHost(files);
  const code = await main(argv, h);
  return { code, out: h.stdout, err: h.stderr };
}

/** The command line in a real process, run from `cwd`. */
function spawn(argv: string[], cwd: string, cli = CLI) {
  const r = spawnSync(process.execPath, [cli, ...argv], { cwd, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

/** Each witness of a check report: its property, check's verdict text, and its token. */
function witnesses(out: string): { name: string; verdict: string; token: string }[] {
  const found: { name: string; verdict: string; token: string }[] = [];
  // one section per policy
  for (const part of out.split(/^─+$/m)) {
    const verdicts = new Map<string, string>();
    for (const m of part.matchAll(/^ {2}(\S.*?)\s{2,}((?:\S )?Sometimes .*)$/gm))
      verdicts.set(m[1]!, m[2]!);
    const blocks = /^(\S.*?): (?:witness|example).*\n(?:.*\n)*?\s+replay: pinlab replay (\S+)$/gm;
    for (const m of part.matchAll(blocks))
      found.push({ name: m[1]!, verdict: verdicts.get(m[1]!)!, token: m[2]! });
  }
  return found;
}

const lineOf = (out: string, prefix: string) => out.split("\n").find((l) => l.startsWith(prefix));

describe("pinlab replay", () => {
  it("judges the hung-holder truncate hang under wait as check did: a dead end, not 'held'", async () => {
    const c = await pinlab(["check", "hung-holder", "--policy", "wait"]);
    assert.equal(c.code, 0);
    const w = witnesses(c.out).find((x) => x.name === "truncate-hang");
    assert.ok(w, c.out);
    assert.match(w.verdict, /^(\S )?Sometimes\s+dead end after \d+ steps$/);
    const r = await pinlab(["replay", w.token]);
    assert.equal(r.code, 0, r.err);
    assert.equal(lineOf(r.out, "verdict"), `verdict   truncate-hang  ${w.verdict}`);
    // wrapped by a mail client into pieces, it is the same token
    const pieces = [w.token.slice(0, 30), `${w.token.slice(30, 60)}\n`, w.token.slice(60)];
    assert.equal((await pinlab(["replay", ...pieces])).out, r.out);
    assert.match(r.out, /^ {2}truncate-hang\s+\S.* at the end: admin's truncate never returns/m);
    assert.doesNotMatch(r.out, /truncate-hang\s+did not happen/);
  });

  it("prints check's verdict for every witness of several scenarios under every policy", async () => {
    let n = 0;
    let results = 0;
    for (const sc of ["hung-holder", "core", "ignored-sigio"]) {
      const c = await pinlab(["check", sc, "--policy", "all", "--all-witnesses"]);
      for (const w of witnesses(c.out)) {
        const r = await pinlab(["replay", w.token]);
        assert.equal(r.code, 0, `${sc} ${w.name}: ${r.err}`);
        assert.equal(lineOf(r.out, "verdict"), `verdict   ${w.name}  ${w.verdict}`, sc);
        n++;
        if (w.name.includes(" returns ")) results++;
      }
    }
    assert.ok(n > 20, `${n} witnesses`);
    assert.ok(results > 0, "result expectations replay too");
  });

  it("a token printed in one directory replays in another, for a bundled scenario and a user's file", async () => {
    const a = join(tmp, "a");
    const b = join(tmp, "b");
    mkdirSync(a);
    mkdirSync(b);
    const c = spawn(["check", "hung-holder", "--policy", "wait"], a);
    const w = witnesses(c.out).find((x) => x.name === "truncate-hang")!;
    const r = spawn(["replay", w.token], b);
    assert.equal(r.code, 0, r.err);
    assert.equal(lineOf(r.out, "verdict"), `verdict   truncate-hang  ${w.verdict}`);
    // a user's .pin file: the token carries its text, so it replays where the file is not
    const mine = join(a, "mine.pin");
    const m = await pinlab(["check", mine, "--policy", "unsafe"], {
      [mine]: readFileSync(join(ROOT, "scenarios/core.pin"), "utf8"),
    });
    const mw = witnesses(m.out).find((x) => x.name === "foreign-dma")!;
    assert.ok(mw.token.length < 2000, "one pasteable line");
    const mr = spawn(["replay", mw.token], b);
    assert.equal(mr.code, 0, mr.err);
    assert.equal(lineOf(mr.out, "verdict"), `verdict   foreign-dma  ${mw.verdict}`);
    assert.match(mr.out, /scenario carried in the token/);
  });

  it("after a one-character edit of the scenario, replay exits 2 and says it changed", async () => {
    // a copy of the package whose bundled hung-holder.pin differs in one character
    const pkg = join(tmp, "pkg");
    cpSync(join(ROOT, "dist"), join(pkg, "dist"), { recursive: true });
    cpSync(join(ROOT, "scenarios"), join(pkg, "scenarios"), { recursive: true });
    cpSync(join(ROOT, "package.json"), join(pkg, "package.json"));
    symlinkSync(join(ROOT, "node_modules"), join(pkg, "node_modules"));
    const cli = join(pkg, "dist/cli/main.js");
    // the same package, so the same token as its own check prints
    const c = await pinlab(["check", "hung-holder", "--policy", "wait"]);
    const w = witnesses(c.out).find((x) => x.name === "truncate-hang")!;
    const file = join(pkg, "scenarios/hung-holder.pin");
    const original = readFileSync(file, "utf8");
    writeFileSync(join(tmp, "original.pin"), original);
    writeFileSync(file, original.replace("pages=0", "pages=1"));
    const r = spawn(["replay", w.token], tmp, cli);
    assert.equal(r.code, 2);
    assert.match(r.err, /the scenario changed since the token was made/);
    assert.doesNotMatch(r.out, /verdict/);
    // the original, given explicitly, still replays; an edited file given explicitly does not
    assert.equal(spawn(["replay", w.token, "--scenario", "original.pin"], tmp, cli).code, 0);
    const e = spawn(["replay", w.token, "--scenario", file], tmp, cli);
    assert.equal(e.code, 2);
    assert.match(e.err, /the scenario changed since the token was made/);
  });

  it("refuses a token whose steps no longer show its claim, or cannot happen, with exit 2", async () => {
    const c = await pinlab(["check", "hung-holder", "--policy", "wait"]);
    const w = witnesses(c.out).find((x) => x.name === "truncate-hang")!;
    const t = decodeToken(w.token);
    assert.ok(!("error" in t));
    const variants = [
      { ...t, claim: { what: "foreign-dma", loop: null } },
      { ...t, claim: { what: "truncate-hang", loop: 2 } },
      { ...t, actions: t.actions.slice(0, -1) },
      { ...t, actions: [...t.actions].reverse() },
      { ...t, claim: { what: "no-such-property", loop: null } },
    ];
    for (const v of variants) {
      const r = await pinlab(["replay", encodeToken(v)]);
      assert.equal(r.code, 2, JSON.stringify(v.claim));
      assert.match(r.err, /^pinlab replay: .*(no longer show|cannot happen|not judged)/);
      assert.equal(r.out, "");
    }
  });

  it("re-judges the run without an 'always' property as check did", async () => {
    const text = `${readFileSync(join(ROOT, "scenarios/core.pin"), "utf8")}\n# no run escapes the foreign DMA under unsafe (false: some runs truncate first)\nexpect always foreign-dma under unsafe\n`;
    const c = await pinlab(["check", "/always.pin", "--policy", "unsafe"], { "/always.pin": text });
    assert.equal(c.code, 1);
    const m =
      /^always foreign-dma under unsafe: a run without it\n(?:.*\n)*?\s+replay: pinlab replay (\S+)$/m.exec(
        c.out,
      );
    assert.ok(m, c.out);
    const detail = /FAIL {2}always foreign-dma under unsafe {2}\((.*)\)/.exec(c.out)![1];
    const r = await pinlab(["replay", m[1]!]);
    assert.equal(r.code, 0, r.err);
    assert.equal(
      lineOf(r.out, "verdict"),
      `verdict   FAIL  always foreign-dma under unsafe  (${detail})`,
    );
  });

  it("the README's example token replays as the tour says", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const token = /^\.\/pinlab replay (pl\S+)/m.exec(readme)?.[1];
    assert.ok(token, "the README shows a replay");
    const r = await pinlab(["replay", token]);
    assert.equal(
      r.code,
      0,
      `README's token no longer replays (${r.err.trim()}): paste the first token of './pinlab check core --policy unsafe'`,
    );
  });

  it("refuses a version-1 token with exit 2 and a reason", async () => {
    const r = await pinlab(["replay", "pl1.C2h1bmctaG9sZGVyBHdhaXQACAAAAAACgIBIgIBIgIAYA-rulg"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /version-1 token, from an older pinlab.*run 'pinlab check' again/is);
  });
});

/** A version-1 token (scenario named by a string, which old pinlab read as a path). */
function v1(scenario: string): string {
  const bytes: number[] = [];
  const str = (s: string) => {
    const u = new TextEncoder().encode(s);
    bytes.push(u.length, ...u);
  };
  str(scenario);
  str("wait");
  bytes.push(0, 0);
  const c = crc32(Uint8Array.from(bytes));
  bytes.push(c >>> 24, (c >>> 16) & 0xff, (c >>> 8) & 0xff, c & 0xff);
  return `pl1.${Buffer.from(bytes).toString("base64url")}`;
}

/** A current token that names a "bundled scenario" by a path. */
function named(name: string): string {
  return encodeToken({
    scenario: { kind: "bundled", name, hash: "0123456789abcdef" },
    policy: "wait",
    params: {},
    claim: { what: "truncate-hang", loop: null },
    actions: [],
  });
}

describe("a replay token never chooses a file to read", () => {
  it("quotes what a token holds without its control characters", async () => {
    const r = await pinlab(["replay", named("\x1b]0;owned\x07\x1b[2J")]);
    assert.equal(r.code, 2);
    assert.ok(!r.err.includes("\x1b") && !r.err.includes("\x07"), r.err);
    assert.match(r.err, /\\x1b\]0;owned/);
  });

  const fifo = join(tmp, "fifo");
  spawnSync("mkfifo", [fifo]);
  const paths = ["/etc/passwd", "../../../../etc/hosts", "/proc/self/environ", "/dev/zero", fifo];

  it("reads no file a token names, and prints none of its contents", async () => {
    for (const p of paths)
      for (const token of [v1(p), named(p), named(`${p}.pin`), v1(`${p}.pin`)]) {
        const h = memoryHost();
        const read: string[] = [];
        const readFile = h.readFile;
        h.readFile = (f) => {
          read.push(f);
          return readFile(f);
        };
        const code = await main(["replay", token], h);
        assert.equal(code, 2, `${p}: ${h.stderr}`);
        assert.deepEqual(read, [], `${p}: read ${read.join(", ")}`);
        assert.doesNotMatch(h.stderr, /root:|PATH=|localhost/);
      }
  });

  it("a real process neither hangs nor reads on a FIFO named by a token or passed with --scenario", () => {
    const r = spawn(["replay", v1(fifo)], tmp);
    assert.equal(r.signal, null, "timed out");
    assert.equal(r.code, 2, r.err);
    const s = spawn(["replay", named("hung-holder"), "--scenario", fifo], tmp);
    assert.equal(s.signal, null, "timed out");
    assert.equal(s.code, 2, s.err);
    assert.match(s.err, /not a regular file/);
  });

  it("--scenario reads only a regular file", async () => {
    for (const p of ["/dev/zero", fifo, "/etc"]) {
      const r = await pinlab(["replay", named("hung-holder"), "--scenario", p]);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, /not a regular file|a directory/);
    }
  });
});
