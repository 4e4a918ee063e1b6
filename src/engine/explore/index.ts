/**
 * The exhaustive explorer behind `pinlab check`.
 *
 * `explore(system | factory, options)` visits every reachable state of a
 * System breadth first and returns an ExploreResult value: per property
 * whether it was shown and a shortest witness, terminal states, liveness
 * violations (dead ends and lassos), statistics, and whether the run was
 * complete or which bound stopped it. Witnesses are action sequences from the
 * initial state; `replay` re-runs them and `encodeToken` packs them for
 * `pinlab replay`.
 *
 * Where to look: bfs.ts (the serial search), table.ts (visited set),
 * frontier.ts (queue), parents.ts (parent links), por.ts (sleep sets and why
 * they are exact), liveness.ts (lassos), parallel.ts and worker.ts (worker
 * threads), budget.ts (bounds and progress), token.ts (replay tokens).
 */
export { type ContractReport, checkContracts } from "./contracts.js";
export { reductionsFor } from "./drive.js";
export { explore } from "./explore.js";
export {
  decodeToken,
  encodeToken,
  type ReplayToken,
  type TokenScenario,
  type WitnessClaim,
} from "./token.js";
export type {
  ExploreOptions,
  ExploreResult,
  ExploreStats,
  IncompleteReason,
  Lasso,
  LivenessResult,
  PropertyResult,
  SystemFactory,
} from "./types.js";
export { concretizeCycle, replay } from "./witness.js";
