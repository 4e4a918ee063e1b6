/** The explorer's data structures against plain JavaScript references. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fingerprintInto, fpHi, fpLo } from "../../model/fingerprint.js";
import { Changes } from "./changes.js";
import { Frontier } from "./frontier.js";
import { ParentLog } from "./parents.js";
import { PackedInts } from "./small-ints.js";
import { FingerprintTable } from "./table.js";

describe("FingerprintTable", () => {
  it("is a set of 64-bit fingerprints, through many doublings", () => {
    const t = new FingerprintTable();
    const ref = new Set<string>();
    let x = 1;
    for (let i = 0; i < 200000; i++) {
      // fingerprints of 150,000 distinct keys, so that repeats happen
      x = (Math.imul(x, 1103515245) + 12345) | 0;
      const id = (x >>> 8) % 150000;
      const hi = Math.imul(id ^ 0x5bd1e995, 0x9e3779b1) ^ (id >>> 3);
      const lo = Math.imul(id + 0x7f4a7c15, 0x85ebca6b);
      const k = `${hi}:${lo}`;
      assert.equal(t.add(hi, lo), !ref.has(k));
      ref.add(k);
    }
    assert.equal(t.size, ref.size);
    for (const k of ref) {
      const [hi, lo] = k.split(":").map(Number) as [number, number];
      assert.ok(t.has(hi, lo));
    }
    assert.ok(!t.has(123, 456789));
    assert.ok(t.bytes / t.size < 24);
  });

  it("with ids, addOrId gives -1 for a new fingerprint and the insertion number of a stored one", () => {
    const t = new FingerprintTable(0, undefined, true);
    const ids = new Map<string, number>();
    let x = 7;
    for (let i = 0; i < 300000; i++) {
      // repeats soon after (front cache hits) and long after (probes), through doublings
      x = (Math.imul(x, 1103515245) + 12345) | 0;
      const id = (i & 3) === 0 ? (x >>> 8) % 200000 : (x >>> 8) % 64;
      const hi = id === 5 ? 0 : Math.imul(id ^ 0x5bd1e995, 0x9e3779b1);
      const lo = id === 5 ? 0 : Math.imul(id + 0x7f4a7c15, 0x85ebca6b);
      const k = `${hi}:${lo}`;
      const want = ids.get(k) ?? -1;
      if (want < 0) ids.set(k, ids.size);
      assert.equal(t.addOrId(hi, lo), want);
      if ((i & 7) === 0) assert.equal(t.add(hi, lo), false);
      if ((i & 15) === 0) assert.equal(t.idOf(hi, lo), ids.get(k));
    }
    assert.equal(t.size, ids.size);
  });

  it("stores the all-zero fingerprint too", () => {
    const t = new FingerprintTable();
    assert.equal(t.add(0, 0), true);
    assert.equal(t.add(0, 0), false);
    assert.ok(t.has(0, 0));
  });

  it("when growth is refused it says so instead of failing silently", () => {
    const t = new FingerprintTable(0, () => false);
    let i = 0;
    while (!t.full) t.add(i, i++ * 7);
    assert.ok(t.size > 0);
    for (let k = 0; k < i; k++) assert.ok(t.has(k, k * 7));
  });
});

describe("Frontier", () => {
  it("is a FIFO of fixed-size records, whatever they hold, across many chunks", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(
          fc.record({
            pushes: fc.nat(60),
            pops: fc.nat(60),
            // mostly small changes to the previous record, sometimes anything
            wild: fc.boolean(),
            seed: fc.integer(),
          }),
          { maxLength: 120 },
        ),
        (width, rounds) => {
          const q = new Frontier(width);
          const ref: Int32Array[] = [];
          const last = new Int32Array(width);
          for (const r of rounds) {
            for (let i = 0; i < r.pushes; i++) {
              let x = (r.seed + i * 0x9e3779b1) | 0;
              for (let j = 0; j < width; j++) {
                x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) | 0;
                if (r.wild) last[j] = x;
                else if ((x & 7) === 0) last[j] = last[j]! + ((x >> 8) % 300);
              }
              const at = i % 3;
              const buf = new Int32Array(width + 3);
              buf.set(last, at);
              q.push(buf, at);
              ref.push(Int32Array.from(last));
            }
            for (let i = 0; i < Math.min(r.pops, q.count); i++) {
              const out = new Int32Array(width + 1);
              q.shift(out, 1);
              assert.deepEqual([...out.subarray(1)], [...ref.shift()!]);
            }
            assert.equal(q.count, ref.length);
          }
          while (q.count > 0) {
            const out = new Int32Array(width);
            q.shift(out, 0);
            assert.deepEqual([...out], [...ref.shift()!]);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("writes the same records with SIMD as in JavaScript, queues of any widths interleaved", () => {
    assert.ok(Changes.forRecords(7) !== null, "WebAssembly SIMD is there in Node");
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(3), fc.nat(1), fc.integer()), { maxLength: 300 }),
        (widths, ops) => {
          const simd = widths.map((w) => new Frontier(w));
          const js = widths.map((w) => new Frontier(w, undefined, false));
          const last = widths.map((w) => new Int32Array(w));
          for (const [which, pop, seed] of ops) {
            const q = which % widths.length;
            const w = widths[q]!;
            if (pop === 1 && simd[q]!.count > 0) {
              const a = new Int32Array(w);
              const b = new Int32Array(w);
              simd[q]!.shift(a, 0);
              js[q]!.shift(b, 0);
              assert.deepEqual([...a], [...b]);
              continue;
            }
            let x = seed;
            for (let j = 0; j < w; j++) {
              x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) | 0;
              // a few words change, by any amount (2^31 - 1 to -2^31 too)
              if ((x & 3) === 0) last[q]![j] = (x & 16) === 0 ? x : last[q]![j]! + (x >> 20);
            }
            const buf = new Int32Array(w + 2);
            buf.set(last[q]!, 2);
            simd[q]!.push(buf, 2);
            js[q]!.push(buf, 2);
            assert.equal(simd[q]!.bytes, js[q]!.bytes);
          }
          widths.forEach((w, q) => {
            while (simd[q]!.count > 0) {
              const a = new Int32Array(w);
              const b = new Int32Array(w);
              simd[q]!.shift(a, 0);
              js[q]!.shift(b, 0);
              assert.deepEqual([...a], [...b]);
            }
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it("keeps a level of similar states in a few bytes each", () => {
    const q = new Frontier(200);
    const s = new Int32Array(200).fill(7);
    for (let i = 0; i < 100_000; i++) {
      s[i % 200] = i;
      s[(i * 7) % 200] = -i;
      q.push(s, 0);
    }
    assert.ok(q.bytes < 100_000 * 12, `${q.bytes} bytes for 100,000 records of 200 words`);
  });
});

describe("ParentLog", () => {
  it("rebuilds every BFS tree path", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(300), { minLength: 1, maxLength: 3000 }), (kids) => {
        // parent p gets kids[p] children (while states remain to expand)
        const log = new ParentLog();
        const parent: number[] = [-1];
        const act: number[] = [-1];
        for (let p = 0; p < parent.length && p < kids.length; p++) {
          log.expand();
          for (let c = 0; c < kids[p]! % 5; c++) {
            const a = (p * 31 + c * 7) % (p % 3 === 0 ? 70000 : 200);
            log.child(a);
            parent.push(p);
            act.push(a);
          }
        }
        for (let k = 0; k < parent.length; k += Math.max(1, parent.length >> 5)) {
          const want: number[] = [];
          for (let s = k; s > 0; s = parent[s]!) want.push(act[s]!);
          assert.deepEqual(log.pathTo(k), want.reverse());
        }
      }),
      { numRuns: 50 },
    );
  });

  it("handles parents with hundreds of children and negative actions", () => {
    const log = new ParentLog();
    log.expand();
    for (let c = 0; c < 700; c++) log.child(-c);
    log.expand();
    log.child(5);
    assert.deepEqual(log.pathTo(700), [-699]);
    assert.deepEqual(log.pathTo(701), [0, 5]);
  });
});

describe("fingerprintInto", () => {
  it("computes exactly fpHi and fpLo", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 40 }),
        (xs) => {
          const s = Int32Array.from(xs);
          const out = new Int32Array(2);
          fingerprintInto(s, out, 0);
          assert.equal(out[0], fpHi(s) | 0);
          assert.equal(out[1], fpLo(s) | 0);
        },
      ),
    );
  });
});

describe("PackedInts", () => {
  it("keeps values of 1 to 16 bits, set in any order and overwritten, read here or from its words", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 4, 8, 16),
        fc.array(fc.tuple(fc.nat(5000), fc.nat(2 ** 16 - 1)), { maxLength: 3000 }),
        (b, writes) => {
          const bits = b as 1 | 2 | 4 | 8 | 16;
          const p = new PackedInts(bits);
          const ref = new Map<number, number>();
          for (const [i, v] of writes) {
            const x = v % 2 ** bits;
            p.set(i, x);
            ref.set(i, x);
          }
          const n = Math.max(0, ...ref.keys()) + 1;
          const words = p.view(n);
          for (let i = 0; i < n; i++) {
            assert.equal(p.get(i), ref.get(i) ?? 0, `value ${i}`);
            assert.equal(PackedInts.at(words, bits, i), ref.get(i) ?? 0);
          }
        },
      ),
      { numRuns: 100 },
    );
    assert.deepEqual(
      [1, 2, 3, 4, 5, 16, 17, 256, 257].map(PackedInts.bitsFor),
      [1, 1, 2, 2, 4, 4, 8, 8, 16],
    );
  });
});

describe("Frontier out of memory", () => {
  it("keeps every record queued whole: a push that cannot have a chunk writes nothing", () => {
    let chunks = 0;
    const q = new Frontier(50, () => ++chunks <= 2);
    const ref: number[][] = [];
    const rec = new Int32Array(50);
    try {
      for (let i = 0; ; i++) {
        for (let j = 0; j < 50; j++) rec[j] = Math.imul(i + 1, j * 2654435761) | 0;
        q.push(rec, 0);
        ref.push([...rec]);
      }
    } catch (e) {
      assert.ok(e instanceof RangeError);
    }
    assert.equal(q.count, ref.length);
    const out = new Int32Array(50);
    for (const want of ref) {
      q.shift(out, 0);
      assert.deepEqual([...out], want);
    }
  });
});
