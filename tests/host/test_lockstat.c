// Host-side test of the statistics report (kernel/lockstat.c, compiled
// unchanged): the largest report the kernel can make still fits the
// statistics device's snapshot of PGSIZE bytes with its end intact.
//
//   test_lockstat largest 1       (one thread: the same usage as the others)
//
// The locks are those of a kernel at CPUS=8 with every process slot in use:
// 8 per-CPU kmem locks, 37 bcache bucket locks, a lock per process, per
// inode, per buffer and per pipe. Every kmem and bcache counter has 20
// digits, and so does their total; five locks with names longer than any
// in the kernel have the most spins, so they fill the top 5. Such a report
// is longer than a page (checked: otherwise this test would prove nothing),
// and cut to a page it must still end with the whole top 5 and tot=, after
// whole lines of the first section.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "shim.h"

void initlock(struct spinlock *, char *);
void lockname(char *, int, const char *, int);
int lockstats(char *, int);

#define NBUCKET  37                       // kernel/bio.c
#define BIG      10000000000000000000ULL  // the smallest 20-digit number
#define NLONG    5

static struct spinlock kmem[NCPU], bcache[NBUCKET], procs[NPROC];
static struct spinlock inodes[NINODE], bufs[NBUF], pipes[NFILE / 2], longs[NLONG];
static char kmemname[NCPU][16], bcachename[NBUCKET][16];

static void
setcount(struct spinlock *lk, uint64 spins, uint64 acquires)
{
  lk->info.nspin = spins;
  lk->info.nacquire = acquires;
}

static void
init_all(struct spinlock *lks, int n, char *name, uint64 spins)
{
  for(int i = 0; i < n; i++){
    initlock(&lks[i], name);
    setcount(&lks[i], spins, 1000 + i);
  }
}

// Register the locks; return what tot= must be.
static uint64
make_locks(void)
{
  // One value for every kmem and bcache counter: 20 digits, and 45 of
  // them (which wraps around 2^64) also add up to 20 digits.
  uint64 v = BIG;
  while((uint64)(NCPU + NBUCKET) * v < BIG)
    v += BIG / 1000;
  for(int i = 0; i < NCPU; i++){
    lockname(kmemname[i], sizeof(kmemname[i]), "kmem", i);
    initlock(&kmem[i], kmemname[i]);
    setcount(&kmem[i], v, ~0ULL);
  }
  for(int i = 0; i < NBUCKET; i++){
    lockname(bcachename[i], sizeof(bcachename[i]), "bcache", i);
    initlock(&bcache[i], bcachename[i]);
    setcount(&bcache[i], v, ~0ULL);
  }
  init_all(procs, NPROC, "proc", 7);
  init_all(inodes, NINODE, "inode", 3);
  init_all(bufs, NBUF, "buffer", 5);
  init_all(pipes, NFILE / 2, "pipe", 11);
  for(int i = 0; i < NLONG; i++){
    initlock(&longs[i], "a-lock-name-longer-than-the-kernel-uses");
    setcount(&longs[i], ~0ULL - i, ~0ULL);
  }
  return (uint64)(NCPU + NBUCKET) * v;
}

// The offset of the line "--- top 5 contended locks:" in r, or -1.
static int
topoffset(const char *r)
{
  const char *t = strstr(r, "\n--- top 5 contended locks:\n");
  return t ? (int)(t - r) + 1 : -1;
}

static void
largest(void)
{
  static char full[1 << 16], cut[PGSIZE + 1];
  char want[64];

  shim_setcpu(0);
  uint64 tot = make_locks();
  snprintf(want, sizeof(want), "tot= %llu\n", (unsigned long long)tot);
  if(strlen(want) != strlen("tot= ") + 20 + 1)
    shim_fail("tot= should have 20 digits", (long)strlen(want), 0);

  int nfull = lockstats(full, sizeof(full) - 1);
  full[nfull] = 0;
  if(nfull <= PGSIZE)
    shim_fail("the largest report fits a page: this test shows nothing", nfull, PGSIZE);
  int lines = 0;
  for(char *p = full; (p = strchr(p, '\n')) != 0; p++)
    lines++;
  // The header, 45 kmem/bcache lines, the top-5 header and 5 lines, tot=.
  if(lines != 1 + NCPU + NBUCKET + 1 + 5 + 1)
    shim_fail("the full report has the wrong number of lines", lines, 0);
  int ftop = topoffset(full);
  if(ftop < 0 || strcmp(full + nfull - strlen(want), want) != 0)
    shim_fail("the full report's end is wrong", ftop, nfull);
  const char *tail = full + ftop;
  int ntail = nfull - ftop;

  // Every size from a page down to the tail alone keeps the tail whole,
  // after whole lines of the first section.
  for(int size = PGSIZE; size >= ntail; size--){
    int n = lockstats(cut, size);
    cut[n] = 0;
    if(n > size)
      shim_fail("the report overflows its buffer", n, size);
    int top = topoffset(cut);
    if(top < 0 && !(n == ntail && memcmp(cut, tail, ntail) == 0))
      shim_fail("the top 5 is missing", n, size);
    if(top >= 0 && (n - top != ntail || memcmp(cut + top, tail, ntail) != 0))
      shim_fail("the end of the report was cut", n, size);
    if(top >= 0 && memcmp(cut, full, top) != 0)
      shim_fail("the first section is not whole lines of the full report's", top, size);
    if(strchr(cut, '=') != cut + n - strlen(want) + 3)
      shim_fail("the first '=' is not the one in tot=", n, size);
    if(size == PGSIZE && n < PGSIZE - 100)
      shim_fail("more of the first section was left out than needed", n, size);
  }
  printf("full report %d bytes, a page holds %d of them ", nfull, lockstats(cut, PGSIZE));
}

int
main(int argc, char *argv[])
{
  if(argc != 3 || strcmp(argv[1], "largest") != 0 || strcmp(argv[2], "1") != 0){
    fprintf(stderr, "usage: test_lockstat largest 1\n");
    return 2;
  }
  largest();
  printf("\nPASS lockstat largest\n");
  return 0;
}
