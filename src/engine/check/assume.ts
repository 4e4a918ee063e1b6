/**
 * How a verdict that rests on a scenario's timing assumptions says so. The
 * words follow the `assume` statement with the kernel's name for the bound
 * (`/proc/sys/fs/lease-break-time`).
 */
import type { Assumption } from "../../model/spec.js";

/** "assuming holders answer within lease-break-time", "assuming server answers within lease-break-time". */
export function assumptionText(stated: readonly Assumption[]): string {
  if (stated.some((a) => a.procs === undefined))
    return "assuming holders answer within lease-break-time";
  const names = [...new Set(stated.flatMap((a) => a.procs ?? []))];
  const who =
    names.length === 1
      ? `${names[0]} answers`
      : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]} answer`;
  return `assuming ${who} within lease-break-time`;
}
