/**
 * The playground's Web Worker: the engine, as the command line runs it
 * (session.ts), off the page's thread, so that a long check leaves the page
 * responsive. One request at a time; an abort message stops a check between
 * slices of work (the explorer yields to the event loop between them).
 */
import { renderMatrix } from "../../report/html/matrix.js";
import { checkPin, runPin } from "../session.js";
import type { Reply, Request } from "./protocol.js";

declare const __PINLAB_VERSION__: string;

const post = (r: Reply) => (self as unknown as Worker).postMessage(r);
let running: AbortController | null = null;

self.onmessage = async (ev: MessageEvent<Request>) => {
  const req = ev.data;
  if (req.type === "abort") {
    running?.abort();
    return;
  }
  if (req.type === "run") {
    const r = runPin({ text: req.text, policy: req.policy, params: req.params, seed: req.seed });
    post(
      r.ok
        ? { type: "ran", id: req.id, trace: r.trace, failed: r.failed }
        : { type: "failed", id: req.id, error: r.error },
    );
    return;
  }
  running = new AbortController();
  let done = 0;
  let total = 0;
  try {
    const r = await checkPin(
      {
        text: req.text,
        policies: req.policies,
        params: req.params,
        version: __PINLAB_VERSION__,
        ...(req.maxStates !== undefined ? { maxStates: req.maxStates } : {}),
      },
      {
        signal: running.signal,
        onStart: (policy, d, t) => {
          done = d;
          total = t;
          post({ type: "progress", id: req.id, policy, done, total, states: 0 });
        },
        onStates: (policy, states) =>
          post({ type: "progress", id: req.id, policy, done, total, states }),
      },
    );
    if (!r.ok) post({ type: "failed", id: req.id, error: r.error });
    else
      post({
        type: "checked",
        id: req.id,
        doc: r.doc,
        matrixHtml: renderMatrix(r.doc),
        incomplete: r.incomplete,
        interrupted: r.interrupted,
        timeMs: r.timeMs,
        states: r.states,
      });
  } catch (e) {
    // a pinlab bug: said as it is, not hidden
    post({ type: "failed", id: req.id, error: `pinlab failed: ${(e as Error).stack ?? e}` });
  } finally {
    running = null;
  }
};

post({ type: "ready" });
