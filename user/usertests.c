// usertests: the kernel's conformance and robustness suite.
//
//   usertests        run every test
//   usertests -q     skip the slow tests (they exhaust memory, disk or
//                    inodes, or build huge directories)
//   usertests -c     repeat the run until something fails
//   usertests NAME   run only test NAME
//
// Each test runs in a child process of its own, so a test that crashes or
// that the kernel kills is reported and the suite goes on. A test reports
// what went wrong on a line "NAME: ..." and the suite then prints
// "test NAME: FAILED"; a passing test prints "test NAME: OK".
//
// Free physical pages are counted before and after the run: any difference
// is memory the kernel leaked.
//
// Files the tests create start with "ut." and are removed again, so runs
// can repeat. The user stack is a single page: tests keep big buffers in
// static memory, never on the stack.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/syscall.h"
#include "kernel/elf.h"
#include "user/user.h"

#include <stdarg.h>

#define NELEM(a)  ((int)(sizeof(a) / sizeof((a)[0])))
#define BUFSZ     8192
#define FAILPTR   ((char*)-1)     // what sbrk returns when it fails

// Exit status of a child whose exec returned -1 and left it intact.
#define EXEC_RETURNED 77

static char *testname;            // the test this process belongs to
static char buf[BUFSZ];           // scratch space, private to each process
static char buf2[BUFSZ];

// Report a failure of the running test on fd 2 (some tests point fd 1
// elsewhere) and end this process with status 1. A function rather than
// fprintf at every check: inline calls made the program too big for a
// MAXFILE-block file.
static void failf(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#define CHECK(cond, fmt, ...) do { \
    if(!(cond)) \
      failf(fmt, ##__VA_ARGS__); \
  } while(0)

// The user library has no vfprintf, so failf hands each conversion of fmt
// to fprintf with an argument of the right type. The messages use %d, %x,
// %llx, %s and %p.
static void
failf(const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  fprintf(2, "%s: ", testname);
  while(*fmt){
    const char *pct = strchr(fmt, '%');
    if(pct == 0){
      write(2, fmt, strlen(fmt));
      break;
    }
    write(2, fmt, pct - fmt);
    if(pct[1] == 'd')
      fprintf(2, "%d", va_arg(ap, int));
    else if(pct[1] == 'x')
      fprintf(2, "%x", va_arg(ap, uint));
    else if(pct[1] == 'l')
      fprintf(2, "%llx", va_arg(ap, uint64));
    else if(pct[1] == 's')
      fprintf(2, "%s", va_arg(ap, char*));
    else if(pct[1] == 'p')
      fprintf(2, "%p", va_arg(ap, void*));
    fmt = pct[1] == 'l' ? pct + 4 : pct + 2;
  }
  va_end(ap);
  write(2, "\n", 1);
  exit(1);
}

// ---------------------------------------------------------------------------
// Helpers. Each ends the test with a message when a call that must work
// does not.

static int
xfork(void)
{
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  return pid;
}

static void
xpipe(int fds[2])
{
  CHECK(pipe(fds) == 0, "pipe failed");
}

static int
xopen(const char *path, int mode)
{
  int fd = open(path, mode);
  CHECK(fd >= 0, "cannot open %s (mode 0x%x)", path, mode);
  return fd;
}

static void
xwrite(int fd, const void *p, int n)
{
  int r = write(fd, p, n);
  CHECK(r == n, "write of %d bytes to fd %d returned %d", n, fd, r);
}

static void
xread(int fd, void *p, int n)
{
  int r = read(fd, p, n);
  CHECK(r == n, "read of %d bytes from fd %d returned %d", n, fd, r);
}

static void
xclose(int fd)
{
  CHECK(close(fd) == 0, "close(%d) failed", fd);
}

static void
xunlink(const char *path)
{
  CHECK(unlink(path) == 0, "unlink %s failed", path);
}

static void
xmkdir(const char *path)
{
  CHECK(mkdir(path) == 0, "mkdir %s failed", path);
}

static void
xstat(const char *path, struct stat *st)
{
  CHECK(stat(path, st) == 0, "stat %s failed", path);
}

// Wait for a child, which must be pid; return its exit status.
static int
waitfor(int pid)
{
  int st;
  int r = wait(&st);
  CHECK(r == pid, "wait returned %d, expected child %d", r, pid);
  return st;
}

// Wait for n children, each of which must exit with status 0.
static void
waitok(int n)
{
  for(int i = 0; i < n; i++){
    int st;
    int r = wait(&st);
    CHECK(r > 0, "wait returned %d with %d children left", r, n - i);
    CHECK(st == 0, "child %d exited with status %d", r, st);
  }
}

// dst = prefix followed by n in decimal.
static void
mkname(char *dst, const char *prefix, int n)
{
  char digits[12];
  int k = 0;

  do {
    digits[k++] = '0' + n % 10;
    n /= 10;
  } while(n > 0);
  strcpy(dst, prefix);
  dst += strlen(dst);
  while(k > 0)
    *dst++ = digits[--k];
  *dst = 0;
}

// Byte i of a test pattern. It does not repeat with any period a block or
// pipe buffer might have, so misplaced data shows.
static char
pat(uint i, int seed)
{
  return (char)(i * 31 + (i >> 9) * 7 + seed * 13);
}

static void
fillpat(char *p, int n, uint start, int seed)
{
  for(int i = 0; i < n; i++)
    p[i] = pat(start + i, seed);
}

// Index of the first byte of p that differs from the pattern, or -1.
static int
badpat(const char *p, int n, uint start, int seed)
{
  for(int i = 0; i < n; i++)
    if(p[i] != pat(start + i, seed))
      return i;
  return -1;
}

// Create (or truncate) path and fill it with n bytes of pattern seed.
static void
putfile(const char *path, int n, int seed)
{
  int fd = xopen(path, O_CREATE | O_TRUNC | O_WRONLY);
  for(int off = 0; off < n; off += BUFSZ){
    int m = n - off < BUFSZ ? n - off : BUFSZ;
    fillpat(buf, m, off, seed);
    xwrite(fd, buf, m);
  }
  xclose(fd);
}

// What remains to be read from fd must be exactly the n bytes of pattern
// seed that start at offset start. what names fd in messages.
static void
checkfd(int fd, uint start, int n, int seed, const char *what)
{
  int got = 0;
  for(;;){
    int r = read(fd, buf, BUFSZ);
    CHECK(r >= 0, "read of %s failed at offset %d", what, start + got);
    if(r == 0)
      break;
    CHECK(got + r <= n, "%s holds more than %d bytes", what, start + n);
    int bad = badpat(buf, r, start + got, seed);
    CHECK(bad < 0, "%s: wrong byte at offset %d", what, start + got + bad);
    got += r;
  }
  CHECK(got == n, "%s holds %d bytes, expected %d", what, start + got, start + n);
}

// path must hold exactly n bytes of pattern seed.
static void
checkfile(const char *path, int n, int seed)
{
  int fd = xopen(path, O_RDONLY);
  checkfd(fd, 0, n, seed, path);
  xclose(fd);
}

// A checksum of a whole file, to see that it did not change.
static uint
filesum(const char *path)
{
  int fd = xopen(path, O_RDONLY);
  uint sum = 0;
  int r;
  while((r = read(fd, buf, BUFSZ)) > 0)
    for(int i = 0; i < r; i++)
      sum = sum * 33 + (uchar)buf[i];
  CHECK(r == 0, "read of %s failed", path);
  xclose(fd);
  return sum;
}

// Whether a directory entry's name (DIRSIZ bytes, NUL-padded only when
// shorter) is name.
static int
direq(const char *dname, const char *name)
{
  int n = strlen(name);
  return n <= DIRSIZ && memcmp(dname, name, n) == 0 && (n == DIRSIZ || dname[n] == 0);
}

// Number of entries in directory dir that are in use and, if name is not
// null, are called name.
static int
countentries(const char *dir, const char *name)
{
  struct dirent de;
  int fd = xopen(dir, O_RDONLY);
  int n = 0;
  int r;

  while((r = read(fd, &de, sizeof de)) == sizeof de){
    if(de.inum == 0)
      continue;
    if(name == 0 || direq(de.name, name))
      n++;
  }
  CHECK(r == 0, "reading directory %s returned %d", dir, r);
  xclose(fd);
  return n;
}

// Run fn(arg) in a child, which the kernel must kill: wait must see -1.
static void
mustkill(void (*fn)(uint64), uint64 arg, const char *what)
{
  int pid = xfork();
  if(pid == 0){
    fn(arg);
    exit(0);
  }
  int st = waitfor(pid);
  CHECK(st == -1, "%s (0x%llx): exit status %d, but the kernel must kill it (-1)",
        what, arg, st);
}

// A value in the data segment: a failed exec or sbrk must leave it in place.
#define CANARY 0x5eed1e55deadbeefUL
static volatile uint64 canary = CANARY;

// Run path with argv in a child whose memory first grows by grow bytes and
// whose standard output goes into out (NUL-terminated, at most max-1 bytes
// kept). Return the child's exit status, which is EXEC_RETURNED if exec
// returned -1 and left the child as it was.
static int
capture(const char *path, char **argv, int grow, char *out, int max)
{
  int fds[2];
  xpipe(fds);
  int pid = xfork();
  if(pid == 0){
    close(fds[0]);
    close(1);
    CHECK(dup(fds[1]) == 1, "dup did not return the lowest free fd, 1");
    close(fds[1]);
    if(grow > 0){
      char *p = sbrk(grow);
      CHECK(p != FAILPTR, "sbrk(%d) failed", grow);
      for(int i = 0; i < grow; i += PGSIZE)
        p[i] = 1;
    }
    char *brk = sbrk(0);
    int r = exec(path, argv);
    exit(r == -1 && canary == CANARY && sbrk(0) == brk ? EXEC_RETURNED : 1);
  }
  close(fds[1]);
  int n = 0;
  for(;;){
    char junk[64];
    int room = max - 1 - n;
    int r = room > 0 ? read(fds[0], out + n, room) : read(fds[0], junk, sizeof junk);
    CHECK(r >= 0, "reading the output of %s failed", path);
    if(r == 0)
      break;
    if(room > 0)
      n += r;
  }
  out[n] = 0;
  close(fds[0]);
  return waitfor(pid);
}

// Run fn(p) in a child. The call must be refused: it returns -1, or at
// most maxok when that is not -1 (a transfer that stopped at the end of
// valid memory). A child the kernel killed instead fails (docs/ABI.md: a
// bad pointer, length or descriptor gets -1). Return 1 if refused;
// otherwise report it and return 0.
#define REFUSED 78
static int
refused(const char *what, int (*fn)(uint64), uint64 p, int maxok)
{
  int pid = xfork();
  if(pid == 0){
    int r = fn(p);
    if(r == -1 || (r >= 0 && r <= maxok))
      exit(REFUSED);
    fprintf(2, "%s: %s with 0x%llx returned %d\n", testname, what, p, r);
    exit(1);
  }
  int st = waitfor(pid);
  if(st == REFUSED)
    return 1;
  if(st == -1)
    fprintf(2, "%s: %s with 0x%llx: killed, but it must return -1\n", testname, what, p);
  else if(st != 1)
    fprintf(2, "%s: %s with 0x%llx: exit status %d\n", testname, what, p, st);
  return 0;
}

// Free physical pages: a child takes pages one at a time until sbrk fails,
// reports how many it got, and gives them all back by exiting.
static int
countfree(void)
{
  int fds[2];
  if(pipe(fds) < 0)
    return -1;
  int pid = fork();
  if(pid < 0){
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if(pid == 0){
    close(fds[0]);
    int n = 0;
    char *p;
    while((p = sbrk(PGSIZE)) != FAILPTR){
      p[PGSIZE - 1] = 1;      // use the page, in case sbrk only reserved it
      n++;
    }
    write(fds[1], &n, sizeof n);
    exit(0);
  }
  close(fds[1]);
  int n;
  if(read(fds[0], &n, sizeof n) != sizeof n)
    n = -1;
  close(fds[0]);
  int r;
  while((r = wait(0)) != pid && r >= 0)
    ;
  return n;
}

// ---------------------------------------------------------------------------
// Processes

// exit's status reaches wait, whatever order children end in.
static void
exitwait(void)
{
  static const int codes[] = { 0, 1, 42, 255, 1000, -1, -7 };
  for(int i = 0; i < NELEM(codes); i++){
    int pid = xfork();
    if(pid == 0)
      exit(codes[i]);
    int st = waitfor(pid);
    CHECK(st == codes[i], "exit(%d) reached wait as %d", codes[i], st);
  }

  int pid = xfork();
  if(pid == 0)
    exit(3);
  CHECK(wait(0) == pid, "wait with a null status pointer did not return the child");

  int pids[10];
  for(int i = 0; i < NELEM(pids); i++){
    pids[i] = xfork();
    if(pids[i] == 0){
      sleep(i % 3);
      exit(100 + i);
    }
  }
  int seen = 0;
  for(int k = 0; k < NELEM(pids); k++){
    int st;
    int r = wait(&st);
    int i = 0;
    while(i < NELEM(pids) && pids[i] != r)
      i++;
    CHECK(i < NELEM(pids), "wait returned %d, which is none of the children", r);
    CHECK((seen & (1 << i)) == 0, "child %d was reaped twice", r);
    CHECK(st == 100 + i, "child %d exited with %d but wait says %d", r, 100 + i, st);
    seen |= 1 << i;
  }
  int r = wait(0);
  CHECK(r == -1, "wait without children returned %d", r);

  pid = xfork();
  if(pid == 0)
    exit(getpid());
  CHECK(waitfor(pid) == pid, "the child's getpid differs from what fork returned");
  CHECK(getpid() > 0 && getpid() != pid, "getpid returned %d", getpid());
}

// Children whose parent exits are adopted and reaped by init. Over the
// rounds more orphans are made than there are process slots, so unless
// they are reaped, fork soon fails.
static void
orphans(void)
{
  for(int round = 0; round < 4; round++){
    int pid = xfork();
    if(pid == 0){
      for(int i = 0; i < 20; i++){
        if(xfork() == 0){
          // Half are zombies when their parent exits, half still run.
          if(i % 2)
            sleep(2);
          exit(0);
        }
      }
      exit(0);
    }
    CHECK(waitfor(pid) == 0, "round %d: a parent of orphans could not fork", round);
    sleep(3);
  }
}

// Fork until fork fails; the children wait on a pipe and exit when the
// parent closes it. Return how many there were.
static int
forkmax(void)
{
  int fds[2];
  xpipe(fds);
  int n = 0;
  for(;;){
    int pid = fork();
    if(pid < 0)
      break;
    if(pid == 0){
      char c;
      close(fds[1]);
      read(fds[0], &c, 1);
      exit(0);
    }
    n++;
    CHECK(n <= NPROC, "fork worked %d times, but NPROC is %d", n, NPROC);
  }
  xclose(fds[0]);
  xclose(fds[1]);
  waitok(n);
  int r = wait(0);
  CHECK(r == -1, "wait returned %d after all children were reaped", r);
  return n;
}

// Fork until the process table is full, twice: the slots come back.
static void
forkfull(void)
{
  int n1 = forkmax();
  int n2 = forkmax();
  CHECK(n1 > NPROC / 2, "only %d forks worked", n1);
  CHECK(n2 >= n1, "%d forks worked, but only %d after those children exited", n1, n2);
}

// Two children forked and both reaped, over and over.
static void
twochildren(void)
{
  for(int i = 0; i < 300; i++){
    for(int k = 0; k < 2; k++)
      if(xfork() == 0)
        exit(0);
    waitok(2);
  }
}

// Several processes fork and reap children at the same time.
static void
forkfork(void)
{
  enum { NW = 4, ROUNDS = 50 };
  for(int w = 0; w < NW; w++){
    if(xfork() != 0)
      continue;
    for(int i = 0; i < ROUNDS; i++){
      int pid = fork();
      CHECK(pid >= 0, "worker %d: fork failed at round %d", w, i);
      if(pid == 0)
        exit(0);
      CHECK(waitfor(pid) == 0, "worker %d: child failed", w);
    }
    exit(0);
  }
  waitok(NW);
}

// A fork storm: every process forks as fast as it can, and never waits,
// until the process table is full; then they all stop. Parents exit with
// children still running or already zombies, so init must reap the rest:
// afterwards as many forks work as before.
static void
forkforkfork(void)
{
  int before = forkmax();
  unlink("ut.stopfork");
  int pid = xfork();
  if(pid == 0){
    for(;;){
      int fd = open("ut.stopfork", O_RDONLY);
      if(fd >= 0)
        exit(0);
      if(fork() < 0)
        close(open("ut.stopfork", O_CREATE | O_RDWR));
    }
  }
  sleep(10);
  close(open("ut.stopfork", O_CREATE | O_RDWR));
  CHECK(waitfor(pid) == 0, "the first forker failed");
  int after = 0;
  for(int tries = 0; tries < 20 && (after = forkmax()) < before; tries++)
    sleep(10);
  CHECK(after >= before, "%d forks worked before the storm, %d after it", before, after);
  xunlink("ut.stopfork");
}

static int blockfds[2];   // nobody writes this pipe: reading it blocks
static int fullfds[2];    // nobody reads this pipe: writing it blocks once full

static void
sleeper(void)
{
  sleep(1000000);
}

static void
pipereader(void)
{
  char c;
  close(blockfds[1]);
  read(blockfds[0], &c, 1);
}

static void
pipewriter(void)
{
  memset(buf, 'w', BUFSZ);
  for(;;)
    write(fullfds[1], buf, BUFSZ);
}

// Blocks in wait for a child that blocks on a pipe read.
static void
waiter(void)
{
  if(xfork() == 0){
    pipereader();
    exit(0);
  }
  wait(0);
}

static void
spinner(void)
{
  volatile uint64 n = 0;
  for(;;)
    n++;
}

// Start a child running fn and return its pid once it has started.
static int
startchild(void (*fn)(void))
{
  int fds[2];
  xpipe(fds);
  int pid = xfork();
  if(pid == 0){
    close(fds[0]);
    write(fds[1], "s", 1);
    close(fds[1]);
    fn();
    exit(0);
  }
  char c;
  xclose(fds[1]);
  CHECK(read(fds[0], &c, 1) == 1, "child %d did not start", pid);
  xclose(fds[0]);
  return pid;
}

// kill ends a process sleeping in any of the ways a process can sleep.
static void
killsleeping(void)
{
  static void (*const fns[])(void) = { sleeper, pipereader, pipewriter, waiter };
  static const char *what[] = { "sleep", "a pipe read", "a pipe write", "wait" };

  xpipe(blockfds);
  xpipe(fullfds);
  for(int i = 0; i < NELEM(fns); i++){
    int pid = startchild(fns[i]);
    sleep(2);
    CHECK(kill(pid) == 0, "kill(%d) failed", pid);
    int st = waitfor(pid);
    CHECK(st == -1, "a child killed in %s exited with %d", what[i], st);
  }
  // The waiter's child, now an orphan, sees end of file and exits.
  xclose(blockfds[1]);
  xclose(blockfds[0]);
  xclose(fullfds[0]);
  xclose(fullfds[1]);
}

// kill ends processes that are running, on whatever CPU they run.
static void
killrunning(void)
{
  int pids[4];
  for(int i = 0; i < NELEM(pids); i++)
    pids[i] = startchild(spinner);
  sleep(2);
  for(int i = 0; i < NELEM(pids); i++)
    CHECK(kill(pids[i]) == 0, "kill(%d) failed", pids[i]);
  for(int i = 0; i < NELEM(pids); i++){
    int st;
    int r = wait(&st);
    CHECK(r > 0 && st == -1, "wait returned %d, status %d; killed spinners end with -1", r, st);
  }
}

// kill of pids that do not exist fails; a process can kill itself.
static void
killmisc(void)
{
  static const int nopids[] = { -1, 0, NPROC * 1000, 0x7fffffff };
  for(int i = 0; i < NELEM(nopids); i++)
    CHECK(kill(nopids[i]) == -1, "kill(%d) did not fail", nopids[i]);

  int pid = xfork();
  if(pid == 0){
    kill(getpid());
    for(int i = 0; i < 20; i++)
      sleep(1);
    exit(0);
  }
  int st = waitfor(pid);
  CHECK(st == -1, "a process that killed itself exited with %d", st);
}

// A forked child has a copy of the parent's memory, not a share of it.
static void
forkcopy(void)
{
  enum { SZ = 256 * 1024 };
  char *m = sbrk(SZ);
  CHECK(m != FAILPTR, "sbrk(%d) failed", SZ);
  fillpat(m, SZ, 0, 5);
  for(int i = 0; i < 6; i++){
    if(xfork() == 0){
      CHECK(badpat(m, SZ, 0, 5) < 0, "the child's copy of the heap differs");
      fillpat(m, SZ, 0, 6 + i);
      CHECK(badpat(m, SZ, 0, 6 + i) < 0, "the child cannot change its copy");
      exit(0);
    }
  }
  waitok(6);
  CHECK(badpat(m, SZ, 0, 5) < 0, "children's writes changed the parent's heap");
}

// ---------------------------------------------------------------------------
// exec

// The most arguments exec takes (MAXARG-1 and the terminating null) arrive
// in order; many more make exec fail.
static void
execargs(void)
{
  enum { NWORD = MAXARG + 8 };
  static char words[NWORD][8];
  static char *argv[NWORD + 1];

  argv[0] = "echo";
  for(int i = 1; i < NWORD; i++){
    mkname(words[i], "w", i);
    argv[i] = words[i];
  }
  argv[MAXARG - 1] = 0;
  char *e = buf2;
  for(int i = 1; i < MAXARG - 1; i++){
    strcpy(e, words[i]);
    e += strlen(e);
    *e++ = i + 1 < MAXARG - 1 ? ' ' : '\n';
  }
  *e = 0;
  int st = capture("/echo", argv, 0, buf, BUFSZ);
  CHECK(st == 0, "exec with %d arguments: status %d", MAXARG - 1, st);
  CHECK(strcmp(buf, buf2) == 0, "echo of %d arguments printed \"%s\"", MAXARG - 1, buf);

  argv[MAXARG - 1] = words[MAXARG - 1];
  argv[NWORD] = 0;
  st = capture("/echo", argv, 0, buf, BUFSZ);
  CHECK(st == EXEC_RETURNED, "exec with %d arguments: status %d, but it must fail",
        NWORD, st);
}

// Large arguments arrive intact while they fit on the one-page user
// stack; when they cannot fit, exec fails.
static void
execbigargs(void)
{
  enum { LEN = 1000 };
  static char args[10][LEN + 1];
  static char huge[2 * PGSIZE];
  char *argv[12];

  for(int i = 0; i < 10; i++){
    memset(args[i], 'a' + i, LEN);
    args[i][LEN] = 0;
  }
  argv[0] = "echo";
  for(int i = 0; i < 3; i++)
    argv[i + 1] = args[i];
  argv[4] = 0;
  int st = capture("/echo", argv, 0, buf, BUFSZ);
  CHECK(st == 0, "exec with 3 arguments of %d bytes: status %d", LEN, st);
  int ok = strlen(buf) == 3 * (LEN + 1);
  for(int i = 0; ok && i < 3; i++)
    ok = memcmp(buf + i * (LEN + 1), args[i], LEN) == 0 &&
         buf[i * (LEN + 1) + LEN] == (i < 2 ? ' ' : '\n');
  CHECK(ok, "echo of 3 arguments of %d bytes printed %d wrong bytes", LEN, (int)strlen(buf));

  for(int i = 0; i < 10; i++)
    argv[i + 1] = args[i];
  argv[11] = 0;
  st = capture("/echo", argv, 0, buf, BUFSZ);
  CHECK(st == EXEC_RETURNED, "exec with %d bytes of arguments: status %d, but they cannot fit",
        10 * LEN, st);

  memset(huge, 'h', sizeof huge - 1);
  argv[1] = huge;
  argv[2] = 0;
  st = capture("/echo", argv, 0, buf, BUFSZ);
  CHECK(st == EXEC_RETURNED, "exec with a %d-byte argument: status %d, but it cannot fit",
        (int)sizeof huge - 1, st);
}

// exec of things that are not programs returns -1.
static void
execmissing(void)
{
  static char *paths[] = {
    "ut.nosuchfile", "", "/", ".", "/README", "ut.nodir/echo", "echo/echo",
  };
  for(int i = 0; i < NELEM(paths); i++){
    char *argv[] = { paths[i], 0 };
    int st = capture(paths[i], argv, 0, buf, BUFSZ);
    CHECK(st == EXEC_RETURNED, "exec(\"%s\"): status %d, but it must return -1", paths[i], st);
  }
}

// exec works after the process has grown, by whole pages or not.
static void
execsbrk(void)
{
  static const int grows[] = { 12345, 4 * 1024 * 1024, 3 * PGSIZE };
  char *argv[] = { "echo", "after", "sbrk", 0 };
  for(int i = 0; i < NELEM(grows); i++){
    int st = capture("/echo", argv, grows[i], buf, BUFSZ);
    CHECK(st == 0 && strcmp(buf, "after sbrk\n") == 0,
          "exec after sbrk(%d): status %d, output \"%s\"", grows[i], st, buf);
  }
}

static char *echoimg;     // the /echo program
static int echolen;
static int echotext;      // index of its first loadable segment (the text)
static int echolast;      // index of its last loadable segment
static int echoend;       // end of the file's loadable bytes

static struct proghdr *
phdr(char *img, int i)
{
  struct elfhdr *eh = (struct elfhdr*)img;
  return (struct proghdr*)(img + eh->phoff + i * sizeof(struct proghdr));
}

// Read /echo, the model for the ELF files the exec tests write.
static void
loadecho(void)
{
  struct stat st;
  xstat("/echo", &st);
  echolen = st.size;
  echoimg = malloc(echolen);
  CHECK(echoimg != 0, "malloc(%d) failed", echolen);
  int fd = xopen("/echo", O_RDONLY);
  xread(fd, echoimg, echolen);
  xclose(fd);

  struct elfhdr *eh = (struct elfhdr*)echoimg;
  CHECK(eh->magic == ELF_MAGIC && eh->phentsize == sizeof(struct proghdr) &&
        eh->phoff + eh->phnum * sizeof(struct proghdr) <= echolen,
        "echo is not the ELF file expected");
  echotext = -1;
  echoend = 0;
  for(int i = 0; i < eh->phnum; i++){
    struct proghdr *ph = phdr(echoimg, i);
    if(ph->type != ELF_PROG_LOAD)
      continue;
    if(echotext < 0)
      echotext = i;
    echolast = i;
    if(ph->off + ph->filesz > echoend)
      echoend = ph->off + ph->filesz;
  }
  CHECK(echotext >= 0 && echolast != echotext, "echo has fewer than two loadable segments");
}

static void
writeimg(const char *path, char *img, int n)
{
  int fd = xopen(path, O_CREATE | O_TRUNC | O_WRONLY);
  if(n > 0)
    xwrite(fd, img, n);
  xclose(fd);
}

// Broken and hostile executables, made from a copy of echo.
enum {
  E_GOOD, E_EMPTY, E_TEXT, E_HEADER, E_PHDRS, E_HALFTEXT, E_SHORT, E_MAGIC,
  E_FILESZ, E_OFF, E_WRAP, E_HUGE, E_MAXVA, E_TRAPFRAME, E_PHNUM, E_PHOFF, E_NCASE
};
static const char *elfcases[E_NCASE] = {
  [E_GOOD] = "an intact copy of echo",
  [E_EMPTY] = "an empty file",
  [E_TEXT] = "a text file",
  [E_HEADER] = "just an ELF header",
  [E_PHDRS] = "just the ELF and program headers",
  [E_HALFTEXT] = "a file cut in the middle of the text",
  [E_SHORT] = "a file one byte short",
  [E_MAGIC] = "a file with a bad magic number",
  [E_FILESZ] = "a segment with filesz > memsz",
  [E_OFF] = "a segment beyond the end of the file",
  [E_WRAP] = "a segment whose end wraps around",
  [E_HUGE] = "a 1 GB segment",
  [E_MAXVA] = "a segment at MAXVA",
  [E_TRAPFRAME] = "a segment on the trapframe",
  [E_PHNUM] = "65535 program headers",
  [E_PHOFF] = "program headers at a huge offset",
};

// Turn img, a copy of echo, into case c; return the length of file to write.
static int
mutate(int c, char *img)
{
  struct elfhdr *eh = (struct elfhdr*)img;
  struct proghdr *text = phdr(img, echotext);
  struct proghdr *last = phdr(img, echolast);

  switch(c){
  case E_EMPTY:
    return 0;
  case E_TEXT:
    strcpy(img, "#!/bin/sh\necho this is not an ELF file\n");
    return strlen(img);
  case E_HEADER:
    return sizeof(struct elfhdr);
  case E_PHDRS:
    return eh->phoff + eh->phnum * sizeof(struct proghdr);
  case E_HALFTEXT:
    return text->off + text->filesz / 2;
  case E_SHORT:
    return echoend - 1;
  case E_MAGIC:
    img[1] = 'e';
    break;
  case E_FILESZ:
    last->filesz = last->memsz + PGSIZE;
    break;
  case E_OFF:
    last->off = 0x7fff0000;
    last->filesz = last->memsz;
    break;
  case E_WRAP:
    last->vaddr = -(uint64)PGSIZE;
    last->memsz = 2 * PGSIZE;
    break;
  case E_HUGE:
    last->memsz = 1UL << 30;
    break;
  case E_MAXVA:
    last->vaddr = MAXVA;
    break;
  case E_TRAPFRAME:
    last->vaddr = TRAPFRAME;
    break;
  case E_PHNUM:
    eh->phnum = 0xffff;
    break;
  case E_PHOFF:
    eh->phoff = 0xfffffffffffff000UL;
    break;
  }
  return echoend;
}

// exec of each broken executable returns -1 and leaves the caller intact.
static void
execbadelf(void)
{
  loadecho();
  char *img = malloc(echolen);
  CHECK(img != 0, "malloc(%d) failed", echolen);
  for(int c = 0; c < E_NCASE; c++){
    memmove(img, echoimg, echolen);
    writeimg("ut.elf", img, mutate(c, img));
    char *argv[] = { "ut.elf", "x", 0 };
    int st = capture("ut.elf", argv, 0, buf, BUFSZ);
    if(c == E_GOOD)
      CHECK(st == 0 && strcmp(buf, "x\n") == 0,
            "exec of %s: status %d, output \"%s\"", elfcases[c], st, buf);
    else
      CHECK(st == EXEC_RETURNED, "exec of %s: status %d, but exec must return -1",
            elfcases[c], st);
  }
  xunlink("ut.elf");
}

// A big program: echo with 64 KB of file-backed data (reaching into the
// indirect block) and 8 MB of bss.
static void
execbig(void)
{
  enum { DATASZ = 64 * 1024, BSS = 8 * 1024 * 1024 };

  loadecho();
  struct proghdr *orig = phdr(echoimg, echolast);
  CHECK(orig->memsz <= DATASZ, "echo's data segment is unexpectedly large");
  int dataoff = PGROUNDUP(echoend);
  int len = dataoff + DATASZ;
  char *img = malloc(len);
  CHECK(img != 0, "malloc(%d) failed", len);
  // The original data, then zeros: its bss and the new data.
  memset(img, 0, len);
  memmove(img, echoimg, echoend);
  memmove(img + dataoff, echoimg + orig->off, orig->filesz);
  struct proghdr *ph = phdr(img, echolast);
  ph->off = dataoff;
  ph->filesz = DATASZ;
  ph->memsz = DATASZ + BSS;
  // The section headers were left behind.
  struct elfhdr *eh = (struct elfhdr*)img;
  eh->shoff = 0;
  eh->shnum = 0;
  eh->shstrndx = 0;
  writeimg("ut.bigprog", img, len);

  char *argv[] = { "ut.bigprog", "big", "program", 0 };
  int st = capture("ut.bigprog", argv, 0, buf, BUFSZ);
  CHECK(st == 0 && strcmp(buf, "big program\n") == 0,
        "exec of a %d KB program with %d MB of bss: status %d, output \"%s\"",
        len / 1024, BSS >> 20, st, buf);
  xunlink("ut.bigprog");
}

// ---------------------------------------------------------------------------
// Memory

// Whether n bytes at p are all zero.
static int
allzero(const char *p, int n)
{
  for(int i = 0; i < n; i++)
    if(p[i])
      return 0;
  return 1;
}

static void
readbyte(uint64 a)
{
  volatile char c = *(volatile char*)a;
  (void)c;
}

static void
writebyte(uint64 a)
{
  *(volatile char*)a = 1;
}

// sbrk returns the old break; memory it adds reads as zero, even memory
// that was given back with a negative sbrk and taken again.
static void
sbrkbasic(void)
{
  enum { BIG = 5 * 1024 * 1024 };
  char *start = sbrk(0);
  char *p = sbrk(PGROUNDUP((uint64)start) - (uint64)start);
  CHECK(p == start, "sbrk returned %p, expected the old break %p", p, start);
  char *base = sbrk(0);
  CHECK((uint64)base % PGSIZE == 0, "the break %p is not where sbrk put it", base);

  char *top = base;
  for(int i = 0; i < 40; i++){
    int n = 1 + i * 97;
    p = sbrk(n);
    CHECK(p == top, "sbrk(%d) returned %p, expected %p", n, p, top);
    CHECK(allzero(p, n), "new memory from sbrk(%d) is not zeroed", n);
    fillpat(p, n, p - base, 1);
    top += n;
  }
  CHECK(sbrk(0) == top, "the break is %p, expected %p", sbrk(0), top);
  CHECK(badpat(base, top - base, 0, 1) < 0, "memory grown in small steps lost its contents");

  // Whole pages (the allocator fills free pages with junk).
  sbrk(PGROUNDUP((uint64)top) - (uint64)top);
  char *big = sbrk(0);
  p = sbrk(BIG);
  CHECK(p == big, "sbrk(%d) returned %p, expected %p", BIG, p, big);
  CHECK(allzero(p, BIG), "%d bytes of new memory are not all zero", BIG);
  memset(p, 0x5a, BIG);
  p = sbrk(-BIG);
  CHECK(p == big + BIG && sbrk(0) == big, "sbrk(-%d) returned %p, the break is %p",
        BIG, p, sbrk(0));
  mustkill(readbyte, (uint64)big + BIG / 2, "reading memory given back with sbrk");
  p = sbrk(BIG);
  CHECK(p == big && allzero(p, BIG), "memory given back and taken again is not zeroed");
  CHECK(sbrk(-BIG) != FAILPTR, "sbrk(-%d) failed", BIG);

  // Shrinking below zero fails and changes nothing.
  int sz = (int)(uint64)big;
  p = sbrk(-sz - PGSIZE);
  CHECK(p == FAILPTR, "sbrk(%d) on a %d-byte process returned %p", -sz - PGSIZE, sz, p);
  CHECK(sbrk(0) == big, "a refused sbrk moved the break");
  CHECK(badpat(base, top - base, 0, 1) < 0, "memory changed");
}

// One sbrk grows the process to 100 MB, most of the machine's memory;
// every page of it is usable. Shrinking by a page takes that page away, and
// growing again brings it back zeroed. What is given back cannot be read.
static void
sbrkmuch(void)
{
  enum { BIG = 100 * 1024 * 1024 };
  char *start = sbrk(0);
  uint64 amt = BIG - (uint64)start;

  char *p = sbrk(amt);
  CHECK(p == start, "sbrk(%d) returned %p, expected %p", (int)amt, p, start);
  char *top = start + amt;
  for(char *q = (char*)PGROUNDUP((uint64)start); q < top; q += PGSIZE)
    *q = 1;
  top[-1] = 1;
  CHECK(sbrk(0) == top, "the break is %p, expected %p", sbrk(0), top);

  char *last = (char*)PGROUNDDOWN((uint64)top - 1);
  p = sbrk(-(top - last));
  CHECK(p == top && sbrk(0) == last, "sbrk(-%d) returned %p, the break is %p",
        (int)(top - last), p, sbrk(0));

  p = sbrk(PGSIZE);
  CHECK(p == last, "sbrk(%d) returned %p, expected %p", PGSIZE, p, last);
  CHECK(allzero(last, PGSIZE), "a page given back and taken again is not zeroed");

  p = sbrk(-(last + PGSIZE - start));
  CHECK(p == last + PGSIZE && sbrk(0) == start, "shrinking back: sbrk returned %p, the break is %p",
        p, sbrk(0));
  // Only now is the process small enough to fork.
  mustkill(readbyte, (uint64)last, "reading a page given back by sbrk");
}

// Requests bigger than memory fail and leave the process as it was.
static void
sbrktoobig(void)
{
  char *top = sbrk(0);
  char *p = sbrk(0x7fffffff);
  CHECK(p == FAILPTR, "sbrk(0x7fffffff) on a 128 MB machine returned %p", p);
  CHECK(sbrk(0) == top, "a refused sbrk moved the break from %p to %p", top, sbrk(0));
  p = sbrk(-0x7fffffff - 1);
  CHECK(p == FAILPTR, "sbrk(-0x80000000) returned %p", p);
  CHECK(sbrk(0) == top, "a refused sbrk moved the break from %p to %p", top, sbrk(0));
  CHECK(canary == CANARY, "a refused sbrk changed the data segment");
  p = sbrk(PGSIZE);
  CHECK(p == top, "sbrk(%d) after a refusal returned %p", PGSIZE, p);
  p[0] = 1;
  int pid = xfork();
  if(pid == 0)
    exit(p[0] == 1 ? 0 : 1);
  CHECK(waitfor(pid) == 0, "the child of a process refused memory is broken");
}

// Memory given back with sbrk returns to the system: far more than the
// machine has is taken and given back in turns.
static void
pagesback(void)
{
  enum { STEP = 16 * 1024 * 1024, ROUNDS = 12 };
  for(int i = 0; i < ROUNDS; i++){
    char *p = sbrk(STEP);
    CHECK(p != FAILPTR, "round %d: sbrk(%d) failed: the memory given back did not return",
          i, STEP);
    for(int off = 0; off < STEP; off += PGSIZE)
      p[off] = i;
    CHECK(sbrk(-STEP) == p + STEP, "round %d: sbrk(-%d) failed", i, STEP);
  }
}

// Uninitialised static memory (the bss) starts out zero.
static char bss[10000];

static void
bsstest(void)
{
  CHECK(allzero(bss, sizeof bss), "the bss is not all zero");
}

// Shrinking the whole process, or into its text, kills it when it returns
// to user space, and only it; shrinking by less than a page keeps the page.
static void
sbrkbugs(void)
{
  int pid = xfork();
  if(pid == 0){
    sbrk(-(int)(uint64)sbrk(0));
    exit(0);
  }
  CHECK(waitfor(pid) == -1, "a process that gave back all its memory went on");

  // What runs after the sbrk (this function, its stack) lies above 3500.
  CHECK((uint64)sbrkbugs >= PGSIZE, "sbrkbugs is in the first page");
  pid = xfork();
  if(pid == 0){
    sbrk(-(int)((uint64)sbrk(0) - 3500));
    exit(0);
  }
  CHECK(waitfor(pid) == -1, "a process that gave back most of its text went on");

  // A break in the middle of a page, moved down by 10 bytes: the page
  // stays, with what it holds; below its start, it goes.
  sbrk(PGROUNDUP((uint64)sbrk(0)) - (uint64)sbrk(0));
  char *top = sbrk(0);
  CHECK(sbrk(PGSIZE + 2048) == top, "sbrk(%d) failed", PGSIZE + 2048);
  fillpat(top, PGSIZE + 2048, 0, 3);
  CHECK(sbrk(-10) == top + PGSIZE + 2048, "sbrk(-10) did not return the old break");
  CHECK(sbrk(0) == top + PGSIZE + 2038, "sbrk(-10) left the break at %p", sbrk(0));
  CHECK(badpat(top, PGSIZE + 2038, 0, 3) < 0, "memory below the break changed");
  CHECK(sbrk(-2038) != FAILPTR && sbrk(0) == top + PGSIZE, "shrinking to a page boundary failed");
  mustkill(readbyte, (uint64)top + PGSIZE, "reading a page given back");
  CHECK(sbrk(100) == top + PGSIZE && allzero(top + PGSIZE, 100),
        "a page given back and taken again is not zeroed");
  CHECK(badpat(top, PGSIZE, 0, 3) < 0, "the page below the break changed");
}

// After a shrink by less than a page, system calls still read and write
// the last bytes below the break.
static void
sbrklast(void)
{
  sbrk(PGROUNDUP((uint64)sbrk(0)) - (uint64)sbrk(0));
  sbrk(PGSIZE);
  sbrk(10);
  sbrk(-20);
  char *end = sbrk(0);
  char *name = end - 16;
  strcpy(name, "ut.sbrklast");
  int fd = xopen(name, O_CREATE | O_RDWR);
  end[-1] = 'L';
  xwrite(fd, end - 1, 1);
  xclose(fd);
  end[-1] = 0;
  fd = xopen(name, O_RDONLY);
  xread(fd, end - 1, 1);
  CHECK(end[-1] == 'L', "the byte read into the last byte below the break is %d", end[-1]);
  xclose(fd);
  xunlink(name);
}

// malloc until memory runs out; once it is all freed, a big malloc works.
static void
mem(void)
{
  enum { SZ = 10001 };
  void **list = 0;
  int n = 0;
  void **m;
  while((m = malloc(SZ)) != 0){
    *m = list;
    list = m;
    n++;
  }
  CHECK(n > 1000, "only %d blocks of %d bytes could be had", n, SZ);
  while(list){
    m = *list;
    free(list);
    list = m;
  }
  m = malloc(20 * 1024);
  CHECK(m != 0, "malloc(%d) failed after everything was freed", 20 * 1024);
  free(m);
}

// Several processes ask for most of memory at once. At most one can have
// it, and the requests that fail give back what they took: another process
// can still grow. (That no page is lost in the end, usertests checks after
// every run.)
static void
sbrkfail(void)
{
  enum { NCHILD = 3, BIG = 100 * 1024 * 1024 };
  int pids[NCHILD];
  int fds[2];

  xpipe(fds);
  for(int i = 0; i < NCHILD; i++){
    pids[i] = xfork();
    if(pids[i] == 0){
      char *p = sbrk(BIG - (uint64)sbrk(0));
      if(p != FAILPTR)
        for(char *q = (char*)PGROUNDUP((uint64)p); q < (char*)BIG; q += PGSIZE)
          *q = 1;
      write(fds[1], p == FAILPTR ? "n" : "y", 1);
      for(;;)
        sleep(1000);
    }
  }
  int got = 0;
  for(int i = 0; i < NCHILD; i++){
    char c;
    xread(fds[0], &c, 1);
    got += c == 'y';
  }
  CHECK(got <= 1, "%d processes of %d MB on a 128 MB machine", got, BIG >> 20);
  int pid = xfork();
  if(pid == 0){
    char *p = sbrk(PGSIZE);
    if(p == FAILPTR)
      exit(1);
    p[0] = 1;
    exit(0);
  }
  CHECK(waitfor(pid) == 0, "failed requests for memory kept it: a process cannot grow a page");
  for(int i = 0; i < NCHILD; i++)
    kill(pids[i]);
  for(int i = 0; i < NCHILD; i++)
    CHECK(wait(0) > 0, "a child was lost");
  xclose(fds[0]);
  xclose(fds[1]);
}

// Read and write a in children, both of which the kernel must kill.
static void
mustfault(uint64 a)
{
  mustkill(readbyte, a, "reading");
  mustkill(writebyte, a, "writing");
}

// Kernel memory, devices, and the trapframe and trampoline pages (mapped
// for the kernel only).
static void
kernelmem(void)
{
  static const uint64 addrs[] = {
    KERNBASE, KERNBASE + 0x21000, KERNBASE + 0x1000000, PHYSTOP - 1, PHYSTOP,
    UART0, PLIC, VIRTIO0, TRAPFRAME, TRAMPOLINE, TRAMPOLINE + 100,
  };
  for(int i = 0; i < NELEM(addrs); i++)
    mustfault(addrs[i]);
}

// Addresses at and above MAXVA, including ones the hardware sees as
// valid upper-half addresses.
static void
maxva(void)
{
  static const uint64 addrs[] = {
    MAXVA - 1, MAXVA, MAXVA + PGSIZE, 1UL << 39, 1UL << 47, 1UL << 63,
    0xffffffc000000000UL, 0xfffffffffffff000UL, 0xffffffffffffffffUL,
  };
  for(int i = 0; i < NELEM(addrs); i++)
    mustfault(addrs[i]);
}

// Unmapped memory just above the break and far above it.
static void
abovebrk(void)
{
  uint64 top = PGROUNDUP((uint64)sbrk(0));
  mustfault(top);
  mustfault(top + 100 * PGSIZE);
  mustfault(top + 0x10000000);
}

// Keeps its frame alive across the call, so the recursion cannot be
// turned into a loop.
static int
recurse(int n)
{
  volatile char frame[512];
  frame[0] = n;
  if(n == 0)
    return 0;
  frame[1] = recurse(n - 1);
  return frame[0] + frame[1];
}

static void
overflow(uint64 depth)
{
  recurse(depth);
}

// The page below the one-page stack is a guard: touching it, or
// recursing into it, kills the process.
static void
stackguard(void)
{
  uint64 guard = PGROUNDDOWN(r_sp()) - PGSIZE;
  mustfault(guard);
  mustfault(guard + PGSIZE - 1);
  mustkill(overflow, 64, "recursing 64 frames of 512 bytes, depth");
}

// Text and read-only data can be read and executed but not written.
static void
textwrite(void)
{
  readbyte((uint64)textwrite);
  mustkill(writebyte, (uint64)textwrite, "writing the text");
  mustkill(writebyte, 0, "writing address 0");
  mustkill(writebyte, (uint64)elfcases[0], "writing read-only data");
}

// Addresses no system call may read or write: kernel memory, the
// trapframe and trampoline, addresses past MAXVA, unmapped pages above
// the break, and the stack guard page.
static int
badaddrs(uint64 *a)
{
  int n = 0;
  uint64 top = PGROUNDUP((uint64)sbrk(0));
  a[n++] = 0xffffffffffffffffUL;
  a[n++] = KERNBASE;
  a[n++] = PHYSTOP - 64;
  a[n++] = MAXVA;
  a[n++] = MAXVA - 64;
  a[n++] = TRAPFRAME;
  a[n++] = top;
  a[n++] = top + 8 * PGSIZE;
  a[n++] = PGROUNDDOWN(r_sp()) - PGSIZE;
  return n;
}

static int
bp_readfile(uint64 p)
{
  return read(xopen("ut.bp", O_RDONLY), (void*)p, 64);
}

static int
bp_writefile(uint64 p)
{
  return write(xopen("ut.bp", O_WRONLY), (void*)p, 64);
}

static int
bp_readpipe(uint64 p)
{
  int fds[2];
  xpipe(fds);
  xwrite(fds[1], "0123456789", 10);
  return read(fds[0], (void*)p, 10);
}

static int
bp_writepipe(uint64 p)
{
  int fds[2];
  xpipe(fds);
  return write(fds[1], (void*)p, 10);
}

static int
bp_console(uint64 p)
{
  return write(1, (void*)p, 10);
}

static int
bp_open(uint64 p)
{
  return open((char*)p, O_RDONLY);
}

static int
bp_create(uint64 p)
{
  return open((char*)p, O_CREATE | O_RDWR);
}

static int
bp_mkdir(uint64 p)
{
  return mkdir((char*)p);
}

static int
bp_unlink(uint64 p)
{
  return unlink((char*)p);
}

static int
bp_chdir(uint64 p)
{
  return chdir((char*)p);
}

static int
bp_linkold(uint64 p)
{
  return link((char*)p, "ut.bpl");
}

static int
bp_linknew(uint64 p)
{
  return link("ut.bp", (char*)p);
}

static int
bp_mknod(uint64 p)
{
  return mknod((char*)p, 1, 0);
}

static int
bp_execpath(uint64 p)
{
  char *argv[] = { "echo", 0 };
  return exec((char*)p, argv);
}

static int
bp_execargv(uint64 p)
{
  return exec("/echo", (char**)p);
}

static int
bp_execarg(uint64 p)
{
  char *argv[] = { "echo", (char*)p, 0 };
  return exec("/echo", argv);
}

static int
bp_pipe(uint64 p)
{
  return pipe((int*)p);
}

static int
bp_fstat(uint64 p)
{
  return fstat(xopen("ut.bp", O_RDONLY), (struct stat*)p);
}

static int
bp_wait(uint64 p)
{
  if(xfork() == 0)
    exit(0);
  return wait((int*)p);
}

struct call {
  const char *name;
  int (*fn)(uint64);
};

static const struct call ptrcalls[] = {
  { "read of a file", bp_readfile }, { "write of a file", bp_writefile },
  { "read of a pipe", bp_readpipe }, { "write of a pipe", bp_writepipe },
  { "write of the console", bp_console }, { "open", bp_open },
  { "open O_CREATE", bp_create }, { "mkdir", bp_mkdir }, { "unlink", bp_unlink },
  { "chdir", bp_chdir }, { "link from", bp_linkold }, { "link to", bp_linknew },
  { "mknod", bp_mknod }, { "exec path", bp_execpath }, { "exec argv", bp_execargv },
  { "exec argument", bp_execarg }, { "pipe", bp_pipe }, { "fstat", bp_fstat },
  { "wait", bp_wait },
};

// Every system call that takes a pointer refuses each bad address.
static void
badptr(void)
{
  uint64 addrs[16];
  int n = badaddrs(addrs);
  int bad = 0;

  putfile("ut.bp", 100, 3);
  for(int i = 0; i < NELEM(ptrcalls); i++)
    for(int j = 0; j < n; j++)
      bad += !refused(ptrcalls[i].name, ptrcalls[i].fn, addrs[j], -1);
  CHECK(bad == 0, "%d calls with bad pointers were not refused", bad);
  checkfile("ut.bp", 100, 3);
  xunlink("ut.bp");
  CHECK(open("ut.bpl", O_RDONLY) < 0, "link with a bad pointer made a file");
}

// A refused pipe() leaves no descriptor or file behind: fail it more
// times than there are files, then the lowest descriptor is still free.
static void
badpipeleak(void)
{
  int pid = xfork();
  if(pid == 0){
    for(int i = 0; i < 2 * NFILE; i++)
      CHECK(pipe((int*)KERNBASE) == -1, "pipe(KERNBASE) did not fail");
    int fd = xopen("/README", O_RDONLY);
    CHECK(fd == 3, "after refused pipes, open returned fd %d, not 3", fd);
    exit(0);
  }
  int st = waitfor(pid);
  CHECK(st == 0, "child exited with %d", st);
}

// Buffers that run off the end of memory and lengths that are negative
// or huge. Kept small enough that a kernel treating a length as unsigned
// stops at the unmapped page rather than waiting for a full pipe.
static char *edge;        // the end of mapped memory: sbrk(0), page-aligned

static int
bl_readneg(uint64 n)
{
  return read(xopen("ut.bl", O_RDONLY), buf, -(int)n);
}

static int
bl_writeneg(uint64 n)
{
  return write(xopen("ut.blw", O_CREATE | O_WRONLY), edge - 100, -(int)n);
}

static int
bl_readpipeneg(uint64 n)
{
  int fds[2];
  xpipe(fds);
  xwrite(fds[1], "0123456789abcdef", 16);
  return read(fds[0], buf, -(int)n);
}

static int
bl_writepipeneg(uint64 n)
{
  int fds[2];
  xpipe(fds);
  return write(fds[1], edge - 100, -(int)n);
}

static int
bl_consoleneg(uint64 n)
{
  return write(1, edge - 100, -(int)n);
}

static int
bl_readedge(uint64 n)
{
  return read(xopen("ut.bl", O_RDONLY), edge - 10, n);
}

static int
bl_writeedge(uint64 n)
{
  return write(xopen("ut.blw", O_CREATE | O_WRONLY), edge - 10, n);
}

static int
bl_readpipeedge(uint64 n)
{
  int fds[2];
  xpipe(fds);
  xwrite(fds[1], buf, 100);
  return read(fds[0], edge - 10, n);
}

static int
bl_writepipeedge(uint64 n)
{
  int fds[2];
  xpipe(fds);
  return write(fds[1], edge - 10, n);
}

static int
bl_fstatedge(uint64 n)
{
  return fstat(xopen("ut.bl", O_RDONLY), (struct stat*)(edge - n));
}

static int
bl_pipeedge(uint64 n)
{
  return pipe((int*)(edge - n));
}

// A string or argv array that runs into unmapped memory: unterminated.
static int
bl_openedge(uint64 n)
{
  memset(edge - n, 'a', n);
  return open(edge - n, O_RDONLY);
}

static int
bl_execedge(uint64 n)
{
  memset(edge - n, 'a', n);
  return exec(edge - n, (char*[]){ "echo", 0 });
}

static int
bl_argvedge(uint64 n)
{
  char **argv = (char**)(edge - n);
  for(int i = 0; i < n / sizeof(char*); i++)
    argv[i] = "echo";
  return exec("/echo", argv);
}

static const struct {
  const char *name;
  int (*fn)(uint64);
  uint64 arg;
  int maxok;
} lencalls[] = {
  { "read(file, buf, -1)", bl_readneg, 1, -1 },
  { "read(file, buf, -4096)", bl_readneg, 4096, -1 },
  { "write(file, buf, -1)", bl_writeneg, 1, -1 },
  { "read(pipe, buf, -1)", bl_readpipeneg, 1, -1 },
  { "write(pipe, buf, -1)", bl_writepipeneg, 1, -1 },
  { "write(console, buf, -1)", bl_consoleneg, 1, -1 },
  { "read(file) of 100 bytes into 10", bl_readedge, 100, 10 },
  { "read(file) of 0x7fffffff bytes into 10", bl_readedge, 0x7fffffff, 10 },
  { "write(file) of 100 bytes from 10", bl_writeedge, 100, 10 },
  { "write(file) of 0x7fffffff bytes from 10", bl_writeedge, 0x7fffffff, 10 },
  { "read(pipe) of 100 bytes into 10", bl_readpipeedge, 100, 10 },
  { "write(pipe) of 100 bytes from 10", bl_writepipeedge, 100, 10 },
  { "write(pipe) of 0x7fffffff bytes from 10", bl_writepipeedge, 0x7fffffff, 10 },
  { "fstat into the last 8 bytes", bl_fstatedge, 8, -1 },
  { "pipe into the last 4 bytes", bl_pipeedge, 4, -1 },
  { "open of an unterminated path", bl_openedge, 100, -1 },
  { "exec of an unterminated path", bl_execedge, 100, -1 },
  { "exec of an unterminated argv", bl_argvedge, 64, -1 },
};

static void
badlen(void)
{
  fillpat(buf, BUFSZ, 0, 4);
  putfile("ut.bl", 100, 4);
  char *top = sbrk(0);
  sbrk(PGROUNDUP((uint64)top) - (uint64)top + PGSIZE);
  edge = sbrk(0);

  int bad = 0;
  for(int i = 0; i < NELEM(lencalls); i++)
    bad += !refused(lencalls[i].name, lencalls[i].fn, lencalls[i].arg, lencalls[i].maxok);
  CHECK(bad == 0, "%d calls with bad lengths or unterminated buffers were not refused", bad);

  // A huge length is no error when the data fits the buffer.
  int fd = xopen("ut.bl", O_RDONLY);
  int r = read(fd, buf, 0x7fffffff);
  CHECK(r == 100 || r == -1, "read of a 100-byte file with length 0x7fffffff returned %d", r);
  xclose(fd);

  // A path that ends exactly at the end of memory works.
  strcpy(edge - 6, "ut.bl");
  fd = open(edge - 6, O_RDONLY);
  CHECK(fd >= 0, "open of a path at the very end of memory failed");
  xclose(fd);

  xunlink("ut.bl");
  unlink("ut.blw");
}

// Bad descriptors.
static void
badfd(void)
{
  static const int fds[] = { -1, NOFILE, NOFILE + 1, 1000, 0x7fffffff, -0x7fffffff - 1, 9 };
  struct stat st;
  for(int i = 0; i < NELEM(fds); i++){
    int fd = fds[i];
    CHECK(read(fd, buf, 1) == -1, "read(%d) did not fail", fd);
    CHECK(write(fd, buf, 1) == -1, "write(%d) did not fail", fd);
    CHECK(fstat(fd, &st) == -1, "fstat(%d) did not fail", fd);
    CHECK(dup(fd) == -1, "dup(%d) did not fail", fd);
    CHECK(close(fd) == -1, "close(%d) did not fail", fd);
  }
}

static uint64
rawsyscall(uint64 num)
{
  register uint64 a0 asm("a0") = 0;
  register uint64 a7 asm("a7") = num;
  asm volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
  return a0;
}

static int
bs_call(uint64 num)
{
  return (int)rawsyscall(num);
}

// System call numbers that do not exist fail.
static void
badsyscall(void)
{
  static const uint64 nums[] = { 0, 500, 0x7fffffff, 0xffffffff, 0xffffffffffffffffUL };
  int bad = 0;
  for(int i = 0; i < NELEM(nums); i++)
    bad += !refused("system call", bs_call, nums[i], -1);
  CHECK(bad == 0, "%d unknown system call numbers were not refused", bad);
  CHECK(rawsyscall(SYS_getpid) == getpid(), "a raw ecall of getpid went wrong");
}

// ---------------------------------------------------------------------------
// Pipes

// Data arrives intact and in order whatever the sizes of writes and reads;
// then a ping-pong of single bytes.
static void
pipedata(void)
{
  enum { TOTAL = 30000 };
  static const int wsizes[] = { 1, 7, 100, 511, 512, 513, 1500, 4096 };
  static const int rsizes[] = { 3, 600, 1024, 77, 4096 };
  int fds[2];

  xpipe(fds);
  int pid = xfork();
  if(pid == 0){
    xclose(fds[0]);
    for(int sent = 0, k = 0; sent < TOTAL; k++){
      int n = wsizes[k % NELEM(wsizes)];
      if(n > TOTAL - sent)
        n = TOTAL - sent;
      fillpat(buf, n, sent, 2);
      xwrite(fds[1], buf, n);
      sent += n;
    }
    exit(0);
  }
  xclose(fds[1]);
  int got = 0;
  for(int k = 0; ; k++){
    int r = read(fds[0], buf, rsizes[k % NELEM(rsizes)]);
    CHECK(r >= 0, "pipe read failed after %d bytes", got);
    if(r == 0)
      break;
    int bad = badpat(buf, r, got, 2);
    CHECK(bad < 0, "byte %d through the pipe is wrong", got + bad);
    got += r;
  }
  CHECK(got == TOTAL, "%d bytes came through the pipe, %d went in", got, TOTAL);
  xclose(fds[0]);
  CHECK(waitfor(pid) == 0, "the writer failed");

  int ab[2], ba[2];
  xpipe(ab);
  xpipe(ba);
  pid = xfork();
  if(pid == 0){
    char c;
    for(int i = 0; i < 200; i++){
      xread(ab[0], &c, 1);
      c++;
      xwrite(ba[1], &c, 1);
    }
    exit(0);
  }
  char c = 0;
  for(int i = 0; i < 200; i++){
    char want = c + 1;
    xwrite(ab[1], &c, 1);
    xread(ba[0], &c, 1);
    CHECK(c == want, "ping-pong round %d: got %d, expected %d", i, c, want);
  }
  CHECK(waitfor(pid) == 0, "the ping-pong partner failed");
  xclose(ab[0]);
  xclose(ab[1]);
  xclose(ba[0]);
  xclose(ba[1]);
}

// Several writers at once: every byte arrives exactly once.
static void
pipewriters(void)
{
  enum { NW = 4, EACH = 4000 };
  int fds[2];
  xpipe(fds);
  for(int w = 0; w < NW; w++){
    if(xfork() == 0){
      xclose(fds[0]);
      memset(buf, 'A' + w, 333);
      for(int sent = 0; sent < EACH; sent += 333)
        xwrite(fds[1], buf, EACH - sent < 333 ? EACH - sent : 333);
      exit(0);
    }
  }
  xclose(fds[1]);
  int count[NW] = { 0 };
  int r;
  while((r = read(fds[0], buf, BUFSZ)) > 0){
    for(int i = 0; i < r; i++){
      int w = buf[i] - 'A';
      CHECK(w >= 0 && w < NW, "a byte no writer wrote came through the pipe");
      count[w]++;
    }
  }
  CHECK(r == 0, "pipe read failed");
  for(int w = 0; w < NW; w++)
    CHECK(count[w] == EACH, "writer %d sent %d bytes, %d arrived", w, EACH, count[w]);
  waitok(NW);
  xclose(fds[0]);
}

// End of file comes when the last write end closes, wherever the copies
// are; writing with no reader fails; a blocked reader or writer wakes up
// when the other side goes away.
static void
pipeclose(void)
{
  int fds[2];
  xpipe(fds);
  int d = dup(fds[1]);
  CHECK(d >= 0, "dup failed");
  xclose(fds[1]);
  xwrite(d, "abc", 3);
  int pid = xfork();
  if(pid == 0){
    sleep(2);
    xwrite(d, "def", 3);
    exit(0);
  }
  xclose(d);
  // The child still holds a write end: its data comes, then end of file.
  int n = 0, r;
  while((r = read(fds[0], buf + n, 10)) > 0)
    n += r;
  CHECK(r == 0 && n == 6 && memcmp(buf, "abcdef", 6) == 0,
        "read %d bytes, then %d, from a pipe written by two processes", n, r);
  CHECK(waitfor(pid) == 0, "the writer failed");
  CHECK(read(fds[0], buf, 1) == 0, "a second read at end of file returned data");
  CHECK(write(fds[0], "x", 1) == -1, "write to a pipe's read end worked");
  xclose(fds[0]);
  CHECK(close(fds[0]) == -1, "closing a closed descriptor worked");

  // No reader: write fails.
  xpipe(fds);
  CHECK(read(fds[1], buf, 1) == -1, "read from a pipe's write end worked");
  xclose(fds[0]);
  r = write(fds[1], "x", 1);
  CHECK(r == -1, "write to a pipe with no reader returned %d", r);
  xclose(fds[1]);

  // A writer blocked on a full pipe returns when the reader closes.
  xpipe(fds);
  pid = xfork();
  if(pid == 0){
    xclose(fds[0]);
    for(int i = 0; i < 8; i++)
      if(write(fds[1], buf, BUFSZ) != BUFSZ)
        exit(0);
    exit(2);
  }
  xclose(fds[1]);
  sleep(3);
  xclose(fds[0]);
  int st = waitfor(pid);
  CHECK(st == 0, "64 KB went into a pipe nobody read (status %d)", st);

  // A reader blocked on an empty pipe returns 0 when the writer closes.
  xpipe(fds);
  pid = xfork();
  if(pid == 0){
    xclose(fds[1]);
    exit(read(fds[0], buf, 1) == 0 ? 0 : 2);
  }
  xclose(fds[0]);
  sleep(3);
  xclose(fds[1]);
  st = waitfor(pid);
  CHECK(st == 0, "a blocked reader did not see end of file (status %d)", st);
}

// A reader of an empty pipe sleeps until data comes; a writer of a full
// pipe sleeps until the reader makes room.
static void
pipeblock(void)
{
  int fds[2];
  xpipe(fds);
  int pid = xfork();
  if(pid == 0){
    xclose(fds[0]);
    sleep(5);
    xwrite(fds[1], "late", 4);
    exit(0);
  }
  xclose(fds[1]);
  int t0 = uptime();
  int r = read(fds[0], buf, BUFSZ);
  int t = uptime() - t0;
  CHECK(r == 4 && memcmp(buf, "late", 4) == 0, "read of a pipe returned %d", r);
  CHECK(t >= 3, "the read returned after %d ticks, before the data was written", t);
  CHECK(waitfor(pid) == 0, "the writer failed");
  xclose(fds[0]);

  xpipe(fds);
  pid = xfork();
  if(pid == 0){
    xclose(fds[0]);
    memset(buf, 'w', BUFSZ);
    int t0 = uptime();
    xwrite(fds[1], buf, BUFSZ);
    xwrite(fds[1], buf, BUFSZ);
    exit(uptime() - t0 >= 3 ? 0 : 2);
  }
  xclose(fds[1]);
  sleep(5);
  int n = 0;
  while((r = read(fds[0], buf, BUFSZ)) > 0){
    for(int i = 0; i < r; i++)
      CHECK(buf[i] == 'w', "wrong byte through the pipe");
    n += r;
  }
  CHECK(n == 2 * BUFSZ, "%d bytes came through, %d went in", n, 2 * BUFSZ);
  int st = waitfor(pid);
  CHECK(st == 0, "16 KB went into a pipe nobody read (status %d)", st);
  xclose(fds[0]);
}

// Many pipes made and closed: none of their memory or files stay behind.
static void
pipemany(void)
{
  for(int i = 0; i < 3 * NFILE; i++){
    int fds[2];
    xpipe(fds);
    CHECK(fds[0] >= 0 && fds[1] >= 0 && fds[0] != fds[1], "pipe returned fds %d and %d",
          fds[0], fds[1]);
    char c = i;
    xwrite(fds[1], &c, 1);
    char d;
    xread(fds[0], &d, 1);
    CHECK(c == d, "wrong byte through pipe %d", i);
    xclose(fds[0]);
    xclose(fds[1]);
  }
}

// ---------------------------------------------------------------------------
// Files

// Create, write, read, offsets, access modes, and offsets shared by dup
// and fork.
static void
filebasic(void)
{
  struct stat st;

  unlink("ut.f");
  CHECK(open("ut.f", O_RDONLY) < 0, "open of a missing file without O_CREATE worked");
  int fd = xopen("ut.f", O_CREATE | O_RDWR);
  CHECK(fstat(fd, &st) == 0 && st.type == T_FILE && st.size == 0 && st.nlink == 1 &&
        st.dev == ROOTDEV, "fstat of a new file: type %d size %d nlink %d dev %d",
        st.type, (int)st.size, st.nlink, st.dev);
  for(int i = 0; i < 3; i++){
    fillpat(buf, 1000, i * 1000, 1);
    xwrite(fd, buf, 1000);
  }
  CHECK(fstat(fd, &st) == 0 && st.size == 3000, "size %d after writing 3000 bytes",
        (int)st.size);
  CHECK(read(fd, buf, 10) == 0, "read at the end of the file returned data");
  CHECK(write(fd, buf, 0) == 0 && read(fd, buf, 0) == 0, "transfers of 0 bytes did not return 0");
  xclose(fd);

  // Each open has its own offset.
  int a = xopen("ut.f", O_RDONLY);
  int b = xopen("ut.f", O_RDONLY);
  xread(a, buf, 1500);
  xread(b, buf2, 700);
  CHECK(badpat(buf, 1500, 0, 1) < 0 && badpat(buf2, 700, 0, 1) < 0, "wrong data read back");
  checkfd(a, 1500, 1500, 1, "ut.f");
  CHECK(write(a, "x", 1) == -1, "write to a read-only descriptor worked");
  xclose(a);
  xclose(b);

  fd = xopen("ut.f", O_WRONLY);
  CHECK(read(fd, buf, 1) == -1, "read from a write-only descriptor worked");
  xwrite(fd, "HELLO", 5);
  xclose(fd);
  // O_CREATE of an existing file opens it as it is.
  fd = xopen("ut.f", O_CREATE | O_RDWR);
  xread(fd, buf, 5);
  CHECK(memcmp(buf, "HELLO", 5) == 0, "the overwrite at offset 0 did not stick");
  checkfd(fd, 5, 2995, 1, "ut.f");
  xclose(fd);

  // dup and fork share the offset.
  fd = xopen("ut.f", O_CREATE | O_TRUNC | O_RDWR);
  int pid = xfork();
  if(pid == 0){
    xwrite(fd, "child ", 6);
    exit(0);
  }
  CHECK(waitfor(pid) == 0, "the child could not write");
  xwrite(fd, "parent ", 7);
  int d = dup(fd);
  CHECK(d >= 0 && d != fd, "dup returned %d", d);
  xwrite(d, "dup", 3);
  xclose(d);
  xclose(fd);
  fd = xopen("ut.f", O_RDONLY);
  memset(buf, 0, 32);
  CHECK(read(fd, buf, 32) == 16 && strcmp(buf, "child parent dup") == 0,
        "writes through shared offsets made \"%s\"", buf);
  xclose(fd);
  xunlink("ut.f");
  CHECK(open("ut.f", O_RDONLY) < 0, "an unlinked file can still be opened");
}

// O_TRUNC empties a file, also under other open descriptors.
static void
filetrunc(void)
{
  struct stat st;

  putfile("ut.t", 5000, 2);
  int old = xopen("ut.t", O_RDONLY);
  xread(old, buf, 2000);
  int fd = xopen("ut.t", O_TRUNC | O_RDWR);
  CHECK(fstat(fd, &st) == 0 && st.size == 0, "size %d after O_TRUNC", (int)st.size);
  CHECK(read(old, buf, 100) == 0, "a descriptor opened earlier reads data after O_TRUNC");
  xwrite(fd, "abc", 3);
  xclose(fd);
  xclose(old);
  fd = xopen("ut.t", O_RDONLY);
  CHECK(read(fd, buf, 100) == 3 && memcmp(buf, "abc", 3) == 0, "wrong contents after O_TRUNC");
  xclose(fd);

  // Regrown after truncation, the file holds only new data.
  putfile("ut.t", 20000, 3);
  putfile("ut.t", 12000, 4);
  checkfile("ut.t", 12000, 4);
  xunlink("ut.t");

  CHECK(open("ut.t", O_TRUNC | O_RDWR) < 0, "O_TRUNC without O_CREATE made a file");
  fd = xopen("ut.t", O_TRUNC | O_CREATE | O_RDWR);
  xclose(fd);
  xunlink("ut.t");
}

// A write through a descriptor whose offset another open's O_TRUNC left
// past the end of the file fails (a file has no holes), and harms nothing.
static void
truncate2(void)
{
  int a = xopen("ut.tr2", O_CREATE | O_TRUNC | O_WRONLY);
  xwrite(a, "abcd", 4);
  int b = xopen("ut.tr2", O_TRUNC | O_WRONLY);
  int r = write(a, "x", 1);
  CHECK(r == -1, "a write at offset 4 of an empty file returned %d", r);
  xwrite(b, "ok", 2);
  xclose(a);
  xclose(b);
  int fd = xopen("ut.tr2", O_RDONLY);
  CHECK(read(fd, buf, 10) == 2 && memcmp(buf, "ok", 2) == 0, "the file does not hold \"ok\"");
  xclose(fd);
  xunlink("ut.tr2");
}

// One process truncates a file over and over while another writes it and
// reads it back: every byte read is one that was written there.
static void
truncate3(void)
{
  static const char digits[] = "0123456789";
  xclose(xopen("ut.tr3", O_CREATE | O_TRUNC | O_WRONLY));
  int pid = xfork();
  if(pid == 0){
    for(int i = 0; i < 60; i++){
      int fd = xopen("ut.tr3", O_WRONLY);
      xwrite(fd, digits, 10);
      xclose(fd);
      fd = xopen("ut.tr3", O_RDONLY);
      int n = read(fd, buf, BUFSZ);
      CHECK(n >= 0 && n <= 10, "read %d bytes of a file of at most 10", n);
      for(int k = 0; k < n; k++)
        CHECK(buf[k] == digits[k] || (k < 3 && buf[k] == 'x'), "byte %d is %d", k, buf[k]);
      xclose(fd);
    }
    exit(0);
  }
  for(int i = 0; i < 90; i++){
    int fd = xopen("ut.tr3", O_CREATE | O_TRUNC | O_WRONLY);
    xwrite(fd, "xxx", 3);
    xclose(fd);
  }
  CHECK(waitfor(pid) == 0, "the writer failed");
  xunlink("ut.tr3");
}

// A file of MAXFILE blocks, through the indirect block; it cannot grow
// further.
static void
bigfile(void)
{
  enum { MAX = MAXFILE * BSIZE, CHUNK = 4 * BSIZE };
  struct stat st;

  int fd = xopen("ut.big", O_CREATE | O_TRUNC | O_RDWR);
  for(int off = 0; off < MAX; off += CHUNK){
    fillpat(buf, CHUNK, off, 7);
    xwrite(fd, buf, CHUNK);
  }
  int r = write(fd, "x", 1);
  CHECK(r == -1, "a write beyond MAXFILE blocks returned %d", r);
  CHECK(fstat(fd, &st) == 0 && st.size == MAX, "size %d, expected %d", (int)st.size, MAX);
  xclose(fd);
  checkfile("ut.big", MAX, 7);

  // A write that straddles the limit does not take the file past it.
  fd = xopen("ut.big", O_RDWR);
  for(int off = 0; off < MAX - CHUNK; off += CHUNK)
    xread(fd, buf, CHUNK);
  xread(fd, buf, CHUNK - 10);
  r = write(fd, buf, 20);
  CHECK(r == -1 || r == 10, "a 20-byte write 10 bytes before the limit returned %d", r);
  CHECK(fstat(fd, &st) == 0 && st.size == MAX, "size %d, expected %d", (int)st.size, MAX);
  xclose(fd);
  xunlink("ut.big");
}

// Many small files in one directory.
static void
manyfiles(void)
{
  enum { N = 40 };
  char name[32];

  xmkdir("ut.many");
  for(int i = 0; i < N; i++){
    mkname(name, "ut.many/f", i);
    putfile(name, 100 + 37 * i, i);
  }
  CHECK(countentries("ut.many", 0) == N + 2, "ut.many has %d entries, expected %d",
        countentries("ut.many", 0), N + 2);
  for(int i = 0; i < N; i++){
    struct stat st;
    mkname(name, "ut.many/f", i);
    xstat(name, &st);
    CHECK(st.type == T_FILE && st.nlink == 1 && st.size == 100 + 37 * i,
          "%s: type %d nlink %d size %d", name, st.type, st.nlink, (int)st.size);
    checkfile(name, 100 + 37 * i, i);
  }
  for(int i = 0; i < N; i++){
    mkname(name, "ut.many/f", i);
    xunlink(name);
  }
  CHECK(countentries("ut.many", 0) == 2, "entries remain after unlinking every file");
  xunlink("ut.many");
}

// An unlinked file lives on while it is open, separate from a new file of
// the same name, and goes when the last descriptor closes.
static void
unlinkopen(void)
{
  struct stat st;

  for(int round = 0; round < 3; round++){
    putfile("ut.uo", 2000, round);
    int w = xopen("ut.uo", O_RDWR);
    int r = xopen("ut.uo", O_RDONLY);
    CHECK(fstat(w, &st) == 0, "fstat failed");
    uint ino = st.ino;
    xunlink("ut.uo");
    CHECK(open("ut.uo", O_RDONLY) < 0, "an unlinked file can still be opened");
    CHECK(fstat(w, &st) == 0 && st.nlink == 0, "nlink of an unlinked open file is %d",
          st.nlink);
    xread(w, buf, 2000);
    fillpat(buf, 1000, 2000, round);
    xwrite(w, buf, 1000);
    checkfd(r, 0, 3000, round, "an unlinked open file");
    putfile("ut.uo", 10, 99);
    xstat("ut.uo", &st);
    CHECK(st.ino != ino, "a new file got the inode of an unlinked file still open");
    xclose(w);
    xclose(r);
    checkfile("ut.uo", 10, 99);
    xunlink("ut.uo");
  }

  // A process that exits with an unlinked file open lets it go then.
  int pid = xfork();
  if(pid == 0){
    putfile("ut.uo", 5000, 1);
    xopen("ut.uo", O_RDONLY);
    xunlink("ut.uo");
    exit(0);
  }
  CHECK(waitfor(pid) == 0, "child failed");
}

// A directory removed while another process opens it, over and over: the
// opens fail or work, the removal works, and the inodes all go.
static void
openiput(void)
{
  for(int round = 0; round < 10; round++){
    xmkdir("ut.oi");
    int pid = xfork();
    if(pid == 0){
      for(int i = 0; i < 20; i++){
        CHECK(open("ut.oi", O_RDWR) < 0, "a directory opened for writing");
        int fd = open("ut.oi", O_RDONLY);
        if(fd >= 0)
          xclose(fd);
      }
      exit(0);
    }
    xunlink("ut.oi");
    CHECK(waitfor(pid) == 0, "round %d: the opener failed", round);
  }
}

// A process whose current directory was removed goes on, and exits.
static void
exitiput(void)
{
  for(int round = 0; round < 10; round++){
    int pid = xfork();
    if(pid == 0){
      xmkdir("ut.ei");
      CHECK(chdir("ut.ei") == 0, "chdir failed");
      xunlink("../ut.ei");
      exit(0);
    }
    CHECK(waitfor(pid) == 0, "round %d: the child failed", round);
    struct stat st;
    CHECK(stat("ut.ei", &st) < 0, "the removed directory is still there");
  }
}

// A process removes its own current directory: relative paths then lead
// nowhere, and it can still move to another directory.
static void
iputtest(void)
{
  int pid = xfork();
  if(pid == 0){
    xmkdir("ut.ip");
    CHECK(chdir("ut.ip") == 0, "chdir failed");
    xunlink("../ut.ip");
    CHECK(open("ut.ipf", O_CREATE | O_RDWR) < 0, "a file was made in a removed directory");
    CHECK(chdir("/") == 0, "chdir / failed from a removed directory");
    exit(0);
  }
  CHECK(waitfor(pid) == 0, "child failed");
  struct stat st;
  CHECK(stat("ut.ip", &st) < 0, "the removed directory is still there");
}

// Hard links: one inode under several names.
static void
linktest(void)
{
  struct stat st1, st2;

  putfile("ut.l1", 500, 5);
  CHECK(link("ut.l1", "ut.l2") == 0, "link failed");
  xstat("ut.l1", &st1);
  xstat("ut.l2", &st2);
  CHECK(st1.ino == st2.ino && st1.nlink == 2 && st2.nlink == 2,
        "after link: inodes %d and %d, nlink %d", st1.ino, st2.ino, st1.nlink);
  checkfile("ut.l2", 500, 5);
  int fd = xopen("ut.l2", O_WRONLY);
  fillpat(buf, 100, 0, 5);
  buf[0] = 'Z';
  xwrite(fd, buf, 100);
  xclose(fd);
  fd = xopen("ut.l1", O_RDONLY);
  xread(fd, buf2, 1);
  CHECK(buf2[0] == 'Z', "a write through one name does not show through the other");
  xclose(fd);

  CHECK(link("ut.l1", "ut.l2") == -1, "link onto an existing name worked");
  CHECK(link("ut.nosuch", "ut.l3") == -1, "link of a missing file worked");
  CHECK(link("ut.l1", "ut.nodir/l3") == -1, "link into a missing directory worked");
  xmkdir("ut.ld");
  CHECK(link("ut.ld", "ut.l3") == -1, "link of a directory worked");
  CHECK(link("ut.l1", "ut.ld/l4") == 0, "link into a subdirectory failed");
  xstat("ut.ld/l4", &st2);
  CHECK(st2.ino == st1.ino && st2.nlink == 3, "nlink %d with three names", st2.nlink);

  xunlink("ut.l1");
  CHECK(open("ut.l1", O_RDONLY) < 0, "an unlinked name still opens");
  xstat("ut.l2", &st2);
  CHECK(st2.nlink == 2, "nlink %d after unlinking one of three names", st2.nlink);
  xunlink("ut.ld/l4");
  xunlink("ut.ld");
  xstat("ut.l2", &st2);
  CHECK(st2.nlink == 1 && st2.size == 500, "nlink %d size %d", st2.nlink, (int)st2.size);
  xunlink("ut.l2");
}

// Directories: creation and removal rules.
static void
dirrules(void)
{
  xmkdir("ut.d");
  CHECK(mkdir("ut.d") == -1, "mkdir of an existing directory worked");
  CHECK(open("ut.d", O_CREATE | O_RDWR) < 0, "open O_CREATE of a directory worked");
  CHECK(open("ut.d", O_WRONLY) < 0, "a directory opened for writing");
  CHECK(open("ut.d", O_RDWR) < 0, "a directory opened for reading and writing");
  int fd = xopen("ut.d", O_RDONLY);
  CHECK(write(fd, "x", 1) == -1, "write to a directory worked");
  xclose(fd);
  CHECK(countentries("ut.d", ".") == 1 && countentries("ut.d", "..") == 1,
        "a new directory lacks . or ..");

  xmkdir("ut.d/a");
  xclose(xopen("ut.d/a/f", O_CREATE | O_RDWR));
  CHECK(unlink("ut.d") == -1, "unlink of a non-empty directory worked");
  CHECK(unlink("ut.d/a") == -1, "unlink of a non-empty directory worked");
  CHECK(unlink("ut.d/a/.") == -1, "unlink of . worked");
  CHECK(unlink("ut.d/a/..") == -1, "unlink of .. worked");
  CHECK(unlink("/") == -1, "unlink of / worked");
  xunlink("ut.d/a/f");
  xunlink("ut.d/a");
  xunlink("ut.d");
  CHECK(open("ut.d", O_RDONLY) < 0, "a removed directory still opens");

  CHECK(mkdir("ut.nodir/x") == -1, "mkdir in a missing directory worked");
  CHECK(open("ut.nodir/x", O_CREATE | O_RDWR) < 0, "create in a missing directory worked");
  CHECK(mkdir("") == -1, "mkdir(\"\") worked");
  CHECK(open("", O_CREATE | O_RDWR) < 0, "open(\"\", O_CREATE) worked");
  putfile("ut.df", 10, 1);
  CHECK(mkdir("ut.df/x") == -1, "mkdir under a file worked");
  CHECK(open("ut.df/x", O_CREATE | O_RDWR) < 0, "create under a file worked");
  CHECK(unlink("ut.df/x") == -1, "unlink under a file worked");
  CHECK(link("ut.df", "ut.df/x") == -1, "link under a file worked");
  CHECK(chdir("ut.df") == -1, "chdir to a file worked");
  CHECK(mkdir("ut.df") == -1, "mkdir over a file worked");
  xunlink("ut.df");
  // A removed directory's name can become a file.
  xmkdir("ut.d");
  xunlink("ut.d");
  putfile("ut.d", 10, 2);
  checkfile("ut.d", 10, 2);
  xunlink("ut.d");
}

// . and .. lead where they should, and .. of the root is the root.
static void
dotdot(void)
{
  struct stat root, st, dd, sub;

  xstat("/", &root);
  CHECK(root.type == T_DIR && root.ino == ROOTINO, "/ has type %d inode %d", root.type, root.ino);
  xstat("/.", &st);
  CHECK(st.ino == ROOTINO, "/. is inode %d", st.ino);
  xstat("/..", &st);
  CHECK(st.ino == ROOTINO, "/.. is inode %d", st.ino);

  xmkdir("ut.dd");
  xmkdir("ut.dd/sub");
  xstat("ut.dd", &dd);
  xstat("ut.dd/sub", &sub);
  xstat("ut.dd/.", &st);
  CHECK(st.ino == dd.ino, "ut.dd/. is not ut.dd");
  xstat("ut.dd/sub/..", &st);
  CHECK(st.ino == dd.ino, "ut.dd/sub/.. is not ut.dd");
  xstat("ut.dd/sub/../sub/./..", &st);
  CHECK(st.ino == dd.ino, "ut.dd/sub/../sub/./.. is not ut.dd");

  int pid = xfork();
  if(pid == 0){
    CHECK(chdir("ut.dd/sub") == 0, "chdir failed");
    xstat(".", &st);
    CHECK(st.ino == sub.ino, "after chdir, . is not the directory");
    CHECK(chdir("..") == 0, "chdir .. failed");
    xstat(".", &st);
    CHECK(st.ino == dd.ino, "chdir .. went to inode %d", st.ino);
    CHECK(chdir("/") == 0 && chdir("..") == 0 && chdir("../..") == 0, "chdir above / failed");
    xstat(".", &st);
    CHECK(st.ino == ROOTINO, "chdir .. from / went to inode %d", st.ino);
    exit(0);
  }
  CHECK(waitfor(pid) == 0, "child failed");
  xunlink("ut.dd/sub");
  xunlink("ut.dd");
}

// A chain of nested directories, walked down and up.
static void
deepdir(void)
{
  enum { DEPTH = 30 };
  static char path[16 + 2 * DEPTH + 8];
  struct stat top, st;

  xstat(".", &top);
  strcpy(path, "ut.deep");
  int len = strlen(path);
  xmkdir(path);
  for(int i = 0; i < DEPTH; i++){
    strcpy(path + len, "/d");
    len += 2;
    xmkdir(path);
  }
  strcpy(path + len, "/f");
  putfile(path, 100, 6);

  int pid = xfork();
  if(pid == 0){
    CHECK(chdir("ut.deep") == 0, "chdir ut.deep failed");
    for(int i = 0; i < DEPTH; i++)
      CHECK(chdir("d") == 0, "chdir at depth %d failed", i + 1);
    checkfile("f", 100, 6);
    for(int i = 0; i < DEPTH; i++)
      CHECK(chdir("..") == 0, "chdir .. failed");
    CHECK(chdir("..") == 0, "chdir .. failed");
    xstat(".", &st);
    CHECK(st.ino == top.ino, "walking up did not lead back where it started");
    exit(0);
  }
  CHECK(waitfor(pid) == 0, "child failed");

  CHECK(unlink("ut.deep") == -1, "unlink of a non-empty directory worked");
  xunlink(path);
  while(len > strlen("ut.deep")){
    path[len] = 0;
    xunlink(path);
    len -= 2;
  }
  path[len] = 0;
  xunlink(path);
}

// p = "././.../tail", exactly n characters long.
static void
padpath(char *p, int n, const char *tail)
{
  int pad = n - strlen(tail);
  CHECK(pad >= 0 && pad % 2 == 0, "padpath(%d, %s)", n, tail);
  for(int i = 0; i < pad; i += 2){
    p[i] = '.';
    p[i + 1] = '/';
  }
  strcpy(p + pad, tail);
}

// Paths of MAXPATH-1 characters (MAXPATH bytes with the NUL) work in every
// call that takes a path; longer ones fail.
static void
maxpath(void)
{
  static char path[4 * MAXPATH], path2[4 * MAXPATH];
  struct stat st;

  xmkdir("ut.mp");
  putfile("ut.mp/f", 10, 1);
  padpath(path, MAXPATH - 1, "ut.mp/f");
  CHECK(stat(path, &st) == 0 && st.size == 10, "stat of a %d-character path failed", MAXPATH - 1);
  padpath(path2, MAXPATH - 1, "ut.mp/g");
  CHECK(link(path, path2) == 0, "link of %d-character paths failed", MAXPATH - 1);
  CHECK(unlink(path2) == 0, "unlink of a %d-character path failed", MAXPATH - 1);
  padpath(path2, MAXPATH - 1, "ut.mp/d");
  CHECK(mkdir(path2) == 0, "mkdir of a %d-character path failed", MAXPATH - 1);
  int pid = xfork();
  if(pid == 0)
    exit(chdir(path2));
  CHECK(waitfor(pid) == 0, "chdir to a %d-character path failed", MAXPATH - 1);
  CHECK(unlink(path2) == 0, "unlink of a %d-character directory path failed", MAXPATH - 1);
  padpath(path2, MAXPATH - 1, "/echo");
  char *argv[] = { "echo", "ok", 0 };
  int st2 = capture(path2, argv, 0, buf, BUFSZ);
  CHECK(st2 == 0 && strcmp(buf, "ok\n") == 0, "exec of a %d-character path: status %d",
        MAXPATH - 1, st2);

  static const int toolong[] = { MAXPATH + 1, MAXPATH + 3, 3 * MAXPATH + 1 };
  for(int i = 0; i < NELEM(toolong); i++){
    int n = toolong[i];
    padpath(path, n, "ut.mp/f");
    CHECK(open(path, O_RDONLY) < 0, "open of a %d-character path worked", n);
    CHECK(open(path, O_CREATE | O_RDWR) < 0, "create of a %d-character path worked", n);
    CHECK(unlink(path) == -1, "unlink of a %d-character path worked", n);
    CHECK(link("ut.mp/f", path) == -1, "link to a %d-character path worked", n);
    CHECK(link(path, "ut.mp/h") == -1, "link from a %d-character path worked", n);
    padpath(path, n, "ut.mp/e");
    CHECK(mkdir(path) == -1, "mkdir of a %d-character path worked", n);
    CHECK(chdir(path) == -1, "chdir to a %d-character path worked", n);
    padpath(path, n, "/echo");
    st2 = capture(path, argv, 0, buf, BUFSZ);
    CHECK(st2 == EXEC_RETURNED, "exec of a %d-character path: status %d", n, st2);
  }
  checkfile("ut.mp/f", 10, 1);
  xunlink("ut.mp/f");
  xunlink("ut.mp");
}

// Names of DIRSIZ (14) characters, the most a directory entry holds, in
// every component of a path. As in xv6, a longer component is cut to its
// first DIRSIZ characters.
static void
fourteen(void)
{
  static const char *dir = "ut.fourteen.dd", *sub = "0123456789abcd", *file = "file5678901234";
  char path[64];

  CHECK(strlen(dir) == DIRSIZ && strlen(sub) == DIRSIZ && strlen(file) == DIRSIZ,
        "the names are not %d characters", DIRSIZ);
  xmkdir(dir);
  strcpy(path, dir);
  strcpy(path + DIRSIZ, "/");
  strcpy(path + DIRSIZ + 1, sub);
  xmkdir(path);
  strcpy(path + 2 * DIRSIZ + 1, "/");
  strcpy(path + 2 * DIRSIZ + 2, file);
  putfile(path, 100, 14);
  CHECK(countentries(".", dir) == 1, "%s is not in . once", dir);
  checkfile(path, 100, 14);

  // The same path with a 15th character in every component.
  strcpy(path, "ut.fourteen.ddX/0123456789abcdX/file5678901234X");
  checkfile(path, 100, 14);
  CHECK(mkdir("ut.fourteen.ddY") == -1, "mkdir of a name equal in %d characters worked", DIRSIZ);

  xunlink(path);
  strcpy(path, dir);
  strcpy(path + DIRSIZ, "/");
  strcpy(path + DIRSIZ + 1, sub);
  CHECK(countentries(path, 0) == 2, "%s is not empty", path);
  xunlink(path);
  xunlink(dir);
}

// Several processes create, link and unlink the same few names in one
// directory at once. Afterwards every name appears at most once, every
// entry leads to a live inode, and removing them all leaves the directory
// empty.
static void
concreate(void)
{
  enum { NWORKER = 4, NNAME = 16, PASSES = 3 };
  static const char *prefixes[] = { "n", "m", "d" };
  char name[32], other[32];

  xmkdir("ut.cc");
  for(int w = 0; w < NWORKER; w++){
    if(xfork() != 0)
      continue;
    for(int pass = 0; pass < PASSES; pass++){
      for(int i = 0; i < NNAME; i++){
        int k = (i * 7 + w * 5 + pass) % NNAME;
        mkname(name, "ut.cc/n", k);
        switch((k + w + pass) % 5){
        case 0:
        case 1: {
          int fd = open(name, O_CREATE | O_RDWR);
          CHECK(fd >= 0, "worker %d: create %s failed", w, name);
          xwrite(fd, name, 4);
          xclose(fd);
          break;
        }
        case 2:
          unlink(name);     // another worker may have been first
          break;
        case 3:
          mkname(other, "ut.cc/m", k);
          if(link(name, other) == 0 && pass % 2)
            unlink(other);
          break;
        case 4:
          mkname(other, "ut.cc/d", k);
          if(mkdir(other) != 0)
            unlink(other);
          break;
        }
      }
    }
    exit(0);
  }
  waitok(NWORKER);

  int total = 0;
  for(int p = 0; p < NELEM(prefixes); p++){
    for(int k = 0; k < NNAME; k++){
      mkname(name, prefixes[p], k);
      int n = countentries("ut.cc", name);
      CHECK(n <= 1, "%s appears %d times in ut.cc", name, n);
      if(n == 0)
        continue;
      total++;
      mkname(name, p == 0 ? "ut.cc/n" : p == 1 ? "ut.cc/m" : "ut.cc/d", k);
      struct stat st;
      xstat(name, &st);
      CHECK(st.type == (p == 2 ? T_DIR : T_FILE) && st.nlink >= 1,
            "%s: type %d nlink %d", name, st.type, st.nlink);
      xunlink(name);
    }
  }
  int left = countentries("ut.cc", 0);
  CHECK(left == 2, "ut.cc has %d entries left after removing the %d found", left, total);
  xunlink("ut.cc");
}

// ---------------------------------------------------------------------------
// Descriptors

// dup gives the lowest free descriptor, sharing the offset.
static void
duptest(void)
{
  int fd = xopen("/README", O_RDONLY);
  int d = dup(fd);
  CHECK(d >= 0 && d != fd, "dup returned %d", d);
  xread(fd, buf, 10);
  xread(d, buf + 10, 10);
  xclose(fd);
  xread(d, buf + 20, 10);
  int e = xopen("/README", O_RDONLY);
  xread(e, buf2, 30);
  CHECK(memcmp(buf, buf2, 30) == 0, "reads through dup'ed descriptors do not share the offset");
  CHECK(e == fd, "open returned %d, but %d was the lowest free descriptor", e, fd);
  xclose(e);
  e = dup(d);
  CHECK(e == fd, "dup returned %d, but %d was the lowest free descriptor", e, fd);
  xclose(e);
  xclose(d);
  CHECK(dup(d) == -1, "dup of a closed descriptor worked");
}

// A process can have NOFILE open descriptors, no more; a pipe needs two
// and takes none when it cannot have both.
static void
nofile(void)
{
  int used = 0;
  struct stat st;
  for(int fd = 0; fd < NOFILE; fd++)
    used += fstat(fd, &st) == 0;

  int fds[NOFILE];
  int n = 0;
  for(;;){
    int fd = open("/README", O_RDONLY);
    if(fd < 0)
      break;
    CHECK(n < NOFILE && fd < NOFILE, "open returned fd %d with %d open", fd, used + n);
    fds[n++] = fd;
  }
  CHECK(used + n == NOFILE, "%d descriptors open before open failed, NOFILE is %d",
        used + n, NOFILE);
  CHECK(dup(0) == -1, "dup worked with every descriptor in use");
  int p[2];
  CHECK(pipe(p) == -1, "pipe worked with every descriptor in use");
  xclose(fds[--n]);
  for(int i = 0; i < 2 * NFILE; i++)
    CHECK(pipe(p) == -1, "pipe worked with one descriptor free");
  int fd = xopen("/README", O_RDONLY);
  CHECK(fd < NOFILE, "open returned %d", fd);
  xclose(fd);
  while(n > 0)
    xclose(fds[--n]);
  xpipe(p);
  xclose(p[0]);
  xclose(p[1]);
}

// The system-wide file table (NFILE) fills up: open and pipe then fail,
// and all is well again once the files close.
static void
nfile(void)
{
  enum { NCHILD = 10 };
  int res[2], hold[2];

  xpipe(res);
  xpipe(hold);
  for(int i = 0; i < NCHILD; i++){
    if(xfork() == 0){
      close(res[0]);
      close(hold[1]);
      int n = 0;
      while(open("/README", O_RDONLY) >= 0)
        n++;
      xwrite(res[1], &n, sizeof n);
      char c;
      read(hold[0], &c, 1);     // keep the files open until the parent says
      exit(0);
    }
  }
  xclose(res[1]);
  xclose(hold[0]);
  int total = 0, fewest = NOFILE;
  for(int i = 0; i < NCHILD; i++){
    int n;
    xread(res[0], &n, sizeof n);
    total += n;
    if(n < fewest)
      fewest = n;
  }
  CHECK(total < NFILE, "%d files open at once, but NFILE is %d", total, NFILE);
  CHECK(fewest < NOFILE - 5, "every child opened %d or more files: no system-wide limit",
        fewest);
  CHECK(open("/README", O_RDONLY) < 0, "open worked with the file table full");
  int p[2];
  CHECK(pipe(p) == -1, "pipe worked with the file table full");
  xclose(hold[1]);
  waitok(NCHILD);
  xclose(res[0]);

  int fds[8];
  for(int i = 0; i < NELEM(fds); i++)
    fds[i] = xopen("/README", O_RDONLY);
  for(int i = 0; i < NELEM(fds); i++)
    xclose(fds[i]);
}

// ---------------------------------------------------------------------------
// Odds and ends

// chdir changes where relative paths start, for the process and the
// children it forks after, not for its parent.
static void
chdirtest(void)
{
  xmkdir("ut.cd");
  int pid = xfork();
  if(pid == 0){
    CHECK(chdir("ut.cd") == 0, "chdir failed");
    putfile("ut.cdf", 10, 1);
    int g = xfork();
    if(g == 0){
      checkfile("ut.cdf", 10, 1);
      exit(0);
    }
    CHECK(waitfor(g) == 0, "the grandchild did not inherit the directory");
    CHECK(chdir("ut.nosuchdir") == -1, "chdir to a missing directory worked");
    checkfile("ut.cdf", 10, 1);
    exit(0);
  }
  CHECK(waitfor(pid) == 0, "child failed");
  CHECK(open("ut.cdf", O_RDONLY) < 0, "the child's chdir changed the parent's directory");
  checkfile("ut.cd/ut.cdf", 10, 1);
  xunlink("ut.cd/ut.cdf");
  xunlink("ut.cd");
}

// fstat and stat report type, size, links and inode.
static void
stattest(void)
{
  struct stat st, st2;

  xstat("/README", &st);
  CHECK(st.type == T_FILE && st.size > 0 && st.nlink == 1 && st.dev == ROOTDEV,
        "README: type %d size %d nlink %d dev %d", st.type, (int)st.size, st.nlink, st.dev);
  int fd = xopen("/README", O_RDONLY);
  CHECK(fstat(fd, &st2) == 0 && st2.ino == st.ino && st2.size == st.size,
        "fstat and stat of README disagree");
  xclose(fd);
  xstat("/", &st);
  CHECK(st.type == T_DIR && st.ino == ROOTINO, "/: type %d inode %d", st.type, st.ino);
  xstat("/echo", &st);
  CHECK(st.type == T_FILE && st.size > sizeof(struct elfhdr), "echo: type %d size %d",
        st.type, (int)st.size);
  CHECK(stat("ut.nosuch", &st) < 0, "stat of a missing file worked");
}

// The console is a device; device nodes reach their driver, or fail to
// open when there is none.
static void
consoletest(void)
{
  struct stat st, st2;
  static const short nodriver[] = { 9, NDEV, NDEV + 5, -1 };

  CHECK(fstat(1, &st) == 0 && st.type == T_DEVICE, "fstat(1) gives type %d", st.type);
  xstat("/console", &st2);
  CHECK(st2.type == T_DEVICE && st2.ino == st.ino, "console: type %d inode %d, fd 1 inode %d",
        st2.type, st2.ino, st.ino);
  CHECK(write(1, "", 0) == 0, "a write of 0 bytes to the console did not return 0");

  unlink("ut.con");
  CHECK(mknod("ut.con", 1, 0) == 0, "mknod failed");
  CHECK(mknod("ut.con", 1, 0) == -1, "mknod over an existing name worked");
  int fd = xopen("ut.con", O_WRONLY);
  static const char msg[] = "(usertests: this line went through a console device node)\n";
  xwrite(fd, msg, sizeof msg - 1);
  CHECK(fstat(fd, &st) == 0 && st.type == T_DEVICE, "fstat of a device node: type %d", st.type);
  xclose(fd);
  xunlink("ut.con");

  for(int i = 0; i < NELEM(nodriver); i++){
    CHECK(mknod("ut.nodev", nodriver[i], 0) == 0, "mknod with major %d failed", nodriver[i]);
    fd = open("ut.nodev", O_RDWR);
    CHECK(fd < 0, "a device with major %d and no driver opened", nodriver[i]);
    xunlink("ut.nodev");
  }
}

// sleep sleeps at least as long as asked; uptime never goes backwards.
static void
sleeptest(void)
{
  CHECK(sleep(0) == 0, "sleep(0) failed");
  int t0 = uptime();
  CHECK(sleep(5) == 0, "sleep(5) failed");
  int t = uptime() - t0;
  CHECK(t >= 5 && t < 100, "sleep(5) took %d ticks", t);

  t0 = uptime();
  for(int i = 0; i < 4; i++)
    if(xfork() == 0)
      exit(sleep(3 + i));
  waitok(4);
  t = uptime() - t0;
  CHECK(t >= 6, "children sleeping 3 to 6 ticks were all done in %d", t);

  int prev = uptime();
  for(int i = 0; i < 1000; i++){
    int u = uptime();
    CHECK(u >= prev, "uptime went back from %d to %d", prev, u);
    prev = u;
  }
}

// Several processes at once, each mixing memory, files, pipes, fork and exec.
static void
mixedwork(void)
{
  enum { NW = 4, ROUNDS = 8, MEM = 64 * 1024 };
  for(int w = 0; w < NW; w++){
    if(xfork() != 0)
      continue;
    char name[16];
    mkname(name, "ut.mx", w);
    for(int round = 0; round < ROUNDS; round++){
      int seed = w * 100 + round;
      char *m = sbrk(MEM);
      CHECK(m != FAILPTR, "worker %d: sbrk failed", w);
      fillpat(m, MEM, 0, seed);
      putfile(name, 3000 + round * 100, seed);
      checkfile(name, 3000 + round * 100, seed);
      xunlink(name);
      if(round % 2 == 0){
        char *argv[] = { "echo", "mixed", 0 };
        int st = capture("/echo", argv, 0, buf2, BUFSZ);
        CHECK(st == 0 && strcmp(buf2, "mixed\n") == 0, "worker %d: exec of echo: status %d",
              w, st);
      } else {
        int fds[2];
        xpipe(fds);
        int pid = xfork();
        if(pid == 0){
          fillpat(buf2, 300, 0, seed);
          xwrite(fds[1], buf2, 300);
          exit(0);
        }
        xclose(fds[1]);
        checkfd(fds[0], 0, 300, seed, "a pipe");
        xclose(fds[0]);
        CHECK(waitfor(pid) == 0, "worker %d: pipe writer failed", w);
      }
      CHECK(badpat(m, MEM, 0, seed) < 0, "worker %d: heap changed", w);
      CHECK(sbrk(-MEM) != FAILPTR, "worker %d: sbrk(-%d) failed", w, MEM);
    }
    exit(0);
  }
  waitok(NW);
}

// ---------------------------------------------------------------------------
// Slow tests: they exhaust memory, disk blocks or inodes, or build a huge
// directory.

// Grow one megabyte, then one page, at a time until sbrk fails, writing
// each page's number into it; check them all. Return the pages grown.
static int
growmax(void)
{
  char *base = sbrk(0);
  int step = 1024 * 1024;
  int n = 0;
  while(step >= PGSIZE){
    char *p = sbrk(step);
    if(p == FAILPTR){
      CHECK(sbrk(0) == base + (uint64)n * PGSIZE, "a refused sbrk moved the break");
      step = step == PGSIZE ? 0 : PGSIZE;
      continue;
    }
    for(int off = 0; off < step; off += PGSIZE)
      *(int*)(p + off) = n++;
  }
  for(int i = 0; i < n; i++)
    CHECK(*(int*)(base + (uint64)i * PGSIZE) == i, "page %d of %d lost its contents", i, n);
  return n;
}

// Memory runs out: the process survives, other calls fail cleanly, and
// what was given back can be had again.
static void
memfull(void)
{
  char *base = sbrk(0);
  int n1 = growmax();
  CHECK(n1 > 1000, "only %d pages could be had", n1);
  CHECK(canary == CANARY, "running out of memory changed the data segment");
  int pid = fork();
  if(pid == 0)
    exit(0);
  if(pid > 0)
    CHECK(waitfor(pid) == 0, "child failed");
  int fds[2];
  if(pipe(fds) == 0){
    xclose(fds[0]);
    xclose(fds[1]);
  }
  putfile("ut.mf", 3000, 2);
  checkfile("ut.mf", 3000, 2);
  xunlink("ut.mf");
  CHECK(sbrk(-n1 * PGSIZE) != FAILPTR && sbrk(0) == base, "shrinking back failed");
  int n2 = growmax();
  CHECK(n2 >= n1, "%d pages the first time, only %d after giving them back", n1, n2);
  CHECK(sbrk(-n2 * PGSIZE) != FAILPTR, "shrinking back failed");

  // exec with no memory left fails cleanly, or works.
  pid = xfork();
  if(pid == 0){
    growmax();
    close(1);
    char *argv[] = { "echo", 0 };
    exec("/echo", argv);
    exit(canary == CANARY ? EXEC_RETURNED : 1);
  }
  int st = waitfor(pid);
  CHECK(st == 0 || st == EXEC_RETURNED, "exec with no memory left: status %d", st);

  // Several processes compete for the last pages.
  for(int i = 0; i < 4; i++)
    if(xfork() == 0){
      growmax();
      exit(0);
    }
  waitok(4);
}

// Fill files ut.full/fN with pattern until a write fails; return the
// bytes they hold and the number of files in *nfiles.
static int
filldisk(int *nfiles)
{
  enum { CHUNK = 4 * BSIZE, MAX = MAXFILE * BSIZE };
  char name[24];
  int total = 0;

  for(int f = 0; ; f++){
    CHECK(f < 100, "100 files of MAXFILE blocks fit on a %d-block disk", FSSIZE);
    mkname(name, "ut.full/f", f);
    int fd = open(name, O_CREATE | O_TRUNC | O_WRONLY);
    if(fd < 0){
      *nfiles = f;
      return total;
    }
    int size = 0;
    while(size < MAX){
      fillpat(buf, CHUNK, size, f);
      if(write(fd, buf, CHUNK) != CHUNK)
        break;
      size += CHUNK;
    }
    struct stat st;
    CHECK(fstat(fd, &st) == 0, "fstat failed");
    total += st.size;
    xclose(fd);
    if(size < MAX){
      *nfiles = f + 1;
      return total;
    }
  }
}

static void
emptydisk(int nfiles)
{
  char name[24];
  for(int f = 0; f < nfiles; f++){
    mkname(name, "ut.full/f", f);
    xunlink(name);
  }
  CHECK(countentries("ut.full", 0) == 2, "ut.full is not empty");
}

// The disk fills up: writes fail, nothing already there is harmed, and
// all the blocks come back when the files go.
static void
diskfull(void)
{
  uint readme = filesum("/README");
  putfile("ut.keep", 5000, 8);
  xmkdir("ut.full");

  int nf1, nf2;
  int n1 = filldisk(&nf1);
  CHECK(n1 > 100 * BSIZE, "the disk held only %d bytes", n1);
  for(int f = 0; f < nf1; f++){
    char name[24];
    struct stat st;
    mkname(name, "ut.full/f", f);
    xstat(name, &st);
    checkfile(name, st.size, f);
  }
  int fd = open("ut.full/x", O_CREATE | O_RDWR);
  if(fd >= 0){
    int r = write(fd, buf, BSIZE);
    CHECK(r <= 0, "a write to a full disk returned %d", r);
    xclose(fd);
    xunlink("ut.full/x");
  }
  if(mkdir("ut.full/d") == 0)
    xunlink("ut.full/d");
  emptydisk(nf1);
  checkfile("ut.keep", 5000, 8);
  CHECK(filesum("/README") == readme, "README changed");

  int n2 = filldisk(&nf2);
  CHECK(n2 == n1, "the disk held %d bytes, then %d: blocks leaked", n1, n2);
  emptydisk(nf2);
  xunlink("ut.full");
  checkfile("ut.keep", 5000, 8);
  xunlink("ut.keep");
}

// The bytes the disk can hold in new files now: fill it, then empty it.
static int
freespace(void)
{
  int nfiles;
  xmkdir("ut.full");
  int n = filldisk(&nfiles);
  emptydisk(nfiles);
  xunlink("ut.full");
  return n;
}

// Several processes write files and remove them, over and over: no block
// is lost.
static void
manywrites(void)
{
  enum { NW = 4, ROUNDS = 30, SIZE = 12 * BSIZE };
  int before = freespace();
  for(int w = 0; w < NW; w++){
    if(xfork() != 0)
      continue;
    char name[16];
    mkname(name, "ut.mw", w);
    for(int round = 0; round < ROUNDS; round++){
      putfile(name, SIZE, w + round);
      checkfile(name, SIZE, w + round);
      xunlink(name);
    }
    exit(0);
  }
  waitok(NW);
  int after = freespace();
  CHECK(after == before, "the disk held %d bytes before, %d after", before, after);
}

// Writes from bad addresses fail, and leak no block: more of them than
// the disk has free blocks, each into a new file that is then removed.
static void
badwrite(void)
{
  static const uint64 bad[] = { 0xffffffffffUL, KERNBASE, MAXVA - 1 };
  int before = freespace();
  for(int i = 0; i < before / BSIZE + 50; i++){
    int fd = xopen("ut.bw", O_CREATE | O_WRONLY);
    uint64 a = bad[i % NELEM(bad)];
    int r = write(fd, (char*)a, 1);
    CHECK(r == -1, "a write from 0x%llx returned %d", a, r);
    xclose(fd);
    xunlink("ut.bw");
  }
  putfile("ut.bw", BSIZE, 1);
  xunlink("ut.bw");
  int after = freespace();
  CHECK(after == before, "the disk held %d bytes before, %d after", before, after);
}

// Create empty files until no inode is left; return how many.
static int
fillinodes(void)
{
  char name[24];
  for(int n = 0; ; n++){
    CHECK(n < 10000, "10000 files made without running out of inodes");
    mkname(name, "ut.ino/i", n);
    int fd = open(name, O_CREATE | O_RDWR);
    if(fd < 0)
      return n;
    xclose(fd);
  }
}

static void
emptyinodes(int n)
{
  char name[24];
  for(int i = 0; i < n; i++){
    mkname(name, "ut.ino/i", i);
    xunlink(name);
  }
  CHECK(countentries("ut.ino", 0) == 2, "ut.ino is not empty");
}

// Inodes run out: creation fails cleanly, and every inode comes back.
static void
outofinodes(void)
{
  uint readme = filesum("/README");
  putfile("ut.keep", 3000, 9);
  xmkdir("ut.ino");

  int n1 = fillinodes();
  CHECK(n1 > 10, "only %d files could be made", n1);
  CHECK(mkdir("ut.ino/d") == -1, "mkdir worked with no inode left");
  CHECK(mknod("ut.ino/c", 1, 0) == -1, "mknod worked with no inode left");
  CHECK(link("ut.keep", "ut.ino/l") == 0, "link, which needs no inode, failed");
  xunlink("ut.ino/l");
  emptyinodes(n1);
  checkfile("ut.keep", 3000, 9);
  CHECK(filesum("/README") == readme, "README changed");

  int n2 = fillinodes();
  CHECK(n2 == n1, "%d files the first time, %d the second: inodes leaked", n1, n2);
  emptyinodes(n2);
  xunlink("ut.ino");
  xunlink("ut.keep");
}

// A directory of hundreds of entries, all links to one file.
static void
bigdir(void)
{
  enum { N = 400 };
  char name[24];
  struct stat target, st;

  xmkdir("ut.bd");
  putfile("ut.bd/target", 10, 1);
  xstat("ut.bd/target", &target);
  for(int i = 0; i < N; i++){
    mkname(name, "ut.bd/l", i);
    CHECK(link("ut.bd/target", name) == 0, "link %s failed", name);
  }
  xstat("ut.bd/target", &st);
  CHECK(st.nlink == N + 1, "nlink %d with %d names", st.nlink, N + 1);
  CHECK(countentries("ut.bd", 0) == N + 3, "ut.bd has %d entries", countentries("ut.bd", 0));
  for(int i = 0; i < N; i++){
    mkname(name, "ut.bd/l", i);
    xstat(name, &st);
    CHECK(st.ino == target.ino, "%s leads to inode %d, not %d", name, st.ino, target.ino);
  }
  for(int i = 0; i < N; i++){
    mkname(name, "ut.bd/l", i);
    xunlink(name);
  }
  xstat("ut.bd/target", &st);
  CHECK(st.nlink == 1, "nlink %d after removing the links", st.nlink);
  CHECK(countentries("ut.bd", 0) == 3, "ut.bd has %d entries", countentries("ut.bd", 0));
  xunlink("ut.bd/target");
  xunlink("ut.bd");
}

// ---------------------------------------------------------------------------
// The runner

static const struct test {
  void (*fn)(void);
  char *name;
  int slow;       // -q skips it
} tests[] = {
  { exitwait, "exitwait", 0 },
  { orphans, "orphans", 0 },
  { forkfull, "forkfull", 0 },
  { twochildren, "twochildren", 0 },
  { forkfork, "forkfork", 0 },
  { forkforkfork, "forkforkfork", 0 },
  { killsleeping, "killsleeping", 0 },
  { killrunning, "killrunning", 0 },
  { killmisc, "killmisc", 0 },
  { forkcopy, "forkcopy", 0 },
  { execargs, "execargs", 0 },
  { execbigargs, "execbigargs", 0 },
  { execmissing, "execmissing", 0 },
  { execsbrk, "execsbrk", 0 },
  { execbadelf, "execbadelf", 0 },
  { execbig, "execbig", 0 },
  { sbrkbasic, "sbrkbasic", 0 },
  { sbrkmuch, "sbrkmuch", 0 },
  { sbrktoobig, "sbrktoobig", 0 },
  { pagesback, "pagesback", 0 },
  { bsstest, "bsstest", 0 },
  { sbrkbugs, "sbrkbugs", 0 },
  { sbrklast, "sbrklast", 0 },
  { mem, "mem", 0 },
  { sbrkfail, "sbrkfail", 0 },
  { kernelmem, "kernelmem", 0 },
  { maxva, "maxva", 0 },
  { abovebrk, "abovebrk", 0 },
  { stackguard, "stackguard", 0 },
  { textwrite, "textwrite", 0 },
  { badptr, "badptr", 0 },
  { badpipeleak, "badpipeleak", 0 },
  { badlen, "badlen", 0 },
  { badfd, "badfd", 0 },
  { badsyscall, "badsyscall", 0 },
  { pipedata, "pipedata", 0 },
  { pipewriters, "pipewriters", 0 },
  { pipeclose, "pipeclose", 0 },
  { pipeblock, "pipeblock", 0 },
  { pipemany, "pipemany", 0 },
  { filebasic, "filebasic", 0 },
  { filetrunc, "filetrunc", 0 },
  { truncate2, "truncate2", 0 },
  { truncate3, "truncate3", 0 },
  { bigfile, "bigfile", 0 },
  { manyfiles, "manyfiles", 0 },
  { unlinkopen, "unlinkopen", 0 },
  { openiput, "openiput", 0 },
  { exitiput, "exitiput", 0 },
  { iputtest, "iput", 0 },
  { linktest, "link", 0 },
  { dirrules, "dirrules", 0 },
  { dotdot, "dotdot", 0 },
  { deepdir, "deepdir", 0 },
  { maxpath, "maxpath", 0 },
  { fourteen, "fourteen", 0 },
  { concreate, "concreate", 0 },
  { duptest, "dup", 0 },
  { nofile, "nofile", 0 },
  { nfile, "nfile", 0 },
  { chdirtest, "chdir", 0 },
  { stattest, "stat", 0 },
  { consoletest, "console", 0 },
  { sleeptest, "sleep", 0 },
  { mixedwork, "mixedwork", 0 },
  { memfull, "memfull", 1 },
  { diskfull, "diskfull", 1 },
  { manywrites, "manywrites", 1 },
  { badwrite, "badwrite", 1 },
  { outofinodes, "outofinodes", 1 },
  { bigdir, "bigdir", 1 },
};

// Run t in a child process; print and return whether it passed.
static int
runtest(const struct test *t)
{
  int pid = fork();
  if(pid < 0){
    printf("test %s: FAILED (fork)\n", t->name);
    return 0;
  }
  if(pid == 0){
    testname = t->name;
    t->fn();
    exit(0);
  }
  int st = 0, r;
  while((r = wait(&st)) != pid && r >= 0)
    ;
  if(st == 0)
    printf("test %s: OK\n", t->name);
  else if(st == -1)
    printf("test %s: FAILED (killed by the kernel)\n", t->name);
  else
    printf("test %s: FAILED\n", t->name);
  return st == 0;
}

// One run: the chosen tests between two counts of free pages. Return
// whether everything passed.
static int
runall(int quick, const char *only)
{
  int free0 = countfree();
  int t0 = uptime();
  int ok = 1;

  for(int i = 0; i < NELEM(tests); i++){
    if(only ? strcmp(only, tests[i].name) != 0 : quick && tests[i].slow)
      continue;
    ok &= runtest(&tests[i]);
  }

  // Orphans may still be on their way to init: give them a moment.
  int free1 = countfree();
  for(int tries = 0; tries < 5 && free1 != free0; tries++){
    sleep(10);
    free1 = countfree();
  }
  printf("usertests: %d ticks; free pages %d before, %d after\n", uptime() - t0, free0, free1);
  if(free0 < 0 || free1 != free0){
    printf("usertests: FAILED: %d pages leaked\n", free0 - free1);
    ok = 0;
  }
  return ok;
}

static void
usage(void)
{
  fprintf(2, "usage: usertests [-q] [-c] [TEST]\n  -q  skip the slow tests\n"
          "  -c  repeat until a test fails\ntests:");
  for(int i = 0; i < NELEM(tests); i++)
    fprintf(2, " %s%s", tests[i].name, tests[i].slow ? "(slow)" : "");
  fprintf(2, "\n");
  exit(1);
}

int
main(int argc, char *argv[])
{
  int quick = 0, forever = 0;
  char *only = 0;

  testname = "usertests";
  for(int i = 1; i < argc; i++){
    if(strcmp(argv[i], "-q") == 0)
      quick = 1;
    else if(strcmp(argv[i], "-c") == 0)
      forever = 1;
    else if(argv[i][0] == '-' || only)
      usage();
    else
      only = argv[i];
  }
  if(only){
    int i = 0;
    while(i < NELEM(tests) && strcmp(tests[i].name, only) != 0)
      i++;
    if(i == NELEM(tests)){
      fprintf(2, "usertests: no test named %s\n", only);
      usage();
    }
  }

  printf("usertests starting\n");
  do {
    if(!runall(quick, only)){
      printf("SOME TESTS FAILED\n");
      exit(1);
    }
    printf("ALL TESTS PASSED\n");
  } while(forever);
  exit(0);
}
