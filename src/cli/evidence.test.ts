/** What a reviewer reads: reasons of hangs, vacuous proofs, widths of the text, names in JSON. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { memoryHost } from "./host.js";
import { main } from "./main.js";

async function pinlab(...argv: string[]) {
  const h = memoryHost();
  const code = await main(argv, h);
  return { code, out: h.stdout, err: h.stderr };
}

const widest = (text: string) => Math.max(...text.split("\n").map((l) => [...l].length));

test("a hang's witness ends with its reason: the call, what it waits for, who holds it, how it ends", async () => {
  const r = await pinlab("check", "hung-holder", "--policy", "wait");
  assert.equal(r.code, 0);
  const reason = /reason: ([\s\S]*?)\n {2}replay:/.exec(r.out)?.[1]?.replace(/\s+/g, " ");
  assert.ok(reason, r.out);
  assert.match(reason, /^admin\.truncate never returns: it waits for pinned pages to be released/);
  assert.match(reason, /held by server \([^)]*keeps server\.mr registered\)/);
  assert.match(
    reason,
    /nothing can move but an injected fault, which need not happen \(server crashes\)/,
  );
  const j = JSON.parse((await pinlab("check", "hung-holder", "--policy", "wait", "--json")).out);
  const hang = j.properties.find((p: { name: string }) => p.name === "truncate-hang");
  assert.equal(hang.reason.op, "admin.truncate");
  assert.equal(hang.reason.end, "faults-only");
  assert.deepEqual(
    hang.reason.heldBy.map((h: { proc: string }) => h.proc),
    ["server"],
  );
});

test("a proof over runs that never pin a page says so, with the operations that never ran", async () => {
  const linux = await pinlab("check", "core", "--policy", "linux");
  assert.match(linux.out, /foreign-dma\s+✓ Never\s+proved over \d+ states, vacuously/);
  assert.match(
    linux.out,
    /vacuous: proved, but no page was ever pinned: unreached peer\.rdma_write/,
  );
  const unsafe = await pinlab("check", "core", "--policy", "unsafe");
  assert.doesNotMatch(unsafe.out, /vacuous|unreached/);
  const j = JSON.parse((await pinlab("check", "core", "--policy", "linux", "--json")).out);
  assert.equal(j.schema, "pinlab.check/2");
  assert.equal(j.coverage.registered, false);
  assert.ok(j.coverage.reached.includes("server.reg_mr"));
  assert.ok(j.coverage.unreached.some((x: string) => x.startsWith("peer.rdma_write")));
  assert.equal(j.properties.find((p: { name: string }) => p.name === "foreign-dma").vacuous, true);
});

const TWINS = `scenario "two identical servers"
fs dax blocks=4
user alice
file data owner=alice mode=0644 pages=2
proc s1 user=alice on_lease_break=cancel {
  fd = open data rw
  va = mmap fd pages=0..1 shared rw
  mr = reg_mr va access=local_write,remote_write
  send c1 mr
}
proc s2 user=alice on_lease_break=cancel {
  fd = open data rw
  va = mmap fd pages=0..1 shared rw
  mr = reg_mr va access=local_write,remote_write
  send c2 mr
}
remote c1 {
  mr = recv
  rdma_write mr page=0
}
remote c2 {
  mr = recv
  rdma_write mr page=0
}
proc admin user=alice { truncate data pages=0 }
`;

test("under symmetry reduction no operation of interchangeable replicas is called unreached", async () => {
  const h = memoryHost({ "/twins.pin": TWINS });
  assert.equal(await main(["check", "/twins.pin", "--policy", "unsafe", "--json"], h), 0);
  const j = JSON.parse(h.stdout);
  assert.equal(j.reductions.symmetry, true);
  assert.deepEqual(j.coverage.unreached, []);
  assert.equal(j.vacuity, null);
});

test("compare fits in 100 columns, --mail in 72, marks the vacuous proofs, and --md rows stay short", async () => {
  const subset = ["core", "hung-holder", "sane-system-breakable"];
  const h = memoryHost();
  assert.equal(await main(["compare", ...subset, "--out", "/c.json"], h), 0);
  const text = { out: h.stdout };
  // merge re-renders the same document: the other formats without checking again
  const again = async (flag: string) => {
    const m = memoryHost(h.files);
    await main(["merge", "/c.json", flag], m);
    return { out: m.stdout };
  };
  assert.ok(widest(text.out) <= 100, `${widest(text.out)} columns`);
  assert.match(text.out, /^linux\s+v\s.*\| +3$/m); // every proof vacuous, and VAC counts 3
  assert.match(text.out, /^ {2}linux\s+- \(vacuous: no page was ever pinned/m);
  assert.match(text.out, /safety -+ \| costs -+ \| cap/);
  const mail = await again("--mail");
  assert.ok(widest(mail.out) <= 72, `${widest(mail.out)} columns`);
  const md = await again("--md");
  const rows = md.out.split("\n").filter((l) => l.startsWith("|"));
  assert.ok(rows.length >= 11 && rows.every((l) => l.length <= 100), rows.join("\n"));
  const check = await pinlab("check", "hung-holder", "--policy", "wait", "--mail");
  assert.ok(widest(check.out.replace(/pl1\.\S+/g, "TOKEN")) <= 72);
});

test("JSON events name objects, never table indices; check witnesses carry their steps", async () => {
  const run = JSON.parse((await pinlab("run", "core", "--policy", "unsafe", "--json")).out);
  const events = run.steps.flatMap((s: { events: Record<string, unknown>[] }) => s.events);
  for (const e of events) {
    for (const k of ["proc", "holder", "peer", "file", "mr"])
      if (k in e) assert.equal(typeof e[k], e[k] === null ? "object" : "string", JSON.stringify(e));
    assert.ok(!("inode" in e) && !("pc" in e), JSON.stringify(e));
  }
  assert.ok(events.some((e: { k: string; proc?: string }) => e.k === "ret" && e.proc === "server"));
  const chk = JSON.parse((await pinlab("check", "core", "--policy", "unsafe", "--json")).out);
  const fdma = chk.properties.find((p: { name: string }) => p.name === "foreign-dma");
  assert.equal(fdma.steps.length, fdma.witnessLength);
  assert.ok(fdma.steps.at(-1).marks.includes("foreign-dma"));
  assert.match(fdma.message, /RDMA WRITE from peer through server\.mr/);
});

test("run --seed on a scenario with faults mostly runs the scenario; --faults 1 draws them like any step", async () => {
  let early = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const j = JSON.parse(
      (await pinlab("run", "hung-holder", "--policy", "wait", "--seed", String(seed), "--json"))
        .out,
    );
    const first = j.steps[0]?.events ?? [];
    if (first.some((e: { k: string }) => e.k === "exit" || e.k === "hang")) early++;
  }
  assert.ok(early <= 2, `${early} of 20 seeds fault at step 1`);
  let faulty = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const j = JSON.parse(
      (
        await pinlab(
          "run",
          "hung-holder",
          "--policy",
          "wait",
          "--seed",
          String(seed),
          "--faults",
          "1",
          "--json",
        )
      ).out,
    );
    if (j.steps.some((s: { events: { k: string }[] }) => s.events.some((e) => e.k === "exit")))
      faulty++;
  }
  assert.ok(faulty > 0);
  assert.equal(
    (await pinlab("run", "core", "--policy", "wait", "--seed", "3", "--faults", "x")).code,
    2,
  );
});

test("the README tour's lint example exists and shows a warning with its code and hint", async () => {
  const r = await pinlab("lint", "examples/my-design.pin");
  assert.equal(r.code, 0);
  assert.match(r.out, /examples\/my-design\.pin:\d+:\d+: warning PIN315/);
  assert.match(r.out, /hint: add `remote_read`/);
});
