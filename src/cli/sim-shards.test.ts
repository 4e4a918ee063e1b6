/**
 * `simulate --shard I/N --out FILE` and `pinlab merge`: the shards of a
 * simulation join into exactly the result of one run over all the seeds
 * (the same JSON, witnesses and tokens included), and a merge that would not
 * be that is refused. A witness that needs more iterations of a repeating
 * tail than the scenario's `bounds repeats` gets a token carrying the bounds
 * it needs, and replay reproduces it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { decodeToken } from "../engine/explore/token.js";
import { memoryHost } from "./host.js";
import { main } from "./main.js";

const DOS = readFileSync(new URL("../../workloads/dos-engine.pin", import.meta.url), "utf8");
const ARGS = ["--policy", "unsafe", "--policy", "revoke", "--seeds", "7", "--horizon", "2h"];

test("the shards of a simulation merge into the result of one run over all the seeds", async () => {
  const h = memoryHost({ "dos.pin": DOS });
  assert.equal(
    await main(["simulate", "dos.pin", ...ARGS, "--workers", "2", "--json"], h),
    0,
    h.stderr,
  );
  const one = h.stdout;
  const shards: string[] = [];
  for (const i of [1, 2, 3]) {
    const s = memoryHost({ "dos.pin": DOS });
    const out = `s${i}.json`;
    const code = await main(
      ["simulate", "dos.pin", ...ARGS, "--workers", "1", "--shard", `${i}/3`, "--out", out],
      s,
    );
    assert.equal(code, 0, s.stderr);
    assert.match(s.stdout, new RegExp(`shard ${i}/3: \\d of the 7 seeds`));
    shards.push(s.files[out]!);
  }
  const files = { "s1.json": shards[0]!, "s2.json": shards[1]!, "s3.json": shards[2]! };
  const m = memoryHost(files);
  assert.equal(await main(["merge", "s3.json", "s1.json", "s2.json", "--json"], m), 0, m.stderr);
  assert.equal(m.stdout, one, "merged shards give the JSON of one run, byte for byte");
  const doc = JSON.parse(one) as { policies: { violations: { token: string }[] }[] };
  assert.ok(
    doc.policies[0]!.violations.some((v) => v.token.startsWith("pl2.")),
    "the violations come with their tokens, made again from the seeds",
  );

  // Refused: a missing shard, a shard changed after it was written, shards of different runs.
  const missing = memoryHost(files);
  assert.equal(await main(["merge", "s1.json", "s2.json"], missing), 2);
  assert.match(missing.stderr, /missing shard 3\/3 of the split into 3/);
  const d = JSON.parse(shards[1]!);
  d.policies[0].runs[0].kills += 1;
  const tampered = memoryHost({ ...files, "s2.json": JSON.stringify(d) });
  assert.equal(await main(["merge", "s1.json", "s2.json", "s3.json"], tampered), 2);
  assert.match(tampered.stderr, /s2\.json was changed after simulate wrote it/);
  const other = memoryHost({ "dos.pin": DOS });
  const o = ["simulate", "dos.pin", ...ARGS, "--seed", "9"];
  assert.equal(await main([...o, "--shard", "3/3", "--out", "x.json"], other), 0, other.stderr);
  const mixed = memoryHost({ ...files, "s3.json": other.files["x.json"]! });
  assert.equal(await main(["merge", "s1.json", "s2.json", "s3.json"], mixed), 2);
  assert.match(mixed.stderr, /shards of different simulations/);
  const both = memoryHost({ ...files, "c.json": '{"schema":"pinlab.compare/2"}' });
  assert.equal(await main(["merge", "s1.json", "c.json"], both), 2);
  assert.match(both.stderr, /a simulation and of a comparison cannot be merged together/);
  const bad = memoryHost({ "dos.pin": DOS });
  assert.equal(await main(["simulate", "dos.pin", "--shard", "2/3"], bad), 2);
  assert.match(bad.stderr, /--shard needs --out FILE/);
  assert.equal(await main(["simulate", "dos.pin", "--shard", "4/3", "--out", "x"], bad), 2);
  assert.match(bad.stderr, /--shard expects I\/N with 1 <= I <= N/);
});

test("a simulated witness beyond `bounds repeats` gets a token with the bounds it needs; replay reproduces it", async () => {
  // The DoS engine with one iteration of each repeating tail for check: the
  // foreign DMA the simulation finds needs the attacker's second round.
  const text = DOS.replace(/^horizon 6h$/m, "horizon 6h\nbounds repeats=1");
  assert.notEqual(text, DOS);
  const h = memoryHost({ "dos1.pin": text });
  const args = ["simulate", "dos1.pin", "--policy", "unsafe", "--seeds", "4", "--horizon", "2h"];
  assert.equal(await main([...args, "--json"], h), 0, h.stderr);
  const doc = JSON.parse(h.stdout) as {
    notes: string[];
    policies: { violations: { property: string; token: string }[] }[];
  };
  const v = doc.policies[0]!.violations.find((x) => x.property === "foreign-dma");
  assert.ok(v, "the simulation finds a foreign DMA under unsafe");
  const t = decodeToken(v.token);
  assert.ok(!("error" in t), "a token, not the note that there is none");
  assert.deepEqual(t.bounds, { replicas: null, repeats: 2 });
  const r = memoryHost();
  assert.equal(await main(["replay", v.token], r), 0, r.stderr);
  assert.match(r.stdout, /bounds {4}bounds repeats 2 \(carried by the token/);
  assert.match(r.stdout, /foreign-dma\s+✗ Sometimes/);
  // Without the bounds, the same steps are no run of the scenario: the token's bounds matter.
  const { encodeToken } = await import("../engine/explore/token.js");
  const bare = encodeToken({ ...t, bounds: { replicas: null, repeats: null } });
  const b = memoryHost();
  assert.equal(await main(["replay", bare], b), 2);
  // And check, given those bounds, finds it too.
  const wide = memoryHost({ "dos2.pin": text.replace("bounds repeats=1", "bounds repeats=2") });
  assert.equal(await main(["check", "dos2.pin", "--policy", "unsafe"], wide), 0, wide.stderr);
  assert.match(wide.stdout, /foreign-dma\s+✗ Sometimes/);
});
