/**
 * The bundled properties, in DESIGN.md's order and grouped as the matrix
 * shows them: safety, then costs, then capabilities. Each is named for the
 * event it watches, so that `expect never foreign-dma` reads as English.
 */
import { foreignDma, lostWrite, staleExposure } from "./dma.js";
import {
  commFailure,
  kernelBug,
  kill,
  pinnedMovable,
  rdmaOnDax,
  revocation,
  revocationByOther,
  strandedSpace,
} from "./outcomes.js";
import { truncateHang, untruncatable } from "./progress.js";
import type { Property } from "./property.js";

export const PROPERTIES: readonly Property[] = [
  foreignDma,
  staleExposure,
  lostWrite,
  kernelBug,
  pinnedMovable,
  truncateHang,
  untruncatable,
  revocation,
  revocationByOther,
  kill,
  commFailure,
  strandedSpace,
  rdmaOnDax,
];

export const PROPERTY_NAMES: readonly string[] = PROPERTIES.map((p) => p.name);

/**
 * Names the properties had before they were named for their events
 * (`expect never no-foreign-dma` is now `expect never foreign-dma`);
 * a scenario that uses one gets a diagnostic naming the new one.
 */
export const RENAMED_PROPERTIES: ReadonlyMap<string, string> = new Map([
  ["no-foreign-dma", "foreign-dma"],
  ["no-stale-exposure", "stale-exposure"],
  ["no-lost-write", "lost-write"],
  ["truncate-returns", "truncate-hang"],
  ["no-untruncatable", "untruncatable"],
  ["no-revoke", "revocation"],
  ["no-kill", "kill"],
  ["no-comm-failure", "comm-failure"],
  ["space-reclaimed", "stranded-space"],
  ["no-kernel-bug", "kernel-bug"],
  ["no-pinned-movable", "pinned-movable"],
]);

export function findProperty(name: string): Property | undefined {
  return PROPERTIES.find((p) => p.name === name);
}

export type { Finding, Property } from "./property.js";
