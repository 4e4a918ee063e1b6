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

/** The properties built in. */
export const BUILTIN_PROPERTIES: readonly Property[] = [
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

const registered: Property[] = [...BUILTIN_PROPERTIES];
const names: string[] = registered.map((p) => p.name);

/** Every property: the built-in ones, then those plugins registered (a live view). */
export const PROPERTIES: readonly Property[] = registered;
/** Every property's name, in the order of PROPERTIES (a live view). */
export const PROPERTY_NAMES: readonly string[] = names;

export function isBuiltinProperty(name: string): boolean {
  return BUILTIN_PROPERTIES.some((p) => p.name === name);
}

/** Adds a plugin's property (the loader has validated it). */
export function registerProperty(p: Property): void {
  if (names.includes(p.name)) throw new Error(`pinlab bug: property ${p.name} registered twice`);
  registered.push(p);
  names.push(p.name);
}

/** Whether a property came from a plugin file. */
export function isPluginProperty(p: Property): boolean {
  return registered.indexOf(p) >= BUILTIN_PROPERTIES.length;
}

/** Removes a registered property (not a built-in one). */
export function unregisterProperty(name: string): void {
  const i = names.indexOf(name);
  if (i < BUILTIN_PROPERTIES.length) return;
  registered.splice(i, 1);
  names.splice(i, 1);
}

/** Removes every plugin property. */
export function unregisterPluginProperties(): void {
  registered.splice(BUILTIN_PROPERTIES.length);
  names.splice(BUILTIN_PROPERTIES.length);
}

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
