/*
 * The runtime of the C programs `pinlab conform` generates (src/engine/conform/lower.ts).
 * A program runs one schedule of one scenario: the driver forks one worker per
 * scenario process (setuid to the process's user), sends each worker the
 * index of its next operation in schedule order, and waits for the answer
 * with a timeout: no answer in time is "blocks". A later answer is recorded
 * as the result after blocking. Each answer is one line on stdout:
 *   @@R <step> ok | errno <NAME> | signal <NAME> | killed <NAME> | no signal
 *              | wc <IBV_WC status> qp=<QP state> | blocks | blocks-then <result>
 * and, after a device access of a pinned page (fixed I/O, RDMA WRITE/READ),
 * "data=mapping" or "data=stale": whether the process's mapping shows the
 * same data as the device (tools/testing/selftests/mm/cow.c's check).
 * CPU loads and stores catch SIGBUS/SIGSEGV (the process would die of it).
 * Workers block the signals a lease break can send (SIGIO, or the one chosen
 * with F_SETSIG): the schedule says when the process takes one (take_signal).
 * A remote peer is a worker too (root), with its own verbs context and an RC
 * QP connected over rxe to a QP of the process that sends it an rkey.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <stdint.h>
#include <unistd.h>
#ifdef CONFORM_URING
#include <liburing.h>
#endif
#ifdef CONFORM_VERBS
#include <infiniband/verbs.h>
#endif
#include <sys/ioctl.h>

#define PG 4096L
#define MAXP 16
#define MAXV 64

static long V[1][1024]; /* variables: fds, addresses, MR pointers; UNSET until an operation sets one */
#define UNSET (-0x7fffffffL)
#define SKIP 10000 /* an input holds nothing: the model skips such an operation */
#define SIGCODE 30000 /* + signo: the worker took a pending signal it handles */
#define DFLCODE 31000 /* + signo: a pending signal it has no handler for (default action) */
#define NOSIG 32000   /* no signal was pending */
#define EXITCODE 32500 /* the process's exit(2): answered first, then done */
#define KILLCODE 33000 /* + signo: the kernel ended the process with this signal */
#define NOREREG 33900 /* ibv_rereg_mr: EOPNOTSUPP, the provider (or driver) has no rereg */
#define DATACODE 34000 /* + 1: ok, the mapping shows the device's data; + 2: ok, it shows other data */
#define QPCODE 40000  /* + status * 16 + QP state (+ 1000 * the DATACODE digit): a work completion */
static void init_vars(void) { for (int i = 0; i < 1024; i++) V[0][i] = UNSET; }
static int cmd_r[MAXP], cmd_w[MAXP], res_r[MAXP], res_w[MAXP];
static pid_t wpid[MAXP];
static long timeout_ms = 1000;

static const char *errname(int e) {
  switch (e) {
  case EPERM: return "EPERM";
  case ENOENT: return "ENOENT";
  case EINTR: return "EINTR";
  case EIO: return "EIO";
  case ENXIO: return "ENXIO";
  case EBADF: return "EBADF";
  case EAGAIN: return "EAGAIN";
  case ENOMEM: return "ENOMEM";
  case EACCES: return "EACCES";
  case EFAULT: return "EFAULT";
  case EBUSY: return "EBUSY";
  case EEXIST: return "EEXIST";
  case EXDEV: return "EXDEV";
  case ENODEV: return "ENODEV";
  case EINVAL: return "EINVAL";
  case ETXTBSY: return "ETXTBSY";
  case EFBIG: return "EFBIG";
  case ENOSPC: return "ENOSPC";
  case ESPIPE: return "ESPIPE";
  case EROFS: return "EROFS";
  case ENOSYS: return "ENOSYS";
  case ETIMEDOUT: return "ETIMEDOUT";
  case EOPNOTSUPP: return "EOPNOTSUPP";
  case EBADE: return "EBADE";
  case ENOTTY: return "ENOTTY";
  case EISDIR: return "EISDIR";
  default: return "E?";
  }
}

static const char *signame(int s) {
  static char b[16];
  switch (s) {
  case SIGINT: return "SIGINT";
  case SIGKILL: return "SIGKILL";
  case SIGUSR1: return "SIGUSR1";
  case SIGUSR2: return "SIGUSR2";
  case SIGTERM: return "SIGTERM";
  case SIGURG: return "SIGURG";
  case SIGWINCH: return "SIGWINCH";
  case SIGIO: return "SIGIO";
  case 34: return "SIGRTMIN";
  default: snprintf(b, sizeof b, "signal %d", s); return b;
  }
}

/* enum ibv_wc_status and enum ibv_qp_state, by number (infiniband/verbs.h). */
static const char *wcname(int w) {
  static const char *n[] = {"SUCCESS", "LOC_LEN_ERR", "LOC_QP_OP_ERR", "LOC_EEC_OP_ERR", "LOC_PROT_ERR",
                            "WR_FLUSH_ERR", "MW_BIND_ERR", "BAD_RESP_ERR", "LOC_ACCESS_ERR",
                            "REM_INV_REQ_ERR", "REM_ACCESS_ERR", "REM_OP_ERR", "RETRY_EXC_ERR",
                            "RNR_RETRY_EXC_ERR"};
  return w >= 0 && w < (int)(sizeof n / sizeof n[0]) ? n[w] : "WC?";
}
static const char *qpsname(int q) {
  static const char *n[] = {"RESET", "INIT", "RTR", "RTS", "SQD", "SQE", "ERR"};
  return q >= 0 && q < 7 ? n[q] : "QPS?";
}

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_sig;
static void on_fault(int sig) {
  fault_sig = sig;
  siglongjmp(fault_jmp, 1);
}

/* An operation's result: 0 ok, > 0 errno, < 0 -signal. */
typedef int (*op_fn)(int proc, int idx);
static op_fn run_op;
/* The system call operation idx sleeps in when it blocks (-1: a page fault), or NOCALL: not known. */
#define NOCALL (-2L)
static long (*call_of)(int idx);

static int sys(long r) { return r < 0 ? errno : 0; }

/* A CPU access of page k of the mapping at addr: a load, or a store of the value `store` (1..127). */
static int touch(long addr, int k, int store) {
  struct sigaction sa = {0};
  sa.sa_handler = on_fault;
  sigaction(SIGBUS, &sa, NULL);
  sigaction(SIGSEGV, &sa, NULL);
  if (sigsetjmp(fault_jmp, 1)) return -fault_sig;
  volatile char *p = (volatile char *)(addr + k * PG);
  if (store) *p = (char)store;
  else (void)*p;
  return 0;
}

static void answer(int fd, int step, int r) {
  char b[64];
  int n = snprintf(b, sizeof b, "%d %d\n", step, r);
  if (write(fd, b, n) != n) _exit(3);
}

/*
 * The signals a lease break can send: SIGIO by default, or the one F_SETSIG
 * chose (fs/fcntl.c send_sigio_to_task). Blocked in every worker, so that a
 * signal stays pending until the schedule's delivery step.
 */
static sigset_t lease_sigs;
static void block_lease_sigs(void) {
  static const int sigs[] = {SIGINT, SIGUSR1, SIGUSR2, SIGTERM, SIGURG, SIGWINCH, SIGIO};
  sigemptyset(&lease_sigs);
  for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaddset(&lease_sigs, sigs[i]);
  for (int s = 34; s <= 64; s++) sigaddset(&lease_sigs, s);
  sigprocmask(SIG_BLOCK, &lease_sigs, NULL);
}

/*
 * The delivery of a pending lease-break signal: one the program handles is
 * taken (sigtimedwait); one it has no handler for is left to its default
 * action: the worker unblocks it after answering (worker below), and the
 * driver sees whether the kernel ended the process (collect).
 */
static int take_signal(unsigned long long handled) {
  sigset_t p;
  sigpending(&p);
  for (int s = 1; s <= 64; s++) {
    if (!sigismember(&lease_sigs, s) || !sigismember(&p, s)) continue;
    if ((handled >> s) & 1) {
      sigset_t one;
      sigemptyset(&one);
      sigaddset(&one, s);
      struct timespec z = {0, 0};
      siginfo_t si;
      sigtimedwait(&one, &si, &z);
      return SIGCODE + s;
    }
    return DFLCODE + s;
  }
  return NOSIG;
}

/* Each worker's pid, in memory all of them share (a forked worker is not the driver's child). */
static volatile pid_t *worker_pid;

static void worker(int proc) {
  char line[64];
  if (worker_pid) worker_pid[proc] = getpid();
  block_lease_sigs();
  FILE *in = fdopen(cmd_r[proc], "r");
  while (fgets(line, sizeof line, in)) {
    int step, idx;
    if (sscanf(line, "%d %d", &step, &idx) != 2) break;
    int r = run_op(proc, idx);
    answer(res_w[proc], step, r);
    if (r == EXITCODE) _exit(0);
    if (r > DFLCODE && r < DFLCODE + 65) {
      sigset_t one;
      sigemptyset(&one);
      sigaddset(&one, r - DFLCODE);
      signal(r - DFLCODE, SIG_DFL);
      sigprocmask(SIG_UNBLOCK, &one, NULL);
    }
  }
  _exit(0);
}

#include <sys/resource.h>
#ifdef CONFORM_VERBS
static int verbs_pd(void);
#endif
/* Workers that use verbs open the device before their first operation (slow under TCG: not part of any answer). */
static int uses_verbs[MAXP];
static void start_worker(int proc, uid_t uid, long memlock_pages) {
  pid_t c = fork();
  if (c == 0) {
    struct rlimit rl = {memlock_pages * PG, memlock_pages * PG};
    setrlimit(RLIMIT_MEMLOCK, &rl);
    if (uid != 0 && (setgid(uid) != 0 || setuid(uid) != 0)) _exit(4);
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* after setuid, which clears it: no worker outlives the driver */
#ifdef CONFORM_VERBS
    if (uses_verbs[proc]) verbs_pd();
#else
    (void)uses_verbs;
#endif
    worker(proc);
  }
  wpid[proc] = c;
}

/* fork() inside a scenario: the child becomes the worker of process `child`. */
static int op_fork(int child) {
  pid_t c = fork();
  if (c < 0) return errno;
  if (c == 0) {
    /* It is not the driver's child: it goes when its parent goes (finish kills the workers). */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    worker(child);
  }
  return 0;
}

#include <time.h>
static long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}
/* An answer that came in time but after this long is a bounded wait ("waits-then"). */
#define WAIT_MS 80
static long sent_at[MAXP];

static void print_result(int step, int r, int blocked) {
  printf("@@R %d %s", step, blocked ? "blocks-then " : "");
  if (r == 0) printf("ok\n");
  else if (r == SKIP) printf("skipped\n");
  else if (r >= QPCODE) {
    int d = (r - QPCODE) / 1000, c = (r - QPCODE) % 1000;
    printf("wc %s qp=%s%s\n", wcname(c / 16), qpsname(c % 16), d == 1 ? " data=mapping" : d == 2 ? " data=stale" : "");
  }
  else if (r == DATACODE + 1 || r == DATACODE + 2) printf("ok data=%s\n", r == DATACODE + 1 ? "mapping" : "stale");
  else if (r == NOSIG) printf("no signal\n");
  else if (r == NOREREG) printf("not-run (the verbs provider has no rereg_mr: ibv_rereg_mr() answers EOPNOTSUPP)\n");
  else if (r > SIGCODE && r < SIGCODE + 65) printf("signal %s\n", signame(r - SIGCODE));
  else if (r > DFLCODE && r < DFLCODE + 65) printf("signal %s (not fatal)\n", signame(r - DFLCODE));
  else if (r > KILLCODE && r < KILLCODE + 65) printf("killed %s\n", signame(r - KILLCODE));
  else if (r > 0) printf("errno %s\n", errname(r));
  else printf("signal %s\n", r == -SIGBUS ? "SIGBUS" : r == -SIGSEGV ? "SIGSEGV" : "SIG?");
  fflush(stdout);
}

static int pending[MAXP]; /* the step each blocked worker is in, or 0 */
static int slow[MAXP];    /* the step of a worker that was running, not asleep, when its time was up */
static char elsewhere[MAXP][96]; /* a blocked worker sleeps in another call than its operation's: which */

/* After a signal left to its default action: whether the kernel ended worker p (up to 1 s). */
static int died_of(int p, int r) {
  if (wpid[p] <= 0) return r;
  for (int i = 0; i < 100; i++) {
    int st;
    if (waitpid(wpid[p], &st, WNOHANG) == wpid[p]) {
      wpid[p] = 0;
      return WIFSIGNALED(st) ? KILLCODE + WTERMSIG(st) : r;
    }
    struct timespec t = {0, 10 * 1000 * 1000};
    nanosleep(&t, NULL);
  }
  return r;
}

/* Reads one answer of worker p if one comes within ms; returns 1 if it did. */
static int collect(int p, long ms) {
  struct pollfd f = {res_r[p], POLLIN, 0};
  if (poll(&f, 1, ms) <= 0) return 0;
  char b[64];
  int n = read(res_r[p], b, sizeof b - 1);
  if (n <= 0) return 0;
  b[n] = 0;
  int step, r;
  if (sscanf(b, "%d %d", &step, &r) != 2) return 0;
  if (r > DFLCODE && r < DFLCODE + 65) r = died_of(p, r);
  if (r == EXITCODE) r = (died_of(p, r), 0); /* its files (and its QPs, MRs, leases) are closed once it is reaped */
  /* A worker that was still running when its time was up was slow, not blocked: its answer is the answer. */
  int blocked = pending[p] == step && slow[p] != step;
  if (!blocked && now_ms() - sent_at[p] >= WAIT_MS) printf("@@W %d\n", step);
  /* It blocked, but not in its operation's call: that stays the answer (a mismatch). */
  if (blocked && elsewhere[p][0]) printf("@@R %d blocks %s\n", step, elsewhere[p]), fflush(stdout);
  else print_result(step, r, blocked);
  elsewhere[p][0] = 0;
  pending[p] = 0;
  slow[p] = 0;
  return 1;
}

/* The x86-64 system calls an operation can sleep in (arch/x86/entry/syscalls/syscall_64.tbl). */
static const char *sysname(long nr) {
  static char b[24];
  switch (nr) {
  case -1: return "no system call (a page fault)";
  case 0: return "read";
  case 1: return "write";
  case 3: return "close";
  case 9: return "mmap";
  case 10: return "mprotect";
  case 11: return "munmap";
  case 16: return "ioctl";
  case 17: return "pread64";
  case 18: return "pwrite64";
  case 25: return "mremap";
  case 28: return "madvise";
  case 72: return "fcntl";
  case 74: return "fsync";
  case 76: return "truncate";
  case 77: return "ftruncate";
  case 87: return "unlink";
  case 90: return "chmod";
  case 92: return "chown";
  case 257: return "openat";
  case 285: return "fallocate";
  case 426: return "io_uring_enter";
  case 427: return "io_uring_register";
  default: snprintf(b, sizeof b, "system call %ld", nr); return b;
  }
}

/*
 * Why worker p gave no answer in time: its state (/proc/<pid>/stat: S asleep,
 * D uninterruptible, R running) and, asleep, the system call it sleeps in
 * (/proc/<pid>/syscall) and where (/proc/<pid>/wchan). Returns 1 asleep,
 * 0 running or runnable (slow, not blocked), -1 not known.
 */
static long slept_in; /* the system call of the last sleeping() that found the worker asleep */
static int sleeping(int p, char *why, size_t n) {
  pid_t pid = worker_pid ? worker_pid[p] : 0;
  if (pid <= 0) return -1;
  char path[64], st[512] = "", sc[256] = "", wc[128] = "";
  const char *names[3] = {"stat", "syscall", "wchan"};
  char *bufs[3] = {st, sc, wc};
  size_t sizes[3] = {sizeof st, sizeof sc, sizeof wc};
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, names[i]);
    int fd = open(path, O_RDONLY);
    if (fd < 0) continue;
    ssize_t k = read(fd, bufs[i], sizes[i] - 1);
    bufs[i][k > 0 ? k : 0] = 0;
    close(fd);
  }
  char *paren = strrchr(st, ')');
  if (!paren || paren[1] != ' ') return -1;
  char state = paren[2];
  if (state != 'S' && state != 'D') {
    snprintf(why, n, "%c: running, not asleep", state);
    return 0;
  }
  long nr = NOCALL;
  if (sscanf(sc, "%ld", &nr) != 1) nr = NOCALL;
  slept_in = nr;
  snprintf(why, n, "%c (%s) in %s, wchan %s", state, state == 'D' ? "uninterruptible" : "asleep",
           nr == -2 ? "?" : sysname(nr), wc[0] ? wc : "?");
  return 1;
}

/* Runs step `step`: operation idx of process p, waiting up to the timeout. */
static void drive(int step, int p, int idx) {
  for (int q = 0; q < MAXP; q++)
    if (pending[q]) collect(q, 0);
  /* The schedule runs p again: the model has its blocked call returned by now. */
  if (pending[p]) collect(p, timeout_ms);
  if (pending[p]) {
    printf("@@R %d not-run (the process is still blocked)\n", step);
    return;
  }
  char b[64];
  int n = snprintf(b, sizeof b, "%d %d\n", step, idx);
  sent_at[p] = now_ms();
  if (write(cmd_w[p], b, n) != n) {
    printf("@@R %d not-run (the process is gone)\n", step);
    return;
  }
  if (!collect(p, timeout_ms)) {
    /*
     * No answer in time: "blocks" only if the worker sleeps in the kernel.
     * One still running (slow under TCG) gets two more timeouts to answer.
     */
    char why[192] = "";
    int asleep = sleeping(p, why, sizeof why);
    for (int i = 0; i < 2 && asleep == 0; i++) {
      if (collect(p, timeout_ms)) return;
      asleep = sleeping(p, why, sizeof why);
    }
    if (asleep == 0) {
      printf("@@R %d not-run (no answer after %ld ms, and the process is not asleep: %s)\n", step, 3 * timeout_ms, why);
      fflush(stdout);
      pending[p] = slow[p] = step;
      return;
    }
    if (asleep > 0) printf("@@N step %d blocks: %s\n", step, why);
    long want = call_of ? call_of(idx) : NOCALL;
    if (asleep > 0 && want != NOCALL && slept_in != NOCALL && slept_in != want) {
      int k = snprintf(elsewhere[p], sizeof elsewhere[p], "in %s", sysname(slept_in));
      snprintf(elsewhere[p] + k, sizeof elsewhere[p] - k, ", not in %s", sysname(want));
      printf("@@R %d blocks %s\n", step, elsewhere[p]);
    } else printf("@@R %d blocks\n", step);
    fflush(stdout);
    pending[p] = step;
  }
}

/*
 * /proc/sys/fs/lease-break-time, in seconds (fs/locks.c lease_break_time,
 * default 45): set small while a program that takes leases runs, restored
 * at the end. A breaker waits this long in __break_lease() before the kernel
 * removes the lease; the driver's own timeout (1 s) is shorter, so a breaker
 * shows as "blocks" first and returns when the lease-break-time is up.
 */
#define LEASE_BREAK_S 3
static char lease_break_saved[32];
static void set_lease_break_time(void) {
  FILE *f = fopen("/proc/sys/fs/lease-break-time", "r");
  if (!f || !fgets(lease_break_saved, sizeof lease_break_saved, f)) lease_break_saved[0] = 0;
  if (f) fclose(f);
  f = fopen("/proc/sys/fs/lease-break-time", "w");
  if (f) {
    fprintf(f, "%d\n", LEASE_BREAK_S);
    fclose(f);
  } else printf("@@ note cannot set /proc/sys/fs/lease-break-time\n");
}
static void restore_lease_break_time(void) {
  if (!lease_break_saved[0]) return;
  FILE *f = fopen("/proc/sys/fs/lease-break-time", "w");
  if (f) {
    fputs(lease_break_saved, f);
    fclose(f);
  }
}

/* The model's lease-break timer fired: a blocked breaker returns once lease-break-time is up. */
static void lease_timer(int step) {
  long until = now_ms() + LEASE_BREAK_S * 1000L + 1500;
  int any = 0;
  while (!any && now_ms() < until) {
    for (int q = 0; q < MAXP && !any; q++)
      if (pending[q]) any = collect(q, 50);
    if (!any) {
      int none = 1;
      for (int q = 0; q < MAXP; q++)
        if (pending[q]) none = 0;
      if (none) break;
    }
  }
  printf("@@R %d %s\n", step, any ? "ok" : "blocks");
  fflush(stdout);
}

static void finish(void) {
  for (int q = 0; q < MAXP; q++)
    if (pending[q]) collect(q, timeout_ms);
  for (int q = 0; q < MAXP; q++)
    if (wpid[q] > 0) kill(wpid[q], SIGKILL);
  while (wait(NULL) > 0) {
  }
  restore_lease_break_time();
  printf("@@R end\n");
}

/* F_SETLEASE; the worker remembers its leases for its lease-break handler. */
static int lease_fds[64], n_lease_fds;
static int do_setlease(long fd, int type) {
  if (fcntl((int)fd, F_SETLEASE, type) != 0) return errno;
  if (type != F_UNLCK && n_lease_fds < 64) lease_fds[n_lease_fds++] = (int)fd;
  return 0;
}
/* The handler's last act: F_SETLEASE F_UNLCK on each lease it holds (lets the breaker go on). */
static int release_leases(void) {
  for (int i = 0; i < n_lease_fds; i++) fcntl(lease_fds[i], F_SETLEASE, F_UNLCK);
  n_lease_fds = 0;
  return 0;
}

static void pipes(int nprocs) {
  signal(SIGPIPE, SIG_IGN);
  void *w = mmap(NULL, MAXP * sizeof(pid_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (w != MAP_FAILED) worker_pid = memset(w, 0, MAXP * sizeof(pid_t));
  for (int p = 0; p < nprocs; p++) {
    int a[2], b[2];
    if (pipe(a) || pipe(b)) exit(5);
    cmd_r[p] = a[0];
    cmd_w[p] = a[1];
    res_r[p] = b[0];
    res_w[p] = b[1];
  }
}

/*
 * The directory of a backing must be on the filesystem the lowering chose
 * (statfs f_type): a mount that failed in the guest leaves the bare
 * directory on the initramfs, where the scenario would silently run on
 * another filesystem.
 */
#include <sys/vfs.h>
static int require_fs(const char *dir, long magic, const char *what) {
  struct statfs f;
  if (statfs(dir, &f) != 0 || (long)f.f_type != magic) {
    printf("@@N %s is not %s here: nothing of the schedule runs\n", dir, what);
    return 1;
  }
  return 0;
}

/* A scenario file: created by root, sized, owned and moded as the scenario says. */
static int make_file(const char *path, long pages, int allocated, uid_t owner, mode_t mode) {
  unlink(path);
  int fd = open(path, O_CREAT | O_RDWR | O_EXCL, mode);
  if (fd < 0) return errno;
  if (allocated && pages > 0 && fallocate(fd, 0, 0, pages * PG) != 0) {
    /* a filesystem without fallocate: write the zeroes */
    static char z[PG];
    for (long k = 0; k < pages; k++)
      if (pwrite(fd, z, PG, k * PG) != PG) return errno;
  }
  if (ftruncate(fd, pages * PG) != 0) return errno;
  if (fchown(fd, owner, owner) != 0 || fchmod(fd, mode) != 0) return errno;
  close(fd);
  return 0;
}

/*
 * ioctl(src, FIDEDUPERANGE) of pages [first, first + n) onto the same range of
 * dst (fs/remap_range.c vfs_dedupe_file_range()): the ioctl's own errno, else
 * the destination's status (FILE_DEDUPE_RANGE_DIFFERS: EBADE, as the model).
 */
static int do_dedupe(long src, long dst, long first, long n) {
  struct {
    struct file_dedupe_range r;
    struct file_dedupe_range_info i;
  } a;
  memset(&a, 0, sizeof a);
  a.r.src_offset = first * PG;
  a.r.src_length = n * PG;
  a.r.dest_count = 1;
  a.i.dest_fd = dst;
  a.i.dest_offset = first * PG;
  if (ioctl((int)src, FIDEDUPERANGE, &a) != 0) return errno;
  if (a.i.status < 0) return -a.i.status;
  return a.i.status == FILE_DEDUPE_RANGE_DIFFERS ? EBADE : 0;
}

/* FS_XFLAG_DAX set or cleared: FS_IOC_FSGETXATTR, then FS_IOC_FSSETXATTR (fs/ioctl.c). */
static int do_fssetxattr(long fd, int dax) {
  struct fsxattr fa;
  if (ioctl((int)fd, FS_IOC_FSGETXATTR, &fa) != 0) return errno;
  fa.fsx_xflags = dax ? fa.fsx_xflags | FS_XFLAG_DAX : fa.fsx_xflags & ~FS_XFLAG_DAX;
  return sys(ioctl((int)fd, FS_IOC_FSSETXATTR, &fa));
}

static int do_read(long fd, int k) {
  char b[PG];
  return sys(pread((int)fd, b, PG, k * PG));
}

static int do_write(long fd, int k) {
  char b[PG];
  memset(b, 'w', PG);
  return sys(pwrite((int)fd, b, PG, k * PG));
}

#ifdef CONFORM_URING
static struct io_uring ring;
static int ring_ready;
static int uring_register(long addr, long pages) {
  if (!ring_ready) {
    int e = io_uring_queue_init(4, &ring, 0);
    if (e < 0) return -e;
    ring_ready = 1;
  }
  struct iovec iov = {(void *)addr, (size_t)(pages * PG)};
  int e = io_uring_register_buffers(&ring, &iov, 1);
  return e < 0 ? -e : 0;
}
static int uring_unregister(void) {
  if (!ring_ready) return ENXIO;
  int e = io_uring_unregister_buffers(&ring);
  return e < 0 ? -e : 0;
}
/*
 * READ_FIXED into the buffer from a memfd page of a value of its own, or
 * WRITE_FIXED of the buffer to a memfd. With `check`, the page the process's
 * mapping shows at addr is then compared with what the device wrote or read
 * (cow.c's check): DATACODE + 1 the same, + 2 not.
 */
static int uring_seq;
static int uring_fixed(long addr, int k, int read, int check) {
  if (!ring_ready) return EFAULT;
  int fd = memfd_create("pinlab-dev", 0);
  if (fd < 0) return errno;
  char page[PG];
  char want = (char)(0x80 | (++uring_seq & 0x7f));
  memset(page, want, PG);
  if (read && pwrite(fd, page, PG, 0) != PG) return errno;
  struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
  if (read) io_uring_prep_read_fixed(sqe, fd, (void *)(addr + k * PG), PG, 0, 0);
  else io_uring_prep_write_fixed(sqe, fd, (void *)(addr + k * PG), PG, 0, 0);
  io_uring_submit(&ring);
  struct io_uring_cqe *cqe;
  int e = io_uring_wait_cqe(&ring, &cqe);
  int r = e < 0 ? -e : cqe->res < 0 ? -cqe->res : 0;
  if (e == 0) io_uring_cqe_seen(&ring, cqe);
  if (!r && check) {
    if (!read && pread(fd, &want, 1, 0) != 1) r = errno;
    else r = DATACODE + (*(volatile char *)(addr + k * PG) == want ? 1 : 2);
  }
  close(fd);
  return r;
}
#endif

#ifdef CONFORM_VERBS
static struct ibv_pd *pd;
static int verbs_pd(void) {
  if (pd) return 0;
  int n = 0;
  struct ibv_device **l = ibv_get_device_list(&n);
  if (!l || n == 0) return ENODEV;
  struct ibv_context *c = ibv_open_device(l[0]);
  if (!c) return errno ? errno : ENODEV;
  pd = ibv_alloc_pd(c);
  return pd ? 0 : (errno ? errno : ENOMEM);
}
static int reg_mr(long *slot, long addr, long pages, int access) {
  int e = verbs_pd();
  if (e) return e;
  errno = 0;
  struct ibv_mr *mr = ibv_reg_mr(pd, (void *)addr, pages * PG, access);
  if (!mr) return errno ? errno : EINVAL;
  *slot = (long)mr;
  return 0;
}
/* ibv_rereg_mr(IBV_REREG_MR_CHANGE_ACCESS): new access flags, the same range and keys. */
static int rereg_mr_access(long mr, int access) {
  errno = 0;
  if (ibv_rereg_mr((struct ibv_mr *)mr, IBV_REREG_MR_CHANGE_ACCESS, NULL, NULL, 0, access) == 0) return 0;
  if (errno == EOPNOTSUPP) return NOREREG;
  return errno ? errno : EINVAL;
}
static int dereg_mr(long mr) {
  int e = ibv_dereg_mr((struct ibv_mr *)mr);
  return e;
}

/*
 * RDMA WRITE and READ through a loopback RC QP. Each remote peer of the
 * scenario has a link in memory shared by every worker (made before they
 * start): the peer's QP number and GID, the QP of the process that sends it
 * rkeys, and the messages (address, rkey) in the order they were sent. The
 * peer's QP and the process's QP are connected to each other over rxe0
 * (RoCE v2, GID index 0); rxe loops packets between its own addresses back
 * (rxe_net.c rxe_loopback). The peer posts IBV_WR_RDMA_WRITE/READ of one
 * page, polls its CQ, and answers with the completion's status and its QP's
 * state (an error completion moves an RC QP to the error state).
 */
#define MAXMSG 16
struct link {
  volatile int peer_ready, srv_ready, nmsg;
  pid_t srv_pid; /* the process whose MRs the peer reaches (its mapping is read for the data check) */
  uint32_t peer_qpn, srv_qpn;
  union ibv_gid peer_gid, srv_gid;
  struct {
    uint64_t addr;
    uint32_t rkey;
    int ok;
  } msg[MAXMSG];
};
static struct link *links_;
static void links(int npeers) {
  if (npeers == 0) return;
  void *a = mmap(NULL, npeers * sizeof(struct link), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (a == MAP_FAILED) exit(6);
  memset(a, 0, npeers * sizeof(struct link));
  links_ = a;
}
static struct ibv_cq *qp_cq[MAXP];
static struct ibv_qp *qp_of[MAXP]; /* this worker's QP towards peer r */
static int qp_connected[MAXP];
static struct ibv_mr *peer_buf;

static int qp_create(int r) {
  if (qp_of[r]) return 0;
  int e = verbs_pd();
  if (e) return e;
  qp_cq[r] = ibv_create_cq(pd->context, 4, NULL, NULL, 0);
  if (!qp_cq[r]) return errno ? errno : ENOMEM;
  struct ibv_qp_init_attr ia = {0};
  ia.send_cq = ia.recv_cq = qp_cq[r];
  ia.qp_type = IBV_QPT_RC;
  ia.cap.max_send_wr = ia.cap.max_recv_wr = 4;
  ia.cap.max_send_sge = ia.cap.max_recv_sge = 1;
  qp_of[r] = ibv_create_qp(pd, &ia);
  if (!qp_of[r]) return errno ? errno : ENOMEM;
  struct ibv_qp_attr a = {0};
  a.qp_state = IBV_QPS_INIT;
  a.port_num = 1;
  a.qp_access_flags = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;
  return ibv_modify_qp(qp_of[r], &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS);
}
static int qp_gid(union ibv_gid *g) { return ibv_query_gid(pd->context, 1, 0, g) ? (errno ? errno : EINVAL) : 0; }
/* INIT → RTR → RTS towards (qpn, gid). Short transport timeouts: a vanished QP gives RETRY_EXC_ERR in ms. */
static int qp_connect(int r, uint32_t qpn, union ibv_gid gid) {
  struct ibv_qp_attr a = {0};
  a.qp_state = IBV_QPS_RTR;
  a.path_mtu = IBV_MTU_1024;
  a.dest_qp_num = qpn;
  a.rq_psn = 0;
  a.max_dest_rd_atomic = 1;
  a.min_rnr_timer = 1;
  a.ah_attr.is_global = 1;
  a.ah_attr.grh.dgid = gid;
  a.ah_attr.grh.sgid_index = 0;
  a.ah_attr.grh.hop_limit = 1;
  a.ah_attr.port_num = 1;
  if (ibv_modify_qp(qp_of[r], &a, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN | IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER))
    return errno ? errno : EINVAL;
  memset(&a, 0, sizeof a);
  a.qp_state = IBV_QPS_RTS;
  a.timeout = 10;
  a.retry_cnt = 2;
  a.rnr_retry = 2;
  a.sq_psn = 0;
  a.max_rd_atomic = 1;
  if (ibv_modify_qp(qp_of[r], &a, IBV_QP_STATE | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY | IBV_QP_SQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC))
    return errno ? errno : EINVAL;
  qp_connected[r] = 1;
  return 0;
}
static int spin_until(volatile int *flag, long ms) {
  long until = now_ms() + ms;
  while (!*flag && now_ms() < until) {
    struct timespec t = {0, 1000 * 1000};
    nanosleep(&t, NULL);
  }
  return *flag ? 0 : ETIMEDOUT;
}
/* A peer worker's start: its context, QP and a one-page local buffer, published on its link. */
static void peer_init(int r) {
  struct link *l = &links_[r];
  if (qp_create(r) || qp_gid(&l->peer_gid)) return;
  static char buf[PG];
  peer_buf = ibv_reg_mr(pd, buf, PG, IBV_ACCESS_LOCAL_WRITE);
  if (!peer_buf) return;
  l->peer_qpn = qp_of[r]->qp_num;
  __sync_synchronize();
  l->peer_ready = 1;
}
/* `send peer mr`: the process's QP towards the peer (made and connected on the first send), then the rkey. */
static int send_rkey(int r, long mr) {
  struct link *l = &links_[r];
  int n = l->nmsg;
  if (n >= MAXMSG) return ENOSPC;
  if (mr != UNSET) {
    struct ibv_mr *m = (struct ibv_mr *)mr;
    if (!qp_connected[r]) {
      int e = qp_create(r);
      if (!e) e = spin_until(&l->peer_ready, 3000);
      if (!e) e = qp_gid(&l->srv_gid);
      if (!e) e = qp_connect(r, l->peer_qpn, l->peer_gid);
      if (e) return e;
      l->srv_qpn = qp_of[r]->qp_num;
      l->srv_pid = getpid();
      __sync_synchronize();
      l->srv_ready = 1;
    }
    l->msg[n].addr = (uint64_t)(uintptr_t)m->addr;
    l->msg[n].rkey = m->rkey;
    l->msg[n].ok = 1;
  }
  __sync_synchronize();
  l->nmsg = n + 1;
  return 0;
}
/* The peer's `recv`: the next message; its QP is connected to the sender's on the first rkey. */
static int peer_recv(int r, int nth, long *slot) {
  struct link *l = &links_[r];
  if (!peer_buf) return ENODEV;
  if (nth >= l->nmsg) return EAGAIN;
  if (!l->msg[nth].ok) return 0;
  if (!qp_connected[r]) {
    int e = qp_connect(r, l->srv_qpn, l->srv_gid);
    if (e) return e;
  }
  *slot = nth;
  return 0;
}
/*
 * One RDMA WRITE or READ of page k of the nth rkey; answers the completion and
 * the QP's state. With `check`, a successful one also compares the data with
 * what the process's mapping shows at that address (process_vm_readv: the peer
 * runs as root): the written value, or what the READ brought.
 */
#include <sys/uio.h>
static int peer_seq;
static int peer_rdma(int r, long nth, int k, int write, int check) {
  struct link *l = &links_[r];
  char want = (char)(0x80 | (++peer_seq & 0x7f));
  memset(peer_buf->addr, want, PG);
  struct ibv_sge sg = {(uint64_t)(uintptr_t)peer_buf->addr, PG, peer_buf->lkey};
  struct ibv_send_wr wr = {0}, *bad;
  wr.opcode = write ? IBV_WR_RDMA_WRITE : IBV_WR_RDMA_READ;
  wr.sg_list = &sg;
  wr.num_sge = 1;
  wr.send_flags = IBV_SEND_SIGNALED;
  wr.wr.rdma.remote_addr = l->msg[nth].addr + (uint64_t)k * PG;
  wr.wr.rdma.rkey = l->msg[nth].rkey;
  int e = ibv_post_send(qp_of[r], &wr, &bad);
  if (e) return e;
  struct ibv_wc wc;
  int n;
  long until = now_ms() + 10000;
  while ((n = ibv_poll_cq(qp_cq[r], 1, &wc)) == 0 && now_ms() < until) {
    struct timespec t = {0, 200 * 1000};
    nanosleep(&t, NULL);
  }
  if (n <= 0) return ETIMEDOUT;
  struct ibv_qp_attr a;
  struct ibv_qp_init_attr ia;
  int st = ibv_query_qp(qp_of[r], &a, IBV_QP_STATE, &ia) ? 15 : (int)a.qp_state;
  int d = 0;
  if (check && wc.status == IBV_WC_SUCCESS) {
    char seen;
    struct iovec li = {&seen, 1}, ri = {(void *)(uintptr_t)(l->msg[nth].addr + (uint64_t)k * PG), 1};
    if (process_vm_readv(l->srv_pid, &li, 1, &ri, 1, 0) == 1)
      d = seen == (write ? want : ((char *)peer_buf->addr)[0]) ? 1 : 2;
  }
  return QPCODE + d * 1000 + (int)wc.status * 16 + st;
}
/* A remote peer's worker (worker index proc): root, its own verbs context. */
static void start_peer(int proc, int r) {
  pid_t c = fork();
  if (c == 0) {
    struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
    setrlimit(RLIMIT_MEMLOCK, &rl);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    peer_init(r);
    worker(proc);
  }
  wpid[proc] = c;
}
#endif
