/**
 * What each action of the model costs in virtual time: the defaults, each
 * with its source, and a scenario's `timing` entries over them. Resolved once
 * per model into tables indexed like the actions (process, peer), so that the
 * simulator's loop only samples.
 *
 * Action kinds (model/step.ts) and their timing keys (model/spec.ts):
 * A_PROC → the process's `pace`, then the `op` cost of the operation it
 * performs (a blocked call whose cause went away resumes at once: the waker
 * paid for it); A_SIGIO → `sigio`; A_HANDLER → `handler`; A_LAND → `rdma_op`;
 * A_ODP_FAULT → `odp_fault`; A_WRITEBACK → `writeback`; A_PEER_ACK →
 * `cancel_rtt`; A_LEASE_TIMER and A_PIN_TIMER → `lease_break_time` of the
 * holder; A_PEER → the peer's `pace`; A_CRASH/A_HANG/A_PARTITION → `crash`,
 * `hang`, `partition` (none by default: such a fault never strikes);
 * A_REPEAT/A_PEER_REPEAT → the repeating tail's `every`.
 */
import type { Model } from "../../model/layout.js";
import type { Distribution, TimingEntry, TimingKey } from "../../model/spec.js";

/** A default duration and where its figure comes from. */
export interface TimingDefault {
  readonly dist: Distribution | null;
  readonly source: string;
}

/** lease_break_time in fs/locks.c: 45 seconds (/proc/sys/fs/lease-break-time). */
export const DEFAULT_LEASE_BREAK_TIME = 45;

export const TIMING_DEFAULTS: Readonly<Record<TimingKey, TimingDefault>> = {
  lease_break_time: {
    dist: { kind: "fixed", value: DEFAULT_LEASE_BREAK_TIME },
    source:
      "fs/locks.c: lease_break_time = 45 (/proc/sys/fs/lease-break-time); the policy parameter lease-break-time where the policy has it",
  },
  sigio: {
    // A pending signal is acted on in exit_to_user_mode_loop() (kernel/entry/common.c):
    // a sleeping holder is woken by signal_wake_up() and returns at once; one running
    // in user mode returns to the kernel at its next interrupt, at worst a tick (HZ=250).
    dist: { kind: "uniform", min: 0, max: 0.004 },
    source:
      "delivered on the holder's next return to user mode (exit_to_user_mode_loop, kernel/entry/common.c): within one scheduler tick, 4 ms at HZ=250",
  },
  handler: {
    dist: { kind: "exponential", mean: 0.001 },
    source:
      "the application's own SIGIO handler: no kernel figure exists; 1 ms mean (exponential) as a stated assumption, to be overridden per scenario",
  },
  cancel_rtt: {
    dist: { kind: "lognormal", median: 20e-6, sigma: 0.5 },
    source:
      "an application-level request and answer over RDMA: two sends of about 1 µs each (ib_send_lat, D. Potter, master's thesis, RC 32 B–4 KiB: 0.8–2.3 µs) plus the peer's software, 20 µs median as a stated assumption",
  },
  rdma_op: {
    dist: { kind: "lognormal", median: 2.25e-6, sigma: 0.1 },
    source:
      "ib_send_lat of a 4 KiB message over an RC queue pair: 2.25 µs (D. Potter, master's thesis, table of MTU performance)",
  },
  odp_fault: {
    dist: { kind: "lognormal", median: 1e-3, sigma: 1 },
    source:
      "ODP page faults cost milliseconds: NP-RDMA (Shen et al., arXiv 2310.11062) measures its own 3.5–5.7 µs minor faults as some 500× faster than ODP's; Fukuoka, Sato, Taura, 'Pitfalls of InfiniBand with On-Demand Paging' (2021), find retransmission cases 3–4 orders of magnitude above the common case: 1 ms median, heavy tail (sigma 1)",
  },
  writeback: {
    // mm/page-writeback.c: dirty_expire_interval = 30 * 100 (centisecs), dirty_writeback_interval = 5 * 100.
    dist: { kind: "uniform", min: 30, max: 35 },
    source:
      "dirty_expire_centisecs (30 s) plus up to one dirty_writeback_centisecs period (5 s) of the flusher (mm/page-writeback.c)",
  },
  op: {
    dist: { kind: "fixed", value: 0 },
    source: "no cost beyond the process's pace unless the scenario states one",
  },
  pace: {
    dist: { kind: "exponential", mean: 0.001 },
    source:
      "a process's or peer's own time between operations: 1 ms mean (exponential) as a stated assumption",
  },
  crash: { dist: null, source: "a crash strikes only when the scenario times it" },
  hang: { dist: null, source: "a hang strikes only when the scenario times it" },
  partition: { dist: null, source: "a partition strikes only when the scenario times it" },
  oom: { dist: null, source: "an OOM kill strikes only when the scenario times it" },
  peer_crash: { dist: null, source: "a peer crash strikes only when the scenario times it" },
};

/** The resolved durations of one model, indexed like the actions. */
export interface TimingTable {
  readonly procPace: readonly Distribution[];
  /** Per process, per program counter: the operation's own cost. */
  readonly procOp: readonly (readonly Distribution[])[];
  readonly sigio: readonly Distribution[];
  readonly handler: readonly Distribution[];
  /** Per process: lease-break-time of its leases and revocable pins. */
  readonly leaseBreak: readonly Distribution[];
  readonly crash: readonly (Distribution | null)[];
  readonly hang: readonly (Distribution | null)[];
  readonly procRepeat: readonly Distribution[];
  readonly peerPace: readonly Distribution[];
  readonly cancelRtt: readonly Distribution[];
  readonly rdmaOp: readonly Distribution[];
  readonly odpFault: readonly Distribution[];
  readonly partition: readonly (Distribution | null)[];
  readonly oom: readonly (Distribution | null)[];
  readonly peerCrash: readonly (Distribution | null)[];
  readonly peerRepeat: readonly Distribution[];
  readonly writeback: Distribution;
  /** Things the resolution could not honour, said in the result's notes. */
  readonly notes: readonly string[];
}

/**
 * The entry for `key` that applies to `target` (and, for `op`, to the
 * operation named `op` or labelled `label`): one with a target wins over one
 * without, one naming the operation over one for every operation; among
 * equals the later wins. Absent: the default (`fallback`).
 */
function pick(
  entries: readonly TimingEntry[],
  key: TimingKey,
  target: string | null,
  fallback: Distribution | null,
  op?: { readonly name: string; readonly label?: string | undefined },
): Distribution | null {
  let best: Distribution | null = fallback;
  let score = -1;
  for (const e of entries) {
    if (e.key !== key) continue;
    if (e.target !== undefined && e.target !== target) continue;
    if (e.op !== undefined && (!op || (e.op !== op.name && e.op !== op.label))) continue;
    const s = (e.target !== undefined ? 2 : 0) + (e.op !== undefined ? 1 : 0);
    if (s >= score) {
      score = s;
      best = e.dist;
    }
  }
  return best;
}

/** Resolves every duration of model m. */
export function timingTable(m: Model): TimingTable {
  const entries = m.spec.timing ?? [];
  const notes: string[] = [];
  const d = (k: TimingKey) => TIMING_DEFAULTS[k].dist!;
  const param = m.policy.params["lease-break-time"];
  const lbtDefault: Distribution =
    param !== undefined ? { kind: "fixed", value: Number(param) } : d("lease_break_time");
  // Said whether or not the parameter was given: the policy's heading prints its
  // value (45 by default), which the scenario's timer may have replaced.
  const lbtEntries = entries.filter((e) => e.key === "lease_break_time");
  const same = (e: TimingEntry) => e.dist.kind === "fixed" && e.dist.value === Number(param);
  if (param !== undefined && lbtEntries.length > 0 && !lbtEntries.every(same)) {
    const whom = lbtEntries.every((e) => e.target !== undefined)
      ? ` for ${lbtEntries.map((e) => e.target).join(", ")}`
      : "";
    notes.push(
      `lease-break-time: the scenario's \`timing lease_break_time\` sets the timer${whom}; the policy's lease-break-time=${param} does not apply there`,
    );
  }
  const procNames = m.procs.map((p) => p.name);
  const peerNames = m.peers.map((r) => r.name);
  const specProc = (name: string) => m.spec.procs.find((p) => p.name === name);
  const specPeer = (name: string) => m.spec.peers.find((p) => p.name === name);
  const faultless = (
    key: "crash" | "hang" | "partition" | "oom" | "peer_crash",
    names: readonly string[],
  ) => names.filter((n) => pick(entries, key, n, null) === null);
  const never = [
    ...faultless(
      "crash",
      m.procs.filter((p) => p.mayCrash).map((p) => p.name),
    ).map((n) => `${n} may crash`),
    ...faultless(
      "hang",
      m.procs.filter((p) => p.mayHang).map((p) => p.name),
    ).map((n) => `${n} may hang`),
    ...faultless(
      "partition",
      m.peers.filter((r) => r.mayPartition).map((r) => r.name),
    ).map((n) => `${n}'s link may partition`),
    ...faultless(
      "oom",
      m.procs.filter((p) => p.mayOom === true).map((p) => p.name),
    ).map((n) => `the OOM killer may choose ${n}`),
    ...faultless(
      "peer_crash",
      m.peers.filter((r) => r.mayCrash === true).map((r) => r.name),
    ).map((n) => `${n} may crash`),
  ];
  if (never.length > 0)
    notes.push(
      `faults without a timing entry never strike in a simulation: ${never.join(", ")} (a crash, hang, partition, oom or peer_crash timing entry times them)`,
    );
  return {
    procPace: procNames.map((n) => pick(entries, "pace", n, d("pace"))!),
    procOp: m.procs.map((p) =>
      p.prog.map(
        (o) =>
          pick(entries, "op", p.name, d("op"), {
            name: o.spec.op,
            ...(o.spec.label !== undefined ? { label: o.spec.label } : {}),
          })!,
      ),
    ),
    sigio: procNames.map((n) => pick(entries, "sigio", n, d("sigio"))!),
    handler: procNames.map((n) => pick(entries, "handler", n, d("handler"))!),
    leaseBreak: procNames.map((n) => pick(entries, "lease_break_time", n, lbtDefault)!),
    crash: m.procs.map((p) => (p.mayCrash ? pick(entries, "crash", p.name, null) : null)),
    hang: m.procs.map((p) => (p.mayHang ? pick(entries, "hang", p.name, null) : null)),
    procRepeat: procNames.map((n) => specProc(n)?.repeat?.every ?? { kind: "fixed", value: 0 }),
    peerPace: peerNames.map((n) => pick(entries, "pace", n, d("pace"))!),
    cancelRtt: peerNames.map((n) => pick(entries, "cancel_rtt", n, d("cancel_rtt"))!),
    rdmaOp: peerNames.map((n) => pick(entries, "rdma_op", n, d("rdma_op"))!),
    odpFault: peerNames.map((n) => pick(entries, "odp_fault", n, d("odp_fault"))!),
    partition: m.peers.map((r) =>
      r.mayPartition ? pick(entries, "partition", r.name, null) : null,
    ),
    oom: m.procs.map((p) => (p.mayOom === true ? pick(entries, "oom", p.name, null) : null)),
    peerCrash: m.peers.map((r) =>
      r.mayCrash === true ? pick(entries, "peer_crash", r.name, null) : null,
    ),
    peerRepeat: peerNames.map((n) => specPeer(n)?.repeat?.every ?? { kind: "fixed", value: 0 }),
    writeback: pick(entries, "writeback", null, d("writeback"))!,
    notes,
  };
}
