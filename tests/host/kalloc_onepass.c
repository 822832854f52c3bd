// A per-CPU page allocator that breaks kalloc.c's invariant, with its
// interface: the control of run.py that shows that test_kalloc's scarce
// test can fail. A thief detaches the victim's whole list under the
// victim's lock and attaches it to its own under its own lock, so the pages
// are on no list in between; and kalloc returns 0 as soon as one look at
// every list finds them empty. A CPU that looks while another's stolen
// pages are on their way gets 0 although pages are free.
#include "types.h"
#include "param.h"
#include "spinlock.h"
#include "riscv.h"
#include "defs.h"

struct run {
  struct run *next;
};

// lock protects free and npages; npages is also read without it.
static struct {
  struct spinlock lock;
  struct run *free;
  uint64 npages;
} lists[NCPU];

void
kmeminit(void)
{
  for(int i = 0; i < NCPU; i++)
    initlock(&lists[i].lock, "onepass");
}

void *
kalloc(void)
{
  push_off();
  int me = cpuid();
  struct run *r = 0;
  for(int i = 0; i < NCPU && r == 0; i++){
    int v = (me + i) % NCPU;
    if(__atomic_load_n(&lists[v].npages, __ATOMIC_RELAXED) == 0)
      continue;
    acquire(&lists[v].lock);
    struct run *batch = lists[v].free;
    uint64 n = lists[v].npages;
    lists[v].free = 0;
    __atomic_store_n(&lists[v].npages, 0, __ATOMIC_RELAXED);
    release(&lists[v].lock);
    if(batch == 0)
      continue;
    r = batch;
    acquire(&lists[me].lock);
    struct run *end = batch;
    while(end->next)
      end = end->next;
    end->next = lists[me].free;
    lists[me].free = r->next;
    __atomic_store_n(&lists[me].npages, lists[me].npages + n - 1, __ATOMIC_RELAXED);
    release(&lists[me].lock);
  }
  pop_off();
  return kallocjunk(r);
}

void
kfree(void *pa)
{
  kfreecheck(pa);
  push_off();
  int me = cpuid();
  struct run *r = pa;
  acquire(&lists[me].lock);
  r->next = lists[me].free;
  lists[me].free = r;
  __atomic_store_n(&lists[me].npages, lists[me].npages + 1, __ATOMIC_RELAXED);
  release(&lists[me].lock);
  pop_off();
}

uint64
kfreepages(void)
{
  uint64 n = 0;
  for(int i = 0; i < NCPU; i++){
    acquire(&lists[i].lock);
    n += lists[i].npages;
    release(&lists[i].lock);
  }
  return n;
}
