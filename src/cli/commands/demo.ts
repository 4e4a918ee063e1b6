/**
 * `pinlab demo`: the core scenario under every policy, one line each, so a
 * newcomer sees at once how the options differ; then where to look next.
 */
import { runSchedule } from "../../engine/run/exec.js";
import { judgeRun } from "../../engine/run/expect.js";
import { compile } from "../../model/compile.js";
import { errnoName } from "../../model/errno.js";
import { POLICIES } from "../../policies/index.js";
import { PROPERTIES } from "../../properties/index.js";
import { LIBRARY } from "../../scenario/library.js";
import type { Command } from "../command.js";
import { EXIT_FAILED, EXIT_OK } from "../host.js";

export const demoCommand: Command = {
  name: "demo",
  summary: "run the core scenario under every policy and print one line per policy",
  usage:
    "pinlab demo\n\nRuns the bundled core scenario (truncate vs. RDMA WRITE on fs-DAX) under every policy\nwith the default schedule and summarises what each policy did.",
  run(_argv, host) {
    const spec = LIBRARY.core!();
    host.out(`${spec.name}\n`);
    host.out(
      "server registers an MR over a 2-page file, peer RDMA-writes, owner truncates, bob allocates\n\n",
    );
    const w = Math.max(...POLICIES.map((p) => p.name.length));
    host.out(
      `${"policy".padEnd(w)}  ${"reg_mr".padEnd(11)} ${"truncate".padEnd(9)} what happened\n`,
    );
    let status = EXIT_OK;
    for (const mod of POLICIES) {
      const policy = mod.create({});
      const c = compile(spec, policy);
      if (!c.ok)
        throw new Error(`pinlab bug: the core scenario does not compile: ${c.errors[0]?.message}`);
      const run = runSchedule(c.model, { properties: PROPERTIES });
      const exp = judgeRun(run);
      if (exp.some((e) => !e.ok)) status = EXIT_FAILED;
      const result = (proc: string, op: string): string => {
        const p = c.model.procs.findIndex((x) => x.name === proc);
        const pcs = new Set(
          c.model.procs[p]!.prog.filter((o) => o.spec.op === op).map((o) => o.index),
        );
        let r = "-";
        for (const st of run.steps)
          for (const e of st.events) {
            if (e.k === "ret" && e.proc === p && pcs.has(e.pc))
              r = e.result >= 0 ? "ok" : errnoName(-e.result);
            if (e.k === "block" && e.proc === p && pcs.has(e.pc) && r === "-") r = "blocks";
          }
        return r;
      };
      const shown = PROPERTIES.filter(
        (p) => p.kind !== "possibility" && run.occurrences.has(p.name),
      ).map((p) => p.name);
      host.out(
        `${policy.name.padEnd(w)}  ${result("server", "reg_mr").padEnd(11)} ${result("admin", "truncate").padEnd(9)} ${
          shown.length ? `violated: ${shown.join(", ")}` : "no property violated"
        }\n`,
      );
    }
    host.out("\nSee one trace:   ./pinlab run core --policy unsafe\n");
    host.out("All policies:    ./pinlab run core --policy all\n");
    host.out("Every command:   ./pinlab --help\n");
    return status;
  },
};
