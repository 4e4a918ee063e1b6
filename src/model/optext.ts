/** Operations as a person writes them in a scenario (the `.pin` spelling). */
import type { PeerOp, ProcOp } from "./spec.js";

const range = (a: number, b: number) => (a === b ? `${a}` : `${a}..${b}`);

export function procOpText(op: ProcOp): string {
  const lhs = (dst: string) => `${dst} = `;
  switch (op.op) {
    case "open":
      return op.create
        ? `${lhs(op.dst)}create ${op.file}`
        : `${lhs(op.dst)}open ${op.file} ${op.mode}`;
    case "close":
      return `close ${op.fd}`;
    case "mmap":
      return `${lhs(op.dst)}mmap ${op.fd} pages=${range(op.first, op.last)} ${op.shared ? "shared" : "private"} ${op.prot}`;
    case "munmap":
      return `munmap ${op.va}`;
    case "store":
    case "load":
      return `${op.op} ${op.va} page=${op.page}`;
    case "read":
    case "write":
      return `${op.op} ${op.fd} page=${op.page}`;
    case "reg_mr":
      return `${lhs(op.dst)}reg_mr ${op.va} access=${op.access.join(",")}${op.odp ? " odp" : ""}`;
    case "dereg_mr":
      return `dereg_mr ${op.mr}`;
    case "send":
      return `send ${op.peer} ${op.mr}`;
    case "setlease":
      return `setlease ${op.fd} ${op.type}${op.layout ? " layout" : ""}${op.unbreak ? " unbreak" : ""}`;
    case "truncate":
      return `truncate ${op.file} pages=${op.pages}`;
    case "ftruncate":
      return `ftruncate ${op.fd} pages=${op.pages}`;
    case "fallocate":
      return `fallocate ${op.fd} ${op.mode} pages=${range(op.first, op.last)}`;
    case "reflink":
      return `reflink ${op.src} ${op.dst}`;
    case "fsync":
      return `fsync ${op.fd}`;
    case "await":
      return `await ${op.peer}`;
    case "kill":
      return `kill ${op.proc}`;
    case "unplug":
    case "exit":
      return op.op;
  }
}

export function peerOpText(op: PeerOp): string {
  switch (op.op) {
    case "recv":
      return `${op.dst} = recv`;
    case "rdma_write":
    case "rdma_read":
      return `${op.op} ${op.mr} page=${op.page}`;
  }
}
