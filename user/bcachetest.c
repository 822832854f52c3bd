// bcachetest: exercise the buffer cache from several processes at once and
// measure the contention on its locks (the growth of the statistics
// report's tot=).
//
//   test0  three 10-block files, each in a directory of its own, are
//          created, and three processes read one each, one byte at a time,
//          at the same time; OK when tot grew by less than 500 from before
//          the files were created until the readers have been waited for
//   test1  eviction: one process reads a 100-block file 200 times while
//          another reads a 1-block file 4000 times
//   test2  four processes each create 10 to 15 small files, write a value
//          of their own into each twice with sleep(1) in between, read the
//          values back and unlink the files
//   test3  five processes each write 12 chunks of 6 KiB into a file of
//          their own with sleep(1) between the chunks (log transactions
//          that need every buffer), then read it back
//
// Every test checks the data it reads. The lines the course's bcachetest
// prints come first, exactly (they are listed in docs/ABI.md): the
// statistics report after test0, and "test0: OK" but "test1 OK" (the
// course puts a colon after test0 only). Then, for tools/bench.py, lines
// per test of our own: "testN: tot growth G, T ticks", then, when the lock
// profiler is on, "testN: kernel spins S" (every spinlock's failed
// attempts, which the profiler counts). A line saying what went wrong comes
// before a test's FAIL line.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "user/user.h"
#include "user/lockmeasure.h"

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

// Print the course's verdict line of a test (with a colon after test0
// only); return 1 if the test failed.
static int
courseline(int test, int failed)
{
  printf(test == 0 ? "test%d: %s\n" : "test%d %s\n", test, failed ? "FAIL" : "OK");
  return failed;
}

// Say why a test failed, then print its FAIL line; return 1.
static int
failure(int test, char *why)
{
  printf("test%d: %s\n", test, why);
  return courseline(test, 1);
}

// Say why the test failed, if it did, then print the course's verdict
// line. Returns 1 if the test failed.
static int
verdict(int test, int nchild, int forkfailed, int badchildren, long growth, long limit)
{
  int failed = 1;

  if(forkfailed)
    printf("test%d: could not fork %d children\n", test, nchild);
  else if(badchildren)
    printf("test%d: %d of %d children failed (see above)\n", test, badchildren, nchild);
  else
    failed = limit > 0 ? !underlimit(test, growth, limit) : growth < 0;
  return courseline(test, failed);
}

// test0 ------------------------------------------------------------------

enum { T0_CHILDREN = 3, T0_BLOCKS = 10 };

// The directory of test0's file i, "bc0.i", and the file, "bc0.i/f".
static void
t0dir(char *dir, int i)
{
  strcpy(dir, "bc0.");
  appendnum(dir, i);
}

static void
t0file(char *path, int i)
{
  t0dir(path, i);
  strcpy(path + strlen(path), "/f");
}

// Child i reads its file one byte at a time.
static int
t0child(char *test, int i)
{
  char path[16];
  int n = T0_BLOCKS * BSIZE;
  char *data = content(i, n);

  if(data == 0){
    printf("%s: child %d: out of memory\n", test, i);
    return -1;
  }
  t0file(path, i);
  return checkfile(test, path, data, n, 1);
}

// Remove the files and directories, also what an earlier run left behind.
static void
t0clean(void)
{
  char path[16];

  for(int i = 0; i < T0_CHILDREN; i++){
    t0file(path, i);
    unlink(path);
    t0dir(path, i);
    unlink(path);
  }
}

// The parent creates the files, then forks the readers; all of it is
// measured, up to the readers' exit and reaping.
static int
test0(void)
{
  char path[16];
  int n = T0_BLOCKS * BSIZE;
  int r = 0, nchild = 0;

  printf("start test0\n");
  t0clean();
  begin(0);
  for(int i = 0; i < T0_CHILDREN && r == 0; i++){
    char *data = content(i, n);
    t0dir(path, i);
    if(data == 0 || mkdir(path) < 0){
      printf("test0: cannot make %s\n", path);
      r = -1;
    } else {
      t0file(path, i);
      r = writefile("test0", path, data, n);
    }
    free(data);
  }
  while(r == 0 && nchild < T0_CHILDREN && spawn("test0", t0child, nchild) == 0)
    nchild++;
  int bad = reap();
  printf("test0 results:\n");
  long growth = end(0);
  write(1, report, reportlen);
  t0clean();
  if(r < 0)
    return courseline(0, 1);   // what went wrong is said above
  return verdict(0, T0_CHILDREN, nchild < T0_CHILDREN, bad, growth, 500);
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
  int forkfailed = 0;
  char *big = content(100, T1_BIG * BSIZE);
  char *small = content(101, BSIZE);

  printf("start test1\n");
  if(big == 0 || small == 0){
    return failure(1, "out of memory");
  }
  int r = writefile("test1", "bc1.big", big, T1_BIG * BSIZE);
  if(r == 0)
    r = writefile("test1", "bc1.small", small, BSIZE);
  free(big);
  free(small);
  if(r < 0){
    unlink("bc1.big");
    return failure(1, "cannot create the files");
  }
  begin(1);
  for(int i = 0; i < 2 && !forkfailed; i++)
    forkfailed = spawn("test1", t1child, i) < 0;
  int bad = reap();
  long growth = end(1);
  unlink("bc1.big");
  unlink("bc1.small");
  return verdict(1, 2, forkfailed, bad, growth, 0);
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
  int forkfailed = 0;

  printf("start test2\n");
  t2clean();
  if(mkdir("bc2") < 0){
    return failure(2, "cannot make bc2");
  }
  begin(2);
  for(int i = 0; i < T2_CHILDREN && !forkfailed; i++)
    forkfailed = spawn("test2", t2child, i) < 0;
  int bad = reap();
  long growth = end(2);
  if(t2clean() < 0 && !bad)
    return failure(2, "cannot remove bc2");
  return verdict(2, T2_CHILDREN, forkfailed, bad, growth, 0);
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
  int forkfailed = 0;

  printf("start test3\n");
  t3clean();
  begin(3);
  for(int i = 0; i < T3_CHILDREN && !forkfailed; i++)
    forkfailed = spawn("test3", t3child, i) < 0;
  int bad = reap();
  long growth = end(3);
  t3clean();
  return verdict(3, T3_CHILDREN, forkfailed, bad, growth, 0);
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
  printfigures(0, 3);
  exit(failed ? 1 : 0);
}
