// Lock for long waits (disk I/O, inodes): a waiter sleeps instead of spinning.
struct sleeplock {
  uint locked;          // held? (protected by lk)
  struct spinlock lk;   // protects this structure
  char *name;           // name of the lock
  int pid;              // process holding it (protected by lk)
};
