import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { type Lowered, lowerSchedule, type Target } from "../engine/conform/lower.js";
import { runSchedule } from "../engine/run/exec.js";
import { compile } from "../model/compile.js";
import { makePolicy } from "../policies/index.js";
import { PROPERTIES } from "../properties/index.js";
import { RUNTIME_DIR } from "./conform-exec.js";
import { nodeHost } from "./host.js";
import { loadScenario } from "./scenarios.js";

const CASES = fileURLToPath(new URL("../../conform/cases/", import.meta.url));

function lower(name: string, target: Target, seed = 0, keepStates = false): Lowered {
  const l = loadScenario(name, nodeHost());
  if (!l.ok) throw new Error(l.error);
  const p = makePolicy("linux", {});
  assert.ok(p.ok);
  const c = compile(l.spec, p.policy);
  assert.ok(c.ok);
  const run = runSchedule(c.model, { seed, faultWeight: 0, properties: PROPERTIES, keepStates });
  return lowerSchedule(l.spec, c.model, run.steps, target, run.states);
}

const gcc = spawnSync("gcc", ["--version"], { stdio: "ignore" });
const noGcc = gcc.error || gcc.status !== 0 ? "gcc is missing" : false;
const haveVerbsH = spawnSync("sh", ["-c", "test -e /usr/include/infiniband/verbs.h"]).status === 0;

/** gcc -fsyntax-only over conform/runtime.h: the generated program is C the compiler takes. */
function syntaxOk(low: Lowered): void {
  assert.ok(low.c, low.why);
  const dir = mkdtempSync(join(tmpdir(), "pinlab-lower-test-"));
  try {
    const src = join(dir, "p.c");
    writeFileSync(src, low.c);
    const r = spawnSync(
      "gcc",
      ["-fsyntax-only", "-Wall", "-Werror=implicit-function-declaration", "-I", RUNTIME_DIR, src],
      {
        encoding: "utf8",
      },
    );
    assert.equal(r.status, 0, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pagecache: Target = {
  dirs: { fs: "/mnt/ext4", tmpfs: "/mnt/tmpfs" },
  fsKind: "pagecache",
  uring: true,
  verbs: true,
};

test("leases: F_SETLEASE, F_SETSIG, the signal's delivery, the handler's F_UNLCK and the timer become C", {
  skip: noGcc,
}, () => {
  const low = lower(join(CASES, "lease-break-handler.pin"), pagecache);
  const c = low.c ?? "";
  assert.match(c, /do_setlease\(V\[0\]\[\d+\], F_RDLCK\)/);
  assert.match(c, /fcntl\(\(int\)V\[0\]\[\d+\], F_SETSIG, 10\)/);
  assert.match(c, /set_lease_break_time\(\);/);
  assert.match(c, /lease_timer\(\d+\);/);
  assert.match(c, /return release_leases\(\);/);
  // The holder handles SIGIO (bit 29); the sleeper SIGIO and its F_SETSIG signal SIGUSR1 (bit 10).
  assert.match(c, /take_signal\(0x20000000ULL\)/);
  // The breaker's truncate must block in truncate(2) itself (x86-64 number 76), not elsewhere.
  assert.match(c, /call_of = calls;/);
  assert.match(c, /case \d+: return 76;/);
  assert.match(c, /take_signal\(0x20000400ULL\)/);
  const timer = low.rows.find((r) => r.actor === "kernel");
  assert.equal(timer?.model, "ok");
  assert.equal(timer?.notRunnable, undefined);
  syntaxOk(low);
  // Without a handler, the lease-break signal kills the holder (SIGIO's default action).
  const dfl = lower(join(CASES, "lease-break-sigio.pin"), pagecache);
  assert.equal(
    dfl.rows.find((r) => r.op === "takes the lease-break signal")?.model,
    "killed SIGIO",
  );
  syntaxOk(dfl);
});

test("a layout lease (RFC) is lowered with flag bits no kernel knows: the model says EINVAL", () => {
  const low = lower("sigio-default", { ...pagecache, dirs: { fs: "/mnt/dax" }, fsKind: "dax" });
  assert.match(
    low.c ?? "",
    /do_setlease\(V\[0\]\[\d+\], F_RDLCK \| 16 \/\* F_LAYOUT \(RFC\) \*\/\)/,
  );
  assert.equal(low.rows.find((r) => r.op.startsWith("setlease"))?.model, "errno EINVAL");
});

test("RDMA WRITE and READ through a loopback QP: each completion's status and the QP's state", {
  skip: noGcc || (!haveVerbsH && "libibverbs-dev is missing"),
}, () => {
  const low = lower(join(CASES, "rdma-loopback.pin"), pagecache);
  const c = low.c ?? "";
  assert.ok(low.verbs);
  assert.match(c, /#define CONFORM_VERBS 1/);
  assert.match(c, /links\(3\);/);
  assert.match(c, /start_peer\(\d+, 0\);/);
  assert.match(c, /return send_rkey\(0, V\[0\]\[\d+\]\);/);
  assert.match(c, /return peer_recv\(0, 0, &V\[0\]\[\d+\]\);/);
  assert.match(c, /peer_rdma\(0, V\[0\]\[\d+\], 0, 0, 0\)/); // the reader's READ, no data check without states
  assert.match(c, /return EXITCODE;/);
  const models = low.rows
    .filter((r) => r.op.startsWith("rdma_"))
    .map((r) => `${r.actor}: ${r.model}`);
  assert.ok(models.includes("reader: wc SUCCESS qp=RTS"), models.join("; "));
  assert.ok(models.includes("reader: wc REM_ACCESS_ERR qp=ERR"), models.join("; "));
  assert.ok(models.includes("orphan: wc RETRY_EXC_ERR qp=ERR"), models.join("; "));
  syntaxOk(low);
  // Without an RDMA device the peers do not run, and say why.
  const host = lower(join(CASES, "rdma-loopback.pin"), { ...pagecache, verbs: false });
  assert.match(host.rows.find((r) => r.actor === "reader")?.notRunnable ?? "", /no RDMA device/);
});

test("FICLONE runs where the filesystem has reflink, and says why not elsewhere", {
  skip: noGcc,
}, () => {
  const dax: Target = {
    dirs: { fs: "/mnt/xfsdax" },
    fsKind: "dax",
    uring: true,
    verbs: true,
    reflink: true,
    fsType: "xfs",
  };
  const low = lower("reflink", dax);
  assert.match(low.c ?? "", /ioctl\(\(int\)V\[0\]\[\d+\], FICLONE, \(int\)V\[0\]\[\d+\]\)/);
  assert.match(low.c ?? "", /require_fs\("\/mnt\/xfsdax", 0x58465342, "xfs \(fs-DAX\)"\)/);
  syntaxOk(low);
  const ext4 = lower("reflink", {
    ...dax,
    reflink: false,
    fsType: "ext4",
    dirs: { fs: "/mnt/dax" },
  });
  assert.match(ext4.rows.find((r) => r.op.includes("reflink"))?.notRunnable ?? "", /FICLONE needs/);
});

test("cow.c's content check: with the run's states, a device access says whether the mapping shows the pinned page", {
  skip: noGcc || (!haveVerbsH && "libibverbs-dev is missing"),
}, () => {
  const model = (low: Lowered, op: RegExp) => low.rows.find((r) => op.test(r.op))?.model;
  // MADV_DONTNEED zaps the pinned page's PTE; the next store maps a new page.
  const dn = lower(join(CASES, "iouring-dontneed-data.pin"), pagecache, 0, true);
  assert.equal(model(dn, /^before:/), "ok data=mapping");
  assert.equal(model(dn, /^after:/), "ok data=stale");
  assert.equal(model(dn, /^into:/), "ok data=stale");
  assert.match(dn.c ?? "", /uring_fixed\(V\[0\]\[\d+\], 0, 0, 1\)/);
  // Each store writes a value of its own (the step's), which the check compares.
  assert.match(dn.c ?? "", /touch\(V\[0\]\[\d+\], 0, 7\)/); // step 6: (6 % 127) + 1
  syntaxOk(dn);
  // fork() after and before a R/O pin: the parent's write reaches the pinned page in both.
  const fork = lower(join(CASES, "cow-rdma-fork.pin"), pagecache, 0, true);
  assert.equal(model(fork, /^r1:/), "wc SUCCESS qp=RTS data=mapping");
  assert.equal(model(fork, /^r2:/), "wc SUCCESS qp=RTS data=mapping");
  assert.match(fork.c ?? "", /peer_rdma\(0, V\[0\]\[\d+\], 0, 0, 1\)/);
  syntaxOk(fork);
  // Without the states there is nothing to compare: the rows are the answers alone.
  assert.equal(model(lower(join(CASES, "iouring-dontneed-data.pin"), pagecache), /^after:/), "ok");
});

test("chown, FS_IOC_FSSETXATTR and FIDEDUPERANGE become C; rereg_mr, memory_failure and hca_reset say why not", {
  skip: noGcc || (!haveVerbsH && "libibverbs-dev is missing"),
}, () => {
  const attr = lower(join(CASES, "file-attr-ops.pin"), pagecache);
  const c = attr.c ?? "";
  assert.match(c, /do_fssetxattr\(V\[0\]\[\d+\], 1\)/);
  assert.match(c, /do_dedupe\(V\[0\]\[\d+\], V\[0\]\[\d+\], 0, 1\)/);
  assert.match(c, /chown\("\/mnt\/ext4\/data", 61001, -1\)/); // bob is the second user
  assert.deepEqual(
    attr.rows.filter((r) => r.notRunnable),
    [],
  );
  syntaxOk(attr);
  // The guest's rxe provider has no rereg_mr verb; elsewhere an access-only rereg runs.
  const guest = { ...pagecache, noRereg: "no rereg_mr verb" };
  const rr = lower(join(CASES, "rereg-access.pin"), guest);
  assert.equal(rr.rows.find((r) => r.op.startsWith("bad:"))?.notRunnable, "no rereg_mr verb");
  const rx = lower(join(CASES, "rereg-access.pin"), pagecache);
  assert.match(
    rx.c ?? "",
    /rereg_mr_access\(V\[0\]\[\d+\], IBV_ACCESS_LOCAL_WRITE \| IBV_ACCESS_REMOTE_WRITE\)/,
  );
  syntaxOk(rx);
  // A new translation: rxe_rereg_user_mr() refuses IB_MR_REREG_TRANS.
  const trans = lower("rereg-mr", pagecache);
  assert.match(
    trans.rows.find((r) => r.op.startsWith("same:"))?.notRunnable ?? "",
    /IB_MR_REREG_TRANS/,
  );
  const reset = lower("hca-reset", pagecache);
  assert.match(
    reset.rows.find((r) => r.op.includes("hca_reset"))?.notRunnable ?? "",
    /disassociate_ucontext/,
  );
  const mf = lower("memory-failure-pagecache", pagecache);
  assert.match(
    mf.rows.find((r) => r.op.includes("memory_failure"))?.notRunnable ?? "",
    /MADV_HWPOISON/,
  );
});
