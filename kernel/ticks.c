// The tick counter: timer ticks since boot, counted by hart 0's clock
// interrupt and read by uptime() and sleep(). Readers far outnumber the
// one writer (ten ticks a second), so a read-write spinlock protects the
// count and readers never wait for each other. (ticks_spin.c, TICKS=spin,
// is the single-spinlock version, for comparison.)

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "defs.h"

// ticklock protects ticks. Sleepers need a spinlock to sleep on (sleep()
// releases it atomically with going to sleep), but readers should not take
// one: tickwait is that lock, taken only by processes about to sleep and by
// the clock to wake them. A sleeper reads ticks under tickwait, and the
// clock wakes sleepers under tickwait after changing ticks, so no wakeup
// is missed. Lock order: tickwait, then ticklock.
static uint ticks;
static struct rwspinlock ticklock;
static struct spinlock tickwait;

void
ticksinit(void)
{
  initrwlock(&ticklock, "time");
  initlock(&tickwait, "tickwait");
}

// One more tick (hart 0's clock interrupt).
void
tick(void)
{
  write_acquire(&ticklock);
  ticks++;
  write_release(&ticklock);

  acquire(&tickwait);
  wakeup(&ticks);
  release(&tickwait);
}

// Ticks since boot.
uint
uptime(void)
{
  read_acquire(&ticklock);
  uint t = ticks;
  read_release(&ticklock);
  return t;
}

// Sleep for n ticks. Returns 0, or -1 if the process was killed meanwhile.
int
ticksleep(uint n)
{
  uint start = uptime();

  acquire(&tickwait);
  // Unsigned subtraction stays right when ticks wraps around.
  while(uptime() - start < n){
    if(killed(myproc())){
      release(&tickwait);
      return -1;
    }
    sleep(&ticks, &tickwait);
  }
  release(&tickwait);
  return 0;
}
