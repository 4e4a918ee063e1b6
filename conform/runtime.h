/*
 * The runtime of the C programs `pinlab conform` generates (src/engine/conform/lower.ts).
 * A program runs one schedule of one scenario: the driver forks one worker per
 * scenario process (setuid to the process's user), sends each worker the
 * index of its next operation in schedule order, and waits for the answer
 * with a timeout: no answer in time is "blocks". A later answer is recorded
 * as the result after blocking. Each answer is one line on stdout:
 *   @@R <step> ok | errno <NAME> | signal <NAME> | blocks | blocks-then <result>
 * CPU loads and stores catch SIGBUS/SIGSEGV (the process would die of it).
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
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef CONFORM_URING
#include <liburing.h>
#endif
#ifdef CONFORM_VERBS
#include <infiniband/verbs.h>
#endif

#define PG 4096L
#define MAXP 16
#define MAXV 64

static long V[1][1024]; /* variables: fds, addresses, MR pointers; UNSET until an operation sets one */
#define UNSET (-0x7fffffffL)
#define SKIP 10000 /* an input holds nothing: the model skips such an operation */
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
  case EOPNOTSUPP: return "EOPNOTSUPP";
  default: return "E?";
  }
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

static int sys(long r) { return r < 0 ? errno : 0; }

/* A CPU access of page k of the mapping at addr. */
static int touch(long addr, int k, int store) {
  struct sigaction sa = {0};
  sa.sa_handler = on_fault;
  sigaction(SIGBUS, &sa, NULL);
  sigaction(SIGSEGV, &sa, NULL);
  if (sigsetjmp(fault_jmp, 1)) return -fault_sig;
  volatile char *p = (volatile char *)(addr + k * PG);
  if (store) *p = 1;
  else (void)*p;
  return 0;
}

static void answer(int fd, int step, int r) {
  char b[64];
  int n = snprintf(b, sizeof b, "%d %d\n", step, r);
  if (write(fd, b, n) != n) _exit(3);
}

static void worker(int proc) {
  char line[64];
  FILE *in = fdopen(cmd_r[proc], "r");
  while (fgets(line, sizeof line, in)) {
    int step, idx;
    if (sscanf(line, "%d %d", &step, &idx) != 2) break;
    int r = run_op(proc, idx);
    answer(res_w[proc], step, r);
  }
  _exit(0);
}

#include <sys/resource.h>
static void start_worker(int proc, uid_t uid, long memlock_pages) {
  pid_t c = fork();
  if (c == 0) {
    struct rlimit rl = {memlock_pages * PG, memlock_pages * PG};
    setrlimit(RLIMIT_MEMLOCK, &rl);
    if (uid != 0 && (setgid(uid) != 0 || setuid(uid) != 0)) _exit(4);
    worker(proc);
  }
  wpid[proc] = c;
}

/* fork() inside a scenario: the child becomes the worker of process `child`. */
static int op_fork(int child) {
  pid_t c = fork();
  if (c < 0) return errno;
  if (c == 0) worker(child);
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
  else if (r > 0) printf("errno %s\n", errname(r));
  else printf("signal %s\n", r == -SIGBUS ? "SIGBUS" : r == -SIGSEGV ? "SIGSEGV" : "SIG?");
  fflush(stdout);
}

static int pending[MAXP]; /* the step each blocked worker is in, or 0 */

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
  if (pending[p] != step && now_ms() - sent_at[p] >= WAIT_MS) printf("@@W %d\n", step);
  print_result(step, r, pending[p] == step);
  pending[p] = 0;
  return 1;
}

/* Runs step `step`: operation idx of process p, waiting up to the timeout. */
static void drive(int step, int p, int idx) {
  for (int q = 0; q < MAXP; q++)
    if (pending[q]) collect(q, 0);
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
    printf("@@R %d blocks\n", step);
    fflush(stdout);
    pending[p] = step;
  }
}

static void finish(void) {
  for (int q = 0; q < MAXP; q++)
    if (pending[q]) collect(q, timeout_ms);
  for (int q = 0; q < MAXP; q++)
    if (wpid[q] > 0) kill(wpid[q], SIGKILL);
  while (wait(NULL) > 0) {
  }
  printf("@@R end\n");
}

static void pipes(int nprocs) {
  for (int p = 0; p < nprocs; p++) {
    int a[2], b[2];
    if (pipe(a) || pipe(b)) exit(5);
    cmd_r[p] = a[0];
    cmd_w[p] = a[1];
    res_r[p] = b[0];
    res_w[p] = b[1];
  }
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
/* READ_FIXED from /dev/zero into the buffer, or WRITE_FIXED from it to /dev/null. */
static int uring_fixed(long addr, int k, int read) {
  if (!ring_ready) return EFAULT;
  int fd = open(read ? "/dev/zero" : "/dev/null", read ? O_RDONLY : O_WRONLY);
  struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
  if (read) io_uring_prep_read_fixed(sqe, fd, (void *)(addr + k * PG), PG, 0, 0);
  else io_uring_prep_write_fixed(sqe, fd, (void *)(addr + k * PG), PG, 0, 0);
  io_uring_submit(&ring);
  struct io_uring_cqe *cqe;
  int e = io_uring_wait_cqe(&ring, &cqe);
  int r = e < 0 ? -e : cqe->res < 0 ? -cqe->res : 0;
  if (e == 0) io_uring_cqe_seen(&ring, cqe);
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
static int dereg_mr(long mr) {
  int e = ibv_dereg_mr((struct ibv_mr *)mr);
  return e;
}
#endif
