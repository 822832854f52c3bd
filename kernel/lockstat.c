// The registry of every spinlock and rwspinlock, the lock classes, and the
// lock contention statistics report that the statistics device (stats.c)
// reads. Each lock counts its own acquires and spins (lockhook.c); this
// file finds and adds them up.
//
// This file also builds on the host (tests/host) against a shim: it must use
// only defs.h functions, and no RISC-V assembly.

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "kcsan.h"
#include "defs.h"

// The registry: every initialised spinlock and rwspinlock, on a doubly
// linked list through rnext/rprev, and the table of lock classes.
// reglock protects reghead, regtail, every registered lock's rnext/rprev,
// and the class table. It is set up statically and is the list's first
// member, so locks may be initialised before anything else runs. Lock
// order: reglock is taken while holding no other lock, and nothing is
// acquired while it is held.
static struct spinlock reglock = {
  .info = { .name = "lockregistry", .kind = LOCK_SPIN, .class = 1, .lastcpu = -1 }
};
static struct lockinfo *reghead = &reglock.info;
static struct lockinfo *regtail = &reglock.info;

// Lock classes: all locks of the same name and kind are one class, which is
// what the lock tools count and order by. Class 0 stands for every lock
// that finds the table full. Entries are only ever added.
static struct {
  char *name;
  int kind;             // enum lockkind
} classes[NLOCKCLASS] = {
  [0] = { "(other locks)", LOCK_SPIN },
  [1] = { "lockregistry", LOCK_SPIN },
};
static int nclasses = 2;

// The class of locks named name of the given kind (names that agree in
// their first LOCKNAMELEN characters are the same). Caller holds reglock.
#define LOCKNAMELEN 32
static int
classof(char *name, int kind)
{
  for(int i = 1; i < nclasses; i++)
    if(classes[i].kind == kind && strncmp(classes[i].name, name, LOCKNAMELEN) == 0)
      return i;
  if(nclasses == NLOCKCLASS)
    return 0;
  classes[nclasses].name = name;
  classes[nclasses].kind = kind;
  return nclasses++;
}

// Give a new lock of the given kind its name and class, zero its
// counters, and put spinlocks and rwspinlocks on the registry. (Sleep locks
// stay off it: the statistics report is about spinning.)
void
lockregister(struct lockinfo *lk, char *name, int kind)
{
  lk->name = name;
  lk->kind = kind;
  lk->nacquire = 0;
  lk->nspin = 0;
  lk->pc = 0;
  lk->since = 0;
  lk->lastcpu = -1;
  lk->rnext = 0;
  lk->rprev = 0;

  acquire(&reglock);
  lk->class = classof(name, kind);
  // Append, so that reports list locks in the order they were created.
  if(kind != LOCK_SLEEP){
    lk->rprev = regtail;
    regtail->rnext = lk;
    regtail = lk;
  }
  release(&reglock);
}

// The name and kind of class c, for the tools' reports; 0 if there is no
// such class.
char *
lockclassname(int c, int *kind)
{
  char *name = 0;

  acquire(&reglock);
  if(c >= 0 && c < nclasses){
    name = classes[c].name;
    *kind = classes[c].kind;
  }
  release(&reglock);
  return name;
}

// Take lk off the registry. Call it before freeing the memory lk lives in.
void
freelock(struct spinlock *lk)
{
  if(lk == &reglock || lk->locked)
    panic("freelock");
  acquire(&reglock);
  // Every registered lock but the head has a predecessor, and the head is
  // reglock itself: a lock without one was never registered (or freed twice).
  if(lk->info.rprev == 0)
    panic("freelock: not registered");
  lk->info.rprev->rnext = lk->info.rnext;
  if(lk->info.rnext)
    lk->info.rnext->rprev = lk->info.rprev;
  else
    regtail = lk->info.rprev;
  lk->info.rnext = 0;
  lk->info.rprev = 0;
  release(&reglock);
}

// Write prefix followed by n (>= 0) in decimal into name, which has room
// for size bytes with the NUL: the names of numbered locks such as "kmem0"
// or "bcache12", all of whose names start alike so that tot= finds them.
void
lockname(char *name, int size, const char *prefix, int n)
{
  char digits[10];   // 2^31 has 10 decimal digits
  int ndigits = 0;
  int len = 0;

  do {
    digits[ndigits++] = '0' + n % 10;
    n /= 10;
  } while(n > 0);
  if(strlen(prefix) + ndigits >= size)
    panic("lockname: too long");
  while(*prefix)
    name[len++] = *prefix++;
  while(ndigits > 0)
    name[len++] = digits[--ndigits];
  name[len] = 0;
}

// ---- the statistics report (format in docs/ABI.md) ----

// Text written into buf, which holds size bytes; what does not fit is
// dropped. With buf 0 nothing is stored, and len counts what would be.
struct report {
  char *buf;
  int size;
  int len;
};

static void
putch(struct report *r, char c)
{
  if(r->buf == 0)
    r->len++;
  else if(r->len < r->size)
    r->buf[r->len++] = c;
}

static void
putstr(struct report *r, const char *s)
{
  if(s == 0)
    s = "?";
  for(; *s; s++)
    putch(r, *s);
}

static void
putnum(struct report *r, uint64 n)
{
  char digits[20];   // 2^64 has 20 decimal digits
  int i = 0;

  do {
    digits[i++] = '0' + n % 10;
    n /= 10;
  } while(n > 0);
  while(i > 0)
    putch(r, digits[--i]);
}

// One lock's counters, read once so that every use of them agrees.
// Reading them while their holder may be updating them is a benign race
// (data_race): 64-bit loads are single instructions on RV64, so a value is
// either the old or the new one.
struct lockcount {
  struct lockinfo *lk;
  uint64 spins;
  uint64 acquires;
};

static void
putlock(struct report *r, struct lockcount *c)
{
  putstr(r, "lock: ");
  putstr(r, c->lk->name);
  putstr(r, ": #test-and-set ");
  putnum(r, c->spins);
  putstr(r, " #acquire() ");
  putnum(r, c->acquires);
  putstr(r, "\n");
}

static int
is_kmem_or_bcache(struct lockinfo *lk)
{
  return lk->name && (strncmp(lk->name, "kmem", 4) == 0 || strncmp(lk->name, "bcache", 6) == 0);
}

#define NTOP 5

// Keep top[0..NTOP-1] sorted by spins, most first; *ntop entries are used.
static void
rank(struct lockcount *top, int *ntop, struct lockcount *c)
{
  int i;

  if(*ntop < NTOP){
    i = (*ntop)++;
  } else if(top[NTOP - 1].spins < c->spins){
    i = NTOP - 1;   // c pushes the last one out
  } else {
    return;
  }
  for(; i > 0 && top[i - 1].spins < c->spins; i--)
    top[i] = top[i - 1];
  top[i] = *c;
}

// The end of the report: the top 5 and the total.
static void
puttail(struct report *r, struct lockcount *top, int ntop, uint64 tot)
{
  putstr(r, "--- top 5 contended locks:\n");
  for(int i = 0; i < ntop; i++)
    putlock(r, &top[i]);
  putstr(r, "tot= ");
  putnum(r, tot);
  putstr(r, "\n");
}

// Write the report into buf (at most size bytes, not NUL-terminated) and
// return its length. The whole walk happens under reglock, so every lock
// seen (and its name) stays alive until the report is written.
//
// Programs find the total by looking for tot=, so the end of the report is
// never cut: if everything cannot fit (4096 bytes are too few only when
// the counters of nearly every kmem and bcache lock have 19 or 20 digits),
// the last lines of the first section are left out, whole, to make room.
// tot= still sums every kmem and bcache lock.
int
lockstats(char *buf, int size)
{
  struct report r = { buf, size > 0 ? size : 0, 0 };
  struct lockcount top[NTOP];
  int ntop = 0;
  uint64 tot = 0;

  acquire(&reglock);
  putstr(&r, "--- lock kmem/bcache stats\n");
  for(struct lockinfo *lk = reghead; lk; lk = lk->rnext){
    struct lockcount c = { lk, data_race(lk->nspin), data_race(lk->nacquire) };
    if(is_kmem_or_bcache(lk)){
      tot += c.spins;
      if(c.acquires > 0)
        putlock(&r, &c);
    }
    rank(top, &ntop, &c);
  }

  struct report tail = { 0, 0, 0 };
  puttail(&tail, top, ntop, tot);
  // Back to the end of the last whole line that leaves room for the tail.
  int end = r.size - tail.len;
  if(end > r.len)
    end = r.len;
  while(end > 0 && buf[end - 1] != '\n')
    end--;
  r.len = end > 0 ? end : 0;
  puttail(&r, top, ntop, tot);
  release(&reglock);
  return r.len;
}
