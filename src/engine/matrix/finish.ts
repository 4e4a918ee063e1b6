/**
 * What the thread that checked a cell does with it before handing it on,
 * named by module and export so that worker threads load it too (a function
 * cannot cross threads). The comparison report renders each cell's witnesses
 * this way, in the workers and in parallel, with the model the cell was
 * checked in at hand.
 */
import type { Cell, CheckedCell } from "./cell.js";

export interface CellFinish {
  /** The module's URL. */
  readonly module: string;
  /** Its export: a function from a checked cell to the cell handed on. */
  readonly export: string;
  /** Whether it reads the state after each witness step (`replays[].states`). */
  readonly keepStates: boolean;
}

/** A checked cell as it is handed on: the finish's rendering of it, or the plain cell. */
export type Finisher<C extends Cell> = (checked: CheckedCell) => C;

/** The function a finish names (the plain cell without one). */
export async function loadFinish<C extends Cell>(f: CellFinish | undefined): Promise<Finisher<C>> {
  if (!f) return (checked) => checked.cell as C;
  const fn = ((await import(f.module)) as Record<string, unknown>)[f.export];
  if (typeof fn !== "function") throw new Error(`pinlab bug: ${f.module} has no ${f.export}()`);
  return fn as Finisher<C>;
}
