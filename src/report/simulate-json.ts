/** `simulate` results as JSON (schema `pinlab.simulate/1`, see docs/json.md). */
import type { SimulationResult } from "../engine/simulate/result.js";

export const SIMULATE_SCHEMA = "pinlab.simulate/1";

export function simulateJson(r: SimulationResult, interrupted: boolean) {
  return {
    schema: SIMULATE_SCHEMA,
    scenario: r.scenario,
    hash: r.hash,
    firstSeed: r.firstSeed,
    seeds: r.seeds,
    horizon: r.horizon,
    interrupted,
    notes: r.notes,
    policies: r.policies,
  };
}
