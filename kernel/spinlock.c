// Spinlocks: mutual exclusion by busy-waiting, with interrupts off on the
// holding CPU. Each lock counts its acquires and failed test-and-set
// attempts for the statistics report (lockstat.c), and tells the lock tools
// what it does (lockhook.c).
//
// This file also builds on the host (tests/host) against a shim: it must
// use only defs.h functions, and no RISC-V assembly.

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "lockhook.h"
#include "defs.h"

void
initlock(struct spinlock *lk, char *name)
{
  lk->locked = 0;
  lk->cpu = 0;
  lockregister(&lk->info, name, LOCK_SPIN);
}

void
acquire(struct spinlock *lk)
{
  struct lockattempt a;

  push_off();   // an interrupt handler taking lk on this CPU would deadlock
  if(holding(lk))
    lockpanic("acquire: already held", &lk->info);

  lockhook_begin(&a, &lk->info, 0, (uint64)__builtin_return_address(0));
  // An acquire load: the critical section's loads and stores stay after it.
  while(__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE) != 0){
    lockhook_wait(&a);
    cpu_relax();
  }

  __atomic_store_n(&lk->cpu, mycpu(), __ATOMIC_RELAXED);
  lockhook_acquired(&a);
}

void
release(struct spinlock *lk)
{
  if(!holding(lk))
    lockpanic("release: not held", &lk->info);

  lockhook_release(&lk->info, 0);
  __atomic_store_n(&lk->cpu, 0, __ATOMIC_RELAXED);
  // A release store: the critical section's stores are visible before the
  // lock is seen free.
  __atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);

  pop_off();
}

// Does this CPU hold lk? Interrupts must be off. (Another CPU may be
// taking or releasing lk meanwhile, but it cannot make the answer wrong.)
int
holding(struct spinlock *lk)
{
  return __atomic_load_n(&lk->locked, __ATOMIC_RELAXED) &&
         __atomic_load_n(&lk->cpu, __ATOMIC_RELAXED) == mycpu();
}

// Take lk if it is free at this moment, without waiting; say whether it
// did. For code that has other work to do rather than wait (the
// scheduler). A lock found taken is only looked at, not written, and
// counts as no failed attempt: nothing waited for it.
int
tryacquire(struct spinlock *lk)
{
  struct lockattempt a;

  push_off();
  if(holding(lk))
    lockpanic("tryacquire: already held", &lk->info);
  if(__atomic_load_n(&lk->locked, __ATOMIC_RELAXED) != 0 ||
     __atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE) != 0){
    pop_off();
    return 0;
  }

  lockhook_begin(&a, &lk->info, 0, (uint64)__builtin_return_address(0));
  __atomic_store_n(&lk->cpu, mycpu(), __ATOMIC_RELAXED);
  lockhook_acquired(&a);
  return 1;
}
