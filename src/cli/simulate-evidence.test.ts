/**
 * A violation a simulation of a repeating workload finds is evidence: its
 * witness, shrunk from a run of hours, fits the bounds `check` and `replay`
 * keep (`bounds repeats`), its token replays, and `check` finds the same
 * property Sometimes.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { it } from "node:test";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("./main.js", import.meta.url));
const DOS = fileURLToPath(new URL("../../workloads/dos-engine.pin", import.meta.url));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", timeout: 120_000 });

it("a simulated foreign DMA in the DoS-engine workload replays, and check finds it", () => {
  const sim = cli(
    "simulate",
    DOS,
    "--policy",
    "unsafe",
    "--seeds",
    "4",
    "--horizon",
    "2h",
    "--json",
  );
  assert.equal(sim.status, 0, sim.stderr);
  const doc = JSON.parse(sim.stdout) as {
    policies: { violations: { property: string; steps: number; token: string }[] }[];
  };
  const v = doc.policies[0]!.violations.find((x) => x.property === "foreign-dma");
  assert.ok(v, "the simulation finds a foreign DMA under unsafe");
  assert.ok(v.token.startsWith("pl2."), "with a replay token");
  assert.ok(v.steps <= 30, `shrunk from hours of steps to ${v.steps}`);
  const replay = cli("replay", v.token);
  assert.equal(replay.status, 0, replay.stdout + replay.stderr);
  assert.match(replay.stdout, /foreign-dma\s+✗ Sometimes/);
  const check = cli("check", DOS, "--policy", "unsafe");
  assert.match(check.stdout, /foreign-dma\s+✗ Sometimes/);
});
