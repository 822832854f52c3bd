// What kalloctest and bcachetest share: the growth of the statistics
// report's tot= over each of their tests, and of every spinlock's failed
// attempts (the statistics report lists only the lab's locks and the top
// five), and the lines of their own that they print about them (docs/ABI.md
// has the course's lines, which the programs print themselves).
#include "kernel/types.h"
#include "kernel/lockprof.h"
#include "user/user.h"
#include "user/lockreport.h"
#include "user/lockmeasure.h"

char report[8192];   // larger than any report (at most 4096 bytes)
int reportlen;

struct figures figures[MAXTEST + 1];

static long readtot(void);
static long readspins(void);

// Start measuring test: read the kernel's spins, tot and the time.
void
begin(int test)
{
  figures[test].spinstart = readspins();
  figures[test].start = readtot();
  figures[test].ticks = uptime();
}

// Read tot again (the report stays in report) and record the test's
// figures. Return the growth of tot, or -1 if it is unknown or negative
// (which is a failure too), after saying so.
long
end(int test)
{
  struct figures *f = &figures[test];

  f->end = readtot();
  f->ticks = uptime() - f->ticks;
  f->spinend = readspins();
  if(f->end < 0 || f->start < 0){
    printf("test%d: cannot read tot= from the statistics device\n", test);
    return -1;
  }
  if(f->end < f->start){
    printf("test%d: tot went down from %ld to %ld\n", test, f->start, f->end);
    return -1;
  }
  return f->end - f->start;
}

// Whether growth, which end() returned, is known and under limit; if it
// is over, say so.
int
underlimit(int test, long growth, long limit)
{
  if(growth >= limit)
    printf("test%d: tot grew by %ld, the limit is %ld\n", test, growth, limit);
  return growth >= 0 && growth < limit;
}

// After the course's lines: "testN: tot growth G, T ticks" for each test
// (tools/bench.py reads them), then "testN: kernel spins S" for each test
// if the lock profiler was on throughout.
void
printfigures(int first, int last)
{
  for(int t = first; t <= last; t++){
    struct figures *f = &figures[t];
    if(f->start < 0 || f->end < 0)
      printf("test%d: tot unknown, %d ticks\n", t, f->ticks);
    else
      printf("test%d: tot growth %ld, %d ticks\n", t, f->end - f->start, f->ticks);
  }
  for(int t = first; t <= last; t++){
    struct figures *f = &figures[t];
    if(f->spinstart >= 0 && f->spinend >= f->spinstart)
      printf("test%d: kernel spins %ld\n", t, f->spinend - f->spinstart);
  }
}

// Wait for every child; return how many did not exit with status 0.
int
reap(void)
{
  int status, bad = 0;

  while(wait(&status) >= 0)
    bad += status != 0;
  return bad;
}

// Read the statistics report into report; return its tot=, or -1 if the
// report cannot be read or has no total. Programs find the total after the
// report's first '=' (docs/ABI.md).
static long
readtot(void)
{
  reportlen = statistics(report, sizeof(report) - 1);
  if(reportlen <= 0){
    reportlen = 0;
    return -1;
  }
  report[reportlen] = 0;
  char *p = strchr(report, '=');
  if(p == 0)
    return -1;
  while(*++p == ' ')
    ;
  if(*p < '0' || *p > '9')
    return -1;
  long v = 0;
  for(; *p >= '0' && *p <= '9'; p++)
    v = v * 10 + (*p - '0');
  return v;
}

// Failed attempts of every spinlock and read-write spinlock so far, from
// the lock profiler (kernel/lockprof.c); -1 if it is off or unreadable.
static long
readspins(void)
{
  struct lockreport r;
  long n = 0;

  if(readlockreport(&r) < 0)
    return -1;
  if(!r.on)
    n = -1;
  for(int i = 0; n >= 0 && i < r.nclass; i++)
    if(strcmp(r.class[i].kind, "sleep") != 0)
      n += r.class[i].sum.waits;
  freelockreport(&r);
  return n;
}
