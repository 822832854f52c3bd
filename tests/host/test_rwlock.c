// Host-side tests of the read-write spinlock (kernel/rwspinlock.c, compiled
// unchanged), with threads playing CPUs.
//
//   test_rwlock TEST NTHREADS
//
// TEST is one of:
//   exclusion  10^6 reads and writes in random order, one in eight a write:
//              a writer finds no one else inside, a reader finds no writer
//              and the record the last writer left whole (and
//              ThreadSanitizer reports any access to the record that the
//              lock does not order)
//   overlap    rounds in which every thread must be inside as a reader at once
//   priority   rounds: thread 0 holds it for reading; threads 1 and 2 (2
//              only with 4 threads or more) arrive to write, one after the
//              other; the rest arrive to read after both. By the sequence
//              numbers taken inside, the writers get in in the order they
//              arrived, and before every reader that arrived after them
//   turns      rounds: thread 0 holds it for writing; thread 1 arrives to
//              read; the rest then arrive to write, one after the other. The
//              reader gets in before every writer that arrived after it (a
//              stream of writers cannot starve it), and the writers in the
//              order they arrived
//   starve     10^6 acquires, even threads only reading (yielding the host
//              CPU while inside) and odd ones only writing, back to back:
//              every thread gets its share done, none
//              goes 10 s without getting in, and when the first is done no
//              other has done less than a tenth of its share
//
// "Arrived" is what the lock itself counts (rwarrivals): a thread waits
// until the lock has counted the arrivals it must come after, so the orders
// checked are exactly the lock's, whatever the host's scheduler does.
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "types.h"
#include "param.h"
#include "spinlock.h"
#include "shim.h"

void initrwlock(struct rwspinlock *, char *);
void read_acquire(struct rwspinlock *);
void read_release(struct rwspinlock *);
void write_acquire(struct rwspinlock *);
void write_release(struct rwspinlock *);
void rwarrivals(struct rwspinlock *, uint *, uint *);

#define OPS        1000000L     // acquires in the exclusion and starve tests
#define ROUNDS     2000         // rounds of the overlap, priority and turns tests
#define PATIENCE   10           // seconds a thread waits for another before failing

static struct rwspinlock lk;
static int nthreads;
static pthread_barrier_t barrier;

static double
now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

// ---- who is inside ----

// Threads inside the lock, counted by the holders themselves. Sequentially
// consistent, so that of a reader and a writer both inside, at least one
// sees the other.
static int readers_in, writers_in;

static void
enter_read(void)
{
  __atomic_add_fetch(&readers_in, 1, __ATOMIC_SEQ_CST);
  int w = __atomic_load_n(&writers_in, __ATOMIC_SEQ_CST);
  if(w != 0)
    shim_fail("a reader got in while a writer held the lock", w, 0);
}

static void
leave_read(void)
{
  __atomic_sub_fetch(&readers_in, 1, __ATOMIC_SEQ_CST);
}

static void
enter_write(void)
{
  int w = __atomic_add_fetch(&writers_in, 1, __ATOMIC_SEQ_CST);
  int r = __atomic_load_n(&readers_in, __ATOMIC_SEQ_CST);
  if(w != 1 || r != 0)
    shim_fail("a writer got in while others held the lock (writers, readers)", w, r);
}

static void
leave_write(void)
{
  __atomic_sub_fetch(&writers_in, 1, __ATOMIC_SEQ_CST);
}

// ---- exclusion ----

// Written by writers and read by readers with plain accesses: only the lock
// orders them.
static struct {
  uint64 serial;
  uint64 copy[7];
} record;
static long writes;   // writes done, atomic

static void
check_record(void)
{
  for(int i = 0; i < 7; i++)
    if(record.copy[i] != record.serial)
      shim_fail("a reader saw a record half written", (long)record.copy[i], (long)record.serial);
}

static void *
exclusion(void *arg)
{
  int id = (long)arg;
  uint64 rng = 0x9e3779b97f4a7c15ULL * (id + 1);
  shim_setcpu(id);
  for(long i = 0; i < OPS / nthreads; i++){
    if(shim_rand(&rng) % 8 == 0){
      write_acquire(&lk);
      enter_write();
      check_record();
      record.serial++;
      for(int j = 0; j < 7; j++)
        record.copy[j] = record.serial;
      leave_write();
      write_release(&lk);
      __atomic_add_fetch(&writes, 1, __ATOMIC_RELAXED);
    } else {
      read_acquire(&lk);
      enter_read();
      check_record();
      leave_read();
      read_release(&lk);
    }
  }
  return 0;
}

// ---- the rounds ----

// Spin until the lock has counted at least nr readers and nw writers more
// than r0 and w0.
static void
wait_arrived(uint r0, uint w0, uint nr, uint nw)
{
  double deadline = now() + PATIENCE;
  for(;;){
    uint r, w;
    rwarrivals(&lk, &r, &w);
    if(r - r0 >= nr && w - w0 >= nw)
      return;
    if(now() > deadline)
      shim_fail("the lock never counted the arrivals waited for (readers, writers)",
                (long)(r - r0), (long)(w - w0));
    sched_yield();
  }
}

// Each round starts with every thread taking the lock's counts while none
// of them is using it.
static void
round_start(uint *r0, uint *w0)
{
  pthread_barrier_wait(&barrier);
  rwarrivals(&lk, r0, w0);
  pthread_barrier_wait(&barrier);
}

static int overlap_in;   // readers inside in this round, atomic

static void *
overlap(void *arg)
{
  int id = (long)arg;
  shim_setcpu(id);
  for(int round = 1; round <= ROUNDS; round++){
    uint r0, w0;
    round_start(&r0, &w0);
    read_acquire(&lk);
    enter_read();
    __atomic_add_fetch(&overlap_in, 1, __ATOMIC_SEQ_CST);
    // No one leaves before everyone has come in, so reaching the count
    // means all were inside at once.
    double deadline = now() + PATIENCE;
    while(__atomic_load_n(&overlap_in, __ATOMIC_SEQ_CST) < round * nthreads){
      if(now() > deadline)
        shim_fail("readers were not all let in together (inside, threads)",
                  __atomic_load_n(&overlap_in, __ATOMIC_SEQ_CST) - (round - 1) * nthreads,
                  nthreads);
      sched_yield();
    }
    leave_read();
    read_release(&lk);
  }
  return 0;
}

// The sequence number of each thread's entry in the current round.
static long seq;
static long order[NCPU];

static void
enter_in_order(int id)
{
  __atomic_store_n(&order[id], __atomic_add_fetch(&seq, 1, __ATOMIC_SEQ_CST), __ATOMIC_RELAXED);
}

static void
read_in_order(int id)
{
  read_acquire(&lk);
  enter_read();
  enter_in_order(id);
  leave_read();
  read_release(&lk);
}

static void
write_in_order(int id)
{
  write_acquire(&lk);
  enter_write();
  enter_in_order(id);
  leave_write();
  write_release(&lk);
}

// Check, after a round, that thread a got in before thread b.
static void
check_before(int a, int b, const char *what)
{
  if(order[a] >= order[b])
    shim_fail(what, a, b);
}

static void *
priority(void *arg)
{
  int id = (long)arg;
  int nwriters = nthreads >= 4 ? 2 : 1;
  int nlate = nthreads - 1 - nwriters;
  shim_setcpu(id);
  for(int round = 0; round < ROUNDS; round++){
    uint r0, w0;
    round_start(&r0, &w0);
    if(id == 0){
      read_acquire(&lk);
      enter_read();
      enter_in_order(id);
      wait_arrived(r0, w0, 1 + nlate, nwriters);
      leave_read();
      read_release(&lk);
    } else if(id <= nwriters){
      wait_arrived(r0, w0, 1, id - 1);
      write_in_order(id);
    } else {
      wait_arrived(r0, w0, 1, nwriters);
      read_in_order(id);
    }
    pthread_barrier_wait(&barrier);
    if(id == 0){
      for(int r = nwriters + 1; r < nthreads; r++)
        for(int w = 1; w <= nwriters; w++)
          check_before(w, r, "a reader that arrived after a waiting writer got in first "
                       "(writer, reader)");
      for(int w = 2; w <= nwriters; w++)
        check_before(w - 1, w, "writers got in out of the order they arrived in");
    }
  }
  return 0;
}

static void *
turns(void *arg)
{
  int id = (long)arg;
  shim_setcpu(id);
  for(int round = 0; round < ROUNDS; round++){
    uint r0, w0;
    round_start(&r0, &w0);
    if(id == 0){
      write_acquire(&lk);
      enter_write();
      enter_in_order(id);
      wait_arrived(r0, w0, 1, nthreads - 1);
      leave_write();
      write_release(&lk);
    } else if(id == 1){
      wait_arrived(r0, w0, 0, 1);
      read_in_order(id);
    } else {
      // Writer k (thread 0 is the first) comes after writer k-1.
      wait_arrived(r0, w0, 1, id - 1);
      write_in_order(id);
    }
    pthread_barrier_wait(&barrier);
    if(id == 0){
      for(int w = 2; w < nthreads; w++){
        check_before(1, w, "writers that arrived after a waiting reader got in first "
                     "(reader, writer)");
        if(w > 2)
          check_before(w - 1, w, "writers got in out of the order they arrived in");
      }
    }
  }
  return 0;
}

// ---- starvation ----

static long done[NCPU];   // acquires each thread has done, atomic

static void *
starve(void *arg)
{
  int id = (long)arg;
  shim_setcpu(id);
  for(long i = 0; i < OPS / nthreads; i++){
    if(id % 2 == 0){
      read_acquire(&lk);
      enter_read();
      check_record();
      // Stay inside while the host runs another thread: readers then
      // overlap even with fewer host cores than threads, and a lock that
      // admits readers while a writer waits starves the writers for good.
      sched_yield();
      leave_read();
      read_release(&lk);
    } else {
      write_acquire(&lk);
      enter_write();
      record.serial++;
      for(int j = 0; j < 7; j++)
        record.copy[j] = record.serial;
      leave_write();
      write_release(&lk);
    }
    __atomic_store_n(&done[id], i + 1, __ATOMIC_RELAXED);
  }
  return 0;
}

// The starve test's watchdog, run by the main thread while the others work.
static void
watch(void)
{
  long share = OPS / nthreads;
  long last[NCPU] = { 0 };
  double moved[NCPU];
  int checked = 0;
  for(int i = 0; i < nthreads; i++)
    moved[i] = now();
  for(;;){
    int finished = 0;
    for(int i = 0; i < nthreads; i++){
      long d = __atomic_load_n(&done[i], __ATOMIC_RELAXED);
      if(d == share){
        finished++;
      } else if(d != last[i]){
        last[i] = d;
        moved[i] = now();
      } else if(now() - moved[i] > PATIENCE){
        shim_fail("a thread got nothing for 10 s (thread, acquires done)", i, d);
      }
    }
    if(finished > 0 && !checked){
      checked = 1;
      for(int i = 0; i < nthreads; i++){
        long d = __atomic_load_n(&done[i], __ATOMIC_RELAXED);
        if(d < share / 10)
          shim_fail("a thread fell far behind (thread, acquires done)", i, d);
      }
    }
    if(finished == nthreads)
      return;
    struct timespec nap = { 0, 10 * 1000 * 1000 };
    nanosleep(&nap, 0);
  }
}

static const struct {
  char *name;
  void *(*fn)(void *);
  int minthreads;
} tests[] = {
  { "exclusion", exclusion, 1 },
  { "overlap", overlap, 1 },
  { "priority", priority, 3 },
  { "turns", turns, 3 },
  { "starve", starve, 2 },
};
#define NTESTS ((int)(sizeof(tests) / sizeof(tests[0])))

int
main(int argc, char *argv[])
{
  int t = 0;

  if(argc == 3){
    nthreads = atoi(argv[2]);
    for(t = 0; t < NTESTS; t++)
      if(strcmp(argv[1], tests[t].name) == 0)
        break;
  }
  if(argc != 3 || t == NTESTS ||
     nthreads < tests[t].minthreads || nthreads > NCPU){
    fprintf(stderr, "usage: test_rwlock TEST NTHREADS, where TEST is (minimum threads):");
    for(t = 0; t < NTESTS; t++)
      fprintf(stderr, " %s (%d)", tests[t].name, tests[t].minthreads);
    fprintf(stderr, ", and at most %d threads\n", NCPU);
    return 2;
  }
  void *(*fn)(void *) = tests[t].fn;

  shim_setcpu(0);
  initrwlock(&lk, "rwtest");
  pthread_barrier_init(&barrier, 0, nthreads);
  pthread_t threads[NCPU];
  double t0 = now();
  for(long i = 0; i < nthreads; i++)
    pthread_create(&threads[i], 0, fn, (void *)i);
  if(fn == starve)
    watch();
  for(int i = 0; i < nthreads; i++)
    pthread_join(threads[i], 0);

  if(fn == exclusion && (long)record.serial != writes)
    shim_fail("writes were lost (record, writes done)", (long)record.serial, writes);
  printf("PASS rwlock %s threads=%d %.1fs\n", argv[1], nthreads, now() - t0);
  return 0;
}
