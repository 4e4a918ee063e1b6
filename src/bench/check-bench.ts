/**
 * `check` on the real model, on scenarios of growing size: N identical
 * server/client pairs pinning one fs-DAX file while its owner truncates it,
 * each server registering P pages. Prints distinct states/s and bytes per
 * state, with and without reductions, for 1 and 2 workers.
 */
import { checkScenario } from "../engine/check/check.js";
import type { ScenarioSpec } from "../model/spec.js";
import { scenario } from "../scenario/builder.js";

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

const fmt = (x: number) => Math.round(x).toLocaleString("en-US");

export async function runCheckBench(
  print: (line: string) => void,
  policy = "revoke",
): Promise<void> {
  print(
    `check: N identical server/client pairs x P pages under ${policy} (the bundled model, every interleaving)`,
  );
  print(
    `${"N".padStart(2)} ${"P".padStart(2)} ${"reduce".padEnd(6)} ${"workers".padStart(7)} ${"states".padStart(10)} ${"transitions".padStart(12)} ${"ms".padStart(8)} ${"states/s".padStart(10)} ${"bytes/state".padStart(12)}`,
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
          `${String(n).padStart(2)} ${String(pages).padStart(2)} ${String(reduce).padEnd(6)} ${String(r.explore.workers).padStart(7)} ${fmt(s.states).padStart(10)} ${fmt(s.transitions).padStart(12)} ${fmt(s.timeMs).padStart(8)} ${fmt(s.statesPerSec).padStart(10)} ${s.bytesPerState.toFixed(1).padStart(12)}${r.explore.status === "complete" ? "" : `  (${r.explore.reason})`}`,
        );
      }
  }
}
