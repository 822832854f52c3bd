// Host-side tests of the buffer cache (kernel/bio.c or kernel/bio_global.c,
// compiled unchanged) over the shim's RAM disk, with threads playing CPUs.
//
//   test_bio TEST NTHREADS
//
// TEST is one of:
//   rw     concurrent reads and writes of random blocks, four times more
//          blocks than buffers, so that eviction runs all the time; every
//          read checks the block's contents against the last write
//   same   every thread misses on the same few blocks at the same time
//   hits   for HITS_SECS seconds, every thread reads blocks of its own, few
//          enough that they all stay cached, and less than 37 apart (the
//          bucket count of bio.c), so no two threads share a bucket;
//          bcache-tot is what tot= grew by once each had read its blocks
//          once. The bucketed cache should see no contention there, the
//          single lock some (tests/host/run.py compares them)
//   lru    (one thread) the buffer replaced is always the least recently used
//   pin    (one thread) a pinned buffer is never replaced
//   busy   (one thread) with every buffer held, bread panics "bget: no buffers"
//
// A block's contents name the block and its version. Versions live in
// latest[], read and written only while holding the block's buffer lock: if a
// block were ever cached twice, two threads could hold "its" lock at once,
// which ThreadSanitizer reports, and a reader could see a stale version.
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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
void bwrite(struct buf *);
void brelse(struct buf *);
void bpin(struct buf *);
void bunpin(struct buf *);

#define DEV      1
#define NBLOCKS  (4 * NBUF)     // blocks in use by the rw test
#define OPS      1000000L       // bread/brelse pairs per test, over all threads
#define HITS_SECS 1.5

static int nthreads;
static uint64 latest[NBLOCKS];

// The contents of version v of block n: a header, then a byte pattern.
static void
fill(uchar *data, uint n, uint64 v)
{
  memset(data, 0, 16);
  memcpy(data, &n, sizeof(n));
  memcpy(data + 8, &v, sizeof(v));
  memset(data + 16, (int)((v * 31 + n) & 0xff), BSIZE - 16);
}

// Check the header (block and version) and a sample of the pattern: enough
// to see a stale or torn block, and cheap under ThreadSanitizer. The whole
// disk is compared byte for byte at the end of the test.
static void
check(struct buf *b, uint n, uint64 v)
{
  static const int samples[] = { 16, 17, BSIZE / 2, BSIZE - 2, BSIZE - 1 };
  uchar want[BSIZE];
  fill(want, n, v);
  int ok = b->blockno == n && memcmp(b->data, want, 16) == 0;
  for(int i = 0; ok && i < (int)(sizeof(samples) / sizeof(samples[0])); i++)
    ok = b->data[samples[i]] == want[samples[i]];
  if(!ok){
    uint64 got;
    memcpy(&got, b->data + 8, sizeof(got));
    shim_fail("block contents are not its last write", (long)n, (long)got);
  }
}

struct worker {
  pthread_t thread;
  int id;
  uint64 rng;
  long ops;
};

// Read block n, check it, and with probability 1/4 write a new version.
static void
access_block(struct worker *w, uint n)
{
  struct buf *b = bread(DEV, n);
  check(b, n, latest[n]);
  if(shim_rand(&w->rng) % 4 == 0){
    latest[n]++;
    fill(b->data, n, latest[n]);
    bwrite(b);
  }
  brelse(b);
  w->ops++;
}

static void *
rw(void *arg)
{
  struct worker *w = arg;
  shim_setcpu(w->id);
  while(w->ops < OPS / nthreads)
    access_block(w, shim_rand(&w->rng) % NBLOCKS);
  return 0;
}

// Everyone walks the same sequence of blocks, so they miss together.
static void *
same(void *arg)
{
  struct worker *w = arg;
  shim_setcpu(w->id);
  for(long i = 0; w->ops < OPS / nthreads; i++)
    access_block(w, (i / 4) % NBLOCKS);
  return 0;
}

static void *
hits(void *arg)
{
  struct worker *w = arg;
  int mine = NBUF / nthreads;
  shim_setcpu(w->id);
  for(int i = 0; i < mine; i++)
    access_block(w, w->id * mine + i);
  shim_warmed();
  while(!shim_stopped())
    access_block(w, w->id * mine + w->ops % mine);
  return 0;
}

static void
run_threads(void *(*fn)(void *))
{
  struct worker *w = calloc(nthreads, sizeof(*w));
  shim_timed_init(nthreads);
  for(int i = 0; i < nthreads; i++){
    w[i].id = i;
    w[i].rng = 0x2545F4914F6CDD1DULL * (i + 1);
    pthread_create(&w[i].thread, 0, fn, &w[i]);
  }
  if(fn == hits)
    shim_stop_after(HITS_SECS);
  long ops = 0;
  for(int i = 0; i < nthreads; i++){
    pthread_join(w[i].thread, 0);
    ops += w[i].ops;
  }
  free(w);
  // Everything written went to the disk, and nothing else did.
  for(uint n = 0; n < NBLOCKS; n++){
    uchar want[BSIZE];
    fill(want, n, latest[n]);
    if(memcmp(shim_disk_block(n), want, BSIZE) != 0)
      shim_fail("disk block differs from its last write", n, (long)latest[n]);
  }
  printf("ops=%ld disk-ios=%lu buffers=%d bcache-tot=%lu ", ops,
         (unsigned long)shim_disk_ios(), shim_disk_nbufs(),
         (unsigned long)(fn == hits ? shim_timed_tot() : shim_lock_tot()));
}

static void
touch(uint n)
{
  brelse(bread(DEV, n));
}

// Fill the cache with NBUF blocks; then, over and over, release them in a
// random order and read a block that is not cached: it must replace the
// first one released, and every other block must still be cached.
static void
lru(void)
{
  uint cached[NBUF];
  uint64 seed = 88172645463325252ULL;
  uint next = 0;
  for(int i = 0; i < NBUF; i++){
    cached[i] = next++;
    touch(cached[i]);
  }
  for(long round = 0; round < OPS / (2 * NBUF + 2); round++){
    for(int i = NBUF - 1; i > 0; i--){
      int j = shim_rand(&seed) % (i + 1);
      uint t = cached[i]; cached[i] = cached[j]; cached[j] = t;
    }
    for(int i = 0; i < NBUF; i++)
      touch(cached[i]);
    uint victim = cached[0];
    uint fresh;
    int found;
    do {
      fresh = next++ % (NBLOCKS * 8);
      found = 0;
      for(int i = 0; i < NBUF; i++)
        found |= cached[i] == fresh;
    } while(found);
    uint64 victim_reads = shim_disk_reads(victim);
    uint64 fresh_reads = shim_disk_reads(fresh);
    touch(fresh);
    if(shim_disk_reads(fresh) != fresh_reads + 1)
      shim_fail("a block that was not cached was not read from disk", fresh, 0);
    for(int i = 1; i < NBUF; i++){
      uint64 r = shim_disk_reads(cached[i]);
      touch(cached[i]);
      if(shim_disk_reads(cached[i]) != r)
        shim_fail("a recently used block was replaced before the least recently used",
             cached[i], victim);
    }
    cached[0] = fresh;
    touch(victim);
    if(shim_disk_reads(victim) != victim_reads + 1)
      shim_fail("the least recently used block was not the one replaced", victim, 0);
    // Reading the victim back replaced the least recently used: fresh.
    cached[0] = victim;
  }
  printf("rounds=%ld ", OPS / (2 * NBUF + 2));
}

// A pinned block stays cached however many other blocks pass through.
static void
pin(void)
{
  for(long round = 0; round < OPS / (4 * NBUF); round++){
    uint p = round % NBLOCKS;
    struct buf *b = bread(DEV, p);
    bpin(b);
    brelse(b);
    uint64 r = shim_disk_reads(p);
    for(uint i = 1; i <= 4 * NBUF; i++)
      touch((p + i) % (NBLOCKS * 8));
    b = bread(DEV, p);
    if(shim_disk_reads(p) != r)
      shim_fail("a pinned buffer was replaced", p, 0);
    bunpin(b);
    brelse(b);
  }
  printf("rounds=%ld ", OPS / (4 * NBUF));
}

// With NBUF - 1 buffers held one more bread works; with NBUF held it must
// panic with "bget: no buffers" (checked in a child process).
static void
busy(void)
{
  int fds[2];
  if(pipe(fds) < 0)
    shim_fail("pipe", 0, 0);
  pid_t pid = fork();
  if(pid == 0){
    dup2(fds[1], 2);
    // The held buffers are never released: the process ends in the panic.
    for(int i = 0; i < NBUF - 1; i++)
      bread(DEV, i);
    brelse(bread(DEV, NBUF + 5));
    bread(DEV, NBUF - 1);
    fprintf(stderr, "all buffers held\n");
    bread(DEV, NBUF + 6);
    fprintf(stderr, "bread did not panic\n");
    _exit(0);
  }
  close(fds[1]);
  char out[512] = { 0 };
  int n = 0, r;
  while(n < (int)sizeof(out) - 1 && (r = read(fds[0], out + n, sizeof(out) - 1 - n)) > 0)
    n += r;
  int status;
  waitpid(pid, &status, 0);
  if(!strstr(out, "all buffers held"))
    shim_fail("bread failed with NBUF - 1 buffers held", 0, 0);
  if(!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT || !strstr(out, "panic: bget: no buffers"))
    shim_fail("bread with every buffer held did not panic \"bget: no buffers\"", status, 0);
  printf("panicked as expected ");
}

int
main(int argc, char *argv[])
{
  if(argc != 3){
    fprintf(stderr, "usage: test_bio rw|same|hits|lru|pin|busy NTHREADS\n");
    return 2;
  }
  nthreads = atoi(argv[2]);
  if(nthreads < 1 || nthreads > NCPU){
    fprintf(stderr, "NTHREADS must be 1..%d\n", NCPU);
    return 2;
  }
  shim_disk_init(NBLOCKS * 8);
  for(uint n = 0; n < NBLOCKS * 8; n++)
    fill(shim_disk_block(n), n, 0);
  shim_setcpu(0);
  binit();

  if(strcmp(argv[1], "rw") == 0)
    run_threads(rw);
  else if(strcmp(argv[1], "same") == 0)
    run_threads(same);
  else if(strcmp(argv[1], "hits") == 0)
    run_threads(hits);
  else if(strcmp(argv[1], "lru") == 0 && nthreads == 1)
    lru();
  else if(strcmp(argv[1], "pin") == 0 && nthreads == 1)
    pin();
  else if(strcmp(argv[1], "busy") == 0 && nthreads == 1)
    busy();
  else {
    fprintf(stderr, "unknown test %s (lru, pin and busy take 1 thread)\n", argv[1]);
    return 2;
  }
  if(shim_disk_nbufs() > NBUF)
    shim_fail("the disk saw more than NBUF buffers", shim_disk_nbufs(), NBUF);
  printf("\nPASS bio %s threads=%d\n", argv[1], nthreads);
  return 0;
}
