/**
 * Running SPIN on a generated twin: `spin -a`, gcc, pan, each a process of
 * its own in a temporary directory, with pan's report parsed. Used by
 * `npm run bench:spin` and by spin-twin.test.ts; nothing here asserts.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type TwinPolicy = "wait" | "unsafe" | "revoke";

const onPath = (cmd: string): boolean =>
  spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;

/** Why SPIN cannot run here (spin or the C compiler is missing), or null. */
export function spinMissing(): string | null {
  const cc = process.env.CC || "gcc";
  if (!onPath("spin"))
    return "spin is not installed (bash scripts/ensure-spin.sh, or apt-get install spin)";
  if (!onPath(cc)) return `no C compiler (${cc}) to build pan`;
  return null;
}

/** One process, timed whole: wall clock here, CPU and peak RSS from GNU time when it is there. */
export interface Timed {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly wallMs: number;
  /** user + system CPU of the process and its children (null without /usr/bin/time). */
  readonly cpuMs: number | null;
  readonly maxRssMb: number | null;
}

const GNU_TIME = "/usr/bin/time";

export function timedSpawn(cmd: string, args: readonly string[], cwd?: string): Timed {
  const gnu = existsSync(GNU_TIME);
  const dir = gnu ? mkdtempSync(join(tmpdir(), "pinlab-time-")) : "";
  const out = join(dir, "time");
  const t0 = performance.now();
  const r = gnu
    ? spawnSync(GNU_TIME, ["-f", "%U %S %M", "-o", out, cmd, ...args], {
        cwd,
        encoding: "utf8",
        maxBuffer: 1 << 28,
      })
    : spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 1 << 28 });
  const wallMs = performance.now() - t0;
  let cpuMs: number | null = null;
  let maxRssMb: number | null = null;
  if (gnu) {
    try {
      const last = readFileSync(out, "utf8").trim().split("\n").at(-1) ?? "";
      const [u, s, m] = last.split(/\s+/).map(Number);
      if (Number.isFinite(u) && Number.isFinite(s)) cpuMs = (u! + s!) * 1000;
      if (Number.isFinite(m)) maxRssMb = m! / 1024;
    } catch {
      // GNU time wrote nothing: the figures stay unknown
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    status: r.status,
    stdout: r.stdout ?? "",
    stderr: `${r.stderr ?? ""}${r.error ? String(r.error) : ""}`,
    wallMs,
    cpuMs,
    maxRssMb,
  };
}

export interface PanBuild {
  readonly dir: string;
  /** spin -a plus gcc -O2, wall clock. */
  readonly buildMs: number;
}

const FLAG: Record<TwinPolicy, string> = { wait: "P_WAIT", unsafe: "P_UNSAFE", revoke: "P_REVOKE" };

/**
 * Writes the twin to a new temporary directory and builds pan: `spin -a`
 * then `gcc -O2 -DSAFETY` (the twin's properties are assertions and end
 * states: no cycle search), with `-DNOREDUCE` for the unreduced search.
 */
export function buildPan(
  pml: string,
  o: { readonly policy: TwinPolicy; readonly noreduce: boolean },
): PanBuild {
  const dir = mkdtempSync(join(tmpdir(), "pinlab-spin-"));
  writeFileSync(join(dir, "twin.pml"), pml);
  const cc = process.env.CC || "gcc";
  const a = timedSpawn("spin", [`-DPOLICY=${FLAG[o.policy]}`, "-a", "twin.pml"], dir);
  if (a.status !== 0) throw new Error(`spin -a failed: ${a.stdout}${a.stderr}`.trim());
  const flags = ["-O2", "-DSAFETY", "-DMEMLIM=16384", ...(o.noreduce ? ["-DNOREDUCE"] : [])];
  const c = timedSpawn(cc, [...flags, "-o", "pan", "pan.c"], dir);
  if (c.status !== 0) throw new Error(`${cc} failed on pan.c: ${c.stderr}`.trim());
  return { dir, buildMs: a.wallMs + c.wallMs };
}

export interface PanResult extends Timed {
  readonly states: number;
  /** Edges: pan's "transitions (= stored+matched)" less the one it counts for the initial state. */
  readonly edges: number;
  readonly depth: number;
  readonly errors: number;
  readonly vectorBytes: number;
  /** pan's own "total actual memory usage". */
  readonly panMemoryMb: number;
  /** The assertions pan reports violated (by the variable each asserts), and "invalid end state". */
  readonly violated: readonly string[];
}

/** Parses pan's report. */
export function parsePan(text: string): Omit<PanResult, keyof Timed> {
  const num = (re: RegExp) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : Number.NaN;
  };
  const violated = new Set<string>();
  for (const m of text.matchAll(/assertion violated (\w+)/g)) violated.add(m[1]!);
  if (/invalid end state/.test(text)) violated.add("invalid end state");
  return {
    states: num(/^\s*([0-9.e+]+) states, stored/m),
    edges: num(/^\s*([0-9.e+]+) transitions \(= stored\+matched\)/m) - 1,
    depth: num(/depth reached (\d+)/),
    errors: num(/errors: (\d+)/),
    vectorBytes: num(/State-vector (\d+) byte/),
    panMemoryMb: num(/^\s*([0-9.]+)\s+total actual memory usage/m),
    violated: [...violated].sort(),
  };
}

/**
 * Runs pan: an exhaustive search (-c0: on past errors, as pinlab's check
 * goes on), a hash table of 2^hashBits slots (size it to twice the states).
 */
export function runPan(b: PanBuild, hashBits = 24): PanResult {
  const t = timedSpawn("./pan", ["-m1000000", "-c0", `-w${hashBits}`], b.dir);
  const p = parsePan(t.stdout);
  if (!Number.isFinite(p.states))
    throw new Error(`pan did not finish in ${b.dir}: ${t.stdout.slice(-2000)}${t.stderr}`);
  return { ...t, ...p };
}

/** log2 of a hash table with at least twice as many slots as states. */
export const hashBitsFor = (states: number): number =>
  Math.max(10, Math.ceil(Math.log2(2 * Math.max(1, states))));

export function removeBuild(b: PanBuild): void {
  rmSync(b.dir, { recursive: true, force: true });
}
