/**
 * The part of the WebAssembly JavaScript API that xxh64.ts uses. Node and
 * every browser provide it; the project's lib (ES2022, no DOM) does not
 * declare it.
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number });
    readonly buffer: ArrayBuffer;
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
}
