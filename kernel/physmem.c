// The physical memory the page allocator manages, and what both allocators
// (kalloc.c, and kalloc_global.c for make KALLOC=global) do alike with it:
// taking the memory over at boot, and checking and junk-filling the pages
// given back.
//
// This file also builds on the host (tests/host) against a shim: it must use
// only defs.h functions, and no RISC-V assembly.

#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "spinlock.h"
#include "riscv.h"
#include "defs.h"

extern char end[];   // first address after the kernel; defined by kernel.ld

// Set up by kinitrange, before any other CPU runs; fixed after.
static int ready;          // kmeminit() has run
static uint64 memlo;       // kfree accepts pages in [memlo, memhi)
static uint64 memhi;

// Hand every whole page in [pa_start, pa_end) to the allocator. The first
// call also sets up the allocator, so this alone starts it (the host tests
// rely on it).
void
kinitrange(void *pa_start, void *pa_end)
{
  uint64 lo = PGROUNDUP((uint64)pa_start);
  uint64 hi = PGROUNDDOWN((uint64)pa_end);

  if(!ready){
    kmeminit();
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

// kfree's first step: panic unless pa is a page of the allocator's memory,
// then fill it with junk, to catch dangling references.
void
kfreecheck(void *pa)
{
  if((uint64)pa % PGSIZE != 0 || (uint64)pa < memlo || (uint64)pa >= memhi)
    panic("kfree");
  memset(pa, 1, PGSIZE);
}

// kalloc's last step: fill the page it hands out with junk, to catch users
// of uninitialised memory.
void *
kallocjunk(void *pa)
{
  if(pa)
    memset(pa, 5, PGSIZE);
  return pa;
}
