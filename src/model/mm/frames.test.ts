/**
 * frameMarks: the reusable frame set of the layout gate. Each call hands it
 * back empty, whatever the previous question left in it, and it answers
 * membership exactly, the zero page included.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { scenario } from "../../scenario/builder.js";
import { modelOf } from "../../testing/run.js";
import { frameMarks, zeroFrame } from "./frames.js";

test("frameMarks is empty when handed out and holds exactly what was added", () => {
  const m = modelOf(
    scenario("marks")
      .fs("dax", 6)
      .user("alice")
      .file("data", { owner: "alice", pages: 2 })
      .proc("p", "alice", (p) => p.truncate("data", 0))
      .build(),
    "linux",
  );
  const n = zeroFrame(m) + 1;
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 12 })),
      (rounds) => {
        for (const frames of rounds) {
          const set = frameMarks(m);
          assert.equal(set.size, 0);
          for (const f of frames) set.add(f);
          const want = new Set(frames);
          assert.equal(set.size, want.size);
          for (let f = -1; f <= n; f++) assert.equal(set.has(f), want.has(f), `frame ${f}`);
        }
      },
    ),
  );
});
