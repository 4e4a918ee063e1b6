/** The explorer's data structures against plain JavaScript references. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fpHi, fpLo } from "../../model/fingerprint.js";
import { fingerprintInto } from "./fingerprint.js";
import { Frontier } from "./frontier.js";
import { ParentLog } from "./parents.js";
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
  it("is a FIFO of fixed-size records across wrap-around and growth", () => {
    const q = new Frontier(3, 4);
    const ref: number[] = [];
    let next = 0;
    for (let round = 0; round < 2000; round++) {
      const pushes = round % 7;
      for (let i = 0; i < pushes; i++) {
        const o = q.alloc();
        q.buf.set([next, next + 1, next + 2], o);
        ref.push(next);
        next += 3;
      }
      const pops = Math.min(q.count, round % 5);
      for (let i = 0; i < pops; i++) {
        const h = q.head();
        const v = ref.shift()!;
        assert.deepEqual([...q.buf.subarray(h, h + 3)], [v, v + 1, v + 2]);
        q.drop();
      }
      assert.equal(q.count, ref.length);
    }
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
