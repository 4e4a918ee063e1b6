/** Replica groups as plain copies: names, references, the exploration limit, and symmetry. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { findSymmetry } from "../engine/adapter/symmetry.js";
import { parseScenario } from "../scenario/pin.js";
import { modelOf } from "../testing/run.js";
import { copyOf, expandReplicas, forSimulation } from "./replicas.js";
import type { ScenarioSpec } from "./spec.js";

function specOf(text: string): ScenarioSpec {
  const r = parseScenario(text, "t.pin");
  assert.ok(
    r.spec,
    r.diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`).join("\n"),
  );
  return r.spec;
}

const FLEET = `
fs pagecache blocks=8
user alice
file shared owner=alice pages=1
replicate 5 {
  file own owner=alice pages=1
  proc server user=alice on_lease_break=cancel {
    fd = open shared r
    va = mmap fd pages=0..0 shared r
    mr = reg_mr va access=remote_read
    send client mr
    g = open own rw
    write g page=0
  }
  remote client {
    mr = recv
    rdma_read mr page=0
  }
}
proc admin user=alice {
  truncate own#4 pages=0
  kill server#5
}
faults crash=server
timing handler proc=server exp 2s
timing handler proc=server#2 exp 9s
expect server#5.write returns ok
`;

test("copies are named name#N, and a copy's references stay inside the copy", () => {
  const flat = expandReplicas(specOf(FLEET));
  assert.equal(flat.replicas, undefined);
  assert.deepEqual(
    flat.procs.map((p) => p.name),
    ["admin", "server#1", "server#2", "server#3", "server#4", "server#5"],
  );
  assert.deepEqual(
    flat.peers.map((r) => r.name),
    ["client#1", "client#2", "client#3", "client#4", "client#5"],
  );
  assert.deepEqual(
    flat.files.map((f) => f.name),
    ["shared", "own#1", "own#2", "own#3", "own#4", "own#5"],
  );
  const s3 = flat.procs[3]!.program;
  assert.deepEqual(
    s3.flatMap((op) => (op.op === "open" ? [op.file] : op.op === "send" ? [op.peer] : [])),
    ["shared", "client#3", "own#3"],
    "the group's own names become the copy's; the shared file stays shared",
  );
  assert.deepEqual(flat.faults.crash, ["server#1", "server#2", "server#3", "server#4", "server#5"]);
  assert.deepEqual(
    flat.timing?.map((t) => `${t.target} ${t.dist.kind === "exponential" ? t.dist.mean : ""}`),
    ["server#1 2", "server#2 2", "server#3 2", "server#4 2", "server#5 2", "server#2 9"],
  );
  assert.deepEqual(copyOf("server#12"), ["server", 12]);
  assert.equal(copyOf("server"), null);
  assert.equal(copyOf("server#0"), null);
});

test("with a limit, only that many copies are kept, and names of dropped copies go to the last kept", () => {
  const flat = expandReplicas(specOf(FLEET), 2);
  assert.deepEqual(
    flat.procs.map((p) => p.name),
    ["admin", "server#1", "server#2"],
  );
  const admin = flat.procs[0]!.program;
  assert.deepEqual(
    admin.map((op) => (op.op === "truncate" ? op.file : op.op === "kill" ? op.proc : "")),
    ["own#2", "server#2"],
  );
  const e = flat.expectations[0]!;
  assert.equal(e.kind === "result" ? e.proc : "", "server#2");
  assert.deepEqual(flat.faults.crash, ["server#1", "server#2"]);
});

test("compile keeps `bounds replicas` copies (default 2) and records what it bounded; simulate gets all", () => {
  const spec = specOf(FLEET);
  const m = modelOf(spec, "linux");
  assert.equal(m.procs.length, 3);
  assert.deepEqual(m.bounded.replicas, [
    { members: ["own", "server", "client"], count: 5, copies: 2 },
  ]);
  const m3 = modelOf({ ...spec, bounds: { replicas: 3 } }, "linux");
  assert.equal(m3.procs.length, 4);
  const sim = forSimulation(spec);
  assert.equal(sim.procs.length, 6);
  assert.equal(sim.bounds.repeats, Number.POSITIVE_INFINITY);
  assert.equal(modelOf(sim, "linux").procs.length, 6);
});

test("copies of a group that share their files are symmetric, with their repeat counters", () => {
  const spec = specOf(`
fs pagecache blocks=4
user alice
file data owner=alice pages=1
replicate 3 {
  proc server user=alice on_lease_break=cancel {
    fd = open data r
    va = mmap fd pages=0..0 shared r
    mr = reg_mr va access=remote_read
    send client mr
  }
  remote client {
    mr = recv
    repeat { rdma_read mr page=0 }
  }
}
bounds replicas=3
`);
  const m = modelOf(spec, "linux");
  const sym = findSymmetry(m);
  assert.ok(sym);
  assert.equal(sym.groups.length, 1);
  assert.deepEqual(
    sym.groups[0]!.map((r) => m.procs[r.proc]!.name),
    ["server#1", "server#2", "server#3"],
  );
  const counter = m.peers[0]!.repeat!.counter;
  assert.ok(sym.groups[0]![0]!.ranges.some(([o]) => o === counter));
});
