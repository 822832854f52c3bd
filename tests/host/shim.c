// A small stand-in for the kernel around kernel/kalloc.c, bio.c and log.c,
// so that those files compile unchanged with the host's gcc and run on real
// threads, under ThreadSanitizer or AddressSanitizer.
//
// - Each test thread plays one CPU: shim_setcpu() sets a thread-local id
//   that cpuid() and mycpu() return. push_off/pop_off only count nesting.
// - Spinlocks are the kernel's own (kernel/spinlock.c, lockhook.c and
//   lockstat.c); the shim gives them a clock and a way to wait politely.
// - Sleep locks, and sleep() and wakeup(), wait on pthread condition
//   variables.
// - virtio_disk_rw() reads and writes a RAM disk, and, like the kernel's
//   driver, panics if it ever sees more than NBUF distinct buffers.
// - panic() prints its message and aborts.
//
// This file does not include kernel/defs.h: its prototypes clash with the
// host's libc (printf, memset...), which the kernel files call directly.
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "fs.h"
#include "buf.h"
#include "proc.h"
#include "shim.h"

void panic(char *s) __attribute__((noreturn));
void acquire(struct spinlock *lk);
void release(struct spinlock *lk);
int lockstats(char *buf, int size);

void
panic(char *s)
{
  fprintf(stderr, "panic: %s\n", s);
  fflush(stderr);
  abort();
}

void
shim_fail(const char *what, long a, long b)
{
  fprintf(stderr, "FAIL: %s (%ld, %ld)\n", what, a, b);
  abort();
}

uint64
shim_rand(uint64 *state)
{
  *state ^= *state << 13;
  *state ^= *state >> 7;
  *state ^= *state << 17;
  return *state;
}

// ---- timed tests ----

static int stopped;
static pthread_barrier_t warm;
static uint64 warmtot;   // tot= when every thread had warmed up

void
shim_timed_init(int nthreads)
{
  pthread_barrier_init(&warm, 0, nthreads);
}

void
shim_stop_after(double secs)
{
  struct timespec t = { (time_t)secs, (long)((secs - (time_t)secs) * 1e9) };
  nanosleep(&t, 0);
  __atomic_store_n(&stopped, 1, __ATOMIC_RELEASE);
}

int
shim_stopped(void)
{
  return __atomic_load_n(&stopped, __ATOMIC_ACQUIRE);
}

// One thread reads tot= while all the others wait, as shim_lock_tot needs.
void
shim_warmed(void)
{
  if(pthread_barrier_wait(&warm) == PTHREAD_BARRIER_SERIAL_THREAD)
    warmtot = shim_lock_tot();
  pthread_barrier_wait(&warm);
}

uint64_t
shim_timed_tot(void)
{
  return shim_lock_tot() - warmtot;
}

// ---- CPUs ----

struct cpu cpus[NCPU];
static __thread int thiscpu = -1;

void
shim_setcpu(int id)
{
  if(id < 0 || id >= NCPU)
    panic("shim_setcpu: bad cpu");
  thiscpu = id;
}

int
cpuid(void)
{
  if(thiscpu < 0)
    panic("cpuid: this thread plays no cpu");
  return thiscpu;
}

struct cpu *
mycpu(void)
{
  return &cpus[cpuid()];
}

void
push_off(void)
{
  mycpu()->noff++;
}

void
pop_off(void)
{
  struct cpu *c = mycpu();
  if(c->noff < 1)
    panic("pop_off");
  c->noff--;
}

// ---- spinlocks ----

// The kernel's own spinlocks (kernel/spinlock.c), lock tools' hook
// (kernel/lockhook.c) and registry and report (kernel/lockstat.c) run here
// unchanged; this is what they need of the rest of the kernel.

// Waiting for a lock: there are more threads than cores, so let the
// holder run.
void
cpu_relax(void)
{
  sched_yield();
}

uint64
nsecs(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

// tot= of the kernel's statistics report. Call it only while no other
// thread runs kernel code.
uint64_t
shim_lock_tot(void)
{
  static char report[1 << 16];
  int n = lockstats(report, sizeof(report) - 1);
  report[n] = 0;
  char *tot = strstr(report, "\ntot= ");
  if(n == sizeof(report) - 1 || tot == 0)
    panic("shim_lock_tot: no tot= in the statistics report");
  return strtoull(tot + 6, 0, 10);
}

// ---- sleep locks ----

// Sleep locks hash onto a few stripes of mutex and condition variable, so
// that threads using different buffers do not meet on one mutex (the struct
// sleeplock has no room for pthread objects of its own).
#define NSTRIPE 61
static struct stripe {
  pthread_mutex_t mu;
  pthread_cond_t cv;
} stripes[NSTRIPE];
static pthread_once_t stripes_once = PTHREAD_ONCE_INIT;
static int nextpid;
static __thread int mypid;

static void
stripes_init(void)
{
  for(int i = 0; i < NSTRIPE; i++){
    pthread_mutex_init(&stripes[i].mu, 0);
    pthread_cond_init(&stripes[i].cv, 0);
  }
}

static struct stripe *
stripe(struct sleeplock *lk)
{
  pthread_once(&stripes_once, stripes_init);
  return &stripes[((uintptr_t)lk >> 4) % NSTRIPE];
}

static int
pid(void)
{
  if(mypid == 0)
    mypid = __atomic_add_fetch(&nextpid, 1, __ATOMIC_RELAXED);
  return mypid;
}

void
initsleeplock(struct sleeplock *lk, char *name)
{
  lk->info.name = name;
  lk->locked = 0;
  lk->pid = 0;
}

void
acquiresleep(struct sleeplock *lk)
{
  struct stripe *s = stripe(lk);
  pthread_mutex_lock(&s->mu);
  while(lk->locked)
    pthread_cond_wait(&s->cv, &s->mu);
  lk->locked = 1;
  lk->pid = pid();
  pthread_mutex_unlock(&s->mu);
}

void
releasesleep(struct sleeplock *lk)
{
  struct stripe *s = stripe(lk);
  pthread_mutex_lock(&s->mu);
  if(!lk->locked || lk->pid != pid())
    panic("releasesleep");
  lk->locked = 0;
  lk->pid = 0;
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->mu);
}

int
holdingsleep(struct sleeplock *lk)
{
  struct stripe *s = stripe(lk);
  pthread_mutex_lock(&s->mu);
  int r = lk->locked && lk->pid == pid();
  pthread_mutex_unlock(&s->mu);
  return r;
}

// ---- sleep and wakeup ----

// One condition variable stands for every channel: a wakeup wakes every
// sleeper, and each, as in the kernel, checks its condition again. A
// sleeper notes the number of wakeups so far before it releases lk, which
// a waker holds, so it cannot miss a wakeup that comes after.
static pthread_mutex_t sleepmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sleepcv = PTHREAD_COND_INITIALIZER;
static uint64 wakeups;       // under sleepmu

void
sleep(void *chan, struct spinlock *lk)
{
  pthread_mutex_lock(&sleepmu);
  uint64 seen = wakeups;
  release(lk);
  while(wakeups == seen)
    pthread_cond_wait(&sleepcv, &sleepmu);
  pthread_mutex_unlock(&sleepmu);
  acquire(lk);
}

void
wakeup(void *chan)
{
  pthread_mutex_lock(&sleepmu);
  wakeups++;
  pthread_cond_broadcast(&sleepcv);
  pthread_mutex_unlock(&sleepmu);
}

// ---- RAM disk ----

static unsigned char *disk;
static uint64_t *reads;      // per block, updated atomically
static uint64_t ios;         // updated atomically
static int nblocks;

// Distinct buffers seen, as the kernel's driver keeps them; under diskmu.
static pthread_mutex_t diskmu = PTHREAD_MUTEX_INITIALIZER;
static struct buf *seen[NBUF];
static int nseen;

void
shim_disk_init(int n)
{
  nblocks = n;
  disk = calloc(n, BSIZE);
  reads = calloc(n, sizeof(reads[0]));
  if(!disk || !reads)
    panic("shim_disk_init: out of memory");
}

unsigned char *
shim_disk_block(int blockno)
{
  return disk + (uint64)blockno * BSIZE;
}

uint64_t shim_disk_reads(int blockno) { return __atomic_load_n(&reads[blockno], __ATOMIC_RELAXED); }
uint64_t shim_disk_ios(void) { return __atomic_load_n(&ios, __ATOMIC_RELAXED); }

int
shim_disk_nbufs(void)
{
  pthread_mutex_lock(&diskmu);
  int n = nseen;
  pthread_mutex_unlock(&diskmu);
  return n;
}

static void
note_buffer(struct buf *b)
{
  pthread_mutex_lock(&diskmu);
  int i;
  for(i = 0; i < nseen && seen[i] != b; i++)
    ;
  if(i == nseen){
    if(nseen == NBUF)
      panic("virtio_disk_rw: more than NBUF buffers");
    seen[nseen++] = b;
  }
  pthread_mutex_unlock(&diskmu);
}

// The caller holds b->lock. Two buffers caching the same block would make
// two threads copy the same disk block at once: ThreadSanitizer reports it.
void
virtio_disk_rw(struct buf *b, int write)
{
  if(b->blockno >= (uint)nblocks)
    panic("virtio_disk_rw: block out of range");
  note_buffer(b);
  if(write){
    memcpy(shim_disk_block(b->blockno), b->data, BSIZE);
  } else {
    memcpy(b->data, shim_disk_block(b->blockno), BSIZE);
    __atomic_add_fetch(&reads[b->blockno], 1, __ATOMIC_RELAXED);
  }
  __atomic_add_fetch(&ios, 1, __ATOMIC_RELAXED);
}
