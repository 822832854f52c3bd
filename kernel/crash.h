// Power cuts for the crash test: a kernel built with make CRASH=1 stops the
// machine right after a chosen disk write (kernel/crash.c explains how it
// is told which). In the default kernel these hooks are empty, and the
// compiler leaves nothing of them.

#ifdef CRASH
void crash_init(uint dev);
uint crash_write_bytes(void);
void crash_wrote(struct buf *b);
#else
static inline void crash_init(uint dev) {}
static inline uint crash_write_bytes(void) { return BSIZE; }
static inline void crash_wrote(struct buf *b) {}
#endif
