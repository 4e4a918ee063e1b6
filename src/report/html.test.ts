/**
 * The HTML report as text: a scenario file can name anything, so a title,
 * file or process called `<img src=x onerror=alert(1)>`, `</script>` or `&`
 * must come out as text; the embedded document must round-trip; and the page
 * must reach for nothing outside itself.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import type { CellJob } from "../engine/matrix/cell.js";
import { checkCells } from "../engine/matrix/compare.js";
import type { ScenarioSpec } from "../model/spec.js";
import { parseScenario } from "../scenario/pin.js";
import { specHash } from "../scenario/source-hash.js";
import { buildDoc, type CompareDoc } from "./compare.js";
import {
  CONTENT_SECURITY_POLICY,
  DATA_ELEMENT_ID,
  jsonForScript,
  renderCompareHtml,
} from "./html.js";

/** What a hostile scenario author would try. */
const HOSTILE = `<img src=x onerror=alert(1)></script>&amp;"'`;
const HOSTILE_PROC = "<img src=x onerror=alert(1)></script>&srv";

const CORE = readFileSync(new URL("../../scenarios/core.pin", import.meta.url), "utf8");

/** The bundled core scenario, parsed; and a copy whose title, file, reference and process name are hostile. */
function fixtureSpecs(): Map<string, ScenarioSpec> {
  const core = parseScenario(CORE, "scenarios/core.pin");
  assert.ok(core.spec, JSON.stringify(core.diagnostics));
  // The title goes through the real parser (a .pin string may hold any of these characters).
  const text = CORE.replace(/^scenario ".*"$/m, `scenario "${HOSTILE.replace(/"/g, "'")} title"`);
  const parsed = parseScenario(text, "evil.pin");
  assert.ok(parsed.spec, JSON.stringify(parsed.diagnostics));
  // Process names are identifiers in .pin, but the builder API takes any string.
  const rename = (n: string) => (n === "server" ? HOSTILE_PROC : n);
  const hostile: ScenarioSpec = {
    ...parsed.spec,
    file: `evil/${HOSTILE}.pin`,
    procs: parsed.spec.procs.map((p) => ({ ...p, name: rename(p.name) })),
    // A condition names `server` in its text, where the hostile name is no word: left out.
    expectations: parsed.spec.expectations
      .filter((e) => e.kind !== "condition")
      .map((e) => (e.kind === "result" ? { ...e, proc: rename(e.proc) } : e)),
  };
  return new Map([
    ["core", core.spec],
    [`evil/${HOSTILE}.pin`, hostile],
  ]);
}

/** A comparison document from the real pipeline: parse, check every cell, build. */
async function fixtureDoc(
  policies: readonly string[] = ["unsafe", "linux", "revoke"],
): Promise<CompareDoc> {
  const specs = fixtureSpecs();
  const jobs: CellJob[] = [];
  for (const [ref, spec] of specs) {
    const origin = { kind: "bundled" as const, name: ref, hash: specHash(spec) };
    for (const policy of policies) jobs.push({ ref, spec, origin, policy, params: {} });
  }
  const cells = await checkCells(jobs, { workers: 1, explore: { reduce: true } });
  return buildDoc(cells, specs, null);
}

/** The raw text of the JSON data element, and the page with that element cut out. */
function splitBlob(html: string): { blob: string; rest: string } {
  const open = `<script type="application/json" id="${DATA_ELEMENT_ID}">`;
  const start = html.indexOf(open);
  assert.ok(start >= 0, "the data element is missing");
  const end = html.indexOf("</script>", start);
  return {
    blob: html.slice(start + open.length, end),
    rest: html.slice(0, start) + html.slice(end + "</script>".length),
  };
}

/** Checked once, on first use, for every test of this file. */
let cached: Promise<CompareDoc> | undefined;
const theDoc = () => {
  cached ??= fixtureDoc();
  return cached;
};

test("the fixture really carries hostile strings through the pipeline", async () => {
  const doc = await theDoc();
  const evil = doc.scenarios.find((s) => s.ref.includes("<img"))!;
  assert.ok(evil.title.includes("<img src=x onerror=alert(1)>"));
  assert.ok(evil.lanes.includes(`proc:${HOSTILE_PROC}`));
  const cell = doc.cells.find((c) => c.scenario === evil.ref && c.policy === "unsafe")!;
  const v = cell.verdicts.find((x) => x.name === "foreign-dma")!;
  assert.equal(v.verdict, "Sometimes");
  assert.ok(
    v.steps?.some((s) => s.text.includes(HOSTILE_PROC)),
    "a step text names the process",
  );
});

test("hostile titles, files and process names are escaped outside the data element", async () => {
  const doc = await theDoc();
  const html = renderCompareHtml(doc);
  const { rest } = splitBlob(html);
  assert.doesNotMatch(html, /<img/i, "no <img anywhere, not even in the JSON");
  // Only the page's own two script elements close.
  assert.equal(html.match(/<\/script/gi)?.length, 2);
  assert.equal(rest.match(/<\/script/gi)?.length, 1);
  assert.equal(rest.match(/<script/gi)?.length, 1);
  assert.ok(rest.includes("&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;&amp;amp;"));
  assert.ok(rest.includes("&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;&amp;srv"));
  // Attribute values are quoted and escaped too.
  assert.match(rest, /data-scenario="evil\/&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.doesNotMatch(rest, /\sonerror=(?!alert\(1\)&gt;)/, "no live event handler attribute");
  assert.doesNotMatch(rest, /\son[a-z]+="/, "no inline event handler at all");
});

test("the embedded document round-trips through JSON.parse", async () => {
  const doc = await theDoc();
  const { blob } = splitBlob(renderCompareHtml(doc));
  assert.doesNotMatch(blob, /[<>]/);
  assert.deepEqual(JSON.parse(blob), JSON.parse(JSON.stringify(doc)));
});

test("jsonForScript escapes what could end a script element and keeps every character", () => {
  const value = { s: "</script><!-- & \u2028\u2029 \\u003c" };
  const out = jsonForScript(value);
  assert.doesNotMatch(out, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(out), value);
});

test("the page reaches for nothing outside itself", async () => {
  const doc = await theDoc();
  const html = renderCompareHtml(doc);
  const { rest } = splitBlob(html);
  assert.ok(
    html.includes(
      `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    ),
  );
  assert.match(CONTENT_SECURITY_POLICY, /default-src 'none'/);
  // Every link is to a place in the page; no element loads anything.
  for (const m of rest.matchAll(/\s(href|src|action|srcset|poster|data)\s*=\s*"([^"]*)"/gi))
    assert.ok(
      m[1]!.toLowerCase() === "href" && m[2]!.startsWith("#"),
      `external reference: ${m[0]}`,
    );
  assert.doesNotMatch(rest, /url\(|@import|<link|<iframe|<object|<embed/i);
  // URLs may appear as text (a policy's source), never as an attribute value.
  for (const m of html.matchAll(/https?:\/\//g)) {
    const before = html.slice(Math.max(0, m.index - 200), m.index);
    assert.doesNotMatch(before, /(src|href)\s*=\s*["']?[^"'>\s]*$/i, "an http(s) reference");
  }
});

test("the inline script builds nodes from text only", () => {
  const html = renderCompareHtml(buildDoc([], new Map(), null));
  const script = html.slice(html.lastIndexOf("<script>"));
  assert.doesNotMatch(script, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
  assert.match(script, /createElement/);
});

test("the matrix has a button per policy and property, and the report has every section", async () => {
  const doc = await theDoc();
  const html = renderCompareHtml(doc);
  for (const pol of doc.policies)
    for (const p of doc.properties)
      assert.ok(
        html.includes(`data-policy="${pol.name}" data-property="${p.name}" data-row=`),
        `${pol.name} x ${p.name}`,
      );
  assert.match(
    html,
    /<button type="button" class="cell violation" data-summary="violation" data-policy="unsafe" data-property="foreign-dma"[^>]*><span class="v">✗ Sometimes<\/span><span class="d">2 scenarios<\/span><span class="d">8 steps<\/span>/,
  );
  // A possibility that happens is good news, told apart from a violation in words and class.
  assert.match(
    html,
    /class="cell possible" data-summary="possible" data-policy="unsafe" data-property="rdma-on-dax"[^>]*><span class="v">◆ Sometimes/,
  );
  assert.match(
    html,
    /class="cell proved( vacuous)?" data-summary="proved" data-policy="linux" data-property="foreign-dma"[^>]*><span class="v">✓ Never<\/span><span class="d">proved/,
  );
  // A cost is not painted like corruption: revoke's revocations are a cost, not a violation.
  assert.match(
    html,
    /class="cell cost" data-summary="cost" data-policy="revoke" data-property="revocation"[^>]*><span class="v">▲ Sometimes/,
  );
  // A result expectation that some run gets is shown, never marked as a violation.
  assert.match(html, /data-outcome="shown" data-result="server\.reg_mr returns EOPNOTSUPP"/);
  assert.doesNotMatch(html, /data-outcome="violation" data-result=/);
  for (const id of ["matrix", "drill", "properties", "scenarios", "policies"])
    assert.ok(html.includes(`id="${id}"`), id);
  assert.ok(html.includes("scenarios/core.pin"));
  assert.match(html, /<html lang="en">/);
});

test("a vacuous proof and the operations a check never reached are shown apart from real proofs", async () => {
  // The library's own vacuous proofs are cleared, so that only the injected ones show.
  const real = await theDoc();
  const doc = {
    ...real,
    cells: real.cells.map((c) => ({
      ...c,
      vacuity: null,
      coverage: null,
      verdicts: c.verdicts.map((v) => ({ ...v, vacuous: false })),
    })),
  };
  const why = "proved, but no page was ever pinned: unreached server.send, peer.rdma_write";
  const cells = doc.cells.map((c) =>
    c.scenario === "core" && c.policy === "linux"
      ? {
          ...c,
          coverage: {
            reached: ["server.open"],
            unreached: ["server.send", "peer.rdma_write"],
            registers: true,
            registered: false,
          },
          vacuity: why,
          verdicts: c.verdicts.map((v) => ({ ...v, vacuous: v.name === "foreign-dma" })),
        }
      : c,
  );
  const html = renderCompareHtml({ ...doc, cells });
  assert.match(
    html,
    /class="cell proved vacuous" data-summary="proved" data-policy="linux" data-property="foreign-dma"[^>]*>.*∅ 1 vacuous/,
  );
  assert.ok(html.includes(`; ${why}`), "the grid's verdict says why the proof is vacuous");
  assert.match(html, /under <b>linux<\/b>: unreached: server\.send, peer\.rdma_write/);
  // A cell's own vacuity holds for each of its Nevers, never for its Sometimes.
  const whole = renderCompareHtml({
    ...doc,
    cells: doc.cells.map((c) =>
      c.scenario === "core" && c.policy === "linux"
        ? {
            ...c,
            vacuity: "no page was ever pinned",
            verdicts: c.verdicts.map((v) => ({ ...v, vacuous: v.verdict === "Never" })),
          }
        : c,
    ),
  });
  const linuxCore = doc.cells.find((c) => c.scenario === "core" && c.policy === "linux")!;
  const nevers = linuxCore.verdicts.filter(
    (v) => v.verdict === "Never" && doc.properties.some((p) => p.name === v.name),
  ).length;
  assert.ok(nevers > 0);
  assert.equal(whole.match(/class="mini [a-z-]+ vacuous"/g)?.length, nevers);
  // Without the fields, no proof is called vacuous.
  assert.doesNotMatch(renderCompareHtml(doc), /class="cell [a-z-]+ vacuous"|∅ \d+ vacuous/);
});
