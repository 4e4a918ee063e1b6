/**
 * Signals as kernel/signal.c and fs/locks.c deliver them: a lease break sends
 * SIGIO (or the F_SETSIG signal, fs/fcntl.c send_sigio) whose default action
 * terminates (man 7 signal); complete_signal() turns a fatal signal into a group
 * kill that ends interruptible sleeps; an interruptible sleep meeting a handled
 * signal returns -ERESTARTSYS (EINTR without SA_RESTART); memunmap_pages()
 * (mm/memremap.c) waits uninterruptibly.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { kill, revocation, revocationByOther } from "../../properties/outcomes.js";
import { scenario } from "../../scenario/builder.js";
import { canStep, drive, returned } from "../../testing/drive.js";
import { modelOf } from "../../testing/run.js";
import { EINTR } from "../errno.js";
import type { ModelEvent } from "../events.js";
import { alive, type Model } from "../layout.js";
import { A_PIN_TIMER, actionKind, enabled, step } from "../step.js";
import { SIGNALS, signalName } from "./signum.js";

const pid = (m: Model, name: string) => m.procs.findIndex((p) => p.name === name);
const killFinding = (m: Model, ev: readonly ModelEvent[]) => kill.onStep!(m, m.init, m.init, ev);

const leaseSpec = (onLeaseBreak: "terminate" | "ignore" | "crash", sig?: string) =>
  scenario("sigio")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("holder", { user: "alice", onLeaseBreak }, (p) => {
      p.open("fd", "data", "r");
      if (sig !== undefined) p.setsig("fd", sig);
      return p.setlease("fd", "rd");
    })
    .proc("writer", "alice", (p) => p.open("fd", "data", "w"))
    .build();

test("a lease holder without a handler dies at the first break (SIGIO's default action), and kill counts it", () => {
  const m = modelOf(leaseSpec("terminate"), "linux");
  const d = drive(m, ["holder", "holder", "writer", "holder!"]);
  assert.ok(!alive(d.s, m, pid(m, "holder")));
  const exit = d.events.find((e) => e.k === "exit");
  assert.deepEqual(exit && exit.k === "exit" && [exit.cause, exit.sig, exit.byOther], [
    "lease-break",
    "SIGIO",
    true,
  ]);
  assert.match(killFinding(m, d.events)?.message ?? "", /killed by SIGIO/);
  // its files closed, the opener goes on
  const after = drive(m, ["writer"], d.s);
  assert.equal(returned(m, after.events, "writer", "open"), 1);
});

test("F_SETSIG picks the signal: SIGURG's default action ignores it, SIGUSR1's terminates", () => {
  const urg = modelOf(leaseSpec("terminate", "SIGURG"), "linux");
  const u = drive(urg, ["holder", "holder", "holder", "writer"]);
  assert.ok(alive(u.s, urg, 0));
  assert.ok(!canStep(urg, u.s, "holder!"), "nothing pending");
  assert.ok(u.events.some((e) => e.k === "sigio" && e.sig === "SIGURG"));
  const usr = modelOf(leaseSpec("terminate", "SIGUSR1"), "linux");
  const v = drive(usr, ["holder", "holder", "holder", "writer", "holder!"]);
  const exit = v.events.find((e) => e.k === "exit");
  assert.equal(exit?.k === "exit" && exit.sig, "SIGUSR1");
  // a handler installed for it: the holder survives
  const h = modelOf(leaseSpec("ignore", "SIGUSR1"), "linux");
  const w = drive(h, ["holder", "holder", "holder", "writer", "holder!"]);
  assert.ok(alive(w.s, h, 0));
});

test("a crash on a break another process caused counts as a kill; a death by one's own layout change does not", () => {
  const crash = modelOf(leaseSpec("crash"), "linux");
  const c = drive(crash, ["holder", "holder", "writer", "holder!"]);
  assert.match(killFinding(crash, c.events)?.message ?? "", /crashed/);
  // RFC v1: the holder's own truncate breaks its own layout lease, and SIGIO kills it
  const own = scenario("own")
    .fs("dax", 4)
    .layoutLease("v1")
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("h", "alice", (p) =>
      p.open("fd", "data", "rw").setlease("fd", "rd", { layout: true }).truncate("data", 0),
    )
    .build();
  const m = modelOf(own, "layout-lease");
  const d = drive(m, ["h", "h", "h", "h!"]);
  assert.ok(!alive(d.s, m, 0));
  assert.equal(killFinding(m, d.events), null);
});

test("revocation-by-other separates a revoke another process causes from one the holder causes", () => {
  const spec = (truncater: "server" | "admin") =>
    scenario("rvk")
      .fs("dax", 4)
      .user("alice")
      .file("data", { owner: "alice", pages: 1 })
      .proc("server", { user: "alice", onLeaseBreak: "ignore" }, (p) => {
        p.open("fd", "data", "rw").mmap("va", "fd", 0, 0).regMr("mr", "va", ["local_write"]);
        return truncater === "server" ? p.truncate("data", 0) : p;
      })
      .proc("admin", "alice", (p) => (truncater === "admin" ? p.truncate("data", 0) : p.exit()))
      .build();
  const own = modelOf(spec("server"), "revoke");
  const o = drive(own, ["server", "server", "server", "server"]);
  assert.ok(revocation.onStep!(own, own.init, o.s, o.events));
  assert.equal(revocationByOther.onStep!(own, own.init, o.s, o.events), null);
  const other = modelOf(spec("admin"), "revoke");
  const a = drive(other, ["server", "server", "server", "admin"]);
  assert.match(
    revocationByOther.onStep!(other, other.init, a.s, a.events)?.message ?? "",
    /admin broke/,
  );
});

const waitSpec = (sig?: string) =>
  scenario("eintr")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("server", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 0, 0)
        .regMr("mr", "va", ["local_write"])
        .deregMr("mr"),
    )
    .proc("admin", { user: "alice", onLeaseBreak: "ignore" }, (p) => p.truncate("data", 0))
    .proc("k", "alice", (p) => p.kill("admin", sig))
    .build();

test("a layout break waiting for pins (TASK_INTERRUPTIBLE) ends with EINTR on a handled signal, and a fatal one kills", () => {
  const m = modelOf(waitSpec("SIGIO"), "wait");
  const d = drive(m, ["server", "server", "server", "admin", "k", "admin!"]);
  assert.equal(returned(m, d.events, "admin", "truncate"), -EINTR);
  assert.ok(alive(d.s, m, pid(m, "admin")));
  const t = modelOf(waitSpec("SIGTERM"), "wait");
  const e = drive(t, ["server", "server", "server", "admin", "k"]);
  assert.ok(!alive(e.s, t, pid(t, "admin")), "SIGTERM without a handler is fatal: the wait ends");
  const w = modelOf(waitSpec("SIGWINCH"), "wait");
  const f = drive(w, ["server", "server", "server", "admin", "k"]);
  assert.ok(alive(f.s, w, pid(w, "admin")) && !canStep(w, f.s, "admin!"), "dropped");
});

test("device removal waits uninterruptibly (memunmap_pages): a SIGKILL takes effect only when the wait ends", () => {
  const spec = scenario("unbind")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("server", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 0, 0)
        .regMr("mr", "va", ["local_write"])
        .deregMr("mr"),
    )
    .proc("admin", "alice", (p) => p.unplug())
    .proc("k", "alice", (p) => p.kill("admin"))
    .build();
  const m = modelOf(spec, "wait");
  const d = drive(m, ["server", "server", "server", "admin", "k"]);
  const admin = pid(m, "admin");
  assert.ok(alive(d.s, m, admin), "still in D state");
  assert.ok(!canStep(m, d.s, "admin!"));
  const done = drive(m, ["server", "admin"], d.s);
  assert.equal(returned(m, done.events, "admin", "unplug"), 0, "the removal completes");
  assert.ok(!alive(done.s, m, admin), "then the pending SIGKILL kills");
});

test("an open waiting for a lease break (__break_lease, wait_event_interruptible_timeout) ends with EINTR on a handled signal; the break goes on", () => {
  const spec = scenario("open eintr")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("holder", { user: "alice", onLeaseBreak: "ignore" }, (p) =>
      p.open("fd", "data", "r").setlease("fd", "rd"),
    )
    .proc("opener", { user: "alice", onLeaseBreak: "ignore" }, (p) => p.open("fd", "data", "w"))
    .proc("k", "alice", (p) => p.kill("opener", "SIGIO"))
    .build();
  const m = modelOf(spec, "linux");
  const d = drive(m, ["holder", "holder", "opener", "k", "opener!"]);
  assert.equal(returned(m, d.events, "opener", "open"), -EINTR);
  assert.ok(canStep(m, d.s, "holder!"), "the holder still has its break to answer");
});

test("the SIGKILL escalation of a pin holder asleep in TASK_UNINTERRUPTIBLE waits for the sleep to end", () => {
  // The server pins data and then unbinds the device itself: memunmap_pages() waits for its own pin.
  const spec = scenario("escalate in D")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("server", { user: "alice", onLeaseBreak: "ignore" }, (p) =>
      p.open("fd", "data", "rw").mmap("va", "fd", 0, 0).regMr("mr", "va", ["local_write"]).unplug(),
    )
    .build();
  const m = modelOf(spec, "revoke");
  const d = drive(m, ["server", "server", "server", "server"]);
  assert.ok(!canStep(m, d.s, "server!"), "its SIGIO waits too: no handler runs in D state");
  const timer = enabled(m, d.s).find((a) => actionKind(a) === A_PIN_TIMER);
  assert.ok(timer !== undefined, "no answer can come: lease-break-time runs out");
  const after = step(m, d.s, timer, []);
  assert.ok(alive(after, m, 0), "asleep in memunmap_pages(): not dead yet");
  assert.ok(!enabled(m, after).some((a) => actionKind(a) === A_PIN_TIMER), "escalated once");
});

test("signalName names each number by its first name, SIGIO not its alias SIGPOLL", () => {
  for (const [name, n] of Object.entries(SIGNALS))
    if (name !== "SIGPOLL") assert.equal(signalName(n), name);
  assert.equal(signalName(SIGNALS.SIGPOLL!), "SIGIO");
  assert.equal(signalName(63), "signal 63");
});
