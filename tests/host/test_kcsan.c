// Host-side tests of the race detector's decisions (kernel/kcsanwatch.h,
// used unchanged): which accesses it watches, which accesses race with a
// watchpoint, and which races it has reported.
//
//   test_kcsan TEST NTHREADS
//
// TEST is one of:
//   sampling  the gaps between watched accesses stay within 1..2N-1 and
//            average N, for several intervals N; 1 watches every access and
//            0 none. With NTHREADS > 1 the threads tick one sampler at once
//            (a process moved to another CPU does that in the kernel),
//            which must lose no more than a few counts
//   overlap  watchpoints pack and unpack exactly, and an access races with
//            one exactly when they share a byte and one of them writes,
//            near the ends of the address space too
//   pairs    each pair of code locations is new once, in either order, and
//            a full set takes no more
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types.h"
#include "kcsanwatch.h"
#include "shim.h"

static void
expect(int cond, const char *what, long a, long b)
{
  if(!cond)
    shim_fail(what, a, b);
}

// ---- sampling ----

#define TICKS 2000000L

// Tick s for n accesses at the given interval; the number watched.
static long
ticks(struct sampler *s, uint interval, long n, long *maxgap, long *mingap)
{
  long watched = 0, gap = 0;

  for(long i = 0; i < n; i++){
    gap++;
    if(sampler_tick(s, interval)){
      if(watched > 0 && gap > *maxgap)
        *maxgap = gap;
      if(watched > 0 && gap < *mingap)
        *mingap = gap;
      watched++;
      gap = 0;
    }
  }
  return watched;
}

static struct sampler shared = { 0x9e3779b97f4a7c15ULL, 1 };
static long sharedwatched[8];

static void *
tick_shared(void *arg)
{
  long id = (long)arg, maxgap = 0, mingap = TICKS;

  sharedwatched[id] = ticks(&shared, 100, TICKS, &maxgap, &mingap);
  return 0;
}

static void
sampling(int nthreads)
{
  uint intervals[] = { 1, 2, 7, 100, 500, 4000 };

  for(int i = 0; i < sizeof(intervals) / sizeof(intervals[0]); i++){
    uint n = intervals[i];
    struct sampler s = { 12345, 1 };
    long maxgap = 0, mingap = TICKS;
    long watched = ticks(&s, n, TICKS, &maxgap, &mingap);
    double mean = (double)TICKS / watched;
    expect(mingap >= 1 && maxgap <= 2 * (long)n - 1, "a gap outside 1..2N-1", mingap, maxgap);
    expect(mean > 0.97 * n && mean < 1.03 * n, "the mean gap is not the interval",
           (long)(mean * 1000), n * 1000L);
    if(n > 2)
      expect(maxgap > n && mingap < n, "the gaps do not vary", mingap, maxgap);
  }
  struct sampler s = { 12345, 1 };
  long maxgap = 0, mingap = TICKS;
  expect(ticks(&s, 1, 1000, &maxgap, &mingap) == 1000, "interval 1 skipped an access", 0, 0);
  expect(ticks(&s, 0, 1000, &maxgap, &mingap) == 0, "interval 0 watched an access", 0, 0);

  if(nthreads > 1){
    pthread_t t[8];
    long total = 0;
    for(long i = 0; i < nthreads; i++)
      pthread_create(&t[i], 0, tick_shared, (void *)i);
    for(int i = 0; i < nthreads; i++){
      pthread_join(t[i], 0);
      total += sharedwatched[i];
    }
    // A lost count only moves the next sample; far fewer (or more)
    // samples than 1 in 100 would be a broken sampler.
    long want = nthreads * TICKS / 100;
    expect(total > want / 2 && total < want * 2, "shared sampler far off its rate", total, want);
  }
  printf("PASS kcsan sampling threads=%d\n", nthreads);
}

// ---- overlap ----

static void
overlap_case(uint64 waddr, uint64 wsize, int wtype, uint64 addr, uint64 size, int type,
             int races)
{
  uint64 w = watch_make(waddr, wsize, wtype);

  expect(w != 0, "no watchpoint made", (long)waddr, (long)wsize);
  expect(watch_conflicts(w, addr, size, type) == races,
         races ? "a race not seen" : "a race seen where there is none", (long)addr, (long)size);
}

static void
overlaps(void)
{
  uint64 k = 0x80012340;   // a kernel address
  uint64 top = (1ULL << WATCH_ADDRBITS) - 16;

  // Packing.
  uint64 w = watch_make(k, 8, KCSAN_WRITE);
  expect(watch_addr(w) == k && watch_size(w) == 8 && watch_iswrite(w), "packing", (long)w, 0);
  w = watch_make(k, 4096, 0);
  expect(watch_addr(w) == k && watch_size(w) == 4096 && !watch_iswrite(w), "packing", (long)w, 0);
  expect(watch_size(watch_make(k, 1ULL << 30, 0)) == WATCH_MAXSIZE, "no clamp", 0, 0);
  expect(watch_make(k, 0, 0) == 0, "an empty access watched", 0, 0);
  expect(watch_make(1ULL << WATCH_ADDRBITS, 4, 0) == 0, "an address too high watched", 0, 0);
  expect(watch_conflicts(0, k, 8, KCSAN_WRITE) == 0, "a free slot conflicts", 0, 0);

  // Who writes: one of the two must.
  overlap_case(k, 4, 0, k, 4, 0, 0);
  overlap_case(k, 4, 0, k, 4, KCSAN_WRITE, 1);
  overlap_case(k, 4, KCSAN_WRITE, k, 4, 0, 1);
  overlap_case(k, 4, KCSAN_WRITE, k, 4, KCSAN_WRITE, 1);
  // A marked (atomic) access races with the plain one watched.
  overlap_case(k, 4, 0, k, 4, KCSAN_MARKED | KCSAN_WRITE, 1);
  overlap_case(k, 4, KCSAN_WRITE, k, 4, KCSAN_MARKED, 1);
  overlap_case(k, 4, 0, k, 4, KCSAN_MARKED, 0);

  // Sizes and places: any shared byte, and no other.
  overlap_case(k, 8, 0, k + 3, 1, KCSAN_WRITE, 1);       // a byte inside a word
  overlap_case(k + 3, 1, KCSAN_WRITE, k, 8, 0, 1);       // the word around a byte
  overlap_case(k, 8, 0, k + 7, 2, KCSAN_WRITE, 1);       // the last byte shared
  overlap_case(k, 8, 0, k + 8, 8, KCSAN_WRITE, 0);       // just after
  overlap_case(k, 8, 0, k - 8, 8, KCSAN_WRITE, 0);       // just before
  overlap_case(k, 8, 0, k - 8, 9, KCSAN_WRITE, 1);       // the first byte shared
  overlap_case(k, 4096, KCSAN_WRITE, k + 4095, 1, 0, 1); // a range and its last byte
  overlap_case(k, 4096, KCSAN_WRITE, k + 4096, 1, 0, 0);
  overlap_case(k + 100, 4, 0, k, 4096, KCSAN_WRITE, 1);  // a range around a word
  overlap_case(k, 4, 0, k, 0, KCSAN_WRITE, 0);           // an empty access

  // Ends of the address space: no sum may overflow.
  overlap_case(top, 16, 0, top + 15, 1, KCSAN_WRITE, 1);
  overlap_case(top, 16, 0, ~0ULL - 7, 8, KCSAN_WRITE, 0);
  overlap_case(0, 8, 0, ~0ULL - 7, 8, KCSAN_WRITE, 0);
  overlap_case(0, 8, 0, 7, ~0ULL - 7, KCSAN_WRITE, 1);
  expect(overlap(~0ULL - 3, 4, 0, 8) == 0, "wrapped around the top", 0, 0);
  expect(overlap(0, 8, ~0ULL - 3, 4) == 0, "wrapped around the top", 0, 0);
  expect(overlap(~0ULL - 7, 8, ~0ULL - 3, 4) == 1, "missed at the top", 0, 0);
  expect(overlap(~0ULL - 3, 4, ~0ULL - 7, 8) == 1, "missed at the top", 0, 0);
  printf("PASS kcsan overlap\n");
}

// ---- pairs ----

static struct pairset set;

static void
pairs(void)
{
  expect(pairset_add(&set, 0x100, 0x200) == 1, "first pair not new", 0, 0);
  expect(pairset_add(&set, 0x200, 0x100) == 0, "pair new again, reversed", 0, 0);
  expect(pairset_add(&set, 0x100, 0x200) == 0, "pair new again", 0, 0);
  expect(pairset_add(&set, 0x100, 0x100) == 1, "a location with itself not new", 0, 0);
  expect(pairset_add(&set, 0x100, 0) == 1, "a race with an unseen side not new", 0, 0);
  expect(pairset_add(&set, 0x100, 0) == 0, "a race with an unseen side new again", 0, 0);
  for(uint64 i = 0; set.n < NREPORTED; i++)
    expect(pairset_add(&set, 0x1000 + i, 0x2000) == 1, "a pair not new", (long)i, set.n);
  expect(pairset_add(&set, 0x3000, 0x4000) == -1, "a full set took more", set.n, 0);
  expect(set.n == NREPORTED, "a full set grew", set.n, NREPORTED);
  expect(pairset_add(&set, 0x2000, 0x1000) == 0, "a pair of a full set new", 0, 0);
  printf("PASS kcsan pairs\n");
}

int
main(int argc, char *argv[])
{
  if(argc != 3){
    fprintf(stderr, "usage: test_kcsan sampling|overlap|pairs NTHREADS\n");
    return 2;
  }
  int nthreads = atoi(argv[2]);
  if(nthreads < 1 || nthreads > 8){
    fprintf(stderr, "NTHREADS must be 1..8\n");
    return 2;
  }
  if(strcmp(argv[1], "sampling") == 0)
    sampling(nthreads);
  else if(strcmp(argv[1], "overlap") == 0)
    overlaps();
  else if(strcmp(argv[1], "pairs") == 0)
    pairs();
  else {
    fprintf(stderr, "unknown test %s\n", argv[1]);
    return 2;
  }
  return 0;
}
