/** The statements of timed workloads: durations, distributions, timing, horizon, repeat, replicate. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatText } from "./format.js";
import { parseScenario } from "./pin.js";
import { formatScenario } from "./print.js";
import { strip } from "./testing.js";
import { parseDuration, printDuration } from "./time.js";

const HEAD = "fs dax blocks=4\nuser alice\nfile data owner=alice pages=2\n";

const codes = (text: string) =>
  parseScenario(HEAD + text, "t.pin").diagnostics.map((d) => `${d.line - 3}:${d.col} ${d.code}`);

const specOf = (text: string) => {
  const r = parseScenario(HEAD + text, "t.pin");
  assert.ok(
    r.spec,
    r.diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`).join("\n"),
  );
  return r.spec;
};

test("durations: every unit, decimals and rates", () => {
  const cases: [string, number][] = [
    ["100us", 0.0001],
    ["10ms", 0.01],
    ["45s", 45],
    ["1.5s", 1.5],
    ["5min", 300],
    ["1h", 3600],
    ["24h", 86400],
    ["7d", 604800],
    ["10k/s", 0.0001],
    ["60/h", 60],
    ["2M/s", 5e-7],
  ];
  for (const [text, seconds] of cases) assert.equal(parseDuration(text), seconds, text);
  for (const bad of ["45", "1.s", "5m", "10k", "0/s", "1e3s"])
    assert.equal(parseDuration(bad), undefined, bad);
  for (const x of [0, 0.0001, 0.0015, 0.25, 1.5, 45, 90, 3600, 86400, 172800, 1e-7, 0.123456789])
    assert.equal(parseDuration(printDuration(x)), x, `${x} → ${printDuration(x)}`);
  assert.equal(printDuration(86400), "24h");
  assert.equal(printDuration(604800), "7d");
});

test("every statement of a timed workload reads as its data", () => {
  const spec = specOf(`
replicate 3 {
  proc server user=alice on_lease_break=cancel {
    fd = open data rw
    repeat every exp 10min { truncate data pages=1 }
  }
  remote client { repeat every 10k/s { mr = recv } }
}
proc admin user=alice { repeat { truncate data pages=0 } }
timing lease_break_time 5s
timing handler lognormal median=20ms sigma=1.5
timing handler proc=server#2 empirical p50=10ms p999=2s max=30s
timing rdma_op peer=client uniform 2us..10us
timing op proc=admin truncate fixed 50ms
timing pace peer=client#1 exp mean=1ms
timing writeback uniform min=5s max=30s
horizon 24h
bounds repeats=3 replicas=2
`);
  assert.equal(spec.horizon, 86400);
  assert.deepEqual(spec.bounds, { repeats: 3, replicas: 2 });
  assert.deepEqual(strip(spec.procs[0]!.repeat), { from: 0 });
  const g = spec.replicas![0]!;
  assert.equal(g.count, 3);
  assert.deepEqual(strip(g.procs[0]!.repeat), {
    from: 1,
    every: { kind: "exponential", mean: 600 },
  });
  assert.deepEqual(strip(g.peers[0]!.repeat), { from: 0, every: { kind: "fixed", value: 0.0001 } });
  assert.deepEqual(strip(spec.timing), [
    { key: "lease_break_time", dist: { kind: "fixed", value: 5 } },
    { key: "handler", dist: { kind: "lognormal", median: 0.02, sigma: 1.5 } },
    {
      key: "handler",
      target: "server#2",
      dist: {
        kind: "empirical",
        points: [
          { p: 0, value: 0 },
          { p: 0.5, value: 0.01 },
          { p: 0.999, value: 2 },
          { p: 1, value: 30 },
        ],
      },
    },
    { key: "rdma_op", target: "client", dist: { kind: "uniform", min: 0.000002, max: 0.00001 } },
    { key: "op", target: "admin", op: "truncate", dist: { kind: "fixed", value: 0.05 } },
    { key: "pace", target: "client#1", dist: { kind: "exponential", mean: 0.001 } },
    { key: "writeback", dist: { kind: "uniform", min: 5, max: 30 } },
  ]);
  // Printed and read again, the scenario is the same; formatting is idempotent.
  const printed = formatScenario(spec);
  const again = parseScenario(printed, "t.pin");
  assert.deepEqual(strip(again.spec), strip(spec), printed);
  const f1 = formatText(printed).text!;
  assert.equal(f1, printed, "the printer's text is already formatted");
  assert.equal(formatText(f1).text, f1);
});

test("the formatter keeps the layout of repeat and replicate blocks and their comments", () => {
  const text = [
    'scenario "x"',
    "fs dax blocks=4",
    "user alice",
    "file data owner=alice mode=0644 pages=2",
    "",
    "replicate 2 {  # two of them",
    "  proc p user=alice {",
    "    fd = open data rw",
    "    # the maintenance job",
    "    repeat every 1h {",
    "      truncate data pages=0  # drop it",
    "      close fd",
    "    }",
    "  }",
    "}",
    "",
    "horizon 7d",
    "",
  ].join("\n");
  assert.equal(formatText(text).text, text);
});

test("lint: each misuse is reported at its place with its code", () => {
  const cases: [string, string[]][] = [
    [
      "proc a user=alice { repeat { truncate data pages=0 }; truncate data pages=1 }",
      ["1:21 PIN114"],
    ],
    ["proc a user=alice { repeat { fd = open data rw } }", ["1:30 PIN316"]],
    ["proc a user=alice { repeat every 5 { truncate data pages=0 } }", ["1:34 PIN109"]],
    ["proc a user=alice { repeat { } }", ["1:21 PIN108"]],
    ["repeat { truncate data pages=0 }", ["1:1 PIN110"]],
    ["timing handler 45", ["1:16 PIN109"]],
    ["timing handlr 45s", ["1:8 PIN109"]],
    ["timing handler uniform 5s..1s", ["1:16 PIN317"]],
    ["timing handler empirical p50=2s p90=1s max=3s", ["1:16 PIN317"]],
    ["timing handler empirical p50=2s", ["1:16 PIN109"]],
    ["timing handler lognormal median=1s", ["1:16 PIN109"]],
    ["timing lease_break_time proc=a 5s\nproc a user=alice { }", ["1:25 PIN106"]],
    ["timing handler 1s\ntiming handler 2s", ["2:1 PIN112"]],
    ["timing handler proc=nobody 1s", ["1:21 PIN203"]],
    ["timing op trunc 1s", ["1:11 PIN102"]],
    ["horizon 0s", ["1:9 PIN109"]],
    ["horizon 1h\nhorizon 2h", ["2:1 PIN112"]],
    ["bounds repeats=2", ["1:16 PIN318"]],
    ["replicate 2 { user bob }", ["1:15 PIN110"]],
    ["replicate 0 { proc s user=alice { } }", ["1:11 PIN306"]],
    ["replicate 2 { proc s user=alice { } }\nexpect s.open returns ok", ["2:8 PIN216"]],
    ["replicate 2 { proc s user=alice { } }\nproc k user=alice { kill s#3 }", ["2:26 PIN215"]],
    ["replicate 2 { proc s user=alice { } }\nproc k user=alice { kill s }", ["2:26 PIN216"]],
    ["proc s#1 user=alice { }", ["1:6 PIN109"]],
    ["replicate 40 { file f owner=alice pages=0 sparse }", ["1:21 PIN306"]],
    ["replicate 3 { file f owner=alice pages=1 }", ["1:40 PIN307"]],
  ];
  for (const [text, want] of cases) assert.deepEqual(codes(text), want, text);
});

test("a copy is named with its number outside its group, by its bare name inside", () => {
  const spec = specOf(
    `
replicate 2 {
  proc s user=alice on_lease_break=cancel { x = open data r; send c x }
  remote c { m = recv }
}
proc k user=alice { kill s#2 }
faults crash=s hang=s#1
expect s#1.open returns ok
`.replace("send c x", "close x"),
  );
  assert.equal(spec.replicas![0]!.procs[0]!.name, "s");
  assert.deepEqual(spec.faults.crash, ["s"]);
});
