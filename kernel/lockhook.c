// The lock tools' view of every acquire and release: the one place where
// the lock code (spinlock.c, sleeplock.c, rwspinlock.c) tells them what it
// does, through the calls described in lockhook.h. Here the counters of
// the statistics report are kept, and the locks each CPU holds, with where
// and when it took them.
//
// This file also builds on the host (tests/host) against a shim: it must
// use only defs.h functions, and no RISC-V assembly.

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "lockhook.h"
#include "defs.h"

// The spinlocks and rwspinlocks each CPU holds, innermost last. A CPU
// holds them with interrupts off, so only that CPU touches its entry;
// reports from other CPUs read it without a lock and may see it change.
// A CPU holding more than NHELD locks (none does) keeps no record of the
// extra ones.
#define NHELD 48
static struct heldlocks {
  int n;
  struct heldlock lock[NHELD];
} held[NCPU] __attribute__((aligned(64)));

// Called for each failed try to get a lock, or each sleep waiting for it.
void
lockhook_wait(struct lockattempt *a)
{
  if(a->spins++ == 0){
    a->waitstart = nsecs();
    a->holderpc = __atomic_load_n(&a->lock->pc, __ATOMIC_RELAXED);
  }
}

// The attempt a got its lock.
void
lockhook_acquired(struct lockattempt *a)
{
  struct lockinfo *lk = a->lock;
  uint64 now = nsecs();

  if(a->shared){
    __atomic_add_fetch(&lk->nspin, a->spins, __ATOMIC_RELAXED);
    __atomic_add_fetch(&lk->nacquire, 1, __ATOMIC_RELAXED);
  } else {
    lk->nspin += a->spins;
    lk->nacquire++;
    __atomic_store_n(&lk->pc, a->pc, __ATOMIC_RELAXED);
  }
  __atomic_store_n(&lk->lastcpu, cpuid(), __ATOMIC_RELAXED);

  if(lk->kind == LOCK_SLEEP){
    lk->since = now;
  } else {
    struct heldlocks *h = &held[cpuid()];
    if(h->n < NHELD)
      h->lock[h->n] = (struct heldlock){ lk, a->shared, a->pc, now, a->depth, 0 };
    h->n++;
  }
  lockdep_acquired(a);
}

// This CPU (or, for a sleep lock, this process) is letting lk go.
void
lockhook_release(struct lockinfo *lk, int shared)
{
  lockdep_release(lk, shared);
  if(lk->kind != LOCK_SLEEP){
    struct heldlocks *h = &held[cpuid()];
    // Usually the innermost; find it and close the gap.
    int i = (h->n < NHELD ? h->n : NHELD) - 1;
    while(i >= 0 && h->lock[i].lock != lk)
      i--;
    if(i >= 0){
      for(; i + 1 < h->n && i + 1 < NHELD; i++)
        h->lock[i] = h->lock[i + 1];
    }
    if(h->n > 0)
      h->n--;
  }
}

// The current process is about to sleep in sleep(), which releases lk.
void
lockhook_sleep(struct lockinfo *lk)
{
  lockdep_sleep(lk);
}

// The current process is about to return to user space.
void
lockhook_userret(void)
{
  lockdep_userret();
}

// An interrupt handler starts (in = 1) or ends (in = 0) on this CPU, in
// the middle of whatever the CPU was doing.
void
lockhook_intr(int in)
{
  lockdep_intr(in);
}

// The locks that CPU cpu holds (as far as it keeps track), innermost last;
// their number in *n.
struct heldlock *
lockhook_held(int cpu, int *n)
{
  int k = held[cpu].n;

  *n = k < NHELD ? k : NHELD;
  return held[cpu].lock;
}

// Panic because of a misuse of lk, naming it.
void
lockpanic(char *what, struct lockinfo *lk)
{
  printf("%s: lock %s\n", what, lk->name);
  panic(what);
}
