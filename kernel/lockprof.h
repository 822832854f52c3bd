// The lock profiler (lockprof.c): what it tells about one lock class,
// summed over every CPU since the last reset.

#define LOCKPROF_NTOP 4   // call sites reported per class and kind of site

// Times in nanoseconds: how many were measured, and their least,
// greatest and total.
struct lockprofspan {
  uint64 n;
  uint64 min;
  uint64 max;
  uint64 total;
};

// A call site (a return address into the kernel) and how often it was seen.
struct lockprofsite {
  uint64 pc;
  uint64 n;             // 0: an unused entry
};

struct lockprofsum {
  uint64 acquired;      // acquires
  uint64 contended;     // acquires that found the lock taken and waited
  uint64 waits;         // failed tries (spinlocks) or sleeps (sleep locks)
  uint64 bounces;       // acquires on another CPU than the previous one
  struct lockprofspan wait;   // from the first failed try to the acquire
  struct lockprofspan hold;   // from acquire to release
  // The sites seen most often, most first. waiter: where the contended
  // acquires were called. holder: where the holder they waited for had
  // taken the lock, as the lock said when the waiter first found it taken
  // (a holder that has just got it may not have written its site yet: then
  // it is the previous holder's; readers of a rwspinlock write none).
  // Contentions at sites not listed: contended minus the sum of the listed
  // counts.
  struct lockprofsite waiter[LOCKPROF_NTOP];
  struct lockprofsite holder[LOCKPROF_NTOP];
};
