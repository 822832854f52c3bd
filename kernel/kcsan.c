// The kernel race detector (make KCSAN=1): it finds two CPUs touching the
// same memory at the same time, at least one of them writing, with no lock
// keeping them apart.
//
// The compiler (-fsanitize=thread) calls one of the __tsan_* functions
// below before every load and store of the instrumented files (the Makefile
// lists those that are not, and why). Most calls only check the access
// against the watchpoints of other CPUs. Now and then (about one access in
// `interval` on each CPU) the access is watched instead: with interrupts
// off, its CPU publishes a watchpoint for the address, waits `delay`
// microseconds and takes it down. Another CPU whose access overlaps it in
// that time, one of the two writing, has raced with it: that CPU records
// its side in the watchpoint, and the watching CPU reports both. The
// watching CPU also reads the value before and after the wait: if it
// changed though no CPU hit the watchpoint, a writer the detector cannot
// see (code that is not instrumented, an access marked data_race(), a
// device) raced with it.
//
// Accesses by the atomic builtins are "marked": they are never watched,
// since two atomic accesses do not race, but they are checked, since a
// plain access racing with an atomic one is a race all the same. Volatile
// accesses (device registers, data_race()) are ignored.
//
// Each race (each pair of code locations) is reported once, on the
// console, as:
//
//   == race detected ==
//   write of 4 bytes at 0x0000000080030f40 by cpu 2, watched:
//     kcsantest_count+0x34 kernel/kcsandev.c:85
//     ...
//     holding no spinlock
//   races with
//   read of 4 bytes at 0x0000000080030f40 by cpu 1:
//     ...
//
// This file is not instrumented, and neither are those it calls while it
// has a watchpoint or a report in hand (ksym.c, lockhook.c, printf.c and
// the console).

#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "lockhook.h"
#include "kcsan.h"
#include "kcsanwatch.h"
#include "defs.h"

// The settings, changed through /kcsan (kcsandev.c) at any time and read by
// every CPU with atomic loads, without a lock. Off until kcsan_start.
static int on;
static uint interval = KCSAN_INTERVAL;
static uint delayus = KCSAN_DELAY;

// The counts /kcsan shows, added to atomically.
static struct kcsancounts counts;

// Races on [testlo, testhi), the self-test's variables, are also counted
// on their own. Set once, by kcsan_start.
static uint64 testlo, testhi;

// Each CPU's state, used by its own CPU only, with interrupts off; except
// for the sampler, which accesses made with interrupts on may count on a
// CPU that their process has just left (see struct sampler).
// Each on a cache line of its own: the sampler is written at every access.
static struct kcpu {
  struct sampler sampler;
  int busy;   // recording or watching an access: see enter()
} __attribute__((aligned(64))) kcpu[NCPU];

// One side of a race: the access, where it was made from, the spinlocks its
// CPU held.
#define NPCS    12
#define NLOCKS  4
struct access {
  uint64 addr;
  uint64 size;
  int type;                        // KCSAN_WRITE, KCSAN_MARKED
  int cpu;
  int npcs;
  uint64 pcs[NPCS];                // return addresses, innermost first: pcs[0] made the access
  int nlocks;                      // how many it held, though at most NLOCKS are kept
  struct heldlock locks[NLOCKS];   // the innermost ones, innermost last
};

// The watchpoints. A CPU takes a free slot by changing its watch from 0 to
// its watchpoint, then sets hit to HIT_NONE; the slot is its own until it
// sets watch back to 0. A CPU whose access races with the watchpoint
// claims hit (HIT_NONE to HIT_CLAIMED), fills in other, and sets
// HIT_RECORDED; or, if the slot has changed hands since it looked, sets
// HIT_NONE again. The owner, once its wait is over, closes hit (HIT_NONE to
// HIT_CLOSED) so that no one claims it after, or takes HIT_RECORDED as a
// race; while hit is HIT_CLAIMED it waits, so watch cannot change then.
enum { HIT_NONE, HIT_CLAIMED, HIT_RECORDED, HIT_CLOSED };
#define NWATCH 16
static struct slot {
  uint64 watch;
  int hit;
  struct access other;
} slots[NWATCH];
static int nwatching;   // slots in use, so that accesses skip the table when 0

// Reports: reporting (taken by test-and-set, with interrupts off) keeps
// their lines together and protects reported. Lock order: reporting, then
// printf's lock; no instrumented code runs while that one is held, so no
// CPU holding it can be waiting for reporting.
static int reporting;
static struct pairset reported;

static inline __attribute__((always_inline)) void
access(uint64 addr, uint64 size, int type, uint64 fp);
static void check(uint64 addr, uint64 size, int type, uint64 fp);
static void hit(struct slot *s, uint64 w, uint64 addr, uint64 size, int type, uint64 fp);
static void watch(uint64 addr, uint64 size, int type, uint64 fp);
static void report(struct access *me, struct access *other, uint64 old, uint64 new);

// ---- The calls the compiler puts before each access ----
//
// Each passes its own frame pointer: the return address saved in its frame
// is in the function that made the access, and the frame pointer saved
// there leads on to that function's callers.
#define FP() ((uint64)__builtin_frame_address(0))

#define PLAIN(size)                                                       \
  void __tsan_read##size(void *a) { access((uint64)a, size, 0, FP()); }  \
  void __tsan_write##size(void *a)                                        \
  { access((uint64)a, size, KCSAN_WRITE, FP()); }                         \
  void __tsan_volatile_read##size(void *a) {}                             \
  void __tsan_volatile_write##size(void *a) {}
#define UNALIGNED(size)                                                   \
  void __tsan_unaligned_read##size(void *a)                               \
  { access((uint64)a, size, 0, FP()); }                                   \
  void __tsan_unaligned_write##size(void *a)                              \
  { access((uint64)a, size, KCSAN_WRITE, FP()); }
PLAIN(1)
PLAIN(2)
PLAIN(4)
PLAIN(8)
PLAIN(16)
UNALIGNED(2)
UNALIGNED(4)
UNALIGNED(8)
UNALIGNED(16)

void
__tsan_read_range(void *a, unsigned long size)
{
  access((uint64)a, size, 0, FP());
}

void
__tsan_write_range(void *a, unsigned long size)
{
  access((uint64)a, size, KCSAN_WRITE, FP());
}

// The instrumentation's constructor calls this; the kernel runs no
// constructors, and kcsan_start does what there is to do.
void
__tsan_init(void)
{
}

// The atomic builtins become calls to these, which must do the operation
// atomically themselves. They do it with the builtins (this file is not
// instrumented), always sequentially consistent: at least as strong as the
// order asked for, which comes as a variable. Loads and stores of every
// size; read-modify-writes of 32 and 64 bits only, the sizes RV64 has
// instructions for (gcc would need libatomic for the others, in every
// build, so no kernel code uses them).
#define SC __ATOMIC_SEQ_CST
#define ATOMIC_LOADSTORE(bits)                                               \
  typedef uint##bits a##bits;                                                \
  a##bits __tsan_atomic##bits##_load(const volatile a##bits *a, int mo)     \
  {                                                                          \
    access((uint64)a, bits / 8, KCSAN_MARKED, FP());                         \
    return __atomic_load_n(a, SC);                                           \
  }                                                                          \
  void __tsan_atomic##bits##_store(volatile a##bits *a, a##bits v, int mo)  \
  {                                                                          \
    access((uint64)a, bits / 8, KCSAN_MARKED | KCSAN_WRITE, FP());           \
    __atomic_store_n(a, v, SC);                                              \
  }
#define ATOMIC_RMW(bits, op, builtin)                                        \
  a##bits __tsan_atomic##bits##_##op(volatile a##bits *a, a##bits v, int mo) \
  {                                                                          \
    access((uint64)a, bits / 8, KCSAN_MARKED | KCSAN_WRITE, FP());           \
    return builtin(a, v, SC);                                                \
  }
#define ATOMIC_CAS(bits, kind)                                               \
  int __tsan_atomic##bits##_compare_exchange_##kind(volatile a##bits *a,     \
      a##bits *expected, a##bits v, int mo, int fmo)                         \
  {                                                                          \
    access((uint64)a, bits / 8, KCSAN_MARKED | KCSAN_WRITE, FP());           \
    return __atomic_compare_exchange_n(a, expected, v, 0, SC, SC);           \
  }
#define ATOMIC_RMWS(bits)                                                    \
  ATOMIC_RMW(bits, exchange, __atomic_exchange_n)                            \
  ATOMIC_RMW(bits, fetch_add, __atomic_fetch_add)                            \
  ATOMIC_RMW(bits, fetch_sub, __atomic_fetch_sub)                            \
  ATOMIC_RMW(bits, fetch_and, __atomic_fetch_and)                            \
  ATOMIC_RMW(bits, fetch_or, __atomic_fetch_or)                              \
  ATOMIC_RMW(bits, fetch_xor, __atomic_fetch_xor)                            \
  ATOMIC_RMW(bits, fetch_nand, __atomic_fetch_nand)                          \
  ATOMIC_CAS(bits, strong)                                                   \
  ATOMIC_CAS(bits, weak)                                                     \
  a##bits __tsan_atomic##bits##_compare_exchange_val(volatile a##bits *a,   \
      a##bits expected, a##bits v, int mo, int fmo)                          \
  {                                                                          \
    access((uint64)a, bits / 8, KCSAN_MARKED | KCSAN_WRITE, FP());           \
    __atomic_compare_exchange_n(a, &expected, v, 0, SC, SC);                 \
    return expected;                                                         \
  }
ATOMIC_LOADSTORE(8)
ATOMIC_LOADSTORE(16)
ATOMIC_LOADSTORE(32)
ATOMIC_LOADSTORE(64)
ATOMIC_RMWS(32)
ATOMIC_RMWS(64)

void
__tsan_atomic_thread_fence(int mo)
{
  __atomic_thread_fence(SC);
}

void
__tsan_atomic_signal_fence(int mo)
{
  __atomic_signal_fence(SC);
}

// ---- Settings, counts, start (for kcsandev.c) ----

// Watch about one access in n on each CPU (0: none).
void
kcsan_setinterval(uint n)
{
  __atomic_store_n(&interval, n, __ATOMIC_RELAXED);
}

// Make each watch last us microseconds.
void
kcsan_setdelay(uint us)
{
  __atomic_store_n(&delayus, us, __ATOMIC_RELAXED);
}

void
kcsan_getcounts(struct kcsancounts *c, uint *ninterval, uint *ndelay)
{
  c->watched = __atomic_load_n(&counts.watched, __ATOMIC_RELAXED);
  c->full = __atomic_load_n(&counts.full, __ATOMIC_RELAXED);
  c->races = __atomic_load_n(&counts.races, __ATOMIC_RELAXED);
  c->reported = __atomic_load_n(&counts.reported, __ATOMIC_RELAXED);
  c->testwatched = __atomic_load_n(&counts.testwatched, __ATOMIC_RELAXED);
  c->testraces = __atomic_load_n(&counts.testraces, __ATOMIC_RELAXED);
  *ninterval = __atomic_load_n(&interval, __ATOMIC_RELAXED);
  *ndelay = __atomic_load_n(&delayus, __ATOMIC_RELAXED);
}

// Turn the detector on; races on [lo, hi), the self-test's variables, are
// also counted on their own. Called once, by hart 0, before the other
// harts start.
void
kcsan_start(uint64 lo, uint64 hi)
{
  for(int i = 0; i < NCPU; i++){
    kcpu[i].sampler.seed = 0x9e3779b97f4a7c15ULL * (i + 1);
    kcpu[i].sampler.left = KCSAN_INTERVAL;
  }
  testlo = lo;
  testhi = hi;
  __atomic_store_n(&on, 1, __ATOMIC_SEQ_CST);
}

// ---- Checking and watching ----

static void
count(uint64 *counter)
{
  __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
}

// Every instrumented access comes here: check it against the watchpoints,
// and now and then watch it. Inlined in each __tsan_ function, with the
// rare paths out of line, so that most accesses cost a few loads.
static inline __attribute__((always_inline)) void
access(uint64 addr, uint64 size, int type, uint64 fp)
{
  if(!__atomic_load_n(&on, __ATOMIC_RELAXED) || panicked || size == 0)
    return;
  struct kcpu *k = &kcpu[r_tp()];
  if(__atomic_load_n(&k->busy, __ATOMIC_RELAXED))
    return;
  if(__atomic_load_n(&nwatching, __ATOMIC_RELAXED) > 0)
    check(addr, size, type, fp);
  if(!(type & KCSAN_MARKED) &&
     sampler_tick(&k->sampler, __atomic_load_n(&interval, __ATOMIC_RELAXED)))
    watch(addr, size, type, fp);
}

// Check an access against every watchpoint.
static void
check(uint64 addr, uint64 size, int type, uint64 fp)
{
  for(struct slot *s = slots; s < slots + NWATCH; s++){
    uint64 w = __atomic_load_n(&s->watch, __ATOMIC_RELAXED);
    if(watch_conflicts(w, addr, size, type))
      hit(s, w, addr, size, type, fp);
  }
}

// Fill in a: the access, the backtrace from the instrumentation call whose
// frame pointer is fp, and the spinlocks this CPU holds. Interrupts are off.
static void
record(struct access *a, uint64 addr, uint64 size, int type, uint64 fp)
{
  int n;
  struct heldlock *h = lockhook_held(cpuid(), &n);
  int first = n > NLOCKS ? n - NLOCKS : 0;

  a->addr = addr;
  a->size = size;
  a->type = type;
  a->cpu = cpuid();
  a->npcs = backtrace(fp, a->pcs, NPCS);
  if(a->npcs == 0)
    a->pcs[0] = 0;   // the location reports are told apart by
  a->nlocks = n;
  for(int i = first; i < n; i++)
    a->locks[i - first] = h[i];
}

// Make this CPU busy, with interrupts off, while it records or watches an
// access: nothing else then runs on it, and the accesses it makes itself
// (printf's locks, a struct copy) are ignored. Returns its state, and
// whether interrupts were on in *wason; 0 if it is busy already.
static struct kcpu *
enter(int *wason)
{
  *wason = intr_get();
  intr_off();
  struct kcpu *k = &kcpu[cpuid()];
  if(k->busy){
    if(*wason)
      intr_on();
    return 0;
  }
  __atomic_store_n(&k->busy, 1, __ATOMIC_RELAXED);
  return k;
}

static void
leave(struct kcpu *k, int wason)
{
  __atomic_store_n(&k->busy, 0, __ATOMIC_RELAXED);
  if(wason)
    intr_on();
}

// This CPU's access raced with watchpoint w of slot s: record its side, if
// no other CPU has. (The owner waits for HIT_RECORDED with interrupts off,
// so this must not be interrupted in between.)
static void
hit(struct slot *s, uint64 w, uint64 addr, uint64 size, int type, uint64 fp)
{
  int wason, none = HIT_NONE;
  struct kcpu *k = enter(&wason);

  if(k == 0)
    return;
  if(__atomic_compare_exchange_n(&s->hit, &none, HIT_CLAIMED, 0,
                                 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)){
    // This CPU may have been held up between its look at the slot and its
    // claim (QEMU's harts are host threads), and the slot been taken again
    // meanwhile. Claimed, it cannot change: look again.
    if(__atomic_load_n(&s->watch, __ATOMIC_RELAXED) == w){
      record(&s->other, addr, size, type, fp);
      __atomic_store_n(&s->hit, HIT_RECORDED, __ATOMIC_RELEASE);
    } else {
      __atomic_store_n(&s->hit, HIT_NONE, __ATOMIC_RELEASE);
    }
  }
  leave(k, wason);
}

// The value of the size bytes at addr, if the detector can compare it
// before and after a watch: an access of at most 8 bytes to RAM (reading a
// device register may have effects). Otherwise 0.
static uint64
value(uint64 addr, uint64 size)
{
  uint64 v = 0;

  if(size > 8 || addr < KERNBASE)
    return 0;
  for(uint64 i = 0; i < size; i++)
    v |= (uint64)((volatile uchar *)addr)[i] << (8 * i);
  return v;
}

// Take a free watchpoint slot for w; 0 if they are all in use.
static struct slot *
claim(uint64 w)
{
  for(struct slot *s = slots; s < slots + NWATCH; s++){
    uint64 free = 0;
    if(__atomic_compare_exchange_n(&s->watch, &free, w, 0,
                                   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
      return s;
  }
  return 0;
}

static int
intest(uint64 addr, uint64 size)
{
  return testhi > testlo && overlap(addr, size, testlo, testhi - testlo);
}

// Wait delayus microseconds.
static void
pause(void)
{
  uint64 end = nsecs() + 1000ULL * __atomic_load_n(&delayus, __ATOMIC_RELAXED);

  while(nsecs() < end)
    cpu_relax();
}

// Watch this CPU's access for delayus microseconds, and report what raced
// with it.
static void
watch(uint64 addr, uint64 size, int type, uint64 fp)
{
  int wason;
  struct kcpu *k = enter(&wason);
  uint64 w = watch_make(addr, size, type);
  struct slot *s;

  if(k == 0)
    return;
  if(w == 0 || (s = claim(w)) == 0){
    if(w)
      count(&counts.full);   // skip this sample
    leave(k, wason);
    return;
  }
  __atomic_store_n(&s->hit, HIT_NONE, __ATOMIC_RELEASE);
  __atomic_add_fetch(&nwatching, 1, __ATOMIC_RELEASE);
  count(&counts.watched);
  if(intest(addr, size))
    count(&counts.testwatched);

  uint64 old = value(addr, size);
  pause();
  uint64 new = value(addr, size);
  // Changed, but by no CPU seen: the writer may have checked its access
  // just before the watchpoint was up. Watch as long again, which may
  // catch it (or another) at its next access, and name it.
  if(new != old && __atomic_load_n(&s->hit, __ATOMIC_RELAXED) == HIT_NONE)
    pause();

  // Close the watch, or find the other side recorded; a claim still being
  // recorded (or being given up) is waited for.
  int state = HIT_NONE;
  while(!__atomic_compare_exchange_n(&s->hit, &state, HIT_CLOSED, 0,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) &&
        state != HIT_RECORDED){
    state = HIT_NONE;
    cpu_relax();
  }
  int seen = state == HIT_RECORDED;
  __atomic_sub_fetch(&nwatching, 1, __ATOMIC_RELEASE);

  if(seen || old != new){
    struct access me;
    record(&me, addr, size, type, fp);
    count(&counts.races);
    if(intest(addr, size))
      count(&counts.testraces);
    report(&me, seen ? &s->other : 0, old, new);
  }
  __atomic_store_n(&s->watch, 0, __ATOMIC_RELEASE);
  leave(k, wason);
}

// ---- Reports ----

static void
printaccess(struct access *a, char *how)
{
  printf("%s%s of %d byte%s at %p by cpu %d%s\n", (a->type & KCSAN_MARKED) ? "atomic " : "",
         (a->type & KCSAN_WRITE) ? "write" : "read", (int)a->size, a->size == 1 ? "" : "s",
         (void *)a->addr, a->cpu, how);
  for(int i = 0; i < a->npcs; i++)
    printksym("  ", a->pcs[i]);
  if(a->nlocks == 0)
    printf("  holding no spinlock\n");
  if(a->nlocks > NLOCKS)
    printf("  holding %d spinlocks, the innermost:\n", a->nlocks);
  for(int i = 0; i < NLOCKS && i < a->nlocks; i++){
    printf("  holding spinlock %s, taken at ", a->locks[i].lock->name);
    printksym("", a->locks[i].pc);
  }
}

// Report the race of this CPU's watched access me with other, or, if no
// other CPU was seen, with an unseen write that took the value from old
// to new; unless the same pair of code locations was reported before.
// Interrupts are off.
static void
report(struct access *me, struct access *other, uint64 old, uint64 new)
{
  static int fullsaid;

  while(__atomic_exchange_n(&reporting, 1, __ATOMIC_ACQUIRE))
    cpu_relax();
  int fresh = pairset_add(&reported, me->pcs[0], other ? other->pcs[0] : 0);
  if(fresh > 0){
    count(&counts.reported);
    printf("== race detected ==\n");
    printaccess(me, ", watched:");
    printf("races with\n");
    if(other)
      printaccess(other, ":");
    else
      printf("a write the detector cannot see (code not instrumented, data_race(), or a\n"
             "device): the value went from %p to %p while it watched\n",
             (void *)old, (void *)new);
  } else if(fresh < 0 && !fullsaid){
    fullsaid = 1;
    printf("kcsan: %d races reported; later ones are only counted (see /kcsan)\n",
           NREPORTED);
  }
  __atomic_store_n(&reporting, 0, __ATOMIC_RELEASE);
}
