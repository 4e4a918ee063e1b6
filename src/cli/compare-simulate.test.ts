/**
 * `compare --simulate`: measured cost columns beside the proved ones, in
 * every format, from a simulator passed in (a fake one here, whose figures
 * are known): each policy's worst workload, with the seeds and intervals said.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { Simulate, SimulateRequest } from "../engine/matrix/costs.js";
import { type CompareDoc, docDigest } from "../report/compare.js";
import { fakeSimulation } from "../testing/simulation.js";
import { compareWith } from "./commands/compare.js";
import { memoryHost } from "./host.js";
import { main } from "./main.js";

const core = readFileSync(new URL("../../scenarios/core.pin", import.meta.url), "utf8");

/** A directory of two workloads: "light" and "heavy" (the fake makes heavy three times as costly). */
function workloads(): string {
  const dir = mkdtempSync(join(tmpdir(), "pinlab-workloads-"));
  for (const w of ["light", "heavy"])
    writeFileSync(join(dir, `${w}.pin`), core.replace(/^scenario ".*"$/m, `scenario "${w}"`));
  return dir;
}

/** A fake simulator: revoke costs 1, wait 2, times 3 for the heavy workload; records what it was asked. */
function fake(calls: { spec: string; o: SimulateRequest }[]): Simulate {
  return (spec, o) => {
    calls.push({ spec: spec.name, o });
    const k = spec.name === "heavy" ? 3 : 1;
    return fakeSimulation(
      o.policies.map((p) => ({
        policy: p.name,
        params: p.params,
        scale: (p.name === "wait" ? 2 : 1) * k,
        ...(p.name === "revoke" && k === 3
          ? {
              violations: [
                { property: "foreign-dma", seed: 2, time: 90, steps: 8, token: "pl2.EXAMPLE" },
              ],
            }
          : {}),
      })),
      { scenario: spec.name, seeds: o.seeds, horizon: o.horizon ?? 3600 },
    );
  };
}

async function compare(
  extra: string[],
  dir: string,
  calls: { spec: string; o: SimulateRequest }[] = [],
) {
  const h = memoryHost();
  const argv = [
    "core",
    "--policy",
    "revoke",
    "--policy",
    "wait",
    "--workers",
    "1",
    "--simulate",
    "--workloads",
    dir,
    ...(extra.includes("--seeds") ? [] : ["--seeds", "4"]),
    ...(extra.includes("--horizon") ? [] : ["--horizon", "2h"]),
    ...extra,
  ];
  const status = await compareWith({ simulate: fake(calls) }).run(argv, h);
  return { status, h };
}

test("compare --simulate: the worst workload's mean and interval per policy, with seeds and horizon", async () => {
  const dir = workloads();
  try {
    const calls: { spec: string; o: SimulateRequest }[] = [];
    const { status, h } = await compare([], dir, calls);
    assert.equal(status, 0, h.stderr);
    // one simulation per workload, every policy at once, as asked
    assert.deepEqual(calls.map((c) => c.spec).sort(), ["heavy", "light"]);
    for (const c of calls) {
      assert.equal(c.o.seeds, 4);
      assert.equal(c.o.horizon, 7200);
      assert.equal(c.o.origin.kind, "text", "a workload's tokens carry its text");
      assert.deepEqual(c.o.policies.map((p) => p.name).sort(), ["revoke", "wait"]);
    }
    const out = h.stdout;
    assert.match(out, /measured costs \(simulated\)/);
    assert.match(out, /KILL\/h +COMM\/h +TRUNC p99 +STALL\/h/);
    // the heavy workload is the worst: revoke's kills 0.25 × 3 = 0.75 ± 0.15, wait's twice that
    assert.match(out, /^revoke +0\.75 \[0\.60, 0\.90\] +1\.5 \[1\.2, 1\.8\]/m);
    assert.match(out, /^wait +1\.5 \[1\.2, 1\.8\] +3 \[2\.4, 3\.6\]/m);
    assert.match(out, /seeds 1-4 \(2\.00 h each\)/);
    assert.match(out, /mean over the seeds with its 95 % confidence interval/);
    assert.match(
      out.replace(/\n {4}/g, " "),
      /revoke \/ foreign-dma in \S*heavy\.pin, seed 2 at 90\.0 s, 8 steps: pinlab replay pl2\.EXAMPLE/,
    );
    // the per-workload lines show the light one too
    assert.match(out, /light\.pin {2}light/);
    // the proved matrix is still there, above
    assert.ok(out.indexOf("FDMA") < out.indexOf("measured costs"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("compare --simulate in --md, --mail, --json and --html", async () => {
  const dir = workloads();
  try {
    const md = await compare(["--md"], dir);
    assert.equal(md.status, 0, md.h.stderr);
    const head = md.h.stdout.split("\n").find((l) => l.startsWith("| policy |"))!;
    assert.match(head, /\| KILL\/h \| COMM\/h \| TRUNC p99 \| STALL\/h \|$/);
    const row = md.h.stdout.split("\n").find((l) => l.startsWith("| revoke |"))!;
    assert.equal(row.split("|").length, head.split("|").length, "as many cells as headings");
    assert.match(row, /\| 0\.75 \[0\.60, 0\.90\] \|/);
    assert.match(md.h.stdout, /Measured costs: measured by simulation: 2 workloads/);

    const mail = await compare(["--mail"], dir);
    for (const l of mail.h.stdout.split("\n")) assert.ok(l.length <= 72, `over 72 columns: ${l}`);
    assert.match(mail.h.stdout, /measured costs/);

    const json = await compare(["--json"], dir);
    const doc = JSON.parse(json.h.stdout) as CompareDoc;
    assert.ok(doc.simulation);
    assert.equal(doc.simulation.costs.length, 4);
    assert.equal(doc.simulation.seeds, 4);
    assert.equal(doc.simulation.horizon, 7200);
    const { digest, ...body } = doc;
    assert.equal(docDigest(body), digest, "the digest covers the simulated part");

    const html = await compare(["--html", "/r.html"], dir);
    const page = html.h.files["/r.html"]!;
    assert.match(page, /measured costs \(simulated\)/);
    assert.equal((page.match(/<td class="measured">/g) ?? []).length, 2 * 4 + 4 * 4);
    assert.match(page, /pinlab replay pl2\.EXAMPLE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("compare --simulate refuses what it cannot do", async () => {
  const dir = workloads();
  const empty = mkdtempSync(join(tmpdir(), "pinlab-empty-"));
  try {
    const h1 = memoryHost();
    assert.equal(await main(["compare", "core", "--seeds", "3"], h1), 2);
    assert.match(h1.stderr, /--seeds goes with --simulate/);
    const h2 = memoryHost();
    assert.equal(await compareWith({ simulate: null }).run(["core", "--simulate"], h2), 2);
    assert.match(h2.stderr, /needs the timed simulator/);
    const h3 = (await compare(["--shard", "1/2"], dir)).h;
    assert.match(h3.stderr, /does not go with --shard/);
    const r4 = await compare(["--seeds", "1"], dir);
    assert.equal(r4.status, 2);
    assert.match(r4.h.stderr, /a confidence interval needs two seeds/);
    const r5 = await compare([], empty);
    assert.equal(r5.status, 2);
    assert.match(r5.h.stderr, /has no \.pin file/);
    const r6 = await compare(["--horizon", "soon"], dir);
    assert.equal(r6.status, 2);
    assert.match(r6.h.stderr, /--horizon expects a positive duration/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  }
});
