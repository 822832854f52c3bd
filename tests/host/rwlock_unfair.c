// Read-write locks that lack a property of kernel/rwspinlock.c, with its
// interface: the controls of run.py, which show that test_rwlock's tests
// can fail. The environment variable RWLOCK_PREFER chooses the policy:
//
//   readers  readers get in whenever no writer holds the lock, however long
//            a writer has waited: the priority test must fail
//   writers  readers wait while any writer waits, and writers race each
//            other: the turns test must fail (a stream of writers keeps a
//            reader out)
//
// It reuses struct rwspinlock: arrivals counts arrivals as rwspinlock.c
// does (for rwarrivals), readersout is the lock word (HELD while a writer
// holds it, else the number of readers inside), writersout the number of
// writers waiting (counted only when writers are preferred).
#include <stdlib.h>
#include <string.h>

#include "types.h"
#include "param.h"
#include "spinlock.h"

void cpu_relax(void);
void panic(char *s) __attribute__((noreturn));

#define READER (1ULL << 32)
#define HELD   0x80000000u

static int prefer_writers;

void
initrwlock(struct rwspinlock *lk, char *name)
{
  char *prefer = getenv("RWLOCK_PREFER");

  if(prefer == 0 || (strcmp(prefer, "readers") != 0 && strcmp(prefer, "writers") != 0))
    panic("rwlock_unfair: set RWLOCK_PREFER to readers or writers");
  prefer_writers = strcmp(prefer, "writers") == 0;
  lk->arrivals = 0;
  lk->readersout = 0;
  lk->writersout = 0;
  lk->info.name = name;
}

void
read_acquire(struct rwspinlock *lk)
{
  __atomic_fetch_add(&lk->arrivals, READER, __ATOMIC_RELAXED);
  for(;;){
    uint s = __atomic_load_n(&lk->readersout, __ATOMIC_SEQ_CST);
    int yield = prefer_writers && __atomic_load_n(&lk->writersout, __ATOMIC_SEQ_CST) != 0;
    if(s != HELD && !yield &&
       __atomic_compare_exchange_n(&lk->readersout, &s, s + 1, 0,
                                   __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
      return;
    cpu_relax();
  }
}

void
read_release(struct rwspinlock *lk)
{
  __atomic_fetch_sub(&lk->readersout, 1, __ATOMIC_RELEASE);
}

void
write_acquire(struct rwspinlock *lk)
{
  __atomic_fetch_add(&lk->arrivals, 1, __ATOMIC_RELAXED);
  if(prefer_writers)
    __atomic_fetch_add(&lk->writersout, 1, __ATOMIC_SEQ_CST);
  for(;;){
    uint s = 0;
    if(__atomic_compare_exchange_n(&lk->readersout, &s, HELD, 0,
                                   __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
      break;
    cpu_relax();
  }
  if(prefer_writers)
    __atomic_fetch_sub(&lk->writersout, 1, __ATOMIC_RELAXED);
}

void
write_release(struct rwspinlock *lk)
{
  __atomic_store_n(&lk->readersout, 0, __ATOMIC_RELEASE);
}

void
rwarrivals(struct rwspinlock *lk, uint *readers, uint *writers)
{
  uint64 n = __atomic_load_n(&lk->arrivals, __ATOMIC_RELAXED);

  *readers = n >> 32;
  *writers = (uint)n;
}
