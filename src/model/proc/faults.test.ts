/**
 * Faults beside crash, hang and partition: memory_failure() of a file page
 * (fs-DAX, device-DAX, page cache), an HCA reset, a peer crash and an OOM
 * kill, each against the kernel function it follows (proc/memory-failure.ts,
 * rdma/hca.ts, rdma/nic.ts peerCrash, proc/oom.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseScenario } from "../../scenario/pin.js";
import { drive, returned } from "../../testing/drive.js";
import { events, modelOf, resultOf, runOf } from "../../testing/run.js";
import { EBUSY, EIO, ENXIO } from "../errno.js";
import type { ModelEvent } from "../events.js";
import {
  ext,
  FF_POISON,
  FR_FLAGS,
  FR_INODE,
  frm,
  type Model,
  MR_DEREG,
  MR_VALID,
  mr,
  P_STATUS,
  PS_DONE,
  PS_KILLED,
  pcache,
  peer,
  proc,
  QP_DEAD,
  R_QP,
  type State,
  vma,
} from "../layout.js";
import type { ScenarioSpec } from "../spec.js";
import { A_OOM, A_PEER, A_PEER_CRASH, actionIndex, actionKind, enabled, step } from "../step.js";

function spec(text: string): ScenarioSpec {
  const parsed = parseScenario(text, "faults.pin");
  assert.ok(parsed.spec, JSON.stringify(parsed.diagnostics.map((d) => d.message)));
  return parsed.spec;
}

function take(m: Model, s: State, kind: number, index: number, ev: ModelEvent[]): State {
  const a = enabled(m, s).find((x) => actionKind(x) === kind && actionIndex(x) === index);
  assert.ok(a !== undefined, `action ${kind}/${index} not enabled`);
  return step(m, s, a, ev);
}

const daxPin = (extra: string, fsKind = "dax", backing = "") => `
fs ${fsKind} blocks=2
user alice
file data owner=alice pages=2 ${backing}
proc server user=alice {
  fd = open data rw
  va = mmap fd pages=0..1 shared rw
  mr = reg_mr va access=local_write,remote_read
}
proc other user=alice {
  fd = open data rw
  va = mmap fd pages=0..1 shared rw
  load va page=0
}
${extra}`;

test("fs-DAX: memory_failure poisons the block, zaps every PTE, keeps the pin, signals no late-kill process", () => {
  const m = modelOf(spec(daxPin("proc hw user=alice { memory_failure data page=0 }")), "wait");
  const d = drive(m, ["server", "server", "server", "other", "other", "other", "hw"]);
  assert.equal(returned(m, d.events, "hw", "memory_failure"), 0);
  const b = d.s[ext(m, 0, 0)]! - 1;
  assert.ok(b >= 0);
  assert.notEqual(d.s[frm(m, b) + FR_FLAGS]! & FF_POISON, 0);
  // mf_dax_kill_procs(): the block stays the file's and the MR keeps pinning it
  assert.equal(d.s[mr(m, 0)], MR_VALID);
  assert.equal(d.s[mr(m, 0) + 2], b + 1);
  // unmap_and_kill(): the other process's PTE of the page is gone
  assert.equal(d.s[vma(m, 1) + 1], 0);
  // task_early_kill(): nobody is early-kill, nobody is signalled
  assert.ok(!d.events.some((e) => e.k === "exit"));
  const poison = d.events.find((e) => e.k === "poison");
  assert.ok(poison?.k === "poison" && poison.pinned && poison.dax);
});

test("fs-DAX: the next fault on the bad page is SIGBUS, read(2) EIO, a write(2) clears the poison", () => {
  const s = spec(
    daxPin(`proc hw user=alice { memory_failure data page=0 }
proc io user=alice { fd = open data rw; r1: read fd page=0; write fd page=0; r2: read fd page=0 }`),
  );
  const m = modelOf(s, "wait");
  const d = drive(m, ["server", "server", "server", "other", "other", "hw", "other"]);
  const exit = d.events.find((e) => e.k === "exit");
  // VM_FAULT_HWPOISON → do_sigbus(): the process dies of SIGBUS, cause hwpoison
  assert.ok(exit?.k === "exit" && exit.cause === "hwpoison" && exit.sig === "SIGBUS");
  const io = drive(m, ["io", "io", "io", "io"], d.s);
  assert.equal(returned(m, io.events, "io", "r1"), -EIO);
  assert.equal(returned(m, io.events, "io", "r2"), 1);
  const b = io.s[ext(m, 0, 0)]! - 1;
  assert.equal(io.s[frm(m, b) + FR_FLAGS]! & FF_POISON, 0, "dax_recovery_write() cleared it");
});

test("early_kill: every process mapping the page gets SIGBUS; the caller too when it maps it", () => {
  const m = modelOf(
    spec(daxPin("proc hw user=alice { memory_failure data page=0 early_kill }")),
    "wait",
  );
  const d = drive(m, ["server", "server", "server", "other", "other", "hw"]);
  const killed = d.events.filter((e) => e.k === "exit").map((e) => e.k === "exit" && e.proc);
  assert.deepEqual(killed.sort(), [0, 1]);
  for (const e of d.events) if (e.k === "exit") assert.equal(e.cause, "hwpoison");
  // The server's death, not the memory error, unpins.
  assert.equal(d.s[mr(m, 0)], MR_DEREG);
});

test("page cache: a pinned page leaves the cache, is kept by the pin, and memory_failure is EBUSY", () => {
  const text = `
fs pagecache blocks=2
user alice
file data owner=alice pages=1
proc server user=alice {
  fd = open data r
  va = mmap fd pages=0..0 shared r
  mr = reg_mr va access=remote_read
}
proc hw user=alice { memory_failure data page=0; again: memory_failure data page=0 }
proc idle user=alice { fd = open data r; mf: memory_failure data page=0 }`;
  const m = modelOf(spec(text), "linux");
  const d = drive(m, ["server", "server", "server", "hw", "hw"]);
  assert.equal(returned(m, d.events, "hw", "memory_failure"), -EBUSY);
  // truncate_error_folio(): out of the page cache; the pin keeps the frame
  assert.equal(d.s[pcache(m, 0, 0)], 0);
  const f = d.s[mr(m, 0) + 2]! - 1;
  assert.equal(d.s[frm(m, f) + FR_INODE], 0);
  assert.notEqual(d.s[frm(m, f) + FR_FLAGS]! & FF_POISON, 0);
  // The second report finds no page of the file there.
  assert.equal(returned(m, d.events, "hw", "again"), -ENXIO);
  // A page that is not cached has no memory to fail.
  const i = drive(m, ["idle", "idle"]);
  assert.equal(returned(m, i.events, "idle", "mf"), -ENXIO);
});

test("page cache: an unpinned clean page is dropped without side effects: 0, and a later load reads the block", () => {
  const text = `
fs pagecache blocks=2
user alice
file data owner=alice pages=1
proc a user=alice { fd = open data r; va = mmap fd pages=0..0 shared r; l1: load va page=0; wait_for hw.mf; l2: load va page=0 }
proc hw user=alice { wait_for a.l1; mf: memory_failure data page=0 }`;
  const r = runOf(spec(text), "linux");
  assert.equal(resultOf(r, "hw", "mf"), 0);
  assert.equal(resultOf(r, "a", "l2"), 0);
  assert.ok(!events(r).some((e) => e.k === "exit"));
});

test("memory_failure is refused by lint for tmpfs (PIN250) and past the file's end (PIN351)", () => {
  const text = `
fs pagecache blocks=2
user alice
file t owner=alice pages=1 backing=tmpfs
file d owner=alice pages=1
proc a user=alice { memory_failure t page=0; memory_failure d page=3 }`;
  const codes = parseScenario(text, "l.pin").diagnostics.map((d) => d.code);
  assert.ok(codes.includes("PIN250"));
  assert.ok(codes.includes("PIN351"));
});

const hcaText = (extra = "") => `
fs dax blocks=1
user alice
proc server user=alice {
  va = mmap anon pages=1
  mr = reg_mr va access=local_write,remote_write
  buf = io_uring_register va
  send_uverbs keeper
  s: send peer mr
  wait_for admin.reset
  d: dereg_mr mr
  again: mr2 = reg_mr va access=local_write
  re: rereg_mr mr access=local_write
  w: write_fixed buf page=0
}
proc keeper user=alice { wait_for admin.reset }
remote peer { mr = recv; rdma_write mr page=0 }
proc admin user=alice { wait_for server.s; reset: hca_reset }
${extra}`;

test("hca_reset destroys every MR (the uverbs file's other holder too), fails later verbs (rereg_mr too) with EIO, spares io_uring", () => {
  const m = modelOf(spec(hcaText()), "linux");
  let d = drive(m, ["server", "server", "server", "server", "server", "admin", "admin"]);
  assert.equal(returned(m, d.events, "admin", "reset"), 0);
  assert.equal(d.s[mr(m, 0)], MR_DEREG, "uverbs_destroy_ufile_hw() despite the keeper");
  assert.ok(d.events.some((e) => e.k === "device-fatal" && e.proc === 0));
  assert.equal(d.s[mr(m, 1)], MR_VALID, "the ring's buffer is no RDMA object");
  // The peer's operation after the reset: no answer, retry exhaustion.
  const ev: ModelEvent[] = [];
  let s = take(m, d.s, A_PEER, 0, ev);
  s = take(m, s, A_PEER, 0, ev);
  const err = ev.find((e) => e.k === "rdma-error");
  assert.ok(err?.k === "rdma-error" && err.status === "RETRY_EXC_ERR");
  d = drive(m, ["server", "server", "server", "server", "server"], s);
  assert.equal(returned(m, d.events, "server", "d"), -EIO);
  assert.equal(returned(m, d.events, "server", "again"), -EIO);
  // ib_uverbs_ioctl() on the disassociated file, before the handle lookup (not ENOENT)
  assert.equal(returned(m, d.events, "server", "re"), -EIO);
  assert.ok((returned(m, d.events, "server", "w") ?? -1) >= 0);
});

test("hca_reset where nothing registers is PIN352", () => {
  const text = "fs dax blocks=1\nuser alice\nproc a user=alice { hca_reset }";
  assert.ok(parseScenario(text, "h.pin").diagnostics.some((d) => d.code === "PIN352"));
});

const crashText = `
fs dax blocks=1
user alice
proc server user=alice {
  va = mmap anon pages=1
  mr = reg_mr va access=local_write,remote_write
  send peer mr
  await peer
}
remote peer { mr = recv; rdma_write mr page=0; rdma_write mr page=0 }
faults peer_crash=peer`;

test("peer_crash: the QP is gone, an issued write still lands, await returns, the MR stays pinned", () => {
  const m = modelOf(spec(crashText), "linux");
  let d = drive(m, ["server", "server", "server"]);
  const ev: ModelEvent[] = [];
  let s = take(m, d.s, A_PEER, 0, ev); // recv
  s = take(m, s, A_PEER, 0, ev); // issue the first write
  s = take(m, s, A_PEER_CRASH, 0, ev);
  assert.equal(s[peer(m, 0) + R_QP], QP_DEAD);
  assert.ok(
    ev.some((e) => e.k === "qp-error"),
    "comm-failure sees it",
  );
  // Nothing more of the peer can run, and it cannot crash twice; the issued write lands.
  const after = enabled(m, s);
  assert.ok(!after.some((a) => actionKind(a) === A_PEER || actionKind(a) === A_PEER_CRASH));
  d = drive(m, ["server"], s);
  assert.equal(returned(m, d.events, "server", "await"), 0);
  assert.equal(d.s[mr(m, 0)], MR_VALID, "no kernel path frees the MR");
  assert.equal(d.s[proc(m, 0) + P_STATUS], PS_DONE);
});

test("a crash in the format is a fault: `crash=` of a remote points at peer_crash=", () => {
  const text =
    "fs dax blocks=1\nuser alice\nproc server user=alice { exit }\nremote faraway { }\nfaults crash=faraway";
  const d = parseScenario(text, "c.pin").diagnostics.find((x) => x.code === "PIN203");
  assert.ok(d?.hint?.includes("peer_crash=faraway"), d?.hint);
});

const oomText = `
fs dax blocks=1
user alice
proc holder user=alice {
  va = mmap anon pages=2
  mr = reg_mr va access=local_write,remote_write
  u: send_uverbs keeper
}
proc keeper user=alice { wait_for holder.u }
faults oom=holder`;

test("oom: SIGKILL from the OOM killer; with the uverbs file held elsewhere the pages stay pinned", () => {
  const m = modelOf(spec(oomText), "linux");
  const d = drive(m, ["holder", "holder", "holder"]);
  const ev: ModelEvent[] = [];
  const s = take(m, d.s, A_OOM, 0, ev);
  assert.equal(s[proc(m, 0) + P_STATUS], PS_KILLED);
  const exit = ev.find((e) => e.k === "exit");
  assert.ok(exit?.k === "exit" && exit.cause === "oom" && exit.sig === "SIGKILL");
  const oom = ev.find((e) => e.k === "oom-kill");
  assert.ok(oom?.k === "oom-kill" && oom.pinned.length === 2, "both pages stay pinned");
  assert.equal(s[mr(m, 0)], MR_VALID);
  // Dead: the OOM killer cannot choose it again.
  assert.ok(!enabled(m, s).some((a) => actionKind(a) === A_OOM));
});

test("oom before send_uverbs: the pins go with the victim", () => {
  const m = modelOf(spec(oomText), "linux");
  const d = drive(m, ["holder", "holder"]);
  const ev: ModelEvent[] = [];
  const s = take(m, d.s, A_OOM, 0, ev);
  const oom = ev.find((e) => e.k === "oom-kill");
  assert.ok(oom?.k === "oom-kill" && oom.pinned.length === 0);
  assert.equal(s[mr(m, 0)], MR_DEREG);
});

test("conditions: `poisoned` and `crashed` atoms that no step can make true are PIN333", () => {
  const text = `
fs dax blocks=1
user alice
file d owner=alice pages=1
proc a user=alice { exit }
remote r { }
expect never condition "d.page0 poisoned or r crashed"`;
  const msgs = parseScenario(text, "w.pin")
    .diagnostics.filter((d) => d.code === "PIN333")
    .map((d) => d.message);
  assert.equal(msgs.length, 2, msgs.join("; "));
  const ok = `${text.replace("proc a user=alice { exit }", "proc a user=alice { memory_failure d page=0 }")}
faults peer_crash=r`;
  assert.ok(!parseScenario(ok, "w.pin").diagnostics.some((d) => d.code === "PIN333"));
});

test("an RDMA READ of a poisoned pinned page fails with REM_OP_ERR; a WRITE lands, marked poisoned", () => {
  const text = `
fs dax blocks=2
user alice
file dax0 owner=alice pages=1 backing=devdax
proc server user=alice {
  fd = open dax0 rw
  va = mmap fd pages=0..0 shared rw
  mr = reg_mr va access=local_write,remote_write,remote_read
  memory_failure dax0 page=0
  send peer mr
}
remote peer { mr = recv; rdma_write mr page=0; rdma_read mr page=0 }`;
  const ev = events(runOf(spec(text), "linux"));
  const dma = ev.filter((e) => e.k === "dma");
  assert.ok(dma.length === 2 && dma.every((e) => e.k === "dma" && e.poisoned === true));
  const err = ev.find((e) => e.k === "rdma-error");
  assert.ok(err?.k === "rdma-error" && err.status === "REM_OP_ERR");
});
