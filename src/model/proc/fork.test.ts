/**
 * fork(2) with a pinned anonymous page, against the pinned-anonymous cases of
 * tools/testing/selftests/mm/cow.c: since v5.9 the child gets a copy at fork
 * (copy_present_page) and the parent stays coherent with the pin; under the
 * 2019 rules the parent's next write copies its page away from the pin.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runSchedule } from "../../engine/run/exec.js";
import { PROPERTIES } from "../../properties/index.js";
import type { ProcBuilder } from "../../scenario/builder.js";
import { scenario } from "../../scenario/builder.js";
import { events, modelOf, resultOf, runOf } from "../../testing/run.js";
import {
  FR_CONTENT,
  FR_REF,
  frm,
  GUP_PIN_COUNTING_BIAS,
  type Model,
  MR_DEREG,
  MR_VALID,
  mr as mrOff,
  OFD_MAPPED,
  OFD_OPEN,
  ofd,
  P_STATUS,
  PS_KILLED,
  PS_UNBORN,
  PTE_RW,
  proc,
  type State,
  vma as vmaOff,
} from "../layout.js";
import { pteFrame, ptePerm } from "../mm/pte.js";

/** app: a private, written (anonymous), pinned page; then `after`; child runs `child`. */
function spec(o: {
  dontfork?: boolean;
  after?: (p: ProcBuilder) => ProcBuilder;
  child?: (p: ProcBuilder) => ProcBuilder;
  pin?: boolean;
}) {
  return scenario("fork")
    .fs("pagecache", 4)
    .user("alice")
    .file("buf", { owner: "alice", pages: 1 })
    .proc("app", "alice", (p) => {
      p.open("fd", "buf", "rw").mmap("va", "fd", 0, 0, { shared: false }).store("va", 0);
      if (o.pin !== false) p.regMr("mr", "va", ["local_write", "remote_write"]);
      if (o.dontfork) p.madvise("va", "dontfork");
      p.fork("child");
      return o.after ? o.after(p) : p;
    })
    .proc("child", { user: "alice", forked: true }, (p) =>
      o.child ? o.child(p) : p.store("va", 0),
    )
    .build();
}

const pinned = (m: Model, s: State) => s[mrOff(m, 0) + 2]! - 1;
const pte = (m: Model, s: State, v: number) => s[vmaOff(m, v) + 1]!;
/** The child's copy of the parent's VMA 0. */
const childVma = (m: Model) => m.vmas.findIndex((v) => v.forkOf === 0);

test("a forked process does not exist until its parent's fork", () => {
  const r = runOf(spec({ after: (p) => p }), "linux");
  assert.equal(r.model.init[proc(r.model, 1) + P_STATUS], PS_UNBORN);
  assert.equal(resultOf(r, "app", "fork"), 0);
  assert.equal(resultOf(r, "child", "store"), 0);
});

test("v6.2 rules: the pinned page is copied for the child at fork; the parent keeps it", () => {
  const r = runOf(spec({ after: (p) => p.store("va", 0) }), "linux");
  const { model: m, run } = r;
  const s = run.final;
  const f = pinned(m, s);
  // The parent still maps the pinned page, writable: its store after the fork landed there.
  assert.equal(pteFrame(pte(m, s, 0)), f);
  assert.equal(ptePerm(pte(m, s, 0)), PTE_RW);
  // The child maps its own copy.
  const w = childVma(m);
  assert.ok(w >= 0);
  assert.notEqual(pteFrame(pte(m, s, w)), f);
  const fork = events(r).find((e) => e.k === "fork");
  assert.ok(fork && fork.k === "fork" && fork.copied.includes(f) && fork.shared.length === 0);
});

test("2019 rules: the pinned page is shared; the parent's write copies it away from the pin", () => {
  const r = runOf(spec({ after: (p) => p.store("va", 0) }), "wait");
  const { model: m, run } = r;
  const s = run.final;
  const f = pinned(m, s);
  assert.notEqual(pteFrame(pte(m, s, 0)), f, "the parent now maps another page");
  // The child, the only one mapping the pinned page now, wrote it in place (wp_page_reuse):
  // the device sees the child's data.
  assert.equal(pteFrame(pte(m, s, childVma(m))), f);
  assert.equal(ptePerm(pte(m, s, childVma(m))), PTE_RW);
  const fork = events(r).find((e) => e.k === "fork");
  assert.ok(fork && fork.k === "fork" && fork.shared.includes(f) && fork.copied.length === 0);
});

test("an unpinned anonymous page: each side ends with its own page, with the same data", () => {
  const r = runOf(spec({ pin: false, after: (p) => p.load("va", 0) }), "wait");
  const { model: m, run } = r;
  const s = run.final;
  const a = pteFrame(pte(m, s, 0));
  const b = pteFrame(pte(m, s, childVma(m)));
  assert.notEqual(a, b);
  assert.equal(s[frm(m, a) + FR_CONTENT], s[frm(m, b) + FR_CONTENT]);
});

test("MADV_DONTFORK: the child has no mapping there and dies of SIGSEGV at its access", () => {
  const r = runOf(spec({ dontfork: true, child: (p) => p.load("va", 0) }), "wait");
  const { model: m, run } = r;
  assert.equal(resultOf(r, "app", "madvise"), 0);
  assert.equal(run.final[proc(m, 1) + P_STATUS], PS_KILLED);
  const death = events(r).find((e) => e.k === "exit" && e.proc === 1);
  assert.ok(death && death.k === "exit" && death.sig === "SIGSEGV");
  // Under the 2019 rules too, the parent keeps the pinned page.
  assert.equal(pteFrame(pte(m, run.final, 0)), pinned(m, run.final));
});

test("madvise of an unmapped range is ENOMEM (madvise_walk_vmas)", () => {
  const s = scenario("madvise")
    .fs("pagecache", 4)
    .user("alice")
    .file("buf", { owner: "alice", pages: 1 })
    .proc("app", "alice", (p) =>
      p.open("fd", "buf", "rw").mmap("va", "fd", 0, 0).munmap("va").madvise("va", "dontfork"),
    )
    .build();
  assert.equal(resultOf(runOf(s, "linux"), "app", "madvise"), -12);
});

test("the child holds the uverbs file: the pins outlive the parent's exit until the child exits", () => {
  const r = runOf(spec({ after: (p) => p.exit(), child: (p) => p.store("va", 0).exit() }), "linux");
  const ev = events(r);
  const parentExit = ev.findIndex((e) => e.k === "exit" && e.proc === 0);
  const kept = ev.findIndex((e) => e.k === "mr-kept");
  const unpin = ev.findIndex((e) => e.k === "unpin");
  const childExit = ev.findIndex((e) => e.k === "exit" && e.proc === 1);
  // teardown emits mr-kept before the exit itself
  assert.ok(
    parentExit >= 0 && kept >= 0 && kept < parentExit,
    "the MR is kept at the parent's exit",
  );
  assert.ok(unpin > parentExit && childExit >= unpin - 1, "and unpinned with the child");
  assert.equal(r.run.final[mrOff(r.model, 0)], MR_DEREG);
});

test("the parent's MR stays valid while only the child holds its uverbs file", () => {
  const r = runOf(spec({ after: (p) => p.exit(), child: (p) => p.load("va", 0) }), "linux");
  const { model: m, run } = r;
  assert.equal(run.final[mrOff(m, 0)], MR_VALID);
  assert.equal(run.final[frm(m, pinned(m, run.final)) + FR_REF], GUP_PIN_COUNTING_BIAS);
});

test("an inherited descriptor keeps the file open after the parent's close, until the child exits", () => {
  const s = scenario("files")
    .fs("pagecache", 4)
    .user("alice")
    .file("buf", { owner: "alice", pages: 1 })
    .proc("app", "alice", (p) => p.open("fd", "buf", "rw").fork("child").close("fd").as("c"))
    .proc("waiter", "alice", (p) => p.waitFor("app", "c").waitFor("child", "e"))
    .proc("child", { user: "alice", forked: true }, (p) => p.waitFor("app", "c").exit().as("e"))
    .build();
  const m = modelOf(s, "linux");
  const run = runSchedule(m, { seed: 0, properties: PROPERTIES, keepStates: true });
  // After the parent's close the file is still held; the child's exit is its last fput.
  const closeStep = run.steps.findIndex((st) =>
    st.events.some(
      (e) => e.k === "ret" && e.proc === 0 && m.procs[0]!.prog[e.pc]!.spec.op === "close",
    ),
  );
  assert.ok(closeStep >= 0);
  assert.equal(run.states![closeStep + 1]![ofd(m, 0) + OFD_OPEN], OFD_MAPPED);
  assert.equal(run.final[ofd(m, 0) + OFD_OPEN], 2);
});
