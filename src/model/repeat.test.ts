/** Repeating tails: they repeat, `check` bounds them, `simulate` does not, and what they create is made anew. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { makePolicy } from "../policies/index.js";
import { parseScenario } from "../scenario/pin.js";
import { modelOf } from "../testing/run.js";
import { compile } from "./compile.js";
import type { ModelEvent } from "./events.js";
import type { Model, State } from "./layout.js";
import { forSimulation } from "./replicas.js";
import type { ScenarioSpec } from "./spec.js";
import { A_PEER_REPEAT, A_REPEAT, actionKind, enabled, step } from "./step.js";

function specOf(text: string): ScenarioSpec {
  const r = parseScenario(text, "t.pin");
  assert.ok(
    r.spec,
    r.diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`).join("\n"),
  );
  return r.spec;
}

/** Runs the first enabled action until nothing is enabled (or `limit` steps); returns every event. */
function drive(m: Model, limit = 10_000): { events: ModelEvent[]; s: State; steps: number } {
  let s = m.init;
  const events: ModelEvent[] = [];
  let steps = 0;
  for (; steps < limit; steps++) {
    const en = enabled(m, s);
    if (en.length === 0) break;
    const ev: ModelEvent[] = [];
    s = step(m, s, en[0]!, ev);
    events.push(...ev);
  }
  return { events, s, steps };
}

const MAINTENANCE = `
fs dax blocks=4
user alice
file data owner=alice pages=2
proc admin user=alice {
  fd = open data rw
  repeat every 1h {
    t0: truncate data pages=0
    t2: ftruncate fd pages=2
  }
}
`;

test("a repeating tail runs `bounds repeats` times in all, then the program ends", () => {
  for (const n of [1, 2, 3]) {
    const m = modelOf(specOf(`${MAINTENANCE}bounds repeats=${n}\n`), "linux");
    const { events } = drive(m);
    const rets = events.filter((e) => e.k === "ret" && e.proc === 0);
    assert.equal(rets.length, 1 + 2 * n, `open once, the tail ${n} times`);
    assert.ok(rets.every((e) => e.k === "ret" && e.result >= 0));
    const reps = events.filter((e) => e.k === "repeat");
    assert.equal(reps.length, n - 1);
    assert.deepEqual(
      reps.map((e) => (e.k === "repeat" ? [e.pc, e.iteration] : [])),
      Array.from({ length: n - 1 }, (_, i) => [1, i + 2]),
    );
  }
});

test("the default bound is 2, and check's state space stays finite", () => {
  const m = modelOf(specOf(MAINTENANCE), "linux");
  assert.equal(m.repeatLimit, 2);
  // Every reachable state, breadth first: finite because the counter is bounded.
  const seen = new Set<string>();
  const queue = [m.init];
  while (queue.length > 0) {
    const s = queue.pop()!;
    const k = s.join(",");
    if (seen.has(k)) continue;
    seen.add(k);
    for (const a of enabled(m, s)) queue.push(step(m, s, a, null));
    assert.ok(seen.size < 10_000);
  }
  assert.ok(seen.size > 4);
});

test("for simulate the tail repeats without end", () => {
  const spec = forSimulation(specOf(MAINTENANCE));
  const p = makePolicy("linux", {});
  assert.ok(p.ok);
  const c = compile(spec, p.policy);
  assert.ok(c.ok);
  assert.equal(c.model.repeatLimit, Number.POSITIVE_INFINITY);
  const { events, steps } = drive(c.model, 500);
  assert.equal(steps, 500, "still running after 500 steps");
  assert.ok(events.filter((e) => e.k === "repeat").length > 100);
});

test("a repeat is an action of its own kind (13 for a process, 14 for a peer)", () => {
  assert.equal(A_REPEAT, 13);
  assert.equal(A_PEER_REPEAT, 14);
  const m = modelOf(specOf(`${MAINTENANCE}bounds repeats=2\n`), "linux");
  let s = m.init;
  for (let i = 0; i < 3; i++) s = step(m, s, enabled(m, s)[0]!, null);
  assert.deepEqual(enabled(m, s).map(actionKind), [A_REPEAT]);
});

test("what the tail opens, maps and registers is made anew each iteration", () => {
  const spec = specOf(`
fs pagecache blocks=4
user alice
file data owner=alice pages=1
proc server user=alice on_lease_break=cancel {
  repeat {
    fd = open data r
    setlease fd rd
    va = mmap fd pages=0..0 shared r
    mr = reg_mr va access=remote_read
    dereg_mr mr
    munmap va
    close fd
  }
}
bounds repeats=3
`);
  const m = modelOf(spec, "linux");
  const { events } = drive(m);
  const rets = events.filter((e) => e.k === "ret");
  assert.equal(rets.length, 21);
  assert.ok(
    rets.every((e) => e.k === "ret" && e.result >= 0),
    JSON.stringify(rets.filter((e) => e.k === "ret" && e.result < 0)),
  );
  assert.equal(events.filter((e) => e.k === "pin").length, 3, "one pin per registration");
});

test("a tail that keeps what it creates does not compile", () => {
  // Built as data: the format refuses such a tail before it gets here (PIN316).
  const spec = specOf(`
fs dax blocks=4
user alice
file data owner=alice pages=1
proc p user=alice { repeat { fd = open data rw; close fd } }
`);
  const p0 = spec.procs[0]!;
  const bad: ScenarioSpec = { ...spec, procs: [{ ...p0, program: [p0.program[0]!] }] };
  const p = makePolicy("linux", {});
  assert.ok(p.ok);
  const c = compile(bad, p.policy);
  assert.equal(c.ok, false);
  assert.match(c.ok ? "" : c.errors[0]!.message, /opens fd but never closes it/);
});

const WRITER = `
fs pagecache blocks=4
user alice
file data owner=alice pages=1
proc server user=alice on_lease_break=cancel {
  fd = open data r
  va = mmap fd pages=0..0 shared r
  mr = reg_mr va access=remote_read
  send client mr
  await client
}
remote client {
  mr = recv
  repeat every 100us { rdma_read mr page=0 }
}
`;

test("a peer's tail repeats too, and the peer is done only after its last iteration", () => {
  const m = modelOf(specOf(`${WRITER}bounds repeats=3\n`), "linux");
  const { events } = drive(m);
  assert.equal(events.filter((e) => e.k === "dma").length, 3);
  assert.equal(events.filter((e) => e.k === "peer-repeat").length, 2);
  const done = events.findIndex((e) => e.k === "peer-done");
  const lastDma = events.map((e) => e.k).lastIndexOf("dma");
  assert.ok(done > lastDma, "peer-done after the last write");
  const awaited = events.find((e) => e.k === "ret" && e.pc === 4);
  assert.ok(awaited, "await returns once the peer is done");
});

test("a send in a repeating tail finds its mailbox full only when the peer lags a whole ring", () => {
  const spec = forSimulation(
    specOf(`
fs dax blocks=4
user alice
file data owner=alice pages=1
proc server user=alice {
  fd = open data rw
  va = mmap fd pages=0..0 shared rw
  repeat {
    mr = reg_mr va access=local_write,remote_read
    send client mr
    dereg_mr mr
  }
}
remote client { repeat { mr = recv } }
`),
  );
  const p = makePolicy("linux", {});
  assert.ok(p.ok);
  const c = compile(spec, p.policy);
  assert.ok(c.ok);
  const m = c.model;
  // Only the server moves: two sends fill the ring (capacity 2), the third waits.
  let s = m.init;
  const ev: ModelEvent[] = [];
  for (let i = 0; i < 40; i++) {
    const a = enabled(m, s).find(
      (x) => (x & 0xffff) === 0 && (actionKind(x) === 0 || actionKind(x) === A_REPEAT),
    );
    if (a === undefined) break;
    s = step(m, s, a, ev);
  }
  const sends = ev.filter((e) => e.k === "ret" && e.pc === 3);
  assert.equal(sends.length, 2);
  const blocked = ev.find((e) => e.k === "block" && e.pc === 3);
  assert.ok(blocked && blocked.k === "block" && /receive the previous messages/.test(blocked.why));
  // The peer receives one, and the send goes through.
  const recv = enabled(m, s).find((x) => actionKind(x) === 9);
  assert.ok(recv !== undefined);
  s = step(m, s, recv, null);
  const retry = enabled(m, s).find((x) => actionKind(x) === 0);
  assert.ok(retry !== undefined);
  const ev2: ModelEvent[] = [];
  step(m, s, retry, ev2);
  assert.ok(ev2.some((e) => e.k === "ret" && e.pc === 3 && e.result === 0));
});
