/**
 * The scenario layer's public face: the `.pin` text format (read, check,
 * format) and the TypeScript builder, both producing a ScenarioSpec.
 */
export { ScenarioBuilder, scenario } from "./builder.js";
export { CODES, type Code } from "./codes.js";
export {
  type Diagnostic,
  hasErrors,
  renderDiagnostic,
  renderDiagnostics,
  type Severity,
  sortDiagnostics,
} from "./diagnostics.js";
export { type FormatResult, formatText } from "./format.js";
export { type ParseOptions, type ParseResult, parseScenario, readSyntax } from "./pin.js";
export { formatScenario } from "./print.js";
export { DEFAULT_POLICIES, DEFAULT_PROPERTIES } from "./schema.js";
