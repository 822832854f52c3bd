// Host-side tests of the lock profiler (kernel/lockprof.c, compiled
// unchanged), with threads playing CPUs.
//
//   test_lockprof TEST NTHREADS
//
// TEST is one of:
//   sums     (1 thread) events fed to the profiler by hand as if on several
//            CPUs: the per-CPU counts must add up, min and max must be taken
//            over the CPUs that saw something, and the top sites must be
//            the busiest over all CPUs, not on any one
//   reset    (1 thread) a reset zeroes every CPU's counts, including those
//            of CPUs that do not touch the class again; the switch stops
//            and restarts counting
//   threads  NTHREADS threads take one kernel spinlock (spinlock.c, which
//            reports to the profiler through lockhook.c) while another
//            reads and resets the profiler; then, at rest, the counts must
//            be exactly what the threads did. With one thread it is the
//            control: no contention may be counted.
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "lockhook.h"
#include "lockprof.h"
#include "shim.h"

void lockprof_acquired(struct lockattempt *a, uint64 now);
void lockprof_release(struct lockinfo *lk, uint64 since);
void lockprof_enable(int on);
void lockprof_reset(void);
void lockprof_sum(int class, struct lockprofsum *s);
uint64 nsecs(void);
void initlock(struct spinlock *lk, char *name);
void acquire(struct spinlock *lk);
void release(struct spinlock *lk);

#define CLASS 5                 // a class number the "by hand" tests use
#define SEC 1000000000ULL

static struct lockinfo lk = { .name = "test", .kind = LOCK_SPIN, .class = CLASS,
                              .lastcpu = -1 };

// What the tests expect of a class, kept independently of the profiler.
static struct lockprofsum want;

// An acquire of lk on cpu, as lockhook.c reports it: after waiting wait ns
// (with spins failed tries; none means no contention) at site pc, for a
// holder that took the lock at holderpc.
static void
acquired(int cpu, uint64 spins, uint64 wait, uint64 pc, uint64 holderpc)
{
  struct lockattempt a = { .lock = &lk, .pc = pc, .spins = spins, .waitstart = 1000 * SEC,
                           .holderpc = holderpc };

  shim_setcpu(cpu);
  lockprof_acquired(&a, 1000 * SEC + wait);
  want.acquired++;
  if(lk.lastcpu >= 0 && lk.lastcpu != cpu)
    want.bounces++;
  lk.lastcpu = cpu;
  if(spins > 0){
    want.contended++;
    want.waits += spins;
    if(want.wait.n == 0 || wait < want.wait.min)
      want.wait.min = wait;
    if(wait > want.wait.max)
      want.wait.max = wait;
    want.wait.total += wait;
    want.wait.n++;
  }
}

// A release of lk on cpu, held for at least hold ns (the profiler reads
// the clock itself, so the hold it sees is a little longer).
static void
released(int cpu, uint64 hold)
{
  shim_setcpu(cpu);
  lockprof_release(&lk, nsecs() - hold);
  want.hold.n++;
}

static void
check(const char *what, uint64 got, uint64 expected)
{
  if(got != expected){
    fprintf(stderr, "FAIL: %s: got %llu, expected %llu\n", what, (unsigned long long)got,
            (unsigned long long)expected);
    abort();
  }
}

static void
checkcounts(struct lockprofsum *s)
{
  check("acquired", s->acquired, want.acquired);
  check("contended", s->contended, want.contended);
  check("waits", s->waits, want.waits);
  check("bounces", s->bounces, want.bounces);
  check("wait n", s->wait.n, want.wait.n);
  check("wait min", s->wait.min, want.wait.min);
  check("wait max", s->wait.max, want.wait.max);
  check("wait total", s->wait.total, want.wait.total);
  check("holds", s->hold.n, want.hold.n);
}

// Site pc's count in a top list, 0 if it is not there.
static uint64
count(struct lockprofsite *top, uint64 pc)
{
  for(int i = 0; i < LOCKPROF_NTOP; i++)
    if(top[i].n > 0 && top[i].pc == pc)
      return top[i].n;
  return 0;
}

static void
sums(void)
{
  struct lockprofsum s;

  // CPU 7 acquires without ever waiting: it must not drag wait min to 0.
  for(int i = 0; i < 10; i++)
    acquired(7, 0, 0, 0x100, 0x200);
  // Each of CPUs 0..3 waits at a site of its own 5 times and at another of
  // its own 4 times, and at site 0x999 3 times: on no CPU is 0x999 the
  // busiest, but over all of them it is (12 against 5 and 4).
  for(int cpu = 0; cpu < 4; cpu++){
    for(int i = 0; i < 5; i++)
      acquired(cpu, 1 + i, 100 * (cpu + 1) + i, 0x1000 + cpu, 0x2000 + cpu);
    for(int i = 0; i < 4; i++)
      acquired(cpu, 2, 7, 0x1100 + cpu, 0x2100 + cpu);
    for(int i = 0; i < 3; i++)
      acquired(cpu, 3, 5000 + cpu, 0x999, 0x888);
  }
  // Holds of 1, 2 and 3 seconds on three CPUs.
  released(4, 1 * SEC);
  released(5, 2 * SEC);
  released(6, 3 * SEC);

  lockprof_sum(CLASS, &s);
  checkcounts(&s);
  if(s.hold.min < 1 * SEC || s.hold.min > 1 * SEC + SEC / 2 ||
     s.hold.max < 3 * SEC || s.hold.max > 3 * SEC + SEC / 2 ||
     s.hold.total < 6 * SEC || s.hold.total > 6 * SEC + SEC / 2)
    shim_fail("hold min, max or total are not those of the three holds",
              (long)s.hold.min, (long)s.hold.max);

  // The top waiter sites: 0x999 with 12, then three of the four sites
  // seen 5 times; the holder sites alike.
  check("top waiter site", s.waiter[0].pc, 0x999);
  check("top waiter count", s.waiter[0].n, 12);
  check("top holder site", s.holder[0].pc, 0x888);
  check("top holder count", s.holder[0].n, 12);
  for(int i = 1; i < LOCKPROF_NTOP; i++){
    check("next waiter count", s.waiter[i].n, 5);
    check("next holder count", s.holder[i].n, 5);
    if(s.waiter[i].pc < 0x1000 || s.waiter[i].pc > 0x1003 ||
       s.holder[i].pc < 0x2000 || s.holder[i].pc > 0x2003)
      shim_fail("a site in the top list that was not among the busiest", i,
                (long)s.waiter[i].pc);
    for(int j = 1; j < i; j++)
      if(s.waiter[j].pc == s.waiter[i].pc)
        shim_fail("a site listed twice", i, j);
  }

  // A CPU that meets more sites than its table holds: what it cannot keep
  // counts in contended, not against another site.
  for(int site = 0; site < 40; site++)
    acquired(2, 1, 1, 0x5000 + site, 0x6000 + site);
  for(int i = 0; i < 20; i++)
    acquired(2, 1, 1, 0x999, 0x888);
  lockprof_sum(CLASS, &s);
  checkcounts(&s);
  check("0x999 after more sites", count(s.waiter, 0x999), 32);
  uint64 listed = 0;
  for(int i = 0; i < LOCKPROF_NTOP; i++){
    if(s.waiter[i].n > 0 && s.waiter[i].pc >= 0x5000 && s.waiter[i].n != 1)
      shim_fail("a site seen once counted more", (long)s.waiter[i].pc, (long)s.waiter[i].n);
    listed += s.waiter[i].n;
  }
  if(listed > s.contended)
    shim_fail("the top sites count more than the contentions", (long)listed,
              (long)s.contended);

  // Another class is untouched.
  lockprof_sum(CLASS + 1, &s);
  check("another class's acquires", s.acquired + s.hold.n + s.waiter[0].n, 0);
}

static void
reset(void)
{
  struct lockprofsum s;

  for(int cpu = 0; cpu < NCPU; cpu++){
    acquired(cpu, 2, 10, 0x10, 0x20);
    released(cpu, 0);
  }
  lockprof_reset();
  memset(&want, 0, sizeof(want));
  lockprof_sum(CLASS, &s);
  checkcounts(&s);
  check("holds after a reset", s.hold.n, 0);
  check("sites after a reset", s.waiter[0].n + s.holder[0].n, 0);

  // Only CPU 3 counts again; the others' old counts must stay zero.
  acquired(3, 1, 50, 0x30, 0x40);
  acquired(3, 0, 0, 0x30, 0x40);
  released(3, 0);
  lockprof_sum(CLASS, &s);
  checkcounts(&s);
  check("the site after a reset", count(s.waiter, 0x30), 1);
  check("an old site after a reset", count(s.waiter, 0x10), 0);

  // Off: nothing counts. (The bookkeeping of want skips these.)
  struct lockprofsum before = want;
  lockprof_enable(0);
  acquired(3, 5, 50, 0x30, 0x40);
  released(3, 0);
  want = before;
  lockprof_sum(CLASS, &s);
  checkcounts(&s);
  lockprof_enable(1);
  acquired(3, 5, 50, 0x30, 0x40);
  lockprof_sum(CLASS, &s);
  checkcounts(&s);
}

// ---- the threads test ----

static struct spinlock shared;
static int nthreads;
static int stop;
static pthread_barrier_t start;
#define ROUNDS 20000

static void *
hammer(void *arg)
{
  shim_setcpu((int)(long)arg);
  pthread_barrier_wait(&start);
  for(int i = 0; i < ROUNDS; i++){
    acquire(&shared);
    if(i % 4 == 0)
      sched_yield();   // let the others find it taken
    release(&shared);
  }
  return 0;
}

// Reads and resets the profiler while the others work; what it reads must
// at least be sane.
static void *
reader(void *arg)
{
  struct lockprofsum s;

  shim_setcpu(NCPU - 1);
  while(!__atomic_load_n(&stop, __ATOMIC_RELAXED)){
    lockprof_sum(shared.info.class, &s);
    if(s.wait.n > 0 && s.wait.min > s.wait.max)
      shim_fail("wait min above max", (long)s.wait.min, (long)s.wait.max);
    lockprof_reset();
    sched_yield();
  }
  return 0;
}

static void
runall(int withreader)
{
  pthread_t t[NCPU], r;

  __atomic_store_n(&stop, 0, __ATOMIC_RELAXED);
  pthread_barrier_init(&start, 0, nthreads);
  if(withreader)
    pthread_create(&r, 0, reader, 0);
  for(int i = 0; i < nthreads; i++)
    pthread_create(&t[i], 0, hammer, (void *)(long)i);
  for(int i = 0; i < nthreads; i++)
    pthread_join(t[i], 0);
  pthread_barrier_destroy(&start);
  __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
  if(withreader)
    pthread_join(r, 0);
}

static void
threads(void)
{
  struct lockprofsum s;

  if(nthreads > NCPU - 1)
    shim_fail("threads takes at most NCPU-1 threads", nthreads, NCPU - 1);
  shim_setcpu(0);
  initlock(&shared, "shared");
  runall(1);

  // At rest: exactly what the threads did since the reset.
  lockprof_reset();
  runall(0);
  lockprof_sum(shared.info.class, &s);
  check("acquired", s.acquired, (uint64)nthreads * ROUNDS);
  check("holds", s.hold.n, (uint64)nthreads * ROUNDS);
  if(s.waits < s.contended || s.wait.n != s.contended)
    shim_fail("fewer failed tries or waits than contentions", (long)s.waits,
              (long)s.contended);
  if(nthreads == 1){
    check("contended, one thread alone", s.contended, 0);
  } else {
    if(s.contended == 0 || s.wait.total == 0 || s.bounces == 0)
      shim_fail("threads taking one lock: no contention, wait or bounce counted",
                (long)s.contended, (long)s.bounces);
    // One call site of acquire: it is the only waiter site and the only
    // holder site.
    check("waiter site count", s.waiter[0].n, s.contended);
    check("holder site count", s.holder[0].n, s.contended);
    check("holder site", s.holder[0].pc, s.waiter[0].pc);
  }
  printf("contended %llu of %llu, wait %llu ns\n", (unsigned long long)s.contended,
         (unsigned long long)s.acquired, (unsigned long long)s.wait.total);
}

int
main(int argc, char *argv[])
{
  if(argc != 3){
    fprintf(stderr, "usage: test_lockprof sums|reset|threads NTHREADS\n");
    return 2;
  }
  nthreads = atoi(argv[2]);
  if(nthreads < 1 || nthreads > NCPU){
    fprintf(stderr, "NTHREADS must be 1..%d\n", NCPU);
    return 2;
  }
  lockprof_enable(1);   // the kernel boots with profiling off
  if(strcmp(argv[1], "sums") == 0 && nthreads == 1)
    sums();
  else if(strcmp(argv[1], "reset") == 0 && nthreads == 1)
    reset();
  else if(strcmp(argv[1], "threads") == 0)
    threads();
  else {
    fprintf(stderr, "unknown test %s (sums and reset take 1 thread)\n", argv[1]);
    return 2;
  }
  printf("PASS lockprof %s threads=%d\n", argv[1], nthreads);
  return 0;
}
