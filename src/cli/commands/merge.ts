/**
 * `pinlab merge shard.json...`: joins the comparison documents written by
 * `compare --shard i/N --out shard.json` into the whole matrix.
 */
import { COMPARE_SCHEMA } from "../../engine/compare.js";
import type { ScenarioSpec } from "../../model/spec.js";
import { POLICY_NAMES } from "../../policies/index.js";
import { assembleDoc, type CompareDoc, type DocCell } from "../../report/compare.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { EXIT_BAD_INPUT, type Host } from "../host.js";
import { emit, OUTPUT_OPTIONS, outputOptions } from "./compare.js";
import { readText } from "./lint.js";

export const mergeCommand: Command = {
  name: "merge",
  summary: "join the shards of a comparison (compare --shard i/N --out FILE) into one matrix",
  usage: `pinlab merge <shard.json>... [--md | --json] [--html FILE] [--out FILE] [--brief]

Reads comparison documents (schema ${COMPARE_SCHEMA}) written by
'pinlab compare --shard I/N --out FILE' and prints the joined matrix as
compare would. A cell present in two shards must agree.`,
  run(argv, host) {
    const parsed = parseArgs(argv, OUTPUT_OPTIONS);
    if (!parsed.ok) return bad(host, parsed.error);
    const a = parsed.args;
    if (a.positionals.length === 0) return bad(host, "give the shard files to merge");
    const cells = new Map<string, DocCell>();
    const specs = new Map<string, ScenarioSpec>();
    const sources = new Map<string, string>();
    for (const path of a.positionals) {
      const read = readText(path, host);
      if (!read.ok) return bad(host, read.error);
      let doc: CompareDoc;
      try {
        doc = JSON.parse(read.text) as CompareDoc;
      } catch (e) {
        return bad(host, `${path} is not JSON: ${(e as Error).message}`);
      }
      if (doc?.schema !== COMPARE_SCHEMA || !Array.isArray(doc.cells))
        return bad(host, `${path} is not a comparison document (schema ${COMPARE_SCHEMA})`);
      for (const sc of doc.scenarios) {
        specs.set(sc.ref, sc.spec);
        if (typeof sc.source === "string") sources.set(sc.ref, sc.source);
      }
      for (const c of doc.cells) {
        const key = `${c.scenario}\u0000${c.policy}`;
        const prev = cells.get(key);
        if (prev && JSON.stringify(prev.verdicts) !== JSON.stringify(c.verdicts))
          return bad(host, `${path}: ${c.scenario} x ${c.policy} disagrees with another shard`);
        cells.set(key, c);
      }
    }
    // Cells in the order compare would produce them: scenarios as listed, policies in registry order.
    const order = [...specs.keys()];
    const sorted = [...cells.values()].sort(
      (x, y) =>
        order.indexOf(x.scenario) - order.indexOf(y.scenario) ||
        policyRank(x.policy) - policyRank(y.policy),
    );
    const doc = assembleDoc(sorted, specs, null, sources);
    return emit(doc, host, { ...outputOptions(a), interrupted: false });
  },
};

function policyRank(name: string): number {
  const i = POLICY_NAMES.indexOf(name);
  return i < 0 ? POLICY_NAMES.length : i;
}

function bad(host: Host, message: string): number {
  host.err(`pinlab merge: ${message}\n`);
  return EXIT_BAD_INPUT;
}
