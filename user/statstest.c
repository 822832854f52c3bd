// Tests of the lock statistics and the statistics device (docs/ABI.md):
// the report's format, counts that grow under load, 10000 pipes created and
// destroyed, readers reading at once in small pieces, two processes sharing
// one open file, writes refused, and an idle kernel's tot= staying put.
// Prints "statstest OK" at the end.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define BIG 8192     // larger than any report may be, to catch oversized ones
#define MAXREPORT 4096

static char buf[BIG];
static int failures;

static void
fail(char *what, char *detail)
{
  printf("statstest: FAIL: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  failures++;
}

static int
startswith(char *s, char *prefix)
{
  while(*prefix)
    if(*s++ != *prefix++)
      return 0;
  return 1;
}

// Parse "lock: NAME: #test-and-set N #acquire() M". Returns 0 if malformed.
static int
parse_lock(char *line, char *name, int namelen, uint64 *spins, uint64 *acq)
{
  if(!startswith(line, "lock: "))
    return 0;
  char *p = line + 6, *q = strchr(p, ':');
  if(q == 0 || q - p >= namelen || q == p)
    return 0;
  memmove(name, p, q - p);
  name[q - p] = 0;
  p = q + 1;
  if(!startswith(p, " #test-and-set "))
    return 0;
  p += 15;
  *spins = 0;
  if(*p < '0' || *p > '9')
    return 0;
  while(*p >= '0' && *p <= '9')
    *spins = *spins * 10 + (*p++ - '0');
  if(!startswith(p, " #acquire() "))
    return 0;
  p += 12;
  *acq = 0;
  if(*p < '0' || *p > '9')
    return 0;
  while(*p >= '0' && *p <= '9')
    *acq = *acq * 10 + (*p++ - '0');
  return *p == 0;
}

struct summary {
  uint64 tot;
  uint64 kmem_acquires;
  uint64 bcache_acquires;
};

// Check a whole report's format; fill in s. Returns 0 if it is malformed.
static int
check_report(char *r, int n, struct summary *s)
{
  char name[64];
  uint64 spins, acq, sum = 0;
  if(n <= 0 || n > MAXREPORT){
    fail("report size out of range", 0);
    return 0;
  }
  r[n] = 0;
  char *eq = strchr(r, '=');
  char *tot = 0;
  memset(s, 0, sizeof(*s));
  int section = 0, top = 0;
  char *line = r;
  while(*line){
    char *nl = strchr(line, '\n');
    if(nl == 0){
      fail("report does not end with a newline", 0);
      return 0;
    }
    *nl = 0;
    if(section == 0){
      if(strcmp(line, "--- lock kmem/bcache stats") != 0){
        fail("bad first line", line);
        return 0;
      }
      section = 1;
    } else if(section == 1 && strcmp(line, "--- top 5 contended locks:") == 0){
      section = 2;
    } else if(section == 1){
      if(!parse_lock(line, name, sizeof(name), &spins, &acq) ||
         !(startswith(name, "kmem") || startswith(name, "bcache"))){
        fail("bad kmem/bcache line", line);
        return 0;
      }
      sum += spins;
      if(startswith(name, "kmem"))
        s->kmem_acquires += acq;
      else
        s->bcache_acquires += acq;
    } else if(section == 2 && top < 5){
      if(!parse_lock(line, name, sizeof(name), &spins, &acq)){
        fail("bad top-5 line", line);
        return 0;
      }
      top++;
    } else if(section == 2 && startswith(line, "tot= ")){
      tot = line;
      s->tot = atoi(line + 5);
      section = 3;
    } else {
      fail("unexpected line", line);
      return 0;
    }
    line = nl + 1;
  }
  if(section != 3 || top != 5){
    fail("report is missing sections or top-5 lines", 0);
    return 0;
  }
  if(eq != tot + 3){
    fail("the first '=' of the report is not the one in \"tot= \"", 0);
    return 0;
  }
  if(s->tot != sum){
    fail("tot= is not the sum of the kmem/bcache spins", 0);
    return 0;
  }
  return 1;
}

static int
report(struct summary *s)
{
  int n = statistics(buf, BIG - 1);
  return check_report(buf, n, s);
}

// Several processes allocate memory and read files at once.
static void
load(void)
{
  for(int i = 0; i < 3; i++){
    int pid = fork();
    if(pid < 0){
      fail("fork", 0);
      return;
    }
    if(pid == 0){
      char b[512];
      for(int j = 0; j < 300; j++){
        char *a = sbrk(4 * 4096);
        if(a != (char *)-1){
          a[0] = 1;
          sbrk(-4 * 4096);
        }
        int fd = open("README", O_RDONLY);
        if(fd >= 0){
          read(fd, b, sizeof(b));
          close(fd);
        }
      }
      exit(0);
    }
  }
  for(int i = 0; i < 3; i++)
    wait(0);
}

static void
pipes(int n)
{
  int fds[2];
  char c = 'x';
  for(int i = 0; i < n; i++){
    if(pipe(fds) < 0){
      fail("pipe failed", 0);
      return;
    }
    if(write(fds[1], &c, 1) != 1 || read(fds[0], &c, 1) != 1)
      fail("pipe I/O failed", 0);
    close(fds[0]);
    close(fds[1]);
  }
}

// Readers read the device at once, 7 bytes at a time, while another process
// creates pipes (whose locks come and go); each must get a whole report.
static void
readers(void)
{
  int n = 4;
  int churn = fork();
  if(churn == 0){
    pipes(2000);
    exit(0);
  }
  for(int i = 0; i < n; i++){
    if(fork() == 0){
      int ok = 1;
      for(int round = 0; round < 5 && ok; round++){
        int fd = open("statistics", O_RDONLY);
        if(fd < 0)
          exit(1);
        int len = 0, r;
        while(len < BIG - 8 && (r = read(fd, buf + len, 7)) > 0)
          len += r;
        if(read(fd, buf, 7) != 0)
          ok = 0;
        close(fd);
        struct summary s;
        ok = ok && check_report(buf, len, &s);
      }
      exit(ok ? 0 : 1);
    }
  }
  int status, bad = 0;
  for(int i = 0; i < n + 1; i++){
    wait(&status);
    bad += status != 0;
  }
  if(bad)
    fail("a concurrent reader got a broken report", 0);
}

// How many of each byte value a reader got.
struct tally {
  int n[256];
};

static void
readall(int fd, struct tally *t)
{
  char c;

  memset(t, 0, sizeof(*t));
  while(read(fd, &c, 1) == 1)
    t->n[(uchar)c]++;
}

// Two processes share one open file (opened before fork) and read it at
// once, a byte at a time: each byte of the report must go to exactly one of
// them. Which bytes went where cannot be told, but the report's fixed text
// can be counted: one '=', and on each of its lock lines two '#', one '(',
// one ')', two ':' and a newline, next to three lines of other text. A byte
// given to both, or to neither, shows in these counts whenever it is one of
// them, which about one byte in ten is.
static void
shared(void)
{
  static struct tally mine, theirs;   // too big for the one-page stack

  for(int round = 0; round < 10; round++){
    int fds[2];
    int fd = open("statistics", O_RDONLY);
    if(fd < 0 || pipe(fds) < 0){
      fail("open or pipe failed", 0);
      return;
    }
    int pid = fork();
    if(pid < 0){
      fail("fork", 0);
      return;
    }
    if(pid == 0){
      readall(fd, &mine);
      write(fds[1], &mine, sizeof(mine));
      exit(0);
    }
    readall(fd, &mine);
    int got = 0, r;
    while(got < sizeof(theirs) && (r = read(fds[0], (char *)&theirs + got, sizeof(theirs) - got)) > 0)
      got += r;
    wait(0);
    close(fd);
    close(fds[0]);
    close(fds[1]);
    if(got != sizeof(theirs)){
      fail("the child did not report what it read", 0);
      return;
    }
    int *c = mine.n;
    for(int i = 0; i < 256; i++)
      c[i] += theirs.n[i];
    int locks = c['('];
    if(c['='] != 1 || c[')'] != locks || c['#'] != 2 * locks || c[':'] != 2 * locks + 1 ||
       c['\n'] != locks + 3 || locks < 5){
      fail("two processes sharing an open file did not get each byte once", 0);
      return;
    }
  }
}

int
main(void)
{
  struct summary a, b;

  if(!report(&a))
    exit(1);

  int fd = open("statistics", O_RDWR);
  if(fd < 0)
    fail("cannot open statistics", 0);
  else {
    if(write(fd, "x", 1) != -1)
      fail("writing the statistics device did not fail", 0);
    close(fd);
  }

  load();
  if(report(&b)){
    if(b.kmem_acquires <= a.kmem_acquires)
      fail("kmem acquires did not grow under load", 0);
    if(b.bcache_acquires <= a.bcache_acquires)
      fail("bcache acquires did not grow under load", 0);
  }

  // Each pipe's lock joins and leaves the registry: nothing may run out,
  // and the report must stay whole and within its size.
  pipes(10000);
  report(&b);

  readers();
  shared();

  // Idle: two reports one after the other show the same tot=.
  if(report(&a) && report(&b) && a.tot != b.tot)
    fail("tot= changed between two reports of an idle kernel", 0);

  if(failures == 0)
    printf("statstest OK\n");
  exit(failures ? 1 : 0);
}
