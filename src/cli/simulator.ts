/**
 * The simulator the command line hands to `compare --simulate`. The matrix
 * takes it as a function (engine/matrix/costs.ts `Simulate`), so that it
 * does not depend on how a simulation runs and tests can pass a fake one.
 * Each violation a simulation finds is shrunk to a short witness with its
 * replay token (engine/simulate/shrink.ts).
 */
import type { Simulate } from "../engine/matrix/costs.js";
import { shrinkerFor } from "../engine/simulate/shrink.js";
import { simulateScenario } from "../engine/simulate/simulate.js";

export const SIMULATE: Simulate = (spec, o) =>
  simulateScenario(spec, { ...o, shrink: shrinkerFor(spec, o.origin) });
