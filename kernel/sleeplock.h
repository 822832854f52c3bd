// Lock for long waits (disk I/O, inodes): a waiter sleeps instead of spinning.
struct sleeplock {
  uint locked;          // held? (protected by lk)
  struct spinlock lk;   // protects this structure
  int pid;              // process holding it (protected by lk)
  struct lockinfo info; // its name, and what the lock tools keep (lockhook.c)
};
