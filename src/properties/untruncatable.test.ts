/**
 * untruncatable watches unprivileged users only: Matthew Wilcox's objection
 * ("We can't give people a way to make files un-truncatable", the seed mail)
 * is about ordinary users. A CAP_LEASE holder can already hold off any file's
 * truncation with a lease (generic_setlease(): owner or CAP_LEASE).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkScenario } from "../engine/check/check.js";
import type { Cap } from "../model/spec.js";
import { scenario } from "../scenario/builder.js";

const spec = (caps: Cap[]) =>
  scenario("readonly pinner")
    .fs("dax", 4)
    .user("alice")
    .user("bob", caps)
    .file("data", { owner: "alice", pages: 2 })
    .proc("reader", "bob", (p) =>
      p
        .open("fd", "data", "r")
        .mmap("va", "fd", 0, 1, { shared: true, prot: "r" })
        .regMr("mr", "va", ["remote_read"]),
    )
    .proc("admin", "alice", (p) => p.truncate("data", 0))
    .build();

// Under wait (2019 GUP rules) bob cannot pin a read-only shared mapping at all.
for (const policy of ["ebusy", "immutable"]) {
  test(`${policy}: a read-only pinner without CAP_LEASE makes the file untruncatable; with CAP_LEASE it does not`, async () => {
    const verdict = async (caps: Cap[]) =>
      (await checkScenario({ spec: spec(caps), policy, params: {} })).verdicts.find(
        (v) => v.name === "untruncatable",
      )!.verdict;
    assert.equal(await verdict([]), "Sometimes");
    assert.equal(await verdict(["CAP_LEASE"]), "Never");
  });
}
