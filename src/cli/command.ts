import type { Host } from "./host.js";

/** One `pinlab` sub-command. */
export interface Command {
  readonly name: string;
  /** One line for `pinlab --help`. */
  readonly summary: string;
  /** The full help text for `pinlab help <name>` / `pinlab <name> --help`. */
  readonly usage: string;
  run(argv: readonly string[], host: Host): Promise<number> | number;
}
