// lockstat: where the kernel's locks wait, for how long, and who holds
// them meanwhile: the lock profiler's report (/lockprof) as a table.
//
//   lockstat                the lock classes used since the last reset,
//                           the longest total wait first
//   lockstat -n N           only the first N classes
//   lockstat -c NAME        class NAME in full
//   lockstat -r             reset the counters
//   lockstat -s on|off      switch profiling on or off
//   lockstat CMD ARGS...    reset, run CMD, and show what happened while it
//                           ran (-n and -c may come before CMD)
#include "kernel/types.h"
#include "kernel/lockprof.h"
#include "user/user.h"
#include "user/lockreport.h"

static void usage(void);
static int runcommand(char **argv);
static void sortbywait(struct lockreport *r);
static void printtable(struct lockreport *r, int n);
static int printclasses(struct lockreport *r, char *name);

int
main(int argc, char *argv[])
{
  struct lockreport r;
  int top = -1, i;
  char *name = 0;

  for(i = 1; i < argc && argv[i][0] == '-'; i++){
    if(strcmp(argv[i], "-r") == 0 && argc == 2)
      return lockstatctl("reset") < 0 ? 1 : 0;
    if(strcmp(argv[i], "-s") == 0 && argc == 3 &&
       (strcmp(argv[2], "on") == 0 || strcmp(argv[2], "off") == 0))
      return lockstatctl(argv[2]) < 0 ? 1 : 0;
    if(strcmp(argv[i], "-n") == 0 && i + 1 < argc && argv[i + 1][0] >= '0' &&
       argv[i + 1][0] <= '9')
      top = atoi(argv[++i]);
    else if(strcmp(argv[i], "-c") == 0 && i + 1 < argc)
      name = argv[++i];
    else
      usage();
  }
  int switched = 0;   // profiling was switched on for the command
  if(i < argc && (switched = runcommand(argv + i)) < 0)
    return 1;
  if(readlockreport(&r) < 0)
    return 1;
  if(switched)
    lockstatctl("off");
  sortbywait(&r);
  int status = 0;
  if(name)
    status = printclasses(&r, name) ? 0 : 1;
  else
    printtable(&r, top);
  freelockreport(&r);
  return status;
}

static void
usage(void)
{
  fprintf(2, "usage: lockstat [-n N] [-c NAME] [CMD ARGS...]\n"
             "       lockstat -r          (reset)\n"
             "       lockstat -s on|off   (switch profiling)\n");
  exit(2);
}

// Reset the counters and run argv, with profiling on while it runs. Returns
// 1 if it switched profiling on for it (the caller switches it back off
// once it has read the report), 0 if profiling was on already, -1 on error.
static int
runcommand(char **argv)
{
  struct lockreport r;

  if(readlockreport(&r) < 0)
    return -1;
  freelockreport(&r);
  if(!r.on && lockstatctl("on") < 0)
    return -1;
  if(lockstatctl("reset") < 0){
    fprintf(2, "lockstat: cannot reset the profiler\n");
    return -1;
  }
  int pid = fork();
  if(pid < 0){
    fprintf(2, "lockstat: fork failed\n");
    return -1;
  }
  if(pid == 0){
    exec(argv[0], argv);
    fprintf(2, "lockstat: exec %s failed\n", argv[0]);
    exit(1);
  }
  wait(0);
  return !r.on;
}

// Most total wait first; among classes that did not wait, most acquired.
static void
sortbywait(struct lockreport *r)
{
  for(int i = 1; i < r->nclass; i++){
    struct lockclass c = r->class[i];
    int j = i;
    for(; j > 0; j--){
      struct lockprofsum *s = &r->class[j - 1].sum;
      if(s->wait.total > c.sum.wait.total ||
         (s->wait.total == c.sum.wait.total && s->acquired >= c.sum.acquired))
        break;
      r->class[j] = r->class[j - 1];
    }
    r->class[j] = c;
  }
}

// ---- formatting ----

// v in decimal, into buf (at least 21 bytes).
static char *
decimal(char *buf, uint64 v)
{
  char tmp[21];
  int n = 0, i = 0;

  do {
    tmp[n++] = '0' + v % 10;
    v /= 10;
  } while(v > 0);
  while(n > 0)
    buf[i++] = tmp[--n];
  buf[i] = 0;
  return buf;
}

// ns nanoseconds as microseconds with one decimal ("1234.5"), into buf
// (at least 23 bytes).
static char *
micros(char *buf, uint64 ns)
{
  int n = strlen(decimal(buf, ns / 1000));

  buf[n] = '.';
  buf[n + 1] = '0' + ns % 1000 / 100;
  buf[n + 2] = 0;
  return buf;
}

// s in width columns: right-aligned, or left-aligned if width < 0. A
// longer s takes the room it needs.
static void
column(char *s, int width)
{
  int pad = (width < 0 ? -width : width) - strlen(s);

  if(width > 0)
    for(; pad > 0; pad--)
      printf(" ");
  printf("%s", s);
  if(width < 0)
    for(; pad > 0; pad--)
      printf(" ");
}

// The class's name, with its kind unless it is a spinlock, into buf
// (at least LOCKNAME + 10 bytes).
static char *
classname(char *buf, struct lockclass *c)
{
  strcpy(buf, c->name);
  if(strcmp(c->kind, "spin") != 0){
    int n = strlen(buf);
    buf[n] = ' ';
    buf[n + 1] = '[';
    strcpy(buf + n + 2, c->kind);
    n = strlen(buf);
    buf[n] = ']';
    buf[n + 1] = 0;
  }
  return buf;
}

// "12.345 s" into buf (at least 28 bytes).
static char *
seconds(char *buf, uint64 ns)
{
  int n = strlen(decimal(buf, ns / 1000000000));
  uint64 ms = ns / 1000000 % 1000;

  buf[n] = '.';
  buf[n + 1] = '0' + ms / 100;
  buf[n + 2] = '0' + ms / 10 % 10;
  buf[n + 3] = '0' + ms % 10;
  strcpy(buf + n + 4, " s");
  return buf;
}

static void
printheader(struct lockreport *r)
{
  char a[32], b[32];

  printf("lockstat: %s since the last reset, profiling %s; times in us "
         "(clock resolution %d ns)\n", seconds(a, r->elapsedns), r->on ? "on" : "off",
         (int)r->clockns);
  printf("total wait of all lock classes: %s us\n\n", micros(b, r->totalwait));
}

// The rows of the sites of c: waiters on the left, holders on the right.
static void
printsites(struct lockclass *c)
{
  char num[32];
  int rows = c->waiter.n > c->holder.n ? c->waiter.n : c->holder.n;

  for(int i = 0; i < rows; i++){
    printf("    ");
    if(i < c->waiter.n){
      printf("waiter ");
      column(decimal(num, c->waiter.count[i]), 8);
      printf(" ");
      column(c->waiter.where[i], -26);
    } else {
      column("", 7 + 8 + 1 + 26);
    }
    if(i < c->holder.n){
      printf(" holder ");
      column(decimal(num, c->holder.count[i]), 8);
      printf(" %s", c->holder.where[i]);
    }
    printf("\n");
  }
}

// The first n classes (all if n < 0): one row each, and under each class
// that waited, its busiest waiter and holder sites.
static void
printtable(struct lockreport *r, int n)
{
  static char *head[] = { "acquired", "contended", "bounces", "wait-total", "wait-max",
                          "hold-total", "hold-max" };
  char buf[64];

  printheader(r);
  column("class", -20);
  for(int i = 0; i < sizeof(head) / sizeof(head[0]); i++)
    column(head[i], 11);
  printf("\n");
  for(int i = 0; i < r->nclass && (n < 0 || i < n); i++){
    struct lockclass *c = &r->class[i];
    column(classname(buf, c), -20);
    column(decimal(buf, c->sum.acquired), 11);
    column(decimal(buf, c->sum.contended), 11);
    column(decimal(buf, c->sum.bounces), 11);
    column(micros(buf, c->sum.wait.total), 11);
    column(micros(buf, c->sum.wait.max), 11);
    column(micros(buf, c->sum.hold.total), 11);
    column(micros(buf, c->sum.hold.max), 11);
    printf("\n");
    printsites(c);
  }
  printf("\nwaiter: where an acquire that had to wait was called; holder: where the\n"
         "holder it waited for had acquired the lock. -c NAME shows a class in full.\n");
}

// a/b as a percentage with two decimals, into buf.
static char *
percent(char *buf, uint64 a, uint64 b)
{
  uint64 hundredths = b ? a * 10000 / b : 0;
  int n = strlen(decimal(buf, hundredths / 100));

  buf[n] = '.';
  buf[n + 1] = '0' + hundredths / 10 % 10;
  buf[n + 2] = '0' + hundredths % 10;
  strcpy(buf + n + 3, "%");
  return buf;
}

static void
printspan(char *what, struct lockprofspan *s)
{
  char n[32], a[32], b[32], c[32], d[32];

  printf("  %s %s times: total %s us, min %s, avg %s, max %s\n", what, decimal(n, s->n),
         micros(a, s->total), micros(b, s->min), micros(c, s->n ? s->total / s->n : 0),
         micros(d, s->max));
}

static void
printsitelist(char *title, struct sitelist *l)
{
  char num[32];

  printf("  %s\n", title);
  for(int i = 0; i < l->n; i++){
    column(decimal(num, l->count[i]), 12);
    printf("  %s\n", l->where[i]);
  }
  if(l->other){
    column(decimal(num, l->other), 12);
    printf("  (other sites)\n");
  }
}

// Every class named name (a name may have a spinlock and a sleep lock
// class), in full; how many there were.
static int
printclasses(struct lockreport *r, char *name)
{
  char a[64], b[64];
  int found = 0;

  printheader(r);
  for(int i = 0; i < r->nclass; i++){
    struct lockclass *c = &r->class[i];
    struct lockprofsum *s = &c->sum;
    if(strcmp(c->name, name) != 0)
      continue;
    found++;
    printf("class %s (%s lock)\n", c->name, c->kind);
    printf("  acquired %s times, %s of them on another CPU than the time before\n",
           decimal(a, s->acquired), decimal(b, s->bounces));
    printf("  contended %s times (%s of acquires), ", decimal(a, s->contended),
           percent(b, s->contended, s->acquired));
    printf("%s %s while waiting\n",
           decimal(a, s->waits), strcmp(c->kind, "sleep") == 0 ? "sleeps" : "failed tries");
    printspan("waited", &s->wait);
    printspan("held", &s->hold);
    if(s->contended){
      printsitelist("where the acquires that waited were called:", &c->waiter);
      printsitelist("where the holders they waited for had acquired it:", &c->holder);
    }
    printf("\n");
  }
  if(!found)
    fprintf(2, "lockstat: no class %s was used since the last reset\n", name);
  return found;
}
