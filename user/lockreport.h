// Reading the lock profiler's report (/lockprof, format in
// kernel/lockprofdev.c) into structures: shared by lockstat and
// lockstattest. Include kernel/types.h and kernel/lockprof.h first.

#define LOCKNAME 32   // longest class name kept, with its NUL
#define SITENAME 48   // longest call site name kept, with its NUL

// The sites of one kind (waiter or holder) of a class, as listed.
struct sitelist {
  int n;                                  // entries used
  uint64 count[LOCKPROF_NTOP];
  char where[LOCKPROF_NTOP][SITENAME];    // "function+0xoff"
  uint64 other;                           // "(other sites)", 0 if not listed
};

struct lockclass {
  char name[LOCKNAME];
  char kind[8];                 // spin, sleep or rw
  struct lockprofsum sum;       // the sites' pcs are not in the report: 0
  struct sitelist waiter;       // where contended acquires were called
  struct sitelist holder;       // where the holders they waited for took it
};

struct lockreport {
  int on;                       // profiling was on when it was taken
  uint64 clockns;               // the clock's resolution
  uint64 elapsedns;             // since the last reset
  uint64 totalwait;             // ns, summed over every class
  int nclass;
  struct lockclass *class;      // in the order of the report; malloc'd
};

// Open /lockprof and read its report into r; 0, or -1 with a message on
// standard error.
int readlockreport(struct lockreport *r);
// Parse the report text[0..n-1] (text[n] must be writable) into r; 0, or
// -1 if it is not well formed (the message is in *why).
int parselockreport(char *text, int n, struct lockreport *r, char **why);
void freelockreport(struct lockreport *r);
// Write "on", "off" or "reset" to /lockprof; 0 or -1.
int lockstatctl(char *cmd);
