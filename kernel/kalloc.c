// Physical page allocator with one free list per CPU (make KALLOC=percpu).
//
// kfree puts a page on the current CPU's list and kalloc takes one from it,
// so CPUs that allocate and free at the same time take different locks.
// A CPU whose list is empty steals a batch of pages from another CPU.
//
// A list is a chain of chunks, each a chain of at most CHUNK pages whose
// first page (the head) records the chunk's size and the next chunk. Pages
// go on and off at the front of the first chunk. A thief takes every chunk
// but the first (or the first, if it is the only one), which the list's
// pointer to its last chunk makes a constant-time splice. So every
// operation under a lock touches a page or two, however many pages are
// free, and one steal brings a CPU all it will need for a long while.
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

#define CHUNK        128   // most pages in a chunk

// A free page, holding its list links in itself.
struct run {
  struct run *next;        // next page of the same chunk
  struct run *nextchunk;   // in a chunk's head: the next chunk's head
  int npages;              // in a chunk's head: pages in the chunk
};

// One CPU's free pages. lock protects chunks, tail and npages. npages is also
// read without the lock, as a hint of whether a list is worth locking, so
// it is only changed with atomic stores (holding lock).
// Lock order: a CPU normally holds one kmem lock; a thief holds two, taken
// in ascending CPU order, so no two thieves can deadlock.
// Each CPU's structure has cache lines of its own, so that CPUs working on
// their own lists do not slow each other down.
struct kmem {
  struct spinlock lock;
  struct run *chunks;      // the first chunk's head, or 0 if the list is empty
  struct run *tail;        // the last chunk's head, or 0 if the list is empty
  uint64 npages;
  char name[8];            // "kmem" and the CPU number, for the statistics
} __attribute__((aligned(64)));

static struct kmem kmem[NCPU];

#define LOCKPREFIX 4   // strlen("kmem")
_Static_assert(NCPU <= 10, "lock names have room for one digit");

// Set up by the first kinitrange, before any other CPU runs; fixed after.
static int ready;          // the locks are initialised
static uint64 memlo;       // kfree accepts pages in [memlo, memhi)
static uint64 memhi;

static void
kmeminit(void)
{
  for(int i = 0; i < NCPU; i++){
    struct kmem *k = &kmem[i];
    for(int j = 0; j < LOCKPREFIX; j++)
      k->name[j] = "kmem"[j];
    k->name[LOCKPREFIX] = '0' + i;   // static storage: the NUL is there
    initlock(&k->lock, k->name);
  }
  ready = 1;
}

static uint64
hint(struct kmem *k)
{
  return __atomic_load_n(&k->npages, __ATOMIC_RELAXED);
}

static void
setcount(struct kmem *k, uint64 n)
{
  __atomic_store_n(&k->npages, n, __ATOMIC_RELAXED);
}

// Put page r on k's list. The caller holds k->lock.
static void
push(struct kmem *k, struct run *r)
{
  struct run *head = k->chunks;

  if(head && head->npages < CHUNK){
    // r becomes the head of the first chunk.
    r->next = head;
    r->nextchunk = head->nextchunk;
    r->npages = head->npages + 1;
    if(k->tail == head)
      k->tail = r;
  } else {
    // r starts a new chunk.
    r->next = 0;
    r->nextchunk = head;
    r->npages = 1;
    if(head == 0)
      k->tail = r;
  }
  k->chunks = r;
  setcount(k, k->npages + 1);
}

// Take a page off k's list, or return 0 if it is empty. The caller holds k->lock.
static struct run *
pop(struct kmem *k)
{
  struct run *r = k->chunks;

  if(r == 0)
    return 0;
  if(r->next){
    // The chunk's second page becomes its head.
    r->next->nextchunk = r->nextchunk;
    r->next->npages = r->npages - 1;
    k->chunks = r->next;
    if(k->tail == r)
      k->tail = r->next;
  } else {
    k->chunks = r->nextchunk;
    if(k->tail == r)
      k->tail = 0;
  }
  setcount(k, k->npages - 1);
  return r;
}

// Move every chunk of from's list but the first, or the first if it is the
// only one, to the front of to's list. The caller holds both locks.
// The owner of from keeps the chunk it is working on, unless that is all
// there is.
static void
move(struct kmem *from, struct kmem *to)
{
  struct run *keep = from->chunks;
  struct run *first, *last = from->tail;
  uint64 n;

  if(keep == 0)
    return;
  if(keep->nextchunk){
    first = keep->nextchunk;
    n = from->npages - keep->npages;
    keep->nextchunk = 0;
    from->tail = keep;
  } else {
    first = keep;
    n = keep->npages;
    from->chunks = from->tail = 0;
  }
  last->nextchunk = to->chunks;
  if(to->chunks == 0)
    to->tail = last;
  to->chunks = first;
  setcount(from, from->npages - n);
  setcount(to, to->npages + n);
}

static struct run *
take(struct kmem *k)
{
  acquire(&k->lock);
  struct run *r = pop(k);
  release(&k->lock);
  return r;
}

// Move a batch of victim's pages to thief's list, with one acquisition of
// victim's lock and both locks held, so that the pages are on some list
// at every moment; then let the victim go on and take one of the pages.
static struct run *
steal(struct kmem *thief, struct kmem *victim)
{
  struct kmem *first = thief < victim ? thief : victim;
  struct kmem *second = thief < victim ? victim : thief;

  acquire(&first->lock);
  acquire(&second->lock);
  move(victim, thief);
  release(&victim->lock);
  struct run *r = pop(thief);
  release(&thief->lock);
  return r;
}

// Allocate one 4096-byte page of physical memory. Returns 0 only when no
// CPU has a free page.
void *
kalloc(void)
{
  struct run *r = 0;
  int raced;

  // Interrupts stay off from reading our CPU number until we are done with
  // its list, so that the process cannot move to another CPU meanwhile and
  // then use this list alongside the CPU it belongs to.
  push_off();
  int me = cpuid();

  // Look at every list, this CPU's first. A list that looked non-empty but
  // was emptied before we got there means pages moved or were taken
  // meanwhile: look again, until a page turns up or every list is empty.
  do {
    raced = 0;
    for(int i = 0; i < NCPU && r == 0; i++){
      struct kmem *k = &kmem[(me + i) % NCPU];
      if(hint(k) == 0)
        continue;
      r = i == 0 ? take(k) : steal(&kmem[me], k);
      raced = r == 0;
    }
  } while(r == 0 && raced);
  pop_off();

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

  push_off();   // stay on this CPU while using its list; see kalloc
  struct kmem *k = &kmem[cpuid()];
  acquire(&k->lock);
  push(k, pa);
  release(&k->lock);
  pop_off();
}

// Hand every whole page in [pa_start, pa_end) to the allocator, onto this
// CPU's list (stealing spreads them later). The first call also sets up the
// locks, so this alone starts the allocator (the host tests rely on it).
void
kinitrange(void *pa_start, void *pa_end)
{
  uint64 lo = PGROUNDUP((uint64)pa_start);
  uint64 hi = PGROUNDDOWN((uint64)pa_end);

  if(!ready)
    kmeminit();
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

// The number of free pages: the sum over the CPUs' lists, each read under
// its lock.
uint64
kfreepages(void)
{
  uint64 n = 0;

  for(int i = 0; i < NCPU; i++){
    acquire(&kmem[i].lock);
    n += kmem[i].npages;
    release(&kmem[i].lock);
  }
  return n;
}
