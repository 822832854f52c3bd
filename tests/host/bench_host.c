// Throughput of the page allocator or the buffer cache on the host, with
// threads playing CPUs.
//
//   bench_host kalloc|fill|bio|rwlock|spinlock NTHREADS SECONDS
//
// kalloc: each thread allocates 8 pages and frees them, over and over.
// fill:   the same without an allocator: each thread fills its own 8 pages
//         with the junk kalloc and kfree write, over and over. That is most
//         of kalloc's work, and no data is shared, so this is how far the
//         machine lets kalloc scale at best (two vCPUs do not always run
//         twice what one does).
// bio:    each thread reads (bread + brelse) its own 8 blocks, over and over:
//         all hits, so only the locking differs between caches.
// rwlock: read-mostly use of one read-write spinlock: of every 100 ops, 99
//         read a shared record of 64 words (8 cache lines) under the read
//         lock and 1 updates it under the write lock.
// spinlock: the same with a plain spinlock for both.
// Prints "ops/s N" for all threads together (an op is one kalloc, one kfree,
// one bread+brelse, or one locked read or update of the record).
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "fs.h"
#include "spinlock.h"
#include "shim.h"

void *kalloc(void);
void kfree(void *);
void kinitrange(void *, void *);
void binit(void);
struct buf *bread(uint, uint);
void brelse(struct buf *);
void initlock(struct spinlock *, char *);
void acquire(struct spinlock *);
void release(struct spinlock *);
void initrwlock(struct rwspinlock *, char *);
void read_acquire(struct rwspinlock *);
void read_release(struct rwspinlock *);
void write_acquire(struct rwspinlock *);
void write_release(struct rwspinlock *);

#define NPAGES 4096
#define BATCH  8

static int stop;

// Each on a cache line of its own: ops is written all the time.
struct worker {
  pthread_t thread;
  int id;
  long ops;
  uint64 sum;           // what the readers read, so that reading is not optimised away
} __attribute__((aligned(64)));

static void *
kalloc_loop(void *arg)
{
  struct worker *w = arg;
  void *pages[BATCH];
  shim_setcpu(w->id);
  while(!__atomic_load_n(&stop, __ATOMIC_RELAXED)){
    for(int i = 0; i < BATCH; i++)
      if((pages[i] = kalloc()) == 0){
        fprintf(stderr, "bench_host: out of pages\n");
        exit(1);
      }
    for(int i = 0; i < BATCH; i++)
      kfree(pages[i]);
    w->ops += 2 * BATCH;
  }
  return 0;
}

static char *fillpages;   // BATCH pages per thread

static void *
fill_loop(void *arg)
{
  struct worker *w = arg;
  char *mine = fillpages + (uint64)w->id * BATCH * PGSIZE;
  while(!__atomic_load_n(&stop, __ATOMIC_RELAXED)){
    for(int i = 0; i < BATCH; i++)
      memset(mine + i * PGSIZE, 5, PGSIZE);
    for(int i = 0; i < BATCH; i++)
      memset(mine + i * PGSIZE, 1, PGSIZE);
    w->ops += 2 * BATCH;
  }
  return 0;
}

static void *
bio_loop(void *arg)
{
  struct worker *w = arg;
  shim_setcpu(w->id);
  while(!__atomic_load_n(&stop, __ATOMIC_RELAXED)){
    for(int i = 0; i < BATCH; i++)
      brelse(bread(1, w->id * BATCH + i));
    w->ops += BATCH;
  }
  return 0;
}

// The read-mostly benchmarks' record, and the lock of each.
#define RECORD 64
static struct {
  uint64 word[RECORD];
} record;
static struct rwspinlock rwlock;
static struct spinlock spinlock;
static int use_rwlock;

static void
update_record(void)
{
  for(int i = 0; i < RECORD; i++)
    record.word[i]++;
}

static uint64
read_record(void)
{
  uint64 sum = 0;
  for(int i = 0; i < RECORD; i++)
    sum += record.word[i];
  return sum;
}

static void *
readmostly_loop(void *arg)
{
  struct worker *w = arg;
  shim_setcpu(w->id);
  while(!__atomic_load_n(&stop, __ATOMIC_RELAXED)){
    for(int i = 0; i < 100; i++){
      if(use_rwlock && i == 0){
        write_acquire(&rwlock);
        update_record();
        write_release(&rwlock);
      } else if(use_rwlock){
        read_acquire(&rwlock);
        w->sum += read_record();
        read_release(&rwlock);
      } else {
        acquire(&spinlock);
        if(i == 0)
          update_record();
        else
          w->sum += read_record();
        release(&spinlock);
      }
    }
    w->ops += 100;
  }
  return 0;
}

int
main(int argc, char *argv[])
{
  if(argc != 4){
    fprintf(stderr, "usage: bench_host kalloc|fill|bio|rwlock|spinlock NTHREADS SECONDS\n");
    return 2;
  }
  int nthreads = atoi(argv[2]);
  double secs = atof(argv[3]);
  if(nthreads < 1 || nthreads > NCPU || secs <= 0){
    fprintf(stderr, "bench_host: bad arguments\n");
    return 2;
  }
  void *(*loop)(void *);
  shim_setcpu(0);
  if(strcmp(argv[1], "kalloc") == 0){
    char *arena = aligned_alloc(PGSIZE, (uint64)NPAGES * PGSIZE);
    kinitrange(arena, arena + (uint64)NPAGES * PGSIZE);
    loop = kalloc_loop;
  } else if(strcmp(argv[1], "fill") == 0){
    fillpages = aligned_alloc(PGSIZE, (uint64)NCPU * BATCH * PGSIZE);
    loop = fill_loop;
  } else if(strcmp(argv[1], "bio") == 0){
    shim_disk_init(NCPU * BATCH);
    binit();
    loop = bio_loop;
  } else if(strcmp(argv[1], "rwlock") == 0 || strcmp(argv[1], "spinlock") == 0){
    use_rwlock = strcmp(argv[1], "rwlock") == 0;
    initrwlock(&rwlock, "bench rwlock");
    initlock(&spinlock, "bench spinlock");
    loop = readmostly_loop;
  } else {
    fprintf(stderr, "bench_host: unknown benchmark %s\n", argv[1]);
    return 2;
  }

  struct worker w[NCPU] = { 0 };
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for(int i = 0; i < nthreads; i++){
    w[i].id = i;
    pthread_create(&w[i].thread, 0, loop, &w[i]);
  }
  struct timespec nap = { (time_t)secs, (long)((secs - (time_t)secs) * 1e9) };
  nanosleep(&nap, 0);
  __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
  long ops = 0;
  for(int i = 0; i < nthreads; i++){
    pthread_join(w[i].thread, 0);
    ops += w[i].ops;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double dt = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("ops/s %.0f\n", ops / dt);
  return 0;
}
