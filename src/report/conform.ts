/**
 * `pinlab conform`'s results: per kernel, each operation of each schedule
 * with the model's and the kernel's answer and the scenario's expectation
 * (for the gup_longterm.c scenarios: the selftest's cell), as a text table, JSON
 * (pinlab.conform/1) and an HTML section.
 */
import type { Row } from "../engine/conform/lower.js";

export type Verdict = "match" | "mismatch" | "not runnable";

export interface ConformRow extends Row {
  readonly kernelResult?: string;
  readonly verdict: Verdict;
  /** Why it did not run (not runnable only). */
  readonly why?: string;
}

export interface ConformSchedule {
  readonly scenario: string;
  /** The schedule: its seed (0: priority order) and the policy instance that predicted it. */
  readonly seed: number;
  readonly policy: string;
  readonly rows: readonly ConformRow[];
}

export interface ConformTarget {
  /** `host` or a guest release. */
  readonly target: string;
  /** uname -r of the kernel that ran, when it ran. */
  readonly release?: string;
  /** Why nothing ran on this target (a missing tool: what to install). */
  readonly unavailable?: string;
  /** What the target had (fs-DAX, ext4, tmpfs, rxe) and caveats. */
  readonly notes: readonly string[];
  readonly schedules: readonly ConformSchedule[];
}

/** The verdict of one row from the kernel's answer. */
export function judge(row: Row, kernel: string | undefined): ConformRow {
  if (row.notRunnable) return { ...row, verdict: "not runnable", why: row.notRunnable };
  if (kernel === undefined)
    return { ...row, verdict: "not runnable", why: "the program gave no answer for this step" };
  if (kernel.startsWith("not-run"))
    return { ...row, kernelResult: kernel, verdict: "not runnable", why: kernel.slice(8) };
  // A bounded wait the kernel ended by itself (memfd_wait_for_pins) is the model's
  // block followed by its return; an unbounded one timed out ("blocks").
  // A slow answer that is not a bounded wait (a first ibv_open_device under TCG) is still that answer.
  const bare = kernel.startsWith("waits-then ") ? kernel.slice(11) : kernel;
  const same =
    kernel === row.model ||
    (bare !== kernel && (bare === row.model || row.model === `blocks-then ${bare}`));
  // A slow answer is shown as the answer itself unless the model has the call wait.
  const shown = row.model.startsWith("blocks") ? kernel : bare;
  return { ...row, kernelResult: shown, verdict: same ? "match" : "mismatch" };
}

export function counts(targets: readonly ConformTarget[]): Record<Verdict, number> {
  const c: Record<Verdict, number> = { match: 0, mismatch: 0, "not runnable": 0 };
  for (const t of targets) for (const s of t.schedules) for (const r of s.rows) c[r.verdict]++;
  return c;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));

export function renderConform(targets: readonly ConformTarget[]): string {
  const out: string[] = [];
  for (const t of targets) {
    out.push(`kernel ${t.target}${t.release ? ` (${t.release})` : ""}`);
    if (t.unavailable) {
      out.push(`  not runnable here: ${t.unavailable}`, "");
      continue;
    }
    for (const n of t.notes) out.push(`  · ${n}`);
    for (const s of t.schedules) {
      out.push(`  ${s.scenario}  schedule seed ${s.seed}  model ${s.policy}`);
      const w = Math.min(48, Math.max(10, ...s.rows.map((r) => r.op.length)));
      const aw = Math.max(5, ...s.rows.map((r) => r.actor.length));
      out.push(
        `    ${pad("#", 3)} ${pad("actor", aw)} ${pad("operation", w)} ${pad("model", 18)} ${pad("kernel", 18)} ${pad("expected", 16)} verdict`,
      );
      for (const r of s.rows) {
        const op = r.op.length > w ? `${r.op.slice(0, w - 1)}…` : r.op;
        const v =
          r.verdict === "not runnable"
            ? `not runnable (${r.why})`
            : r.verdict === "mismatch"
              ? "MISMATCH"
              : "match";
        out.push(
          `    ${pad(String(r.step), 3)} ${pad(r.actor, aw)} ${pad(op, w)} ${pad(r.model, 18)} ${pad(r.kernelResult ?? "-", 18)} ${pad(r.expected ?? "", 16)} ${v}`,
        );
      }
    }
    out.push("");
  }
  const c = counts(targets);
  out.push(`${c.match} match, ${c.mismatch} mismatch, ${c["not runnable"]} not runnable`);
  return `${out.join("\n")}\n`;
}

export function conformJson(targets: readonly ConformTarget[]): unknown {
  return { schema: "pinlab.conform/1", targets, counts: counts(targets) };
}

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A self-contained HTML page with one section per kernel. */
export function conformHtml(targets: readonly ConformTarget[]): string {
  const parts: string[] = [
    "<!doctype html><html><head><meta charset=utf-8><title>pinlab conform</title>",
    "<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}.mismatch{background:#fdd}.match{background:#dfd}.nr{color:#777}</style>",
    "</head><body><h1>pinlab conform: the linux policy against real kernels</h1>",
  ];
  for (const t of targets) {
    parts.push(
      `<section><h2>kernel ${esc(t.target)}${t.release ? ` (${esc(t.release)})` : ""}</h2>`,
    );
    if (t.unavailable) {
      parts.push(`<p>not runnable here: ${esc(t.unavailable)}</p></section>`);
      continue;
    }
    if (t.notes.length) parts.push(`<ul>${t.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`);
    for (const s of t.schedules) {
      parts.push(
        `<h3>${esc(s.scenario)}, schedule seed ${s.seed}, model ${esc(s.policy)}</h3><table>`,
      );
      parts.push(
        "<tr><th>#</th><th>actor</th><th>operation</th><th>model</th><th>kernel</th><th>expected</th><th>verdict</th></tr>",
      );
      for (const r of s.rows) {
        const cls = r.verdict === "match" ? "match" : r.verdict === "mismatch" ? "mismatch" : "nr";
        parts.push(
          `<tr class=${cls}><td>${r.step}</td><td>${esc(r.actor)}</td><td>${esc(r.op)}</td><td>${esc(r.model)}</td><td>${esc(r.kernelResult ?? "-")}</td><td>${esc(r.expected ?? "")}</td><td>${esc(r.verdict === "not runnable" ? `not runnable (${r.why})` : r.verdict)}</td></tr>`,
        );
      }
      parts.push("</table>");
    }
    parts.push("</section>");
  }
  const c = counts(targets);
  parts.push(
    `<p>${c.match} match, ${c.mismatch} mismatch, ${c["not runnable"]} not runnable</p></body></html>\n`,
  );
  return parts.join("\n");
}
