// The statistics device (major STATISTICS): reading it returns the lock
// statistics report of docs/ABI.md.
//
// Each open takes its own snapshot of the report, so that reads on one open
// file see one consistent report however small the pieces they read, and
// readers on other open files do not disturb it.

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "fs.h"
#include "file.h"
#include "defs.h"

// An open file's snapshot is a page of its own, kept in f->devdata: the
// report (at most PGSIZE bytes, the 4096 of docs/ABI.md), then NULs up to
// the end of the page. Written once at open, then only read, so it needs
// no lock.
//
// statslock protects the position (f->off) of every open statistics file,
// which processes sharing the file after fork or dup may read at once:
// each byte of the report goes to one of them. Nothing else is acquired
// while it is held.
static struct spinlock statslock;

static int statsopen(struct file *f);
static int statsread(struct file *f, int user, uint64 dst, int n);
static int statswrite(struct file *f, int user, uint64 src, int n);
static void statsclose(struct file *f);

void
statsinit(void)
{
  initlock(&statslock, "stats");
  devsw[STATISTICS].open = statsopen;
  devsw[STATISTICS].read = statsread;
  devsw[STATISTICS].write = statswrite;
  devsw[STATISTICS].close = statsclose;
}

static int
statsopen(struct file *f)
{
  char *snap = kalloc();

  if(snap == 0)
    return -1;
  memset(snap, 0, PGSIZE);
  lockstats(snap, PGSIZE);
  f->devdata = snap;
  return 0;
}

// The length of the report in a snapshot.
static int
snaplen(char *snap)
{
  int n = 0;

  while(n < PGSIZE && snap[n] != 0)
    n++;
  return n;
}

static int
statsread(struct file *f, int user, uint64 dst, int n)
{
  char *snap = f->devdata;
  int r = -1;

  if(snap == 0 || n < 0)
    return -1;
  acquire(&statslock);
  int len = snaplen(snap);
  int off = f->off < len ? f->off : len;
  if(n > len - off)
    n = len - off;
  if(either_copyout(user, dst, snap + off, n) == 0){
    f->off = off + n;
    r = n;
  }
  release(&statslock);
  return r;
}

static int
statswrite(struct file *f, int user, uint64 src, int n)
{
  return -1;
}

static void
statsclose(struct file *f)
{
  if(f->devdata){
    kfree(f->devdata);
    f->devdata = 0;
  }
}
