/**
 * `pinlab merge shard.json...`: joins the comparison documents written by
 * `compare --shard i/N --out shard.json` into the whole matrix, after
 * checking that they are exactly one complete split of one comparison
 * (shards.ts says what is checked).
 */
import { COMPARE_SCHEMA } from "../../engine/matrix/compare.js";
import { opt, parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { EXIT_BAD_INPUT, EXIT_OK, type Host } from "../host.js";
import { readText } from "../pin-file.js";
import { joinShards } from "../shards.js";
import { isSimulateShard, joinSimulateShards, SIMULATE_SHARD_SCHEMA } from "../sim-shards.js";
import { emit, OUTPUT_OPTIONS, outputOptions } from "./compare.js";
import { emitSimulation } from "./simulate.js";

export const mergeCommand: Command = {
  name: "merge",
  summary:
    "join the shards of a comparison or a simulation (--shard i/N --out FILE) into one result",
  usage: `pinlab merge <shard.json>... [--md | --mail | --json] [--html FILE] [--out FILE] [--brief] [--policy FILE]

Reads comparison documents (schema ${COMPARE_SCHEMA}) written by
'pinlab compare --shard I/N --out FILE' and prints the joined matrix as
compare would. The shards must be every shard of one split of one
comparison (same pinlab, scenarios, policies, parameters and bounds), each
cell once; every witness is replayed. Anything else is refused (exit 2)
with a message saying what is wrong.

Shards of a simulation (schema ${SIMULATE_SHARD_SCHEMA}, written by
'pinlab simulate --shard I/N --out FILE') are joined into the result of one
simulate over all the seeds: every shard of one split, each once, of one
scenario, policy list, seed range and horizon. Each first violation is
simulated again from its seed and shrunk to its witness and token; the
output is simulate's (--json, --html FILE).

Shards of plugin policies need their files again: --policy ./mine.js
(docs/plugins.md).`,
  async run(argv, host) {
    // --policy FILE: the plugin files of the shards' plugin policies (loaded by cli/plugins.ts)
    const parsed = parseArgs(argv, [
      ...OUTPUT_OPTIONS,
      { name: "policy", value: true, repeat: true },
    ]);
    if (!parsed.ok) return bad(host, parsed.error);
    const a = parsed.args;
    if (a.positionals.length === 0) return bad(host, "give the shard files to merge");
    const files: { path: string; text: string }[] = [];
    for (const path of a.positionals) {
      const read = readText(path, host);
      if (!read.ok) return bad(host, read.error);
      files.push({ path, text: read.text });
    }
    const raws = files.map((f) => {
      try {
        return JSON.parse(f.text) as unknown;
      } catch {
        return null;
      }
    });
    const sims = raws.filter(isSimulateShard).length;
    if (sims > 0) {
      if (sims < files.length)
        return bad(host, "shards of a simulation and of a comparison cannot be merged together");
      for (const o of ["md", "mail", "brief", "out"])
        if (a.options.has(o))
          return bad(
            host,
            `--${o} is for comparisons: a simulation merges to text, --json or --html`,
          );
      const j = joinSimulateShards(
        files.map((f, i) => ({ path: f.path, raw: raws[i] })),
        host,
      );
      if (!j.ok) return bad(host, j.error);
      await emitSimulation(j.result, host, { json: a.options.has("json"), html: opt(a, "html") });
      return EXIT_OK;
    }
    const joined = joinShards(files);
    if (!joined.ok) return bad(host, joined.error);
    return emit(joined.doc, host, { ...outputOptions(a), interrupted: false });
  },
};

function bad(host: Host, message: string): number {
  // Messages quote names from the shards: no control character reaches the terminal.
  const safe = [...message]
    .map((c) => {
      const n = c.charCodeAt(0);
      const control = (n < 0x20 && c !== "\n") || (n >= 0x7f && n < 0xa0);
      return control ? `\\u${n.toString(16).padStart(4, "0")}` : c;
    })
    .join("");
  host.err(`pinlab merge: ${safe}\n`);
  return EXIT_BAD_INPUT;
}
