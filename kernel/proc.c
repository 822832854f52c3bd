// Processes: creation, exit and wait, scheduling, sleep and wakeup.
//
// The steps taken without p->lock rest on these invariants:
//
// 1. Only a process itself enters SLEEPING, holding its p->lock from
//    before it marks itself SLEEPING until its hart has switched away
//    (sleep, sleep_while_set). Others move it out of SLEEPING only with
//    wake() (for wakeup and kill): a compare-and-swap to RUNNABLE, without
//    the lock. Every other change of state holds p->lock, and a scheduler
//    runs a process only holding p->lock. So a wake that comes before the
//    sleeper has switched out cannot get it run twice.
// 2. sleep() marks the process SLEEPING on chan before it releases the
//    condition lock, and a waker changes the condition holding that lock:
//    so wakeup's look without p->lock sees every sleeper it must wake.
//    sleep_while_set, for a waker that holds no such lock, marks the
//    process SLEEPING, fences, then reads the flag, while clear_and_wakeup
//    clears the flag, fences, then looks: one of them sees the other.
// 3. A wakeup may come late and wake a process asleep on another chan;
//    sleep() may return for nothing (kill does that too), so every caller
//    checks its condition again in a loop.
//
// usertests (sleep locks, pipes, wait, kill) and every disk read depend on
// 1 and 2: a lost wakeup leaves a process asleep for good, and the test
// driver's timeout fails the session.

#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "kcsan.h"
#include "defs.h"

// Per-CPU state; see struct cpu for why it needs no lock.
struct cpu cpus[NCPU];

// The process table. Each entry's fields are protected as struct proc says:
// p->lock for the scheduling state, wait_lock for p->parent.
//
// Lock order: wait_lock, then any one p->lock. Locks that sleep() is given
// (tickslock, a pipe's lock, ...) also come before p->lock, since sleep()
// takes p->lock while holding them (wakeup() takes no p->lock). No code
// holds two p->locks at once.
static struct proc proc[NPROC];

// The first process, the parent of every orphan. Set once by userinit.
static struct proc *initproc;

// The next pid to hand out, protected by pid_lock.
static int nextpid = 1;
static struct spinlock pid_lock;

// Serialises wait() against exit() so a parent cannot miss a child's exit:
// protects every p->parent, and wait() sleeps on it.
static struct spinlock wait_lock;

extern char trampoline[];                   // trampoline.S
extern uchar initcode[], initcode_end[];    // initcode.S

static void forkret(void);
static int runs_on(struct proc *p, int cpu);
static void wake(struct proc *p);

// Map a kernel stack for every process slot, while the kernel page table
// is being built. Each has an unmapped guard page below it (see KSTACK).
void
proc_mapstacks(pagetable_t kpt)
{
  for(int i = 0; i < NPROC; i++){
    char *pa = kalloc();
    if(pa == 0)
      panic("proc_mapstacks: out of memory");
    kvmmap(kpt, KSTACK(i), (uint64)pa, PGSIZE, PTE_R | PTE_W);
  }
}

void
procinit(void)
{
  initlock(&pid_lock, "nextpid");
  initlock(&wait_lock, "wait_lock");
  for(int i = 0; i < NPROC; i++){
    initlock(&proc[i].lock, "proc");
    proc[i].state = UNUSED;
    proc[i].kstack = KSTACK(i);
  }
}

// The hart we run on. The caller must keep interrupts off, or it may be
// moved to another hart and the answer be stale.
int
cpuid(void)
{
  return r_tp();
}

// This hart's struct cpu. Interrupts must be off (see cpuid).
struct cpu *
mycpu(void)
{
  return &cpus[cpuid()];
}

// push_off/pop_off turn interrupts off and back on, nesting: interrupts come
// back on only at the outermost pop_off, and only if they were on at the
// outermost push_off. Spinlocks use them, since an interrupt handler that
// wanted a lock its CPU holds would wait forever.
// The race detector (make KCSAN=1) leaves both alone, as it does the rest
// of the lock code: acquire and release call them also while printf holds
// its lock, and a report begun there would wait for that lock forever.
// They touch only their own CPU's struct cpu.
kcsan_notrace void
push_off(void)
{
  int wason = intr_get();

  intr_off();
  struct cpu *c = mycpu();
  if(c->noff == 0)
    c->intena = wason;
  c->noff++;
}

kcsan_notrace void
pop_off(void)
{
  struct cpu *c = mycpu();

  if(intr_get())
    panic("pop_off: interruptible");
  if(c->noff < 1)
    panic("pop_off");
  c->noff--;
  if(c->noff == 0 && c->intena)
    intr_on();
}

// Called in every busy-wait loop: the pause hint (Zihintpause) tells the
// CPU we are waiting, so that it can ease off; CPUs without the extension
// take it as a harmless fence. (The host tests' version lets another thread
// run.)
void
cpu_relax(void)
{
  asm volatile(".word 0x0100000f");   // pause
}

// The process running on this hart, or 0.
struct proc *
myproc(void)
{
  push_off();
  struct proc *p = mycpu()->proc;
  pop_off();
  return p;
}

// p->state and p->chan are accessed without p->lock too (see proc.h), so
// always atomically: the changes made holding p->lock and the one wake()
// makes without it would otherwise race.
static enum procstate
getstate(struct proc *p)
{
  return __atomic_load_n(&p->state, __ATOMIC_RELAXED);
}

static void
setstate(struct proc *p, enum procstate state)
{
  __atomic_store_n(&p->state, state, __ATOMIC_RELAXED);
}

static void
setchan(struct proc *p, void *chan)
{
  __atomic_store_n(&p->chan, chan, __ATOMIC_RELAXED);
}

static int
allocpid(void)
{
  acquire(&pid_lock);
  int pid = nextpid++;
  release(&pid_lock);
  return pid;
}

// A user page table with nothing but the trampoline and p's trapframe
// mapped, or 0 if out of memory.
pagetable_t
proc_pagetable(struct proc *p)
{
  pagetable_t pt = uvmcreate();

  if(pt == 0)
    return 0;
  // Only supervisor mode uses these two pages: no PTE_U.
  if(mappages(pt, TRAMPOLINE, PGSIZE, (uint64)trampoline, PTE_R | PTE_X) != 0){
    uvmfree(pt, 0);
    return 0;
  }
  if(mappages(pt, TRAPFRAME, PGSIZE, (uint64)p->trapframe, PTE_R | PTE_W) != 0){
    uvmunmap(pt, TRAMPOLINE, 1, 0);
    uvmfree(pt, 0);
    return 0;
  }
  return pt;
}

// Free a user page table and sz bytes of user memory. The trampoline and
// the trapframe are not the page table's to free.
void
proc_freepagetable(pagetable_t pt, uint64 sz)
{
  uvmunmap(pt, TRAMPOLINE, 1, 0);
  uvmunmap(pt, TRAPFRAME, 1, 0);
  uvmfree(pt, sz);
}

// A process's memory, taken from its slot by freeproc.
struct procmem {
  pagetable_t pagetable;
  uint64 sz;
  void *trapframe;
};

// Free the memory freeproc took. Holding no lock: freeing a large process
// page by page takes long (280 ms for usertests' largest), and wait() used
// to do it holding wait_lock, which every fork and exit needs.
static void
freemem(struct procmem m)
{
  if(m.pagetable)
    proc_freepagetable(m.pagetable, m.sz);
  if(m.trapframe)
    kfree(m.trapframe);
}

// Return p's slot, and its memory for the caller to free with freemem.
// Caller holds p->lock, and wait_lock too unless p never had a parent.
static struct procmem
freeproc(struct proc *p)
{
  struct procmem m = { p->pagetable, p->sz, p->trapframe };

  p->pagetable = 0;
  p->trapframe = 0;
  p->sz = 0;
  p->pid = 0;
  p->parent = 0;
  p->name[0] = 0;
  setchan(p, 0);
  p->killed = 0;
  p->xstate = 0;
  setstate(p, UNUSED);
  return m;
}

// Claim an unused slot and give it a pid, a trapframe and a page table, set
// up to start running in forkret. Returns it in state USED, unlocked: no
// one else touches a USED process, so the caller may fill it in without
// the lock and make it RUNNABLE under the lock. Returns 0 if there is no
// free slot or no memory.
static struct proc *
allocproc(void)
{
  struct proc *p;

  for(p = proc; p < &proc[NPROC]; p++){
    // Look before locking: most slots are in use, and their locks busy.
    if(getstate(p) != UNUSED)
      continue;
    acquire(&p->lock);
    if(getstate(p) == UNUSED)
      break;
    release(&p->lock);
  }
  if(p == &proc[NPROC])
    return 0;

  p->pid = allocpid();
  setstate(p, USED);
  p->pin = -1;
  if((p->trapframe = kalloc()) == 0 || (p->pagetable = proc_pagetable(p)) == 0){
    struct procmem m = freeproc(p);
    release(&p->lock);
    freemem(m);
    return 0;
  }
  memset(p->trapframe, 0, sizeof(*p->trapframe));

  // The first swtch to it "returns" into forkret on its own kernel stack.
  memset(&p->context, 0, sizeof(p->context));
  p->context.ra = (uint64)forkret;
  p->context.sp = p->kstack + PGSIZE;

  release(&p->lock);
  return p;
}

// Set up the first process, which runs initcode.
void
userinit(void)
{
  struct proc *p = allocproc();

  if(p == 0)
    panic("userinit: allocproc");
  initproc = p;

  uint sz = initcode_end - initcode;
  if(uvmfirst(p->pagetable, initcode, sz) != 0)
    panic("userinit: uvmfirst");
  p->sz = PGROUNDUP(sz);

  // Start at address 0, with the stack at the top of the program's memory.
  p->trapframe->epc = 0;
  p->trapframe->sp = p->sz;

  safestrcpy(p->name, "initcode", sizeof(p->name));
  p->cwd = namei("/");

  acquire(&p->lock);
  setstate(p, RUNNABLE);
  release(&p->lock);
}

// A new process's first code in the kernel, reached from scheduler() by
// swtch, still holding the p->lock that scheduler() took.
static void
forkret(void)
{
  // Only the first process can get here first: every other one is its
  // descendant, created after this has run. So the flag needs no lock.
  static int first = 1;

  release(&myproc()->lock);

  if(first){
    first = 0;
    // Reading the superblock and replaying the log sleep on the disk,
    // which needs a process; hence here and not in main().
    fsinit(ROOTDEV);
  }

  usertrapret();
}

// Grow (n > 0) or shrink (n < 0) user memory by n bytes. Returns 0, or -1
// with memory unchanged if out of memory, if it would reach the trapframe,
// or if it would shrink below 0.
int
growproc(int n)
{
  struct proc *p = myproc();
  uint64 sz = p->sz;

  if(n > 0){
    if((uint64)n > TRAPFRAME - sz || uvmalloc(p->pagetable, sz, sz + n, PTE_W) == 0)
      return -1;
    p->sz = sz + n;
  } else if(n < 0){
    uint64 shrink = -(long long)n;   // exact even for the most negative int
    if(shrink > sz)
      return -1;
    p->sz = uvmdealloc(p->pagetable, sz, sz - shrink);
  }
  return 0;
}

// Create a child that is a copy of this process. Returns the child's pid
// to the parent and 0 to the child, or -1 if there is no free slot or
// memory (and then nothing is left allocated).
int
fork(void)
{
  struct proc *p = myproc();
  struct proc *np = allocproc();

  if(np == 0)
    return -1;

  if(uvmcopy(p->pagetable, np->pagetable, p->sz) != 0){
    acquire(&np->lock);
    struct procmem m = freeproc(np);
    release(&np->lock);
    freemem(m);
    return -1;
  }
  np->sz = p->sz;

  // The child resumes from the same trap, seeing 0 as fork's result.
  *np->trapframe = *p->trapframe;
  np->trapframe->a0 = 0;

  for(int fd = 0; fd < NOFILE; fd++)
    if(p->ofile[fd])
      np->ofile[fd] = filedup(p->ofile[fd]);
  np->cwd = idup(p->cwd);
  safestrcpy(np->name, p->name, sizeof(np->name));
  np->pin = p->pin;
  int pid = np->pid;

  acquire(&wait_lock);
  np->parent = p;
  release(&wait_lock);

  acquire(&np->lock);
  setstate(np, RUNNABLE);
  release(&np->lock);

  return pid;
}

// Give p's children to init. Caller holds wait_lock.
static void
reparent(struct proc *p)
{
  int moved = 0;

  for(struct proc *pp = proc; pp < &proc[NPROC]; pp++){
    if(pp->parent == p){
      pp->parent = initproc;
      moved = 1;
    }
  }
  // Some of them may be zombies already, waiting to be reaped.
  if(moved)
    wakeup(initproc);
}

// Stop running this process. It stays a ZOMBIE until its parent's wait()
// collects the status.
void
exit(int status)
{
  struct proc *p = myproc();

  if(p == initproc)
    panic("init exiting");

  for(int fd = 0; fd < NOFILE; fd++){
    if(p->ofile[fd]){
      fileclose(p->ofile[fd]);
      p->ofile[fd] = 0;
    }
  }

  // Dropping the last reference to an inode may free it on disk.
  begin_op();
  iput(p->cwd);
  end_op();
  p->cwd = 0;

  acquire(&wait_lock);
  reparent(p);
  // The parent sleeps in wait() on its own proc.
  wakeup(p->parent);

  acquire(&p->lock);
  p->xstate = status;
  setstate(p, ZOMBIE);
  // Only now may wait() look: it needs wait_lock and then p->lock, and
  // finds a complete ZOMBIE, which stays off the CPU from here on.
  release(&wait_lock);

  sched();
  panic("zombie exit");
}

// Wait for a child to exit and return its pid, copying its exit status to
// user address addr unless addr is 0. Returns -1 if this process has no
// children, is killed while waiting, or addr is bad.
int
wait(uint64 addr)
{
  struct proc *p = myproc();

  acquire(&wait_lock);
  for(;;){
    int havekids = 0;

    for(struct proc *pp = proc; pp < &proc[NPROC]; pp++){
      if(pp->parent != p)
        continue;
      havekids = 1;
      acquire(&pp->lock);
      if(getstate(pp) == ZOMBIE){
        int pid = pp->pid;
        int ok = addr == 0 ||
          copyout(p->pagetable, addr, (char *)&pp->xstate, sizeof(pp->xstate)) == 0;
        // A bad addr leaves the child to be collected by a later wait.
        struct procmem m = {0};
        if(ok)
          m = freeproc(pp);
        release(&pp->lock);
        release(&wait_lock);
        freemem(m);
        return ok ? pid : -1;
      }
      release(&pp->lock);
    }

    if(!havekids || killed(p)){
      release(&wait_lock);
      return -1;
    }

    // exit() wakes us on our own proc, holding wait_lock, so the wakeup
    // cannot slip in between the scan and the sleep.
    sleep(p, &wait_lock);
  }
}

// Each hart runs this loop forever after boot: pick a RUNNABLE process,
// run it until it gives the CPU back, repeat.
void
scheduler(void)
{
  struct cpu *c = mycpu();
  int id = cpuid();   // a hart's scheduler never moves to another hart

  c->proc = 0;
  for(;;){
    int found = 0;
    int busy = 0;   // a runnable process was passed over because its lock was held

    // Take the interrupts that are pending: if every process is waiting
    // for a device, only the device's interrupt can make one runnable.
    // Then look with interrupts off, so that none can come between the
    // look and the wfi below: one that makes a process runnable after the
    // look would otherwise leave it waiting for the next timer tick while
    // this hart sleeps. wfi wakes up on a pending interrupt even with
    // interrupts off, and the next round takes it.
    intr_on();
    intr_off();

    for(struct proc *p = proc; p < &proc[NPROC]; p++){
      // Look before locking: most slots are not runnable, and taking every
      // process's lock on every pass makes idle harts fight busy ones for
      // them. A process made runnable just after this look is found on a
      // later pass; the check under the lock is the one that counts.
      if(getstate(p) != RUNNABLE || !runs_on(p, id))
        continue;
      // A runnable process whose lock is held is most often still
      // switching out on the hart that made it runnable (yield, or a
      // wakeup that came early), or another hart's scheduler has just
      // taken it: waiting for that hart could take a whole host time slice
      // under QEMU. Pass it over, and look again rather than sleep.
      if(!tryacquire(&p->lock)){
        busy = 1;
        continue;
      }
      if(getstate(p) == RUNNABLE && runs_on(p, id)){
        // The process releases p->lock (in forkret, or after its sched())
        // and takes it again before switching back here.
        setstate(p, RUNNING);
        c->proc = p;
        swtch(&c->context, &p->context);
        c->proc = 0;
        found = 1;
      }
      release(&p->lock);
    }

    // Nothing to do: sleep until an interrupt instead of spinning.
    if(!found && !busy)
      asm volatile("wfi");
  }
}

// Switch from the current process to this hart's scheduler. The caller
// holds p->lock (and no other lock) and has changed p->state.
void
sched(void)
{
  struct proc *p = myproc();

  if(!holding(&p->lock))
    panic("sched: p->lock not held");
  if(mycpu()->noff != 1)
    panic("sched: other locks held");
  if(getstate(p) == RUNNING)
    panic("sched: still running");
  if(intr_get())
    panic("sched: interruptible");

  // intena belongs to this kernel thread, not the hart: keep it across the
  // switch, since the thread may resume on another hart.
  int intena = mycpu()->intena;
  swtch(&p->context, &mycpu()->context);
  mycpu()->intena = intena;
}

// Let the calling process run only on CPU cpu from now on, or on any CPU
// if cpu is -1 (the cpupin system call; fork passes the pin on to the
// child). Returns 0, or -1 if there is no such CPU.
int
cpupin(int cpu)
{
  struct proc *p = myproc();

  if(cpu < -1 || cpu >= __atomic_load_n(&ncpu, __ATOMIC_RELAXED))
    return -1;
  acquire(&p->lock);
  __atomic_store_n(&p->pin, cpu, __ATOMIC_RELAXED);
  int move = cpu >= 0 && cpu != cpuid();
  release(&p->lock);
  // Only the scheduler of the CPU pinned to will pick it up again.
  if(move)
    yield();
  return 0;
}

// Give up the CPU for one scheduling round.
void
yield(void)
{
  struct proc *p = myproc();

  acquire(&p->lock);
  setstate(p, RUNNABLE);
  sched();
  release(&p->lock);
}

// Release lk and sleep on chan until woken; take lk again before returning.
void
sleep(void *chan, struct spinlock *lk)
{
  struct proc *p = myproc();

  lockhook_sleep(&lk->info);

  // Marked SLEEPING before lk is released: a waker changes our condition
  // holding lk, so its wakeup() sees us asleep. And we hold p->lock until
  // sched() is done with us, so that no hart runs us before we are off
  // this one, however early a wakeup makes us RUNNABLE.
  acquire(&p->lock);
  setchan(p, chan);
  setstate(p, SLEEPING);
  release(lk);

  sched();
  setchan(p, 0);

  release(&p->lock);
  acquire(lk);
}

// Wake every process sleeping on chan. The caller changed what the
// sleepers wait for holding the lock they passed to sleep(); it may call
// wakeup() holding that lock or after releasing it. Takes no lock (see
// wake), so a waker never waits for a sleeper still switching out.
void
wakeup(void *chan)
{
  struct proc *me = myproc();

  for(struct proc *p = proc; p < &proc[NPROC]; p++){
    // The caller is running, so it is not asleep on anything.
    if(p == me)
      continue;
    if(getstate(p) == SLEEPING && __atomic_load_n(&p->chan, __ATOMIC_RELAXED) == chan)
      wake(p);
  }
}

// Make p RUNNABLE if it is SLEEPING, without p->lock. While p is SLEEPING
// nothing else changes its state (only p itself goes to sleep, holding
// p->lock), and a scheduler runs p only holding p->lock, which sleep()
// keeps until p is switched out: so a wake that comes while p is still on
// its way out cannot get p run twice. Not taking p->lock matters: on
// every disk read the disk's interrupt wakes a process still switching
// out, and under QEMU waiting for that hart could take a host time slice.
//
// A wakeup may come late: p may have been woken and gone to sleep on
// another chan between wakeup's look and this compare-and-swap, and then
// wakes for nothing. sleep() may return for no reason anyway (kill does
// it too), so every caller checks its condition again in a loop.
static void
wake(struct proc *p)
{
  enum procstate sleeping = SLEEPING;

  __atomic_compare_exchange_n(&p->state, &sleeping, RUNNABLE, 0,
                              __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

// Sleep on chan until *flag is 0, for a waker that holds no lock we could
// sleep with (an interrupt handler that must not wait for us): it clears
// the flag with clear_and_wakeup. Either we see the flag clear, or the
// waker sees us SLEEPING: each side stores, then a full fence, then loads
// what the other stored. A wakeup for nothing (kill) just looks again.
void
sleep_while_set(void *chan, int *flag)
{
  struct proc *p = myproc();

  acquire(&p->lock);
  for(;;){
    setchan(p, chan);
    setstate(p, SLEEPING);
    __sync_synchronize();
    // An acquire: what the waker did before clearing the flag is seen.
    if(__atomic_load_n(flag, __ATOMIC_ACQUIRE) == 0)
      break;
    sched();
  }
  // Maybe woken meanwhile, but not run elsewhere: we hold p->lock.
  setstate(p, RUNNING);
  setchan(p, 0);
  release(&p->lock);
}

// Clear *flag and wake whoever sleeps on chan in sleep_while_set.
void
clear_and_wakeup(void *chan, int *flag)
{
  __atomic_store_n(flag, 0, __ATOMIC_RELEASE);
  __sync_synchronize();
  wakeup(chan);
}

// Mark the process with this pid to be killed; it exits the next time it
// is about to return to user space, or when a sleep it is in checks
// killed(). Returns 0, or -1 if there is no such process.
int
kill(int pid)
{
  for(struct proc *p = proc; p < &proc[NPROC]; p++){
    acquire(&p->lock);
    if(p->pid == pid && getstate(p) != UNUSED){
      setkilled(p);
      // Get it out of sleep() so that it notices.
      wake(p);
      release(&p->lock);
      return 0;
    }
    release(&p->lock);
  }
  return -1;
}

// killed is a flag that goes from 0 to 1 once in a process's life (freeproc
// clears it for the next one), so it is set and read with single atomic
// accesses, without p->lock: every system call and trap reads it, and
// taking the lock there made processes on other CPUs wait (the scheduler
// and wakeup take p->lock too).
void
setkilled(struct proc *p)
{
  __atomic_store_n(&p->killed, 1, __ATOMIC_RELAXED);
}

int
killed(struct proc *p)
{
  return __atomic_load_n(&p->killed, __ATOMIC_RELAXED);
}

// Copy len bytes to dst, a user address of the current process if
// user_dst is set, else a kernel address. Returns 0, or -1 on a bad
// user address.
int
either_copyout(int user_dst, uint64 dst, void *src, uint64 len)
{
  if(user_dst)
    return copyout(myproc()->pagetable, dst, src, len);
  memmove((void *)dst, src, len);
  return 0;
}

// Copy len bytes from src, a user address of the current process if
// user_src is set, else a kernel address.
int
either_copyin(void *dst, int user_src, uint64 src, uint64 len)
{
  if(user_src)
    return copyin(myproc()->pagetable, dst, src, len);
  memmove(dst, (void *)src, len);
  return 0;
}

// List the processes on the console (^P). It takes no locks, so that it
// works even when the kernel is wedged on one; what it prints may be a
// little inconsistent.
void
procdump(void)
{
  static char *statename[] = {
    [UNUSED]   "unused",
    [USED]     "used",
    [SLEEPING] "sleep",
    [RUNNABLE] "runble",
    [RUNNING]  "run",
    [ZOMBIE]   "zombie",
  };

  printf("\n");
  for(struct proc *p = proc; p < &proc[NPROC]; p++){
    enum procstate s = data_race(p->state);
    if(s == UNUSED)
      continue;
    char *state = (s >= 0 && s < NELEM(statename) && statename[s]) ? statename[s] : "???";
    printf("%d %s %s\n", data_race(p->pid), state, p->name);
  }
}

// May p run on CPU cpu? The scheduler's first look reads p->pin without
// p->lock, as it reads p->state.
static int
runs_on(struct proc *p, int cpu)
{
  int pin = __atomic_load_n(&p->pin, __ATOMIC_RELAXED);

  return pin < 0 || pin == cpu;
}
