/**
 * deploy/slurm/ on a real Slurm: a single-node cluster on localhost
 * (scripts/slurm-localhost.sh: its own MUNGE, slurmctld and slurmd), a job
 * array of `compare --shard` and one of `simulate --shard`, each followed by
 * its merge job, and the merged results equal to one run of each. Skipped,
 * saying why, where it cannot run: not root, Slurm or MUNGE not installed
 * (scripts/ensure-slurm.sh installs them), or PINLAB_SKIP_SLURM=1.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { memoryHost } from "./host.js";
import { main } from "./main.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLUSTER = join(ROOT, "scripts/slurm-localhost.sh");
const SUBMIT = join(ROOT, "deploy/slurm/submit.sh");

function why(): string | null {
  if (process.env.PINLAB_SKIP_SLURM === "1") return "PINLAB_SKIP_SLURM=1";
  if (process.platform !== "linux") return "the single-node cluster runs on Linux only";
  if (process.getuid?.() !== 0)
    return "not root: slurmd and munged need root (run the suite as root, or sudo bash scripts/ensure-slurm.sh and then as root)";
  for (const x of ["sbatch", "squeue", "slurmctld", "slurmd", "munged"])
    if (spawnSync("sh", ["-c", `command -v ${x}`]).status !== 0)
      return `${x} is not installed: sudo bash scripts/ensure-slurm.sh installs Debian's slurm-wlm and munge`;
  return null;
}

const skip = why();
if (skip) process.stderr.write(`slurm test skipped: ${skip}\n`);

const COMPARE = ["core", "no-cancel", "replicas", "--policy", "unsafe", "--policy", "revoke"];
const WORKLOAD = join(ROOT, "workloads/dos-engine.pin");
const SIMULATE = [WORKLOAD, "--policy", "unsafe", "--seeds", "6", "--horizon", "1h"];

test("a Slurm job array of shards and its merge give the matrix and the simulation of one run", {
  skip: skip ?? false,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "pinlab-slurm-"));
  // A port of this run's own: other suites may run a cluster on the same machine.
  const port = String(20000 + (process.pid % 20000) * 2);
  const env = { ...process.env, PINLAB_SLURM_PORT: port };
  try {
    const up = spawnSync("bash", [CLUSTER, "start", join(dir, "cluster")], {
      env,
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(up.status, 0, `the cluster did not start: ${up.stderr}`);
    const conf = /SLURM_CONF=(\S+)/.exec(up.stdout)?.[1];
    assert.ok(conf, up.stdout);
    const run = (shards: string, n: number, args: readonly string[]) =>
      execFileSync("bash", [SUBMIT, String(n), ...args], {
        cwd: dir,
        encoding: "utf8",
        env: {
          ...env,
          SLURM_CONF: conf,
          PINLAB: join(ROOT, "pinlab"),
          PINLAB_SHARDS: join(dir, shards),
          SBATCH_ARGS: "--cpus-per-task=1",
        },
      }).trim();
    const jobs = [
      run("cmp", 3, ["compare", ...COMPARE]),
      run("sim", 2, ["simulate", ...SIMULATE, "--", "--json"]),
    ];
    for (const id of jobs) assert.match(id, /^\d+$/, `sbatch printed a job id (got '${id}')`);
    // One run of each, here, while the cluster works.
    const one = memoryHost();
    const sim = memoryHost();
    const here = Promise.all([
      main(["compare", ...COMPARE, "--workers", "1"], one),
      main(["simulate", ...SIMULATE, "--workers", "1", "--json"], sim),
    ]);
    // Both merges leave the queue when done.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const q: { status: number | null; stdout: string; stderr: string } = spawnSync(
        "squeue",
        ["-h", "-o", "%i %T"],
        {
          env: { ...env, SLURM_CONF: conf },
          encoding: "utf8",
        },
      );
      assert.equal(q.status, 0, q.stderr);
      if (q.stdout.trim() === "") break;
      assert.ok(Date.now() < deadline, `jobs still queued after 90 s:\n${q.stdout}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    const merged = (shards: string) => readFileSync(join(dir, shards, "merged.txt"), "utf8");

    const [c, m] = await here;
    assert.equal(c, 0, one.stderr);
    assert.equal(m, 0, sim.stderr);
    assert.equal(merged("cmp"), one.stdout, "the merged matrix is the matrix of one run");

    assert.equal(merged("sim"), sim.stdout, "the merged simulation is one run's, seed for seed");
  } finally {
    spawnSync("bash", [CLUSTER, "stop", join(dir, "cluster")], { env, timeout: 30_000 });
    rmSync(dir, { recursive: true, force: true });
  }
});
