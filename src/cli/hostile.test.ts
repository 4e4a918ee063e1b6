/**
 * Hostile input at the command line: strings that are Object.prototype keys,
 * escape sequences meant for the terminal, files that are not files, and
 * empty option values. Each is bad input or plain text, never a crash.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { encodeToken } from "../engine/explore/token.js";
import { terminalSafe } from "../util/terminal.js";
import { memoryHost } from "./host.js";
import { main } from "./main.js";
import { LIBRARY_DIR } from "./scenarios.js";

const MAIN = fileURLToPath(new URL("./main.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "pinlab-hostile-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function pinlab(...argv: string[]) {
  const h = memoryHost();
  const code = await main(argv, h);
  return { code, out: h.stdout, err: h.stderr };
}

/** The real command line in a child process (the real host, the real terminal streams). */
function spawn(argv: readonly string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...argv], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, signal: r.signal };
}

const noTrace = (err: string) => !/internal error|\n\s+at /.test(err);

describe("names that are Object.prototype keys", () => {
  const names = ["constructor", "toString", "hasOwnProperty", "__proto__", "valueOf"];

  it("as a scenario name: unknown scenario, exit 2", async () => {
    for (const n of names)
      for (const argv of [
        ["check", n, "--policy", "linux"],
        ["run", n, "--policy", "linux"],
        ["compare", n],
      ]) {
        const r = await pinlab(...argv);
        assert.equal(r.code, 2, argv.join(" "));
        assert.match(r.err, /unknown scenario/, argv.join(" "));
      }
  });

  it("as the scenario a replay token names: unknown scenario, exit 2", async () => {
    for (const n of names) {
      const token = encodeToken({
        scenario: { kind: "bundled", name: n, hash: "0123456789abcdef" },
        policy: "linux",
        params: {},
        claim: { what: "foreign-dma", loop: null },
        actions: [0],
      });
      const r = await pinlab("replay", token);
      assert.equal(r.code, 2, n);
      assert.ok(noTrace(r.err), r.err);
    }
  });

  it("as a statement or an operation: a diagnostic", async () => {
    for (const n of names) {
      const file = join(dir, `word-${n}.pin`);
      writeFileSync(file, `${n} x\nuser alice\nproc p user=alice { ${n} y }\n`);
      const r = await pinlab("lint", file);
      assert.equal(r.code, 2, n);
      assert.match(r.out, /PIN101/, n);
      assert.match(r.out, /PIN102/, n);
    }
  });

  it("as the names of users, files, processes and remotes: a plain scenario", async () => {
    const file = join(dir, "names.pin");
    writeFileSync(
      file,
      `scenario "names"
fs dax blocks=4
user constructor
file __proto__ owner=constructor pages=1
proc toString user=constructor { f = open __proto__ rw; v = mmap f pages=0..0 shared rw; m = reg_mr v access=local_write,remote_write; send valueOf m; await valueOf }
remote valueOf { m = recv; rdma_write m page=0 }
expect toString.open returns ok
`,
    );
    for (const argv of [
      ["check", file, "--policy", "all"],
      ["run", file, "--policy", "all"],
    ]) {
      const r = await pinlab(...argv);
      assert.equal(r.code, 0, `${argv.join(" ")}: ${r.err}`);
    }
  });

  it("as a policy parameter: no policy has it, exit 2", async () => {
    for (const n of names) {
      const r = await pinlab("run", "core", "--policy", "revoke", "--param", `${n}=x`);
      assert.equal(r.code, 2, n);
      assert.match(r.err, new RegExp(`no selected policy has a parameter '${n}'`));
    }
  });
});

describe("terminal escape sequences in user strings", () => {
  const title = "\x1b]0;owned\x07 evil \x1b[2J\x1b[1;31m\r\u202e";
  const file = join(dir, "escape.pin");
  const core = readFileSync(join(LIBRARY_DIR, "core.pin"), "utf8");
  writeFileSync(file, core.replace(/^scenario "[^"]*"/m, `scenario "${title}"`));

  it("the sanitiser keeps text, newlines and tabs and shows each control character as ?", () => {
    assert.equal(terminalSafe("a\tb\nc → ─ é"), "a\tb\nc → ─ é");
    assert.equal(terminalSafe(title), "?]0;owned? evil ?[2J?[1;31m??");
  });

  it("never reach the terminal raw from check, run, replay or compare", () => {
    const check = spawn(["check", file, "--policy", "unsafe"]);
    const token = /replay: pinlab (replay \S+.*)$/m.exec(check.out)?.[1];
    assert.ok(token, "check prints a replay command");
    const runs = [
      check,
      spawn(["run", file, "--policy", "unsafe"]),
      spawn(token.split(" ")),
      spawn(["compare", file, "--policy", "unsafe,linux"]),
    ];
    for (const r of runs) {
      assert.ok(noTrace(r.err), r.err);
      assert.ok(r.out.includes("evil"), "the title is printed");
      assert.equal(terminalSafe(r.out + r.err), r.out + r.err, "no control character");
    }
  });
});

describe("input that lints clean", () => {
  it("a process with an empty program: check, run and compare finish", async () => {
    const file = join(dir, "empty.pin");
    writeFileSync(
      file,
      'scenario "empty"\nfs dax blocks=2\nuser alice\nfile data owner=alice pages=1\nproc p user=alice {}\nremote r {}\nproc q user=alice { f = open data r }\nexpect q.open returns ok\n',
    );
    assert.equal((await pinlab("lint", file)).code, 0);
    for (const argv of [
      ["check", file, "--policy", "all"],
      ["run", file, "--policy", "all"],
      ["compare", file, "--workers", "1"],
    ]) {
      const r = await pinlab(...argv);
      assert.equal(r.code, 0, `${argv.join(" ")}: ${r.err}`);
    }
  });
});

describe("files that are not regular files, and empty option values", () => {
  it("lint refuses devices, FIFOs and directories at once", () => {
    const fifo = join(dir, "fifo.pin");
    const mk = spawnSync("mkfifo", [fifo]);
    const targets = ["/dev/zero", dir, ...(mk.status === 0 ? [fifo] : [])];
    for (const t of targets) {
      const r = spawn(["lint", t]);
      assert.equal(r.signal, null, `${t} ended by itself`);
      assert.equal(r.code, 2, t);
      assert.match(r.err, /not a regular file|is a directory/, t);
    }
  });

  it("a file larger than the limit is a diagnostic, not a memory exhaustion", async () => {
    const file = join(dir, "huge.pin");
    writeFileSync(file, `scenario "x" ${"a".repeat(3_000_000)}\n`);
    const r = await pinlab("lint", file);
    assert.equal(r.code, 2);
    assert.match(r.out, /PIN004/);
    assert.ok(r.out.length < 2000, "the frame shows a window of the line");
  });

  it("--html '' and --out '' are refused", async () => {
    for (const o of ["--html", "--out"]) {
      const r = await pinlab("compare", "core", o, "");
      assert.equal(r.code, 2, o);
      assert.match(r.err, /needs a value/);
    }
  });
});
