// Supervisor-mode kernel start, reached by mret from start().
// Hart 0 sets up every subsystem; the others wait for it and then only
// set up their own per-hart state.

#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "kcsan.h"
#include "defs.h"
#include "lockdep.h"

// Set by hart 0 once the shared kernel state is ready. Written once, read by
// the other harts with barriers on both sides, so it needs no lock.
static volatile int started = 0;

// Harts running the kernel, counted as each one starts: once all have,
// the CPUs are numbered 0 to ncpu-1. Only ever incremented, atomically.
int ncpu;

void
main(void)
{
  if(cpuid() == 0){
    consoleinit();
    printfinit();
    kcsaninit();        // the race detector, in make KCSAN=1 (it reports with printf)
    printf("\nxv6 kernel (locks) is booting\n\n");
    kinit();            // physical page allocator
    kvminit();          // kernel page table
    kvminithart();      // paging on
    procinit();         // process table
    ticksinit();        // the tick counter
    trapinithart();     // trap vectors
    plicinit();         // interrupt controller
    plicinithart();
    binit();            // buffer cache
    iinit();            // inode table
    fileinit();         // file table
    virtio_disk_init(); // the disk
    statsinit();        // the statistics device
    lockprofinit();     // the lock profiler's device
    lockdepinit();      // the lock-order checker's device (make LOCKDEP=1)
    rwlktestinit();     // the read-write lock self-test
    userinit();         // the first user process
    printf("hart 0 starting\n");
    // Everything hart 0 wrote above must be visible before the flag is.
    __sync_synchronize();
    started = 1;
  } else {
    while(started == 0)
      ;
    // And nothing below may be read before the flag was seen set.
    __sync_synchronize();
    printf("hart %d starting\n", cpuid());
    kvminithart();
    trapinithart();
    plicinithart();
  }

  __atomic_add_fetch(&ncpu, 1, __ATOMIC_RELAXED);
  scheduler();
}
