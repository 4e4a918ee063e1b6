import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { checkCells } from "../engine/matrix/compare.js";
import { parseScenario } from "../scenario/pin.js";
import { specHash } from "../scenario/source-hash.js";
import { buildDoc } from "./compare.js";
import {
  type ConformTarget,
  conformJson,
  conformSection,
  judge,
  parseConformJson,
} from "./conform.js";
import { renderCompareHtml } from "./html.js";

const HOSTILE = `<img src=x onerror=alert(1)>"`;

const targets: ConformTarget[] = [
  {
    target: "6.12",
    release: "6.12.95+deb12-amd64",
    notes: [`have dax ${HOSTILE}`],
    schedules: [
      {
        scenario: "core",
        seed: 0,
        policy: "linux(kernel=6.12)",
        rows: [
          judge(
            { step: 1, actor: "server", op: "mr = reg_mr", model: "errno EOPNOTSUPP" },
            "errno EOPNOTSUPP",
          ),
          judge(
            { step: 2, actor: HOSTILE, op: "rdma_write mr page=0", model: "wc SUCCESS qp=RTS" },
            "wc REM_ACCESS_ERR qp=ERR",
          ),
        ],
      },
    ],
  },
];

test("conform results are a section of the compare report: escaped, no style attributes, under its CSP", async () => {
  const core = parseScenario(
    readFileSync(new URL("../../scenarios/core.pin", import.meta.url), "utf8"),
    "core.pin",
  );
  assert.ok(core.spec);
  const spec = core.spec;
  const cells = await checkCells(
    [
      {
        ref: "core",
        spec,
        origin: { kind: "bundled", name: "core", hash: specHash(spec) },
        policy: "linux",
        params: {},
      },
    ],
    { workers: 1, explore: { reduce: true } },
  );
  const doc = buildDoc(cells, new Map([["core", spec]]), null);
  const html = renderCompareHtml(doc, { conform: targets });
  const sec = html.slice(html.indexOf('<section id="conform"'));
  assert.ok(sec.startsWith('<section id="conform"'), "no conform section");
  assert.ok(html.indexOf('<section id="conform"') < html.indexOf("</main>"));
  assert.match(sec, /class="cf-mismatch"/);
  assert.match(sec, /1 match, 1 mismatch, 0 not runnable/);
  assert.doesNotMatch(sec, /<img/);
  assert.doesNotMatch(sec, / style=/);
  // Without results the report is the one it always was.
  assert.doesNotMatch(renderCompareHtml(doc), /id="conform"/);
  assert.equal(conformSection([]).includes("0 match"), true);
});

test("a conform document is read back, and a wrong one says what is wrong", () => {
  const back = parseConformJson(JSON.stringify(conformJson(targets)));
  assert.ok("targets" in back);
  assert.equal(back.targets[0]?.schedules[0]?.rows[1]?.verdict, "mismatch");
  const bad = parseConformJson('{"schema":"pinlab.compare/2"}');
  assert.ok("error" in bad && /pinlab\.conform\/1/.test(bad.error));
  assert.ok("error" in parseConformJson("{"));
  const noRows = parseConformJson(
    JSON.stringify({
      schema: "pinlab.conform/1",
      targets: [{ target: "host", notes: [], schedules: [{ scenario: "x" }] }],
    }),
  );
  assert.ok("error" in noRows);
});

test("a step the kernel side did not run gives its reason once, in one pair of parentheses", () => {
  const row = { step: 3, actor: "server", op: "rereg_mr mr", model: "ok" };
  const why = judge(row, "not-run (librxe has no rereg_mr verb)");
  assert.equal(why.verdict, "not runnable");
  assert.equal(why.why, "librxe has no rereg_mr verb");
  assert.equal(judge(row, "not-run").why, "the kernel did not run it");
});
