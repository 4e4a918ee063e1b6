/**
 * `pinlab merge` trusts no shard: every way a set of shards can fail to be
 * one complete split of one comparison is refused with exit 2 and a message
 * naming the problem, and a complete split still gives the matrix of one run.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import type { CompareDoc } from "../report/compare.js";
import { docDigest } from "../report/compare.js";
import { memoryHost } from "./host.js";
import { main } from "./main.js";

const SUBSET = ["core", "readonly-pinner", "no-cancel"];
const CORE = readFileSync(new URL("../../scenarios/core.pin", import.meta.url), "utf8");

// biome-ignore lint/suspicious/noExplicitAny: the tests edit shards as free JSON, as an attacker would
type Json = Record<string, any>;

/** `compare SUBSET --shard i/n --out`, as text, for each i (memoized: the checks are the slow part). */
const made = new Map<string, Promise<string[]>>();
function shards(
  n: number,
  scenarios = SUBSET,
  files: Record<string, string> = {},
): Promise<string[]> {
  const k = JSON.stringify([n, scenarios, files]);
  let p = made.get(k);
  if (!p) {
    p = (async () => {
      const out: string[] = [];
      for (let i = 1; i <= n; i++) {
        const h = memoryHost(files);
        const argv = ["compare", ...scenarios, "--shard", `${i}/${n}`, "--out", "/s.json"];
        assert.equal(await main([...argv, "--workers", "1"], h), 0, h.stderr);
        out.push(h.files["/s.json"]!);
      }
      return out;
    })();
    made.set(k, p);
  }
  return p;
}

/** Runs merge over these documents (given as text), as files /s1.json, /s2.json, ... */
async function merge(texts: readonly string[], ...extra: string[]) {
  const files: Record<string, string> = {};
  texts.forEach((t, i) => {
    files[`/s${i + 1}.json`] = t;
  });
  const h = memoryHost(files);
  const status = await main(["merge", ...Object.keys(files), ...extra], h);
  return { status, out: h.stdout, err: h.stderr, files: h.files };
}

/** A shard edited and sealed again with a fresh digest: what someone who knows the format can do. */
function reseal(text: string, edit: (d: Json) => void): string {
  const d = JSON.parse(text) as Json;
  edit(d);
  delete d.digest;
  return JSON.stringify({ ...d, digest: docDigest(d) });
}

/** Edited without a new digest. */
function edited(text: string, edit: (d: Json) => void): string {
  const d = JSON.parse(text) as Json;
  edit(d);
  return JSON.stringify(d);
}

async function refused(texts: readonly string[], pattern: RegExp): Promise<void> {
  const r = await merge(texts);
  assert.equal(r.status, 2, `exit 2 expected; stderr: ${r.err}`);
  assert.match(r.err, /^pinlab merge: /);
  assert.match(r.err, pattern);
  assert.doesNotMatch(r.err, /\n\s+at /, "no stack trace");
  assert.equal(r.out, "", "no matrix is printed");
}

/** The shard and cell of a scenario x policy. */
function find(texts: readonly string[], scenario: string, policy: string) {
  for (const [i, t] of texts.entries()) {
    const d = JSON.parse(t) as CompareDoc;
    const k = d.cells.findIndex((c) => c.scenario === scenario && c.policy === policy);
    if (k >= 0) return { shard: i, cell: k };
  }
  return assert.fail(`no cell ${scenario} x ${policy}`);
}

test("a complete split merges to the matrix of one run, and the merged document merges again", async () => {
  const one = memoryHost();
  assert.equal(await main(["compare", ...SUBSET, "--workers", "1", "--out", "/all.json"], one), 0);
  const s = await shards(3);
  // In any order.
  const r = await merge([s[2]!, s[0]!, s[1]!], "--out", "/merged.json");
  assert.equal(r.status, 0, r.err);
  assert.equal(r.out, one.stdout);
  const whole = JSON.parse(one.files["/all.json"]!) as CompareDoc;
  const merged = JSON.parse(r.files["/merged.json"]!) as CompareDoc;
  const verdicts = (d: CompareDoc) => d.cells.map((c) => [c.scenario, c.policy, c.verdicts]);
  assert.deepEqual(verdicts(merged), verdicts(whole));
  assert.deepEqual(merged.comparison, whole.comparison);
  assert.deepEqual(merged.scenarios, whole.scenarios);
  const again = await merge([r.files["/merged.json"]!]);
  assert.equal(again.status, 0, again.err);
  assert.equal(again.out, one.stdout);
});

test("a missing shard, or any subset of the shards, is refused", async () => {
  const s = await shards(3);
  await refused([s[0]!, s[1]!], /missing shard 3\/3 of the split into 3/);
  await refused([s[1]!], /missing shards 1\/3, 3\/3/);
});

test("a shard given twice, or shards of different splits or comparisons, are refused", async () => {
  const s3 = await shards(3);
  const s2 = await shards(2);
  await refused([s3[0]!, s3[1]!, s3[1]!, s3[2]!], /\/s2\.json and \/s3\.json are both shard 2\/3/);
  await refused(
    [s2[0]!, s3[1]!, s3[2]!],
    /shard 1\/2 but \/s2\.json is shard 2\/3: shards of different splits/,
  );
  const other = await shards(2, ["core", "no-cancel"]);
  await refused([s2[0]!, other[1]!], /shards of different comparisons: their scenarios differ/);
  const fewer = await shards(2, SUBSET.slice(0, 2));
  await refused([s2[0]!, fewer[1]!], /their scenarios differ/);
});

test("shards of different policies, parameters or bounds are refused", async () => {
  const s = await shards(2);
  const [a, b] = [s[0]!, s[1]!];
  await refused(
    [a, reseal(b, (d) => d.comparison.policies.pop())],
    /shards of different comparisons: their policies differ/,
  );
  await refused(
    [
      a,
      reseal(b, (d) => {
        const p = d.comparison.policies.find((x: Json) => Object.keys(x.params).length > 0);
        p.params[Object.keys(p.params)[0]!] = "1";
      }),
    ],
    /checked policy \S+ with different parameters/,
  );
  await refused(
    [a, reseal(b, (d) => (d.comparison.bounds.maxStates = 10))],
    /checked with different bounds/,
  );
});

test("a shard made from another version of a scenario is refused", async () => {
  const v1 = { "/x/core.pin": CORE };
  const v2 = { "/x/core.pin": `${CORE}\n# one more comment\n` };
  const a = await shards(2, ["/x/core.pin", "no-cancel"], v1);
  const b = await shards(2, ["/x/core.pin", "no-cancel"], v2);
  assert.equal((await merge([a[0]!, a[1]!])).status, 0);
  await refused(
    [a[0]!, b[1]!],
    /made from different versions of scenario \/x\/core\.pin \(content hashes [0-9a-f]{16} and [0-9a-f]{16}\)/,
  );
  // A shard whose scenario text was changed but whose hashes were kept.
  await refused(
    [a[0]!, reseal(a[1]!, (d) => (d.scenarios[0].source += "\n"))],
    /its source does not match its content hash/,
  );
  // The data beside the source must be what the source parses to.
  await refused(
    [a[0]!, reseal(a[1]!, (d) => (d.scenarios[0].spec.fs.blocks = 9))],
    /its data is not what its source parses to/,
  );
});

test("a shard from another version of pinlab is refused", async () => {
  const s = await shards(2);
  await refused(
    [s[0]!, reseal(s[1]!, (d) => (d.comparison.pinlab = "0.0.1"))],
    /come from different versions of pinlab \(\S+ and 0\.0\.1\)/,
  );
  await refused(
    [s[0]!, reseal(s[1]!, (d) => (d.schema = "pinlab.compare/1"))],
    /written with schema "pinlab\.compare\/1", but this pinlab reads pinlab\.compare\/2/,
  );
});

test("duplicated cells, cells of another shard and cells for a scenario not listed are refused", async () => {
  const s = await shards(3);
  await refused(
    [reseal(s[0]!, (d) => d.cells.push(d.cells[0])), s[1]!, s[2]!],
    /the cell core x \S+ appears twice/,
  );
  // A cell moved into the wrong shard: one shard lacks it, the other holds a cell not its own.
  await refused(
    [reseal(s[0]!, (d) => d.cells.push(JSON.parse(s[1]!).cells[0])), s[1]!, s[2]!],
    /the cell \S+ x \S+ belongs to shard 2\/3, not 1\/3/,
  );
  await refused(
    [reseal(s[0]!, (d) => d.cells.pop()), s[1]!, s[2]!],
    /\/s1\.json \(shard 1\/3\) lacks 1 of its cells: \S+ x \S+ \(an interrupted compare/,
  );
  await refused(
    [reseal(s[0]!, (d) => (d.cells[0].scenario = "elsewhere")), s[1]!, s[2]!],
    /a cell for scenario elsewhere, which the comparison does not list/,
  );
  await refused(
    [
      reseal(s[0]!, (d) => {
        d.scenarios.push({ ...d.scenarios[0], ref: "elsewhere" });
      }),
      s[1]!,
      s[2]!,
    ],
    /lists scenario elsewhere, which its comparison does not/,
  );
});

test("a flipped verdict is refused: by the digest, by its witness, or by the expectations", async () => {
  const s = await shards(3);
  const at = find(s, "core", "unsafe");
  const flip = (f: (cell: Json) => void) =>
    s.map((t, i) => (i === at.shard ? reseal(t, (d) => f(d.cells[at.cell])) : t));
  const fdma = (cell: Json) => cell.verdicts.find((v: Json) => v.name === "foreign-dma");
  // Edited by hand: the digest no longer matches.
  await refused(
    s.map((t, i) =>
      i === at.shard ? edited(t, (d) => (fdma(d.cells[at.cell]).verdict = "Never")) : t,
    ),
    /\/s\d\.json was changed after compare wrote it: its digest does not match its content/,
  );
  // Sealed again, but the word alone was changed: a 'Never' with a witness.
  await refused(
    flip((c) => (fdma(c).verdict = "Never")),
    /core x unsafe: foreign-dma: 'Never' with a witness/,
  );
  // Sealed again with the witness gone too: the scenario expects it under unsafe.
  await refused(
    flip((c) => {
      Object.assign(fdma(c), {
        verdict: "Never",
        witness: null,
        witnessLength: null,
        token: null,
        message: null,
        steps: null,
      });
    }),
    /its expectation 'sometimes foreign-dma under unsafe' does not follow from its verdicts/,
  );
  // 'Never' turned into 'Sometimes' with a borrowed witness: the replay does not show it.
  await refused(
    flip((c) => {
      const v = c.verdicts.find((x: Json) => x.name === "stale-exposure");
      Object.assign(v, { ...fdma(c), name: "stale-exposure", kind: v.kind });
    }),
    /core x unsafe: stale-exposure: its witness does not show it/,
  );
  // The same for a liveness property: the borrowed run does not end with a truncate hanging.
  await refused(
    flip((c) => {
      const v = c.verdicts.find((x: Json) => x.name === "truncate-hang");
      assert.equal(v.verdict, "Never");
      Object.assign(v, { ...fdma(c), name: "truncate-hang", kind: v.kind });
    }),
    /core x unsafe: truncate-hang: its witness does not show it/,
  );
  // A witness that is not a run of the scenario.
  await refused(
    flip((c) => {
      const v = fdma(c);
      v.witness[0] = 99999;
    }),
    /foreign-dma: step 1 of its witness is not possible in the scenario/,
  );
  // Steps shown that are not what the witness replays to.
  await refused(
    flip((c) => (fdma(c).steps[0].text = "nothing happened")),
    /the steps shown for foreign-dma are not the ones its witness replays to/,
  );
  // A replay token for another trace.
  await refused(
    flip(
      (c) =>
        // another verdict's token for a different trace (lost-write shares foreign-dma's)
        (fdma(c).token = c.verdicts.find((x: Json) => x.token && x.token !== fdma(c).token).token),
    ),
    /foreign-dma: its replay token is not its witness's/,
  );
});

test("malformed documents are exit 2 with a message naming the field, never a stack trace", async () => {
  const s = await shards(1);
  const good = s[0]!;
  const cases: [string, RegExp][] = [
    ["", /is not JSON/],
    ["[1,2", /is not JSON/],
    ["null", /not a comparison document/],
    ["[]", /not a comparison document/],
    ['"pinlab.compare/2"', /not a comparison document/],
    ['{"schema":"pinlab.compare/2"}', /comparison must be an object/],
    [reseal(good, (d) => (d.cells = {})), /cells must be an array/],
    [reseal(good, (d) => (d.cells[0] = null)), /cells\[0\] must be an object/],
    [
      reseal(good, (d) => (d.cells[0].verdicts[0].witnessLength = "<img src=x onerror=alert(1)>")),
      /cells\[0\]\.verdicts\[0\]\.witnessLength must be a non-negative integer/,
    ],
    [
      reseal(good, (d) => (d.cells[0].stats.states = -1)),
      /cells\[0\]\.stats\.states must be a finite/,
    ],
    [
      reseal(good, (d) => (d.cells[0].stats.states = "9<script>")),
      /cells\[0\]\.stats\.states must be a finite non-negative number/,
    ],
    [
      good.replace(/"states": *\d+/, '"states": 1e999'),
      /stats\.states must be a finite non-negative number \(got null\)|digest/,
    ],
    [reseal(good, (d) => (d.totals.states = 1.5)), /totals\.states must be a non-negative integer/],
    [reseal(good, (d) => (d.shard = { index: 0, count: 1 })), /shard\.index must be a positive/],
    [reseal(good, (d) => (d.shard = { index: 3, count: 2 })), /shard 3\/2 does not exist/],
    [
      reseal(good, (d) => (d.shard = { index: 1, count: 2 ** 52 })),
      /missing shards 2\/4503599627370496, .* and 4503599627370487 more/,
    ],
    [
      reseal(good, (d) => (d.cells[0].verdicts[0].witness = ["a"])),
      /witness\[0\] must be an integer/,
    ],
    [reseal(good, (d) => (d.cells[0].verdicts[0].verdict = "Maybe")), /verdict must be one of/],
    [reseal(good, (d) => (d.scenarios[0].spec = null)), /scenarios\[0\]\.spec must be an object/],
    [reseal(good, (d) => (d.scenarios[0].source = 42)), /scenarios\[0\]\.source must be a string/],
    [reseal(good, (d) => (d.comparison.scenarios[0].hash = "zz")), /hash of 16 hex digits/],
    [reseal(good, (d) => (d.cells[0].params = { a: 1 })), /cells\[0\]\.params\.a must be a string/],
    [reseal(good, (d) => (d.cells[0].reason = "<b>")), /reason|stop/],
    [reseal(good, (d) => (d.comparison.policies[0].name = "constructor")), /unknown policy/],
    [
      reseal(good, (d) => (d.scenarios[0].source = "scenario {")),
      /does not match its content hash/,
    ],
  ];
  const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
  cases.push([good.replace(/^\{/, `{"junk":${deep},`), /nested deeper than 64 levels/]);
  cases.push([
    reseal(good, (d) => (d.cells[0].scenario = "\u001b]0;owned\u0007\u001b[2J")),
    /a cell for scenario \\u001b\]0;owned\\u0007\\u001b\[2J, which/,
  ]);
  for (const [text, pattern] of cases) await refused([text], pattern);
});

test("no edit of any one field of a shard makes merge crash", async () => {
  const s = await shards(2);
  const doc = JSON.parse(s[0]!) as Json;
  // Every leaf path of the document, a deterministic sample of them.
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    if (Array.isArray(v)) for (const [i, x] of v.slice(0, 2).entries()) walk(x, [...path, i]);
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    else paths.push(path);
  };
  walk(doc, []);
  const sample = paths.filter((_, i) => i % Math.ceil(paths.length / 60) === 0);
  const values: unknown[] = [null, "x", -1, 2.5, 1e9, {}, [], true];
  let k = 0;
  for (const path of sample) {
    const value = values[k++ % values.length];
    const text = reseal(s[0]!, (d) => {
      let o = d;
      for (const p of path.slice(0, -1)) o = o[p as string];
      o[path.at(-1) as string] = value;
    });
    const r = await merge([text, s[1]!]);
    assert.ok(r.status === 0 || r.status === 2, `${path.join(".")} = ${JSON.stringify(value)}`);
    if (r.status === 2) assert.doesNotMatch(r.err, /\n\s+at /);
  }
});

test("a shard's coverage, vacuity and vacuous marks must agree with each other and the scenario", async () => {
  const s = await shards(2);
  const at = find(s, "core", "linux");
  const other = s[1 - at.shard]!;
  const edit = (f: (c: Json) => void) => {
    const out = [...s];
    out[at.shard] = reseal(s[at.shard]!, (d) => f(d.cells[at.cell]));
    return out;
  };
  await refused(
    edit((c) => {
      c.vacuity = null;
    }),
    /its vacuity is not what its coverage says/,
  );
  await refused(
    edit((c) => {
      c.coverage.unreached.push("peer.frobnicate");
    }),
    /its coverage does not name each of the scenario's operations once/,
  );
  await refused(
    edit((c) => {
      c.verdicts[0].vacuous = false;
    }),
    /foreign-dma: not marked vacuous in a vacuous cell/,
  );
  // A shard written before coverage was recorded still merges (nothing vacuous, no coverage).
  const old = edit((c) => {
    delete c.coverage;
    delete c.vacuity;
    for (const v of c.verdicts) delete v.vacuous;
  });
  const r = await merge(at.shard === 0 ? [old[0]!, other] : [other, old[1]!]);
  assert.equal(r.status, 0, r.err);
});
