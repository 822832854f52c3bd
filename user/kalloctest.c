// kalloctest: stress the physical page allocator from several CPUs and
// measure the contention on its locks (the growth of the statistics
// report's tot=).
//
//   test1  two processes allocate and free pages as fast as they can;
//          OK when tot grew by less than 10
//   test2  the number of free pages is the same 50 times in a row, and
//          nearly all of memory
//   test3  one process allocates and frees while another repeatedly takes
//          every free page; consecutive counts of free pages differ by at
//          most 1; OK when tot grew by less than 10000
//   test4  (the 2025 lab's) one process per CPU, each pinned to its own CPU,
//          allocates and frees as in test1; OK when tot grew by less than
//          10000 per CPU beyond the first
//
// Each test prints "testN: tot growth G, T ticks" (for tools/bench.py) and
// then "testN OK" or a line starting "testN FAILED". The statistics report
// follows the tests.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "user/user.h"

#define NCHILD 2
#define CYCLES 100000
#define COUNTS 50

static char report[8192];   // larger than any report (at most 4096 bytes)

// The report's tot=, or -1 if the report cannot be read.
static long
tot(void)
{
  int n = statistics(report, sizeof(report) - 1);

  if(n <= 0)
    return -1;
  report[n] = 0;
  char *p = strchr(report, '=');
  if(p == 0)
    return -1;
  for(p++; *p == ' '; p++)
    ;
  long v = 0;
  for(; *p >= '0' && *p <= '9'; p++)
    v = v * 10 + (*p - '0');
  return v;
}

// State of a test in progress: what to subtract at its end.
struct measure {
  long tot;
  int ticks;
};

static void
start(struct measure *m, char *name)
{
  printf("start %s\n", name);
  m->tot = tot();
  m->ticks = uptime();
}

// Print the test's figures; return tot's growth, or -1 if it is unknown.
static long
finish(struct measure *m, char *name)
{
  long now = tot();
  int ticks = uptime() - m->ticks;

  if(now < 0 || m->tot < 0){
    printf("%s FAILED: cannot read the statistics device\n", name);
    return -1;
  }
  printf("%s: tot growth %ld, %d ticks\n", name, now - m->tot, ticks);
  return now - m->tot;
}

// Allocate, touch and free one page, `cycles` times. Returns 0 on success.
// With tolerant set, sbrk failing (memory exhausted by someone else) is
// fine; any other surprise is an error.
static int
cycle(char *name, int cycles, int tolerant)
{
  for(int i = 0; i < cycles; i++){
    char *a = sbrk(PGSIZE);
    if(a == (char *)-1){
      if(tolerant)
        continue;
      printf("%s FAILED: sbrk(%d) failed\n", name, PGSIZE);
      return -1;
    }
    a[PGSIZE - 1] = 1;   // the page must be there and writable
    a[0] = 1;
    char *b = sbrk(-PGSIZE);
    if(b != a + PGSIZE){
      printf("%s FAILED: sbrk(-%d) returned %p, not %p\n", name, PGSIZE, b, a + PGSIZE);
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
  struct measure m;
  int bad = 0;

  start(&m, "test1");
  for(int i = 0; i < NCHILD; i++){
    int pid = fork();
    if(pid < 0){
      printf("test1 FAILED: fork\n");
      bad = 1;
      break;
    }
    if(pid == 0)
      exit(cycle("test1", CYCLES, 0) == 0 ? 0 : 1);
  }
  int status;
  while(wait(&status) >= 0)
    bad |= status != 0;
  long growth = finish(&m, "test1");
  if(bad)
    printf("test1 FAILED: a child failed\n");
  else if(growth < 0 || growth >= 10)
    printf("test1 FAILED: tot grew by %ld (should be < 10)\n", growth);
  else
    printf("test1 OK\n");
}

static void
test2(void)
{
  struct measure m;
  int min = (PHYSTOP - KERNBASE) / PGSIZE - 1000;
  int bad = 0;

  start(&m, "test2");
  int first = countfree();
  if(first < min){
    printf("test2 FAILED: %d free pages, fewer than %d\n", first, min);
    bad = 1;
  }
  for(int i = 1; i < COUNTS && !bad; i++){
    int n = countfree();
    if(n != first){
      printf("test2 FAILED: %d free pages, then %d\n", first, n);
      bad = 1;
    }
  }
  finish(&m, "test2");
  if(!bad){
    printf("test2: %d free pages\n", first);
    printf("test2 OK\n");
  }
}

// test3's counter: count free pages until killed. If two consecutive
// counts differ by more than one page, say so on fd and in a message, and exit.
static void
counter(int fd)
{
  int prev = countfree();

  for(;;){
    int n = countfree();
    if(n > prev + 1 || n < prev - 1){
      write(fd, "x", 1);
      printf("test3 FAILED: %d free pages, then %d\n", prev, n);
      exit(1);
    }
    prev = n;
  }
}

static void
test3(void)
{
  struct measure m;
  int bad = 0;
  int fds[2];

  // The counter runs until the cycler is done, and reports a difference in
  // its counts through a pipe: its exit status cannot tell, as it is killed.
  if(pipe(fds) < 0){
    printf("test3 FAILED: pipe\n");
    return;
  }
  start(&m, "test3");
  int cycler = fork();
  if(cycler == 0)
    exit(cycle("test3", CYCLES, 1) == 0 ? 0 : 1);
  int count = fork();
  if(count == 0){
    close(fds[0]);
    counter(fds[1]);
  }
  close(fds[1]);
  if(cycler < 0 || count < 0){
    printf("test3 FAILED: fork\n");
    bad = 1;
    if(cycler > 0)
      kill(cycler);
    if(count > 0)
      kill(count);
  }

  int pid, status;
  while((pid = wait(&status)) >= 0){
    if(pid == cycler){
      bad |= status != 0;
      if(count > 0)
        kill(count);
    }
  }
  char c;
  bad |= read(fds[0], &c, 1) != 0;
  close(fds[0]);

  long growth = finish(&m, "test3");
  if(bad)
    printf("test3 FAILED: a child failed\n");
  else if(growth < 0 || growth >= 10000)
    printf("test3 FAILED: tot grew by %ld (should be < 10000)\n", growth);
  else
    printf("test3 OK\n");
}

// One child per CPU, each pinned there, each doing test1's cycles: with
// per-CPU free lists and no process moving between CPUs, no CPU should
// have to wait for another's lock.
static void
test4(void)
{
  struct measure m;
  int n = ncpus();
  int bad = 0;

  start(&m, "test4");
  for(int cpu = 0; cpu < n; cpu++){
    int pid = fork();
    if(pid < 0){
      printf("test4 FAILED: fork\n");
      bad = 1;
      break;
    }
    if(pid == 0)
      exit(cpupin(cpu) == 0 && cycle("test4", CYCLES, 0) == 0 ? 0 : 1);
  }
  int status;
  while(wait(&status) >= 0)
    bad |= status != 0;
  long growth = finish(&m, "test4");
  // A single CPU has no one to wait for.
  long limit = n > 1 ? 10000L * (n - 1) : 1;
  if(bad)
    printf("test4 FAILED: a child failed\n");
  else if(growth < 0 || growth >= limit)
    printf("test4 FAILED: tot grew by %ld (should be < %ld)\n", growth, limit);
  else
    printf("test4 OK\n");
}

int
main(void)
{
  test1();
  test2();
  test3();
  test4();

  int n = statistics(report, sizeof(report));
  if(n > 0)
    write(1, report, n);
  exit(0);
}
