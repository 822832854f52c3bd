// Host-side tests of the log's admission (kernel/log.c, compiled unchanged,
// over kernel/bio.c and the shim's RAM disk), with threads playing CPUs.
//
//   test_log TEST NTHREADS
//
// TEST is one of:
//   slots  rounds in which every thread reads a block between begin_read
//          and end_read, all at once: more threads than read slots, so some
//          wait in begin_read. Never more than READ_SLOTS may be inside at
//          once (log.c's invariant 2)
//   handoff  (READ_SLOTS + 1 threads) rounds in which all slots are taken,
//          then one thread gives its slot back just as another asks for
//          one: the asker must get in (invariant 3). One that sleeps
//          through the freed slot is never woken, since the others keep
//          theirs until it is in, and the watchdog fails the test
//   mix    operations that log MAXOPBLOCKS blocks each, holding two buffers
//          at a time, and reads, all at once: admission (invariant 1) must
//          keep the cache from running out of buffers (bget panics), and
//          every block must reach the disk with its last write
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "types.h"
#include "param.h"
#include "fs.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "buf.h"
#include "shim.h"

void binit(void);
struct buf *bread(uint, uint);
void brelse(struct buf *);
void initlog(int, struct superblock *);
void begin_op(void);
void end_op(void);
void begin_read(void);
void end_read(void);
void log_write(struct buf *);

// The readers' share of the buffers that log.c's budget leaves, worked out
// by hand for these parameters: NBUF - one for the commit - two operations
// of MAXOPBLOCKS logged and 2 held.
#define READ_SLOTS 5
_Static_assert(NBUF == 30 && MAXOPBLOCKS == 10, "READ_SLOTS is worked out for NBUF 30");

#define DEV        1
#define LOGSTART   2
#define DATA       (LOGSTART + 1 + LOGSIZE)     // first block the tests use
#define NBLOCKS    (DATA + NCPU * MAXOPBLOCKS + NCPU)
#define ROUNDS     20000
#define MIX_OPS    2000                         // operations per thread
#define WATCHDOG   120      // seconds: a normal run takes at most a few

static int nthreads;
static pthread_barrier_t round_start;
static int inside;             // readers between begin_read and end_read
static int most_inside;

static void
watchdog(int sig)
{
  static const char msg[] =
    "FAIL: the test stopped: a thread asleep in begin_read or begin_op was never woken\n";
  (void)sig;
  if(write(2, msg, sizeof(msg) - 1) < 0)
    _exit(1);
  _exit(1);
}

// Read block n as a reader does, counting the readers inside.
static void
read_block(uint n)
{
  begin_read();
  int now = __atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST);
  if(now > READ_SLOTS)
    shim_fail("more readers inside than read slots", now, READ_SLOTS);
  int most = __atomic_load_n(&most_inside, __ATOMIC_RELAXED);
  while(now > most &&
        !__atomic_compare_exchange_n(&most_inside, &most, now, 0,
                                     __ATOMIC_RELAXED, __ATOMIC_RELAXED))
    ;
  struct buf *b = bread(DEV, n);
  sched_yield();
  brelse(b);
  __atomic_sub_fetch(&inside, 1, __ATOMIC_SEQ_CST);
  end_read();
}

// Every thread but 0 takes a slot, which fills them all; then thread 1
// gives its slot back while thread 0 asks for one.
static void *
handoff(void *arg)
{
  int id = (int)(long)arg;
  shim_setcpu(id);
  for(int r = 0; r < ROUNDS; r++){
    if(id > 0)
      begin_read();
    pthread_barrier_wait(&round_start);
    if(id == 0)
      begin_read();
    else if(id == 1)
      end_read();
    pthread_barrier_wait(&round_start);
    if(id != 1)
      end_read();
    pthread_barrier_wait(&round_start);
  }
  return 0;
}

static void *
slots(void *arg)
{
  int id = (int)(long)arg;
  shim_setcpu(id);
  for(int r = 0; r < ROUNDS / nthreads; r++){
    pthread_barrier_wait(&round_start);
    read_block(DATA + NCPU * MAXOPBLOCKS + id);
  }
  return 0;
}

// Versions of the mix test's blocks, each thread's own: version[t][i] is
// in block DATA + t * MAXOPBLOCKS + i once the operation has committed.
static uint64 version[NCPU][MAXOPBLOCKS];

static void
stamp(uchar *data, uint n, uint64 v)
{
  memset(data, (int)(v & 0xff), BSIZE);
  memcpy(data, &n, sizeof(n));
  memcpy(data + 8, &v, sizeof(v));
}

// One operation: log every block of thread id's, holding the first one
// throughout, as bmap holds an indirect block while it reads another.
static void
operation(int id)
{
  uint first = DATA + id * MAXOPBLOCKS;

  begin_op();
  struct buf *held = bread(DEV, first);
  for(int i = 0; i < MAXOPBLOCKS; i++){
    struct buf *b = i == 0 ? held : bread(DEV, first + i);
    stamp(b->data, first + i, ++version[id][i]);
    log_write(b);
    if(i > 0)
      brelse(b);
  }
  brelse(held);
  end_op();
}

static void *
mix(void *arg)
{
  int id = (int)(long)arg;
  uint64 rng = 0x9E3779B97F4A7C15ULL * (id + 1);
  shim_setcpu(id);
  for(int i = 0; i < MIX_OPS; i++){
    if(shim_rand(&rng) % 2)
      operation(id);
    else
      read_block(DATA + shim_rand(&rng) % (NCPU * MAXOPBLOCKS));
  }
  return 0;
}

static void
run_threads(void *(*fn)(void *))
{
  pthread_t t[NCPU];
  pthread_barrier_init(&round_start, 0, nthreads);
  for(long i = 0; i < nthreads; i++)
    pthread_create(&t[i], 0, fn, (void *)i);
  for(int i = 0; i < nthreads; i++)
    pthread_join(t[i], 0);
  pthread_barrier_destroy(&round_start);
}

int
main(int argc, char *argv[])
{
  if(argc != 3){
    fprintf(stderr, "usage: test_log slots|handoff|mix NTHREADS\n");
    return 2;
  }
  nthreads = atoi(argv[2]);
  if(nthreads < 1 || nthreads > NCPU){
    fprintf(stderr, "NTHREADS must be 1..%d\n", NCPU);
    return 2;
  }
  shim_disk_init(NBLOCKS);
  shim_setcpu(0);
  binit();
  struct superblock sb = { .size = NBLOCKS, .nlog = LOGSIZE + 1, .logstart = LOGSTART };
  initlog(DEV, &sb);
  signal(SIGALRM, watchdog);
  alarm(WATCHDOG);

  if(strcmp(argv[1], "slots") == 0 && nthreads > READ_SLOTS){
    run_threads(slots);
    if(most_inside != READ_SLOTS)
      shim_fail("the readers never filled every read slot", most_inside, READ_SLOTS);
  } else if(strcmp(argv[1], "handoff") == 0 && nthreads == READ_SLOTS + 1){
    run_threads(handoff);
  } else if(strcmp(argv[1], "mix") == 0){
    run_threads(mix);
    for(int t = 0; t < nthreads; t++)
      for(int i = 0; i < MAXOPBLOCKS; i++){
        uint n = DATA + t * MAXOPBLOCKS + i;
        uchar want[BSIZE];
        stamp(want, n, version[t][i]);
        if(version[t][i] > 0 && memcmp(shim_disk_block(n), want, BSIZE) != 0)
          shim_fail("a committed block is not on the disk", n, (long)version[t][i]);
      }
  } else {
    fprintf(stderr, "unknown test %s (slots takes more than %d threads, handoff %d)\n",
            argv[1], READ_SLOTS, READ_SLOTS + 1);
    return 2;
  }
  if(most_inside > 0)
    printf("most-readers-inside=%d\n", most_inside);
  printf("PASS log %s threads=%d\n", argv[1], nthreads);
  return 0;
}
