// What every lock carries, whatever its kind, and the spinlock itself.

enum lockkind { LOCK_SPIN, LOCK_SLEEP, LOCK_RW };

#define NLOCKCLASS 128  // lock classes the tools tell apart (lockstat.c)

// A lock's name, its counters for the statistics report, and what the lock
// tools (lockhook.c) keep about it. Spinlocks and rwspinlocks are also on
// the registry (lockstat.c), which the statistics report walks.
struct lockinfo {
  char *name;           // must outlive the lock: the class table keeps it
  uchar kind;           // enum lockkind
  ushort class;         // all locks of the same name and kind are a class

  // Statistics, updated by the holder after it has acquired the lock, so
  // they need no shared counter that unrelated locks would contend on.
  // (A rwspinlock's readers, who hold it together, add atomically.)
  uint64 nacquire;      // acquires
  uint64 nspin;         // failed test-and-set attempts while waiting

  // Written by each acquirer once it holds the lock (by writers only, for a
  // rwspinlock), and read without a lock by the tools' waiters and reports.
  uint64 pc;            // where it was acquired
  uint64 since;         // when (sleep locks only: see lockhook.c)
  int lastcpu;          // on which CPU (-1 before the first acquire)

  // Registry links, protected by the registry's lock in lockstat.c.
  struct lockinfo *rnext;
  struct lockinfo *rprev;
};

// Mutual exclusion lock that busy-waits, with interrupts off on the holding CPU.
struct spinlock {
  uint locked;          // 1 while held; changed only by atomic instructions
  struct cpu *cpu;      // CPU holding it, written by the holder
  struct lockinfo info;
};

// Read-write spinlock (rwspinlock.c): any number of readers, or one writer,
// with interrupts off on each holding CPU. A waiting writer holds back the
// readers that arrive after it, and no one waits for those who arrived
// later. rwspinlock.c explains the protocol; only it touches the counts.
struct rwspinlock {
  uint64 arrivals;      // readers arrived << 32 | writers arrived; atomic
  uint readersout;      // readers that have released; atomic
  uint writersout;      // writers that have released; atomic
  struct cpu *writer;   // CPU holding it for writing, written by that CPU
  uchar reading[NCPU];  // reading[c]: CPU c holds it for reading; written by CPU c
  struct lockinfo info;
};
