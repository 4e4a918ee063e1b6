/** The bundled properties, in DESIGN.md's order. */
import { noForeignDma, noLostWrite, noStaleExposure } from "./dma.js";
import {
  noCommFailure,
  noKernelBug,
  noKill,
  noPinnedMovable,
  noRevoke,
  rdmaOnDax,
  spaceReclaimed,
} from "./outcomes.js";
import { noUntruncatable, truncateReturns } from "./progress.js";
import type { Property } from "./property.js";

export const PROPERTIES: readonly Property[] = [
  noForeignDma,
  noStaleExposure,
  noLostWrite,
  truncateReturns,
  noUntruncatable,
  noRevoke,
  noKill,
  noCommFailure,
  rdmaOnDax,
  spaceReclaimed,
  noKernelBug,
  noPinnedMovable,
];

export const PROPERTY_NAMES: readonly string[] = PROPERTIES.map((p) => p.name);

export function findProperty(name: string): Property | undefined {
  return PROPERTIES.find((p) => p.name === name);
}

export type { Finding, Property } from "./property.js";
