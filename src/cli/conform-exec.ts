/**
 * Where `pinlab conform`'s C programs run: the host kernel (compiled with gcc
 * and run here, as root) or a Debian kernel in a qemu guest (TCG) built by
 * scripts/conform-guest.sh. Each program prints `@@R <step> <result>` lines
 * (conform/runtime.h); this file compiles, runs and parses them.
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { release, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Target } from "../engine/conform/lower.js";

export const RUNTIME_DIR = fileURLToPath(new URL("../../conform/", import.meta.url));
export const SCRIPTS_DIR = fileURLToPath(new URL("../../scripts/", import.meta.url));
export const GUEST_CACHE = process.env.PINLAB_CONFORM_CACHE ?? "/var/cache/pinlab-conform";

/** What is missing to build the programs here, or undefined. */
export function hostToolsMissing(): string | undefined {
  const gcc = spawnSync("gcc", ["--version"], { stdio: "ignore" });
  if (gcc.error || gcc.status !== 0)
    return "gcc is missing; as root: bash scripts/ensure-conform-host.sh (apt-get install gcc)";
  if (!existsSync("/usr/include/liburing.h"))
    return "liburing-dev is missing; as root: bash scripts/ensure-conform-host.sh";
  return undefined;
}

export const hostHasVerbs = (): boolean =>
  existsSync("/usr/include/infiniband/verbs.h") &&
  existsSync("/sys/class/infiniband") &&
  readdirSync("/sys/class/infiniband").length > 0;

/** The host's filesystems for scenario files: an ext4 directory and a tmpfs one. */
export function hostTarget(work: string): { target: Target; notes: string[] } {
  const mounts = readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((l) => l.split(" "))
    .filter((f) => f.length > 2);
  const fsOf = (dir: string): string | undefined => {
    let best: string[] | undefined;
    for (const f of mounts)
      if (
        (dir === f[1] || dir.startsWith(`${f[1] === "/" ? "" : f[1]}/`)) &&
        (!best || f[1]!.length > best[1]!.length)
      )
        best = f;
    return best?.[2];
  };
  const notes: string[] = [];
  const dirs: Target["dirs"] = {};
  const ext = join(work, "ext4");
  mkdirSync(ext, { recursive: true });
  // The workers run as the scenario's unprivileged users: they must reach and create files.
  for (let d = ext; d.length > 1 && d !== tmpdir(); d = dirname(d))
    chmodSync(d, d === ext ? 0o1777 : 0o755);
  let fsKind: Target["fsKind"];
  if (fsOf(ext) === "ext4") {
    dirs.fs = ext;
    fsKind = "pagecache";
    notes.push(`page-cache files on ext4 (${ext})`);
  } else notes.push(`${ext} is ${fsOf(ext)}, not ext4: page-cache scenarios do not run here`);
  if (existsSync("/dev/shm") && fsOf("/dev/shm") === "tmpfs") {
    const t = mkdtempSync("/dev/shm/pinlab-conform-");
    chmodSync(t, 0o1777);
    dirs.tmpfs = t;
    notes.push(`tmpfs files in ${t}`);
  }
  const verbs = hostHasVerbs();
  if (!verbs) notes.push("no RDMA device on the host: reg_mr runs in the guests (rdma_rxe)");
  notes.push("no fs-DAX on the host: fs-DAX runs in the guests (emulated NVDIMM)");
  return { target: { dirs, ...(fsKind ? { fsKind } : {}), uring: true, verbs }, notes };
}

/** The release `linux(kernel=...)` models for a running kernel: the newest modelled release not newer. */
export function modelledRelease(kernel: string, kernels: readonly string[]): string {
  const m = /^(\d+)\.(\d+)/.exec(kernel);
  if (!m) return kernels[kernels.length - 1]!;
  const v = Number(m[1]) * 1000 + Number(m[2]);
  let best = kernels[0]!;
  for (const k of kernels) {
    const [a, b] = k.split(".").map(Number) as [number, number];
    if (a * 1000 + b <= v) best = k;
  }
  return best;
}

export const hostRelease = (): string => release();

/** Compiles one program; returns the binary's path or the compiler's complaint. */
export function compileProgram(
  dir: string,
  name: string,
  c: string,
  uring: boolean,
  verbs: boolean,
): { bin?: string; error?: string } {
  const src = join(dir, `${name}.c`);
  const bin = join(dir, `${name}.bin`);
  writeFileSync(src, c);
  const libs = [...(uring ? ["-luring"] : []), ...(verbs ? ["-libverbs"] : [])];
  const r = spawnSync("gcc", ["-O1", "-w", "-I", RUNTIME_DIR, "-o", bin, src, ...libs], {
    encoding: "utf8",
  });
  if (r.status !== 0) return { error: (r.stderr || String(r.error)).slice(0, 2000) };
  return { bin };
}

/** Parses `@@R <step> <result>` lines. */
export function parseResults(text: string): Map<number, string> {
  const out = new Map<number, string>();
  const waited = new Set<number>();
  for (const line of text.split("\n")) {
    const w = /^@@W (\d+)$/.exec(line.trim());
    if (w) waited.add(Number(w[1]));
    const m = /^@@R (\d+) (.*)$/.exec(line.trim());
    if (m) {
      const n = Number(m[1]);
      out.set(n, `${waited.has(n) ? "waits-then " : ""}${m[2]!.trim()}`);
    }
  }
  return out;
}

/** Runs a program on the host (as root: its workers take the scenario's users' uids). */
export function runOnHost(
  bin: string,
  timeoutMs: number,
): { results: Map<number, string>; notes: string[]; error?: string } {
  const r = spawnSync(bin, [], { encoding: "utf8", timeout: timeoutMs });
  const results = parseResults(r.stdout ?? "");
  const notes = programNotes(r.stdout ?? "");
  if (r.error) return { results, notes, error: `the program did not finish: ${r.error.message}` };
  return { results, notes };
}

/** A program's own notes (`@@N <text>`): why it did not start, say. */
export const programNotes = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((l) => /^@@N (.*)$/.exec(l.trim())?.[1])
    .filter((x): x is string => x !== undefined);

/** A prepared guest kernel, or what to do to get one. */
export function guestImage(
  v: string,
): { vmlinuz: string; initrd: string; release: string; xfs: boolean } | { missing: string } {
  const k = join(GUEST_CACHE, `kernel-${v}`);
  const vmlinuz = join(k, "vmlinuz");
  const initrd = join(k, "initrd.img");
  if (!existsSync(vmlinuz) || !existsSync(initrd))
    return {
      missing: `no ${v} guest image in ${GUEST_CACHE}; build it (downloads Debian's packages, ~100 MB): sudo bash scripts/conform-guest.sh ${v}`,
    };
  const q = spawnSync("qemu-system-x86_64", ["--version"], { stdio: "ignore" });
  if (q.error || q.status !== 0)
    return { missing: "qemu-system-x86_64 is missing; as root: apt-get install qemu-system-x86" };
  // Images built since xfsprogs joined the guest's packages also set up XFS with reflink.
  const mkfsXfs = join(GUEST_CACHE, "userland", "sbin", "mkfs.xfs");
  const xfs = existsSync(mkfsXfs) && statSync(initrd).mtimeMs >= statSync(mkfsXfs).mtimeMs;
  return { vmlinuz, initrd, release: readFileSync(join(k, "release"), "utf8").trim(), xfs };
}

/**
 * The guest's target: every backing the guest's init sets up. A scenario
 * written for XFS runs on XFS (made with reflink, so FICLONE runs) when the
 * image has xfsprogs; otherwise, and for a scenario written for ext4, on ext4.
 */
export function guestTarget(fsKind: "dax" | "pagecache", onXfs = false): Target {
  const fs = onXfs
    ? fsKind === "dax"
      ? "/mnt/xfsdax"
      : "/mnt/xfs"
    : fsKind === "dax"
      ? "/mnt/dax"
      : "/mnt/ext4";
  return {
    dirs: { fs, tmpfs: "/mnt/tmpfs" },
    fsKind,
    uring: true,
    verbs: true,
    reflink: onXfs,
    fsType: onXfs ? "xfs" : "ext4",
    // rdma-core 44 (bookworm) builds librxe without a rereg_mr verb: libibverbs
    // answers EOPNOTSUPP before the kernel's rxe_rereg_user_mr() is asked.
    noRereg:
      "the guest's rxe provider (rdma-core 44's librxe) has no rereg_mr verb: ibv_rereg_mr() answers EOPNOTSUPP without asking the kernel",
  };
}

export interface GuestRun {
  readonly results: Map<string, Map<number, string>>;
  readonly lines: string[];
  readonly error?: string;
  /** Wall-clock milliseconds of the qemu run: boot, programs and power-off. */
  readonly wallMs: number;
}

/** Boots the guest once with every program in /conform and collects each one's answers. */
export function runInGuest(
  img: { vmlinuz: string; initrd: string },
  programs: readonly { name: string; bin: string }[],
  timeoutMs: number,
  needs?: readonly string[],
): GuestRun {
  const work = mkdtempSync(join(tmpdir(), "pinlab-guest-"));
  try {
    const root = join(work, "root");
    mkdirSync(join(root, "conform"), { recursive: true });
    // The filesystems and devices the programs use (absent: the guest sets up all).
    if (needs) writeFileSync(join(root, "conform", "needs"), `${needs.join(" ")}\n`);
    for (const p of programs) execFileSync("cp", [p.bin, join(root, "conform", `${p.name}.bin`)]);
    const extra = join(work, "extra.cpio.gz");
    execFileSync("sh", [
      "-c",
      `cd '${root}' && find . | cpio -o -H newc --quiet | gzip -1 > '${extra}'`,
    ]);
    const initrd = join(work, "initrd.img");
    execFileSync("sh", ["-c", `cat '${img.initrd}' '${extra}' > '${initrd}'`]);
    const nv = join(work, "nvdimm.img");
    execFileSync("truncate", ["-s", "512M", nv]);
    // A second NVDIMM for XFS with -o dax (mkfs.xfs wants 300 MB at least, after the namespace's memmap).
    const nv2 = join(work, "nvdimm2.img");
    execFileSync("truncate", ["-s", "512M", nv2]);
    const args = [
      "-accel",
      "tcg",
      "-machine",
      "pc,nvdimm=on",
      "-cpu",
      "max",
      "-smp",
      "1",
      "-m",
      "512M,slots=2,maxmem=2G",
      "-object",
      `memory-backend-file,id=mem1,share=on,mem-path=${nv},size=512M`,
      "-device",
      "nvdimm,id=nvdimm1,memdev=mem1",
      "-object",
      `memory-backend-file,id=mem2,share=on,mem-path=${nv2},size=512M`,
      "-device",
      "nvdimm,id=nvdimm2,memdev=mem2",
      "-kernel",
      img.vmlinuz,
      "-initrd",
      initrd,
      "-append",
      // quiet: the serial console is slow under TCG; cryptomgr.notests: no crypto
      // self-tests at boot; mitigations=off: no speculation workarounds to emulate.
      "console=ttyS0 panic=-1 quiet loglevel=1 cryptomgr.notests mitigations=off",
      "-nographic",
      "-no-reboot",
      "-nodefaults",
      "-serial",
      "stdio",
    ];
    const t0 = performance.now();
    const r = spawnSync("qemu-system-x86_64", args, {
      encoding: "utf8",
      timeout: timeoutMs,
      maxBuffer: 64 * 2 ** 20,
    });
    const wallMs = performance.now() - t0;
    const out = r.stdout ?? "";
    const lines = out.split(/\r?\n/).filter((l) => l.startsWith("@@ "));
    let prog = "";
    for (const raw of out.split(/\r?\n/)) {
      const b = /^@@ begin (\S+)/.exec(raw.trim());
      if (b) prog = b[1]!;
      const n = /^@@N (.*)$/.exec(raw.trim());
      if (n) lines.push(`@@ note ${prog}: ${n[1]}`);
    }
    const results = new Map<string, Map<number, string>>();
    let cur: string | undefined;
    let buf: string[] = [];
    for (const raw of out.split(/\r?\n/)) {
      const l = raw.trim();
      const b = /^@@ begin (\S+)/.exec(l);
      if (b) {
        cur = b[1];
        buf = [];
        continue;
      }
      if (/^@@ end /.test(l) && cur) {
        results.set(cur, parseResults(buf.join("\n")));
        cur = undefined;
        continue;
      }
      if (cur) buf.push(l);
    }
    if (cur) results.set(cur, parseResults(buf.join("\n")));
    const done = lines.some((l) => l === "@@ done");
    return {
      results,
      lines,
      wallMs,
      ...(r.error || !done
        ? {
            error: r.error
              ? `qemu: ${r.error.message}`
              : `the guest stopped early: ${out.slice(-600)}`,
          }
        : {}),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
