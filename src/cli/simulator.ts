/**
 * The simulator the command line hands to `compare --simulate`. The matrix
 * takes it as a function (engine/matrix/costs.ts `Simulate`), so that it
 * does not depend on how a simulation runs and tests can pass a fake one.
 * Null while this pinlab has no timed engine: `compare --simulate` then
 * says so (exit 2).
 */
import type { Simulate } from "../engine/matrix/costs.js";

export const SIMULATE: Simulate | null = null;
