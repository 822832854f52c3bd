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

// Called once, by the first kinitrange (physmem.c).
void
kmeminit(void)
{
  initlock(&kmem.lock, "kmem");
}

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
  return kallocjunk(r);
}

// Free the page of physical memory at pa, which kalloc() returned (or
// kinitrange() is handing over).
void
kfree(void *pa)
{
  kfreecheck(pa);

  struct run *r = pa;
  acquire(&kmem.lock);
  r->next = kmem.freelist;
  kmem.freelist = r;
  kmem.npages++;
  release(&kmem.lock);
}

uint64
kfreepages(void)
{
  acquire(&kmem.lock);
  uint64 n = kmem.npages;
  release(&kmem.lock);
  return n;
}
