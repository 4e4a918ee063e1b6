import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { lowerSchedule } from "../engine/conform/lower.js";
import { runSchedule } from "../engine/run/exec.js";
import { compile } from "../model/compile.js";
import type { Policy } from "../model/policy.js";
import { makePolicy } from "../policies/index.js";
import { PROPERTIES } from "../properties/index.js";
import { type ConformRow, type ConformTarget, judge } from "../report/conform.js";
import { guestRun, hostRun } from "./commands/conform.js";
import { guestImage, hostToolsMissing } from "./conform-exec.js";
import { nodeHost } from "./host.js";
import { loadScenario } from "./scenarios.js";

const CASES = fileURLToPath(new URL("../../conform/cases/", import.meta.url));

function load(name: string) {
  const l = loadScenario(name, nodeHost());
  if (!l.ok) throw new Error(l.error);
  return { name, spec: l.spec };
}

const rowsOf = (t: ConformTarget, scenario: string): ConformRow[] =>
  t.schedules.filter((s) => s.scenario === scenario).flatMap((s) => s.rows);

const row = (t: ConformTarget, scenario: string, op: RegExp): ConformRow => {
  const r = rowsOf(t, scenario).find((x) => op.test(x.op));
  assert.ok(r, `${scenario}: no row ${op} in ${t.target}`);
  return r;
};

test("lowering: each operation becomes C, or says why it cannot run here", () => {
  const { spec } = load("memfd-seal");
  const p = makePolicy("linux", {});
  assert.ok(p.ok);
  const c = compile(spec, p.policy);
  assert.ok(c.ok);
  const run = runSchedule(c.model, { properties: PROPERTIES });
  const low = lowerSchedule(spec, c.model, run.steps, {
    dirs: { tmpfs: "/dev/shm" },
    uring: true,
    verbs: false,
  });
  assert.match(low.c ?? "", /memfd_create\("pinlab", MFD_ALLOW_SEALING\)/);
  assert.match(low.c ?? "", /ftruncate\(\(int\)V\[0\]\[0\], 1 \* PG\)/);
  const reg = low.rows.find((r) => r.op.startsWith("mr = reg_mr"));
  assert.match(reg?.notRunnable ?? "", /no RDMA device/);
  // The seal under the pin depends on the pin that did not run: not compared.
  const pinned = low.rows.find((r) => r.op.startsWith("pinned:"));
  assert.match(pinned?.notRunnable ?? "", /state differs/);
  assert.equal(pinned?.model, "blocks-then errno EBUSY");
});

test("judging: a bounded wait matches the model's block-then-return; an answer that differs is a mismatch", () => {
  const base = { step: 1, actor: "a", op: "x" };
  assert.equal(
    judge({ ...base, model: "blocks-then errno EBUSY" }, "waits-then errno EBUSY").verdict,
    "match",
  );
  assert.equal(
    judge({ ...base, model: "blocks-then errno EBUSY" }, "errno EBUSY").verdict,
    "mismatch",
  );
  assert.equal(judge({ ...base, model: "errno EOPNOTSUPP" }, "ok").verdict, "mismatch");
  assert.equal(judge({ ...base, model: "ok" }, "blocks").verdict, "mismatch");
  assert.equal(
    judge({ ...base, model: "ok", notRunnable: "no rxe" }, undefined).verdict,
    "not runnable",
  );
});

const hostSkip =
  process.getuid?.() !== 0
    ? "the host tier runs as root (its workers take the scenario's users' uids)"
    : (hostToolsMissing() ?? false);

test("host tier: io_uring fixed buffers and memfd seals match the running kernel", {
  skip: hostSkip,
}, () => {
  const work = mkdtempSync(join(tmpdir(), "pinlab-conform-test-"));
  try {
    const t = hostRun(
      [load("gup-longterm-iouring"), load(join(CASES, "iouring-memfd-seal.pin"))],
      work,
      1,
      1000,
      undefined,
    );
    const mism = t.schedules.flatMap((s) => s.rows).filter((r) => r.verdict === "mismatch");
    assert.deepEqual(mism, [], `mismatches on the host:\n${JSON.stringify(mism, null, 1)}`);
    // gup_longterm.c: ext4 MAP_SHARED → EFAULT from v6.5, MAP_PRIVATE → 0.
    const shared = row(t, "gup-longterm-iouring", /^buf = io_uring_register/);
    assert.equal(shared.verdict, "match");
    const seal = row(t, join(CASES, "iouring-memfd-seal.pin"), /^pinned:/);
    assert.equal(seal.kernelResult, "waits-then errno EBUSY");
    assert.equal(row(t, join(CASES, "iouring-memfd-seal.pin"), /^sealed:/).verdict, "match");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("host tier: lease breaks (SIGIO delivered or fatal, the handler's F_UNLCK, lease-break-time) and cow.c's fork with an io_uring buffer match", {
  skip: hostSkip,
}, () => {
  const work = mkdtempSync(join(tmpdir(), "pinlab-conform-test-"));
  try {
    const cases = [
      "lease-break-sigio.pin",
      "lease-break-handler.pin",
      "cow-iouring-fork.pin",
      "iouring-dontneed-data.pin",
    ];
    const t = hostRun(
      cases.map((c) => load(join(CASES, c))),
      work,
      1,
      1000,
      undefined,
    );
    const rows = t.schedules.flatMap((s) => s.rows);
    const mism = rows.filter((r) => r.verdict === "mismatch");
    assert.deepEqual(mism, [], `mismatches on the host:\n${JSON.stringify(mism, null, 1)}`);
    const sigio = join(CASES, "lease-break-sigio.pin");
    assert.equal(row(t, sigio, /^takes the lease-break signal/).kernelResult, "killed SIGIO");
    assert.equal(row(t, sigio, /^shrink:/).kernelResult, "blocks-then ok");
    // "blocks" is seen, not only timed out: the breaker sleeps in truncate(2), in __break_lease().
    assert.ok(
      t.notes.some((n) =>
        /lease-break-sigio.*blocks: S \(asleep\) in truncate, wchan __break_lease/.test(n),
      ),
      t.notes.join("\n"),
    );
    const handler = join(CASES, "lease-break-handler.pin");
    assert.equal(row(t, handler, /^lease-break-time expires/).verdict, "match");
    const cow = join(CASES, "cow-iouring-fork.pin");
    assert.equal(row(t, cow, /^gone:/).kernelResult, "signal SIGSEGV");
    assert.equal(row(t, cow, /^out:/).verdict, "match");
    // cow.c's content check: after fork() the pinned page is still the parent's.
    assert.equal(row(t, cow, /^out:/).kernelResult, "ok data=mapping");
    // After MADV_DONTNEED the pin and the mapping hold different pages, both ways.
    const dn = join(CASES, "iouring-dontneed-data.pin");
    assert.equal(row(t, dn, /^before:/).kernelResult, "ok data=mapping");
    assert.equal(row(t, dn, /^after:/).kernelResult, "ok data=stale");
    assert.equal(row(t, dn, /^into:/).kernelResult, "ok data=stale");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

/** linux with the fs-DAX rule of check_vma_flags() removed: a deliberately wrong model. */
const allowDax = (p: Policy): Policy => ({ ...p, mayPin: () => 0 });

for (const v of ["6.1", "6.12"]) {
  const img = guestImage(v);
  const skip =
    "missing" in img
      ? `guest ${v}: ${img.missing} (or run npm run conform)`
      : (hostToolsMissing() ?? false);
  test(`guest ${v}: reg_mr on fs-DAX matches EOPNOTSUPP; a model that allows FOLL_LONGTERM on fs-DAX is red`, {
    skip,
  }, () => {
    const work = mkdtempSync(join(tmpdir(), "pinlab-conform-test-"));
    try {
      const core = load("core");
      const rdma = load(join(CASES, "rdma-loopback.pin"));
      const cells = load(join(CASES, "gup-longterm-rdma.pin"));
      const cow = load(join(CASES, "cow-rdma-fork.pin"));
      const t = guestRun(
        v,
        [core, { ...load("core"), name: "core (patched)", patch: allowDax }, rdma, cells, cow],
        work,
        1,
        1000,
      );
      // cow.c's check with R/O MRs taken before and after fork(): the READ brings what the parent wrote.
      for (const r of [/^r1:/, /^r2:/]) {
        const x = row(t, cow.name, r);
        assert.equal(x.kernelResult, "wc SUCCESS qp=RTS data=mapping", JSON.stringify(x));
        assert.equal(x.verdict, "match");
      }
      // gup_longterm.c's cells as ibv_reg_mr over rxe: memfd, tmpfs and ext4, shared and
      // private, R/W and R/O; each matches the model and the case's expectation.
      const mrs = rowsOf(t, cells.name).filter((r) => / = reg_mr /.test(r.op));
      assert.equal(mrs.length, 12, JSON.stringify(mrs));
      assert.deepEqual(
        mrs.filter((r) => r.verdict !== "match" || r.kernelResult !== r.expected),
        [],
        `gup_longterm cells differ:\n${JSON.stringify(mrs, null, 1)}`,
      );
      const failed = mrs.filter((r) => r.kernelResult !== "ok").map((r) => `${r.actor} ${r.op}`);
      // Before v6.2 a R/O MR was pinned FOLL_WRITE|FOLL_FORCE; from v6.5 ext4 refuses R/W shared pins.
      assert.deepEqual(
        failed.map((f) => f.replace(/: .*/, "")),
        v === "6.1" ? ["memfd shared_ro", "tmpfs shared_ro", "ext4 shared_ro"] : ["ext4 shared_rw"],
      );
      // RDMA WRITE/READ through a loopback QP: rights, deregistration, a vanished responder.
      const wcs = rowsOf(t, rdma.name).filter((r) => r.model.startsWith("wc "));
      assert.ok(wcs.length >= 4, JSON.stringify(wcs));
      assert.deepEqual(
        wcs.filter((r) => r.verdict !== "match"),
        [],
        `RDMA completions differ:\n${JSON.stringify(wcs, null, 1)}`,
      );
      assert.ok(
        t.notes.some((n) => /have (xfs)?dax .*dax=always/.test(n)),
        `the guest has no fs-DAX: ${t.notes.join("; ")}`,
      );
      const good = row(t, "core", /^mr = reg_mr/);
      assert.equal(good.model, "errno EOPNOTSUPP");
      assert.equal(good.verdict, "match", JSON.stringify(good));
      const bad = row(t, "core (patched)", /^mr = reg_mr/);
      // 6.1: the pin is allowed (ok); from v6.5 the writable-file rule still refuses it (EFAULT).
      assert.notEqual(bad.model, "errno EOPNOTSUPP");
      assert.equal(bad.verdict, "mismatch", JSON.stringify(bad));
      assert.match(bad.kernelResult ?? "", /EOPNOTSUPP/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}
