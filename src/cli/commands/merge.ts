/**
 * `pinlab merge shard.json...`: joins the comparison documents written by
 * `compare --shard i/N --out shard.json` into the whole matrix, after
 * checking that they are exactly one complete split of one comparison
 * (shards.ts says what is checked).
 */
import { COMPARE_SCHEMA } from "../../engine/matrix/compare.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { EXIT_BAD_INPUT, type Host } from "../host.js";
import { readText } from "../pin-file.js";
import { joinShards } from "../shards.js";
import { emit, OUTPUT_OPTIONS, outputOptions } from "./compare.js";

export const mergeCommand: Command = {
  name: "merge",
  summary: "join the shards of a comparison (compare --shard i/N --out FILE) into one matrix",
  usage: `pinlab merge <shard.json>... [--md | --mail | --json] [--html FILE] [--out FILE] [--brief] [--policy FILE]

Reads comparison documents (schema ${COMPARE_SCHEMA}) written by
'pinlab compare --shard I/N --out FILE' and prints the joined matrix as
compare would. The shards must be every shard of one split of one
comparison (same pinlab, scenarios, policies, parameters and bounds), each
cell once; every witness is replayed. Anything else is refused (exit 2)
with a message saying what is wrong. Shards of plugin policies need their
files again: --policy ./mine.js (docs/plugins.md).`,
  run(argv, host) {
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
