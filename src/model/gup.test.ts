/**
 * Errno rules of long-term pinning, with their precedence (check_vma_flags()
 * order in mm/gup.c, ib_check_mr_access() before everything).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { scenario } from "../scenario/builder.js";
import { resultOf, runOf } from "../testing/run.js";
import { EFAULT, EINVAL, EOPNOTSUPP } from "./errno.js";
import { FR_REF, frm } from "./layout.js";
import type { Access, FsKind } from "./spec.js";

function pinScenario(o: {
  fs: FsKind;
  kind?: "regular" | "pfnmap";
  shared?: boolean;
  prot?: "r" | "rw";
  access: Access[];
  fileMode?: "r" | "rw";
}) {
  return scenario("pin")
    .fs(o.fs, 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 2, kind: o.kind ?? "regular" })
    .proc("p", "alice", (p) =>
      p
        .open("fd", "data", o.fileMode ?? "rw")
        .mmap("va", "fd", 0, 1, { shared: o.shared ?? true, prot: o.prot ?? "rw" })
        .regMr("mr", "va", o.access),
    )
    .build();
}

const RW: Access[] = ["local_write", "remote_write"];

test("remote write without local write is EINVAL before any GUP check (ib_check_mr_access)", () => {
  const r = runOf(pinScenario({ fs: "dax", kind: "pfnmap", access: ["remote_write"] }), "linux");
  assert.equal(resultOf(r, "p", "reg_mr"), -EINVAL);
});

test("VM_IO|VM_PFNMAP → EFAULT comes before fs-DAX + FOLL_LONGTERM → EOPNOTSUPP", () => {
  const pfn = runOf(pinScenario({ fs: "dax", kind: "pfnmap", access: RW }), "linux");
  assert.equal(resultOf(pfn, "p", "reg_mr"), -EFAULT);
  const dax = runOf(pinScenario({ fs: "dax", access: RW }), "linux");
  assert.equal(resultOf(dax, "p", "reg_mr"), -EOPNOTSUPP);
});

test("fs-DAX EOPNOTSUPP comes before the writable-file-mapping EFAULT, and holds for read-only pins", () => {
  const ro = runOf(pinScenario({ fs: "dax", prot: "r", access: ["remote_read"] }), "linux");
  assert.equal(resultOf(ro, "p", "reg_mr"), -EOPNOTSUPP);
  const priv = runOf(pinScenario({ fs: "dax", shared: false, access: RW }), "linux");
  assert.equal(resultOf(priv, "p", "reg_mr"), -EOPNOTSUPP);
});

test("page cache: writable long-term pin of a shared writable mapping → EFAULT (v6.5)", () => {
  const r = runOf(pinScenario({ fs: "pagecache", access: RW }), "linux");
  assert.equal(resultOf(r, "p", "reg_mr"), -EFAULT);
});

test("page cache: read-only pin of a shared mapping and writable pin of a private mapping succeed", () => {
  const ro = runOf(
    pinScenario({ fs: "pagecache", prot: "r", fileMode: "r", access: ["remote_read"] }),
    "linux",
  );
  assert.ok((resultOf(ro, "p", "reg_mr") as number) >= 0);
  const priv = runOf(pinScenario({ fs: "pagecache", shared: false, access: RW }), "linux");
  assert.ok((resultOf(priv, "p", "reg_mr") as number) >= 0);
});

test("FOLL_WRITE on a read-only mapping is EFAULT even where the v6.5 rule does not apply", () => {
  const r = runOf(pinScenario({ fs: "pagecache", prot: "r", access: RW }), "unsafe");
  assert.equal(resultOf(r, "p", "reg_mr"), -EFAULT);
});

test("before v6.5 (unsafe) a writable shared page-cache pin is allowed", () => {
  const r = runOf(pinScenario({ fs: "pagecache", access: RW }), "unsafe");
  assert.ok((resultOf(r, "p", "reg_mr") as number) >= 0);
});

test("a pin adds GUP_PIN_COUNTING_BIAS references per page; dereg removes them", () => {
  const spec = scenario("count")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", pages: 2 })
    .proc("p", "alice", (p) =>
      p
        .open("fd", "data", "rw")
        .mmap("va", "fd", 0, 1)
        .regMr("mr", "va", RW)
        .regMr("mr2", "va", ["remote_read"])
        .deregMr("mr"),
    )
    .build();
  const r = runOf(spec, "unsafe");
  const pins = r.run.steps.flatMap((s) => s.events).filter((e) => e.k === "pin");
  assert.equal(pins.length, 2);
  // After two pins and one unpin, each page holds exactly one pin: 1024 references.
  const m = r.model;
  const fr = (f: number) => r.run.final[frm(m, f) + FR_REF]!;
  assert.deepEqual([fr(0), fr(1)], [1024, 1024]);
});
