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
  if (kernel.startsWith("not-run")) {
    // "not-run" or "not-run (reason)"
    const why = kernel
      .slice(7)
      .trim()
      .replace(/^\((.*)\)$/, "$1");
    return {
      ...row,
      kernelResult: kernel,
      verdict: "not runnable",
      why: why || "the kernel did not run it",
    };
  }
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

/**
 * The results as one `<section>` (no style attributes, no scripts: it sits
 * inside the compare report under its Content-Security-Policy; the classes
 * are styled by report/html/style.ts and by conformHtml's own sheet).
 */
export function conformSection(targets: readonly ConformTarget[]): string {
  const c = counts(targets);
  const parts: string[] = [
    '<section id="conform" aria-labelledby="conform-h">',
    '<h2 id="conform-h">Checked against real kernels (<code>pinlab conform</code>)</h2>',
    `<p>${c.match} match, ${c.mismatch} mismatch, ${c["not runnable"]} not runnable. Each row: the <code>linux</code> policy's answer for the schedule, the kernel's, and the scenario's own expectation (for the gup_longterm.c scenarios, the selftest's cell).</p>`,
  ];
  for (const t of targets) {
    parts.push(`<h3>kernel ${esc(t.target)}${t.release ? ` (${esc(t.release)})` : ""}</h3>`);
    if (t.unavailable) {
      parts.push(`<p>not runnable here: ${esc(t.unavailable)}</p>`);
      continue;
    }
    if (t.notes.length) parts.push(`<ul>${t.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`);
    for (const s of t.schedules) {
      parts.push(
        `<h4>${esc(s.scenario)}, schedule seed ${s.seed}, model ${esc(s.policy)}</h4><table class="conform">`,
        "<tr><th>#</th><th>actor</th><th>operation</th><th>model</th><th>kernel</th><th>expected</th><th>verdict</th></tr>",
      );
      for (const r of s.rows) {
        const cls =
          r.verdict === "match" ? "cf-match" : r.verdict === "mismatch" ? "cf-mismatch" : "cf-nr";
        parts.push(
          `<tr class="${cls}"><td>${r.step}</td><td>${esc(r.actor)}</td><td>${esc(r.op)}</td><td>${esc(r.model)}</td><td>${esc(r.kernelResult ?? "-")}</td><td>${esc(r.expected ?? "")}</td><td>${esc(r.verdict === "not runnable" ? `not runnable (${r.why})` : r.verdict)}</td></tr>`,
        );
      }
      parts.push("</table>");
    }
  }
  parts.push("</section>");
  return parts.join("\n");
}

/** The section's rules (also in the compare report's stylesheet). */
export const CONFORM_STYLE =
  ".conform td,.conform th{border:1px solid #ccc;padding:2px 6px;text-align:left}.conform .cf-mismatch{background:#fdd}.conform .cf-match{background:#dfd}.conform .cf-nr{color:#777}";

/** A self-contained HTML page of the section alone (`pinlab conform --html`). */
export function conformHtml(targets: readonly ConformTarget[]): string {
  return [
    "<!doctype html><html><head><meta charset=utf-8><title>pinlab conform</title>",
    `<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin:.5em 0 1.5em}${CONFORM_STYLE}</style>`,
    "</head><body>",
    conformSection(targets),
    "</body></html>",
    "",
  ].join("\n");
}

/** Reads a pinlab.conform/1 document (`pinlab conform --json`): its targets, or what is wrong with it. */
export function parseConformJson(text: string): { targets: ConformTarget[] } | { error: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message}` };
  }
  const o = v as { schema?: unknown; targets?: unknown };
  if (!o || typeof o !== "object" || o.schema !== "pinlab.conform/1" || !Array.isArray(o.targets))
    return { error: "not a pinlab.conform/1 document (write one with pinlab conform --json)" };
  for (const t of o.targets as unknown[]) {
    const x = t as Partial<ConformTarget>;
    if (
      !x ||
      typeof x.target !== "string" ||
      !Array.isArray(x.notes) ||
      !Array.isArray(x.schedules)
    )
      return { error: "a target of the document lacks target, notes or schedules" };
    for (const s of x.schedules)
      if (!s || typeof s.scenario !== "string" || !Array.isArray(s.rows))
        return { error: "a schedule of the document lacks scenario or rows" };
  }
  return { targets: o.targets as ConformTarget[] };
}
