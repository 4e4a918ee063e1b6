/** The `assume` statement: parsed, checked, lowered, printed back, and built. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { scenario } from "./builder.js";
import { formatText } from "./format.js";
import { parseScenario } from "./pin.js";
import { formatScenario } from "./print.js";

const BASE = `scenario "t"
user alice
file data owner=alice pages=1
proc server user=alice on_lease_break=cancel {
  fd = open data rw
  va = mmap fd pages=0..0 shared rw
  mr = reg_mr va access=local_write,remote_write
  send peer mr
}
proc backup user=alice { fd = open data r; setlease fd rd }
remote peer { mr = recv; rdma_write mr page=0 }
proc admin user=alice { truncate data pages=0 }
`;

const codes = (text: string) =>
  parseScenario(BASE + text, "t.pin").diagnostics.map((d) => `${d.code}:${d.line}:${d.col}`);

test("both spellings lower to spec.assumptions; without a statement there is no field", () => {
  assert.equal(parseScenario(BASE, "t.pin").spec!.assumptions, undefined);
  const all = parseScenario(`${BASE}assume holders answer within lease_break_time\n`, "t.pin");
  assert.deepEqual(all.diagnostics, []);
  assert.deepEqual(
    all.spec!.assumptions!.map(({ at: _, ...a }) => a),
    [{ kind: "answers-within-lease-break-time" }],
  );
  const some = parseScenario(
    `${BASE}assume server answers within lease_break_time\nassume backup answers within lease-break-time\n`,
    "t.pin",
  );
  assert.deepEqual(some.diagnostics, []);
  assert.deepEqual(
    some.spec!.assumptions!.map((a) => a.procs),
    [["server"], ["backup"]],
  );
  const list = parseScenario(
    `${BASE}assume server,backup answer within lease_break_time\n`,
    "t.pin",
  );
  assert.deepEqual(list.spec!.assumptions![0]!.procs, ["server", "backup"]);
});

test("lint: unknown and remote names, repeats, holders of nothing, malformed statements", () => {
  const line = BASE.split("\n").length;
  assert.deepEqual(codes("assume nobody answers within lease_break_time\n"), [`PIN203:${line}:8`]);
  assert.deepEqual(codes("assume peer answers within lease_break_time\n"), [`PIN203:${line}:8`]);
  assert.deepEqual(codes("assume server,server answers within lease_break_time\n"), [
    `PIN313:${line}:15`,
  ]);
  assert.deepEqual(
    codes(
      "assume holders answer within lease_break_time\nassume server answers within lease_break_time\n",
    ),
    [`PIN319:${line + 1}:8`],
  );
  assert.deepEqual(
    codes(
      "assume server answers within lease_break_time\nassume holders answer within lease_break_time\n",
    ),
    [`PIN319:${line + 1}:1`],
  );
  assert.deepEqual(codes("assume admin answers within lease_break_time\n"), [`PIN320:${line}:8`]);
  assert.deepEqual(codes("assume server answer within lease_break_time\n"), [`PIN109:${line}:15`]);
  assert.deepEqual(codes("assume server answers by lease_break_time\n"), [`PIN109:${line}:23`]);
  assert.deepEqual(codes("assume server answers within 45\n"), [`PIN106:${line}:30`]);
  assert.deepEqual(codes("assume server answers within forever\n"), [`PIN109:${line}:30`]);
  assert.deepEqual(codes("assume\n"), [`PIN108:${line}:1`]);
  assert.deepEqual(codes("assume server answers within lease_break_time now\n"), [
    `PIN106:${line}:47`,
  ]);
  // The warnings are warnings: the scenario still runs.
  assert.ok(parseScenario(`${BASE}assume admin answers within lease_break_time\n`, "t.pin").spec);
});

test("fmt prints the canonical spelling and reading it back gives the same scenario", () => {
  const text = `${BASE}assume   holders answer within lease-break-time  # all of them\nassume backup,server answer within lease_break_time\n`;
  const f = formatText(text, "t.pin").text!;
  assert.match(f, /\nassume holders answer within lease_break_time {2}# all of them\n/);
  assert.match(f, /\nassume backup,server answers within lease_break_time\n/);
  assert.equal(formatText(f, "t.pin").text, f, "formatting twice changes nothing");
  const strip = (t: string) =>
    parseScenario(t, "t.pin").spec!.assumptions!.map(({ at: _, ...a }) => a);
  assert.deepEqual(strip(f), strip(text));
});

test("the builder states assumptions, and formatScenario prints them as statements", () => {
  const b = scenario("b")
    .user("alice")
    .file("data", { owner: "alice", pages: 1 })
    .proc("server", "alice", (p) => p.open("fd", "data").setlease("fd", "rd"))
    .assumeAnswers()
    .assumeAnswers(["server"]);
  const spec = b.build();
  assert.deepEqual(spec.assumptions, [
    { kind: "answers-within-lease-break-time" },
    { kind: "answers-within-lease-break-time", procs: ["server"] },
  ]);
  const text = formatScenario(spec);
  assert.match(
    text,
    /\nassume holders answer within lease_break_time\nassume server answers within lease_break_time\n/,
  );
  const back = parseScenario(text, "b.pin");
  assert.deepEqual(
    back.spec!.assumptions!.map(({ at: _, ...a }) => a),
    spec.assumptions,
  );
  assert.throws(() => scenario("c").assumeAnswers([]), /name at least one process/);
});
