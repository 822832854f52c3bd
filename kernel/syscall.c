// System call dispatch, and fetching system call arguments from user space.

#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "syscall.h"
#include "defs.h"

// Fetch the 8-byte word at user address addr into *ip. Returns 0, or -1 if
// it is not entirely inside the process's memory.
int
fetchaddr(uint64 addr, uint64 *ip)
{
  struct proc *p = myproc();

  // The first test keeps the second from wrapping around.
  if(addr >= p->sz || p->sz - addr < sizeof(uint64))
    return -1;
  return copyin(p->pagetable, (char *)ip, addr, sizeof(*ip));
}

// Fetch the NUL-terminated string at user address addr into buf, which
// holds max bytes. Returns its length, or -1 if it does not fit or is not
// inside the process's memory.
int
fetchstr(uint64 addr, char *buf, int max)
{
  struct proc *p = myproc();

  if(max <= 0 || addr >= p->sz)
    return -1;
  uint64 limit = p->sz - addr;
  if(limit > max)
    limit = max;
  if(copyinstr(p->pagetable, buf, addr, limit) != 0)
    return -1;
  return strlen(buf);
}

// The raw value of system call argument n (0..5), passed in a0..a5.
static uint64
argraw(int n)
{
  struct trapframe *tf = myproc()->trapframe;

  switch(n){
  case 0: return tf->a0;
  case 1: return tf->a1;
  case 2: return tf->a2;
  case 3: return tf->a3;
  case 4: return tf->a4;
  case 5: return tf->a5;
  }
  panic("argraw");
}

// Argument n as an int. Any value is possible; the handler validates it.
void
argint(int n, int *ip)
{
  *ip = argraw(n);
}

// Argument n as a user address. It is not checked here: copyin/copyout
// check it when it is used.
void
argaddr(int n, uint64 *ip)
{
  *ip = argraw(n);
}

// Argument n as a user string, copied into buf of max bytes. Returns its
// length, or -1.
int
argstr(int n, char *buf, int max)
{
  uint64 addr;

  argaddr(n, &addr);
  return fetchstr(addr, buf, max);
}

// proc-related calls, in sysproc.c.
extern uint64 sys_fork(void);
extern uint64 sys_exit(void);
extern uint64 sys_wait(void);
extern uint64 sys_kill(void);
extern uint64 sys_exec(void);
extern uint64 sys_getpid(void);
extern uint64 sys_sbrk(void);
extern uint64 sys_sleep(void);
extern uint64 sys_uptime(void);
extern uint64 sys_cpupin(void);

// File-related calls, in sysfile.c.
extern uint64 sys_pipe(void);
extern uint64 sys_read(void);
extern uint64 sys_fstat(void);
extern uint64 sys_chdir(void);
extern uint64 sys_dup(void);
extern uint64 sys_open(void);
extern uint64 sys_write(void);
extern uint64 sys_mknod(void);
extern uint64 sys_unlink(void);
extern uint64 sys_link(void);
extern uint64 sys_mkdir(void);
extern uint64 sys_close(void);

// The read-write lock self-test, in rwlktest.c.
extern uint64 sys_rwlktest(void);

// Handlers by system call number; numbers without a handler are 0.
static uint64 (*syscalls[])(void) = {
  [SYS_fork]   sys_fork,
  [SYS_exit]   sys_exit,
  [SYS_wait]   sys_wait,
  [SYS_pipe]   sys_pipe,
  [SYS_read]   sys_read,
  [SYS_kill]   sys_kill,
  [SYS_exec]   sys_exec,
  [SYS_fstat]  sys_fstat,
  [SYS_chdir]  sys_chdir,
  [SYS_dup]    sys_dup,
  [SYS_getpid] sys_getpid,
  [SYS_sbrk]   sys_sbrk,
  [SYS_sleep]  sys_sleep,
  [SYS_uptime] sys_uptime,
  [SYS_open]   sys_open,
  [SYS_write]  sys_write,
  [SYS_mknod]  sys_mknod,
  [SYS_unlink] sys_unlink,
  [SYS_link]   sys_link,
  [SYS_mkdir]  sys_mkdir,
  [SYS_close]  sys_close,
  [SYS_rwlktest] sys_rwlktest,
  [SYS_cpupin] sys_cpupin,
};

// Run the system call whose number the process put in a7; its result goes
// back to the process in a0.
void
syscall(void)
{
  struct proc *p = myproc();
  uint64 num = p->trapframe->a7;

  if(num < NELEM(syscalls) && syscalls[num] != 0){
    p->trapframe->a0 = syscalls[num]();
  } else {
    printf("%d %s: unknown sys call %lld\n", p->pid, p->name, (long long)num);
    p->trapframe->a0 = -1;
  }
}
