// The lock profiler: for every lock class, how often its locks were
// acquired and contended, how long acquirers waited and holders held
// them, and at which call sites the waiting happened. lockhook.c calls it
// on every acquire and release; the /lockprof device (lockprofdev.c)
// switches it on and off, resets it, and reads it.
//
// Each CPU counts in records of its own, one per class, which only it
// writes, always with interrupts off (from inside the lock code). So
// profiling adds no shared cache line and needs no lock. A report sums the
// records of every CPU while they keep changing: each number is one that
// was true at some moment while the report was made. Every word of a
// record is written with a relaxed atomic store and read with a relaxed
// atomic load (set and get below), which cost what plain ones do but tell
// the compiler, and the race detectors, that the sharing is meant.
//
// A reset does not zero other CPUs' records under their feet: it starts a
// new epoch. A record of an older epoch counts as zero, and its CPU zeroes
// it the next time it writes to it.
//
// This file also builds on the host (tests/host) against a shim: it must
// use only defs.h functions, and no RISC-V assembly.

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "lockhook.h"
#include "lockprof.h"
#include "defs.h"

// Sites remembered per CPU, class and kind of site. A contention at a
// site that finds its CPU's table full counts only as "other sites".
#define NSITE 8

enum { WAITER, HOLDER };   // the two kinds of site, see lockprof.h

// What one CPU has counted for one class since the reset of its epoch.
struct classprof {
  uint epoch;
  struct {
    uint64 acquired;
    uint64 contended;
    uint64 waits;
    uint64 bounces;
    struct lockprofspan wait;
    struct lockprofspan hold;
    // Filled from the front and never emptied until a reset, so the
    // first entry with n == 0 ends the table.
    struct lockprofsite site[2][NSITE];
  } c;
};

// Each CPU's records start on a cache line of their own.
static struct cpuprof {
  struct classprof class[NLOCKCLASS];
} __attribute__((aligned(64))) prof[NCPU];

// The switch, the epoch and the time of the last reset: written by the
// device, read by every CPU without a lock (relaxed atomics: a CPU that
// sees a change a little late counts a few events more or less).
// Off at boot: on, it makes lock-heavy programs about a tenth slower
// (kalloctest at CPUS=3, docs/locks.md), and `lockstat CMD` switches it on
// for the command.
static int enabled = 0;
static uint epoch;
static uint64 resettime;

static inline void set(uint64 *w, uint64 v) { __atomic_store_n(w, v, __ATOMIC_RELAXED); }
static inline uint64 get(uint64 *w) { return __atomic_load_n(w, __ATOMIC_RELAXED); }

static struct classprof *mine(int class);
static void addspan(struct lockprofspan *s, uint64 t);
static void addsite(struct lockprofsite *table, uint64 pc);
static void sumspan(struct lockprofspan *to, struct lockprofspan *from);
static void topsites(int class, int kind, struct lockprofsite *top);
static struct classprof *current(int cpu, int class);

// The attempt a got its lock at time now (nsecs()). Called before the
// lock records this CPU as its last one, which tells bounces.
void
lockprof_acquired(struct lockattempt *a, uint64 now)
{
  if(!__atomic_load_n(&enabled, __ATOMIC_RELAXED))
    return;

  struct lockinfo *lk = a->lock;
  struct classprof *p = mine(lk->class);
  int last = __atomic_load_n(&lk->lastcpu, __ATOMIC_RELAXED);

  set(&p->c.acquired, p->c.acquired + 1);
  if(last >= 0 && last != cpuid())
    set(&p->c.bounces, p->c.bounces + 1);
  if(a->spins > 0){
    set(&p->c.contended, p->c.contended + 1);
    set(&p->c.waits, p->c.waits + a->spins);
    addspan(&p->c.wait, now - a->waitstart);
    addsite(p->c.site[WAITER], a->pc);
    addsite(p->c.site[HOLDER], a->holderpc);
  }
}

// This CPU is letting lk go; it was acquired at time since.
void
lockprof_release(struct lockinfo *lk, uint64 since)
{
  if(!__atomic_load_n(&enabled, __ATOMIC_RELAXED))
    return;
  addspan(&mine(lk->class)->c.hold, nsecs() - since);
}

// Profiling on (1) or off (0). While it is off, the lock code pays only
// for the test of this switch.
void
lockprof_enable(int on)
{
  __atomic_store_n(&enabled, on != 0, __ATOMIC_RELAXED);
}

int
lockprof_enabled(void)
{
  return __atomic_load_n(&enabled, __ATOMIC_RELAXED);
}

// Start counting from zero.
void
lockprof_reset(void)
{
  __atomic_store_n(&resettime, nsecs(), __ATOMIC_RELAXED);
  __atomic_add_fetch(&epoch, 1, __ATOMIC_RELEASE);
}

// nsecs() at the last reset (0 before the first: the boot).
uint64
lockprof_resettime(void)
{
  return __atomic_load_n(&resettime, __ATOMIC_RELAXED);
}

// Sum every CPU's counts of class c into *s.
void
lockprof_sum(int c, struct lockprofsum *s)
{
  memset(s, 0, sizeof(*s));
  for(int cpu = 0; cpu < NCPU; cpu++){
    struct classprof *p = current(cpu, c);
    if(p == 0)
      continue;
    s->acquired += get(&p->c.acquired);
    s->contended += get(&p->c.contended);
    s->waits += get(&p->c.waits);
    s->bounces += get(&p->c.bounces);
    sumspan(&s->wait, &p->c.wait);
    sumspan(&s->hold, &p->c.hold);
  }
  if(s->contended > 0){
    topsites(c, WAITER, s->waiter);
    topsites(c, HOLDER, s->holder);
  }
}

// ---- counting, on the CPU that owns the record ----

// This CPU's record of class c, zeroed first if it is of an older epoch.
static struct classprof *
mine(int c)
{
  struct classprof *p = &prof[cpuid()].class[c];
  uint e = __atomic_load_n(&epoch, __ATOMIC_ACQUIRE);

  if(p->epoch != e){
    for(int i = 0; i < sizeof(p->c) / sizeof(uint64); i++)
      set((uint64 *)&p->c + i, 0);
    // A reader that sees the new epoch sees the zeroes too.
    __atomic_store_n(&p->epoch, e, __ATOMIC_RELEASE);
  }
  return p;
}

static void
addspan(struct lockprofspan *s, uint64 t)
{
  if(s->n == 0 || t < s->min)
    set(&s->min, t);
  if(t > s->max)
    set(&s->max, t);
  set(&s->total, s->total + t);
  set(&s->n, s->n + 1);
}

static void
addsite(struct lockprofsite *table, uint64 pc)
{
  for(int i = 0; i < NSITE; i++){
    if(table[i].n == 0){
      // A new site: readers that see its count see its pc.
      set(&table[i].pc, pc);
      __atomic_store_n(&table[i].n, 1, __ATOMIC_RELEASE);
      return;
    }
    if(table[i].pc == pc){
      set(&table[i].n, table[i].n + 1);
      return;
    }
  }
}

// ---- reading, on any CPU ----

// CPU cpu's record of class c, or 0 if it has counted nothing since the
// last reset.
static struct classprof *
current(int cpu, int c)
{
  struct classprof *p = &prof[cpu].class[c];

  if(__atomic_load_n(&p->epoch, __ATOMIC_ACQUIRE) != __atomic_load_n(&epoch, __ATOMIC_ACQUIRE))
    return 0;
  return p;
}

static void
sumspan(struct lockprofspan *to, struct lockprofspan *from)
{
  struct lockprofspan f = { get(&from->n), get(&from->min), get(&from->max), get(&from->total) };

  if(f.n == 0)
    return;
  if(to->n == 0 || f.min < to->min)
    to->min = f.min;
  if(f.max > to->max)
    to->max = f.max;
  to->total += f.total;
  to->n += f.n;
}

// How often class c's records on every CPU saw site pc, of the given kind.
static uint64
sitecount(int c, int kind, uint64 pc)
{
  uint64 n = 0;

  for(int cpu = 0; cpu < NCPU; cpu++){
    struct classprof *p = current(cpu, c);
    if(p == 0)
      continue;
    struct lockprofsite *t = p->c.site[kind];
    for(int i = 0; i < NSITE; i++){
      uint64 k = __atomic_load_n(&t[i].n, __ATOMIC_ACQUIRE);
      if(k == 0)
        break;
      if(get(&t[i].pc) == pc){
        n += k;
        break;
      }
    }
  }
  return n;
}

// Fill top with the LOCKPROF_NTOP sites of the given kind that class c
// saw most often, over every CPU, most first.
static void
topsites(int c, int kind, struct lockprofsite *top)
{
  for(int cpu = 0; cpu < NCPU; cpu++){
    struct classprof *p = current(cpu, c);
    if(p == 0)
      continue;
    for(int i = 0; i < NSITE; i++){
      if(__atomic_load_n(&p->c.site[kind][i].n, __ATOMIC_ACQUIRE) == 0)
        break;
      struct lockprofsite s = { get(&p->c.site[kind][i].pc), 0 };
      int j;
      // A site seen on several CPUs is summed at its first sight.
      for(j = 0; j < LOCKPROF_NTOP && top[j].n > 0 && top[j].pc != s.pc; j++)
        ;
      if(j < LOCKPROF_NTOP && top[j].n > 0)
        continue;
      s.n = sitecount(c, kind, s.pc);
      // Insert s in order, pushing the last one out.
      for(j = LOCKPROF_NTOP; j > 0 && top[j - 1].n < s.n; j--){
        if(j < LOCKPROF_NTOP)
          top[j] = top[j - 1];
      }
      if(j < LOCKPROF_NTOP)
        top[j] = s;
    }
  }
}
