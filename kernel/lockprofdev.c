// The lock profiler's device (major LOCKSTAT, the file /lockprof): its
// report, and its switch. The user program lockstat makes a table of it.
//
// Writing "on" or "off" switches profiling; "reset" starts counting from
// zero (a trailing newline is allowed, so `echo reset > lockprof` works).
// Anything else is refused with -1.
//
// Reading returns the report: a header, then every lock class acquired
// since the last reset, each followed by its busiest call sites, then the
// whole kernel's wait. Times are in nanoseconds, in steps of clock-ns:
//
//   lockprof on clock-ns 100 elapsed-ns 51230000
//   spin proc: acquired 4711 contended 29 waits 5821 bounces 1310
//     wait-min 0 wait-max 81200 wait-total 312400
//     holds 4711 hold-min 100 hold-max 95300 hold-total 2291400
//     waiter 21 sleep+0x3c        (where 21 of the waiters called acquire)
//     waiter 8 (other sites)
//     holder 17 scheduler+0x52    (where the holder they waited for took it)
//     holder 12 (other sites)
//   sleep inode: acquired ...
//   total-wait-ns 1520300
//
// except that each class's numbers are on one line (wrapped here to fit),
// and the sites are indented by two spaces, with nothing after them. waits
// counts failed tries for spinlocks and sleeps for sleep locks; "(other
// sites)" counts the contentions at sites not listed.
//
// Each open for reading takes its own snapshot of the report, so that
// every read of an open file sees the same report, whatever pieces it is
// read in, and readers of other open files do not disturb it.

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "lockprof.h"
#include "fs.h"
#include "file.h"
#include "defs.h"

// An open file's snapshot: the report's text, in pages listed in a page of
// their own, which f->devdata points to (0 for a file opened only for
// writing). Written once at open, then only read.
#define SNAPPAGES ((PGSIZE - sizeof(uint64)) / sizeof(char *))
struct snapshot {
  uint64 len;
  char *page[SNAPPAGES];
};

// offlock protects the position (f->off) of every open /lockprof file,
// which processes sharing the file after fork or dup may read at once:
// each byte of the report goes to one of them. Nothing else is acquired
// while it is held.
static struct spinlock offlock;

static int lockprofopen(struct file *f);
static int lockprofread(struct file *f, int user, uint64 dst, int n);
static int lockprofwrite(struct file *f, int user, uint64 src, int n);
static void lockprofclose(struct file *f);
static int report(struct snapshot *s);
static int classreport(struct snapshot *s, int c, char *name, int kind, uint64 *totalwait);
static int sitelines(struct snapshot *s, char *kind, struct lockprofsite *sites,
                     uint64 contended);
static int putline(struct snapshot *s, char *line, int n);
static void freesnapshot(struct snapshot *s);

void
lockprofinit(void)
{
  initlock(&offlock, "lockprof");
  devsw[LOCKSTAT].open = lockprofopen;
  devsw[LOCKSTAT].read = lockprofread;
  devsw[LOCKSTAT].write = lockprofwrite;
  devsw[LOCKSTAT].close = lockprofclose;
}

static int
lockprofopen(struct file *f)
{
  struct snapshot *s;

  if(!f->readable)
    return 0;
  if((s = kalloc()) == 0)
    return -1;
  memset(s, 0, PGSIZE);
  if(report(s) < 0){
    freesnapshot(s);
    return -1;
  }
  f->devdata = s;
  return 0;
}

static int
lockprofread(struct file *f, int user, uint64 dst, int n)
{
  struct snapshot *s = f->devdata;
  int done = 0;

  if(s == 0 || n < 0)
    return -1;
  acquire(&offlock);
  uint64 off = f->off < s->len ? f->off : s->len;
  while(done < n && off < s->len){
    // The rest of the request, of the page, and of the report.
    uint64 m = n - done;
    if(m > PGSIZE - off % PGSIZE)
      m = PGSIZE - off % PGSIZE;
    if(m > s->len - off)
      m = s->len - off;
    if(either_copyout(user, dst + done, s->page[off / PGSIZE] + off % PGSIZE, m) < 0){
      release(&offlock);
      return -1;
    }
    done += m;
    off += m;
  }
  f->off = off;
  release(&offlock);
  return done;
}

// Is cmd (n bytes, perhaps ending in a newline) the word w?
static int
iscommand(char *cmd, int n, char *w)
{
  if(n > 0 && cmd[n - 1] == '\n')
    n--;
  return n == strlen(w) && strncmp(cmd, w, n) == 0;
}

static int
lockprofwrite(struct file *f, int user, uint64 src, int n)
{
  char cmd[8];

  if(n <= 0 || n > sizeof(cmd) || either_copyin(cmd, user, src, n) < 0)
    return -1;
  if(iscommand(cmd, n, "on"))
    lockprof_enable(1);
  else if(iscommand(cmd, n, "off"))
    lockprof_enable(0);
  else if(iscommand(cmd, n, "reset"))
    lockprof_reset();
  else
    return -1;
  return n;
}

static void
lockprofclose(struct file *f)
{
  if(f->devdata){
    freesnapshot(f->devdata);
    f->devdata = 0;
  }
}

// ---- the report ----

// Longest line of the report: a class line with every number 20 digits
// long, and a lock name of up to 64 characters.
#define MAXLINE 512

// Write the report into s; -1 if memory ran out.
static int
report(struct snapshot *s)
{
  char line[MAXLINE];
  uint64 totalwait = 0;
  char *name;
  int kind, n;

  n = snprintf(line, sizeof(line), "lockprof %s clock-ns %d elapsed-ns %llu\n",
               lockprof_enabled() ? "on" : "off", 1000000000 / TIMEBASE_HZ,
               nsecs() - lockprof_resettime());
  if(putline(s, line, n) < 0)
    return -1;
  for(int c = 0; (name = lockclassname(c, &kind)) != 0; c++)
    if(classreport(s, c, name, kind, &totalwait) < 0)
      return -1;
  n = snprintf(line, sizeof(line), "total-wait-ns %llu\n", totalwait);
  return putline(s, line, n);
}

// The lines of class c (named name, of the given kind), if it was used
// since the last reset; its wait is added to *totalwait.
static int
classreport(struct snapshot *s, int c, char *name, int kind, uint64 *totalwait)
{
  static char *kinds[] = { [LOCK_SPIN] "spin", [LOCK_SLEEP] "sleep", [LOCK_RW] "rw" };
  struct lockprofsum sum;
  char line[MAXLINE];
  int n;

  lockprof_sum(c, &sum);
  if(sum.acquired == 0 && sum.hold.n == 0)
    return 0;
  *totalwait += sum.wait.total;
  n = snprintf(line, sizeof(line),
               "%s %s: acquired %llu contended %llu waits %llu bounces %llu"
               " wait-min %llu wait-max %llu wait-total %llu"
               " holds %llu hold-min %llu hold-max %llu hold-total %llu\n",
               kinds[kind], name, sum.acquired, sum.contended, sum.waits, sum.bounces,
               sum.wait.min, sum.wait.max, sum.wait.total,
               sum.hold.n, sum.hold.min, sum.hold.max, sum.hold.total);
  if(putline(s, line, n) < 0)
    return -1;
  if(sitelines(s, "waiter", sum.waiter, sum.contended) < 0 ||
     sitelines(s, "holder", sum.holder, sum.contended) < 0)
    return -1;
  return 0;
}

// One line per site, and one for the contentions at other sites.
static int
sitelines(struct snapshot *s, char *kind, struct lockprofsite *sites, uint64 contended)
{
  char line[MAXLINE], where[64];
  uint64 listed = 0;
  int n;

  for(int i = 0; i < LOCKPROF_NTOP && sites[i].n > 0; i++){
    if(sites[i].pc == 0)
      safestrcpy(where, "(unknown)", sizeof(where));
    else
      ksymformat(sites[i].pc, where, sizeof(where));
    n = snprintf(line, sizeof(line), "  %s %llu %s\n", kind, sites[i].n, where);
    if(putline(s, line, n) < 0)
      return -1;
    listed += sites[i].n;
  }
  if(contended > listed){
    n = snprintf(line, sizeof(line), "  %s %llu (other sites)\n", kind, contended - listed);
    if(putline(s, line, n) < 0)
      return -1;
  }
  return 0;
}

// Add a line that snprintf made n bytes long in a buffer of MAXLINE bytes
// to the end of s, taking pages as needed. -1 if the line did not fit in
// its buffer, or memory ran out.
static int
putline(struct snapshot *s, char *line, int n)
{
  if(n >= MAXLINE)
    return -1;
  while(n > 0){
    uint64 p = s->len / PGSIZE, off = s->len % PGSIZE;
    if(p >= SNAPPAGES)
      return -1;
    if(s->page[p] == 0 && (s->page[p] = kalloc()) == 0)
      return -1;
    int m = PGSIZE - off < n ? PGSIZE - off : n;
    memmove(s->page[p] + off, line, m);
    s->len += m;
    line += m;
    n -= m;
  }
  return 0;
}

static void
freesnapshot(struct snapshot *s)
{
  for(int i = 0; i < SNAPPAGES && s->page[i]; i++)
    kfree(s->page[i]);
  kfree(s);
}
