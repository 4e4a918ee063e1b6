/**
 * `pinlab conform [scenarios...] [--kernel host|6.1|6.12|all]`: runs each
 * scenario's schedules, lowered to C, on real kernels and compares every
 * operation's answer with the `linux` policy's for the same kernel release.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Lowered, lowerSchedule, type Target } from "../../engine/conform/lower.js";
import { runSchedule } from "../../engine/run/exec.js";
import { compile } from "../../model/compile.js";
import type { Policy } from "../../model/policy.js";
import type { ScenarioSpec } from "../../model/spec.js";
import { makePolicy } from "../../policies/index.js";
import { KERNELS } from "../../policies/linux.js";
import { PROPERTIES } from "../../properties/index.js";
import {
  type ConformSchedule,
  type ConformTarget,
  conformHtml,
  conformJson,
  counts,
  judge,
  renderConform,
} from "../../report/conform.js";
import { flag, opt, parseArgs } from "../args.js";
import type { Command } from "../command.js";
import {
  compileProgram,
  guestImage,
  guestTarget,
  hostRelease,
  hostTarget,
  hostToolsMissing,
  modelledRelease,
  runInGuest,
  runOnHost,
} from "../conform-exec.js";
import { EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, type Host } from "../host.js";
import { loadScenario } from "../scenarios.js";

/** The guests the harness builds (scripts/conform-guest.sh). */
export const GUESTS: readonly string[] = ["6.1", "6.12"];

const USAGE = `pinlab conform [scenarios...] [--kernel host|6.1|6.12|all] [options]

Checks the linux policy against real kernels. Each scenario's schedules
(the model's own interleavings: seed 0, then seeded random ones, up to
--schedules) are lowered to C programs that do the same operations in the
same order (open, mmap, memfd and seals, ftruncate, fallocate, FICLONE,
F_SETLEASE and lease-break signals, fork, munmap, loads and stores, io_uring
buffers via liburing, ibv_reg_mr and RDMA WRITE/READ through a loopback QP
over rdma_rxe),
compiled with gcc and run on the host kernel (as root) or in qemu guests of
Debian's kernels. Every operation's answer (ok, errno, signal, blocks, and
each RDMA completion's status and QP state) is compared with what
linux(kernel=K) predicts for the same schedule: match,
mismatch (both shown) or not runnable here (and why).

  scenarios            bundled names or .pin files (default: core memfd-seal iouring-fixed
                       gup-longterm-memfd gup-longterm-tmpfs gup-longterm-disk gup-longterm-iouring)
  --kernel K           host (default), 6.1, 6.12 (qemu guests) or all
  --schedules N        schedules per scenario (default 1)
  --timeout-ms T       how long an operation may take before it counts as blocking (default 1000)
  --param kernel=R     compare the host against linux(kernel=R) instead of the release it runs
  --json               print the results as JSON (schema pinlab.conform/1)
  --html FILE          also write the results as an HTML page (or add them to
                       the compare report: pinlab compare --html F --conform results.json)

Needs gcc and liburing-dev (sudo bash scripts/ensure-conform-host.sh); the
guests need qemu-system-x86 and images (sudo bash scripts/conform-guest.sh).
Exit status: 0 every runnable operation matches, 1 a mismatch, 2 bad input,
3 nothing could run (a tool or image is missing).`;

export const DEFAULT_CONFORM_SCENARIOS = [
  "core",
  "memfd-seal",
  "iouring-fixed",
  "gup-longterm-memfd",
  "gup-longterm-tmpfs",
  "gup-longterm-disk",
  "gup-longterm-iouring",
];

interface Planned {
  readonly scenario: string;
  readonly seed: number;
  readonly policy: string;
  readonly lowered: Lowered;
}

/** The schedules of one scenario under linux(kernel=release), lowered for a target. */
export function plan(
  spec: ScenarioSpec,
  name: string,
  release: string,
  target: (spec: ScenarioSpec) => Target,
  schedules: number,
  patch?: (p: Policy) => Policy,
): Planned[] | string {
  const p = makePolicy("linux", { kernel: release });
  if (!p.ok) return p.error;
  const c = compile(spec, patch ? patch(p.policy) : p.policy);
  if (!c.ok) return c.errors[0]?.message ?? "does not compile";
  const seen = new Set<string>();
  const out: Planned[] = [];
  for (let seed = 0; out.length < schedules && seed < schedules * 4; seed++) {
    const run = runSchedule(c.model, {
      seed,
      faultWeight: 0,
      properties: PROPERTIES,
      keepStates: true,
    });
    const key = run.steps.map((s) => s.action).join(",");
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      scenario: name,
      seed,
      policy: `linux(kernel=${release})`,
      lowered: lowerSchedule(spec, c.model, run.steps, target(spec), run.states),
    });
  }
  return out;
}

function toSchedule(pl: Planned, results: Map<number, string> | undefined): ConformSchedule {
  return {
    scenario: pl.scenario,
    seed: pl.seed,
    policy: pl.policy,
    rows: pl.lowered.rows.map((r) =>
      judge(
        r,
        r.notRunnable
          ? undefined
          : (results?.get(r.step) ?? (pl.lowered.c ? undefined : "not-run")),
      ),
    ),
  };
}

export const conformCommand: Command = {
  name: "conform",
  summary:
    "check the linux policy against real kernels (host, and Debian's 6.1 and 6.12 under qemu)",
  usage: USAGE,
  run(argv, host) {
    const parsed = parseArgs(argv, [
      { name: "kernel", value: true },
      { name: "schedules", value: true },
      { name: "timeout-ms", value: true },
      { name: "param", value: true },
      { name: "json", value: false },
      { name: "html", value: true },
    ]);
    if (!parsed.ok) return bad(host, parsed.error);
    const a = parsed.args;
    const k = opt(a, "kernel") ?? "host";
    const valid = ["host", "all", ...GUESTS];
    if (!valid.includes(k)) return bad(host, `--kernel must be ${valid.join(", ")} (got ${k})`);
    const sched = opt(a, "schedules") ?? "1";
    if (!/^[1-9]\d*$/.test(sched))
      return bad(host, `--schedules expects a positive integer (got '${sched}')`);
    const tmo = opt(a, "timeout-ms") ?? "1000";
    if (!/^[1-9]\d*$/.test(tmo))
      return bad(host, `--timeout-ms expects a positive integer (got '${tmo}')`);
    let forced: string | undefined;
    const param = opt(a, "param");
    if (param !== undefined) {
      const m = /^kernel=(.+)$/.exec(param);
      if (!m || !KERNELS.includes(m[1]!))
        return bad(host, `--param takes kernel=${KERNELS.join("|")} (got ${param})`);
      forced = m[1];
    }
    const names = a.positionals.length > 0 ? a.positionals : DEFAULT_CONFORM_SCENARIOS;
    const specs: { name: string; spec: ScenarioSpec }[] = [];
    for (const n of names) {
      const l = loadScenario(n, host);
      if (!l.ok) return bad(host, l.error, l.exit);
      specs.push({ name: n, spec: l.spec });
    }
    const targets: ConformTarget[] = [];
    const missing = hostToolsMissing();
    const work = mkdtempSync(join(tmpdir(), "pinlab-conform-"));
    try {
      for (const t of k === "all" ? ["host", ...GUESTS] : [k]) {
        if (missing) {
          targets.push({ target: t, unavailable: missing, notes: [], schedules: [] });
          continue;
        }
        if (t === "host") targets.push(hostRun(specs, work, Number(sched), Number(tmo), forced));
        else targets.push(guestRun(t, specs, work, Number(sched), Number(tmo)));
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    if (flag(a, "json")) host.out(`${JSON.stringify(conformJson(targets), null, 2)}\n`);
    else host.out(renderConform(targets));
    const html = opt(a, "html");
    if (html !== undefined) writeFileSync(html, conformHtml(targets));
    const c = counts(targets);
    if (c.mismatch > 0) return EXIT_FAILED;
    if (c.match === 0) {
      for (const t of targets)
        if (t.unavailable) host.err(`pinlab conform: ${t.target}: ${t.unavailable}\n`);
      return 3;
    }
    return EXIT_OK;
  },
};

export function hostRun(
  specs: readonly { name: string; spec: ScenarioSpec }[],
  work: string,
  schedules: number,
  timeoutMs: number,
  forced: string | undefined,
  patch?: (p: Policy) => Policy,
): ConformTarget {
  const running = hostRelease();
  const rel = forced ?? modelledRelease(running, KERNELS);
  const dir = join(work, "host");
  const { target, notes } = hostTarget(dir);
  notes.unshift(`model: linux(kernel=${rel}) for the running ${running}`);
  const out: ConformSchedule[] = [];
  let i = 0;
  for (const { name, spec } of specs) {
    const pl = plan(spec, name, rel, () => target, schedules, patch);
    if (typeof pl === "string") {
      notes.push(`${name}: ${pl}`);
      continue;
    }
    for (const p of pl) {
      if (!p.lowered.c) {
        out.push(toSchedule(p, undefined));
        continue;
      }
      const bin = compileProgram(work, `h${i++}`, p.lowered.c, p.lowered.uring, p.lowered.verbs);
      if (!bin.bin)
        throw new Error(`pinlab bug: a generated program does not compile: ${bin.error}`);
      // A row that is still running when its time is up gets two more timeouts (runtime.h drive).
      const r = runOnHost(bin.bin, timeoutMs * (3 * p.lowered.rows.length + 4) + 10_000);
      if (r.error) notes.push(`${name}: ${r.error}`);
      for (const n of r.notes) notes.push(`${name}: ${n}`);
      out.push(toSchedule(p, r.results));
    }
  }
  return { target: "host", release: running, notes, schedules: out };
}

export function guestRun(
  v: string,
  specs: readonly { name: string; spec: ScenarioSpec; patch?: (p: Policy) => Policy }[],
  work: string,
  schedules: number,
  timeoutMs: number,
  patch?: (p: Policy) => Policy,
): ConformTarget {
  const img = guestImage(v);
  if ("missing" in img) return { target: v, unavailable: img.missing, notes: [], schedules: [] };
  const notes: string[] = [
    `model: linux(kernel=${v}); guest kernel ${img.release} under qemu (TCG)`,
  ];
  const planned: { p: Planned; name?: string }[] = [];
  const programs: { name: string; bin: string }[] = [];
  let i = 0;
  for (const { name, spec, patch: own } of specs) {
    const onXfs = (spec.fs.flavor ?? "xfs") === "xfs";
    if (onXfs && !img.xfs && !notes.some((n) => n.startsWith(`${name}:`)))
      notes.push(
        `${name}: written for XFS, run on ext4 (the order of layout-change checks differs; an image with xfsprogs runs it on XFS: sudo bash scripts/conform-guest.sh ${v})`,
      );
    const pl = plan(
      spec,
      name,
      v,
      (s) => guestTarget(s.fs.kind, onXfs && img.xfs),
      schedules,
      own ?? patch,
    );
    if (typeof pl === "string") {
      notes.push(`${name}: ${pl}`);
      continue;
    }
    for (const p of pl) {
      if (!p.lowered.c) {
        planned.push({ p });
        continue;
      }
      const pname = `g${String(i++).padStart(3, "0")}`;
      const bin = compileProgram(work, pname, p.lowered.c, p.lowered.uring, p.lowered.verbs);
      if (!bin.bin)
        throw new Error(`pinlab bug: a generated program does not compile: ${bin.error}`);
      programs.push({ name: pname, bin: bin.bin });
      planned.push({ p, name: pname });
    }
  }
  // What the programs use: the guest sets up only that (conform/guest-init.sh need).
  const needs = new Set<string>();
  for (const { p } of planned) {
    const c = p.lowered.c ?? "";
    for (const [dir, word] of [
      ["/mnt/dax", "dax"],
      ["/mnt/ext4", "ext4"],
      ["/mnt/xfs", "xfs"],
      ["/mnt/xfsdax", "xfsdax"],
    ] as const)
      if (c.includes(`"${dir}"`) || c.includes(`"${dir}/`)) needs.add(word);
    if (p.lowered.verbs) needs.add("rxe");
  }
  const g = runInGuest(img, programs, 60_000 + programs.length * timeoutMs * 20, [...needs]);
  for (const l of g.lines)
    if (l.startsWith("@@ have") || l.startsWith("@@ note")) {
      // A program's own note names its scenario and schedule.
      const own = /^@@ note (g\d+): (.*)$/.exec(l);
      const pl = own && planned.find((x) => x.name === own[1]);
      notes.push(pl ? `${pl.p.scenario} (seed ${pl.p.seed}): ${own![2]}` : l.slice(3));
    }
  // The guest's uptime at each phase (conform/guest-init.sh stamp): where the boot's time goes.
  const at = new Map<string, number>();
  for (const l of g.lines) {
    const t = /^@@ time (\S+) ([\d.]+)$/.exec(l.trim());
    if (t) at.set(t[1]!, Number(t[2]));
  }
  const init = at.get("init");
  const setup = at.get("rxe");
  const end = at.get("programs");
  const phases =
    init !== undefined && setup !== undefined && end !== undefined
      ? ` (kernel boot ${init.toFixed(1)} s, setup ${(setup - init).toFixed(1)} s, programs ${(end - setup).toFixed(1)} s)`
      : "";
  notes.push(
    `guest time: ${(g.wallMs / 1000).toFixed(1)} s for qemu, boot, programs and power-off${phases}`,
  );
  if (g.error) notes.push(g.error);
  const out = planned.map(({ p, name }) => toSchedule(p, name ? g.results.get(name) : undefined));
  return { target: v, release: img.release, notes, schedules: out };
}

function bad(host: Host, message: string, exit = EXIT_BAD_INPUT): number {
  host.err(`pinlab conform: ${message}\n`);
  return exit;
}
