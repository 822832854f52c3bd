// The statistics device (major STATISTICS): reading it returns the lock
// statistics report of ABI.md.
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

// An open file's snapshot, in a page of its own, kept in f->devdata.
// Written once at open, then only read, so it needs no lock.
struct snapshot {
  int len;
  char text[PGSIZE - sizeof(int)];
};

static int
statsopen(struct file *f)
{
  struct snapshot *s = kalloc();

  if(s == 0)
    return -1;
  s->len = lockstats(s->text, sizeof(s->text));
  f->devdata = s;
  return 0;
}

static int
statsread(struct file *f, int user, uint64 dst, int n)
{
  struct snapshot *s = f->devdata;
  // Read the position once: processes sharing this open file may race on
  // it, and the bounds below must hold for the value actually used.
  uint off = f->off;

  if(s == 0 || n < 0)
    return -1;
  if(off >= s->len)
    return 0;
  if(n > s->len - off)
    n = s->len - off;
  if(either_copyout(user, dst, s->text + off, n) < 0)
    return -1;
  f->off = off + n;
  return n;
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

void
statsinit(void)
{
  devsw[STATISTICS].open = statsopen;
  devsw[STATISTICS].read = statsread;
  devsw[STATISTICS].write = statswrite;
  devsw[STATISTICS].close = statsclose;
}
