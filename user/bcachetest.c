// bcachetest: exercise the buffer cache from several processes at once and
// measure the contention on its locks (the growth of the statistics
// report's tot=).
//
//   test0  three processes, each in a directory of its own, create a
//          10-block file and, once all three exist, read their file one
//          byte at a time at the same time; OK when tot grew by less than
//          500 while they read
//   test1  eviction: one process reads a 100-block file 200 times while
//          another reads a 1-block file 4000 times
//   test2  four processes each create 10 to 15 small files, write a value
//          of their own into each twice with sleep(1) in between, read the
//          values back and unlink the files
//   test3  five processes each write 12 chunks of 6 KiB into a file of
//          their own with sleep(1) between the chunks (log transactions
//          that need every buffer), then read it back
//
// Every test checks the data it reads. Each prints "testN: tot growth G,
// T ticks" (for tools/bench.py), then "testN: OK" or a line starting
// "testN: FAILED". The statistics report is printed after test0.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "user/user.h"

static char report[8192];   // larger than any report (at most 4096 bytes)
static int reportlen;

// Read the statistics report into `report` and return its tot=, or -1 if
// the report cannot be read or has no total.
static long
readtot(void)
{
  reportlen = statistics(report, sizeof(report) - 1);
  if(reportlen <= 0){
    reportlen = 0;
    return -1;
  }
  report[reportlen] = 0;
  char *p = strchr(report, '=');
  if(p == 0)
    return -1;
  while(*++p == ' ')
    ;
  if(*p < '0' || *p > '9')
    return -1;
  long v = 0;
  for(; *p >= '0' && *p <= '9'; p++)
    v = v * 10 + (*p - '0');
  return v;
}

// A test's measurement: tot and the time at its start.
struct measure {
  char *test;
  long tot;
  int ticks;
};

static void
begin(struct measure *m)
{
  m->tot = readtot();
  m->ticks = uptime();
}

// Print the test's figures. Returns tot's growth, or -1 if it is unknown.
static long
end(struct measure *m)
{
  long now = readtot();
  int ticks = uptime() - m->ticks;

  if(now < 0 || m->tot < 0){
    printf("%s: cannot read tot= from the statistics device, %d ticks\n", m->test, ticks);
    return -1;
  }
  printf("%s: tot growth %ld, %d ticks\n", m->test, now - m->tot, ticks);
  return now - m->tot;
}

// Append the decimal form of n >= 0 to the string s.
static void
appendnum(char *s, int n)
{
  char digits[12];
  int k = 0;

  do {
    digits[k++] = '0' + n % 10;
    n /= 10;
  } while(n > 0);
  s += strlen(s);
  while(k > 0)
    *s++ = digits[--k];
  *s = 0;
}

// The n bytes a file with the given seed holds. Every byte depends on the
// seed, the block and the place in the block, so data that comes from
// another file or from another block of the same file is noticed.
static char *
content(int seed, int n)
{
  char *buf = malloc(n);

  if(buf == 0)
    return 0;
  for(int pos = 0; pos < n; pos++){
    uint x = (uint)seed * 2654435761u ^ (uint)(pos / BSIZE) * 40503u ^ (uint)(pos % BSIZE);
    x ^= x >> 13;
    x *= 0x5bd1e995u;
    x ^= x >> 15;
    buf[pos] = x;
  }
  return buf;
}

// Create (or truncate) the file `name` holding data[0..n), written one block
// at a time. Returns 0, or -1 after saying why.
static int
writefile(char *test, char *name, char *data, int n)
{
  int fd = open(name, O_CREATE | O_TRUNC | O_WRONLY);

  if(fd < 0){
    printf("%s: cannot create %s\n", test, name);
    return -1;
  }
  for(int off = 0; off < n; off += BSIZE){
    int len = n - off < BSIZE ? n - off : BSIZE;
    if(write(fd, data + off, len) != len){
      printf("%s: write of %s at offset %d failed\n", test, name, off);
      close(fd);
      return -1;
    }
  }
  close(fd);
  return 0;
}

// Read the file `name`, open as fd, from its start in pieces of `chunk`
// bytes (at most BSIZE) and check that it holds exactly data[0..n).
// Returns 0, or -1 after saying why.
static int
checkfd(char *test, char *name, int fd, char *data, int n, int chunk)
{
  char buf[BSIZE];
  int off = 0;
  int got;

  while((got = read(fd, buf, chunk)) > 0){
    if(off + got > n){
      printf("%s: %s is longer than %d bytes\n", test, name, n);
      return -1;
    }
    if(memcmp(buf, data + off, got) != 0){
      printf("%s: %s holds wrong data in bytes %d..%d\n", test, name, off, off + got - 1);
      return -1;
    }
    off += got;
  }
  if(got < 0){
    printf("%s: read of %s at offset %d failed\n", test, name, off);
    return -1;
  }
  if(off != n){
    printf("%s: %s has %d bytes, not %d\n", test, name, off, n);
    return -1;
  }
  return 0;
}

// checkfd on the file `name`, opened here.
static int
checkfile(char *test, char *name, char *data, int n, int chunk)
{
  int fd = open(name, O_RDONLY);

  if(fd < 0){
    printf("%s: cannot open %s\n", test, name);
    return -1;
  }
  int r = checkfd(test, name, fd, data, n, chunk);
  close(fd);
  return r;
}

// Fork a child that runs fn(test, i) and exits with its result (0 for
// success). Returns 0, or -1 if fork failed.
static int
spawn(char *test, int (*fn)(char *, int), int i)
{
  int pid = fork();

  if(pid < 0){
    printf("%s: fork failed\n", test);
    return -1;
  }
  if(pid == 0)
    exit(fn(test, i) == 0 ? 0 : 1);
  return 0;
}

// Wait for every child; return how many did not exit with status 0.
static int
reap(void)
{
  int status, bad = 0;

  while(wait(&status) >= 0)
    if(status != 0)
      bad++;
  return bad;
}

// Print the test's verdict; return 1 if it failed.
static int
verdict(char *test, int nchild, int forkfailed, int badchildren, long growth, long limit)
{
  if(forkfailed)
    printf("%s: FAILED: could not fork %d children\n", test, nchild);
  else if(badchildren)
    printf("%s: FAILED: %d of %d children failed (see above)\n", test, badchildren, nchild);
  else if(growth < 0)
    printf("%s: FAILED: tot= is not readable\n", test);
  else if(limit > 0 && growth >= limit)
    printf("%s: FAILED: tot grew by %ld, the limit is %ld\n", test, growth, limit);
  else {
    printf("%s: OK\n", test);
    return 0;
  }
  return 1;
}

// test0 ------------------------------------------------------------------

enum { T0_CHILDREN = 3, T0_BLOCKS = 10 };

// Signals between test0's parent and children. A child writes one byte to
// ready[1] when its file exists and is open; the parent closes go[1] to start them all
// at once (a read of go[0] then returns 0 in every child). A child closes
// ready[1] when it has read its file, so the parent's read of ready[0]
// returns 0 once all have, and the parent measures only the reading. The
// children then wait for the parent to close clean[1] before they remove
// their files, so that no one writes while others still read.
static int ready[2], go[2], clean[2];

// Wait until every writer of the pipe whose read end is fd has closed it.
// Returns -1 if a byte came instead.
static int
awaitclose(int fd)
{
  char c;

  return read(fd, &c, 1) == 0 ? 0 : -1;
}

static void
t0dir(char *dir, int i)
{
  strcpy(dir, "bc0.");
  appendnum(dir, i);
}

static int
t0child(char *test, int i)
{
  char dir[16];
  int n = T0_BLOCKS * BSIZE;
  char *data = content(i, n);
  int r = -1, fd = -1;

  close(ready[0]);
  close(go[1]);
  close(clean[1]);
  t0dir(dir, i);
  if(data == 0)
    printf("%s: child %d: out of memory\n", test, i);
  else if(mkdir(dir) < 0 || chdir(dir) < 0)
    printf("%s: child %d: cannot make and enter %s\n", test, i, dir);
  else if(writefile(test, "f", data, n) == 0 && (fd = open("f", O_RDONLY)) < 0)
    printf("%s: child %d: cannot open %s/f\n", test, i, dir);
  write(ready[1], "r", 1);
  if(fd < 0 || awaitclose(go[0]) < 0){
    close(ready[1]);
    return -1;
  }
  // Only the reading is measured: the file is open already.
  r = checkfd(test, "f", fd, data, n, 1);
  close(ready[1]);
  close(fd);
  if(awaitclose(clean[0]) < 0)
    r = -1;
  if(unlink("f") < 0 || chdir("..") < 0 || unlink(dir) < 0){
    printf("%s: child %d: cannot remove %s/f and %s\n", test, i, dir, dir);
    r = -1;
  }
  return r;
}

// Remove what an earlier run or a failed child left behind.
static void
t0clean(void)
{
  char dir[16];

  for(int i = 0; i < T0_CHILDREN; i++){
    t0dir(dir, i);
    if(chdir(dir) == 0){
      unlink("f");
      chdir("/");
    }
    unlink(dir);
  }
}

static int
test0(void)
{
  struct measure m = { "test0" };
  int nchild = 0;
  char c;

  printf("start test0\n");
  t0clean();
  if(pipe(ready) < 0 || pipe(go) < 0 || pipe(clean) < 0){
    printf("test0: FAILED: pipe\n");
    return 1;
  }
  while(nchild < T0_CHILDREN && spawn(m.test, t0child, nchild) == 0)
    nchild++;
  close(ready[1]);
  close(go[0]);
  close(clean[0]);
  // Every child writes its byte or exits, so this ends.
  int nready = 0;
  while(nready < nchild && read(ready[0], &c, 1) == 1)
    nready++;
  if(nready == T0_CHILDREN)
    begin(&m);
  close(go[1]);
  while(read(ready[0], &c, 1) == 1)
    ;
  close(ready[0]);
  long growth = -1;
  if(nready == T0_CHILDREN){
    growth = end(&m);
    write(1, report, reportlen);
  }
  close(clean[1]);
  int bad = reap();
  t0clean();
  return verdict(m.test, T0_CHILDREN, nchild < T0_CHILDREN, bad, growth, 500);
}

// test1 ------------------------------------------------------------------

// Loops chosen so that the big file (far more blocks than NBUF) is read
// from disk block after block while the small one stays cached.
enum { T1_BIG = 100, T1_BIGREADS = 200, T1_SMALLREADS = 4000 };

static int
t1child(char *test, int i)
{
  int blocks = i == 0 ? T1_BIG : 1;
  int rounds = i == 0 ? T1_BIGREADS : T1_SMALLREADS;
  char *name = i == 0 ? "bc1.big" : "bc1.small";
  char *data = content(100 + i, blocks * BSIZE);

  if(data == 0){
    printf("%s: child %d: out of memory\n", test, i);
    return -1;
  }
  for(int r = 0; r < rounds; r++)
    if(checkfile(test, name, data, blocks * BSIZE, BSIZE) < 0)
      return -1;
  return 0;
}

static int
test1(void)
{
  struct measure m = { "test1" };
  int forkfailed = 0;
  char *big = content(100, T1_BIG * BSIZE);
  char *small = content(101, BSIZE);

  printf("start test1\n");
  if(big == 0 || small == 0){
    printf("test1: FAILED: out of memory\n");
    return 1;
  }
  int r = writefile(m.test, "bc1.big", big, T1_BIG * BSIZE);
  if(r == 0)
    r = writefile(m.test, "bc1.small", small, BSIZE);
  free(big);
  free(small);
  if(r < 0){
    unlink("bc1.big");
    printf("test1: FAILED: cannot create the files\n");
    return 1;
  }
  begin(&m);
  for(int i = 0; i < 2 && !forkfailed; i++)
    forkfailed = spawn(m.test, t1child, i) < 0;
  int bad = reap();
  long growth = end(&m);
  unlink("bc1.big");
  unlink("bc1.small");
  return verdict(m.test, 2, forkfailed, bad, growth, 0);
}

// test2 ------------------------------------------------------------------

enum { T2_CHILDREN = 4, T2_MINFILES = 10, T2_MAXFILES = 15 };

// Child i's file j, in the current directory (bc2).
static void
t2name(char *name, int i, int j)
{
  strcpy(name, "f");
  appendnum(name, i);
  strcpy(name + strlen(name), ".");
  appendnum(name, j);
}

// Children make between T2_MINFILES and T2_MAXFILES files each.
static int
t2files(int i)
{
  return T2_MINFILES + i * (T2_MAXFILES - T2_MINFILES) / (T2_CHILDREN - 1);
}

// Pass 1 creates each file holding its value; pass 2 checks the value and
// appends it again; pass 3 checks that the file holds the value twice and
// nothing else, and unlinks it.
static int
t2pass(char *test, int i, int pass)
{
  char name[16];

  for(int j = 0; j < t2files(i); j++){
    int value = 1000 * (i + 1) + j, got[3] = { 0 };
    int fd, r = 0;
    t2name(name, i, j);
    if(pass == 1){
      fd = open(name, O_CREATE | O_TRUNC | O_WRONLY);
      if(fd >= 0)
        r = write(fd, &value, sizeof(value)) == sizeof(value);
    } else if(pass == 2){
      fd = open(name, O_RDWR);
      if(fd >= 0)
        r = read(fd, got, sizeof(int)) == sizeof(int) && got[0] == value &&
            write(fd, &value, sizeof(value)) == sizeof(value);
    } else {
      fd = open(name, O_RDONLY);
      if(fd >= 0)
        r = read(fd, got, sizeof(got)) == 2 * sizeof(int) && got[0] == value &&
            got[1] == value && unlink(name) == 0;
    }
    if(fd >= 0)
      close(fd);
    if(!r){
      printf("%s: child %d: pass %d on %s failed (value %d, read %d %d)\n",
             test, i, pass, name, value, got[0], got[1]);
      return -1;
    }
  }
  return 0;
}

static int
t2child(char *test, int i)
{
  if(chdir("bc2") < 0){
    printf("%s: child %d: cannot enter bc2\n", test, i);
    return -1;
  }
  if(t2pass(test, i, 1) < 0)
    return -1;
  sleep(1);
  if(t2pass(test, i, 2) < 0)
    return -1;
  return t2pass(test, i, 3);
}

// Remove bc2 and whatever an earlier run or a failed child left in it.
// Returns 0 if bc2 is gone.
static int
t2clean(void)
{
  char name[16];

  if(chdir("bc2") == 0){
    for(int i = 0; i < T2_CHILDREN; i++)
      for(int j = 0; j < t2files(i); j++){
        t2name(name, i, j);
        unlink(name);
      }
    chdir("/");
  }
  unlink("bc2");
  struct stat st;
  return stat("bc2", &st) < 0 ? 0 : -1;
}

static int
test2(void)
{
  struct measure m = { "test2" };
  int forkfailed = 0;

  printf("start test2\n");
  t2clean();
  if(mkdir("bc2") < 0){
    printf("test2: FAILED: cannot make bc2\n");
    return 1;
  }
  begin(&m);
  for(int i = 0; i < T2_CHILDREN && !forkfailed; i++)
    forkfailed = spawn(m.test, t2child, i) < 0;
  int bad = reap();
  long growth = end(&m);
  if(t2clean() < 0 && !bad){
    printf("test2: FAILED: cannot remove bc2\n");
    return 1;
  }
  return verdict(m.test, T2_CHILDREN, forkfailed, bad, growth, 0);
}

// test3 ------------------------------------------------------------------

enum { T3_CHILDREN = 5, T3_CHUNKS = 12, T3_CHUNK = 6 * 1024 };

static void
t3name(char *name, int i)
{
  strcpy(name, "bc3.");
  appendnum(name, i);
}

static int
t3child(char *test, int i)
{
  int n = T3_CHUNKS * T3_CHUNK;
  char *data = content(300 + i, n);
  char name[16];

  t3name(name, i);
  if(data == 0){
    printf("%s: child %d: out of memory\n", test, i);
    return -1;
  }
  int fd = open(name, O_CREATE | O_TRUNC | O_WRONLY);
  if(fd < 0){
    printf("%s: child %d: cannot create %s\n", test, i, name);
    return -1;
  }
  for(int k = 0; k < T3_CHUNKS; k++){
    if(k > 0)
      sleep(1);
    int w = write(fd, data + k * T3_CHUNK, T3_CHUNK);
    if(w != T3_CHUNK){
      printf("%s: child %d: chunk %d: write returned %d\n", test, i, k, w);
      close(fd);
      return -1;
    }
  }
  close(fd);
  if(checkfile(test, name, data, n, BSIZE) < 0)
    return -1;
  if(unlink(name) < 0){
    printf("%s: child %d: cannot unlink %s\n", test, i, name);
    return -1;
  }
  return 0;
}

// Remove what an earlier run or a failed child left behind.
static void
t3clean(void)
{
  char name[16];

  for(int i = 0; i < T3_CHILDREN; i++){
    t3name(name, i);
    unlink(name);
  }
}

static int
test3(void)
{
  struct measure m = { "test3" };
  int forkfailed = 0;

  printf("start test3\n");
  t3clean();
  begin(&m);
  for(int i = 0; i < T3_CHILDREN && !forkfailed; i++)
    forkfailed = spawn(m.test, t3child, i) < 0;
  int bad = reap();
  long growth = end(&m);
  t3clean();
  return verdict(m.test, T3_CHILDREN, forkfailed, bad, growth, 0);
}

int
main(int argc, char *argv[])
{
  // Relative names below are in the root, whatever the shell's directory.
  if(chdir("/") < 0){
    printf("bcachetest: cannot enter /\n");
    exit(1);
  }
  int failed = test0();
  failed += test1();
  failed += test2();
  failed += test3();
  exit(failed ? 1 : 0);
}
