/**
 * `check` on the real model, on scenarios of growing size: N identical
 * server/client pairs pinning one fs-DAX file while its owner truncates it,
 * each server registering P pages. Prints distinct states/s and bytes per
 * state (visited set + parent links; "with live" adds what liveness keeps:
 * the pending graph, or the level set that stands for it), with and without
 * reductions, for 1 and 2 workers.
 */
import { checkScenario } from "../engine/check/check.js";
import type { ScenarioSpec } from "../model/spec.js";
import { scenario } from "../scenario/builder.js";
import { parseScenario } from "../scenario/pin.js";

/** N server/client pairs, P pages each, and an owner who truncates. */
export function replicas(n: number, pages: number): ScenarioSpec {
  let b = scenario(`${n} servers x ${pages} pages`)
    .fs("dax", pages + 2)
    .user("alice")
    .file("data", { owner: "alice", pages });
  for (let i = 1; i <= n; i++) {
    b = b
      .proc(`s${i}`, { user: "alice", onLeaseBreak: "cancel" }, (p) =>
        p
          .open("fd", "data", "rw")
          .mmap("va", "fd", 0, pages - 1)
          .regMr("mr", "va", ["local_write", "remote_write"])
          .send(`c${i}`, "mr"),
      )
      .peer(`c${i}`, (r) => {
        r.recv("mr");
        for (let k = 0; k < pages; k++) r.rdmaWrite("mr", k);
        return r;
      });
  }
  return b.proc("admin", "alice", (p) => p.truncate("data", 0)).build();
}

/**
 * scenarios/replicas.pin grown to N server/client pairs (each server maps the
 * 2-page fs-DAX file and registers it for remote reads; its client reads page
 * 1; the owner truncates), as `.pin` text: the scenario behind the
 * `check --no-reduce` row of the bench.
 */
export function grownReplicasPin(n: number): string {
  const lines = [
    `scenario "replicas.pin grown to ${n} pairs"`,
    "fs dax blocks=3",
    "layout_lease sep2019",
    "user alice",
    "file data owner=alice mode=0644 pages=2",
  ];
  for (let i = 1; i <= n; i++)
    lines.push(
      `proc s${i} user=alice on_lease_break=cancel {`,
      "  fd = open data r",
      "  va = mmap fd pages=0..1 shared r",
      "  mr = reg_mr va access=remote_read",
      `  send c${i} mr`,
      "}",
      `remote c${i} {`,
      "  mr = recv",
      "  rdma_read mr page=1",
      "}",
    );
  lines.push(
    "proc admin user=alice { truncate data pages=1 }",
    "expect never stale-exposure under linux,wait,ebusy,revoke,layout-lease,immutable,deferred-free,odp",
    "expect never truncate-hang under revoke,odp",
  );
  return `${lines.join("\n")}\n`;
}

export function grownReplicas(n: number): ScenarioSpec {
  const r = parseScenario(grownReplicasPin(n), `replicas-${n}.pin`);
  if (!r.spec)
    throw new Error(`pinlab bug: grown replicas.pin does not parse: ${r.diagnostics[0]?.message}`);
  return r.spec;
}

const fmt = (x: number) => Math.round(x).toLocaleString("en-US");

export async function runCheckBench(
  print: (line: string) => void,
  policy = "revoke",
): Promise<void> {
  print(
    `check: N identical server/client pairs x P pages under ${policy} (the bundled model, every interleaving)`,
  );
  print(
    `${"N".padStart(2)} ${"P".padStart(2)} ${"reduce".padEnd(6)} ${"workers".padStart(7)} ${"states".padStart(10)} ${"transitions".padStart(12)} ${"ms".padStart(8)} ${"states/s".padStart(10)} ${"bytes/state".padStart(12)} ${"with live".padStart(10)}`,
  );
  for (const [n, pages] of [
    [1, 2],
    [2, 2],
    [3, 2],
    [2, 4],
    [4, 1],
  ] as const) {
    const spec = replicas(n, pages);
    for (const reduce of [false, true])
      for (const workers of [1, 2]) {
        const r = await checkScenario(
          { spec, policy, params: {} },
          { reduce, workers, maxTimeMs: 60_000 },
        );
        const s = r.explore.stats;
        print(
          `${String(n).padStart(2)} ${String(pages).padStart(2)} ${String(reduce).padEnd(6)} ${String(r.explore.workers).padStart(7)} ${fmt(s.states).padStart(10)} ${fmt(s.transitions).padStart(12)} ${fmt(s.timeMs).padStart(8)} ${fmt(s.statesPerSec).padStart(10)} ${s.bytesPerState.toFixed(1).padStart(12)} ${((s.tableBytes + s.traceBytes + s.livenessBytes) / Math.max(1, s.states)).toFixed(1).padStart(10)}${r.explore.status === "complete" ? "" : `  (${r.explore.reason})`}`,
        );
      }
  }
}
