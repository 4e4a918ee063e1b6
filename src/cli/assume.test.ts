/**
 * A verdict that rests on a timing assumption says so. Jason Gunthorpe's
 * cooperative but slow holder (scenarios/slow-holder.pin): without an
 * assumption revoke can kill it; with `assume holders answer within
 * lease_break_time` check proves Never and says on what it rests, in text,
 * JSON and the matrix, and merge keeps the mark.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { docDigest } from "../report/compare.js";
import { memoryHost } from "./host.js";
import { main } from "./main.js";

const SLOW = readFileSync(new URL("../../scenarios/slow-holder.pin", import.meta.url), "utf8");
const ASSUMED = `${SLOW}assume holders answer within lease_break_time\n`;
const WORDS = "assuming holders answer within lease-break-time";

type Prop = { name: string; verdict: string; assumption: string | null };
type Exp = { text: string; ok: boolean; assumption: string | null };

async function checkJson(file: string, text: string) {
  const h = memoryHost({ [file]: text });
  const status = await main(["check", file, "--policy", "revoke", "--json"], h);
  const doc = JSON.parse(h.stdout) as {
    assumptions: string[];
    properties: Prop[];
    expectations: Exp[];
  };
  const prop = (n: string) => doc.properties.find((p) => p.name === n)!;
  return { status, doc, prop };
}

test("slow-holder: a kill under revoke without an assumption, Never with one, and it says so", async () => {
  const plain = await checkJson("/slow.pin", SLOW);
  assert.equal(plain.status, 0);
  assert.deepEqual(plain.doc.assumptions, []);
  assert.equal(plain.prop("kill").verdict, "Sometimes");
  assert.equal(plain.prop("kill").assumption, null);

  const assumed = await checkJson("/slow-a.pin", ASSUMED);
  assert.deepEqual(assumed.doc.assumptions, ["assume holders answer within lease_break_time"]);
  assert.equal(assumed.prop("kill").verdict, "Never");
  assert.equal(assumed.prop("kill").assumption, WORDS);
  assert.equal(assumed.prop("comm-failure").assumption, WORDS);
  // A verdict the same either way carries nothing.
  assert.equal(assumed.prop("revocation").verdict, "Sometimes");
  assert.equal(assumed.prop("revocation").assumption, null);
  assert.equal(assumed.prop("foreign-dma").assumption, null);
  // The file still expects the kill: that expectation now fails, and says why.
  assert.equal(assumed.status, 1);
  const kill = assumed.doc.expectations.find((e) => e.text === "sometimes kill under revoke")!;
  assert.equal(kill.ok, false);
  assert.equal(kill.assumption, WORDS);

  const h = memoryHost({ "/slow-a.pin": ASSUMED });
  await main(["check", "/slow-a.pin", "--policy", "revoke"], h);
  assert.match(
    h.stdout,
    /\n {2}kill +✓ Never +proved over \d+ states, assuming holders answer within lease-break-time\n/,
  );
  assert.match(
    h.stdout,
    /FAIL {2}sometimes kill under revoke {2}\(.*; assuming holders answer within lease-break-time\)/,
  );
  assert.match(h.stdout, /\nassume {4}holders answer within lease_break_time/);
});

test("compare marks a cell resting on an assumption, lists it, and merge keeps and checks the mark", async () => {
  const files = { "/slow-a.pin": ASSUMED };
  const h = memoryHost(files);
  const argv = ["compare", "/slow-a.pin", "--policy", "revoke,linux", "--workers", "1"];
  // Exit 1: the file still expects the kill it no longer gets.
  assert.equal(await main([...argv, "--out", "/s.json"], h), 1);
  const row = h.stdout.split("\n").find((l) => l.startsWith("revoke"))!;
  assert.match(row, / \.\* /, "the KILL cell is `.*`");
  assert.match(h.stdout, /\n {2}\* +rests on an assumption the scenario states/);
  assert.match(
    h.stdout,
    /kill Never, comm-failure Never, assuming\s+holders\s+answer\s+within\s+lease-break-time/,
  );
  const md = memoryHost(files);
  await main([...argv, "--md"], md);
  assert.match(md.stdout, /\| \.\\\* \|/, "escaped in Markdown");
  assert.match(md.stdout, /### Verdicts resting on stated assumptions/);

  const shard = h.files["/s.json"]!;
  const merged = memoryHost({ ...files, "/s.json": shard });
  assert.equal(await main(["merge", "/s.json"], merged), 1, merged.stderr);
  assert.equal(merged.stdout, h.stdout.replace(/^wrote .*\n/m, ""));
  // An assumption the scenario does not state is refused.
  const d = JSON.parse(shard);
  const cell = d.cells.find((c: { policy: string }) => c.policy === "revoke");
  cell.verdicts.find((v: { name: string }) => v.name === "kill").assumption =
    "assuming nobody answers within lease-break-time";
  delete d.digest;
  const forged = JSON.stringify({ ...d, digest: docDigest(d) });
  const r = memoryHost({ "/s.json": forged });
  assert.equal(await main(["merge", "/s.json"], r), 2);
  assert.match(r.stderr, /an assumption other than its scenario's/);
});

test("--param lease-break-time cannot change a check verdict, and check says so in one line", async () => {
  const a = memoryHost();
  const b = memoryHost();
  await main(["check", "slow-holder", "--policy", "revoke", "--json"], a);
  await main(
    ["check", "slow-holder", "--policy", "revoke", "--param", "lease-break-time=5", "--json"],
    b,
  );
  const verdicts = (t: string) =>
    (JSON.parse(t) as { properties: Prop[] }).properties.map((p) => [p.name, p.verdict]);
  assert.deepEqual(verdicts(b.stdout), verdicts(a.stdout));
  assert.equal(a.stderr, "");
  assert.equal(b.stderr.trim().split("\n").length, 1);
  assert.match(
    b.stderr,
    /lease-break-time=5 cannot change its verdicts \(only pinlab simulate uses it\)/,
  );
});
