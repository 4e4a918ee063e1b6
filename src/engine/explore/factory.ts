/** Builds a System from a SystemFactory (in a worker thread, or here). */
import type { System, SystemFactory } from "./system.js";

export async function loadSystem(f: SystemFactory): Promise<System> {
  const mod = (await import(f.module)) as Record<string, unknown>;
  const make = mod[f.export];
  if (typeof make !== "function") throw new Error(`${f.module} has no function export ${f.export}`);
  // a factory may be async (e.g. one that loads plugin files first)
  return await (make as (arg: unknown) => System | Promise<System>)(f.arg);
}
