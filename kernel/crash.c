// Power cuts at a chosen disk write, for the crash test (make CRASH=1;
// tools/crashtest.py drives it, docs/crash.md explains the test).
//
// The test harness writes a plan into block 0 of the image, which the file
// system never uses: cut the power right after the disk write numbered cut
// (counting from 1 at boot) completes, and with torn set let only the
// first 512-byte sector of that write reach the disk. The image then holds
// exactly the writes before it, and the whole or the first half of it.
// A plan with cut 0 cuts nothing but prints every write, so the harness
// can count a workload's writes. Without a plan the kernel runs as usual.
//
// The log is the only writer (log.c), and writes one block at a time: the
// committing process waits for each write before it issues the next, and
// so does recovery at boot. So the N-th write issued is also the N-th to
// complete, and no other write is in flight when the power goes.

#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "fs.h"
#include "buf.h"
#include "defs.h"
#include "crash.h"

#define SECTOR 512

// Block 0 as the harness writes it; integers are little-endian, like the
// rest of the disk.
struct crashplan {
  char magic[8];    // PLAN_MAGIC, or this is no plan
  uint cut;         // the write after which the power goes, or 0
  uint torn;        // the cut write reaches the disk only in its first sector
};
#define PLAN_MAGIC "crashcut"

// plan is written once by crash_init, before the first disk write. issued
// is changed only under the disk driver's lock, held around
// crash_write_bytes; done only by the disk's interrupt handler, which runs
// on one hart at a time (see virtio_disk.c).
static struct crashplan plan;
static int planned;       // block 0 held a plan
static uint issued;       // writes handed to the disk so far
static uint done;         // writes the disk has completed

static void poweroff(void) __attribute__((noreturn));

// Read the plan. Called at boot, before anything is written.
void
crash_init(uint dev)
{
  struct buf *b = bread(dev, 0);

  memmove(&plan, b->data, sizeof(plan));
  brelse(b);
  planned = memcmp(plan.magic, PLAN_MAGIC, sizeof(plan.magic)) == 0;
  if(planned && plan.cut == 0)
    printf("crash: counting writes\n");
  else if(planned)
    printf("crash: cut after write %d%s\n", plan.cut, plan.torn ? ", torn" : "");
}

// How many bytes of the write being issued go to the disk.
uint
crash_write_bytes(void)
{
  issued++;
  if(planned && plan.cut == issued && plan.torn)
    return SECTOR;
  return BSIZE;
}

// A write of b has completed: at the planned one, stop the machine.
void
crash_wrote(struct buf *b)
{
  done++;
  if(!planned)
    return;
  if(plan.cut == 0){
    printf("crash: write %d block %d\n", done, b->blockno);
  } else if(plan.cut == done){
    printf("crash: power cut after write %d block %d\n", done, b->blockno);
    poweroff();
  }
}

// Write the power-off code to QEMU's test device, which ends QEMU. The
// device is not in the kernel page table (nothing else uses it), so turn
// paging off first: execution goes on, since the kernel's text is mapped
// at its own physical address, but the stack is not, so all of it is one
// asm statement. The other harts run on only until QEMU stops, and cannot
// write to the disk: the only writer is waiting for this write.
static void
poweroff(void)
{
  asm volatile("csrw satp, zero\n"
               "sfence.vma zero, zero\n"
               "sw %1, 0(%0)\n"
               "1: j 1b\n"
               : : "r" (FINISHER), "r" (FINISHER_POWEROFF) : "memory");
  __builtin_unreachable();
}
