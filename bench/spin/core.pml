/*
 * SPIN twin of scenarios/core.pin ("fs-DAX truncate while a peer writes
 * through a registered MR"), for timing pinlab's checker against SPIN on the
 * same state space. See README.md beside this file.
 *
 *   spin -a [-DPOLICY=P_WAIT|P_UNSAFE|P_REVOKE] [-DNOCANCEL] [-DLIVE] core.pml
 *
 * POLICY selects the kernel's answer to a layout change that finds pinned
 * pages (src/policies/wait.ts, unsafe.ts, revoke.ts; default P_WAIT).
 * NOCANCEL gives the twin of scenarios/no-cancel.pin instead: no intruder,
 * and a peer whose protocol has no cancel operation, so that under revoke
 * the lease-break timer fires and the kernel SIGKILLs the server.
 *
 * Correspondence with pinlab (src/model): every global below is one field of
 * pinlab's state vector (src/model/layout.ts) that can change in this
 * scenario, holding the same value or a one-to-one re-encoding of it (noted
 * beside it); fields that stay constant in this scenario are left out. Each
 * actor is a process whose body is one `do` loop of `d_step`s, and each
 * d_step is exactly one pinlab action (src/model/step.ts: enabled/step),
 * with pinlab's enabling condition as its guard and pinlab's effect as its
 * body. A d_step leaves no intermediate state; between steps every process
 * sits at its loop head (admin moves to its end label in the same step that
 * returns from its truncate), and the channel holds the one message the peer
 * has not received yet. So SPIN's state vector is a function of pinlab's
 * state and back, and both searches store the same number of states.
 *
 * Properties (src/properties):
 *   foreign-dma     assertion where the DMA lands (process nic)
 *   stale-exposure  assertion where the intruder reads its new file
 *   truncate-hang   invalid end state: every process but admin rests at
 *                      an end label; admin reaches its own only when its
 *                      truncate returns. With -DLIVE also the LTL formula
 *                      truncate_returns (pan -a); the state graph has no
 *                      cycle, so only its dead ends can violate it.
 */

#define P_WAIT   1
#define P_UNSAFE 2
#define P_REVOKE 3
#ifndef POLICY
#define POLICY P_WAIT
#endif

#ifdef NOCANCEL
#define PEER_CANCEL_OP 0
#else
#define PEER_CANCEL_OP 1
#endif

/* process status (layout.ts PS_*) */
#define PS_RUN     0
#define PS_BLOCKED 1
#define PS_DONE    2
#define PS_KILLED  4
#define PS_HUNG    6
/* MR state and its revocable lease (MR_*, MRL_*) */
#define MR_NONE    0
#define MR_VALID   1
#define MR_INVALID 2
#define MR_DEREG   3
#define MRL_NONE     0
#define MRL_HELD     1
#define MRL_BREAKING 2
/* a peer's in-flight operation (INF_*) and queue pair (QP_*) */
#define INF_NONE  0
#define INF_WRITE 1
#define QP_READY 0
#define QP_ERROR 1
/* contents (CONTENT_*; contentOf(inode) = 2 + inode) */
#define C_ZERO  0
#define C_STALE 1
#define C_DATA  2
#define C_OTHER 3

/* ---- the state: [pinlab field] ---- */

/*
 * Blocks: [BLK_USERS] (0 = free) and [BLK_CONTENT]; BLK_BUSY stays 0 (no
 * deferred free here). Scalars, not arrays: Promela gives every element of
 * an array the same initial value, and an initialising step would add a state.
 */
byte blk0_users = 1, blk1_users = 1, blk2_users = 0, blk3_users = 0;
byte blk0_content = C_ZERO, blk1_content = C_ZERO, blk2_content = C_STALE, blk3_content = C_STALE;
/* inodes: [INO_EXISTS] (data always exists), [INO_SIZE] in pages, [INO_EXT + page] = block+1 (0 = hole) */
byte data_size = 2;
byte data_ext0 = 1, data_ext1 = 2;
bool other_exists = false;
byte other_size = 0;
byte other_ext[2] = 0;
/* fs-DAX frame b is the pfn of block b: [FR_REF] = pins[b] * GUP_PIN_COUNTING_BIAS */
byte pins[4] = 0;
/* open file descriptions, [OFD_OPEN] 0 never, 1 open, 2 closed: [0] server's fd on data, [1] intruder's g */
byte ofd_open[2] = 0;
/* the server's VMA over data pages 0..1: [mapped] 0 never, 1 mapped, 2 unmapped; [pte] = frame+1 (always writable here) */
byte vma_mapped = 0;
byte pte[2] = 0;
/* the server's MR: [state], [lease], [frame+1 per page] */
byte mr_state = MR_NONE;
byte mr_lease = MRL_NONE;
byte mr_frame[2] = 0;
/* processes: [P_STATUS], [P_PC], [P_SIG] (SIGIO pending), [P_HANDLER] (cancel sent), [P_PHASE] */
byte srv_st = PS_RUN;
byte srv_pc = 0;
bool srv_sig = false;
bool srv_handler = false;
byte adm_st = PS_RUN;
byte adm_pc = 0;
byte adm_phase = 0;              /* while blocked: 2 waiting for pins, 3 revoking */
byte int_st = PS_RUN;
byte int_pc = 0;
/* the peer: [R_PC], [R_QP], [R_INFL], [R_TGT] = frame+1, [R_OPMR] = mr+1, [R_OPPAGE], [R_CANCEL], [R_VARS: mr] */
byte peer_pc = 0;
byte peer_qp = QP_READY;
byte peer_infl = INF_NONE;
byte peer_tgt = 0;
byte peer_opmr = 0;
byte peer_oppage = 0;
byte peer_cancel = 0;            /* 0 none, 1 requested, 2 acknowledged */
short peer_mr = 0;               /* the rkey received: mr+1, or -1 for "registration failed" */
/*
 * The server's connection to the peer. pinlab keeps every message sent in
 * the peer's mailbox ([mbox: count, messages] and the peer's read position
 * [R_MBOX]); here the message waits in the channel until the peer receives
 * it into peer_mr, which determines the same three fields.
 */
chan wire = [1] of { short };

/* temporaries of d_steps, outside the state vector */
hidden byte b;
hidden byte v;
hidden byte fail;
/* the properties, named so that pan's "assertion violated" message names them */
hidden byte no_foreign_dma;
hidden byte no_stale_exposure;

/* ---- accessors for the scalar blocks and extents ---- */
#define USERS(x)   ((x) == 0 -> blk0_users : ((x) == 1 -> blk1_users : ((x) == 2 -> blk2_users : blk3_users)))
#define CONTENT(x) ((x) == 0 -> blk0_content : ((x) == 1 -> blk1_content : ((x) == 2 -> blk2_content : blk3_content)))
#define DATA_EXT(p) ((p) == 0 -> data_ext0 : data_ext1)
inline set_users(x, v) {
  if
  :: (x) == 0 -> blk0_users = v
  :: (x) == 1 -> blk1_users = v
  :: (x) == 2 -> blk2_users = v
  :: else -> blk3_users = v
  fi
}
inline set_content(x, v) {
  if
  :: (x) == 0 -> blk0_content = v
  :: (x) == 1 -> blk1_content = v
  :: (x) == 2 -> blk2_content = v
  :: else -> blk3_content = v
  fi
}

/* ---- conditions shared by several actors ---- */
#define PEER_PROG_LEN 3
#define srv_alive (srv_st == PS_RUN || srv_st == PS_BLOCKED || srv_st == PS_DONE || srv_st == PS_HUNG)
/* nic.ts peerDone() */
#define peer_done ((peer_pc >= PEER_PROG_LEN && peer_infl == INF_NONE) || peer_qp == QP_ERROR || peer_cancel == 2)
/* signals.ts mrsUnderBreak(server): the MR, while a lease break is about it */
#define mr_under_break (mr_state == MR_VALID && mr_lease == MRL_BREAKING)
/* signals.ts peersOf(): the peer was sent the MR's rkey (still on the wire, or received) */
#define peer_has_mr ((len(wire) > 0 && wire?[1]) || peer_mr == 1)
#define involved (mr_under_break && peer_has_mr)
/* signals.ts handlerCanFinish(server) */
#define handler_can_finish (!involved || peer_done || peer_cancel != 1)
/* step.ts answering(server): the holder can still answer the break, so lease-break-time is not up */
#define answering (srv_alive && srv_st != PS_HUNG && \
  (srv_sig || (srv_handler && (handler_can_finish || \
    (peer_cancel == 1 && PEER_CANCEL_OP && peer_qp == QP_READY)))))

/* program.ts advance(): the next operation, or the program is done (the process stays alive) */
inline srv_advance() {
  srv_pc++;
  srv_st = (srv_pc >= 4 -> PS_DONE : PS_RUN)
}
inline int_advance() {
  int_pc++;
  int_st = (int_pc >= 3 -> PS_DONE : PS_RUN)
}

/* mr.ts peerFail(): error completion, QP to the error state ([R_OPPAGE] is left as it was) */
inline peer_fail() {
  peer_infl = INF_NONE;
  peer_tgt = 0;
  peer_opmr = 0;
  peer_qp = QP_ERROR
}

/* mr.ts abortInflight() for the server's MR */
inline abort_inflight() {
  if
  :: peer_infl != INF_NONE && peer_opmr == 1 -> peer_fail()
  :: else -> skip
  fi
}

/* gup.ts unpinMrPages(): drop the pins (fs-DAX frames: nothing to dirty, no busy block to reclaim) */
inline unpin_mr() {
  if
  :: mr_frame[0] != 0 -> pins[mr_frame[0] - 1]--; mr_frame[0] = 0
  :: else -> skip
  fi;
  if
  :: mr_frame[1] != 0 -> pins[mr_frame[1] - 1]--; mr_frame[1] = 0
  :: else -> skip
  fi;
  mr_lease = MRL_NONE
}

/* exit.ts teardown(server, PS_KILLED): its MR destroyed, its mapping removed, its files closed */
inline kill_server() {
  if
  :: mr_state == MR_VALID || mr_state == MR_INVALID ->
     abort_inflight();
     if
     :: mr_state == MR_VALID -> unpin_mr()
     :: else -> skip
     fi;
     mr_state = MR_DEREG;
     mr_lease = MRL_NONE
  :: else -> skip
  fi;
  if
  :: vma_mapped == 1 -> pte[0] = 0; pte[1] = 0; vma_mapped = 2
  :: else -> skip
  fi;
  if
  :: ofd_open[0] == 1 -> ofd_open[0] = 2
  :: else -> skip
  fi;
  srv_sig = false;
  srv_handler = false;
  srv_st = PS_KILLED
}

/* ---- server (user alice, on_lease_break=cancel): open, mmap, reg_mr, send; its SIGIO handler ---- */
active proctype server() {
end_server:
  do
  /* fd = open data rw: alice owns data (0644); no lease to break */
  :: d_step { srv_st == PS_RUN && srv_pc == 0 ->
       ofd_open[0] = 1;
       srv_advance() }
  /* va = mmap fd pages=0..1 shared rw (skipped, or EBADF, without an open fd) */
  :: d_step { srv_st == PS_RUN && srv_pc == 1 ->
       if
       :: ofd_open[0] == 1 -> vma_mapped = 1
       :: else -> skip
       fi;
       srv_advance() }
  /*
   * mr = reg_mr va access=local_write,remote_write (gup.ts pinMrPages): each
   * page faulted in for writing (past EOF: -EFAULT, nothing pinned), then
   * FOLL_LONGTERM pins on the blocks' pfns, which all three policies allow
   * on fs-DAX; under revoke the pin holds a revocable lease.
   */
  :: d_step { srv_st == PS_RUN && srv_pc == 2 ->
       if
       :: vma_mapped == 1 && data_size > 0 ->
          pte[0] = data_ext0;
          if
          :: data_size > 1 ->
             pte[1] = data_ext1;
             pins[data_ext0 - 1]++; mr_frame[0] = data_ext0;
             pins[data_ext1 - 1]++; mr_frame[1] = data_ext1;
#if POLICY == P_REVOKE
             mr_lease = MRL_HELD;
#endif
             mr_state = MR_VALID
          :: else -> skip        /* -EFAULT */
          fi
       :: else -> skip           /* -EFAULT: no mapping, or the file is empty */
       fi;
       srv_advance() }
  /* send peer mr: the rkey, or -1 when registration failed; nothing once its own handler deregistered it */
  :: d_step { srv_st == PS_RUN && srv_pc == 3 ->
       if
       :: mr_state == MR_DEREG -> skip
       :: mr_state == MR_NONE -> wire!-1
       :: else -> wire!1
       fi;
       srv_advance() }
  /* SIGIO (signals.ts handleSigio, "cancel"): ask the peer that got the revoked MR to cancel */
  :: d_step { srv_alive && srv_st != PS_HUNG && srv_sig ->
       srv_sig = false;
       if
       :: involved && peer_cancel == 0 && !peer_done -> peer_cancel = 1
       :: else -> skip
       fi;
       srv_handler = true }
  /* the handler moves on (signals.ts finishHandler): ask a peer that got the rkey late, or dereg_mr and finish */
  :: d_step { srv_alive && srv_st != PS_HUNG && srv_handler && handler_can_finish ->
       if
       :: involved && peer_cancel == 0 && !peer_done -> peer_cancel = 1
       :: else ->
          if
          :: mr_under_break ->
             abort_inflight();
             unpin_mr();
             mr_state = MR_DEREG;
             mr_lease = MRL_NONE
          :: else -> skip
          fi;
          srv_handler = false
       fi }
  od
}

/*
 * ---- admin (alice): truncate data pages=0 ----
 * file-ops.ts sysTruncate → setSize → layout-change.ts layoutGate: unmap the
 * range everywhere, then look for referenced pages (the range, or under wait
 * the whole file: the same two pages here) and ask the policy.
 */
#define data_busy ((data_ext0 != 0 && pins[data_ext0 - 1] > 0) || (data_ext1 != 0 && pins[data_ext1 - 1] > 0))
/* pinHolders(): the MR pins a page of data */
#define mr_pins_data (mr_state == MR_VALID && \
  ((data_ext0 != 0 && (mr_frame[0] == data_ext0 || mr_frame[1] == data_ext0)) || \
   (data_ext1 != 0 && (mr_frame[0] == data_ext1 || mr_frame[1] == data_ext1))))
#define trunc_proceeds (data_size == 0 || !data_busy || POLICY == P_UNSAFE)
/* step.ts retryChanges(): a blocked truncate is retried only when the retry changes something */
#define adm_retry_changes (trunc_proceeds || (vma_mapped == 1 && (pte[0] != 0 || pte[1] != 0)) || \
  (POLICY == P_REVOKE && mr_pins_data && mr_lease == MRL_HELD))
#define adm_may_try ((adm_st == PS_RUN && adm_pc == 0) || (adm_st == PS_BLOCKED && adm_retry_changes))

inline unmap_data() {
  if
  :: vma_mapped == 1 -> pte[0] = 0; pte[1] = 0
  :: else -> skip
  fi
}

active proctype admin() {
  do
  /* the truncate returns: blocks freed (under unsafe even while pinned: the bug) */
  :: d_step { adm_may_try && trunc_proceeds ->
       if
       :: data_size > 0 ->
          unmap_data();
          if
          :: data_ext0 != 0 -> b = data_ext0 - 1; v = USERS(b) - 1; set_users(b, v); data_ext0 = 0
          :: else -> skip
          fi;
          if
          :: data_ext1 != 0 -> b = data_ext1 - 1; v = USERS(b) - 1; set_users(b, v); data_ext1 = 0
          :: else -> skip
          fi;
          data_size = 0;
          b = 0; v = 0
       :: else -> skip
       fi;
       adm_phase = 0; adm_pc = 1; adm_st = PS_DONE }; break
  /* pinned pages: the truncate blocks (again) */
  :: d_step { adm_may_try && !trunc_proceeds ->
       unmap_data();
#if POLICY == P_REVOKE
       /* revoke the pin: break its lease, SIGIO to the holder; wait for it or lease-break-time */
       if
       :: mr_pins_data && mr_lease == MRL_HELD -> mr_lease = MRL_BREAKING; srv_sig = true
       :: else -> skip
       fi;
       adm_phase = 3;
#else
       adm_phase = 2;            /* dax_layout_busy_page(): wait, no timeout */
#endif
       adm_st = PS_BLOCKED }
  od;
end_admin:
  do
  :: false
  od
}

#ifndef NOCANCEL
/* ---- intruder (bob): creates a file, allocates two blocks, reads one ---- */
active proctype intruder() {
end_intruder:
  do
  /* g = create other rw */
  :: d_step { int_st == PS_RUN && int_pc == 0 ->
       if
       :: !other_exists -> other_exists = true; other_size = 0; ofd_open[1] = 1
       :: else -> skip           /* EEXIST */
       fi;
       int_advance() }
  /*
   * fallocate g alloc pages=0..1 (blocks.ts allocUnwritten: the lowest free
   * block as an unwritten extent; it keeps its old bytes, [BLK_CONTENT] is
   * untouched). [BLK_UNWRITTEN] is left out: bob never writes through the
   * file, so a block is unwritten exactly while it is one of other's extents.
   */
  :: d_step { int_st == PS_RUN && int_pc == 1 ->
       if
       :: ofd_open[1] == 1 ->
          fail = false;
          if
          :: other_ext[0] == 0 ->
             b = (blk0_users == 0 -> 0 : (blk1_users == 0 -> 1 : (blk2_users == 0 -> 2 : (blk3_users == 0 -> 3 : 4))));
             if
             :: b < 4 -> set_users(b, 1); other_ext[0] = b + 1
             :: else -> fail = true   /* ENOSPC */
             fi
          :: else -> skip
          fi;
          if
          :: !fail && other_ext[1] == 0 ->
             b = (blk0_users == 0 -> 0 : (blk1_users == 0 -> 1 : (blk2_users == 0 -> 2 : (blk3_users == 0 -> 3 : 4))));
             if
             :: b < 4 -> set_users(b, 1); other_ext[1] = b + 1
             :: else -> fail = true
             fi
          :: else -> skip
          fi;
          if
          :: !fail && other_size < 2 -> other_size = 2
          :: else -> skip
          fi;
          b = 0; fail = false
       :: else -> skip
       fi;
       int_advance() }
  /* read g page=0 */
  :: d_step { int_st == PS_RUN && int_pc == 2 ->
       if
       :: ofd_open[1] == 1 && other_size > 0 && other_ext[0] != 0 ->
          /*
           * stale-exposure: the read returns zeroes or the file's own data.
           * blocks.ts blockReadContent(): an unwritten extent reads as zeroes,
           * whatever a stray DMA left in the block (that DMA is foreign-dma).
           */
          v = C_ZERO;
          no_stale_exposure = (v == C_ZERO || v == C_OTHER);
          v = 0;
          assert(no_stale_exposure)
       :: else -> skip
       fi;
       int_advance() }
  od
}
#endif

/* ---- peer: recv mr; rdma_write mr page=0; rdma_write mr page=1; answers a cancel ---- */
#define peer_can_step (peer_qp == QP_READY && peer_cancel != 2 && peer_infl == INF_NONE)

active proctype peer() {
end_peer:
  do
  :: d_step { peer_pc == 0 && peer_can_step && len(wire) > 0 ->
       wire?peer_mr;
       peer_pc = (peer_mr <= 0 -> PEER_PROG_LEN : 1) }
  /* nic.ts issue(): the responder NIC checks the rkey and translates the address to the pinned page */
  :: d_step { (peer_pc == 1 || peer_pc == 2) && peer_can_step ->
       peer_pc++;
       if
       :: peer_mr <= 0 -> skip                    /* no rkey: an error completion only */
       :: peer_mr > 0 && mr_state != MR_VALID -> peer_fail()   /* REM_ACCESS_ERR or RETRY_EXC_ERR */
       :: peer_mr > 0 && mr_state == MR_VALID ->
          peer_opmr = 1;
          peer_oppage = peer_pc - 2;
          peer_infl = INF_WRITE;
          peer_tgt = mr_frame[peer_pc - 2]
       fi }
  /* nic.ts peerAck(): the cancel is acknowledged once nothing is in flight */
  :: d_step { peer_cancel == 1 && PEER_CANCEL_OP && peer_qp == QP_READY && peer_infl == INF_NONE ->
       peer_cancel = 2 }
  od
}

/* ---- the responder NIC: the in-flight RDMA WRITE lands (nic.ts nicLand) ---- */
active proctype nic() {
end_nic:
  do
  :: d_step { peer_infl == INF_WRITE ->
       b = peer_tgt - 1;
       /*
        * foreign-dma (judgeTarget): the block must be data's page, not
        * shared; a free block, or one now in another file, violates it.
        */
       no_foreign_dma = (USERS(b) == 1 && DATA_EXT(peer_oppage) == b + 1);
       assert(no_foreign_dma);
       set_content(b, C_DATA);
       peer_infl = INF_NONE;
       peer_tgt = 0;
       peer_opmr = 0;
       peer_oppage = 0;
       b = 0 }
  od
}

/*
 * ---- lease-break-time on the revoked pin (step.ts A_PIN_TIMER; escalation=sigkill) ----
 * core.pin assumes nothing about the holder (no `assume` statement, ProcInfo.prompt
 * false), so the timer may fire at any moment while the pin is being revoked and
 * its owner lives, not only once the holder can no longer answer (`answering`,
 * kept for a scenario that assumes the holder prompt).
 */
active proctype timer() {
end_timer:
  do
  :: d_step { mr_under_break && srv_alive -> kill_server() }
  od
}

#ifdef LIVE
/* truncate-hang as liveness: a truncate that blocks eventually returns */
ltl truncate_returns { [] ((adm_st == PS_BLOCKED) -> <> (adm_st != PS_BLOCKED)) }
#endif
