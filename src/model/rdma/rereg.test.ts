/** ibv_rereg_mr() (rdma/rereg.ts): pins, keys, the fence, and the errnos in ib_uverbs_rereg_mr()'s order. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { scenario } from "../../scenario/builder.js";
import { modelOf, stepKind, stepProc } from "../../testing/run.js";
import type { ModelEvent } from "../events.js";
import {
  FR_REF,
  frm,
  GUP_PIN_COUNTING_BIAS,
  type Model,
  MR_DEREG,
  MR_MOVED,
  MR_VALID,
  mr as mrOff,
  type State,
} from "../layout.js";
import type { Access } from "../spec.js";
import { A_LAND, A_PEER } from "../step.js";

const RW: Access[] = ["local_write", "remote_write"];

/** server: two written anonymous pages a, b; mr over a, sent to the peer; then `after`. */
function model(keys?: "same" | "new") {
  return modelOf(
    scenario("rereg")
      .fs("pagecache", 4)
      .user("alice")
      .proc("server", "alice", (p) =>
        p
          .mmapAnon("a", 1)
          .mmapAnon("b", 1)
          .store("a", 0)
          .store("b", 0)
          .regMr("mr", "a", RW)
          .send("peer", "mr")
          .reregMr("mr", { va: "b", ...(keys ? { keys } : {}) }),
      )
      .peer("peer", (r) => r.recv("mr").rdmaWrite("mr", 0))
      .build(),
    "linux",
  );
}

const steps = (m: Model, n: number) => {
  const s = { v: m.init.slice() as State };
  for (let i = 0; i < n; i++) stepProc(m, s, "server");
  return s;
};
const frame = (m: Model, s: State, x: number) => s[mrOff(m, x) + 2]! - 1;
const pinned = (m: Model, s: State, f: number) => s[frm(m, f) + FR_REF]! >= GUP_PIN_COUNTING_BIAS;

test("rereg_mr va= with the keys kept: the new range is pinned, the old unpinned, the old rkey reaches the new pages", () => {
  const m = model("same");
  const s = steps(m, 6);
  const fa = frame(m, s.v, 0);
  const ev = stepProc(m, s, "server");
  assert.ok(ev.some((e) => e.k === "ret" && e.result === 0));
  assert.equal(s.v[mrOff(m, 0)], MR_MOVED);
  assert.equal(s.v[mrOff(m, 1)], MR_VALID);
  const fb = frame(m, s.v, 1);
  assert.notEqual(fa, fb);
  assert.ok(pinned(m, s.v, fb) && !pinned(m, s.v, fa));
  const w: ModelEvent[] = [...stepKind(m, s, A_PEER, 0), ...stepKind(m, s, A_PEER, 0)];
  const issue = w.find((e) => e.k === "issue");
  assert.ok(issue?.k === "issue" && issue.frame === fb, "the write goes to b's page");
});

test("rereg_mr with new keys: the old MR is destroyed and its rkey fails", () => {
  const m = model("new");
  const s = steps(m, 7);
  assert.equal(s.v[mrOff(m, 0)], MR_DEREG);
  const w = [...stepKind(m, s, A_PEER, 0), ...stepKind(m, s, A_PEER, 0)];
  assert.ok(w.some((e) => e.k === "rdma-error" && e.status === "REM_ACCESS_ERR"));
});

test("rereg_mr waits for a device access in flight through the MR (revoke_mr fences it)", () => {
  const m = model();
  const s = steps(m, 6);
  stepKind(m, s, A_PEER, 0); // recv
  stepKind(m, s, A_PEER, 0); // the write is issued to a's page
  const b = stepProc(m, s, "server");
  assert.ok(b.some((e) => e.k === "block"));
  stepKind(m, s, A_LAND, 0);
  const r = stepProc(m, s, "server");
  assert.ok(r.some((e) => e.k === "ret" && e.result === 0));
});

test("rereg_mr errnos: no flags EINVAL, bad access EINVAL, a failed new range leaves the MR, then ENOENT after dereg", () => {
  const m = modelOf(
    scenario("rereg-errors")
      .fs("pagecache", 4)
      .user("alice")
      .proc("server", "alice", (p) =>
        p
          .mmapAnon("a", 1)
          .mmapAnon("gone", 1)
          .munmap("gone")
          .regMr("mr", "a", RW)
          .reregMr("mr")
          .reregMr("mr", { va: "gone" })
          .reregMr("mr", { access: ["remote_write"] })
          .deregMr("mr")
          .reregMr("mr", { access: ["local_write"] }),
      )
      .build(),
    "linux",
  );
  const s = { v: m.init.slice() as State };
  const out: number[] = [];
  for (let i = 0; i < 9; i++)
    for (const e of stepProc(m, s, "server")) if (e.k === "ret") out.push(e.result);
  // EINVAL, EFAULT (the old MR stays), EINVAL, then dereg_mr of it succeeds, then ENOENT
  assert.deepEqual(out.slice(4), [-22, -14, -22, 0, -2]);
  assert.equal(s.v[mrOff(m, 0)], MR_DEREG);
});
