/**
 * Scenarios written with the builder API: the core scenario of the 2019 thread
 * and the variants that show each policy's distinguishing behaviour.
 */
import type { ScenarioSpec } from "../model/spec.js";
import { type ProcBuilder, type ScenarioBuilder, scenario } from "./builder.js";

const EXCEPT_UNSAFE = [
  "linux",
  "wait",
  "ebusy",
  "revoke",
  "layout-lease",
  "immutable",
  "deferred-free",
  "odp",
];

/**
 * The server of most scenarios: open the file, map pages 0..last shared and
 * writable, register them for remote writes (a FOLL_LONGTERM|FOLL_WRITE pin),
 * hand the rkey to a peer; optionally under an unbreakable read layout lease.
 */
function pinAndSend(
  p: ProcBuilder,
  peer: string,
  last: number,
  o: { lease?: boolean } = {},
): ProcBuilder {
  p.open("fd", "data", "rw");
  if (o.lease) p.setlease("fd", "rd", { layout: true, unbreak: true });
  return p
    .mmap("va", "fd", 0, last, { shared: true, prot: "rw" })
    .regMr("mr", "va", ["local_write", "remote_write"])
    .send(peer, "mr");
}

/**
 * The core scenario: a server registers an MR over a 2-page fs-DAX file and
 * hands the rkey to a peer that RDMA-writes into it; the owner truncates the
 * file; another user allocates blocks. (Matthew Wilcox in the seed mail:
 * "users doing awful things like being able to DMA to pages that are now part
 * of a different file".)
 */
export function coreBuilder(
  name = "fs-DAX truncate while a peer writes through a registered MR",
): ScenarioBuilder {
  return scenario(name)
    .fs("dax", 4)
    .user("alice")
    .user("bob")
    .file("data", { owner: "alice", mode: 0o644, pages: 2 })
    .proc("server", { user: "alice", onLeaseBreak: "cancel" }, (p) => pinAndSend(p, "peer", 1))
    .peer("peer", (r) => r.recv("mr").rdmaWrite("mr", 0).rdmaWrite("mr", 1))
    .proc("admin", "alice", (p) => p.truncate("data", 0))
    .proc("intruder", "bob", (p) =>
      p.create("g", "other").fallocate("g", "alloc", 0, 1).read("g", 0),
    );
}

export function core(): ScenarioSpec {
  return coreBuilder()
    .expect("never", "foreign-dma", EXCEPT_UNSAFE)
    .expect("sometimes", "foreign-dma", ["unsafe"])
    .expectResult("server", "reg_mr", "EOPNOTSUPP", ["linux"])
    .expectResult("server", "reg_mr", "EPERM", ["layout-lease"])
    .expectResult("admin", "truncate", "blocks", ["wait"])
    .expectResult("admin", "truncate", "EBUSY", ["ebusy"])
    .expectResult("admin", "truncate", "ETXTBSY", ["immutable"])
    .expectResult("admin", "truncate", "ok", ["unsafe", "revoke", "deferred-free", "odp"])
    .build();
}

/** The lease holder ignores SIGIO: lease-break-time expires and the kernel escalates. */
export function coreIgnore(): ScenarioSpec {
  return coreBuilder("fs-DAX truncate; the lease holder ignores SIGIO")
    .onLeaseBreak("server", "ignore")
    .expect("sometimes", "comm-failure", ["revoke"])
    .build();
}

/**
 * The pin belongs to bob, who may only read alice's file: under `ebusy` he
 * makes it un-truncatable (Matthew Wilcox: "We can't give people a way to make
 * files un-truncatable").
 */
export function coreReadonlyPinner(): ScenarioSpec {
  return scenario("another user with read access pins the owner's file")
    .fs("dax", 4)
    .user("alice")
    .user("bob")
    .file("data", { owner: "alice", mode: 0o644, pages: 2 })
    .proc("reader", "bob", (p) =>
      p
        .open("fd", "data", "r")
        .mmap("va", "fd", 0, 1, { shared: true, prot: "r" })
        .regMr("mr", "va", ["remote_read"])
        .send("peer", "mr"),
    )
    .peer("peer", (r) => r.recv("mr").rdmaRead("mr", 0))
    .proc("admin", "alice", (p) => p.truncate("data", 0))
    .expect("sometimes", "untruncatable", ["ebusy"])
    .expectResult("admin", "truncate", "EBUSY", ["ebusy"])
    .build();
}

/** Ira Weiny's recommended sequence: an unbreakable read layout lease before pinning. */
export function coreLayoutLease(): ScenarioSpec {
  return scenario("fs-DAX pin under an unbreakable F_LAYOUT lease")
    .fs("dax", 4)
    .user("alice")
    .user("bob")
    .file("data", { owner: "alice", mode: 0o644, pages: 2 })
    .proc("server", { user: "alice", onLeaseBreak: "cancel" }, (p) =>
      pinAndSend(p, "peer", 1, { lease: true }),
    )
    .peer("peer", (r) => r.recv("mr").rdmaWrite("mr", 0))
    .proc("admin", "alice", (p) => p.truncate("data", 0))
    .expectResult("server", "reg_mr", "ok", ["layout-lease"])
    .expectResult("admin", "truncate", "ETXTBSY", ["layout-lease"])
    .expect("never", "foreign-dma", ["layout-lease"])
    .expect("sometimes", "foreign-dma", ["unsafe"])
    .build();
}

/** A sparse file: the immutable policy refuses to pin it (swapon's "swapfile has holes"). */
export function coreSparse(): ScenarioSpec {
  return scenario("long-term pin of a sparse fs-DAX file")
    .fs("dax", 4)
    .user("alice")
    .file("data", { owner: "alice", mode: 0o644, pages: 2, layout: "sparse" })
    .proc("server", { user: "alice", onLeaseBreak: "cancel" }, (p) => pinAndSend(p, "peer", 1))
    .peer("peer", (r) => r.recv("mr").rdmaWrite("mr", 0))
    .proc("admin", "alice", (p) => p.truncate("data", 0))
    .expectResult("server", "reg_mr", "EINVAL", ["immutable"])
    .build();
}

/** The server deregisters once the peer is done: deferred-free returns the busy blocks. */
export function coreDereg(): ScenarioSpec {
  return scenario("fs-DAX truncate, then the server deregisters its MR")
    .fs("dax", 4)
    .user("alice")
    .user("bob")
    .file("data", { owner: "alice", mode: 0o644, pages: 2 })
    .proc("server", { user: "alice", onLeaseBreak: "cancel" }, (p) =>
      pinAndSend(p, "peer", 1).await("peer").deregMr("mr"),
    )
    .peer("peer", (r) => r.recv("mr").rdmaWrite("mr", 0).rdmaWrite("mr", 1))
    .proc("admin", "alice", (p) => p.truncate("data", 0))
    .proc("intruder", "bob", (p) => p.create("g", "other").fallocate("g", "alloc", 0, 1))
    .expect("never", "stranded-space", ["deferred-free"])
    .expect("never", "foreign-dma", ["deferred-free"])
    .build();
}

/**
 * The page-cache variant: a writable and a read-only long-term pin of a shared
 * file mapping, then truncate (kernel-semantics §2.3, §2.7).
 */
export function pagecache(): ScenarioSpec {
  return (
    scenario("page-cache file: writable and read-only long-term pins, then truncate")
      .fs("pagecache", 6)
      .user("alice")
      .file("data", { owner: "alice", mode: 0o644, pages: 2 })
      .proc("writer", "alice", (p) => pinAndSend(p, "wpeer", 1))
      .proc("reader", "alice", (p) =>
        p
          .open("fd", "data", "r")
          .mmap("va", "fd", 0, 1, { shared: true, prot: "r" })
          .regMr("mr", "va", ["remote_read"])
          .send("rpeer", "mr"),
      )
      .proc("admin", "alice", (p) => p.truncate("data", 0))
      .peer("wpeer", (r) => r.recv("mr").rdmaWrite("mr", 0))
      .peer("rpeer", (r) => r.recv("mr").rdmaRead("mr", 0))
      .expectResult("writer", "reg_mr", "EFAULT", ["linux"])
      // v6.2 pins a R/O MR without FOLL_WRITE; 2019's ib_umem_get() used
      // FOLL_WRITE|FOLL_FORCE, which a R/O MAP_SHARED mapping refuses (check_vma_flags).
      .expectResult("reader", "reg_mr", "ok", ["linux"])
      .expectResult("reader", "reg_mr", "EFAULT", ["unsafe"])
      .expectResult("admin", "truncate", "ok", ["linux", "unsafe"])
      .expect("never", "lost-write", ["linux"])
      .expect("sometimes", "lost-write", ["unsafe"])
      .build()
  );
}

/** Lorenzo Stoakes' four steps: pin dirties, writeback cleans, the device writes, unpin dirties. */
export function pagecacheWriteback(): ScenarioSpec {
  return scenario("page-cache file: writeback while a writable pin is held")
    .fs("pagecache", 4)
    .user("alice")
    .file("data", { owner: "alice", mode: 0o644, pages: 1 })
    .proc("writer", "alice", (p) => pinAndSend(p, "peer", 0).await("peer").deregMr("mr"))
    .peer("peer", (r) => r.recv("mr").rdmaWrite("mr", 0))
    .expect("sometimes", "kernel-bug", ["unsafe", "wait"])
    .expect("never", "kernel-bug", ["linux"])
    .build();
}

/** The builder-API scenarios by name (the text format bundles the same under scenarios/). */
export const LIBRARY: Readonly<Record<string, () => ScenarioSpec>> = {
  core,
  "core-ignore": coreIgnore,
  "core-readonly-pinner": coreReadonlyPinner,
  "core-layout-lease": coreLayoutLease,
  "core-sparse": coreSparse,
  "core-dereg": coreDereg,
  pagecache,
  "pagecache-writeback": pagecacheWriteback,
};
