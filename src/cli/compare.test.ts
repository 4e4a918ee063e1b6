/** compare and merge as a user runs them: shards join into the same matrix; bad input exits 2. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DESIGN_POLICIES } from "../testing/run.js";
import { memoryHost } from "./host.js";
import { main } from "./main.js";

const SUBSET = ["core", "readonly-pinner", "no-cancel"];

test("compare --shard 1/2 + 2/2, then merge, gives the same matrix as one run", async () => {
  const h = memoryHost();
  assert.equal(await main(["compare", ...SUBSET, "--workers", "1"], h), 0);
  const whole = h.stdout;
  for (const i of [1, 2]) {
    const s = memoryHost();
    assert.equal(
      await main(
        ["compare", ...SUBSET, "--shard", `${i}/2`, "--out", `/shard${i}.json`, "--workers", "1"],
        s,
      ),
      0,
    );
    h.files[`/shard${i}.json`] = s.files[`/shard${i}.json`]!;
  }
  const m = memoryHost(h.files);
  assert.equal(await main(["merge", "/shard1.json", "/shard2.json"], m), 0);
  assert.equal(m.stdout, whole);
  assert.match(whole, /^unsafe\s+\d+/m);
  assert.match(whole, /^revoke\s/m);
});

test("compare --md prints a Markdown table with every policy as a row", async () => {
  const h = memoryHost();
  await main(["compare", "core", "--md", "--workers", "1"], h);
  for (const p of DESIGN_POLICIES) assert.match(h.stdout, new RegExp(`^\\| ${p} \\|`, "m"));
  assert.match(h.stdout, /pinlab replay pl2\./);
});

test("compare and merge refuse bad input with exit 2", async () => {
  for (const argv of [
    ["compare", "nosuch"],
    ["compare", "--shard", "3/2"],
    ["compare", "--policy", "nope"],
    ["merge"],
    ["merge", "/missing.json"],
  ]) {
    const h = memoryHost({ "/x.json": "{}" });
    assert.equal(await main(argv, h), 2, argv.join(" "));
    assert.ok(h.stderr.length > 0);
  }
  const h = memoryHost({ "/x.json": "{}" });
  assert.equal(await main(["merge", "/x.json"], h), 2);
  assert.match(h.stderr, /not a comparison document/);
});

test("a failed expectation makes run and check exit 1", async () => {
  const text = `scenario "wrong on purpose"
fs dax blocks=4
user alice
file data owner=alice pages=2
proc server user=alice {
  fd = open data rw
  va = mmap fd pages=0..1 shared rw
  mr = reg_mr va access=local_write,remote_write
}
proc admin user=alice { truncate data pages=0 }
expect admin.truncate returns EBUSY under linux
`;
  const h = memoryHost({ "/w.pin": text });
  assert.equal(await main(["run", "/w.pin", "--policy", "linux"], h), 1);
  const c = memoryHost({ "/w.pin": text });
  assert.equal(await main(["check", "/w.pin", "--policy", "linux"], c), 1);
  assert.match(c.stdout, /FAIL\s+admin\.truncate returns EBUSY under linux/);
});

test("check proves 'always' over every run and refutes it with a run that lacks it", async () => {
  const text = `scenario "always"
fs dax blocks=4
user alice
file data owner=alice pages=1
proc server user=alice {
  fd = open data rw
  va = mmap fd pages=0..0 shared rw
  mr = reg_mr va access=local_write,remote_write
}
expect always rdma-on-dax under unsafe,linux
`;
  const ok = memoryHost({ "/a.pin": text });
  assert.equal(await main(["check", "/a.pin", "--policy", "unsafe"], ok), 0);
  assert.match(
    ok.stdout,
    /ok\s+always rdma-on-dax under unsafe,linux\s+\(on every run, proved over \d+ states\)/,
  );
  const bad = memoryHost({ "/a.pin": text });
  assert.equal(await main(["check", "/a.pin", "--policy", "linux"], bad), 1);
  assert.match(
    bad.stdout,
    /FAIL\s+always rdma-on-dax under unsafe,linux\s+\(a run without it: \d+ steps\)/,
  );
});
