// The lock-order checker (lockdep.c), in kernels built with make LOCKDEP=1.
// In other kernels these calls are empty and compile to nothing.
//
// The lock code reaches it through lockhook (lockhook.h, lockhook.c); the
// rest of the kernel calls only lockdep_nest(), to declare a nesting:
//
// Two locks of one class held at once look like a deadlock waiting to
// happen (two CPUs taking them in opposite orders), and the checker reports
// them, unless the outer one says that locks of its class may nest inside
// it on purpose, in that order only:
//
//   struct buf *ind = bread(dev, blockno);
//   lockdep_nest(&ind->lock.info);   // balloc's buffers nest inside ind
//
// Locks of that class taken while it is held are then one depth deeper
// (up to LOCKDEP_DEPTH), and their order is checked as that of another
// class. The declaration lasts until the outer lock is released.

struct lockattempt;
struct lockinfo;

#ifdef LOCKDEP
void lockdep_acquire(struct lockattempt *a);
void lockdep_acquired(struct lockattempt *a);
void lockdep_release(struct lockinfo *lk, int shared);
void lockdep_sleep(struct lockinfo *lk);
void lockdep_userret(void);
void lockdep_intr(int in);
void lockdep_nest(struct lockinfo *outer);
void lockdepinit(void);
#else
static inline void lockdep_acquire(struct lockattempt *a) {}
static inline void lockdep_acquired(struct lockattempt *a) {}
static inline void lockdep_release(struct lockinfo *lk, int shared) {}
static inline void lockdep_sleep(struct lockinfo *lk) {}
static inline void lockdep_userret(void) {}
static inline void lockdep_intr(int in) {}
static inline void lockdep_nest(struct lockinfo *outer) {}
static inline void lockdepinit(void) {}
#endif
