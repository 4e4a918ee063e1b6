/**
 * Cells rendered by the threads that checked them (as compare's workers do)
 * make the same document as cells rendered afterwards by buildDoc; cells
 * marked without witness steps print the same text and Markdown.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Cell, CellJob } from "../engine/matrix/cell.js";
import { cellChecker, checkCells } from "../engine/matrix/compare.js";
import { bundledSpecs } from "../testing/baseline.js";
import {
  buildDoc,
  buildRenderedDoc,
  type CompareDoc,
  type DocCell,
  MARK_CHECKED,
  RENDER_CHECKED,
  renderCompareMarkdown,
  renderCompareText,
} from "./compare.js";

const NAMES = ["core", "hung-holder", "no-cancel", "dedupe"];
const specs = new Map(
  bundledSpecs()
    .filter((b) => NAMES.includes(b.name))
    .map((b) => [b.name, { spec: b.spec, source: null, hash: b.hash }]),
);
const jobs: CellJob[] = [...specs].flatMap(([ref, x]) =>
  ["unsafe", "linux", "revoke", "layout-lease"].map((policy) => ({
    ref,
    spec: x.spec,
    origin: { kind: "bundled" as const, name: ref, hash: x.hash },
    policy,
    params: {},
  })),
);
const explore = { reduce: true };

/** A document without what differs from run to run: times, rates, memory, and the digest over them. */
function timeless(doc: CompareDoc): unknown {
  return JSON.parse(
    JSON.stringify({ ...doc, digest: null }, (k, v) =>
      k === "stats" ? { states: v.states, transitions: v.transitions, depth: v.depth } : v,
    ),
  );
}

test("cells rendered where they were checked make buildDoc's document, in job order", async () => {
  const plain = await checkCells<Cell>(jobs, { workers: 1, explore });
  const expected = timeless(buildDoc(plain, specs, null));
  for (const workers of [1, 2]) {
    const cells = await checkCells<DocCell>(jobs, { workers, explore, finish: RENDER_CHECKED });
    assert.deepEqual(
      cells.map((c) => `${c.scenario}/${c.policy}`),
      jobs.map((j) => `${j.ref}/${j.policy}`),
    );
    assert.deepEqual(
      timeless(buildRenderedDoc(cells, specs, null)),
      expected,
      `workers ${workers}`,
    );
  }
  assert.ok(
    plain.some((c) => c.verdicts.some((v) => v.witness)),
    "some cell has a witness to render",
  );
});

test("cells marked without witness steps print the same text and Markdown", async () => {
  const full = buildRenderedDoc(
    await checkCells<DocCell>(jobs, { workers: 2, explore, finish: RENDER_CHECKED }),
    specs,
    null,
  );
  const marked = buildRenderedDoc(
    await checkCells<DocCell>(jobs, { workers: 2, explore, finish: MARK_CHECKED }),
    specs,
    null,
  );
  assert.ok(marked.cells.every((c) => c.verdicts.every((v) => v.steps === null)));
  assert.ok(full.cells.some((c) => c.verdicts.some((v) => v.steps !== null)));
  for (const o of [
    { drill: true, width: 100 },
    { drill: false, width: 72 },
  ])
    assert.equal(renderCompareText(marked, o), renderCompareText(full, o));
  assert.equal(renderCompareMarkdown(marked), renderCompareMarkdown(full));
});

test("a checker started before its jobs checks them as checkCells does, or closes unused", async () => {
  const early = cellChecker<Cell>({ workers: 2, explore }, jobs.length);
  const cells = await early.check(jobs);
  const later = await checkCells<Cell>(jobs, { workers: 1, explore });
  assert.deepEqual(
    cells.map((c) => [c.scenario, c.policy, c.stats.states, c.verdicts.map((v) => v.verdict)]),
    later.map((c) => [c.scenario, c.policy, c.stats.states, c.verdicts.map((v) => v.verdict)]),
  );
  // threads that never check end when closed (else this file's process would not exit)
  cellChecker<Cell>({ workers: 2, explore }, jobs.length).close();
});
