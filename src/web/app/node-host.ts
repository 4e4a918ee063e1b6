/**
 * What the explorer's memory probes (engine/explore/budget.ts) find in a
 * browser, where there is no /proc and no machine to ask: no address-space
 * limit (reading /proc fails, as on a system without it), and the memory the
 * browser reports (navigator.deviceMemory, GiB; 4 if it does not say). The
 * page gives every check its own memory bound, so this is a fallback.
 * vite.config.mjs maps node:fs and node:os here.
 */
export function readFileSync(path: string): never {
  throw new Error(`no file system in the browser (${path})`);
}

export function totalmem(): number {
  const gib = (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory ?? 4;
  return gib * 2 ** 30;
}
