/**
 * The text trace of one run: a line per step (actor, operation, result), the
 * kernel's reactions indented beneath it, the first step at which each
 * property showed marked on its line, then every property's verdict and the
 * scenario's expectations. Meant to be pasted into a mail.
 */

import type { RunResult, TraceStep } from "../engine/run/exec.js";
import type { ExpectationResult } from "../engine/run/expect.js";
import { errnoName } from "../model/errno.js";
import type { ModelEvent } from "../model/events.js";
import type { Model } from "../model/layout.js";
import {
  A_LAND,
  A_ODP_FAULT,
  A_PEER,
  A_PEER_ACK,
  A_PEER_REPEAT,
  A_REPEAT,
  actionIndex,
  actionKind,
} from "../model/step.js";
import { contentName, dmaWho, fileName, mrName, peerName, procName } from "../properties/names.js";
import type { Property } from "../properties/property.js";
import { printAssumption } from "../scenario/assume.js";
import { printPeerOp, printProcOp as procOpText } from "../scenario/print.js";
import { markOf, markText, OUTCOMES } from "./marks.js";

/** Who acted in a step, for the actor column. */
export function actorOf(m: Model, a: number): string {
  const i = actionIndex(a);
  const k = actionKind(a);
  if (k === A_PEER || k === A_PEER_ACK || k === A_PEER_REPEAT) return peerName(m, i);
  if (k === A_LAND || k === A_ODP_FAULT) return "nic";
  if (k <= 2 || k === A_REPEAT) return procName(m, i);
  return "kernel";
}

/** What a dead process gives back, in its own words: MRs and QPs, a ring's buffers, files. */
function holdings(m: Model, p: number): string {
  const pins = m.mrs.filter((x) => x.proc === p);
  const rdma = pins.some((x) => x.pinner === undefined);
  const ring = pins.some((x) => x.pinner === "io_uring");
  const vfio = pins.some((x) => x.pinner === "vfio");
  const parts = [
    ...(rdma || (!ring && !vfio) ? ["MRs, QPs"] : []),
    ...(ring ? [rdma || vfio ? "io_uring ring" : "io_uring ring, registered buffers"] : []),
    ...(vfio ? ["VFIO container with its DMA mappings"] : []),
  ];
  return `its ${parts.join(", ")} and files are`;
}

/** What outlives a dead process because another holds its file (uverbs file, ring, container). */
function keptText(m: Model, p: number): string {
  const pins = m.mrs.filter((x) => x.proc === p && x.gupTest === undefined);
  if (pins.every((x) => x.pinner === undefined))
    return "its files are closed; its MRs and QPs live on in the uverbs file another process holds";
  const parts = [
    ...(pins.some((x) => x.pinner === undefined) ? ["its MRs and QPs (the uverbs file)"] : []),
    ...(pins.some((x) => x.pinner === "io_uring") ? ["its io_uring ring"] : []),
    ...(pins.some((x) => x.pinner === "vfio") ? ["its VFIO container with its DMA mappings"] : []),
  ];
  const what = parts.length > 0 ? parts.join(", ") : "its MRs and QPs";
  return `its files are closed; ${what} live on in the file another process holds`;
}

/** The file that keeps a pin-table slot alive: the uverbs file, the ring, the VFIO container. */
function holderFile(m: Model, x: number): string {
  const k = m.mrs[x]?.pinner;
  return k === "io_uring"
    ? "the io_uring ring"
    : k === "vfio"
      ? "the VFIO container"
      : "the uverbs file";
}

/** How a pin-table slot pins, in its pinner's words. */
function pinFlags(m: Model, x: number): string {
  const mi = m.mrs[x];
  if (mi?.pinner === "io_uring") return "io_uring fixed buffer, FOLL_WRITE|FOLL_LONGTERM";
  if (mi?.pinner === "vfio")
    return `VFIO DMA mapping, pin_user_pages_remote ${mi.writable ? "FOLL_WRITE|" : ""}FOLL_LONGTERM`;
  return "FOLL_LONGTERM";
}

/** The first operation of a repeating tail, as the program writes it. */
function repeatStart(m: Model, e: Extract<ModelEvent, { k: "repeat" | "peer-repeat" }>): string {
  if (e.k === "repeat") {
    const op = m.procs[e.proc]!.prog[e.pc];
    return op ? procOpText(op.spec) : `operation ${e.pc + 1}`;
  }
  const op = m.peers[e.peer]!.prog[e.pc];
  return op ? printPeerOp(op.spec) : `operation ${e.pc + 1}`;
}

const limitText = (m: Model): string =>
  Number.isFinite(m.repeatLimit) ? ` of at most ${m.repeatLimit}` : "";

const plural = (n: number, w: string) => `${w}${n === 1 ? "" : "s"}`;

/** The main line of a step and its indented reactions. */
export function describeStep(m: Model, st: TraceStep): { line: string; reactions: string[] } {
  let line = "";
  const reactions: string[] = [];
  for (const e of coalesce(st.events)) {
    const text = eventText(m, e);
    if (text === null) continue;
    if (text.main && line === "") line = text.text;
    else reactions.push(text.text);
  }
  return { line: line || "(nothing visible)", reactions };
}

/** Merges consecutive block allocations to one file into one event. */
function coalesce(events: readonly ModelEvent[]): ModelEvent[] {
  const out: ModelEvent[] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if (e.k === "blocks-alloc" && last?.k === "blocks-alloc" && last.inode === e.inode)
      out[out.length - 1] = { ...last, blocks: [...last.blocks, ...e.blocks] };
    else out.push(e);
  }
  return out;
}

function resultText(m: Model, p: number, pc: number, result: number): string {
  const op = m.procs[p]!.prog[pc]!.spec;
  if (result < 0) return errnoName(-result);
  if (
    "dst" in op &&
    (op.op === "open" ||
      op.op === "mmap" ||
      op.op === "reg_mr" ||
      op.op === "io_uring_register" ||
      op.op === "vfio_map_dma")
  )
    return `ok (${op.dst})`;
  if (op.op === "read") return result === 0 ? "0 (EOF)" : "ok";
  return "ok";
}

function eventText(m: Model, e: ModelEvent): { main: boolean; text: string } | null {
  // A frame by what it is: a device block on fs-DAX, RAM otherwise (never "block N" for RAM).
  const unit = (f: number): string =>
    f === m.nFrames
      ? "zero-page"
      : m.dax && f < m.nBlocks
        ? `block ${f}`
        : m.dax
          ? `page frame ${f}`
          : `frame ${f}`;
  switch (e.k) {
    case "ret":
      return {
        main: true,
        text: `${procOpText(m.procs[e.proc]!.prog[e.pc]!.spec)}  → ${resultText(m, e.proc, e.pc, e.result)}${e.note ? ` (${e.note})` : ""}`,
      };
    case "skip":
      return {
        main: true,
        text: `${procOpText(m.procs[e.proc]!.prog[e.pc]!.spec)}  → skipped (${e.missing.endsWith("(deregistered)") ? e.missing : `${e.missing} was never set`})`,
      };
    case "block":
      return {
        main: true,
        text: `${procOpText(m.procs[e.proc]!.prog[e.pc]!.spec)}  … blocks: ${e.why}${e.blockers.length ? ` (held by ${e.blockers.map((p) => procName(m, p)).join(", ")})` : ""}`,
      };
    case "resume":
      return null;
    case "sigio-ignored":
      return { main: true, text: `SIGIO handler: ${e.why}` };
    case "handler-done": {
      const ring = e.mrs.filter((x) => m.mrs[x]?.pinner === "io_uring");
      const vfio = e.mrs.filter((x) => m.mrs[x]?.pinner === "vfio");
      const mrs = e.mrs.filter((x) => m.mrs[x]?.pinner === undefined);
      const parts = [
        ...(mrs.length > 0 || (ring.length === 0 && vfio.length === 0)
          ? [`dereg_mr ${mrs.map((x) => mrName(m, x)).join(", ") || "(none)"}`]
          : []),
        ...(ring.length > 0
          ? [`io_uring_unregister ${ring.map((x) => mrName(m, x)).join(", ")}`]
          : []),
        ...(vfio.length > 0 ? [`vfio_unmap_dma ${vfio.map((x) => mrName(m, x)).join(", ")}`] : []),
      ];
      return {
        main: true,
        text: `cancel handler done: ${parts.join(", ")}, lease released`,
      };
    }
    case "sigio":
      return {
        main: false,
        text: `${e.sig ?? "SIGIO"} → ${procName(m, e.proc)} (lease on ${fileName(m, e.inode)})`,
      };
    case "signal":
      return { main: false, text: `${e.sig} → ${procName(m, e.proc)}: ${e.what}` };
    case "lease-break":
      return {
        main: false,
        text: `lease break: ${procName(m, e.holder)}'s lease on ${fileName(m, e.inode)} (${e.what})`,
      };
    case "lease-removed":
      return {
        main: false,
        text: `${e.forced ? "lease forcibly removed" : "lease released"}: ${procName(m, e.holder)} on ${fileName(m, e.inode)}`,
      };
    case "timer":
      return {
        main: true,
        text: `lease-break-time expires for ${procName(m, e.holder)} (${fileName(m, e.inode)})`,
      };
    case "escalate":
      return {
        main: false,
        text:
          e.how === "sigkill"
            ? `escalation: SIGKILL → ${procName(m, e.proc)}`
            : m.mrs[e.mr]?.pinner === "io_uring"
              ? `escalation: ${mrName(m, e.mr)} removed from ${procName(m, e.proc)}'s ring (its slot emptied, the pages unpinned; later fixed I/O through it fails with EFAULT)`
              : m.mrs[e.mr]?.pinner === "vfio"
                ? `escalation: ${mrName(m, e.mr)} removed from ${procName(m, e.proc)}'s VFIO container (IOMMU unmapped and IOTLB flushed, then the pages unpinned; the device's later DMA there is blocked by the IOMMU)`
                : `escalation: ${mrName(m, e.mr)} invalidated${e.fenced === false ? " without a fence (operations already issued may still land)" : ""}`,
      };
    case "exit":
      return {
        main: e.cause === "fault",
        text:
          e.how === "exit"
            ? `${procName(m, e.proc)} exits`
            : `${procName(m, e.proc)} ${e.how}${e.sig ? ` (${e.sig}${e.cause === "hwpoison" ? ": hardware memory error" : e.cause === "oom" ? " from the OOM killer" : ""})` : ""}: ${e.kept ? keptText(m, e.proc) : `${holdings(m, e.proc)} released`}`,
      };
    case "hang":
      return { main: true, text: `${procName(m, e.proc)} hangs` };
    case "poison":
      return {
        main: true,
        text: `memory_failure: ${unit(e.frame)} (${fileName(m, e.inode)} page ${e.page}) poisoned; its PTEs zapped${e.dax ? "; the block stays the file's" : e.dirty ? " (hwpoison entries); the dirty page leaves the page cache" : "; the clean page leaves the page cache"}${e.pinned ? ", and the pin keeps the bad page" : ""}`,
      };
    case "device-fatal":
      return {
        main: false,
        text: `IB_EVENT_DEVICE_FATAL to ${procName(m, e.proc)}: its uverbs context is disassociated (later verbs fail with EIO)`,
      };
    case "mr-destroyed":
      return { main: false, text: `${mrName(m, e.mr)} destroyed and unpinned (${e.why})` };
    case "peer-crash":
      return {
        main: true,
        text: `${peerName(m, e.peer)} crashes: its QP is gone; the local MRs stay registered and pinned`,
      };
    case "oom-kill":
      return {
        main: true,
        text: `OOM killer: SIGKILL → ${procName(m, e.proc)}${e.pinned.length > 0 ? `; ${plural(e.pinned.length, "page")} stay pinned (${e.pinned.map((f) => unit(f)).join(", ")}): no reaper frees a pinned page` : ""}`,
      };
    case "blocks-freed":
      return {
        main: false,
        text: `${plural(e.blocks.length, "block")} ${e.blocks.join(",")} of ${fileName(m, e.inode)} freed`,
      };
    case "blocks-busy":
      return {
        main: false,
        text: `${plural(e.blocks.length, "block")} ${e.blocks.join(",")} of ${fileName(m, e.inode)} held busy (still pinned)`,
      };
    case "blocks-reclaimed":
      return {
        main: false,
        text: `${plural(e.blocks.length, "block")} ${e.blocks.join(",")} returned to the free pool`,
      };
    case "blocks-alloc":
      return {
        main: false,
        text: `${plural(e.blocks.length, "block")} ${e.blocks.join(",")} allocated to ${fileName(m, e.inode)}`,
      };
    case "cow":
      return {
        main: false,
        text: `COW: ${fileName(m, e.inode)} page ${e.page} moves from block ${e.from} to ${e.to}`,
      };
    case "orphaned":
      return {
        main: false,
        text: `pinned ${plural(e.frames.length, "page")} (frame ${e.frames.join(",")}) orphaned: out of ${fileName(m, e.inode)}'s page cache, still pinned`,
      };
    case "fork":
      return {
        main: false,
        text: `fork: ${procName(m, e.child)} starts as a copy of ${procName(m, e.parent)}${e.copied.length > 0 ? `; pinned ${plural(e.copied.length, "page")} (frame ${e.copied.join(",")}) copied for the child at fork (page_needs_cow_for_dma)` : ""}${e.shared.length > 0 ? `; pinned ${plural(e.shared.length, "page")} (frame ${e.shared.join(",")}) shared write-protected with the child (no copy at fork before v5.9)` : ""}${e.dontfork.length > 0 ? `; ${plural(e.dontfork.length, "mapping")} not copied (MADV_DONTFORK)` : ""}; the child holds the parent's files${m.mrs.some((x) => x.proc === e.parent && x.pinner === undefined && x.gupTest === undefined) || !m.mrs.some((x) => x.proc === e.parent) ? " and uverbs file" : ""}`,
      };
    case "unlinked":
      return {
        main: false,
        text: `${fileName(m, e.inode)} unlinked${e.held ? ": still open or mapped, evicted at the last close" : ""}`,
      };
    case "evicted":
      return {
        main: false,
        text: `${fileName(m, e.inode)} evicted: its last reference is gone`,
      };
    case "pin":
      return {
        main: false,
        text: `pinned ${e.dax ? "blocks" : "frames"} ${e.frames.map((f) => (f === m.nFrames ? "zero-page" : `${f}`)).join(",")} (${pinFlags(m, e.mr)}, +${1024} refs each)`,
      };
    case "unpin":
      return {
        main: false,
        text: `unpinned ${e.frames.join(",")}${e.dirty ? " (set_page_dirty)" : ""}`,
      };
    case "mr-kept":
      return {
        main: false,
        text: `${mrName(m, e.mr)} and its pins live on: ${e.holders.map((q) => procName(m, q)).join(", ")} still hold${e.holders.length === 1 ? "s" : ""} ${holderFile(m, e.mr)}`,
      };
    case "migrate-failed":
      return {
        main: false,
        text: `migration of ${unit(e.frame)}${e.inode >= 0 ? ` (${fileName(m, e.inode)})` : ""} out of ZONE_MOVABLE failed: the pin fails with ENOMEM, nothing pinned`,
      };
    case "migrate":
      return {
        main: false,
        text: `migrated page ${e.page} of ${fileName(m, e.inode)} out of ZONE_MOVABLE: frame ${e.from} → ${e.to}`,
      };
    case "issue":
      return {
        main: true,
        text:
          e.frame < 0
            ? `rdma_${e.op} ${mrName(m, e.mr)} page=${e.page}  → issued; ODP page fault`
            : `rdma_${e.op} ${mrName(m, e.mr)} page=${e.page}  → issued to ${unit(e.frame)}`,
      };
    case "dio-issue":
      return {
        main: false,
        text: `bio submitted: ${unit(e.frame)} referenced (FOLL_PIN, short-term, +${1024} refs) until it completes`,
      };
    case "splice-get":
      return {
        main: false,
        text: `${unit(e.frame)} referenced by a pipe buffer (FOLL_GET, +1 ref) until the pipe is read or closed`,
      };
    case "splice-release":
      return {
        main: false,
        text: `pipe buffer ${e.why === "read" ? "read" : "freed with the pipe"}: the reference to ${unit(e.frame)} dropped`,
      };
    case "dio-done":
      return { main: false, text: `bio completed: the reference to ${unit(e.frame)} dropped` };
    case "dma":
      return {
        main: e.via === undefined,
        text: `${e.via !== undefined ? `${dmaWho(m, e)}: ${e.op === "write" ? "lands in" : "reads"}` : e.op === "write" ? "RDMA WRITE lands in" : "RDMA READ from"} ${unit(e.frame)} (${e.outcome === "ok" ? `${fileName(m, e.inode)} page ${e.page}` : e.outcome}${e.other >= 0 ? `: ${fileName(m, e.other)}` : ""})${e.op === "read" ? `, returns ${contentName(m, e.content)}` : ""}${e.poisoned === true ? " — the page is poisoned (memory_failure)" : ""}`,
      };
    case "read":
      return { main: false, text: `read returns ${contentName(m, e.content)}` };
    case "rdma-error":
      return { main: true, text: `completion error IBV_WC_${e.status}: ${e.why}` };
    case "qp-error":
      return {
        main: false,
        text: `${peerName(m, e.peer)}'s QP → error (pending work requests flushed)`,
      };
    case "odp-register":
      return {
        main: false,
        text: "ODP: no page pinned; an MMU interval notifier covers the range",
      };
    case "odp-invalidate":
      return {
        main: false,
        text: `MMU notifier: ${mrName(m, e.mr)} device mapping of page ${e.pages.join(",")} invalidated`,
      };
    case "odp-fault":
      return {
        main: true,
        text: `ODP fault resolved: ${mrName(m, e.mr)} page ${e.page} → ${unit(e.frame)}`,
      };
    case "cancel-sent":
      return { main: true, text: `SIGIO handler: asks ${peerName(m, e.peer)} to cancel` };
    case "cancel-acked":
      return { main: true, text: "acknowledges the cancel and stops using the MR" };
    case "writeback":
      return {
        main: true,
        text: `writeback: ${fileName(m, e.inode)} page ${e.page} (frame ${e.frame}) cleaned and write-protected`,
      };
    case "partition":
      return { main: true, text: `network partition: ${peerName(m, e.peer)} unreachable` };
    case "bug":
      return { main: false, text: `KERNEL BUG: ${e.what}` };
    case "recv":
      return {
        main: true,
        text:
          e.mr >= 0
            ? `recv → rkey of ${mrName(m, e.mr)}`
            : "recv → no rkey (the registration failed)",
      };
    case "peer-done":
      return {
        main: false,
        text: `${peerName(m, e.peer)} ${e.cancelled ? "cancelled its transfer" : "is done"}`,
      };
    case "repeat":
    case "peer-repeat":
      return {
        main: true,
        text: `repeat: back to ${repeatStart(m, e)} (iteration ${e.iteration}${limitText(m)})`,
      };
  }
}

export interface TraceOptions {
  readonly policyName: string;
  readonly policySummary: string;
  readonly properties: readonly Property[];
  readonly expectations: readonly ExpectationResult[];
  /** How the schedule was chosen, when not by a seed (e.g. replayed from a token). */
  readonly schedule?: string;
}

/** Renders a run as text: header, steps, property verdicts, expectations. */
export function renderTrace(run: RunResult, o: TraceOptions): string {
  const m = run.model;
  const out: string[] = [];
  out.push(`scenario  ${m.spec.name}${m.spec.file ? `  (${m.spec.file})` : ""}`);
  out.push(`policy    ${o.policyName} — ${o.policySummary}`);
  out.push(
    `schedule  ${o.schedule ?? (run.seed === 0 ? "seed 0 (priority order, no faults)" : `seed ${run.seed}`)}`,
  );
  // The run is one the scenario's stated assumptions allow: say which (check tells what rests on them).
  const stated = m.spec.assumptions ?? [];
  if (stated.length > 0)
    out.push(
      `assume    ${stated.map((a) => printAssumption(a).replace(/^assume /, "")).join("; ")} (their lease-break timers fire only when the answer cannot come)`,
    );
  out.push("");
  out.push(...renderSteps(run, o.properties));
  out.push("");
  const endText =
    run.end === "replayed"
      ? "end of the replayed steps"
      : run.end === "quiescent"
        ? "nothing left to run"
        : run.end === "deadlock"
          ? "deadlock: a process waits for something that can no longer happen"
          : "stopped at the step bound";
  out.push(`end       ${endText} after ${run.steps.length} steps`);
  out.push("");
  out.push("properties");
  // Long names (a condition's text) overflow their column rather than widen it for all.
  const nameW = Math.max(
    12,
    ...o.properties.filter((p) => p.name.length <= 30).map((p) => p.name.length),
  );
  for (const p of o.properties) {
    const occ = run.occurrences.get(p.name);
    const at = occ ? (occ.step > 0 ? `at step ${occ.step}` : "at the end") : "";
    // Each outcome its own mark (marks.ts): a cost or a shown result is not a violation.
    const mark = markOf(p);
    const said: Record<typeof mark, string> = {
      violation: "VIOLATED",
      hang: "liveness failure",
      cost: "happened",
      possible: "possible",
      shown: "shown",
    };
    const verdict = occ
      ? `${OUTCOMES[mark].symbol} ${said[mark]} ${at}: ${occ.message}`
      : p.kind === "possibility"
        ? "not shown in this run"
        : "did not happen";
    out.push(`  ${p.name.padEnd(nameW)}  ${verdict}`);
  }
  if (o.expectations.length > 0) {
    out.push("");
    out.push("expectations");
    out.push(...renderExpectations(o.expectations));
  }
  return `${out.join("\n")}\n`;
}

/** The step lines of a run (or a witness), each property marked where it first showed. */
export function renderSteps(run: RunResult, properties: readonly Property[]): string[] {
  const m = run.model;
  const out: string[] = [];
  const marks = new Map<number, string[]>();
  for (const [name, occ] of run.occurrences)
    if (occ.step > 0) marks.set(occ.step, [...(marks.get(occ.step) ?? []), name]);
  const actorW = Math.max(
    6,
    ...m.procs.map((p) => p.name.length),
    ...m.peers.map((p) => p.name.length),
  );
  const numW = String(run.steps.length).length;
  for (const st of run.steps) {
    const { line, reactions } = describeStep(m, st);
    const actor = actorOf(m, st.action).padEnd(actorW);
    const mark = marks.get(st.n);
    // A step's marks, each for what it is (marks.ts): `✗ foreign-dma violated`, `⚑ server.reg_mr returns ok shown`.
    const flag = mark
      ? `   ${mark
          .map((n) => {
            const p = properties.find((x) => x.name === n);
            return markText(n, markOf(p ?? { group: "result", kind: "possibility" }));
          })
          .join(", ")}`
      : "";
    out.push(`${String(st.n).padStart(numW)}  ${actor}  ${line}${flag}`);
    for (const r of reactions) out.push(`${" ".repeat(numW)}  ${" ".repeat(actorW)}    · ${r}`);
  }
  return out;
}

/** Expectation lines and the closing result line, shared by run and check reports. */
export function renderExpectations(
  list: readonly {
    ok: boolean;
    undecided: boolean;
    text: string;
    detail: string;
    assumption?: string | null;
  }[],
): string[] {
  const out = list.map(
    (e) =>
      `  ${e.undecided ? "?   " : e.ok ? "ok  " : "FAIL"}  ${e.text}  (${e.detail}${e.assumption ? `; ${e.assumption}` : ""})`,
  );
  const failed = list.filter((e) => !e.ok).length;
  const open = list.filter((e) => e.undecided).length;
  const rest = open > 0 ? ` (${open} undecided)` : "";
  out.push("");
  out.push(
    failed === 0
      ? `result    every expectation met${rest}`
      : `result    ${failed} of ${list.length} expectations failed${rest}`,
  );
  return out;
}
