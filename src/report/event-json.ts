/**
 * A model event as JSON for readers outside pinlab: every object is named
 * as the scenario names it (process, peer, file, `proc.var` for an MR), an
 * operation by its text, a result by its errno; block and frame numbers stay
 * numbers (they are the device's and memory's own), as do page indices.
 */
import { errnoName } from "../model/errno.js";
import type { ModelEvent } from "../model/events.js";
import type { Model } from "../model/layout.js";
import { contentName, fileName, mrName, peerName, procName } from "../properties/names.js";
import { printProcOp } from "../scenario/print.js";

export type JsonEvent = { readonly k: string } & Record<string, unknown>;

export function eventJson(m: Model, e: ModelEvent): JsonEvent {
  const out: Record<string, unknown> = {};
  const src = e as unknown as Record<string, unknown>;
  for (const [key, v] of Object.entries(src)) {
    switch (key) {
      case "proc":
      case "holder":
        out[key] = procName(m, v as number);
        break;
      case "pc": {
        const p = src.proc as number;
        const op = m.procs[p]?.prog[v as number]?.spec;
        out.op = op ? printProcOp(op) : null;
        break;
      }
      case "peer":
        out[key] = peerName(m, v as number);
        break;
      case "inode":
        out.file = fileName(m, v as number);
        break;
      case "other":
        out[key] = (v as number) >= 0 ? fileName(m, v as number) : null;
        break;
      case "mr":
        out[key] = (v as number) >= 0 ? mrName(m, v as number) : null;
        break;
      case "mrs":
        out[key] = (v as number[]).map((x) => mrName(m, x));
        break;
      case "blockers":
        out[key] = (v as number[]).map((p) => procName(m, p));
        break;
      case "content":
        out[key] = contentName(m, v as number);
        break;
      case "result": {
        const r = v as number;
        out[key] = r < 0 ? errnoName(-r) : "ok";
        // a success's value is an object id, except for read (bytes; 0 = EOF)
        const op = m.procs[src.proc as number]?.prog[src.pc as number]?.spec.op;
        if (r >= 0 && op === "read") out.bytes = r;
        break;
      }
      case "frame":
      case "frames": {
        // the shared zero page is frame nFrames; an ODP fault pending has frame -1
        const one = (f: number) => (f === m.nFrames ? "zero-page" : f < 0 ? null : f);
        out[key] = Array.isArray(v) ? v.map(one) : one(v as number);
        break;
      }
      default:
        out[key] = v;
    }
  }
  return out as JsonEvent;
}
