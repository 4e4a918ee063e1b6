/** Short names of actions, for replay tokens, progress and debugging. */
import type { Model } from "../../model/layout.js";
import {
  A_CRASH,
  A_HANDLER,
  A_HANG,
  A_LAND,
  A_LEASE_TIMER,
  A_ODP_FAULT,
  A_OOM,
  A_PARTITION,
  A_PEER,
  A_PEER_ACK,
  A_PEER_CRASH,
  A_PEER_REPEAT,
  A_PIN_TIMER,
  A_PROC,
  A_REPEAT,
  A_SIGIO,
  A_WRITEBACK,
  actionIndex,
  actionKind,
} from "../../model/step.js";

/** Which lane of a sequence diagram an action belongs to. */
export type Lane =
  | { kind: "proc"; index: number }
  | { kind: "peer"; index: number }
  | { kind: "kernel" }
  | { kind: "nic" };

export function actionLane(a: number): Lane {
  const i = actionIndex(a);
  switch (actionKind(a)) {
    case A_PROC:
    case A_SIGIO:
    case A_HANDLER:
    case A_REPEAT:
      return { kind: "proc", index: i };
    case A_PEER:
    case A_PEER_ACK:
    case A_PEER_REPEAT:
      return { kind: "peer", index: i };
    case A_LAND:
    case A_ODP_FAULT:
      return { kind: "nic" };
    default:
      return { kind: "kernel" };
  }
}

export function describeAction(m: Model, a: number): string {
  const i = actionIndex(a);
  const proc = () => m.procs[i]?.name ?? `proc#${i}`;
  const peer = () => m.peers[i]?.name ?? `peer#${i}`;
  switch (actionKind(a)) {
    case A_PROC:
      return `${proc()}: step`;
    case A_SIGIO:
      return `${proc()}: SIGIO handler`;
    case A_HANDLER:
      return `${proc()}: cancel handler finishes`;
    case A_LAND:
      return `NIC: ${peer()}'s access completes`;
    case A_ODP_FAULT:
      return `NIC: ODP fault for ${peer()}`;
    case A_WRITEBACK:
      return `kernel: writeback of frame ${i}`;
    case A_PEER_ACK:
      return `${peer()}: acknowledges cancel`;
    case A_LEASE_TIMER:
      return `kernel: lease-break-time expires (lease ${i})`;
    case A_PIN_TIMER:
      return `kernel: lease-break-time expires (pin of MR ${i})`;
    case A_PEER:
      return `${peer()}: step`;
    case A_CRASH:
      return `fault: ${proc()} crashes`;
    case A_HANG:
      return `fault: ${proc()} hangs`;
    case A_PARTITION:
      return `fault: network partition to ${peer()}`;
    case A_OOM:
      return `fault: the OOM killer chooses ${proc()}`;
    case A_PEER_CRASH:
      return `fault: ${peer()} crashes`;
    case A_REPEAT:
      return `${proc()}: repeat`;
    case A_PEER_REPEAT:
      return `${peer()}: repeat`;
    default:
      return `action ${a}`;
  }
}
