// The host-side test harness's view of the shim (shim.c), which stands in
// for the parts of the kernel that kernel/kalloc.c, bio.c and log.c call.
// Test threads act as CPUs: each calls shim_setcpu() before using the kernel code.
#include <stdint.h>

// Make the calling thread CPU `id` (0 <= id < NCPU).
void shim_setcpu(int id);

// The RAM disk behind virtio_disk_rw(): nblocks blocks of BSIZE bytes.
void shim_disk_init(int nblocks);
unsigned char *shim_disk_block(int blockno);
uint64_t shim_disk_reads(int blockno);   // reads of this block from the disk so far
uint64_t shim_disk_ios(void);            // reads and writes of all blocks so far
int shim_disk_nbufs(void);               // distinct struct bufs the disk has seen

// tot= of the kernel's lock statistics report: failed test-and-set attempts
// on the kmem and bcache locks. Call it while no other thread runs kernel code.
uint64_t shim_lock_tot(void);

// Timed tests: the main thread calls shim_timed_init() before it starts
// the test threads and shim_stop_after() once they run; that returns after
// secs seconds, and from then on shim_stopped() is true in every thread.
// Contention is measured once the threads have warmed up (taken their
// first pages or blocks, which may mean meeting other threads): each test
// thread calls shim_warmed() then, and waits there for the others;
// shim_timed_tot() is the growth of tot= since.
void shim_timed_init(int nthreads);
void shim_stop_after(double secs);
int shim_stopped(void);
void shim_warmed(void);
uint64_t shim_timed_tot(void);

// Print "FAIL: what (a, b)" and abort.
void shim_fail(const char *what, long a, long b) __attribute__((noreturn));

// The next number from a xorshift generator whose state (not 0) is *state.
unsigned long long shim_rand(unsigned long long *state);   // the kernel's uint64
