// Host-side tests of the page allocator (kernel/kalloc.c or
// kernel/kalloc_global.c, compiled unchanged), with threads playing CPUs.
//
//   test_kalloc TEST NTHREADS
//
// TEST is one of:
//   mix      random allocate/free mixes, pages passed between CPUs so that
//            lists run dry and get refilled by stealing
//   exhaust  every CPU allocates until kalloc fails; then all pages go back
//            to one CPU's list and another CPU must get every one of them
//   steal    one CPU only frees, the others only allocate (always stealing)
//   scarce   every CPU holds up to its share of NPAGES - 1 pages, allocating
//            and freeing at random, so lists run dry and pages move between
//            them all the time; as at least one page is always free, kalloc
//            must never return 0
//   own      for OWN_SECS seconds, every CPU allocates a few pages and frees
//            them again, on its own list once its first steals are done;
//            kmem-tot is what tot= grew by after those. The per-CPU
//            allocator should see no contention there, the single lock
//            some (tests/host/run.py compares them)
//
// Every page handed out is checked for the allocation junk, marked with its
// owner and a serial number, and the marks are checked again before it is
// freed: a page handed out twice would carry another thread's marks. The free
// count at the end must equal the one at the start.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "shim.h"

void *kalloc(void);
void kfree(void *);
void kinitrange(void *, void *);
uint64 kfreepages(void);

#define NPAGES    2048          // pages given to the allocator
#define OPS       1000000L      // operations per test, over all threads
#define STASH     64            // pages a thread holds at most in the mix test
#define OWN_SECS  1.5
#define OWN_PAGES 8             // pages a thread holds at once in the own test

static char *arena;
static int nthreads;

// ---- marking pages ----

struct mark {
  uint64 owner;
  uint64 serial;
};

// Offsets checked and marked in each page: both ends and the middle.
static const int offsets[] = { 0, PGSIZE / 2, PGSIZE - (int)sizeof(struct mark) };

static void
check_junk(char *pa)
{
  if((uint64)pa % PGSIZE != 0 || pa < arena || pa >= arena + (uint64)NPAGES * PGSIZE)
    shim_fail("kalloc returned a page outside the arena or misaligned", (long)pa, 0);
  for(int i = 0; i < (int)(sizeof(offsets) / sizeof(offsets[0])); i++)
    if(pa[offsets[i]] != 5 || pa[offsets[i] + 7] != 5)
      shim_fail("allocated page is not filled with junk 5", offsets[i], pa[offsets[i]]);
}

static void
mark(char *pa, uint64 owner, uint64 serial)
{
  struct mark m = { owner, serial };
  for(int i = 0; i < (int)(sizeof(offsets) / sizeof(offsets[0])); i++)
    memcpy(pa + offsets[i], &m, sizeof(m));
}

static void
check_mark(char *pa, uint64 owner, uint64 serial)
{
  for(int i = 0; i < (int)(sizeof(offsets) / sizeof(offsets[0])); i++){
    struct mark m;
    memcpy(&m, pa + offsets[i], sizeof(m));
    if(m.owner != owner || m.serial != serial)
      shim_fail("page marks changed while the page was allocated: handed out twice?",
           (long)m.owner, (long)owner);
  }
}

// A page held by a thread, with the marks it carries.
struct held {
  char *pa;
  uint64 owner;
  uint64 serial;
};

// ---- a queue for passing pages between threads ----

static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static struct held queue[NPAGES];
static int qlen;

static int
qput(struct held h)
{
  pthread_mutex_lock(&qlock);
  int ok = qlen < NPAGES;
  if(ok)
    queue[qlen++] = h;
  pthread_mutex_unlock(&qlock);
  return ok;
}

static int
qget(struct held *h)
{
  pthread_mutex_lock(&qlock);
  int ok = qlen > 0;
  if(ok)
    *h = queue[--qlen];
  pthread_mutex_unlock(&qlock);
  return ok;
}

// ---- per-thread work ----

struct worker {
  pthread_t thread;
  int id;
  uint64 rng;
  long ops;
  long allocs;
  struct held stash[NPAGES];   // the mix test keeps at most STASH
  int nstash;
};

static int
alloc_one(struct worker *w)
{
  char *pa = kalloc();
  w->ops++;
  if(pa == 0)
    return 0;
  check_junk(pa);
  struct held h = { pa, (uint64)w->id + 1, (uint64)++w->allocs };
  mark(pa, h.owner, h.serial);
  w->stash[w->nstash++] = h;
  return 1;
}

static void
free_held(struct worker *w, struct held h)
{
  check_mark(h.pa, h.owner, h.serial);
  kfree(h.pa);
  w->ops++;
}

static void
free_one(struct worker *w)
{
  int i = shim_rand(&w->rng) % w->nstash;
  struct held h = w->stash[i];
  w->stash[i] = w->stash[--w->nstash];
  free_held(w, h);
}

static void
drain(struct worker *w)
{
  while(w->nstash > 0)
    free_one(w);
}

static void *
mix(void *arg)
{
  struct worker *w = arg;
  shim_setcpu(w->id);
  while(w->ops < OPS / nthreads){
    uint64 r = shim_rand(&w->rng) % 16;
    if(w->nstash < STASH && (r < 8 || w->nstash == 0)){
      alloc_one(w);
    } else if(r < 14){
      free_one(w);
    } else if(r == 14){
      // Hand a page to another thread, which will free it on its own CPU.
      int i = shim_rand(&w->rng) % w->nstash;
      if(qput(w->stash[i]))
        w->stash[i] = w->stash[--w->nstash];
    } else {
      struct held h;
      if(qget(&h))
        free_held(w, h);
    }
  }
  drain(w);
  return 0;
}

static pthread_barrier_t barrier;
static long exhausted[NCPU];     // pages each thread got in this round

// Rounds of: everyone allocates until kalloc fails, keeping the pages in the
// queue; every page must have been handed out. Then thread 0 frees them all
// onto its own list and the last thread must get every one back by stealing;
// it frees them again on its own list for the next round.
static void *
exhaust(void *arg)
{
  struct worker *w = arg;
  shim_setcpu(w->id);
  // Each round hands out every page about three times.
  for(long round = 0; round < OPS / (3 * NPAGES); round++){
    long got = 0;
    while(alloc_one(w)){
      got++;
      if(!qput(w->stash[--w->nstash]))
        shim_fail("more pages allocated than the arena holds", got, 0);
    }
    exhausted[w->id] = got;
    pthread_barrier_wait(&barrier);
    long total = 0;
    for(int i = 0; i < nthreads; i++)
      total += exhausted[i];
    if(total != NPAGES)
      shim_fail("kalloc failed while pages were free", total, NPAGES);
    if(kfreepages() != 0)
      shim_fail("kalloc failed but pages are counted free", (long)kfreepages(), 0);
    pthread_barrier_wait(&barrier);
    struct held h;
    if(w->id == 0)
      while(qget(&h))
        free_held(w, h);
    pthread_barrier_wait(&barrier);
    if(w->id == nthreads - 1){
      long again = 0;
      while(alloc_one(w)){
        again++;
        if(!qput(w->stash[--w->nstash]))
          shim_fail("more pages allocated than the arena holds", again, 0);
      }
      if(again != NPAGES)
        shim_fail("one CPU could not steal every free page", again, NPAGES);
      while(qget(&h))
        free_held(w, h);
    }
    pthread_barrier_wait(&barrier);
  }
  return 0;
}

static int
qlen_nonzero(void)
{
  pthread_mutex_lock(&qlock);
  int n = qlen;
  pthread_mutex_unlock(&qlock);
  return n > 0;
}

// CPU 0 frees what the others allocate: their lists are always empty.
static int stealers_done;

static void *
steal(void *arg)
{
  struct worker *w = arg;
  shim_setcpu(w->id);
  struct held h;
  if(w->id == 0){
    while(!__atomic_load_n(&stealers_done, __ATOMIC_ACQUIRE) || qlen_nonzero())
      if(qget(&h))
        free_held(w, h);
    return 0;
  }
  while(w->ops < OPS / (nthreads - 1)){
    if(alloc_one(w) && !qput(w->stash[--w->nstash]))
      shim_fail("more pages allocated than the arena holds", 0, 0);
  }
  return 0;
}

// Shares of NPAGES - 1: the threads never hold every page, so some page is
// free at every moment, on some list (or, in a broken allocator, on none).
static void *
scarce(void *arg)
{
  struct worker *w = arg;
  shim_setcpu(w->id);
  int share = (NPAGES - 1) / nthreads + (w->id < (NPAGES - 1) % nthreads);
  while(w->ops < OPS / nthreads){
    if(w->nstash < share && shim_rand(&w->rng) % 4 != 0){
      if(!alloc_one(w))
        shim_fail("kalloc returned 0 while pages were free (thread, pages it held)",
                  w->id, w->nstash);
    } else if(w->nstash > 0){
      free_one(w);
    }
  }
  drain(w);
  return 0;
}

static void
ownround(struct worker *w)
{
  while(w->nstash < OWN_PAGES)
    if(!alloc_one(w))
      shim_fail("kalloc failed with most pages free", w->nstash, 0);
  drain(w);
}

static void *
own(void *arg)
{
  struct worker *w = arg;
  shim_setcpu(w->id);
  ownround(w);
  shim_warmed();
  while(!shim_stopped())
    ownround(w);
  return 0;
}

int
main(int argc, char *argv[])
{
  if(argc != 3){
    fprintf(stderr, "usage: test_kalloc mix|exhaust|steal|own|scarce NTHREADS\n");
    return 2;
  }
  nthreads = atoi(argv[2]);
  if(nthreads < 1 || nthreads > NCPU){
    fprintf(stderr, "NTHREADS must be 1..%d\n", NCPU);
    return 2;
  }
  void *(*fn)(void *);
  if(strcmp(argv[1], "mix") == 0)
    fn = mix;
  else if(strcmp(argv[1], "exhaust") == 0)
    fn = exhaust;
  else if(strcmp(argv[1], "steal") == 0 && nthreads >= 2)
    fn = steal;
  else if(strcmp(argv[1], "own") == 0)
    fn = own;
  else if(strcmp(argv[1], "scarce") == 0)
    fn = scarce;
  else {
    fprintf(stderr, "unknown test %s (steal needs 2 threads or more)\n", argv[1]);
    return 2;
  }

  arena = aligned_alloc(PGSIZE, (uint64)NPAGES * PGSIZE);
  if(arena == 0)
    shim_fail("no memory for the arena", 0, 0);
  shim_setcpu(0);
  kinitrange(arena, arena + (uint64)NPAGES * PGSIZE);
  uint64 before = kfreepages();
  if(before != NPAGES)
    shim_fail("kinitrange did not free every page", (long)before, NPAGES);

  pthread_barrier_init(&barrier, 0, nthreads);
  shim_timed_init(nthreads);
  struct worker *w = calloc(nthreads, sizeof(*w));
  for(int i = 0; i < nthreads; i++){
    w[i].id = i;
    w[i].rng = 0x9e3779b97f4a7c15ULL * (i + 1);
  }
  // In the steal test, thread 0 runs until the stealers are done.
  int first = fn == steal ? 1 : 0;
  if(fn == steal)
    pthread_create(&w[0].thread, 0, fn, &w[0]);
  for(int i = first; i < nthreads; i++)
    pthread_create(&w[i].thread, 0, fn, &w[i]);
  if(fn == own)
    shim_stop_after(OWN_SECS);
  for(int i = first; i < nthreads; i++)
    pthread_join(w[i].thread, 0);
  if(fn == steal){
    __atomic_store_n(&stealers_done, 1, __ATOMIC_RELEASE);
    pthread_join(w[0].thread, 0);
  }

  // Pages still passing between threads go back now.
  struct held h;
  while(qget(&h))
    free_held(&w[0], h);
  long ops = 0;
  for(int i = 0; i < nthreads; i++)
    ops += w[i].ops;
  uint64 after = kfreepages();
  if(after != before)
    shim_fail("free pages at the end differ from the start: pages lost", (long)after, (long)before);
  printf("PASS kalloc %s threads=%d ops=%ld kmem-tot=%lu\n", argv[1], nthreads, ops,
         (unsigned long)(fn == own ? shim_timed_tot() : shim_lock_tot()));
  free(w);
  return 0;
}
