// The lock-order checker, in kernels built with make LOCKDEP=1: it finds
// deadlocks before they happen. Two CPUs deadlock when each holds a lock
// the other waits for, which needs them to take the two locks in opposite
// orders at exactly the wrong moment; tests rarely hit that moment, but
// each of the two orders shows up the first time its code runs.
//
// So the checker keeps a graph of lock classes (lockgraph.c; a class is
// all the locks of one name and kind, see lockstat.c): an edge A -> B each
// time a lock of class B is taken while the innermost lock held is of
// class A. An edge that would close a cycle is a deadlock waiting to
// happen, and it is reported at once, before the acquire waits. Also
// reported:
//   - taking a second lock of a class already held, which deadlocks when
//     two CPUs take two such locks in opposite orders, unless the outer
//     one declares the nesting (lockdep_nest, see lockdep.h);
//   - releasing a lock not held;
//   - sleeping, in sleep() or for a sleep lock, while holding a spinlock
//     other than the one sleep() releases;
//   - returning to user space with a lock held.
//
// Each CPU's spinlocks and rwspinlocks are on lockhook.c's stack of held
// locks; each process's sleep locks are kept here. A report turns the
// checker off, since one bug tends to set off a cascade of reports, and
// the kernel goes on (with make LOCKDEP=panic it panics); what each CPU
// and process holds is still kept up to date, so the checker could go on.
// Only the self-tests turn it back on.
//
// The device /lockorder (major LOCKORDER) prints the checker's state and its
// graph when read (the lockdep program), and runs a self-test when one's
// name is written to it (lockdeptest).

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "lockhook.h"
#include "lockgraph.h"
#include "proc.h"
#include "fs.h"
#include "file.h"
#include "defs.h"

// The kinds of report, numbered for lastkind.
enum { R_CYCLE = 1, R_RECURSIVE, R_SLEEP, R_UNHELD, R_USERRET, R_FULL };
static char *titles[] = {
  [R_CYCLE]     "possible circular locking dependency",
  [R_RECURSIVE] "recursive locking",
  [R_SLEEP]     "sleeping while holding a spinlock",
  [R_UNHELD]    "releasing a lock not held",
  [R_USERRET]   "returning to user space with locks held",
  [R_FULL]      "too many lock dependencies to keep track of",
};

// The checker is on while armed is set; the CPU that clears it makes the
// report, so that reports never interleave. That CPU alone writes
// nreports, lastkind and lastbytest; the device reads them without a lock.
// testpid is the process running a self-test, from the moment it asks for
// one until it next returns to user space: its reports are the test's.
static int armed = 1;
static int nreports;
static int lastkind;
static int lastbytest;
static int testpid;

// The sleep locks each process holds, innermost last. Only the process
// itself uses its entry, so it needs no lock; interrupt handlers, which
// borrow its stack, leave it alone (see intr). An entry is found by its
// process's struct proc, which never moves (see heldof); pid tells whether
// the entry is still about the process now in that struct proc.
#define NHELDSLEEP 8
static struct sleepheld {
  struct proc *proc;    // claimed once, with an atomic compare-and-swap
  int pid;
  int n;
  struct heldlock lock[NHELDSLEEP];
} sleepheld[NPROC];

// intr[c] is set while CPU c runs an interrupt handler. Only CPU c uses it.
static int intr[NCPU];

// What the running CPU and process hold: the context of an acquire.
struct mylocks {
  struct heldlock *spin;    // the CPU's spinlocks and rwspinlocks
  int nspin;
  struct sleepheld *sleep;  // the process's sleep locks; 0 if there is no
                            // process, or in an interrupt handler
};

static void mine(struct mylocks *my);
static struct heldlock *findheld(struct mylocks *my, struct lockinfo *lk);
static int mypid(struct mylocks *my);
static void checkorder(struct mylocks *my, struct lockattempt *a);
static int startreport(int kind);
static void endreport(void);
static void printmine(struct mylocks *my);
static char *pad(char *s, int w);
static void printlock(struct mylocks *my, struct lockinfo *lk, int depth, uint64 pc,
                      char *note);

// Called by lockhook_begin before an acquire waits for a->lock: find its
// depth among nested locks (a->depth), and check it. Interrupts may be on
// (a sleep lock): they go off while we look at this CPU's locks.
void
lockdep_acquire(struct lockattempt *a)
{
  struct lockinfo *lk = a->lock;
  struct mylocks my;
  struct heldlock *list = 0, *same = 0;
  int n = 0, recursive = 0;

  push_off();
  mine(&my);
  // Locks of lk's class can only be on the list lk goes on.
  if(lk->kind != LOCK_SLEEP){
    list = my.spin;
    n = my.nspin;
  } else if(my.sleep){
    list = my.sleep->lock;
    n = my.sleep->n;
  }
  for(int i = n - 1; i >= 0 && !recursive; i--){
    if(list[i].lock == lk){
      same = &list[i];
      recursive = 1;
    } else if(same == 0 && lk->class != 0 && list[i].lock->class == lk->class){
      same = &list[i];
    }
  }
  if(same && !recursive){
    if(same->nestable && same->depth + 1 < LOCKDEP_DEPTH)
      a->depth = same->depth + 1;
    else
      recursive = 1;
  }

  if(!__atomic_load_n(&armed, __ATOMIC_RELAXED)){
    // Off: only keep track.
  } else if(recursive){
    if(startreport(R_RECURSIVE)){
      printmine(&my);
      printlock(&my, lk, a->depth, a->pc, "<- taking now, one of its class is held");
      endreport();
    }
  } else if(lk->kind == LOCK_SLEEP && my.nspin > 0){
    if(startreport(R_SLEEP)){
      printmine(&my);
      printlock(&my, lk, a->depth, a->pc, "<- taking now: it may sleep");
      endreport();
    }
  } else if(lk->class != 0){
    checkorder(&my, a);
  }
  pop_off();
}

// Called by lockhook_acquired once a->lock is held: keep the process's
// sleep locks. (lockhook.c keeps each CPU's spinlocks.)
void
lockdep_acquired(struct lockattempt *a)
{
  struct mylocks my;

  if(a->lock->kind != LOCK_SLEEP)
    return;
  push_off();
  mine(&my);
  if(my.sleep == 0)
    panic("lockdep: a sleep lock taken outside a process");
  if(my.sleep->n == NHELDSLEEP)
    panic("lockdep: a process holds more than NHELDSLEEP sleep locks");
  my.sleep->lock[my.sleep->n++] =
    (struct heldlock){ a->lock, a->shared, a->pc, a->lock->since, a->depth, 0 };
  pop_off();
}

// Called by lockhook_release before lk is let go: it must be held.
void
lockdep_release(struct lockinfo *lk, int shared)
{
  struct mylocks my;

  push_off();
  mine(&my);
  struct heldlock *h = findheld(&my, lk);
  if(h && lk->kind == LOCK_SLEEP){
    // Off the process's list, closing the gap.
    for(; h + 1 < my.sleep->lock + my.sleep->n; h++)
      *h = *(h + 1);
    my.sleep->n--;
  } else if(h == 0 && __atomic_load_n(&armed, __ATOMIC_RELAXED) && startreport(R_UNHELD)){
    printmine(&my);
    printlock(&my, lk, 0, 0, "<- releasing now");
    endreport();
  }
  pop_off();
}

// Called by sleep() before it releases lk and gives up the CPU: no other
// spinlock may be held (sched() would panic anyway, but say less).
void
lockdep_sleep(struct lockinfo *lk)
{
  struct mylocks my;

  push_off();
  mine(&my);
  int others = my.nspin - (findheld(&my, lk) != 0);
  if(others > 0 && __atomic_load_n(&armed, __ATOMIC_RELAXED) && startreport(R_SLEEP)){
    printmine(&my);
    printlock(&my, lk, 0, 0, "<- sleep() releases only this one");
    endreport();
  }
  pop_off();
}

// Called before returning to user space, where nothing may be held: user
// code could keep a lock forever.
void
lockdep_userret(void)
{
  struct mylocks my;

  push_off();
  mine(&my);
  if((my.nspin > 0 || (my.sleep && my.sleep->n > 0)) &&
     __atomic_load_n(&armed, __ATOMIC_RELAXED) && startreport(R_USERRET)){
    printmine(&my);
    endreport();
  }
  // A self-test's process is back in user space: its test is over.
  if(mypid(&my) == __atomic_load_n(&testpid, __ATOMIC_RELAXED))
    __atomic_store_n(&testpid, 0, __ATOMIC_RELAXED);
  pop_off();
}

// An interrupt handler starts (in = 1) or ends (in = 0) on this CPU.
// Interrupts are off.
void
lockdep_intr(int in)
{
  intr[cpuid()] = in;
}

// Declare that locks of outer's class taken while outer is held nest
// inside it on purpose (see lockdep.h). The caller holds outer.
void
lockdep_nest(struct lockinfo *outer)
{
  struct mylocks my;

  push_off();
  mine(&my);
  struct heldlock *h = findheld(&my, outer);
  if(h == 0)
    lockpanic("lockdep_nest: not held", outer);
  h->nestable = 1;
  pop_off();
}

// ---- what is held ----

// The entry of process p, claimed on first use.
static struct sleepheld *
heldof(struct proc *p)
{
  // Start where p's index in the process table lands, since the struct
  // procs are an array: that is almost always p's entry.
  int i = (uint64)p / sizeof(struct proc) % NPROC;

  for(int tries = 0; tries < NPROC; tries++, i = (i + 1) % NPROC){
    struct sleepheld *s = &sleepheld[i];
    struct proc *owner = __atomic_load_n(&s->proc, __ATOMIC_RELAXED);
    if(owner == 0 && __atomic_compare_exchange_n(&s->proc, &owner, p, 0, __ATOMIC_RELAXED,
                                                 __ATOMIC_RELAXED))
      owner = p;
    if(owner == p){
      if(s->pid != p->pid){
        // A new process in p: what the old one held is not its own.
        s->pid = p->pid;
        s->n = 0;
      }
      return s;
    }
  }
  panic("lockdep: more struct procs than NPROC");
}

// Fill in what this CPU and process hold. Interrupts are off.
static void
mine(struct mylocks *my)
{
  struct proc *p = myproc();

  my->spin = lockhook_held(cpuid(), &my->nspin);
  my->sleep = (p && !intr[cpuid()]) ? heldof(p) : 0;
}

// lk's entry on the list of my locks where it belongs, the innermost if
// several; 0 if it is not held.
static struct heldlock *
findheld(struct mylocks *my, struct lockinfo *lk)
{
  struct heldlock *list = my->spin;
  int n = my->nspin;

  if(lk->kind == LOCK_SLEEP){
    list = my->sleep ? my->sleep->lock : 0;
    n = my->sleep ? my->sleep->n : 0;
  }
  for(int i = n - 1; i >= 0; i--)
    if(list[i].lock == lk)
      return &list[i];
  return 0;
}

// The pid of the process whose locks these are, or 0.
static int
mypid(struct mylocks *my)
{
  return my->sleep ? my->sleep->pid : 0;
}

// ---- the order of locks ----

static int
node(int class, int depth)
{
  return depth * NLOCKCLASS + class;
}

// Cycles longer than this are reported only in part.
#define NPATH 12

static void printnode(int n, uint64 pc, int cpu, int pid);
static void printcallers(uint64 *callers);

// Fill in the n calls that led to the function holding pc, which called
// acquire (up the stack from here), innermost first; 0 after the last.
static void
callersof(uint64 pc, uint64 *callers, int n)
{
  uint64 pcs[16];
  int k = backtrace(r_fp(), pcs, NELEM(pcs));
  int i = 0;

  while(i < k && pcs[i] != pc)
    i++;
  for(int j = 0; j < n; j++)
    callers[j] = i + 1 + j < k ? pcs[i + 1 + j] : 0;
}

// a->lock (at a->depth) is about to be taken: add the edge to it from the
// innermost lock held, and report a cycle that it would close.
static void
checkorder(struct mylocks *my, struct lockattempt *a)
{
  struct heldlock *prev = 0;
  struct lockedge path[NPATH];
  int to = node(a->lock->class, a->depth);

  lockgraph_node(to);
  // Sleep locks are always taken before spinlocks (taking one the other
  // way round is reported), so the innermost is the last spinlock if any.
  if(my->nspin > 0)
    prev = &my->spin[my->nspin - 1];
  else if(my->sleep && my->sleep->n > 0)
    prev = &my->sleep->lock[my->sleep->n - 1];
  if(prev == 0 || prev->lock->class == 0)
    return;
  int from = node(prev->lock->class, prev->depth);
  if(lockgraph_known(from, to))
    return;

  struct lockedge e = { from, to, cpuid(), mypid(my), prev->pc, a->pc };
  callersof(a->pc, e.callers, LOCKEDGE_CALLERS);
  int len = lockgraph_add(&e, path, NPATH);
  if(len == LOCKGRAPH_FULL && startreport(R_FULL)){
    printf("  more than %d edges: raise LOCKGRAPH_EDGES (lockgraph.h)\n", LOCKGRAPH_EDGES);
    endreport();
  } else if(len > 0 && startreport(R_CYCLE)){
    printmine(my);
    printlock(my, a->lock, a->depth, a->pc, "<- taking now");
    printf("  which closes a cycle of orders seen before (each pair: the first was\n"
           "  held while the second was taken):\n");
    for(int i = 0; i < len && i < NPATH; i++){
      printnode(path[i].from, path[i].frompc, path[i].cpu, path[i].pid);
      printnode(path[i].to, path[i].topc, path[i].cpu, path[i].pid);
      printcallers(path[i].callers);
    }
    if(len > NPATH)
      printf("  ... and %d more pairs\n", len - NPATH);
    endreport();
  }
}

// ---- reports ----

// Start a report of the given kind, unless the checker is off (another CPU
// may have just turned it off). Returns whether to go on with it.
static int
startreport(int kind)
{
  struct proc *p = myproc();

  if(!__atomic_exchange_n(&armed, 0, __ATOMIC_SEQ_CST))
    return 0;
  __atomic_store_n(&lastbytest, p && p->pid == __atomic_load_n(&testpid, __ATOMIC_RELAXED),
                   __ATOMIC_RELAXED);
  __atomic_store_n(&lastkind, kind, __ATOMIC_RELAXED);
  __atomic_store_n(&nreports, nreports + 1, __ATOMIC_RELEASE);
  printf("lockdep: %s\n", titles[kind]);
  printf("  lock%sacquired at%sby\n", pad("lock", 29), pad("acquired at", 32));
  return 1;
}

static void
endreport(void)
{
  printf("backtrace:\n");
  printbacktrace();
  printf("lockdep: the checker is off from now on\n");
  if(LOCKDEP_PANIC)
    panic("lockdep");
}

// Write "kind:name" into buf (size bytes), and "/depth" for a nested
// depth: how reports and the graph name a node.
static void
namenode(char *buf, int size, int kind, char *name, int depth)
{
  static char *kinds[] = { [LOCK_SPIN] "spin:", [LOCK_SLEEP] "sleep:", [LOCK_RW] "rw:" };

  safestrcpy(buf, kind >= 0 && kind < NELEM(kinds) ? kinds[kind] : "?:", size);
  safestrcpy(buf + strlen(buf), name ? name : "?", size - strlen(buf));
  if(depth > 0)
    lockname(buf + strlen(buf), size - strlen(buf), "/", depth);
}

// The name of node n of the graph.
static void
nodename(char *buf, int size, int n)
{
  int kind = LOCK_SPIN;
  char *name = lockclassname(n % NLOCKCLASS, &kind);

  namenode(buf, size, kind, name, n / NLOCKCLASS);
}

// Spaces that take s to width w (at most 32), and at least one.
static char *
pad(char *s, int w)
{
  static char blanks[] = "                                ";
  int n = w - strlen(s);

  if(n < 1)
    n = 1;
  if(n > sizeof(blanks) - 1)
    n = sizeof(blanks) - 1;
  return blanks + sizeof(blanks) - 1 - n;
}

// A row of a report's table: the lock called name, acquired at pc (0 if
// unknown) by CPU cpu and process pid (0 if none), and a note.
static void
printrow(char *name, uint64 pc, int cpu, int pid, char *note)
{
  char where[48];
  char *sep = note[0] ? " " : "";

  if(pc)
    ksymformat(pc, where, sizeof(where));
  else
    safestrcpy(where, "-", sizeof(where));
  if(pid)
    printf("  %s%s%s%scpu %d pid %d%s%s\n", name, pad(name, 29), where, pad(where, 32),
           cpu, pid, sep, note);
  else
    printf("  %s%s%s%scpu %d%s%s\n", name, pad(name, 29), where, pad(where, 32), cpu,
           sep, note);
}

// A row for lock lk at depth, of this CPU and process.
static void
printlock(struct mylocks *my, struct lockinfo *lk, int depth, uint64 pc, char *note)
{
  char name[48];

  namenode(name, sizeof(name), lk->kind, lk->name, depth);
  printrow(name, pc, cpuid(), mypid(my), note);
}

// A row for node n of the graph.
static void
printnode(int n, uint64 pc, int cpu, int pid)
{
  char name[48];

  nodename(name, sizeof(name), n);
  printrow(name, pc, cpu, pid, "");
}

// Where the function that took a lock was called from: a line under its row.
static void
printcallers(uint64 *callers)
{
  char where[48];

  if(callers[0] == 0)
    return;
  printf("    called from");
  for(int i = 0; i < LOCKEDGE_CALLERS && callers[i]; i++){
    ksymformat(callers[i], where, sizeof(where));
    printf(" %s", where);
  }
  printf("\n");
}

// The locks this CPU and process hold, outermost first.
static void
printmine(struct mylocks *my)
{
  for(int i = 0; my->sleep && i < my->sleep->n; i++)
    printlock(my, my->sleep->lock[i].lock, my->sleep->lock[i].depth, my->sleep->lock[i].pc,
              "held");
  for(int i = 0; i < my->nspin; i++)
    printlock(my, my->spin[i].lock, my->spin[i].depth, my->spin[i].pc, "held");
}

// ---- the device: reading out the graph, and self-tests ----

// Each open file reads the graph as it was at open: since nodes and edges
// are only ever added, that is the first nnodes and nedges of them. Kept
// in a page in f->devdata; written at open, then only read.
struct snapshot {
  int nnodes;
  int nedges;
};

static int
lockdepopen(struct file *f)
{
  struct snapshot *s = kalloc();
  const ushort *nodes;
  const struct lockedge *edges;

  if(s == 0)
    return -1;
  s->nnodes = lockgraph_nodes(&nodes);
  s->nedges = lockgraph_edges(&edges);
  f->devdata = s;
  return 0;
}

static void
lockdepclose(struct file *f)
{
  if(f->devdata){
    kfree(f->devdata);
    f->devdata = 0;
  }
}

// A read in progress: the device's text is made line by line, and the part
// of each line that falls in the window [off, off + n) of the text is
// copied to dst.
struct readout {
  int user;
  uint64 dst;
  uint off;
  int n;
  uint pos;             // the length of the text made so far
  int done;             // bytes copied
  int failed;           // a copy failed
};

static void
emit(struct readout *r, char *line)
{
  uint len = strlen(line);
  uint from = r->off + r->done;

  if(!r->failed && r->done < r->n && from >= r->pos && from < r->pos + len){
    int k = r->pos + len - from;
    if(k > r->n - r->done)
      k = r->n - r->done;
    if(either_copyout(r->user, r->dst + r->done, line + (from - r->pos), k) < 0)
      r->failed = 1;
    else
      r->done += k;
  }
  r->pos += len;
}

// Append s to the string in buf, which has room for size bytes.
static void
append(char *buf, int size, char *s)
{
  int len = strlen(buf);

  safestrcpy(buf + len, s, size - len);
}

// Append n in decimal.
static void
appendnum(char *buf, int size, int n)
{
  int len = strlen(buf);

  lockname(buf + len, size - len, "", n);
}

// The text: the checker's state, its counts, then every class (at each
// depth seen) and every edge with where its two locks were taken first:
//
//   lockdep: on, reports: 0
//   classes: 57, dependencies: 120
//   class spin:proc
//   ...
//   spin:wait_lock -> spin:proc    wait+0x36 -> wait+0x5a
static int
lockdepread(struct file *f, int user, uint64 dst, int n)
{
  struct snapshot *s = f->devdata;
  struct readout r = { user, dst, f->off, n, 0, 0, 0 };
  const ushort *nodes;
  const struct lockedge *edges;
  char line[160];
  int k = __atomic_load_n(&nreports, __ATOMIC_ACQUIRE);

  if(s == 0 || n < 0)
    return -1;
  lockgraph_nodes(&nodes);
  lockgraph_edges(&edges);

  safestrcpy(line, __atomic_load_n(&armed, __ATOMIC_RELAXED) ? "lockdep: on" : "lockdep: off",
             sizeof(line));
  append(line, sizeof(line), ", reports: ");
  appendnum(line, sizeof(line), k);
  if(k > 0){
    append(line, sizeof(line), ", last: ");
    append(line, sizeof(line), titles[__atomic_load_n(&lastkind, __ATOMIC_RELAXED)]);
  }
  append(line, sizeof(line), "\nclasses: ");
  appendnum(line, sizeof(line), s->nnodes);
  append(line, sizeof(line), ", dependencies: ");
  appendnum(line, sizeof(line), s->nedges);
  append(line, sizeof(line), "\n");
  emit(&r, line);

  for(int i = 0; i < s->nnodes && r.done < r.n; i++){
    safestrcpy(line, "class ", sizeof(line));
    nodename(line + strlen(line), sizeof(line) - strlen(line), nodes[i]);
    append(line, sizeof(line), "\n");
    emit(&r, line);
  }
  for(int i = 0; i < s->nedges && r.done < r.n; i++){
    char name[48];
    nodename(line, sizeof(line), edges[i].from);
    append(line, sizeof(line), " -> ");
    nodename(name, sizeof(name), edges[i].to);
    append(line, sizeof(line), name);
    append(line, sizeof(line), pad(line, 48));
    ksymformat(edges[i].frompc, name, sizeof(name));
    append(line, sizeof(line), name);
    append(line, sizeof(line), " -> ");
    ksymformat(edges[i].topc, name, sizeof(name));
    append(line, sizeof(line), name);
    append(line, sizeof(line), "\n");
    emit(&r, line);
  }

  if(r.failed)
    return -1;
  f->off += r.done;
  return r.done;
}

// The self-tests' locks, of classes of their own.
static struct spinlock testa, testb;
static struct sleeplock tests[2];    // one class
static struct sleeplock testu;

// Taking a and b in both orders: reported the second time, though no
// second CPU is there to deadlock with.
static void
test_abba(void)
{
  acquire(&testa);
  acquire(&testb);
  release(&testb);
  release(&testa);

  acquire(&testb);
  acquire(&testa);
  release(&testa);
  release(&testb);
}

// Two locks of one class, without a declared nesting: reported.
static void
test_recursive(void)
{
  acquiresleep(&tests[0]);
  acquiresleep(&tests[1]);
  releasesleep(&tests[1]);
  releasesleep(&tests[0]);
}

// The same, with the nesting declared: not reported.
static void
test_nested(void)
{
  acquiresleep(&tests[0]);
  lockdep_nest(&tests[0].info);
  acquiresleep(&tests[1]);
  releasesleep(&tests[1]);
  releasesleep(&tests[0]);
}

// Taking a sleep lock while holding a spinlock: reported, although this
// one is free and nothing sleeps.
static void
test_sleeplock(void)
{
  acquire(&testa);
  acquiresleep(&tests[0]);
  releasesleep(&tests[0]);
  release(&testa);
}

// Releasing a sleep lock that is not held: reported.
static void
test_unheld(void)
{
  releasesleep(&tests[0]);
}

// Returning to user space holding testu: reported on the way out.
// userret-release lets testu go again.
static void
test_userret(void)
{
  acquiresleep(&testu);
}

static void
test_userret_release(void)
{
  releasesleep(&testu);
}

// sleep() with another spinlock held: reported, and then the kernel
// panics, in sched() (or in the checker, with make LOCKDEP=panic).
static void
test_sleep(void)
{
  acquire(&testa);
  acquire(&testb);
  sleep(&testb, &testb);
  release(&testb);
  release(&testa);
}

static struct {
  char *name;
  void (*run)(void);
} selftests[] = {
  { "abba", test_abba },
  { "recursive", test_recursive },
  { "nested", test_nested },
  { "sleeplock", test_sleeplock },
  { "unheld", test_unheld },
  { "userret", test_userret },
  { "userret-release", test_userret_release },
  { "sleep", test_sleep },
};

// Writing a self-test's name runs it. It turns the checker on first, if a
// self-test's report turned it off (one from the rest of the kernel stays,
// and the write fails). One self-test runs at a time: the write fails if
// another is running. Whether it made a report, and which, is in the
// device's first line.
static int
lockdepwrite(struct file *f, int user, uint64 src, int n)
{
  static int running;
  char name[20];
  int t = 0;

  if(n < 1 || n >= sizeof(name) || either_copyin(name, user, src, n) < 0)
    return -1;
  name[n] = 0;
  while(t < NELEM(selftests) && strncmp(name, selftests[t].name, sizeof(name)) != 0)
    t++;
  if(t == NELEM(selftests) || __atomic_exchange_n(&running, 1, __ATOMIC_ACQUIRE))
    return -1;
  if(!__atomic_load_n(&armed, __ATOMIC_RELAXED) && !__atomic_load_n(&lastbytest, __ATOMIC_RELAXED)){
    __atomic_store_n(&running, 0, __ATOMIC_RELEASE);
    return -1;
  }
  __atomic_store_n(&testpid, myproc()->pid, __ATOMIC_RELAXED);
  __atomic_store_n(&armed, 1, __ATOMIC_SEQ_CST);
  selftests[t].run();
  __atomic_store_n(&running, 0, __ATOMIC_RELEASE);
  return n;
}

void
lockdepinit(void)
{
  initlock(&testa, "lockdeptest-a");
  initlock(&testb, "lockdeptest-b");
  initsleeplock(&tests[0], "lockdeptest-s");
  initsleeplock(&tests[1], "lockdeptest-s");
  initsleeplock(&testu, "lockdeptest-u");
  devsw[LOCKORDER].open = lockdepopen;
  devsw[LOCKORDER].read = lockdepread;
  devsw[LOCKORDER].write = lockdepwrite;
  devsw[LOCKORDER].close = lockdepclose;
}
