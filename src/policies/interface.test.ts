/**
 * The policy interface's questions are asked where the kernel (or the
 * proposal) decides, with the query the documentation promises, and the model
 * does what each answer says. Policies here are built with definePolicy as a
 * proposal's file would be.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { compile } from "../model/compile.js";
import { EBUSY, EPERM } from "../model/errno.js";
import type { ModelEvent } from "../model/events.js";
import type { LayoutQuery, PinnerQuery, PinQuery, Policy, RevokeQuery } from "../model/policy.js";
import type { ScenarioSpec } from "../model/spec.js";
import { A_PIN_TIMER, actionKind, enabled, step } from "../model/step.js";
import { parseScenario } from "../scenario/pin.js";
import { drive, returned } from "../testing/drive.js";
import { definePolicy, onDax } from "./base.js";
import { POLICIES } from "./index.js";

/** A holder that ignores SIGIO, an admin (same user) and, with `caps`, a privileged root. */
function scenarioText(nic: "none" | "fence", rootCaps = "CAP_SYS_ADMIN"): string {
  return `scenario "interface"
fs dax blocks=4
user alice
user root caps=${rootCaps}
file data owner=alice mode=0666 pages=2
proc server user=alice on_lease_break=ignore {
  fd = open data rw
  va = mmap fd pages=0..1 shared rw
  mr = reg_mr va access=local_write,remote_write
}
proc admin user=alice { truncate data pages=0 }
proc root user=root { truncate data pages=1 }
proc self user=alice { fd = open data rw; va = mmap fd pages=0..1 shared rw; mr = reg_mr va access=local_write; truncate data pages=0 }
nic invalidate=${nic}
`;
}

function specOf(text: string): ScenarioSpec {
  const r = parseScenario(text, "interface.pin");
  assert.ok(r.spec, JSON.stringify(r.diagnostics.map((d) => d.message)));
  return r.spec!;
}

function modelOf(spec: ScenarioSpec, policy: Policy) {
  const c = compile(spec, policy);
  assert.ok(c.ok);
  if (!c.ok) throw new Error("unreachable");
  return c.model;
}

test("mayPin is asked in check_vma_flags() with the pinner, its user, caps and the file's state; its errno is reg_mr's", () => {
  const asked: PinQuery[] = [];
  const mod = definePolicy("spy-pin", "test", "test", [], () => ({
    mayPin: (q) => {
      asked.push({ ...q, leaseHeld: q.leaseHeld });
      return q.stage === "vma" && q.proc === 0 ? EPERM : 0;
    },
    layoutChange: onDax({ do: "wait" }),
  }));
  const m = modelOf(specOf(scenarioText("none")), mod.create({}));
  const d = drive(m, ["server", "server", "server", "self", "self", "self"]);
  assert.equal(returned(m, d.events, "server", "reg_mr"), -EPERM);
  assert.ok(returned(m, d.events, "self", "reg_mr")! >= 0);
  const vma = asked.filter((q) => q.stage === "vma");
  assert.deepEqual(
    vma.map((q) => [q.proc, q.pinner, q.backing, q.dax, q.shared, q.mappingWritable]),
    [
      [0, "rdma", "fs", true, true, true],
      [3, "rdma", "fs", true, true, true],
    ],
  );
  assert.equal(
    vma[0]!.user,
    m.users.findIndex((u) => u.name === "alice"),
  );
  assert.deepEqual(vma[0]!.caps, []);
  assert.equal(vma[0]!.fileOwner, true);
  assert.equal(vma[0]!.leaseHeld, false);
  // The refused pin stops at check_vma_flags(); the allowed one is asked again per fs-DAX page.
  assert.deepEqual(
    asked.filter((q) => q.stage === "page").map((q) => q.proc),
    [3, 3],
  );
});

test("layoutChange sees whether the caller owns the pins and whether it is privileged", () => {
  const asked: LayoutQuery[] = [];
  // owner-revoke: the pins' owner revokes; anyone else gets EBUSY unless CAP_SYS_ADMIN.
  const mod = definePolicy("owner-revoke", "test", "test", [], () => ({
    revocablePins: true,
    layoutChange: (q) => {
      asked.push(q);
      if (!q.dax) return { do: "proceed" };
      return q.owner || q.privileged ? { do: "revoke" } : { do: "fail", errno: EBUSY };
    },
  }));
  const spec = specOf(scenarioText("none"));
  const m = modelOf(spec, mod.create({}));
  const d = drive(m, ["server", "server", "server", "admin", "root"]);
  assert.equal(returned(m, d.events, "admin", "truncate"), -EBUSY);
  assert.equal(returned(m, d.events, "root", "truncate"), undefined); // revoking: it waits
  assert.ok(d.events.some((e) => e.k === "lease-break"));
  const [admin, root] = asked;
  assert.deepEqual(
    [admin!.owner, admin!.sameUser, admin!.fileOwner, admin!.privileged, admin!.pinners],
    [false, true, true, false, ["rdma"]],
  );
  assert.deepEqual(
    [root!.owner, root!.sameUser, root!.fileOwner, root!.privileged],
    [false, false, false, true],
  );
  assert.deepEqual(root!.holders, [0]);
  // The pins' owner truncating its own file is `owner`.
  const own = modelOf(spec, mod.create({}));
  asked.length = 0;
  drive(own, ["self", "self", "self", "self"]);
  assert.equal(asked[0]!.owner, true);
  // Without CAP_SYS_ADMIN root is just another user.
  asked.length = 0;
  const plain = modelOf(specOf(scenarioText("none", "CAP_LEASE")), mod.create({}));
  const p = drive(plain, ["server", "server", "server", "root"]);
  assert.equal(returned(plain, p.events, "root", "truncate"), -EBUSY);
  assert.equal(asked[0]!.privileged, false);
});

/** The revoke policy's body with its per-pinner answers replaced. */
function revokeWith(
  revokePinner: (q: RevokeQuery) => "break" | "invalidate" | "wait",
  leaseBreakTimeout: (q: PinnerQuery) => "sigkill" | "invalidate",
) {
  return definePolicy("revoke-variant", "test", "test", [], () => ({
    revocablePins: true,
    revokePinner,
    leaseBreakTimeout,
    layoutChange: onDax({ do: "revoke" }),
  })).create({});
}

const kinds = (ev: readonly ModelEvent[]) => ev.map((e) => e.k);

test("revokePinner: invalidate revokes without a lease break where the NIC can, and falls back to a break where it cannot", () => {
  const asked: RevokeQuery[] = [];
  const pol = revokeWith(
    (q) => {
      asked.push(q);
      return "invalidate";
    },
    () => "sigkill",
  );
  const fence = modelOf(specOf(scenarioText("fence")), pol);
  const f = drive(fence, ["server", "server", "server", "admin", "admin"]);
  assert.ok(!kinds(f.events).includes("lease-break"));
  assert.ok(f.events.some((e) => e.k === "escalate" && e.how === "invalidate" && e.fenced));
  assert.equal(returned(fence, f.events, "admin", "truncate"), 0);
  assert.deepEqual(
    [asked[0]!.pinner, asked[0]!.invalidate, asked[0]!.kind, asked[0]!.owner],
    ["rdma", "fence", "truncate", false],
  );
  const none = modelOf(specOf(scenarioText("none")), pol);
  const n = drive(none, ["server", "server", "server", "admin"]);
  assert.ok(kinds(n.events).includes("lease-break"));
  assert.ok(!n.events.some((e) => e.k === "escalate"));
});

test("revokePinner: wait breaks no lease, and the change waits for the pin", () => {
  const pol = revokeWith(
    () => "wait",
    () => "sigkill",
  );
  const m = modelOf(specOf(scenarioText("fence")), pol);
  const d = drive(m, ["server", "server", "server", "admin"]);
  assert.ok(!kinds(d.events).includes("lease-break"));
  assert.equal(returned(m, d.events, "admin", "truncate"), undefined);
  assert.ok(!enabled(m, d.s).some((a) => actionKind(a) === A_PIN_TIMER));
});

test("leaseBreakTimeout is asked per pinner when its timer fires, and its answer is what happens", () => {
  for (const answer of ["sigkill", "invalidate"] as const) {
    const asked: PinnerQuery[] = [];
    const pol = revokeWith(
      () => "break",
      (q) => {
        asked.push(q);
        return answer;
      },
    );
    const m = modelOf(specOf(scenarioText("fence")), pol);
    const d = drive(m, ["server", "server", "server", "admin"]);
    const timer = enabled(m, d.s).find((a) => actionKind(a) === A_PIN_TIMER);
    assert.ok(timer !== undefined, "the lease-break timer may fire");
    const ev: ModelEvent[] = [];
    step(m, d.s, timer, ev);
    assert.deepEqual(
      asked.map((q) => [q.pinner, q.proc, q.invalidate]),
      [["rdma", 0, "fence"]],
    );
    const esc = ev.find((e) => e.k === "escalate");
    assert.ok(esc && esc.k === "escalate" && esc.how === answer, answer);
  }
});

test("every built-in policy documents its answer to each question", () => {
  for (const mod of POLICIES) {
    const p = mod.create({});
    for (const q of ["mayPin", "layoutChange", "revokePinner", "leaseBreakTimeout"] as const)
      assert.ok(p.answers[q].length > 0, `${mod.name}: ${q}`);
  }
  // revoke's escalation parameter is its answer to the lease-break timeout.
  const revoke = POLICIES.find((m) => m.name === "revoke")!;
  assert.match(revoke.create({ escalation: "invalidate" }).answers.leaseBreakTimeout, /invalidate/);
  assert.match(revoke.create({}).answers.leaseBreakTimeout, /SIGKILL/);
});
