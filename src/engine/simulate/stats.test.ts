/** The one-pass percentiles give exactly what HdrHistogram's own getValueAtPercentile gives. */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { latencyHistogram } from "./stats.js";

test("atEach equals at for every percentile, on random histograms", () => {
  const qs = [0.01, 1, 25, 50, 90, 99, 99.9, 100];
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 300 }),
      (xs) => {
        const h = latencyHistogram();
        for (const x of xs) h.record(x);
        assert.deepEqual(
          h.atEach(qs),
          qs.map((q) => h.at(q)),
        );
      },
    ),
    { numRuns: 300 },
  );
  assert.deepEqual(latencyHistogram().atEach([50, 99]), [0, 0]);
});
