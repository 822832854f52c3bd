// Physical page allocator with one free list per CPU (make KALLOC=percpu).
//
// kfree puts a page on the current CPU's list and kalloc takes one from it,
// so CPUs that allocate and free at the same time take different locks.
// A CPU whose list is empty steals a batch of pages from another CPU.
//
// A list is made of chunks of at most CHUNK pages. Pages go on and off the
// first chunk, whose pages are linked through the pages themselves and
// whose head and size the list keeps. The other chunks ("the rest") are
// linked head to head, each head recording its chunk's size; the list keeps
// the first and last of them and their total. A thief takes the rest (or
// the first chunk, if there is no rest) by changing only the two lists'
// fields: it touches no page while it holds the victim's lock, however many
// pages it takes, and the victim keeps the chunk it is working on.
//
// This file also builds on the host (tests/host) against a shim: it must use
// only defs.h functions, and no RISC-V assembly.

#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "spinlock.h"
#include "riscv.h"
#include "defs.h"

#define CHUNK        128   // most pages in a chunk

// A free page, holding its list links in itself.
struct run {
  struct run *next;        // next page of the same chunk
  struct run *nextchunk;   // in the head of a chunk of the rest: the next one
  uint64 npages;           // in the head of a chunk of the rest: its size
};

// One CPU's free pages. lock protects every field but name. npages is also
// read without the lock, as a hint of whether a list is worth locking, so
// it is only changed with atomic stores (holding lock).
// Lock order: no code holds two kmem locks at once (a thief takes the
// victim's and then its own), so they cannot deadlock.
// Each CPU's structure has cache lines of its own, so that CPUs working on
// their own lists do not slow each other down.
struct kmem {
  struct spinlock lock;
  struct run *first;       // the first chunk's pages, linked by next
  uint64 nfirst;           // how many
  struct run *rest;        // the other chunks' heads, linked by nextchunk
  struct run *last;        // the last of them
  uint64 npages;           // nfirst plus the pages of the rest
  char name[8];            // "kmem" and the CPU number, for the statistics
} __attribute__((aligned(64)));

static struct kmem kmem[NCPU];

_Static_assert(NCPU <= 1000, "lock names have room for three digits");

// Called once, by the first kinitrange (physmem.c).
void
kmeminit(void)
{
  for(int i = 0; i < NCPU; i++){
    struct kmem *k = &kmem[i];
    lockname(k->name, sizeof(k->name), "kmem", i);
    initlock(&k->lock, k->name);
  }
}

// An acquire load, so that kalloc's later load of steals_begun cannot be
// done before it.
static uint64
hint(struct kmem *k)
{
  return __atomic_load_n(&k->npages, __ATOMIC_ACQUIRE);
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
  if(k->first && k->nfirst == CHUNK){
    // The first chunk is full: it joins the rest, at the front.
    struct run *full = k->first;
    full->nextchunk = k->rest;
    full->npages = CHUNK;
    if(k->rest == 0)
      k->last = full;
    k->rest = full;
    k->first = 0;
    k->nfirst = 0;
  }
  r->next = k->first;
  k->first = r;
  k->nfirst++;
  setcount(k, k->npages + 1);
}

// Take a page off k's list, or return 0 if it is empty. The caller holds k->lock.
static struct run *
pop(struct kmem *k)
{
  if(k->first == 0){
    // The first chunk of the rest becomes the first chunk.
    struct run *c = k->rest;
    if(c == 0)
      return 0;
    k->rest = c->nextchunk;
    if(k->rest == 0)
      k->last = 0;
    k->first = c;
    k->nfirst = c->npages;
  }
  struct run *r = k->first;
  k->first = r->next;
  k->nfirst--;
  setcount(k, k->npages - 1);
  return r;
}

// Take from's rest, or its first chunk if it has no rest, as the chain of
// chunk heads *head..*tail holding *n pages (n is 0 if from is empty).
// The caller holds from->lock. Touches no page: a first chunk taken is not
// yet a proper chain (its head does not say its size, nor end the chain);
// chain() makes it one after from->lock is released.
static void
detach(struct kmem *from, struct run **head, struct run **tail, uint64 *n)
{
  if(from->rest){
    *head = from->rest;
    *tail = from->last;
    *n = from->npages - from->nfirst;
    from->rest = from->last = 0;
  } else if(from->first){
    *head = *tail = from->first;
    *n = from->nfirst;
    from->first = 0;
    from->nfirst = 0;
  } else {
    *n = 0;
    return;
  }
  setcount(from, from->npages - *n);
}

// Make a single chunk that detach took, holding n pages, a chain of one.
// A chain from a rest is one already (when it has one chunk, its head gets
// the values it holds).
static void
chain(struct run *head, struct run *tail, uint64 n)
{
  if(head == tail){
    head->nextchunk = 0;
    head->npages = n;
  }
}

// Add the chunks head..tail, holding n pages, at the end of k's rest, so
// that k's first chunk stays first. The caller holds k->lock.
static void
attach(struct kmem *k, struct run *head, struct run *tail, uint64 n)
{
  if(k->rest)
    k->last->nextchunk = head;
  else
    k->rest = head;
  k->last = tail;
  setcount(k, k->npages + n);
}

static struct run *
take(struct kmem *k)
{
  acquire(&k->lock);
  struct run *r = pop(k);
  release(&k->lock);
  return r;
}

// Steals begun and finished so far. Between a thief's detach and attach
// its pages are on no list; kalloc uses these counts to tell a machine out
// of memory from pages in flight (see there).
static uint64 steals_begun __attribute__((aligned(64)));
static uint64 steals_done __attribute__((aligned(64)));

// Move a batch of victim's pages to thief's list, with one acquisition of
// victim's lock that does no more than detach them, and then take one.
// The two locks are taken one after the other, never together.
static struct run *
steal(struct kmem *thief, struct kmem *victim)
{
  struct run *head, *tail;
  uint64 n;

  __atomic_add_fetch(&steals_begun, 1, __ATOMIC_SEQ_CST);
  acquire(&victim->lock);
  detach(victim, &head, &tail, &n);
  release(&victim->lock);
  if(n)
    chain(head, tail, n);

  acquire(&thief->lock);
  if(n)
    attach(thief, head, tail, n);
  struct run *r = pop(thief);
  release(&thief->lock);
  __atomic_add_fetch(&steals_done, 1, __ATOMIC_SEQ_CST);
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

  // Look at every list, this CPU's first, until a page turns up or every
  // list is empty. A list that looked non-empty but was emptied before we
  // got there means pages were taken or moved meanwhile: look again. So
  // does a steal that was under way while we looked: its pages may have
  // been on neither list when we looked at each. Every steal that had
  // begun by the end of a look and had not finished before its start is
  // counted in steals_begun but not in the steals_done read at the start.
  for(;;){
    uint64 done = __atomic_load_n(&steals_done, __ATOMIC_SEQ_CST);
    raced = 0;
    for(int i = 0; i < NCPU && r == 0; i++){
      struct kmem *k = &kmem[(me + i) % NCPU];
      if(hint(k) == 0)
        continue;
      r = i == 0 ? take(k) : steal(&kmem[me], k);
      raced = r == 0;
    }
    if(r)
      break;
    if(raced)
      continue;
    if(__atomic_load_n(&steals_begun, __ATOMIC_SEQ_CST) == done)
      break;
  }
  pop_off();
  return kallocjunk(r);
}

// Free the page of physical memory at pa, which kalloc() returned (or
// kinitrange() is handing over).
void
kfree(void *pa)
{
  kfreecheck(pa);

  push_off();   // stay on this CPU while using its list; see kalloc
  struct kmem *k = &kmem[cpuid()];
  acquire(&k->lock);
  push(k, pa);
  release(&k->lock);
  pop_off();
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
