/**
 * A frame's mapcount: how many present PTEs map it. Anonymous pages are
 * mapped by one process until fork shares one (proc/fork.ts); a write fault
 * reuses a write-protected anonymous page only when no one else maps it, and
 * a frame is freed only when nothing maps or references it.
 */
import { type Model, type State, vma as vmaOff } from "../layout.js";
import { pteFrame } from "./pte.js";

export function mapcount(m: Model, s: State, f: number): number {
  let n = 0;
  for (let v = 0; v < m.vmas.length; v++) {
    const vo = vmaOff(m, v);
    if (s[vo] !== 1) continue;
    for (let k = 0; k < m.vmas[v]!.pages; k++) {
      const pte = s[vo + 1 + k]!;
      if (pte !== 0 && pteFrame(pte) === f) n++;
    }
  }
  return n;
}
