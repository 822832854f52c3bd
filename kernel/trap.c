// Traps: system calls, exceptions and device interrupts, from user space
// (via trampoline.S) and from the kernel itself (via kernelvec.S).

#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "defs.h"

// Timer ticks since boot; hart 0 counts them. tickslock protects ticks, and
// sleepers waiting for ticks to change sleep on &ticks under it.
uint ticks;
struct spinlock tickslock;

extern char trampoline[], uservec[], userret[];   // trampoline.S
void kernelvec(void);                              // kernelvec.S

// scause values. Interrupts have the top bit set.
#define SCAUSE_INTR           (1UL << 63)
#define SCAUSE_TIMER          (SCAUSE_INTR | 5)
#define SCAUSE_EXTERNAL       (SCAUSE_INTR | 9)
#define SCAUSE_ECALL_FROM_U   8

// The time CSR counts at 10 MHz on QEMU's virt machine.
#define TIMEBASE_HZ 10000000

// Time base ticks per timer interrupt: a tenth of a second.
#define TICK_INTERVAL (TIMEBASE_HZ / 10)

// What devintr() found.
enum intrkind { INTR_NONE, INTR_DEVICE, INTR_TIMER };

void usertrap(void);

void
trapinit(void)
{
  initlock(&tickslock, "time");
}

// While in the kernel, traps go to kernelvec.
void
trapinithart(void)
{
  w_stvec((uint64)kernelvec);
}

// Nanoseconds since boot, to the resolution of the time CSR (100 ns).
uint64
nsecs(void)
{
  return r_time() * (1000000000 / TIMEBASE_HZ);
}

static void
clockintr(void)
{
  // One hart keeps time, so ticks advance at the tick rate however many
  // harts there are.
  if(cpuid() == 0){
    acquire(&tickslock);
    ticks++;
    wakeup(&ticks);
    release(&tickslock);
  }
  w_stimecmp(r_time() + TICK_INTERVAL);
}

// Handle the trap if it is an interrupt we know.
static enum intrkind
devintr(void)
{
  uint64 scause = r_scause();

  if(scause == SCAUSE_TIMER){
    clockintr();
    return INTR_TIMER;
  }
  if(scause == SCAUSE_EXTERNAL){
    int irq = plic_claim();
    if(irq == UART0_IRQ)
      uartintr();
    else if(irq == VIRTIO0_IRQ)
      virtio_disk_intr();
    else if(irq != 0)
      printf("devintr: unexpected irq %d\n", irq);
    // 0 means another hart claimed it first.
    if(irq != 0)
      plic_complete(irq);
    return INTR_DEVICE;
  }
  return INTR_NONE;
}

// Entered from uservec in trampoline.S, on the process's kernel stack with
// the kernel page table, for every trap out of user mode.
void
usertrap(void)
{
  struct proc *p = myproc();
  enum intrkind kind = INTR_NONE;

  if(r_sstatus() & SSTATUS_SPP)
    panic("usertrap: not from user mode");

  // From now on traps are the kernel's own.
  w_stvec((uint64)kernelvec);

  // A timer interrupt may switch to another process, which changes sepc.
  p->trapframe->epc = r_sepc();

  if(r_scause() == SCAUSE_ECALL_FROM_U){
    if(killed(p))
      exit(-1);
    // Return to the instruction after the ecall.
    p->trapframe->epc += 4;
    // sepc, scause and sstatus are saved or used up, so interrupts may
    // come in during a system call that takes long.
    intr_on();
    syscall();
  } else if((kind = devintr()) == INTR_NONE){
    printf("usertrap(): unexpected scause 0x%llx pid=%d sepc=0x%llx stval=0x%llx\n",
           r_scause(), p->pid, r_sepc(), r_stval());
    setkilled(p);
  }

  if(killed(p))
    exit(-1);

  if(kind == INTR_TIMER)
    yield();

  usertrapret();
}

// Return to user space through userret in trampoline.S.
void
usertrapret(void)
{
  struct proc *p = myproc();

  lockhook_userret();

  // stvec is about to point at uservec, which expects a trap from user
  // mode; a kernel trap landing there before sret would be a disaster.
  intr_off();
  w_stvec(TRAMPOLINE + (uservec - trampoline));

  // What uservec needs for the next trap into the kernel.
  p->trapframe->kernel_satp = r_satp();
  p->trapframe->kernel_sp = p->kstack + PGSIZE;
  p->trapframe->kernel_trap = (uint64)usertrap;
  p->trapframe->kernel_hartid = r_tp();

  // sret goes to user mode, with interrupts on there.
  uint64 sstatus = r_sstatus();
  sstatus &= ~SSTATUS_SPP;
  sstatus |= SSTATUS_SPIE;
  w_sstatus(sstatus);
  w_sepc(p->trapframe->epc);

  void (*enter_user)(uint64 satp) =
    (void (*)(uint64))(TRAMPOLINE + (userret - trampoline));
  enter_user(MAKE_SATP(p->pagetable));
}

// Entered from kernelvec for traps while in the kernel, on whatever kernel
// stack was in use.
void
kerneltrap(void)
{
  // yield() may run other code that takes traps and overwrites these.
  uint64 sepc = r_sepc();
  uint64 sstatus = r_sstatus();
  uint64 scause = r_scause();

  if((sstatus & SSTATUS_SPP) == 0)
    panic("kerneltrap: not from supervisor mode");
  if(intr_get())
    panic("kerneltrap: interrupts enabled");

  // The handler borrows the interrupted code's stack and process, but not
  // the locks it holds.
  lockhook_intr(1);
  enum intrkind kind = devintr();
  lockhook_intr(0);
  if(kind == INTR_NONE){
    printf("kerneltrap: scause 0x%llx sepc 0x%llx stval 0x%llx\n", scause, sepc, r_stval());
    panic("kerneltrap");
  }

  // A process's kernel code gives up the CPU at the end of its time slice
  // too; the scheduler's own loop (no process) just carries on.
  if(kind == INTR_TIMER && myproc() != 0)
    yield();

  w_sepc(sepc);
  w_sstatus(sstatus);
}
