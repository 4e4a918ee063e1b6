/** The report's parts that vite.config.mjs makes into modules. */
declare module "virtual:pinlab-drill" {
  import type { CompareDoc } from "../../report/compare.js";
  export interface Drill {
    open(policy: string, property: string, scenario: string | null, focus: boolean): void;
    close(): void;
    /** Clicks and arrow keys on matrix cells inside root open the drill-down. */
    bind(root: HTMLElement | Document): void;
  }
  /** report/html/client.ts's DRILL: the drill-down over a comparison document, drawn into panel. */
  export function pinlabDrill(
    doc: CompareDoc,
    panel: HTMLElement,
    onShow: (policy: string | null, property: string | null, scenario: string | null) => void,
  ): Drill;
}
declare module "virtual:pinlab-report.css";
