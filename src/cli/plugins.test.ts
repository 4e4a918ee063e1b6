/** Policies and properties from plugin files, as a user meets them (docs/plugins.md). */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { memoryHost } from "./host.js";
import { main } from "./main.js";

const EXAMPLE = fileURLToPath(new URL("../../examples/owner-revoke.js", import.meta.url));
const SOURCE = readFileSync(EXAMPLE, "utf8");
const DIR = mkdtempSync(join(tmpdir(), "pinlab-plugins-"));

/** A copy of the example with `from` replaced by `to`, at DIR/name. */
function variant(name: string, from: string | RegExp, to: string): string {
  const text = SOURCE.replace(from, to);
  assert.notEqual(text, SOURCE, `${name}: the edit did not apply`);
  const path = join(DIR, name);
  writeFileSync(path, text);
  return path;
}

async function pinlab(...argv: string[]) {
  const h = memoryHost();
  const code = await main(argv, h);
  return { code, out: h.stdout, err: h.stderr };
}

test("owner-revoke: a non-owner's truncate gets EBUSY and kills nobody; revoke kills the holder", async () => {
  const r = await pinlab(
    "check",
    "core",
    "--policy",
    EXAMPLE,
    "--policy",
    "revoke",
    "--workers",
    "2",
  );
  assert.equal(r.code, 0, r.err);
  const [mine, theirs] = r.out.split(/^policy /m).slice(1);
  assert.match(mine!, /^\s*owner-revoke/);
  assert.match(mine!, /^ {2}kill\s+✓ Never/m);
  assert.match(mine!, /^ {2}revocation-by-other\s+✓ Never/m);
  assert.match(theirs!, /^ {2}kill\s+▲ Sometimes/m);
  const run = await pinlab("run", "core", "--policy", EXAMPLE);
  assert.match(run.out, /admin\s+truncate data pages=0\s+→ EBUSY/);
});

test("compare runs a plugin policy in its worker threads, with its row", async () => {
  const r = await pinlab(
    "compare",
    "core",
    "own-lease",
    "--policy",
    EXAMPLE,
    "--policy",
    "revoke",
    "--workers",
    "2",
  );
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^owner-revoke\s+\./m);
  assert.match(r.out, /^revoke\s+/m);
});

test("a TypeScript plugin loads", async () => {
  const ts = join(DIR, "typed.ts");
  writeFileSync(
    ts,
    SOURCE.replace('name: "owner-revoke"', 'name: "typed-owner"').replace(
      "layoutChange: (q) =>",
      "layoutChange: (q: { caller: number; dax: boolean }): any =>",
    ),
  );
  const r = await pinlab("run", "core", "--policy", ts);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /policy\s+typed-owner/);
});

test("a broken plugin is bad input: exit 2 with its file:line and what is wrong", async () => {
  const cases: [string, string, string | RegExp, string, RegExp][] = [
    [
      "syntax.js",
      "run",
      "layoutChange: (q) => {",
      "layoutChange: (q) => {{",
      /syntax\.js:\d+:\d+: the plugin does not load/,
    ],
    [
      "mistyped.js",
      "run",
      "revocablePins: true",
      'revocablePins: "yes"',
      /mistyped\.js:\d+: policy owner-revoke: 'revocablePins' must be true or false \(got "yes"\)/,
    ],
    [
      "missing.js",
      "run",
      "layoutChange: (q)",
      "layoutChang: (q)",
      /missing\.js:\d+: .*'layoutChang' is no answer .*did you mean 'layoutChange'/,
    ],
    [
      "collide.js",
      "run",
      'name: "owner-revoke"',
      'name: "ebusy"',
      /collide\.js:\d+: the policy name 'ebusy' collides with a built-in policy/,
    ],
    [
      "throws.js",
      "check",
      "if (!pinHolders",
      'if (q.kind === "truncate") throw new Error("nope");\n      if (!pinHolders',
      /throws\.js:\d+:\d+: policy owner-revoke: 'layoutChange' threw: Error: nope/,
    ],
    [
      "returns.js",
      "run",
      '{ do: "fail", errno: errno.EBUSY }',
      '{ do: "fail" }',
      /returns\.js:\d+: .*'layoutChange' returned \{"do":"fail"\}/,
    ],
    [
      "version.js",
      "run",
      "export default definePolicy({",
      "const def = definePolicy({",
      /version\.js:\d+: written for plugin API version 0/,
    ],
  ];
  for (const [name, cmd, from, to, want] of cases) {
    let path = variant(name, from, to);
    if (name === "version.js") {
      writeFileSync(
        path,
        `${readFileSync(path, "utf8")}\nexport default { ...def, apiVersion: 0 };\n`,
      );
    }
    const extra = cmd === "check" ? ["--workers", "2"] : [];
    const r = await pinlab(cmd, "core", "--policy", path, ...extra);
    assert.equal(r.code, 2, `${name}: ${r.code} ${r.err} ${r.out.slice(0, 200)}`);
    assert.match(r.err, want, name);
    assert.doesNotMatch(r.err, /pinlab bug|internal error|^\s+at /m, name);
    path = "";
  }
});

test("a replay token of a plugin run names the plugin and its hash; a changed file is refused", async () => {
  const path = variant("tok.js", "// Try it:", "// Token test. Try it:");
  const c = await pinlab("check", "own-lease", "--policy", path);
  assert.equal(c.code, 0, c.err);
  const token = /pl2\.[\w-]+/.exec(c.out)![0];
  const without = await pinlab("replay", token);
  assert.equal(without.code, 2);
  assert.match(
    without.err,
    /plugin file 'tok\.js' \(content hash [0-9a-f]{16}\): give that file with --policy FILE/,
  );
  const ok = await pinlab("replay", token, "--policy", path);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /policy\s+owner-revoke from plugin tok\.js \(content hash [0-9a-f]{16}\)/);
  writeFileSync(path, `${readFileSync(path, "utf8")}\n// edited\n`);
  const changed = await pinlab("replay", token, "--policy", path);
  assert.equal(changed.code, 2);
  assert.match(changed.err, /the plugin changed since the token was made/);
});

test("a scenario naming a plugin policy: a warning on a stock pinlab, judged when the plugin is given", async () => {
  const pin = join(DIR, "names-plugin.pin");
  const text = readFileSync(
    fileURLToPath(new URL("../../scenarios/own-lease.pin", import.meta.url)),
    "utf8",
  );
  writeFileSync(pin, `${text}\nexpect never revocation-by-other under owner-revoke\n`);
  const stock = await pinlab("check", pin, "--policy", "revoke");
  assert.equal(stock.code, 0, stock.err);
  assert.match(stock.err, /PIN360.*owner-revoke/);
  assert.match(stock.err, /--policy \.\/FILE\.js/);
  const withPlugin = await pinlab("check", pin, "--policy", EXAMPLE);
  assert.equal(withPlugin.code, 0, withPlugin.err);
  assert.doesNotMatch(withPlugin.err, /PIN360/);
  assert.match(withPlugin.out, /ok\s+never revocation-by-other under owner-revoke/);
  writeFileSync(pin, `${text}\nexpect never revocation under revok\n`);
  const typo = await pinlab("check", pin, "--policy", "revoke");
  assert.equal(typo.code, 2);
  assert.match(typo.err, /PIN209/);
});

test("a plugin property is judged by run, check (with workers) and compare, and shown", async () => {
  const path = join(DIR, "prop.js");
  writeFileSync(
    path,
    `import { defineProperty } from "pinlab/plugin";
export default defineProperty({
  name: "truncate-ebusy",
  summary: "a truncate fails with EBUSY",
  kind: "safety",
  group: "cost",
  onStep(m, _b, _a, events) {
    for (const e of events)
      if (e.k === "ret" && e.result === -16 && m.procs[e.proc].prog[e.pc].spec.op === "truncate")
        return { message: m.procs[e.proc].name + "'s truncate failed with EBUSY" };
    return null;
  },
});
`,
  );
  const run = await pinlab("run", "core", "--policy", path, "--policy", "ebusy");
  assert.match(
    run.out,
    /truncate-ebusy\s+▲ happened at step \d+: admin's truncate failed with EBUSY/,
  );
  const check = await pinlab(
    "check",
    "core",
    "--policy",
    path,
    "--policy",
    "ebusy,revoke",
    "--workers",
    "2",
  );
  assert.equal(check.code, 0, check.err);
  const [ebusy, revoke] = check.out.split(/^policy /m).slice(1);
  assert.match(ebusy!, /truncate-ebusy\s+▲ Sometimes/);
  assert.match(revoke!, /truncate-ebusy\s+✓ Never/);
  const cmp = await pinlab("compare", "core", "--policy", path, "--policy", "ebusy", "--json");
  assert.equal(cmp.code, 0, cmp.err);
  assert.match(cmp.out, /"truncate-ebusy"/);
});

test("test-policy passes the example and fails a policy that keeps state", async () => {
  const good = await pinlab("test-policy", EXAMPLE, "core", "own-lease", "layout-lease");
  assert.equal(good.code, 0, good.err);
  assert.match(good.out, /ok\s+determinism/);
  assert.match(good.out, /ok\s+no module state/);
  assert.match(good.out, /ok\s+parameters validated/);
  assert.match(good.out, /^owner-revoke\s+\./m);
  const path = variant(
    "stateful.js",
    "layoutChange: (q) => {",
    'layoutChange: (q) => {\n      calls++;\n      if (calls % 2 === 0) return { do: "wait" };',
  );
  writeFileSync(
    path,
    readFileSync(path, "utf8").replace("export default", "let calls = 0;\nexport default"),
  );
  const bad = await pinlab("test-policy", path, "core", "own-lease");
  assert.equal(bad.code, 1, bad.err);
  assert.match(bad.out, /FAIL\s+(determinism|no module state)/);
});

test("init-policy writes a starting file that test-policy passes, and never overwrites", async () => {
  const h = memoryHost();
  const cwd = mkdtempSync(join(tmpdir(), "pinlab-init-"));
  const host = { ...h, cwd, writeFile: (p: string, t: string) => writeFileSync(p, t) };
  assert.equal(await main(["init-policy", "my-idea"], host), 0);
  assert.equal(await main(["init-policy", "my-idea"], host), 2);
  assert.equal(await main(["init-policy", "revoke"], host), 2);
  const r = await pinlab("test-policy", join(cwd, "my-idea.js"), "core");
  assert.match(r.out, /ok\s+determinism/);
});

test("merge refuses shards of two versions of a plugin, and a plugin file other than the shards'", async () => {
  const v1 = variant("shard-v1.js", /$/, "\n// version 1\n");
  const v2 = variant("shard-v2.js", /$/, "\n// version 2\n");
  const shard = async (file: string, i: number) => {
    const h = memoryHost();
    const argv = ["compare", "core", "--policy", file, "--shard", `${i}/2`, "--out", "/s.json"];
    assert.equal(await main([...argv, "--workers", "1"], h), 0, h.stderr);
    return h.files["/s.json"]!;
  };
  const merge = async (texts: string[], file: string) => {
    const h = memoryHost({ "/a.json": texts[0]!, "/b.json": texts[1]! });
    const code = await main(["merge", "/a.json", "/b.json", "--policy", file], h);
    return { code, out: h.stdout, err: h.stderr };
  };
  const [a1, b1, b2] = [await shard(v1, 1), await shard(v1, 2), await shard(v2, 2)];
  const ok = await merge([a1, b1], v1);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /^owner-revoke\s/m);
  const mixed = await merge([a1, b2], v1);
  assert.equal(mixed.code, 2);
  assert.match(
    mixed.err,
    /different plugin files \(shard-v1\.js \(content hash [0-9a-f]{16}\) and shard-v2\.js/,
  );
  const other = await merge([a1, b1], v2);
  assert.equal(other.code, 2);
  assert.match(other.err, /checked with shard-v1\.js .* but the file given is shard-v2\.js/);
});

test("merge refuses simulate shards of another version of a plugin", async () => {
  const v1 = variant("sim-v1.js", /$/, "\n// version 1\n");
  const v2 = variant("sim-v2.js", /$/, "\n// version 2\n");
  const texts: string[] = [];
  for (const i of [1, 2]) {
    const h = memoryHost();
    const argv = ["simulate", "core", "--policy", v1, "--seeds", "2", "--shard", `${i}/2`];
    assert.equal(await main([...argv, "--out", "/s.json", "--workers", "1"], h), 0, h.stderr);
    texts.push(h.files["/s.json"]!);
  }
  const merge = async (file: string) => {
    const h = memoryHost({ "/a.json": texts[0]!, "/b.json": texts[1]! });
    const code = await main(["merge", "/a.json", "/b.json", "--policy", file], h);
    return { code, out: h.stdout, err: h.stderr };
  };
  const ok = await merge(v1);
  assert.equal(ok.code, 0, ok.err);
  const other = await merge(v2);
  assert.equal(other.code, 2);
  assert.match(
    other.err,
    /simulated with sim-v1\.js \(content hash [0-9a-f]{16}\), but the file given is sim-v2\.js/,
  );
});
