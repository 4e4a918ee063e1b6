/**
 * `pinlab replay TOKEN [--scenario FILE]`: prints a witness again, on any
 * machine and from any directory, from the token that `check` (or `compare`)
 * printed beside it, and judges it again: the verdict printed is check's, or
 * the token is refused. A token never names a path: it carries its
 * scenario's text, or names a bundled scenario; either way with a content
 * hash, so an edited scenario is refused rather than replayed.
 */

import { propertiesFor } from "../../engine/adapter/model-system.js";
import { rejudge } from "../../engine/check/rejudge.js";
import { decodeToken, type ReplayToken, type TokenBounds } from "../../engine/explore/token.js";
import { runSchedule } from "../../engine/run/exec.js";
import { judgeRun } from "../../engine/run/expect.js";
import { specWithBounds } from "../../engine/simulate/shrink.js";
import { compile } from "../../model/compile.js";
import type { Policy } from "../../model/policy.js";
import { makePolicy, policyOrigin } from "../../policies/index.js";
import { verdictText } from "../../report/check.js";
import { renderTrace } from "../../report/trace.js";
import { renderDiagnostic, renderDiagnostics } from "../../scenario/diagnostics.js";
import { parseScenario } from "../../scenario/pin.js";
import { sourceHash } from "../../scenario/source-hash.js";
import { opt, parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { EXIT_BAD_INPUT, EXIT_OK, type Host } from "../host.js";
import { readText } from "../pin-file.js";
import { type Loaded, loadBundled } from "../scenarios.js";

/** What `spec.file` reads for a scenario that came inside a token. */
const IN_TOKEN = "scenario carried in the token";

export const replayCommand: Command = {
  name: "replay",
  summary: "print a witness again from its replay token, and judge it again",
  usage: `pinlab replay <token> [--scenario FILE]

Decodes a replay token (printed by check and compare beside each witness),
prints the same trace as 'run' does, judges it again and prints the verdict
check gave it (for example 'truncate-hang  Sometimes  dead end after 8 steps').
A token carries its scenario: the text of a .pin file, or the name of a
bundled scenario, with a content hash either way. It never names a path.

  --scenario FILE   replay against this .pin file (a regular file), e.g. the
                    original of a bundled scenario that has changed since
  --policy FILE     the plugin file of the token's policy (docs/plugins.md):
                    a token names the plugin and its content hash, not its path

A token that a mail client wrapped may be given in its pieces.

A scenario that changed since the token was made (its hash differs) is
refused with exit 2, as is a token whose steps no longer show what check
found. docs/replay.md describes the token format.`,
  run(argv, host) {
    const parsed = parseArgs(argv, [
      { name: "scenario", value: true },
      { name: "policy", value: true, repeat: true },
    ]);
    if (!parsed.ok) return bad(host, parsed.error);
    if (parsed.args.positionals.length === 0) return bad(host, "expected one replay token");
    // a token that a mail wrapped into pieces: the pieces, joined (the checksum guards the result)
    const t = decodeToken(parsed.args.positionals.join("").replace(/\s+/g, ""));
    if ("error" in t) return bad(host, `not a valid replay token: ${t.error}`);
    const file = opt(parsed.args, "scenario");
    const loaded = tokenScenario(t, file, host);
    if (!loaded.ok) return bad(host, loaded.error, loaded.exit);
    const p = tokenPolicy(t);
    if (!p.ok) return bad(host, p.error);
    const c = compile(loaded.spec, p.policy);
    if (!c.ok) return bad(host, `the scenario does not compile: ${c.errors[0]?.message}`);
    const arg = { spec: loaded.spec, policy: p.policy.name, params: t.params };
    if (t.plugin)
      host.out(
        `policy    ${t.policy} from plugin ${t.plugin.file} (content hash ${t.plugin.hash})\n`,
      );
    const j = rejudge(arg, t.actions, t.claim);
    if (!j.ok) return bad(host, j.error);
    const props = propertiesFor(loaded.spec);
    const ran = runSchedule(c.model, { actions: t.actions, properties: props });
    // A dead end or a cycle shows at the end of the steps, which a plain replay does not judge.
    const occurrences = new Map(ran.occurrences);
    if (!occurrences.has(j.verdict.name)) occurrences.set(j.verdict.name, j.finding);
    const run = { ...ran, occurrences };
    const sc = t.scenario;
    host.out(
      `token     ${sc.kind === "bundled" ? `bundled scenario ${sc.name}` : "carries its scenario"} (content hash ${sc.hash}${file !== undefined ? `, read from ${file}` : ""})\n`,
    );
    if (t.bounds)
      host.out(
        `bounds    ${tokenBoundsText(t.bounds)} (carried by the token: a simulated witness beyond the scenario's own bounds)\n`,
      );
    host.out(
      renderTrace(run, {
        policyName: p.policy.name,
        policySummary: p.policy.summary,
        properties: props,
        expectations: judgeRun(run).filter(
          (e) => e.expectation.kind !== "result" && !e.undecided && !e.ok,
        ),
        schedule: `replayed from a token (${t.actions.length} steps)`,
      }),
    );
    host.out("\n");
    if (j.expectation)
      host.out(`verdict   FAIL  ${j.expectation.text}  (${j.expectation.detail})\n`);
    else {
      const group = props.find((x) => x.name === j.verdict.name)?.group;
      host.out(`verdict   ${j.verdict.name}  ${verdictText(j.verdict, 0, group)}\n`);
    }
    host.out(`          → ${j.finding.message}\n`);
    return EXIT_OK;
  },
};

/**
 * The policy of a token. A plugin policy must have been loaded with
 * `--policy FILE` (a token names no path), from a file with the token's
 * content hash; an edited file is refused, as an edited scenario is.
 */
export function tokenPolicy(
  t: ReplayToken,
): { ok: true; policy: Policy } | { ok: false; error: string } {
  const origin = policyOrigin(t.policy);
  if (t.plugin) {
    if (!origin)
      return {
        ok: false,
        error: `the token was made under policy ${shown(t.policy)} from the plugin file ${shown(t.plugin.file)} (content hash ${t.plugin.hash}): give that file with --policy FILE`,
      };
    if (origin.hash !== t.plugin.hash)
      return {
        ok: false,
        error: `the plugin changed since the token was made: ${origin.file} has content hash ${origin.hash} now, the token was made from ${t.plugin.file} with content hash ${t.plugin.hash}. Give the file it was made with, or run 'pinlab check' again for a new token`,
      };
  }
  return makePolicy(t.policy, t.params);
}

/**
 * The scenario of a token: the file the user gave (which must have the
 * token's content hash), or the one the token carries or names (shared with
 * `run --token`).
 */
export function tokenScenario(t: ReplayToken, file: string | undefined, host: Host): Loaded {
  const l = file !== undefined ? fromFile(t, file, host) : fromToken(t, host);
  return l.ok && t.bounds ? { ...l, spec: specWithBounds(l.spec, t.bounds) } : l;
}

/** The bounds a token carries, as words, or "" when it carries none. */
export function tokenBoundsText(b: TokenBounds | undefined): string {
  if (!b) return "";
  const parts: string[] = [];
  if (b.replicas !== null) parts.push(`bounds replicas ${b.replicas}`);
  if (b.repeats !== null) parts.push(`bounds repeats ${b.repeats}`);
  return parts.join(", ");
}

/** The scenario the token carries or names; never a file the token names. */
function fromToken(t: ReplayToken, host: Host): Loaded {
  const sc = t.scenario;
  if (sc.kind === "text") {
    if (sourceHash(sc.text) !== sc.hash)
      return refuse("the scenario text in the token does not match its content hash");
    return parsed(sc.text, IN_TOKEN, host);
  }
  const l = loadBundled(sc.name, host);
  if (!l)
    return refuse(
      `the token names ${shown(sc.name)}, which is no bundled scenario of this pinlab; give its .pin file with --scenario FILE`,
    );
  if (!l.ok) return l;
  if (l.origin.hash !== sc.hash)
    return refuse(
      `the scenario changed since the token was made: bundled '${sc.name}' has content hash ${l.origin.hash} now, the token was made from ${sc.hash}. Give the scenario it was made from with --scenario FILE, or run 'pinlab check' again for a new token`,
    );
  return l;
}

/** A .pin file the user passed: it must be the scenario the token was made from. */
function fromFile(t: ReplayToken, file: string, host: Host): Loaded {
  const read = readText(file, host);
  if (!read.ok) return refuse(read.error);
  const hash = sourceHash(read.text);
  if (hash !== t.scenario.hash)
    return refuse(
      `the scenario changed since the token was made: ${file} has content hash ${hash}, the token was made from ${t.scenario.hash}`,
    );
  return parsed(read.text, file, host);
}

/** A scenario's text, parsed; warnings go to stderr. */
function parsed(text: string, label: string, host: Host): Loaded {
  const { spec, diagnostics } = parseScenario(text, label);
  if (!spec)
    return refuse(
      `the scenario does not parse:\n${renderDiagnostics(diagnostics, text).trimEnd()}`,
    );
  for (const d of diagnostics) host.err(`${renderDiagnostic(d, text)}\n\n`);
  return { ok: true, spec, source: text, origin: { kind: "text", text, hash: sourceHash(text) } };
}

function refuse(error: string): Loaded {
  return { ok: false, error, exit: EXIT_BAD_INPUT };
}

/** A name from a token, quoted and cut short. */
function shown(name: string): string {
  return `'${name.length > 60 ? `${name.slice(0, 60)}…` : name}'`;
}

/** Control characters (but newlines) escaped: messages quote what a token holds. */
function printable(text: string): string {
  let out = "";
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    out +=
      (c < 0x20 && ch !== "\n") || (c >= 0x7f && c < 0xa0)
        ? `\\x${c.toString(16).padStart(2, "0")}`
        : ch;
  }
  return out;
}

function bad(host: Host, message: string, exit = EXIT_BAD_INPUT): number {
  host.err(`pinlab replay: ${printable(message)}\n`);
  return exit;
}
