/**
 * An MR lives as long as its uverbs file (ib_uverbs_close at the last fput,
 * drivers/infiniband/core/uverbs_main.c): the owner's death frees the pins
 * only when no other process holds the file (here passed with SCM_RIGHTS).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { scenario } from "../../scenario/builder.js";
import { events, resultOf, runOf } from "../../testing/run.js";
import { ECONNREFUSED } from "../errno.js";
import { FR_REF, frm, GUP_PIN_COUNTING_BIAS } from "../layout.js";

function spec(o: { share: boolean; killHelper: boolean; helperFirst?: boolean }) {
  return scenario("uverbs")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("server", "alice", (p) => {
      p.open("fd", "data", "rw").mmap("va", "fd", 0, 0).regMr("mr", "va", ["local_write"]);
      if (o.share) p.sendUverbs("helper");
      return p;
    })
    .proc("helper", "alice", (p) => p.open("fd", "data", "r"))
    .proc("killer", "alice", (p) => {
      p.kill("server");
      if (o.killHelper) p.kill("helper").as("k2");
      return p;
    })
    .build();
}

test("without another reference, the owner's death unpins its MRs", () => {
  const r = runOf(spec({ share: false, killHelper: false }), "unsafe");
  assert.equal(r.run.final[frm(r.model, 0) + FR_REF], 0);
  assert.ok(events(r).some((e) => e.k === "unpin"));
});

test("SIGKILL of the owner keeps the pins while another process holds the uverbs file", () => {
  const r = runOf(spec({ share: true, killHelper: false }), "unsafe");
  assert.equal(resultOf(r, "server", "send_uverbs"), 0);
  assert.equal(r.run.final[frm(r.model, 0) + FR_REF], GUP_PIN_COUNTING_BIAS);
  assert.ok(!events(r).some((e) => e.k === "unpin"));
  assert.ok(events(r).some((e) => e.k === "mr-kept"));
});

test("the last holder's death destroys the MR and frees the pins", () => {
  const r = runOf(spec({ share: true, killHelper: true }), "unsafe");
  const ev = events(r);
  const serverExit = ev.findIndex((e) => e.k === "exit" && e.proc === 0);
  const helperExit = ev.findIndex((e) => e.k === "exit" && e.proc === 1);
  const unpin = ev.findIndex((e) => e.k === "unpin");
  // The unpin is part of the helper's teardown, after the server died.
  assert.ok(serverExit >= 0 && unpin > serverExit && helperExit > unpin - 1);
  assert.equal(r.run.final[frm(r.model, 0) + FR_REF], 0);
});

test("passing the uverbs fd to a dead process fails with ECONNREFUSED (unix_dgram_sendmsg)", () => {
  const s = scenario("dead")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("helper", "alice", (p) => p.exit())
    .proc("server", "alice", (p) => p.open("fd", "data", "rw").sendUverbs("helper"))
    .build();
  assert.equal(resultOf(runOf(s, "unsafe"), "server", "send_uverbs"), -ECONNREFUSED);
});
