// How the lock code (spinlock.c, sleeplock.c, rwspinlock.c) tells the lock
// tools what it does: the one hook point of lockhook.c. Each acquire is
// an attempt, on the acquirer's stack:
//
//   struct lockattempt a;
//   lockhook_begin(&a, &lk->info, shared, pc);   before waiting
//   while(the lock is taken)
//     lockhook_wait(&a);                         each failed try, or sleep
//   lockhook_acquired(&a);                       once it is held
//   ...
//   lockhook_release(&lk->info, shared);         before letting it go
//
// Spinlocks and rwspinlocks call these with interrupts off, from before the
// wait until after the release; sleep locks with interrupts on.
//
// The rest of the kernel tells the tools about what happens around locks:
//
//   lockhook_sleep(lk)       sleep() is about to release lk and sleep
//   lockhook_userret()       a process is about to return to user space
//   lockhook_intr(1), (0)    an interrupt handler starts and ends

#include "lockdep.h"

struct lockattempt {
  struct lockinfo *lock;
  int shared;           // a read acquire of a rwspinlock
  uint64 pc;            // where the lock was asked for
  uint64 spins;         // failed tries (spinlocks) or sleeps (sleep locks)
  uint64 waitstart;     // nsecs() when it first found the lock taken; 0 if not yet
  uint64 holderpc;      // the holder's acquire site at that moment
  int depth;            // nesting depth, set by the lock-order checker (lockdep.h)
};

static inline void
lockhook_begin(struct lockattempt *a, struct lockinfo *lk, int shared, uint64 pc)
{
  a->lock = lk;
  a->shared = shared;
  a->pc = pc;
  a->spins = 0;
  a->waitstart = 0;
  a->holderpc = 0;
  a->depth = 0;
  // The lock-order checker looks before the wait, so that it reports a
  // deadlock before it happens.
  lockdep_acquire(a);
}

// One of this CPU's locks, in the order it took them.
struct heldlock {
  struct lockinfo *lock;
  int shared;
  uint64 pc;            // where it was acquired
  uint64 since;         // when
  uchar depth;          // the lock-order checker's: see lockdep.h
  uchar nestable;       // locks of its class may nest inside it (lockdep_nest)
};
