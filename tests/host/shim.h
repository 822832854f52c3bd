// The host-side test harness's view of the shim (shim.c), which stands in
// for the parts of the kernel that kernel/kalloc.c and kernel/bio.c call.
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

// Spinlock statistics gathered by the shim's spinlocks, summed over every
// lock whose name starts with prefix.
uint64_t shim_lock_spins(const char *prefix);
uint64_t shim_lock_acquires(const char *prefix);
