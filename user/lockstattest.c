// Tests of the lock profiler and its device (/lockprof): the report's
// format, the switch and reset, contention where it must show and none
// where it cannot be, the right call sites, an idle kernel's counts
// standing still, and bad use (junk written, odd reads, bad buffers, many
// readers at once). Each measurement has a control that shows it can
// fail. Prints "lockstattest OK" at the end.
//
// The spinlock contention checks need two CPUs or more; on one they are
// skipped, with a message.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "kernel/lockprof.h"
#include "user/user.h"
#include "user/lockreport.h"

#define BIG (256 * 1024)   // larger than any report here

static char text[BIG + 1];
static int failures;

static void
fail(char *what, char *detail)
{
  printf("lockstattest: FAIL: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  failures++;
}

// Read an open /lockprof file to its end, piece bytes at a time, into
// text; the length, or -1 on an error or a piece longer than asked for.
static int
readpieces(int fd, int piece)
{
  int len = 0, r = 0;

  while(len + piece <= BIG && (r = read(fd, text + len, piece)) > 0){
    if(r > piece)
      return -1;
    len += r;
  }
  return r < 0 ? -1 : len;
}

// Take a report, reading it piece bytes at a time, and check it is well
// formed: the parser's checks, and what holds for every class.
static int
report(struct lockreport *r, int piece)
{
  char *why;
  int fd = open("/lockprof", O_RDONLY);

  if(fd < 0){
    fail("cannot open /lockprof", 0);
    return -1;
  }
  int n = readpieces(fd, piece);
  close(fd);
  if(n < 0){
    fail("reading /lockprof failed", 0);
    return -1;
  }
  if(parselockreport(text, n, r, &why) < 0){
    fail("malformed report", why);
    return -1;
  }
  for(int i = 0; i < r->nclass; i++){
    struct lockclass *c = &r->class[i];
    struct lockprofsum *s = &c->sum;
    uint64 listed = c->waiter.other;
    for(int j = 0; j < c->waiter.n; j++)
      listed += c->waiter.count[j];
    if((s->contended > 0 && (s->wait.min > s->wait.max || s->wait.max > s->wait.total)) ||
       (s->hold.n > 0 && (s->hold.min > s->hold.max || s->hold.max > s->hold.total)) ||
       (s->contended == 0 && (c->waiter.n > 0 || c->holder.n > 0)) ||
       (s->contended > 0 && c->waiter.n == 0) || listed > s->contended){
      fail("a class's numbers do not add up", c->name);
      freelockreport(r);
      return -1;
    }
  }
  return 0;
}

// Class name of the given kind in r, or 0 if it was not used.
static struct lockclass *
find(struct lockreport *r, char *name, char *kind)
{
  for(int i = 0; i < r->nclass; i++)
    if(strcmp(r->class[i].name, name) == 0 && strcmp(r->class[i].kind, kind) == 0)
      return &r->class[i];
  return 0;
}

// The counts of class name (a spinlock) in a fresh report, zeros if it
// was not used; -1 if the report failed.
static int
counts(char *name, struct lockprofsum *s)
{
  struct lockreport r;

  if(report(&r, 4096) < 0)
    return -1;
  struct lockclass *c = find(&r, name, "spin");
  if(c)
    *s = c->sum;
  else
    memset(s, 0, sizeof(*s));
  freelockreport(&r);
  return 0;
}

static void
ctl(char *cmd)
{
  if(lockstatctl(cmd) < 0)
    fail("a command to /lockprof was refused", cmd);
}

// Pass n bytes one at a time through a pipe of our own.
static void
usepipe(int n)
{
  int fds[2];
  char c = 'x';

  if(pipe(fds) < 0){
    fail("pipe", 0);
    return;
  }
  for(int i = 0; i < n; i++)
    if(write(fds[1], &c, 1) != 1 || read(fds[0], &c, 1) != 1)
      fail("pipe I/O", 0);
  close(fds[0]);
  close(fds[1]);
}

// ---- the tests ----

// The device refuses what it does not understand, and only that.
static void
control(void)
{
  static char *junk[] = { "", "o", "onn", "of", "reset\n\n", "RESET", "on off", "resetting" };
  int fd = open("/lockprof", O_WRONLY);

  if(fd < 0){
    fail("cannot open /lockprof for writing", 0);
    return;
  }
  for(int i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
    if(write(fd, junk[i], strlen(junk[i])) != -1)
      fail("/lockprof accepted junk", junk[i]);
  if(write(fd, text, sizeof(text)) != -1)
    fail("/lockprof accepted a long write", 0);
  if(write(fd, (char *)0xfffffffff0L, 5) != -1)
    fail("/lockprof accepted a write from a bad address", 0);
  if(read(fd, text, 10) != -1)
    fail("reading a file opened only for writing worked", 0);
  if(write(fd, "on\n", 3) != 3)
    fail("/lockprof refused \"on\\n\"", 0);
  close(fd);

  fd = open("/lockprof", O_RDONLY);
  if(fd >= 0 && write(fd, "on", 2) != -1)
    fail("writing a file opened only for reading worked", 0);
  close(fd);
}

// Off, nothing is counted; on, it is; a reset zeroes. Each also serves as
// the other's control.
static void
switchreset(void)
{
  struct lockprofsum a, b;
  struct lockreport r;

  usepipe(10);
  ctl("off");
  if(counts("pipe", &a) < 0)
    return;
  usepipe(100);
  if(counts("pipe", &b) < 0)
    return;
  if(a.acquired == 0)
    fail("no pipe acquires counted before profiling was switched off", 0);
  if(b.acquired != a.acquired)
    fail("pipe acquires were counted while profiling was off", 0);
  if(report(&r, 4096) == 0){
    if(r.on)
      fail("the header says on after \"off\"", 0);
    freelockreport(&r);
  }

  ctl("on");
  usepipe(100);
  if(counts("pipe", &b) < 0)
    return;
  if(b.acquired < a.acquired + 200)
    fail("pipe acquires were not counted after profiling was switched on", 0);

  ctl("reset");
  if(report(&r, 4096) < 0)
    return;
  if(!r.on)
    fail("the header says off after \"on\"", 0);
  if(find(&r, "pipe", "spin"))
    fail("the pipe class is listed after a reset, though no pipe was used", 0);
  if(r.elapsedns > 5000000000ULL)
    fail("more than 5 s since a reset that just happened", 0);
  freelockreport(&r);
  usepipe(50);
  if(counts("pipe", &b) == 0 && (b.acquired < 100 || b.hold.n != b.acquired))
    fail("after a reset, pipe acquires and holds are not what this test did", 0);
}

// Reads in odd pieces, reads into bad buffers, readers sharing one open
// file, and many readers at once.
static void
reads(void)
{
  static int pieces[] = { 1, 3, 7, 100, 4096, 5000, BIG };
  struct lockreport r;

  for(int i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++)
    if(report(&r, pieces[i]) == 0)
      freelockreport(&r);

  int fd = open("/lockprof", O_RDONLY);
  if(fd < 0){
    fail("cannot open /lockprof", 0);
    return;
  }
  if(read(fd, text, 0) != 0)
    fail("a read of 0 bytes did not return 0", 0);
  if(read(fd, (char *)0xfffffffff0L, 100) != -1)
    fail("a read into a bad address did not fail", 0);
  // The last 10 bytes of the last page of memory, and beyond.
  char *end = (char *)(((uint64)sbrk(0) + 4095) / 4096 * 4096);
  if(read(fd, end - 10, 100) != -1)
    fail("a read running off the end of memory did not fail", 0);
  // Failed reads leave the position alone: the report is still whole.
  int n = readpieces(fd, 13);
  char *why;
  if(n < 0 || parselockreport(text, n, &r, &why) < 0)
    fail("the report after failed reads is not whole", 0);
  else
    freelockreport(&r);
  if(read(fd, text, 10) != 0)
    fail("a read after the end did not return 0", 0);
  close(fd);

  // Two processes read one open file: each byte goes to one of them, and
  // at the end both see the end.
  fd = open("/lockprof", O_RDONLY);
  int p[2];
  if(fd < 0 || pipe(p) < 0){
    fail("cannot open /lockprof or a pipe", 0);
    return;
  }
  for(int i = 0; i < 2; i++){
    if(fork() == 0){
      char buf[5];
      int got = 0, k;
      while((k = read(fd, buf, sizeof(buf))) > 0)
        got += k;
      write(p[1], &got, sizeof(got));
      exit(k == 0 ? 0 : 1);
    }
  }
  int total = 0, status, bad = 0;
  for(int i = 0; i < 2; i++){
    int got;
    if(read(p[0], &got, sizeof(got)) == sizeof(got))
      total += got;
    wait(&status);
    bad += status != 0;
  }
  close(p[0]);
  close(p[1]);
  if(bad || total < 100 || read(fd, text, 10) != 0)
    fail("two processes sharing an open /lockprof file did not read it once", 0);
  close(fd);

  // Many readers at once, while another process resets and uses pipes.
  int churn = fork();
  if(churn == 0){
    for(int i = 0; i < 50; i++){
      usepipe(20);
      lockstatctl("reset");
    }
    exit(0);
  }
  for(int i = 0; i < 6; i++){
    if(fork() == 0){
      int ok = 1;
      for(int round = 0; round < 3 && ok; round++){
        ok = report(&r, 7 + 100 * i) == 0;
        if(ok)
          freelockreport(&r);
      }
      exit(ok ? 0 : 1);
    }
  }
  bad = 0;
  for(int i = 0; i < 7; i++){
    wait(&status);
    bad += status != 0;
  }
  if(bad)
    fail("a reader among many got a bad report", 0);
}

// nprocs processes pass bytes through one pipe; one process alone is the
// control, where the pipe lock cannot be contended.
static void
hammer(int nprocs, int n)
{
  int fds[2];
  char buf[16];

  if(pipe(fds) < 0){
    fail("pipe", 0);
    return;
  }
  for(int i = 0; i < nprocs; i++){
    if(fork() == 0){
      for(int j = 0; j < n; j++){
        if(write(fds[1], "x", 1) != 1 || read(fds[0], buf, 1) != 1){
          fail("pipe I/O", 0);
          exit(1);
        }
      }
      exit(0);
    }
  }
  for(int i = 0; i < nprocs; i++)
    wait(0);
  close(fds[0]);
  close(fds[1]);
}

// Is where ("function+0xoff") in one of the functions named in fns?
static int
infunction(char *where, char **fns, int nfns)
{
  for(int i = 0; i < nfns; i++){
    int n = strlen(fns[i]);
    if(memcmp(where, fns[i], n) == 0 && where[n] == '+')
      return 1;
  }
  return 0;
}

static void
pipecontention(void)
{
  static char *pipefns[] = { "piperead", "pipewrite", "pipeclose", "sleep" };
  struct lockprofsum s;
  struct lockreport r;
  uint64 bounces = 0;

  // The control: one process alone.
  ctl("reset");
  hammer(1, 2000);
  if(counts("pipe", &s) < 0)
    return;
  if(s.acquired < 4000 || s.contended != 0)
    fail("one process alone: pipe acquires missing, or contention where there is none", 0);

  // Eight processes at once, until the pipe lock has waited enough (or
  // no lock ever moved between CPUs: there is only one).
  struct lockclass *c = 0;
  ctl("reset");
  for(int round = 1; ; round++){
    hammer(8, 500);
    if(report(&r, 4096) < 0)
      return;
    bounces = 0;
    for(int i = 0; i < r.nclass; i++)
      bounces += r.class[i].sum.bounces;
    c = find(&r, "pipe", "spin");
    if(bounces == 0 || (c && c->sum.contended >= 20) || round == 20)
      break;
    freelockreport(&r);
  }
  if(bounces == 0){
    printf("lockstattest: one CPU: spinlock contention checks skipped\n");
  } else if(c == 0 || c->sum.contended < 20){
    fail("eight processes on one pipe: the pipe lock barely contended", 0);
  } else {
    if(c->sum.wait.total == 0 || c->sum.waits < c->sum.contended || c->sum.bounces == 0)
      fail("pipe contention without wait time, failed tries or bounces", 0);
    if(c->sum.hold.n != c->sum.acquired || c->sum.hold.total == 0)
      fail("pipe holds do not match acquires at rest", 0);
    for(int i = 0; i < c->waiter.n; i++)
      if(!infunction(c->waiter.where[i], pipefns, 4))
        fail("a pipe waiter site outside the pipe code", c->waiter.where[i]);
    for(int i = 0; i < c->holder.n; i++)
      if(!infunction(c->holder.where[i], pipefns, 4))
        fail("a pipe holder site outside the pipe code", c->holder.where[i]);
    if(c->waiter.n == 0 || c->holder.n == 0)
      fail("pipe contention without sites", 0);
  }
  freelockreport(&r);
}

// Processes append to one file and read it: they wait for its inode's
// sleep lock, and that counts sleeps. One process alone is the control.
static void
filework(int nprocs, int rounds)
{
  static char buf[1024];

  unlink("lockstattest.f");
  for(int i = 0; i < nprocs; i++){
    if(fork() == 0){
      int fd = open("lockstattest.f", O_CREATE | O_RDWR);
      for(int j = 0; fd >= 0 && j < rounds; j++){
        write(fd, buf, sizeof(buf));
        read(fd, buf, sizeof(buf));
      }
      close(fd);
      exit(fd >= 0 ? 0 : 1);
    }
  }
  for(int i = 0; i < nprocs; i++)
    wait(0);
  unlink("lockstattest.f");
}

static void
sleepcontention(void)
{
  struct lockreport r;
  struct lockclass *c;

  ctl("reset");
  filework(1, 20);
  if(report(&r, 4096) < 0)
    return;
  c = find(&r, "inode", "sleep");
  if(c == 0 || c->sum.acquired == 0 || c->sum.contended != 0)
    fail("one process alone: inode lock acquires missing, or contention", 0);
  freelockreport(&r);

  ctl("reset");
  for(int round = 1; ; round++){
    filework(4, 20);
    if(report(&r, 4096) < 0)
      return;
    c = find(&r, "inode", "sleep");
    if((c && c->sum.contended >= 5) || round == 10)
      break;
    freelockreport(&r);
  }
  if(c == 0 || c->sum.contended < 5)
    fail("four processes on one file: the inode lock barely waited", 0);
  else if(c->sum.waits < c->sum.contended || c->sum.wait.total == 0)
    fail("inode lock waits without sleeps or wait time", 0);
  else if(c->sum.hold.n != c->sum.acquired || c->sum.hold.total == 0)
    fail("inode lock holds do not match acquires at rest", 0);
  freelockreport(&r);
}

// Two reports of an idle kernel: classes the reader does not use stand
// still. The control: using a pipe between two reports moves its class.
static void
idle(void)
{
  static char *unused[] = { "pipe", "wait_lock", "nextpid" };
  struct lockreport a, b;

  usepipe(10);
  if(report(&a, 4096) < 0)
    return;
  if(report(&b, 4096) < 0){
    freelockreport(&a);
    return;
  }
  for(int i = 0; i < 3; i++){
    struct lockclass *x = find(&a, unused[i], "spin"), *y = find(&b, unused[i], "spin");
    if((x == 0) != (y == 0) ||
       (x && (x->sum.acquired != y->sum.acquired || x->sum.hold.n != y->sum.hold.n)))
      fail("a class the reader does not use changed while the kernel was idle", unused[i]);
  }
  if(find(&a, "pipe", "spin") == 0)
    fail("the pipe class is missing after pipe use", 0);
  freelockreport(&b);
  usepipe(1);
  if(report(&b, 4096) == 0){
    struct lockclass *x = find(&a, "pipe", "spin"), *y = find(&b, "pipe", "spin");
    if(x == 0 || y == 0 || y->sum.acquired < x->sum.acquired + 2)
      fail("using a pipe between two reports did not move its class", 0);
    freelockreport(&b);
  }
  freelockreport(&a);
}

int
main(void)
{
  struct lockreport r;

  if(report(&r, 4096) < 0)
    exit(1);
  int wason = r.on;
  freelockreport(&r);
  // Profiling is off by default; the tests need it on until the end.
  ctl("on");

  control();
  switchreset();
  reads();
  pipecontention();
  sleepcontention();
  idle();

  if(!wason)
    ctl("off");
  if(failures == 0)
    printf("lockstattest OK\n");
  exit(failures ? 1 : 0);
}
