/**
 * deploy/ without a cluster: the Slurm job scripts run as the array's tasks
 * would (SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT set by hand), and
 * the commands of the Kubernetes Indexed Jobs run as their pods would
 * (JOB_COMPLETION_INDEX from 0), each followed by its merge; the merged
 * output is one run's. The job files agree with themselves: completions
 * equal PINLAB_SHARD_COUNT. (src/cli/slurm.test.ts runs the Slurm path on a
 * real Slurm.)
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { memoryHost } from "./host.js";
import { main } from "./main.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PINLAB = join(ROOT, "pinlab");
const ARGS = ["core", "no-cancel", "--policy", "unsafe", "--policy", "wait"];

async function oneRun(): Promise<string> {
  const h = memoryHost();
  assert.equal(await main(["compare", ...ARGS, "--workers", "1"], h), 0, h.stderr);
  return h.stdout;
}

test("the Slurm job scripts: each array task runs its shard, the merge job joins them into one run's matrix", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pinlab-sbatch-"));
  try {
    const env = { ...process.env, PINLAB, PINLAB_SHARDS: join(dir, "shards") };
    for (const i of [1, 2, 3]) {
      const r = spawnSync("bash", [join(ROOT, "deploy/slurm/shard.sbatch"), "compare", ...ARGS], {
        cwd: dir,
        encoding: "utf8",
        env: { ...env, SLURM_ARRAY_TASK_ID: String(i), SLURM_ARRAY_TASK_COUNT: "3" },
      });
      assert.equal(r.status, 0, r.stderr);
      const doc = JSON.parse(readFileSync(join(dir, "shards", `shard-${i}.json`), "utf8"));
      assert.deepEqual(doc.shard, { index: i, count: 3 });
    }
    // An array that does not start at 1 is refused: shard I of N is task I.
    const off = spawnSync("bash", [join(ROOT, "deploy/slurm/shard.sbatch"), "compare"], {
      cwd: dir,
      encoding: "utf8",
      env: {
        ...env,
        SLURM_ARRAY_TASK_ID: "0",
        SLURM_ARRAY_TASK_COUNT: "3",
        SLURM_ARRAY_TASK_MIN: "0",
        SLURM_ARRAY_TASK_MAX: "2",
      },
    });
    assert.equal(off.status, 2);
    assert.match(off.stderr, /--array=1-3/);
    const m = spawnSync("bash", [join(ROOT, "deploy/slurm/merge.sbatch")], {
      cwd: dir,
      encoding: "utf8",
      env,
    });
    assert.equal(m.status, 0, m.stderr);
    const one = await oneRun();
    assert.equal(m.stdout, one);
    assert.equal(readFileSync(join(dir, "shards", "merged.txt"), "utf8"), one);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A field of a job file: the first `name: value` line's value, unquoted. */
function field(yaml: string, name: string): string {
  const m = new RegExp(`^\\s*${name}:\\s*"?([^"\\n]*)"?\\s*$`, "m").exec(yaml);
  assert.ok(m, `no ${name} in the job file`);
  return m[1]!;
}

/** The shell command of a job file's container (`args: - >-` folded lines, or a one-line list). */
function command(yaml: string): string {
  const folded = /args:\n\s*- >-\n((?:\s{14,}.*\n)+)/.exec(yaml);
  if (folded)
    return folded[1]!
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .join(" ");
  const inline = /args: \["(.*)"\]/.exec(yaml);
  assert.ok(inline, "no container command in the job file");
  return inline[1]!;
}

test("the Kubernetes Indexed Jobs: completions match the shard count, and their pods' commands merge into one run's matrix", async () => {
  const k8s = (f: string) => readFileSync(join(ROOT, "deploy/k8s", f), "utf8");
  for (const f of ["compare-shards.yaml", "simulate-shards.yaml"]) {
    const y = k8s(f);
    assert.equal(field(y, "completionMode"), "Indexed", f);
    assert.equal(
      field(y, "completions"),
      field(y, "value"),
      `${f}: completions = PINLAB_SHARD_COUNT`,
    );
    assert.match(command(y), /--shard \$\(\(JOB_COMPLETION_INDEX \+ 1\)\)\/\$PINLAB_SHARD_COUNT/);
  }
  const dir = mkdtempSync(join(tmpdir(), "pinlab-k8s-"));
  try {
    // `pinlab` on PATH as in the image (deploy/Dockerfile); /shards is the pods' shared volume.
    mkdirSync(join(dir, "bin"));
    mkdirSync(join(dir, "shards"));
    writeFileSync(
      join(dir, "bin", "pinlab"),
      `#!/bin/sh\nexec node ${JSON.stringify(join(ROOT, "dist/cli/main.js"))} "$@"\n`,
      { mode: 0o755 },
    );
    const shards = join(dir, "shards");
    const env = { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}` };
    const y = k8s("compare-shards.yaml");
    const n = Number(field(y, "completions"));
    const shard = command(y).replaceAll("/shards", shards);
    for (let k = 0; k < n; k++) {
      const r = spawnSync("/bin/sh", ["-c", shard], {
        encoding: "utf8",
        env: {
          ...env,
          JOB_COMPLETION_INDEX: String(k),
          PINLAB_SHARD_COUNT: String(n),
          PINLAB_ARGS: ARGS.join(" "),
        },
      });
      assert.equal(r.status, 0, r.stderr);
    }
    const merge = command(k8s("merge.yaml")).replaceAll("/shards", shards);
    const m = spawnSync("/bin/sh", ["-c", merge], {
      encoding: "utf8",
      env: { ...env, PINLAB_MERGE_ARGS: "" },
    });
    assert.equal(m.status, 0, m.stderr);
    assert.equal(m.stdout, await oneRun());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
