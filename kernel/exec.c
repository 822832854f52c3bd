// exec(): replace the current process's memory with a program from an
// ELF file.

#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "sleeplock.h"
#include "fs.h"
#include "file.h"
#include "elf.h"
#include "defs.h"

// Page table permissions for an ELF segment's flags. Every segment is
// readable; uvmalloc adds PTE_R and PTE_U itself.
static int
segperm(uint32 flags)
{
  int perm = 0;

  if(flags & ELF_PROG_FLAG_EXEC)
    perm |= PTE_X;
  if(flags & ELF_PROG_FLAG_WRITE)
    perm |= PTE_W;
  return perm;
}

// Read n bytes at file offset off of ip into user memory at the page-aligned
// address va, which is mapped already. Returns 0 or -1.
static int
loadseg(pagetable_t pt, uint64 va, struct inode *ip, uint off, uint n)
{
  for(uint done = 0; done < n; done += PGSIZE){
    uint64 pa = walkaddr(pt, va + done);
    if(pa == 0)
      return -1;
    uint chunk = n - done < PGSIZE ? n - done : PGSIZE;
    if(readi(ip, 0, pa, off + done, chunk) != chunk)
      return -1;
  }
  return 0;
}

// Check a loadable segment against the file and the address space.
static int
segment_ok(struct proghdr *ph, struct inode *ip)
{
  if(ph->memsz < ph->filesz)
    return 0;
  if(ph->vaddr + ph->memsz < ph->vaddr)   // wraps around
    return 0;
  if(ph->vaddr % PGSIZE != 0)
    return 0;
  // The file bytes must exist; this also keeps offsets within a uint.
  if(ph->filesz > ip->size || ph->off > ip->size - ph->filesz)
    return 0;
  return 1;
}

// Build the initial user stack in the top USERSTACK pages below sp: the
// argument strings, then the argv array pointing at them, sp kept 16-byte
// aligned as the RISC-V ABI wants. Returns the final sp (which is argv),
// or 0 if the arguments do not fit.
static uint64
pushargs(pagetable_t pt, uint64 sp, char **argv, int *argcp)
{
  uint64 stackbase = sp - USERSTACK * PGSIZE;
  uint64 ustack[MAXARG + 1];
  int argc;

  for(argc = 0; argv[argc]; argc++){
    if(argc >= MAXARG)
      return 0;
    uint64 len = strlen(argv[argc]) + 1;
    if(len > sp - stackbase)
      return 0;
    sp -= len;
    sp -= sp % 16;
    if(sp < stackbase || copyout(pt, sp, argv[argc], len) != 0)
      return 0;
    ustack[argc] = sp;
  }
  ustack[argc] = 0;

  uint64 size = (argc + 1) * sizeof(uint64);
  if(size > sp - stackbase)
    return 0;
  sp -= size;
  sp -= sp % 16;
  if(sp < stackbase || copyout(pt, sp, (char *)ustack, size) != 0)
    return 0;

  *argcp = argc;
  return sp;
}

// Run the program in file path with the given arguments (a 0-terminated
// array). Returns argc, which becomes the new program's a0, or -1 with the
// calling process unchanged.
int
exec(char *path, char **argv)
{
  struct proc *p = myproc();
  struct elfhdr elf;
  struct proghdr ph;
  struct inode *ip;
  pagetable_t pt = 0;
  uint64 sz = 0, sp;
  int argc;

  begin_op();
  if((ip = namei(path)) == 0){
    end_op();
    return -1;
  }
  ilock(ip);

  if(readi(ip, 0, (uint64)&elf, 0, sizeof(elf)) != sizeof(elf) || elf.magic != ELF_MAGIC)
    goto bad;
  if((pt = proc_pagetable(p)) == 0)
    goto bad;

  for(int i = 0; i < elf.phnum; i++){
    uint64 off = elf.phoff + i * sizeof(ph);
    if(off < elf.phoff || off > ip->size)
      goto bad;
    if(readi(ip, 0, (uint64)&ph, off, sizeof(ph)) != sizeof(ph))
      goto bad;
    if(ph.type != ELF_PROG_LOAD)
      continue;
    if(!segment_ok(&ph, ip))
      goto bad;
    if(ph.memsz == 0)
      continue;
    uint64 newsz = uvmalloc(pt, sz, ph.vaddr + ph.memsz, segperm(ph.flags));
    if(newsz == 0)
      goto bad;
    sz = newsz;
    if(loadseg(pt, ph.vaddr, ip, ph.off, ph.filesz) != 0)
      goto bad;
  }
  iunlockput(ip);
  end_op();
  ip = 0;

  // The stack, on fresh pages above the program, with an inaccessible
  // guard page below it to catch overflows.
  sz = PGROUNDUP(sz);
  uint64 newsz = uvmalloc(pt, sz, sz + (USERSTACK + 1) * PGSIZE, PTE_W);
  if(newsz == 0)
    goto bad;
  sz = newsz;
  uvmclear(pt, sz - (USERSTACK + 1) * PGSIZE);

  if((sp = pushargs(pt, sz, argv, &argc)) == 0)
    goto bad;

  // Nothing can fail from here on: switch to the new image.
  char *last = path;
  for(char *s = path; *s; s++)
    if(*s == '/')
      last = s + 1;
  safestrcpy(p->name, last, sizeof(p->name));

  pagetable_t oldpt = p->pagetable;
  uint64 oldsz = p->sz;
  p->pagetable = pt;
  p->sz = sz;
  p->trapframe->epc = elf.entry;
  p->trapframe->sp = sp;
  p->trapframe->a1 = sp;   // argv; argc goes in a0 as exec's result
  proc_freepagetable(oldpt, oldsz);
  return argc;

bad:
  if(pt)
    proc_freepagetable(pt, sz);
  if(ip){
    iunlockput(ip);
    end_op();
  }
  return -1;
}
