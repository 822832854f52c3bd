// Spinlocks that count their own contention (lockstat.c keeps the list of
// all locks and reports the counts), and turning interrupts off and on.

#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "spinlock.h"
#include "riscv.h"
#include "proc.h"
#include "defs.h"

void
acquire(struct spinlock *lk)
{
  // Count failed attempts in a local: only the holder may touch the lock's
  // counters, so that counting adds no shared cache line to fight over.
  uint64 spins = 0;

  push_off();   // an interrupt handler taking lk on this CPU would deadlock
  if(holding(lk))
    panic("acquire");

  while(__sync_lock_test_and_set(&lk->locked, 1) != 0)
    spins++;

  // Keep the critical section's loads and stores after the lock is taken.
  __sync_synchronize();

  lk->cpu = mycpu();
  lk->nspin += spins;
  lk->nacquire++;
}

void
release(struct spinlock *lk)
{
  if(!holding(lk))
    panic("release");

  lk->cpu = 0;

  // Make the critical section's stores visible before the lock is free.
  __sync_synchronize();
  __sync_lock_release(&lk->locked);

  pop_off();
}

// Does this CPU hold lk? Interrupts must be off.
int
holding(struct spinlock *lk)
{
  return lk->locked && lk->cpu == mycpu();
}

// push_off/pop_off turn interrupts off and back on, nesting: interrupts come
// back on only at the outermost pop_off, and only if they were on at the
// outermost push_off.
void
push_off(void)
{
  int wason = intr_get();

  intr_off();
  struct cpu *c = mycpu();
  if(c->noff == 0)
    c->intena = wason;
  c->noff++;
}

void
pop_off(void)
{
  struct cpu *c = mycpu();

  if(intr_get())
    panic("pop_off: interruptible");
  if(c->noff < 1)
    panic("pop_off");
  c->noff--;
  if(c->noff == 0 && c->intena)
    intr_on();
}
