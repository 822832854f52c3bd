// rwlktest(): the self-test of the read-write spinlocks (rwspinlock.c),
// run by one process on every CPU at once (user/rwlktest starts them).
//
// The callers form a round: each joins from the CPU it is on, and the round
// starts once every CPU has a caller. Then all of them run the checks below
// together, with interrupts off, meeting at barriers between checks. Each
// caller returns 0 if every check it made passed; otherwise -1, after
// saying on the console what went wrong.
//
//   overlap    all CPUs hold lock A for reading at the same moment
//   exclusion  each CPU in turn holds A for writing while the others arrive,
//              to read or to write: none gets in before it releases
//   priority   for each CPU i in turn: CPU i holds A for reading, CPU i+1
//              arrives to write, and then CPU i+2 arrives to read (with two
//              CPUs, CPU i lets go and arrives again): the writer gets in
//              before that reader
//   writers    every CPU writes A over and over: never two at once, and no
//              update is lost
//   nesting    every CPU takes B for writing while it holds A for reading
//   mixed      every CPU reads and writes A at random: a writer finds no one
//              else inside, a reader no writer
//
// "Arrives" is what the lock counts (rwarrivals): a CPU that must come after
// another's arrival waits until the lock has counted it, so the orders are
// exactly the lock's. A caller whose CPU is taken in the round being
// formed, or that comes while a round runs, waits for the next round: so
// several rwlktest programs, or other programs, may run at the same time.
//
// Nothing waits forever. A round being formed is cancelled, failing its
// callers, when no new caller has come for GATHER; a round underway gives
// up, failing them all, when it has made no progress for PATIENCE. A round
// that gave up midway may have left its locks held, so every later call
// fails until the next boot.

#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "defs.h"

#define SECOND    1000000000ULL   // in nsecs()
#define GATHER    (10 * SECOND)   // a forming round gives up after this long without a new caller
#define PATIENCE  (10 * SECOND)   // a round gives up after this long without progress
#define NOPS      100             // acquires per CPU in the writers, nesting and mixed checks

static struct rwspinlock locka, lockb;

// Rounds are formed under roundlock, which protects round. Lock order:
// roundlock, then p->lock (callers waiting for a round sleep on it).
static struct spinlock roundlock;
static struct {
  enum { NOROUND, FORMING, UNDERWAY, CANCELLED } state;
  int ncpu;             // CPUs in this round: every CPU there is
  uint joined;          // mask of the CPUs whose caller has joined
  int inside;           // callers that joined and have not left yet
  uint64 deadline;      // nsecs() when forming gives up
  int broken;           // a round gave up midway: its locks may be held
} round;

// What the CPUs of a running round share. Cleared before each round, and
// then used only by the round's CPUs, with atomics, except where a
// comment says which lock protects a field.
static struct {
  int ncpu;
  int gaveup;           // some CPU gave up waiting: everyone stops
  uint progress;        // entries into A and arrivals at barriers, so far
  uint barrier;         // arrivals at barriers
  int readers;          // CPUs inside A for reading
  int writers;          // CPUs inside A for writing
  uint overlap;         // readers that got in, in the overlap check
  uint writing;         // i + 1 once CPU i holds A in the exclusion check
  uint got;             // CPUs that got in while others waited, in the exclusion check
  uint held;            // i + 1 once the reader of rotation i holds A, in the priority check
  uint writerin;        // i + 1 once the writer of rotation i got in
  uint64 data;          // protected by A (written under its write lock)
  uint64 bdata;         // protected by B
  uint64 mixdata;       // protected by A
  uint64 mixwrites;     // writes done in the mixed check
} t;

// One caller's view of its round.
struct self {
  int cpu;              // the CPU it runs on, which is also its number in the round
  int ok;               // every check it made so far passed
  uint barriers;        // barriers it has passed
  uint64 rng;
};

static int join(void);
static int leave(void);
static void runchecks(struct self *s);

void
rwlktestinit(void)
{
  initlock(&roundlock, "rwlktest");
  initrwlock(&locka, "rwlktest A");
  initrwlock(&lockb, "rwlktest B");
}

// rwlktest(): returns 0 if every check this CPU made passed, else -1.
uint64
sys_rwlktest(void)
{
  struct proc *p = myproc();
  int oldpin = __atomic_load_n(&p->pin, __ATOMIC_RELAXED);
  struct self s = { 0 };

  int joined = join();
  if(joined == 1){
    push_off();
    s.cpu = cpuid();
    s.ok = 1;
    s.rng = 0x9e3779b97f4a7c15ULL * (s.cpu + 1);
    runchecks(&s);
    pop_off();
  }
  if(joined >= 0 && !leave())
    s.ok = 0;
  cpupin(oldpin);
  return s.ok ? 0 : -1;
}

// ---- forming rounds ----

// The round's state is read without roundlock by callers waiting for it to
// start, so it is changed atomically (still under roundlock).
static void
setstate(int state)
{
  __atomic_store_n(&round.state, state, __ATOMIC_RELEASE);
}

// Join a round from this CPU and wait for the round to start. The process
// stays pinned to this CPU until it leaves. Returns 1 once the round has
// started, 0 if it was cancelled (leave() it all the same), or -1 if this
// caller is in no round.
static int
join(void)
{
  struct proc *p = myproc();

  if(__atomic_load_n(&ncpu, __ATOMIC_RELAXED) < 2){
    printf("rwlktest: needs at least 2 CPUs\n");
    return -1;
  }
  acquire(&roundlock);
  for(;;){
    if(round.broken){
      printf("rwlktest: an earlier round gave up midway; reboot to test again\n");
      goto out;
    }
    if(round.state == NOROUND){
      setstate(FORMING);
      round.ncpu = __atomic_load_n(&ncpu, __ATOMIC_RELAXED);
      round.joined = 0;
      memset(&t, 0, sizeof(t));
      t.ncpu = round.ncpu;
    }
    if(round.state == FORMING && (round.joined & (1 << cpuid())) == 0)
      break;
    if(killed(p))
      goto out;
    // Our CPU has a caller in the round being formed, or a round is
    // underway: wait for it to end.
    sleep(&round, &roundlock);
  }

  int cpu = cpuid();
  round.joined |= 1 << cpu;
  round.inside++;
  __atomic_store_n(&round.deadline, nsecs() + GATHER, __ATOMIC_RELAXED);
  if(round.joined == (1U << round.ncpu) - 1)
    setstate(UNDERWAY);
  release(&roundlock);

  // Stay on this CPU, and wait for a caller on every other one, without
  // holding roundlock, which they need to join.
  cpupin(cpu);
  for(;;){
    while(__atomic_load_n(&round.state, __ATOMIC_ACQUIRE) == FORMING && !killed(p) &&
          nsecs() < __atomic_load_n(&round.deadline, __ATOMIC_RELAXED))
      yield();
    acquire(&roundlock);
    if(round.state != FORMING)
      break;
    if(killed(p)){
      round.joined &= ~(1 << cpu);
      if(--round.inside == 0)
        setstate(NOROUND);
      wakeup(&round);   // a caller may now join from this CPU
      goto out;
    }
    if(nsecs() > round.deadline){
      printf("rwlktest: no caller came for %d s, and %d CPUs are waiting for one\n",
             (int)(GATHER / SECOND), round.ncpu - round.inside);
      setstate(CANCELLED);
      break;
    }
    release(&roundlock);
  }
  int started = round.state == UNDERWAY;
  release(&roundlock);
  return started;

out:
  release(&roundlock);
  return -1;
}

// Leave the round this caller joined. Returns 0 if the round gave up
// midway, else 1.
static int
leave(void)
{
  int ok = 1;

  acquire(&roundlock);
  if(__atomic_load_n(&t.gaveup, __ATOMIC_RELAXED)){
    round.broken = 1;
    ok = 0;
  }
  if(--round.inside == 0){
    setstate(NOROUND);
    wakeup(&round);
  }
  release(&roundlock);
  return ok;
}

// ---- helpers of the checks ----

static void
fail(struct self *s, char *what)
{
  printf("rwlktest: cpu %d: %s\n", s->cpu, what);
  s->ok = 0;
}

// Should this CPU stop waiting? It should once some CPU has given up, and
// it gives up itself, saying what it waited for, when the round has made no
// progress for PATIENCE (a hang, not a slow host: every entry into A and
// arrival at a barrier counts). *seen and *deadline belong to the caller's
// wait; *seen starts as ~0.
static int
stop(struct self *s, uint *seen, uint64 *deadline, char *what)
{
  if(__atomic_load_n(&t.gaveup, __ATOMIC_SEQ_CST))
    return 1;
  uint progress = __atomic_load_n(&t.progress, __ATOMIC_RELAXED);
  if(progress != *seen){
    *seen = progress;
    *deadline = nsecs() + PATIENCE;
  } else if(nsecs() > *deadline){
    __atomic_store_n(&t.gaveup, 1, __ATOMIC_SEQ_CST);
    fail(s, what);
    return 1;
  }
  return 0;
}

// Spin until *v >= target. Returns 1, or 0 if the round stops.
static int
waitfor(struct self *s, uint *v, uint target, char *what)
{
  uint seen = ~0;
  uint64 deadline = 0;

  while(!stop(s, &seen, &deadline, what)){
    if(__atomic_load_n(v, __ATOMIC_SEQ_CST) >= target)
      return 1;
    cpu_relax();
  }
  return 0;
}

// Wait until all the round's CPUs have reached this barrier.
static int
barrier(struct self *s)
{
  s->barriers++;
  __atomic_add_fetch(&t.progress, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&t.barrier, 1, __ATOMIC_SEQ_CST);
  return waitfor(s, &t.barrier, s->barriers * t.ncpu, "gave up waiting at a barrier");
}

// Start a turn of a check: once every CPU has finished the last turn, note
// A's counts of arrivals before anyone arrives again. Returns 0 if some CPU
// gave up.
static int
turnstart(struct self *s, uint *r0, uint *w0)
{
  if(!barrier(s))
    return 0;
  rwarrivals(&locka, r0, w0);
  return barrier(s);
}

// Spin until lk has counted at least nr more readers and nw more writers
// than r0 and w0. Returns 1, or 0 if the round stops.
static int
waitarrivals(struct self *s, struct rwspinlock *lk, uint r0, uint w0, uint nr, uint nw)
{
  uint seen = ~0;
  uint64 deadline = 0;

  while(!stop(s, &seen, &deadline, "the others never arrived at the lock")){
    uint r, w;
    rwarrivals(lk, &r, &w);
    if(r - r0 >= nr && w - w0 >= nw)
      return 1;
    cpu_relax();
  }
  return 0;
}

// Count ourselves in or out of A, checking who else is inside. Sequentially
// consistent, so that of a reader and a writer inside at once, at least one
// sees the other.
static void
enter_read(struct self *s)
{
  __atomic_add_fetch(&t.progress, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&t.readers, 1, __ATOMIC_SEQ_CST);
  if(__atomic_load_n(&t.writers, __ATOMIC_SEQ_CST) != 0)
    fail(s, "a reader got in while a writer held the lock");
}

static void
leave_read(void)
{
  __atomic_sub_fetch(&t.readers, 1, __ATOMIC_SEQ_CST);
}

static void
enter_write(struct self *s)
{
  __atomic_add_fetch(&t.progress, 1, __ATOMIC_RELAXED);
  if(__atomic_add_fetch(&t.writers, 1, __ATOMIC_SEQ_CST) != 1 ||
     __atomic_load_n(&t.readers, __ATOMIC_SEQ_CST) != 0)
    fail(s, "a writer got in while others held the lock");
}

static void
leave_write(void)
{
  __atomic_sub_fetch(&t.writers, 1, __ATOMIC_SEQ_CST);
}

static uint64
rand(struct self *s)
{
  s->rng ^= s->rng << 13;
  s->rng ^= s->rng >> 7;
  s->rng ^= s->rng << 17;
  return s->rng;
}

// ---- the checks ----

static void
overlap(struct self *s)
{
  read_acquire(&locka);
  enter_read(s);
  __atomic_add_fetch(&t.overlap, 1, __ATOMIC_SEQ_CST);
  // No one lets go before everyone is in, so reaching the count means that
  // all were inside at once.
  waitfor(s, &t.overlap, t.ncpu, "readers were not all let in together");
  leave_read();
  read_release(&locka);
}

static void
exclusion(struct self *s)
{
  int n = t.ncpu;

  for(int w = 0; w < n; w++){
    uint r0, w0;
    if(!turnstart(s, &r0, &w0))
      return;
    if(s->cpu == w){
      write_acquire(&locka);
      enter_write(s);
      __atomic_store_n(&t.writing, w + 1, __ATOMIC_SEQ_CST);
      // The others arrive (see below) and wait; ourselves too.
      uint nr = 0;
      for(int c = 0; c < n; c++)
        nr += c != w && (c + w) % 2 == 1;
      waitarrivals(s, &locka, r0, w0, nr, n - nr);
      if(__atomic_load_n(&t.got, __ATOMIC_SEQ_CST) != w * (n - 1))
        fail(s, "another CPU got in while this one held the lock for writing");
      leave_write();
      write_release(&locka);
    } else {
      if(!waitfor(s, &t.writing, w + 1, "the writer never got in"))
        return;
      if((s->cpu + w) % 2 == 1){
        read_acquire(&locka);
        enter_read(s);
        __atomic_add_fetch(&t.got, 1, __ATOMIC_SEQ_CST);
        leave_read();
        read_release(&locka);
      } else {
        write_acquire(&locka);
        enter_write(s);
        __atomic_add_fetch(&t.got, 1, __ATOMIC_SEQ_CST);
        leave_write();
        write_release(&locka);
      }
    }
  }
}

// The late reader of the priority check: it arrives after the writer and
// must find that the writer has been in.
static void
latereader(struct self *s, uint rotation)
{
  read_acquire(&locka);
  enter_read(s);
  if(__atomic_load_n(&t.writerin, __ATOMIC_SEQ_CST) != rotation)
    fail(s, "a reader that arrived after a waiting writer got in first");
  leave_read();
  read_release(&locka);
}

static void
priority(struct self *s)
{
  int n = t.ncpu;

  for(int i = 0; i < n; i++){
    int reader = i, writer = (i + 1) % n, late = (i + 2) % n;
    uint r0, w0;
    if(!turnstart(s, &r0, &w0))
      return;
    if(s->cpu == reader){
      read_acquire(&locka);
      enter_read(s);
      __atomic_store_n(&t.held, i + 1, __ATOMIC_SEQ_CST);
      // Hold it until the writer waits, and the late reader too if it is
      // another CPU.
      waitarrivals(s, &locka, r0, w0, late == reader ? 1 : 2, 1);
      leave_read();
      read_release(&locka);
      if(late == reader)
        latereader(s, i + 1);
    } else if(s->cpu == writer){
      if(!waitfor(s, &t.held, i + 1, "the first reader never got in"))
        return;
      write_acquire(&locka);
      enter_write(s);
      __atomic_store_n(&t.writerin, i + 1, __ATOMIC_SEQ_CST);
      leave_write();
      write_release(&locka);
    } else if(s->cpu == late){
      if(!waitarrivals(s, &locka, r0, w0, 1, 1))
        return;
      latereader(s, i + 1);
    }
  }
}

static void
writers(struct self *s)
{
  for(int i = 0; i < NOPS; i++){
    write_acquire(&locka);
    enter_write(s);
    t.data++;
    leave_write();
    write_release(&locka);
  }
  if(barrier(s) && t.data != (uint64)NOPS * t.ncpu)
    fail(s, "writers lost updates: they were not alone");
}

static void
nesting(struct self *s)
{
  for(int i = 0; i < NOPS; i++){
    read_acquire(&locka);
    enter_read(s);
    write_acquire(&lockb);
    t.bdata++;
    write_release(&lockb);
    leave_read();
    read_release(&locka);
  }
  if(barrier(s) && t.bdata != (uint64)NOPS * t.ncpu)
    fail(s, "writers of B under A lost updates");
}

static void
mixed(struct self *s)
{
  for(int i = 0; i < NOPS; i++){
    if(rand(s) % 4 == 0){
      write_acquire(&locka);
      enter_write(s);
      t.mixdata++;
      leave_write();
      write_release(&locka);
      __atomic_add_fetch(&t.mixwrites, 1, __ATOMIC_RELAXED);
    } else {
      read_acquire(&locka);
      enter_read(s);
      leave_read();
      read_release(&locka);
    }
  }
  if(barrier(s) && t.mixdata != __atomic_load_n(&t.mixwrites, __ATOMIC_RELAXED))
    fail(s, "writers lost updates among readers");
}

static void
runchecks(struct self *s)
{
  static void (*checks[])(struct self *) = {
    overlap, exclusion, priority, writers, nesting, mixed,
  };

  for(int i = 0; i < NELEM(checks); i++){
    if(!barrier(s))
      return;
    checks[i](s);
  }
  barrier(s);
}
