// The kernel race detector (make KCSAN=1, kernel/kcsan.c), as the rest of
// the kernel sees it. In other builds all of this costs nothing.

// data_race(x): an access to x (a scalar lvalue) that races with other
// CPUs on purpose, because a stale or early value is harmless there; say
// next to each use why. The race detector ignores it. In every build it is
// a volatile access, so that the compiler makes exactly one load or store
// of x where the code says, as a racy access needs: it must not read x
// twice, or split the access, assuming no one else changes x.
#define data_race(x) (*(volatile __typeof__(x) *)&(x))

// A function the race detector does not instrument, outside the files the
// Makefile leaves out: only for what the lock code and printf call (see
// where it is used).
#define kcsan_notrace __attribute__((no_sanitize_thread))

#ifdef KCSAN

// kcsandev.c: the /kcsan device; turns the detector on.
void kcsaninit(void);

// kcsan.c: the detector's settings and counts, which /kcsan shows and sets.
#define KCSAN_INTERVAL 500   // default: watch about one access in this many, per CPU
#define KCSAN_DELAY    20    // default: microseconds each watch lasts

struct kcsancounts {
  uint64 watched;       // watchpoints set
  uint64 full;          // samples skipped because every watchpoint was in use
  uint64 races;         // races found
  uint64 reported;      // races reported (each pair of code locations once)
  uint64 testwatched;   // watchpoints set on the self-test's variables
  uint64 testraces;     // races found on them
};

void kcsan_start(uint64 testlo, uint64 testhi);
void kcsan_setinterval(uint n);
void kcsan_setdelay(uint us);
void kcsan_getcounts(struct kcsancounts *c, uint *interval, uint *delayus);

// string.c is not instrumented: each routine checks its whole ranges at
// once with these (kcsan.c), not each word on its own.
void __tsan_read_range(void *addr, unsigned long size);
void __tsan_write_range(void *addr, unsigned long size);

static inline void
kcsan_check_read(const void *addr, uint64 size)
{
  __tsan_read_range((void *)addr, size);
}

static inline void
kcsan_check_write(void *addr, uint64 size)
{
  __tsan_write_range(addr, size);
}

#else

static inline void kcsaninit(void) {}
static inline void kcsan_check_read(const void *addr, uint64 size) {}
static inline void kcsan_check_write(void *addr, uint64 size) {}

#endif
