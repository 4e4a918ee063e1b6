/**
 * Ira Weiny's layout-lease RFC, each version as its patches or mail say:
 * v1 https://lore.kernel.org/r/20190606014544.8339-1-ira.weiny@intel.com,
 * v2 https://lore.kernel.org/r/20190809225833.6657-1-ira.weiny@intel.com (patch 02:
 * https://patchwork.kernel.org/patch/11087907/), and the September 2019 lease
 * semantics https://lore.kernel.org/r/20190923190853.GA3781@iweiny-DESK2.sc.intel.com.
 * Mainline fs/locks.c: leases_conflict() has no owner test; fcntl looks the fd up first.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type ScenarioBuilder, scenario } from "../../scenario/builder.js";
import { drive, returned } from "../../testing/drive.js";
import { modelOf } from "../../testing/run.js";
import { EBADF, EDEADLK, EFAULT, EINVAL, EPERM, ETXTBSY } from "../errno.js";
import { ext, LEASE_RD, LEASE_WR, OFD_LEASE, ofd, P_SIG, proc, SIGF_PENDING } from "../layout.js";
import type { LeaseVariant } from "../spec.js";

const base = (v: LeaseVariant): ScenarioBuilder =>
  scenario(`lease ${v}`)
    .fs("dax", 6)
    .layoutLease(v)
    .user("alice", ["CAP_LEASE"])
    .file("data", { owner: "alice", pages: 2 });

test("v1: a pin needs an F_LAYOUT lease on the file, anyone's (patch 04); v1 has no unbreakable flag", () => {
  const spec = base("v1")
    .proc("holder", "alice", (p) =>
      p.open("fd", "data", "r").setlease("fd", "rd", { layout: true }),
    )
    .proc("pin", "alice", (p) =>
      p.open("fd", "data", "rw").mmap("va", "fd", 0, 1).regMr("mr", "va", ["local_write"]),
    )
    .proc("ub", "alice", (p) =>
      p.open("fd", "data", "r").setlease("fd", "rd", { layout: true, unbreak: true }),
    )
    .build();
  const m = modelOf(spec, "layout-lease");
  const without = drive(m, ["pin", "pin", "pin"]);
  assert.equal(returned(m, without.events, "pin", "reg_mr"), -EPERM);
  const withLease = drive(m, ["holder", "holder", "pin", "pin", "pin"]);
  assert.equal(returned(m, withLease.events, "pin", "reg_mr"), 0);
  const ub = drive(m, ["ub", "ub"]);
  assert.equal(returned(m, ub.events, "ub", "setlease"), -EINVAL);
});

test("v2: a pin needs the caller's own exclusive lease; another's or a breakable one gives EPERM", () => {
  const spec = (own: { unbreak: boolean } | null, other: boolean) =>
    base("v2")
      .proc("holder", "alice", (p) =>
        other
          ? p.open("fd", "data", "r").setlease("fd", "rd", { layout: true, unbreak: true })
          : p.open("fd", "data", "r"),
      )
      .proc("pin", "alice", (p) => {
        p.open("fd", "data", "rw");
        if (own) p.setlease("fd", "rd", { layout: true, unbreak: own.unbreak });
        return p.mmap("va", "fd", 0, 1).regMr("mr", "va", ["local_write"]);
      })
      .build();
  const run = (sp: ReturnType<typeof spec>, h: number, n: number) => {
    const m = modelOf(sp, "layout-lease");
    const plan = [...Array(h).fill("holder"), ...Array(n).fill("pin")];
    return returned(m, drive(m, plan).events, "pin", "reg_mr");
  };
  assert.equal(run(spec({ unbreak: true }, false), 1, 4), 0);
  assert.equal(run(spec({ unbreak: false }, false), 1, 4), -EPERM);
  assert.equal(run(spec(null, true), 2, 3), -EPERM);
});

test("v2 patch 02 __break_lease(): the walk goes on past another's exclusive lease (ETXTBSY) looking for the caller's own (EDEADLOCK); breakable leases it passes are broken, those after the caller's own are not", () => {
  // a: breakable; b: exclusive; c: the caller's own exclusive. List order = order of F_SETLEASE.
  const spec = base("v2")
    .proc("a", { user: "alice", onLeaseBreak: "ignore" }, (p) =>
      p.open("fd", "data", "r").setlease("fd", "rd", { layout: true }),
    )
    .proc("b", "alice", (p) =>
      p.open("fd", "data", "r").setlease("fd", "rd", { layout: true, unbreak: true }),
    )
    .proc("c", { user: "alice", onLeaseBreak: "ignore" }, (p) =>
      p
        .open("fd", "data", "rw")
        .setlease("fd", "rd", { layout: true, unbreak: true })
        .truncate("data", 1),
    )
    .proc("d", "alice", (p) => p.truncate("data", 1))
    .build();
  const m = modelOf(spec, "layout-lease");
  const aProc = m.procs.findIndex((x) => x.name === "a");
  const brokeA = (ev: readonly { k: string; holder?: number }[]) =>
    ev.some((e) => e.k === "lease-break" && e.holder === aProc);
  // a, b, c: b sets ETXTBSY, the walk reaches c: EDEADLOCK; a was broken on the way
  const abc = drive(m, ["a", "a", "b", "b", "c", "c", "c"]);
  assert.equal(returned(m, abc.events, "c", "truncate"), -EDEADLK, "EDEADLOCK beats ETXTBSY");
  assert.ok(brokeA(abc.events));
  // b, a, c: the same, a broken after b
  const bac = drive(m, ["b", "b", "a", "a", "c", "c", "c"]);
  assert.equal(returned(m, bac.events, "c", "truncate"), -EDEADLK);
  assert.ok(brokeA(bac.events), "the walk does not stop at another's exclusive lease");
  // c, a, b: EDEADLOCK at once, a not reached
  const cab = drive(m, ["c", "c", "a", "a", "b", "b", "c"]);
  assert.equal(returned(m, cab.events, "c", "truncate"), -EDEADLK);
  assert.ok(!brokeA(cab.events), "the walk ends at the caller's own exclusive lease");
  // someone without a lease, b before a: ETXTBSY after the whole walk, a broken, no wait
  const ba = drive(m, ["b", "b", "a", "a", "d"]);
  assert.equal(returned(m, ba.events, "d", "truncate"), -ETXTBSY, "returns without waiting");
  assert.ok(brokeA(ba.events), "a, after b in the list, is broken too");
});

test("v2 patch 04/14 mapping_inode_has_layout(): the pin finds the caller's first exclusive layout lease anywhere in the list, passing over others' and its own breakable one", () => {
  const spec = base("v2")
    .proc("b", "alice", (p) =>
      p.open("fd", "data", "r").setlease("fd", "rd", { layout: true, unbreak: true }),
    )
    .proc("pin", "alice", (p) =>
      p
        .open("f1", "data", "r")
        .setlease("f1", "rd", { layout: true })
        .open("f2", "data", "rw")
        .setlease("f2", "rd", { layout: true, unbreak: true })
        .mmap("va", "f2", 0, 1)
        .regMr("mr", "va", ["local_write"]),
    )
    .build();
  const m = modelOf(spec, "layout-lease");
  const d = drive(m, ["b", "b", "pin", "pin", "pin", "pin", "pin", "pin"]);
  assert.equal(returned(m, d.events, "pin", "reg_mr"), 0);
});

test("v2: F_SETLEASE with F_LAYOUT always makes a read lease (patch 02: arg = F_RDLCK); lease_modify() keeps an existing lease's flags, so the exclusive flag cannot be added in place", () => {
  const spec = base("v2")
    .proc("pin", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .setlease("fd", "wr", { layout: true })
        .setlease("fd", "rd", { layout: true, unbreak: true })
        .mmap("va", "fd", 0, 1)
        .regMr("mr", "va", ["local_write"]),
    )
    .build();
  const m = modelOf(spec, "layout-lease");
  const one = drive(m, ["pin", "pin"]);
  assert.equal(returned(m, one.events, "pin", "setlease"), 0);
  assert.equal(one.s[ofd(m, 0) + OFD_LEASE], LEASE_RD, "F_WRLCK|F_LAYOUT is taken as F_RDLCK");
  const all = drive(m, ["pin", "pin", "pin", "pin", "pin"]);
  assert.equal(returned(m, all.events, "pin", "reg_mr"), -EPERM, "still not exclusive");
});

test("v1 patch 02: only F_LAYOUT itself (F_RDLCK|F_LAYOUT) is a layout lease; F_WRLCK|F_LAYOUT is an unknown type (EINVAL)", () => {
  const spec = base("v1")
    .proc("h", "alice", (p) => p.open("fd", "data", "rw").setlease("fd", "wr", { layout: true }))
    .build();
  const m = modelOf(spec, "layout-lease");
  const d = drive(m, ["h", "h"]);
  assert.equal(returned(m, d.events, "h", "setlease"), -EINVAL);
});

test("v1 patch 04 mapping_inode_has_layout(): any FL_LAYOUT lease on the list lets a pin through, one being broken too (no FL_UNLOCK_PENDING test)", () => {
  const spec = base("v1")
    .proc("holder", { user: "alice", onLeaseBreak: "ignore" }, (p) =>
      p.open("fd", "data", "r").setlease("fd", "rd", { layout: true }),
    )
    .proc("admin", "alice", (p) => p.truncate("data", 1))
    .proc("pin", "alice", (p) =>
      p.open("fd", "data", "rw").mmap("va", "fd", 0, 0).regMr("mr", "va", ["local_write"]),
    )
    .build();
  const m = modelOf(spec, "layout-lease");
  const d = drive(m, ["holder", "holder", "admin", "pin", "pin", "pin"]);
  assert.ok(
    d.events.some((e) => e.k === "lease-break"),
    "the truncate is breaking the lease",
  );
  assert.equal(returned(m, d.events, "admin", "truncate"), undefined, "and waits");
  assert.equal(returned(m, d.events, "pin", "reg_mr"), 0, "the breaking lease still counts");
  // under v2 the same pin needs its own exclusive lease: EPERM whatever the list holds
  const m2 = modelOf({ ...spec, layoutLease: "v2" }, "layout-lease");
  const d2 = drive(m2, ["holder", "holder", "pin", "pin", "pin"]);
  assert.equal(returned(m2, d2.events, "pin", "reg_mr"), -EPERM);
});

test("sep2019: F_WRLCK|F_LAYOUT breaks others' read layout leases and waits for them; an F_UNBREAK one makes it fail with ETXTBSY, no break started", () => {
  const spec = (unbreak: boolean) =>
    base("sep2019")
      .proc("r", { user: "alice", onLeaseBreak: "ignore" }, (p) =>
        p
          .open("fd", "data", "r")
          .setlease("fd", "rd", { layout: true, unbreak })
          .setlease("fd", "unlck"),
      )
      .proc("w", "alice", (p) => p.open("fd", "data", "rw").setlease("fd", "wr", { layout: true }))
      .build();
  const m = modelOf(spec(false), "layout-lease");
  const rProc = m.procs.findIndex((x) => x.name === "r");
  const wProc = m.procs.findIndex((x) => x.name === "w");
  const d = drive(m, ["r", "r", "w", "w"]);
  assert.ok(
    d.events.some((e) => e.k === "lease-break" && e.holder === rProc && e.by === wProc),
    "the read layout lease is broken",
  );
  assert.equal(returned(m, d.events, "w", "setlease"), undefined, "the setter waits");
  const done = drive(m, ["r", "w"], d.s);
  assert.equal(returned(m, done.events, "w", "setlease"), 0, "granted once the reader let go");
  assert.equal(done.s[ofd(m, 1) + OFD_LEASE], LEASE_WR);
  const ub = modelOf(spec(true), "layout-lease");
  const u = drive(ub, ["r", "r", "w", "w"]);
  assert.equal(returned(ub, u.events, "w", "setlease"), -ETXTBSY);
  assert.ok(!u.events.some((e) => e.k === "lease-break"));
});

test("sep2019: pins need an F_UNBREAK lease of one's own; anyone breaking it, its holder too, gets ETXTBSY and no break starts", () => {
  const spec = base("sep2019")
    .proc("b", "alice", (p) => p.open("fd", "data", "r").setlease("fd", "rd", { layout: true }))
    .proc("pin", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .setlease("fd", "rd", { layout: true, unbreak: true })
        .mmap("va", "fd", 0, 1)
        .regMr("mr", "va", ["local_write"])
        .truncate("data", 1),
    )
    .proc("brk", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .setlease("fd", "rd", { layout: true })
        .mmap("va", "fd", 0, 1)
        .regMr("mr", "va", ["local_write"]),
    )
    .build();
  const m = modelOf(spec, "layout-lease");
  const r = drive(m, ["b", "b", "pin", "pin", "pin", "pin", "pin"]);
  assert.equal(returned(m, r.events, "pin", "reg_mr"), 0);
  assert.equal(returned(m, r.events, "pin", "truncate"), -ETXTBSY);
  assert.ok(!r.events.some((e) => e.k === "lease-break"), "F_UNBREAK: no break procedure");
  const brk = drive(m, ["brk", "brk", "brk", "brk"]);
  assert.equal(returned(m, brk.events, "brk", "reg_mr"), -EPERM);
});

test("sep2019: a write layout lease lets its holder change the layout; a read one is broken even by its holder (no owner test in leases_conflict)", () => {
  const spec = (type: "rd" | "wr") =>
    base("sep2019")
      .proc("h", { user: "alice", onLeaseBreak: "ignore" }, (p) =>
        p.open("fd", "data", "rw").setlease("fd", type, { layout: true }).truncate("data", 1),
      )
      .build();
  const wr = modelOf(spec("wr"), "layout-lease");
  const w = drive(wr, ["h", "h", "h"]);
  assert.equal(returned(wr, w.events, "h", "truncate"), 0);
  const rd = modelOf(spec("rd"), "layout-lease");
  const r = drive(rd, ["h", "h", "h"]);
  assert.equal(
    returned(rd, r.events, "h", "truncate"),
    undefined,
    "the holder waits for its own lease",
  );
  assert.ok(r.events.some((e) => e.k === "lease-break" && e.holder === 0 && e.by === 0));
  // v2 has no write layout lease (F_WRLCK|F_LAYOUT is taken as F_RDLCK), so no exemption:
  // the holder's truncate breaks its own lease. (v1 refuses the type: EINVAL.)
  const mv = modelOf({ ...spec("wr"), layoutLease: "v2" }, "layout-lease");
  const d = drive(mv, ["h", "h", "h"]);
  assert.ok(d.events.some((e) => e.k === "lease-break" && e.holder === 0));
});

test("the lease test runs in follow_page_pte: after every check_vma_flags() test and after the page's fault", () => {
  const spec = scenario("order")
    .fs("dax", 4)
    .layoutLease("v1")
    .user("alice")
    .file("data", { owner: "alice", pages: 1, layout: "sparse" })
    .proc("ro", "alice", (p) =>
      p
        .open("fd", "data", "r")
        .mmap("va", "fd", 0, 0, { prot: "r" })
        .regMr("mr", "va", ["local_write"]),
    )
    .proc("rw", "alice", (p) =>
      p.open("fd", "data", "rw").mmap("va", "fd", 0, 0).regMr("mr", "va", ["local_write"]),
    )
    .build();
  const m = modelOf(spec, "layout-lease");
  const ro = drive(m, ["ro", "ro", "ro"]);
  assert.equal(
    returned(m, ro.events, "ro", "reg_mr"),
    -EFAULT,
    "FOLL_WRITE without VM_WRITE comes first",
  );
  const rw = drive(m, ["rw", "rw", "rw"]);
  assert.equal(returned(m, rw.events, "rw", "reg_mr"), -EPERM);
  assert.ok(rw.s[ext(m, 0, 0)]! > 0, "the write fault allocated the hole's block before the EPERM");
});

test("F_SETLEASE looks the fd up first: EBADF before the EINVAL of an unknown flag (do_fcntl)", () => {
  const spec = scenario("ebadf")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("a", "alice", (p) =>
      p.open("fd", "data", "r").close("fd").setlease("fd", "rd", { layout: true }),
    )
    .build();
  const m = modelOf(spec, "linux");
  const r = drive(m, ["a", "a", "a"]);
  assert.equal(returned(m, r.events, "a", "setlease"), -EBADF);
});

test("layout-changing writes break read layout leases; under F_UNBREAK they fail with ETXTBSY; a write in place does neither", () => {
  const spec = (unbreak: boolean, page: number, reflink = false) => {
    const b = scenario("writes")
      .fs("dax", 6)
      .layoutLease("sep2019")
      .user("alice")
      .file("src", { owner: "alice", pages: 2 });
    if (reflink) b.file("data", { owner: "alice", pages: 2, reflinkOf: "src" });
    else b.file("data", { owner: "alice", pages: 2 });
    return b
      .proc("h", { user: "alice", onLeaseBreak: "ignore" }, (p) =>
        p.open("fd", "data", "r").setlease("fd", "rd", { layout: true, unbreak }),
      )
      .proc("w", "alice", (p) => p.open("fd", "data", "rw").write("fd", page))
      .build();
  };
  const run = (sp: ReturnType<typeof spec>) => {
    const m = modelOf(sp, "layout-lease");
    const d = drive(m, ["h", "h", "w", "w"]);
    return {
      r: returned(m, d.events, "w", "write"),
      broke: d.events.some((e) => e.k === "lease-break"),
    };
  };
  assert.deepEqual(run(spec(false, 1)), { r: 1, broke: false }, "in place");
  assert.deepEqual(
    run(spec(false, 2)),
    { r: undefined, broke: true },
    "extending: blocks on the break",
  );
  assert.deepEqual(run(spec(true, 2)), { r: -ETXTBSY, broke: false }, "extending under F_UNBREAK");
  assert.deepEqual(
    run(spec(true, 0, true)),
    { r: -ETXTBSY, broke: false },
    "COW over a shared extent",
  );
  assert.deepEqual(run(spec(false, 0, true)).broke, true, "COW breaks a read layout lease");
});

test("a lease ends at the last fput: close(2) with a mapping in place keeps it; the last munmap ends it", () => {
  const spec = base("v1")
    .proc("h", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .setlease("fd", "rd", { layout: true })
        .mmap("va", "fd", 0, 1)
        .close("fd")
        .munmap("va"),
    )
    .build();
  const m = modelOf(spec, "layout-lease");
  const closed = drive(m, ["h", "h", "h", "h"]);
  assert.notEqual(closed.s[ofd(m, 0) + OFD_LEASE], 0, "the mapping holds the file and its lease");
  const unmapped = drive(m, ["h"], closed.s);
  assert.equal(unmapped.s[ofd(m, 0) + OFD_LEASE], 0);
  assert.ok(unmapped.events.some((e) => e.k === "lease-removed"));
  assert.equal(closed.s[proc(m, 0) + P_SIG]! & SIGF_PENDING, 0);
});

test("v1 and v2: once the lease is released, further pins fail (EPERM); a pin taken before stays, and a truncate over it fails with ETXTBSY", () => {
  for (const v of ["v1", "v2"] as const) {
    const spec = base(v)
      .proc("h", { user: "alice", onLeaseBreak: "ignore" }, (p) =>
        p
          .open("fd", "data", "rw")
          .setlease("fd", "rd", { layout: true, unbreak: v === "v2" })
          .mmap("va", "fd", 0, 1)
          .regMr("m1", "va", ["local_write"])
          .setlease("fd", "unlck")
          .regMr("m2", "va", ["local_write"]),
      )
      .proc("admin", "alice", (p) => p.truncate("data", 0))
      .build();
    const m = modelOf(spec, "layout-lease");
    const d = drive(m, ["h", "h", "h", "h", "h", "h", "admin"]);
    // reg_mr m1 is operation 3 of h, reg_mr m2 operation 5
    const regs = d.events.flatMap((e) =>
      e.k === "ret" && e.proc === 0 && (e.pc === 3 || e.pc === 5) ? [e.result] : [],
    );
    assert.deepEqual(regs, [0, -EPERM], v);
    assert.equal(returned(m, d.events, "admin", "truncate"), -ETXTBSY, v);
  }
});
