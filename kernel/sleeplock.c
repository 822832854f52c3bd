// Sleep locks: held across long waits such as disk I/O. A process that finds
// one taken gives up its CPU until the holder lets go, instead of spinning.

#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "lockhook.h"
#include "sleeplock.h"
#include "proc.h"
#include "defs.h"

void
initsleeplock(struct sleeplock *lk, char *name)
{
  // The inner spinlock carries the same name, so that the statistics show
  // which kind of sleep lock (buffer, inode, ...) its waiters fight over.
  initlock(&lk->lk, name);
  lockregister(&lk->info, name, LOCK_SLEEP);
  lk->locked = 0;
  lk->pid = 0;
}

void
acquiresleep(struct sleeplock *lk)
{
  struct lockattempt a;

  lockhook_begin(&a, &lk->info, 0, (uint64)__builtin_return_address(0));
  acquire(&lk->lk);
  // The lock is the channel: releasesleep() wakes everyone waiting on it,
  // and whoever runs first takes it; the others go back to sleep.
  while(lk->locked){
    lockhook_wait(&a);
    sleep(lk, &lk->lk);
  }
  lk->locked = 1;
  lk->pid = myproc()->pid;
  lockhook_acquired(&a);
  release(&lk->lk);
}

void
releasesleep(struct sleeplock *lk)
{
  acquire(&lk->lk);
  lockhook_release(&lk->info, 0);
  lk->locked = 0;
  lk->pid = 0;
  wakeup(lk);
  release(&lk->lk);
}

// Does the calling process hold lk?
int
holdingsleep(struct sleeplock *lk)
{
  int held;

  acquire(&lk->lk);
  held = lk->locked && lk->pid == myproc()->pid;
  release(&lk->lk);
  return held;
}
