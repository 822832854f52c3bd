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
// the first and last of them and their total. A thief takes the victim's
// rest, or its first chunk if it has no rest, by changing only the two
// lists' fields: it touches no page while it holds the victim's lock,
// however many pages it takes, and the victim keeps the chunk it is
// working on.
//
// The invariant: every free page is on exactly one list, at every moment.
// A thief holds its own lock and the victim's together while it moves
// pages, so no page is ever on no list. kalloc looks at the lists one at a
// time, without their locks, for one worth stealing from; pages can move
// behind its back to a list it has already looked at, so finding every
// list empty proves nothing. Only then does it take every list's lock at
// once and look again: if all are empty, the machine had no free page at
// that moment. That is what kalloc returning 0 means, and the host test
// `scarce` (tests/host/test_kalloc.c) checks it: CPUs that never hold all
// the pages must never see 0 (an allocator whose pages can be on no list
// fails it: tests/host/kalloc_onepass.c).
//
// Lock order: kmem locks in CPU order (a thief holds its own and the
// victim's; kalloc's last look holds them all).
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
// read without the lock, to skip lists that look empty, so it is only
// changed with atomic stores (holding lock); a stale value costs a useless
// lock or a skipped list, which the last look makes up for.
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

static struct run *pop(struct kmem *k);
static void push(struct kmem *k, struct run *r);
static struct run *steal(struct kmem *thief, struct kmem *victim);
static struct run *pop_any_holding_all(void);

// Allocate one 4096-byte page of physical memory. Returns 0 only if, at
// one moment during the call, no CPU had a free page.
void *
kalloc(void)
{
  // Interrupts stay off from reading our CPU number until we are done with
  // its list, so that the process cannot move to another CPU meanwhile and
  // then use this list alongside the CPU it belongs to.
  push_off();
  int me = cpuid();
  struct kmem *mine = &kmem[me];

  acquire(&mine->lock);
  struct run *r = pop(mine);
  release(&mine->lock);

  // Our list is empty and stays so until we fill it: only this CPU adds
  // to it, and interrupts are off. Steal from a list that looks non-empty.
  for(int i = 1; r == 0 && i < NCPU; i++){
    struct kmem *victim = &kmem[(me + i) % NCPU];
    if(__atomic_load_n(&victim->npages, __ATOMIC_RELAXED) != 0)
      r = steal(mine, victim);
  }
  if(r == 0)
    r = pop_any_holding_all();

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

// Take a page off k's list, or return 0 if it is empty. The caller holds
// k->lock.
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

// Move victim's rest, or its first chunk if it has no rest, to thief's
// list, which is empty. Touches no page. The caller holds both locks.
static void
move_batch(struct kmem *thief, struct kmem *victim)
{
  uint64 n;

  if(victim->rest){
    n = victim->npages - victim->nfirst;
    thief->rest = victim->rest;
    thief->last = victim->last;
    victim->rest = victim->last = 0;
  } else {
    n = victim->nfirst;
    thief->first = victim->first;
    thief->nfirst = victim->nfirst;
    victim->first = 0;
    victim->nfirst = 0;
  }
  setcount(thief, n);
  setcount(victim, victim->npages - n);
}

// Acquire two CPUs' locks in CPU order, the allocator's lock order.
static void
lock_both(struct kmem *a, struct kmem *b)
{
  acquire(a < b ? &a->lock : &b->lock);
  acquire(a < b ? &b->lock : &a->lock);
}

// Move a batch of victim's pages to thief's list, which is empty, and take
// one of them; 0 if victim turned out to be empty.
static struct run *
steal(struct kmem *thief, struct kmem *victim)
{
  lock_both(thief, victim);
  if(victim->npages > 0)
    move_batch(thief, victim);
  release(&victim->lock);
  struct run *r = pop(thief);   // touches a page: not under victim's lock
  release(&thief->lock);
  return r;
}

// Take a page from any list, holding every list's lock, so that no page
// can move between lists while we look: 0 means there was none.
static struct run *
pop_any_holding_all(void)
{
  struct run *r = 0;

  for(int i = 0; i < NCPU; i++)
    acquire(&kmem[i].lock);
  for(int i = 0; i < NCPU && r == 0; i++)
    r = pop(&kmem[i]);
  for(int i = NCPU - 1; i >= 0; i--)
    release(&kmem[i].lock);
  return r;
}
