// System calls about processes and time.

#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "defs.h"

uint64
sys_exit(void)
{
  int status;

  argint(0, &status);
  exit(status);
}

uint64
sys_getpid(void)
{
  return myproc()->pid;
}

uint64
sys_fork(void)
{
  return fork();
}

uint64
sys_wait(void)
{
  uint64 status;

  argaddr(0, &status);
  return wait(status);
}

// sbrk(n): grow or shrink memory by n bytes; returns the old break.
uint64
sys_sbrk(void)
{
  int n;

  argint(0, &n);
  uint64 oldsz = myproc()->sz;
  if(growproc(n) != 0)
    return -1;
  return oldsz;
}

// sleep(n): wait n timer ticks; a negative n does not wait.
uint64
sys_sleep(void)
{
  int n;

  argint(0, &n);
  if(n < 0)
    n = 0;
  return ticksleep(n);
}

uint64
sys_kill(void)
{
  int pid;

  argint(0, &pid);
  return kill(pid);
}

// Ticks since boot.
uint64
sys_uptime(void)
{
  return uptime();
}

// cpupin(cpu): run only on CPU cpu from now on; -1 lets it run anywhere.
uint64
sys_cpupin(void)
{
  int cpu;

  argint(0, &cpu);
  return cpupin(cpu);
}

// exec(path, argv): argv is a user array of at most MAXARG string
// pointers, ended by a null pointer.
uint64
sys_exec(void)
{
  char path[MAXPATH];
  char *argv[MAXARG + 1];   // the strings, each in its own page, then 0
  uint64 uargv, uarg;
  int ret = -1;

  memset(argv, 0, sizeof(argv));
  argaddr(1, &uargv);
  if(argstr(0, path, MAXPATH) < 0)
    return -1;

  for(int i = 0; ; i++){
    if(fetchaddr(uargv + i * sizeof(uint64), &uarg) != 0)
      goto out;
    if(uarg == 0)
      break;
    if(i == MAXARG)
      goto out;
    if((argv[i] = kalloc()) == 0)
      goto out;
    if(fetchstr(uarg, argv[i], PGSIZE) < 0)
      goto out;
  }
  ret = exec(path, argv);

out:
  for(int i = 0; argv[i] != 0; i++)
    kfree(argv[i]);
  return ret;
}
