/** The messages between the page and its Web Worker (worker.ts). */
import type { CompareDoc } from "../../report/compare.js";

export type Request =
  | {
      readonly type: "check";
      readonly id: number;
      readonly text: string;
      readonly policies: readonly string[];
      /** Policy parameters, `name=value` (as `--param`). */
      readonly params: readonly string[];
      readonly maxStates?: number;
    }
  | {
      readonly type: "run";
      readonly id: number;
      readonly text: string;
      readonly policy: string;
      readonly params: readonly string[];
      readonly seed: number;
    }
  /** Stops the running check: it ends "interrupted" within a slice of work and answers with what it found. */
  | { readonly type: "abort" };

export type Reply =
  | { readonly type: "ready" }
  | {
      readonly type: "progress";
      readonly id: number;
      readonly policy: string;
      readonly done: number;
      readonly total: number;
      readonly states: number;
    }
  | {
      readonly type: "checked";
      readonly id: number;
      readonly doc: CompareDoc;
      /** The matrix, rendered by the report (html/matrix.ts), every string escaped. */
      readonly matrixHtml: string;
      readonly incomplete: boolean;
      readonly interrupted: boolean;
      readonly timeMs: number;
      readonly states: number;
    }
  | { readonly type: "ran"; readonly id: number; readonly trace: string; readonly failed: boolean }
  | { readonly type: "failed"; readonly id: number; readonly error: string };
