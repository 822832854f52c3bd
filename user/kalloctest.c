// kalloctest: stress the physical page allocator from several CPUs and
// measure the contention on its locks (the growth of the statistics
// report's tot=).
//
//   test1  two processes allocate and free a page 100000 times each;
//          OK when tot grew by less than 10
//   test2  the number of free pages is the same 50 times in a row, and
//          at most 1000 pages short of all memory
//   test3  one process allocates and frees a page 100000 times while
//          another repeatedly takes every free page; consecutive counts of
//          free pages differ by at most 1; OK when tot grew by less than
//          10000
//   test4  (the 2025 lab's) one process per CPU, each pinned to its own
//          CPU, allocates and frees a page 100000 times; OK when tot grew
//          by less than 10000 per CPU beyond the first
//
// The lines the course's kalloctest prints come first, exactly (they are
// listed in docs/ABI.md). Then, for tools/bench.py, lines per test of our
// own: "testN: tot growth G, T ticks", then, when the lock profiler is on,
// "testN: kernel spins S" (every spinlock's failed attempts, which the
// profiler counts). A line saying what went wrong comes before a test's
// FAIL line.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "user/user.h"
#include "user/lockmeasure.h"

#define NCHILD 2
#define CYCLES 100000
#define COUNTS 50

// Allocate, touch and free one page, `cycles` times. Returns 0 on success.
// With tolerant set, sbrk failing (memory exhausted by someone else) is
// fine; any other surprise is an error. With dots set, print a dot every
// tenth of the way.
static int
cycle(int test, int cycles, int tolerant, int dots)
{
  for(int i = 0; i < cycles; i++){
    if(dots && i % (cycles / 10) == 0)
      printf(".");
    char *a = sbrk(PGSIZE);
    if(a == (char *)-1){
      if(tolerant)
        continue;
      printf("test%d: sbrk(%d) failed\n", test, PGSIZE);
      return -1;
    }
    a[PGSIZE - 1] = 1;   // the page must be there and writable
    a[0] = 1;
    char *b = sbrk(-PGSIZE);
    if(b != a + PGSIZE){
      printf("test%d: sbrk(-%d) returned %p, not %p\n", test, PGSIZE, b, a + PGSIZE);
      return -1;
    }
  }
  return 0;
}

// The number of pages sbrk can get: take them one by one, then give them
// all back.
static int
countfree(void)
{
  int n = 0;

  while(sbrk(PGSIZE) != (char *)-1)
    n++;
  if(n > 0 && sbrk(-n * PGSIZE) == (char *)-1){
    printf("countfree: cannot give the pages back\n");
    exit(1);
  }
  return n;
}

static void
test1(void)
{
  int bad = 0;

  printf("start test1\n");
  begin(1);
  for(int i = 0; i < NCHILD; i++){
    int pid = fork();
    if(pid < 0){
      printf("test1: fork failed\n");
      bad = 1;
      break;
    }
    if(pid == 0)
      exit(cycle(1, CYCLES, 0, 0) == 0 ? 0 : 1);
  }
  bad += reap();
  printf("test1 results:\n");
  long growth = end(1);
  write(1, report, reportlen);
  if(underlimit(1, growth, 10) && bad == 0)
    printf("test1 OK\n");
  else
    printf("test1 FAIL\n");
}

static void
test2(void)
{
  int all = (PHYSTOP - KERNBASE) / PGSIZE;
  int bad = 0;

  printf("start test2\n");
  begin(2);
  int first = countfree();
  printf("total free number of pages: %d (out of %d)\n", first, all);
  int n = first;
  for(int i = 0; i < COUNTS && n == first; i++){
    n = countfree();
    printf(".");
  }
  printf("\n");
  end(2);
  if(first < all - 1000){
    printf("test2: more than 1000 pages are missing\n");
    bad = 1;
  } else if(n != first){
    printf("test2: %d free pages, then %d\n", first, n);
    bad = 1;
  }
  printf("test2 %s\n", bad ? "FAIL" : "OK");
}

// test3's counter: count free pages until a byte other than its own comes
// on stop, then write a byte on stopped and exit 0. Exit 1 if two
// consecutive counts differ by more than one page (the cycler may hold one).
//
// To see whether that byte came without blocking, the counter first writes
// a byte of its own on the same pipe, then reads one: a pipe is first in,
// first out, so it reads the other byte if there is one, and its own
// otherwise.
static void
counter(int stop[2], int stopped)
{
  int prev = countfree();
  char c;

  for(;;){
    write(stop[1], "c", 1);
    if(read(stop[0], &c, 1) != 1 || c != 'c'){
      write(stopped, "s", 1);
      exit(0);
    }
    int n = countfree();
    if(n > prev + 1 || n < prev - 1){
      printf("test3: %d free pages, then %d\n", prev, n);
      exit(1);
    }
    prev = n;
  }
}

// test3's cycler: allocate and free a page CYCLES times, then stop the
// counter, and exit only once it has stopped (or died): the memory of an
// exited process is freed when it is reaped, and the counter's counts
// would see it.
static void
cycler(int stop, int stopped)
{
  int r = cycle(3, CYCLES, 1, 1);
  char c;

  write(stop, "s", 1);
  read(stopped, &c, 1);
  printf("child done %d\n", CYCLES);
  exit(r == 0 ? 0 : 1);
}

static void
test3(void)
{
  int stop[2] = { -1, -1 }, stopped[2] = { -1, -1 };
  int bad = 0;

  printf("start test3\n");
  begin(3);
  if(pipe(stop) < 0 || pipe(stopped) < 0){
    printf("test3: pipe failed\n");
    bad = 1;
  }
  // Only the counter keeps stopped[1] open, so that the cycler's read of
  // stopped[0] returns once the counter has stopped, died, or never was.
  int cyc = bad ? -1 : fork();
  if(cyc == 0){
    close(stopped[1]);
    cycler(stop[1], stopped[0]);
  }
  int count = cyc > 0 ? fork() : -1;
  if(count == 0)
    counter(stop, stopped[1]);
  close(stopped[1]);
  if(!bad && (cyc < 0 || count < 0)){
    printf("test3: fork failed\n");
    bad = 1;
  }

  // A counter that was killed or died fails the test, like a cycler.
  int pid, status;
  while((pid = wait(&status)) >= 0){
    if(status != 0){
      printf("test3: the %s exited with status %d\n", pid == cyc ? "cycler" : "counter",
             status);
      bad = 1;
    }
  }
  close(stop[0]);
  close(stop[1]);
  close(stopped[0]);

  long growth = end(3);
  write(1, report, reportlen);
  if(underlimit(3, growth, 10000) && bad == 0)
    printf("test3 OK\n");
  else
    printf("test3 FAIL m %ld n %ld\n", figures[3].start, figures[3].end);
}

// One child per CPU, each pinned there, each doing test1's cycles: with
// per-CPU free lists and no process moving between CPUs, no CPU should
// have to wait for another's lock.
static void
test4(void)
{
  int n = ncpus();
  int bad = 0;

  printf("start test4\n");
  begin(4);
  for(int cpu = 0; cpu < n; cpu++){
    int pid = fork();
    if(pid < 0){
      printf("test4: fork failed\n");
      bad = 1;
      break;
    }
    if(pid == 0)
      exit(cpupin(cpu) == 0 && cycle(4, CYCLES, 0, 0) == 0 ? 0 : 1);
  }
  bad += reap();
  printf("test4 results:\n");
  long growth = end(4);
  write(1, report, reportlen);
  // A single CPU has no one to wait for.
  long limit = n > 1 ? 10000L * (n - 1) : 1;
  if(underlimit(4, growth, limit) && bad == 0)
    printf("test4 OK\n");
  else
    printf("test4 FAIL\n");
}

int
main(void)
{
  test1();
  test2();
  test3();
  test4();
  printfigures(1, 4);
  exit(0);
}
