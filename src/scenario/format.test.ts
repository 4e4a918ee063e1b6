import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  ACCESSES,
  CAPS,
  LEASE_BREAK_BEHAVIOURS,
  type PeerOp,
  type ProcOp,
  type ScenarioSpec,
} from "../model/spec.js";
import { formatText } from "./format.js";
import { lower } from "./lower.js";
import { parseScenario, readSyntax } from "./pin.js";
import { formatScenario } from "./print.js";
import { samples, strip } from "./testing.js";

const seed = Date.now() ^ 0;
console.log(`scenario format seed: ${seed}`);

/** What a text means, ignoring name errors (formatting does not need names to resolve). */
const meaning = (text: string) => strip(lower(readSyntax(text, "t.pin").program).result);

test("formatting the samples is idempotent and keeps their meaning", () => {
  for (const s of samples()) {
    const once = formatText(s.text, s.name).text;
    assert.ok(once !== undefined, s.name);
    assert.equal(formatText(once, s.name).text, once, s.name);
    assert.deepEqual(
      strip(parseScenario(once, s.name).spec),
      strip(parseScenario(s.text, s.name).spec),
      s.name,
    );
  }
});

test("formatting keeps comments beside and above their statements", () => {
  const messy = [
    "# header comment",
    "",
    "",
    'scenario   "x"   # the name',
    "user a;user   b caps=CAP_LEASE",
    "file f owner=a pages=2 mode=600 # owner only",
    "proc p user=a on_lease_break=ignore",
    "{  # opening",
    "  # leading op comment",
    "      fd=open f   # trailing",
    "",
    "  t1 :  va = mmap fd pages=0..1 rw shared ; store va page=0",
    "  # before the brace",
    "}  # after the brace",
    "remote r cancel=yes { }",
    "proc q user=b { exit }  # one-liner",
    "expect never kill under linux , wait",
    "# trailing file comment",
  ].join("\n");
  const want = [
    "# header comment",
    "",
    'scenario "x"  # the name',
    "user a",
    "user b caps=CAP_LEASE",
    "file f owner=a mode=0600 pages=2       # owner only",
    "proc p user=a on_lease_break=ignore {  # opening",
    "  # leading op comment",
    "  fd = open f rw  # trailing",
    "",
    "  t1: va = mmap fd pages=0..1 shared rw",
    "  store va page=0",
    "  # before the brace",
    "}  # after the brace",
    "remote r {}",
    "proc q user=b { exit }  # one-liner",
    "expect never kill under linux,wait",
    "# trailing file comment",
    "",
  ].join("\n");
  const r = formatText(messy, "messy.pin");
  assert.equal(r.text, want);
  assert.equal(formatText(want, "messy.pin").text, want);
  assert.deepEqual(meaning(want), meaning(messy));
});

test("a file with syntax errors is not formatted; name errors do not matter", () => {
  const broken = formatText("proc p user=a {\n  trunate f pages=0\n}\n", "b.pin");
  assert.equal(broken.text, undefined);
  assert.equal(broken.diagnostics[0]?.code, "PIN102");
  const unresolved = formatText("proc p user=nobody { truncate nofile pages=0 }\n", "u.pin");
  assert.equal(unresolved.text, "proc p user=nobody { truncate nofile pages=0 }\n");
});

const NAMES = ["a", "data", "x-1", "rw", "shared", "peer", "t_2", "données"];
const name = fc.constantFrom(...NAMES);
const small = fc.nat({ max: 100 });
const label = fc.option(name, { nil: undefined });
const withLabel = <T extends object>(arb: fc.Arbitrary<T>) =>
  fc.tuple(arb, label).map(([op, l]) => (l === undefined ? op : { ...op, label: l }));

const procOp: fc.Arbitrary<ProcOp> = withLabel(
  fc.oneof(
    fc.record({
      op: fc.constant("open" as const),
      dst: name,
      file: name,
      mode: fc.constantFrom("r" as const, "w" as const, "rw" as const),
      create: fc.boolean(),
    }),
    fc.record({ op: fc.constant("close" as const), fd: name }),
    fc.record({
      op: fc.constant("mmap" as const),
      dst: name,
      fd: name,
      first: small,
      last: small,
      shared: fc.boolean(),
      prot: fc.constantFrom("r" as const, "rw" as const),
    }),
    fc.record({ op: fc.constant("munmap" as const), va: name }),
    fc.record({ op: fc.constantFrom("store" as const, "load" as const), va: name, page: small }),
    fc.record({ op: fc.constantFrom("read" as const, "write" as const), fd: name, page: small }),
    fc.record({
      op: fc.constant("reg_mr" as const),
      dst: name,
      va: name,
      access: fc.uniqueArray(fc.constantFrom(...ACCESSES)),
      odp: fc.boolean(),
    }),
    fc.record({ op: fc.constant("dereg_mr" as const), mr: name }),
    fc.record({ op: fc.constant("send" as const), peer: name, mr: name }),
    fc.record({
      op: fc.constant("setlease" as const),
      fd: name,
      type: fc.constantFrom("rd" as const, "wr" as const, "unlck" as const),
      layout: fc.boolean(),
      unbreak: fc.boolean(),
    }),
    fc.record({ op: fc.constant("truncate" as const), file: name, pages: small }),
    fc.record({ op: fc.constant("ftruncate" as const), fd: name, pages: small }),
    fc.record({
      op: fc.constant("fallocate" as const),
      fd: name,
      mode: fc.constantFrom("alloc" as const, "punch" as const, "collapse" as const),
      first: small,
      last: small,
    }),
    fc.record({ op: fc.constant("reflink" as const), src: name, dst: name }),
    fc.record({ op: fc.constant("fsync" as const), fd: name }),
    fc.record({ op: fc.constant("await" as const), peer: name }),
    fc.record({ op: fc.constant("kill" as const), proc: name }),
    fc.record({ op: fc.constantFrom("unplug" as const, "exit" as const) }),
  ) as fc.Arbitrary<ProcOp>,
);

const peerOp: fc.Arbitrary<PeerOp> = withLabel(
  fc.oneof(
    fc.record({ op: fc.constant("recv" as const), dst: name }),
    fc.record({
      op: fc.constantFrom("rdma_write" as const, "rdma_read" as const),
      mr: name,
      page: small,
    }),
  ) as fc.Arbitrary<PeerOp>,
);

const policies = fc.option(fc.array(name, { minLength: 1, maxLength: 3 }), { nil: undefined });
const withPolicies = <T extends object>(arb: fc.Arbitrary<T>) =>
  fc.tuple(arb, policies).map(([e, p]) => (p === undefined ? e : { ...e, policies: p }));

const spec: fc.Arbitrary<ScenarioSpec> = fc.record({
  name: fc.string({ unit: "grapheme", maxLength: 20 }).filter((s) => !s.includes("\n")),
  fs: fc
    .tuple(fc.constantFrom("dax" as const, "pagecache" as const), small, fc.boolean())
    .map(([kind, blocks, ext4]) =>
      ext4 ? { kind, blocks, flavor: "ext4" as const } : { kind, blocks },
    ),
  users: fc.array(fc.record({ name, caps: fc.uniqueArray(fc.constantFrom(...CAPS)) }), {
    maxLength: 3,
  }),
  files: fc.array(
    fc
      .tuple(
        fc.record({
          name,
          owner: name,
          mode: fc.nat({ max: 0o7777 }),
          pages: small,
          layout: fc.constantFrom("allocated" as const, "sparse" as const),
          zeroed: fc.boolean(),
          kind: fc.constantFrom("regular" as const, "pfnmap" as const),
          movable: fc.boolean(),
        }),
        fc.option(name, { nil: undefined }),
      )
      .map(([f, r]) => (r === undefined ? f : { ...f, reflinkOf: r })),
    { maxLength: 3 },
  ),
  procs: fc.array(
    fc.record({
      name,
      user: name,
      onLeaseBreak: fc.constantFrom(...LEASE_BREAK_BEHAVIOURS),
      program: fc.array(procOp, { maxLength: 6 }),
    }),
    { maxLength: 3 },
  ),
  peers: fc.array(
    fc.record({ name, cancel: fc.boolean(), program: fc.array(peerOp, { maxLength: 4 }) }),
    {
      maxLength: 2,
    },
  ),
  faults: fc.record({
    crash: fc.uniqueArray(name, { maxLength: 2 }),
    hang: fc.uniqueArray(name, { maxLength: 2 }),
    partition: fc.uniqueArray(name, { maxLength: 2 }),
    nicNoInvalidate: fc.boolean(),
  }),
  bounds: fc
    .record({ maxStates: fc.nat(), maxDepth: fc.nat() }, { requiredKeys: [] })
    .map((b) => ({ ...b })),
  expectations: fc.array(
    fc.oneof(
      withPolicies(
        fc.record({
          kind: fc.constant("property" as const),
          quantifier: fc.constantFrom("never" as const, "sometimes" as const, "always" as const),
          property: fc.constantFrom("kill", "foreign-dma", "mine"),
        }),
      ),
      withPolicies(
        fc.record({
          kind: fc.constant("result" as const),
          proc: name,
          op: name,
          result: fc.constantFrom("ok", "blocks", "EBUSY"),
        }),
      ),
    ),
    { maxLength: 3 },
  ),
});

test("formatScenario prints any spec as text that reads back to the same spec", {
  timeout: 120_000,
}, () => {
  fc.assert(
    fc.property(spec, (s) => {
      const text = formatScenario(s);
      const syn = readSyntax(text, "t.pin");
      assert.deepEqual(syn.diagnostics, [], text);
      assert.deepEqual(strip(lower(syn.program).result), strip(s));
      assert.equal(formatText(text, "t.pin").text, text);
    }),
    { seed, numRuns: 300 },
  );
});
