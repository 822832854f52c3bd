// Physical page allocator with a single free list under a single lock
// (make KALLOC=global): the baseline the per-CPU allocator in kalloc.c is
// measured against. Every CPU takes the same lock for every page.
//
// Like kalloc.c, this file also builds on the host against a shim: only
// defs.h functions, no RISC-V assembly.

#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "spinlock.h"
#include "riscv.h"
#include "defs.h"

extern char end[];   // first address after the kernel; defined by kernel.ld

// A free page, holding the list link in itself.
struct run {
  struct run *next;
};

// lock protects freelist and npages.
static struct {
  struct spinlock lock;
  struct run *freelist;
  uint64 npages;
} kmem;

// Set up by the first kinitrange, before any other CPU runs; fixed after.
static int ready;          // the lock is initialised
static uint64 memlo;       // kfree accepts pages in [memlo, memhi)
static uint64 memhi;

// Allocate one 4096-byte page of physical memory, or return 0 if none is free.
void *
kalloc(void)
{
  acquire(&kmem.lock);
  struct run *r = kmem.freelist;
  if(r){
    kmem.freelist = r->next;
    kmem.npages--;
  }
  release(&kmem.lock);

  if(r)
    memset(r, 5, PGSIZE);   // junk, to catch users of uninitialised memory
  return r;
}

// Free the page of physical memory at pa, which kalloc() returned (or
// kinitrange() is handing over).
void
kfree(void *pa)
{
  if((uint64)pa % PGSIZE != 0 || (uint64)pa < memlo || (uint64)pa >= memhi)
    panic("kfree");

  memset(pa, 1, PGSIZE);    // junk, to catch dangling references

  struct run *r = pa;
  acquire(&kmem.lock);
  r->next = kmem.freelist;
  kmem.freelist = r;
  kmem.npages++;
  release(&kmem.lock);
}

// Hand every whole page in [pa_start, pa_end) to the allocator. The first
// call also sets up the lock, so this alone starts the allocator (the host
// tests rely on it).
void
kinitrange(void *pa_start, void *pa_end)
{
  uint64 lo = PGROUNDUP((uint64)pa_start);
  uint64 hi = PGROUNDDOWN((uint64)pa_end);

  if(!ready){
    initlock(&kmem.lock, "kmem");
    ready = 1;
  }
  if(lo >= hi)
    return;
  if(memhi == 0 || lo < memlo)
    memlo = lo;
  if(hi > memhi)
    memhi = hi;
  for(uint64 pa = lo; pa < hi; pa += PGSIZE)
    kfree((void *)pa);
}

void
kinit(void)
{
  kinitrange(end, (void *)PHYSTOP);
}

uint64
kfreepages(void)
{
  acquire(&kmem.lock);
  uint64 n = kmem.npages;
  release(&kmem.lock);
  return n;
}
