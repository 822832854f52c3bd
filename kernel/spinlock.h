// Mutual exclusion lock that busy-waits, with interrupts off on the holding CPU.
//
// Every initialised lock is on a registry list (lockstat.c) so that its
// contention statistics can be reported; freelock() takes it off again.
struct spinlock {
  uint locked;          // 1 while held; changed only by atomic instructions

  // For debugging, written by the holder:
  char *name;           // name of the lock
  struct cpu *cpu;      // CPU holding it

  // Statistics, updated only by the holder after it has acquired the lock,
  // so they need no shared counter that unrelated locks would contend on.
  uint64 nacquire;      // acquire() calls
  uint64 nspin;         // failed test-and-set attempts while waiting

  // Registry links, protected by the registry's lock in lockstat.c.
  struct spinlock *rnext;
  struct spinlock *rprev;
};
