// The tick counter with a single spinlock, which every reader takes: the
// baseline of ticks.c (TICKS=spin), kept to measure what the read-write
// spinlock changes.

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "defs.h"

// tickslock protects ticks, and sleepers waiting for ticks to change sleep
// on &ticks under it.
static uint ticks;
static struct spinlock tickslock;

void
ticksinit(void)
{
  initlock(&tickslock, "time");
}

// One more tick (hart 0's clock interrupt).
void
tick(void)
{
  acquire(&tickslock);
  ticks++;
  wakeup(&ticks);
  release(&tickslock);
}

// Ticks since boot.
uint
uptime(void)
{
  acquire(&tickslock);
  uint t = ticks;
  release(&tickslock);
  return t;
}

// Sleep for n ticks. Returns 0, or -1 if the process was killed meanwhile.
int
ticksleep(uint n)
{
  acquire(&tickslock);
  uint start = ticks;
  // Unsigned subtraction stays right when ticks wraps around.
  while(ticks - start < n){
    if(killed(myproc())){
      release(&tickslock);
      return -1;
    }
    sleep(&ticks, &tickslock);
  }
  release(&tickslock);
  return 0;
}
