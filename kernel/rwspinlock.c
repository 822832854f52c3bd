// Read-write spinlocks: any number of readers, or one writer, hold the
// lock, each with interrupts off on its CPU as for a spinlock. A writer
// that is waiting goes before the readers that arrive after it, and no
// one, reader or writer, waits forever.
//
// The protocol. Every acquire first *arrives*, by one atomic operation on
// lk->arrivals, which counts the readers (high 32 bits) and the writers
// (low 32 bits) that have arrived so far. These atomic operations put all
// arrivals in one order, and each acquirer waits only for those ahead of
// it in that order:
//
//   - a reader that counted w writers ahead of it gets in when
//     writersout == w: every one of those writers has released;
//   - a writer that counted w writers and r readers ahead of it gets in
//     when writersout == w and readersout == r: every writer and every
//     reader ahead of it has released.
//
// The invariant: no one that arrived after a writer W holds the lock
// before W has released it, and W holds it only once everyone that arrived
// before it has let go. Hence a writer holds it alone; a reader that
// arrives while a writer waits lets that writer go first (writer
// priority); the readers that arrive between two writers hold it together;
// and as everyone waits only for arrivals ahead of it, of which there are
// finitely many, no one starves (not even a reader behind a stream of
// writers).
//
// Why the counts say that: writers get in and release in the order they
// arrived (each waits for the one before), so writersout == w means that
// exactly the first w writers have released; and it cannot go past w
// while a reader that counted w waits, since the next writer arrived after
// that reader and waits for it. A reader that arrived after writer W
// cannot get in before W releases, let alone leave; so while W waits,
// readersout counts only readers that arrived before W, and it equals the
// number W counted only when all of them have left.
//
// Counts wrap around modulo 2^32 and are only compared for equality, which
// is exact while fewer than 2^32 acquirers wait at once. A writer adds
// itself to the low half without carrying into the high half (a carry
// would count a reader that never comes); the readers' count is the high
// half, whose carry falls off the top.
//
// Memory order: arriving is relaxed, as only its place in the order of
// arrivals matters. Waiting is an acquire load of the counts that the
// holders ahead release with release operations, so whoever gets in sees
// everything that the holders before it wrote. Readers release by atomic
// adds, which form one release sequence, so the acquire load by which a
// writer sees readersout reach its count synchronises with every reader
// it waited for.
//
// This file also builds on the host (tests/host) against a shim: it must
// use only defs.h functions, and no RISC-V assembly.

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "lockhook.h"
#include "defs.h"

#define READER  (1ULL << 32)      // one reader in lk->arrivals
#define WRITERS 0xffffffffULL     // the writers' half of lk->arrivals

static int heldhere(struct rwspinlock *lk);

void
initrwlock(struct rwspinlock *lk, char *name)
{
  lk->arrivals = 0;
  lk->readersout = 0;
  lk->writersout = 0;
  lk->writer = 0;
  memset(lk->reading, 0, sizeof(lk->reading));
  lockregister(&lk->info, name, LOCK_RW);
}

void
read_acquire(struct rwspinlock *lk)
{
  struct lockattempt a;

  push_off();   // an interrupt handler taking lk for writing would deadlock
  if(heldhere(lk))
    lockpanic("read_acquire: already held", &lk->info);

  lockhook_begin(&a, &lk->info, 1, (uint64)__builtin_return_address(0));
  uint64 ahead = __atomic_fetch_add(&lk->arrivals, READER, __ATOMIC_RELAXED);
  uint writers = ahead & WRITERS;
  while(__atomic_load_n(&lk->writersout, __ATOMIC_ACQUIRE) != writers){
    lockhook_wait(&a);
    cpu_relax();
  }

  __atomic_store_n(&lk->reading[cpuid()], 1, __ATOMIC_RELAXED);
  lockhook_acquired(&a);
}

void
read_release(struct rwspinlock *lk)
{
  if(!__atomic_load_n(&lk->reading[cpuid()], __ATOMIC_RELAXED))
    lockpanic("read_release: not held for reading", &lk->info);

  lockhook_release(&lk->info, 1);
  __atomic_store_n(&lk->reading[cpuid()], 0, __ATOMIC_RELAXED);
  __atomic_fetch_add(&lk->readersout, 1, __ATOMIC_RELEASE);

  pop_off();
}

void
write_acquire(struct rwspinlock *lk)
{
  struct lockattempt a;

  push_off();
  if(heldhere(lk))
    lockpanic("write_acquire: already held", &lk->info);

  lockhook_begin(&a, &lk->info, 0, (uint64)__builtin_return_address(0));
  // Add one to the writers' half only. Failures here are readers arriving
  // at the same moment, not waiting for the lock.
  uint64 ahead = __atomic_load_n(&lk->arrivals, __ATOMIC_RELAXED);
  while(!__atomic_compare_exchange_n(&lk->arrivals, &ahead,
                                     (ahead & ~WRITERS) | ((ahead + 1) & WRITERS),
                                     1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
    ;
  uint writers = ahead & WRITERS;
  uint readers = ahead >> 32;
  while(__atomic_load_n(&lk->writersout, __ATOMIC_ACQUIRE) != writers ||
        __atomic_load_n(&lk->readersout, __ATOMIC_ACQUIRE) != readers){
    lockhook_wait(&a);
    cpu_relax();
  }

  __atomic_store_n(&lk->writer, mycpu(), __ATOMIC_RELAXED);
  lockhook_acquired(&a);
}

void
write_release(struct rwspinlock *lk)
{
  if(__atomic_load_n(&lk->writer, __ATOMIC_RELAXED) != mycpu())
    lockpanic("write_release: not held for writing", &lk->info);

  lockhook_release(&lk->info, 0);
  __atomic_store_n(&lk->writer, 0, __ATOMIC_RELAXED);
  // Only the holder changes writersout, so this add is never contended.
  __atomic_fetch_add(&lk->writersout, 1, __ATOMIC_RELEASE);

  pop_off();
}

// How many readers and writers have arrived at lk so far, modulo 2^32: for
// tests that must know that someone is waiting before they go on.
void
rwarrivals(struct rwspinlock *lk, uint *readers, uint *writers)
{
  uint64 n = __atomic_load_n(&lk->arrivals, __ATOMIC_RELAXED);

  *readers = n >> 32;
  *writers = n & WRITERS;
}

// Does this CPU hold lk, for reading or writing? Interrupts must be off.
// Taking it again would wait for ourselves: for a writer, or for a reader
// behind a writer that waits for us.
static int
heldhere(struct rwspinlock *lk)
{
  return __atomic_load_n(&lk->reading[cpuid()], __ATOMIC_RELAXED) ||
         __atomic_load_n(&lk->writer, __ATOMIC_RELAXED) == mycpu();
}
