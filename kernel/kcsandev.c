// The race detector's device, /kcsan (major KCSANDEV, make KCSAN=1 only),
// and the self-test that user/racetest drives through it.
//
// Reading /kcsan gives the detector's settings and counts, one a line:
//   interval 500      about one access in this many is watched, on each CPU
//   delay 20          microseconds each watch lasts
//   watched N         watchpoints set so far
//   full N            samples skipped because every watchpoint was in use
//   races N           races found
//   reported N        races reported: each pair of code locations once
//   test-watched N    watchpoints set on the self-test's variables
//   test-races N      races found on them
// Writing a line changes a setting, "interval N" (0 watches nothing) or
// "delay N", or runs one side of the self-test on the writer's CPU for MS
// milliseconds, "test NAME MS" (see tests[] for the names).

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "fs.h"
#include "file.h"
#include "kcsan.h"
#include "defs.h"

// The self-test's variables, which its functions race on (or not, holding
// testlock). They sit apart from everything else, so that the detector can
// count the watchpoints and races on them (kcsan_start).
static struct {
  int counter;
  int flag;
  union {
    uint64 word;
    uchar bytes[8];
  } packed;
} testvars __attribute__((aligned(64)));
static struct spinlock testlock;

// devlock protects the position (f->off) of every open /kcsan file.
static struct spinlock devlock;

static int kcsanread(struct file *f, int user, uint64 dst, int n);
static int kcsanwrite(struct file *f, int user, uint64 src, int n);

void
kcsaninit(void)
{
  initlock(&testlock, "kcsantest");
  initlock(&devlock, "kcsandev");
  devsw[KCSANDEV].read = kcsanread;
  devsw[KCSANDEV].write = kcsanwrite;
  kcsan_start((uint64)&testvars, (uint64)(&testvars + 1));
}

// ---- The self-test ----
//
// Each function loops until the time `until` (nsecs), with testlock held
// around each access if `locked`, and returns how many rounds it made or
// what it saw (so that no load is optimised away). They are compiled as
// they are written (noipa: not inlined, not cloned), so that reports name
// them.

// Take testlock, or not.
static void
enter(int locked)
{
  if(locked)
    acquire(&testlock);
}

static void
leave(int locked)
{
  if(locked)
    release(&testlock);
}

// Counting: a read and a write of counter, which races with itself on
// another CPU.
__attribute__((noipa)) static int
kcsantest_count(uint64 until, int locked)
{
  int rounds = 0;

  for(; nsecs() < until; rounds++){
    enter(locked);
    testvars.counter++;
    leave(locked);
  }
  return rounds;
}

// A flag set and cleared on one CPU and looked at on another.
__attribute__((noipa)) static int
kcsantest_setflag(uint64 until, int locked)
{
  int rounds = 0;

  for(; nsecs() < until; rounds++){
    enter(locked);
    testvars.flag = rounds & 1;
    leave(locked);
  }
  return rounds;
}

__attribute__((noipa)) static int
kcsantest_readflag(uint64 until, int locked)
{
  int seen = 0;

  while(nsecs() < until){
    enter(locked);
    seen += testvars.flag;
    leave(locked);
  }
  return seen;
}

// The flag set through data_race(), which the detector does not see: only
// its readers' watchpoints can catch it, by the value they watch changing.
// It gets a new value each time: set and cleared, it would change back
// whenever a watch happened to span an even number of writes, which a
// steady loop can make every watch do.
__attribute__((noipa)) static int
kcsantest_setflag_unseen(uint64 until, int locked)
{
  int rounds = 0;

  for(; nsecs() < until; rounds++)
    data_race(testvars.flag) = rounds;
  return rounds;
}

// One byte of a word written, the whole word read: accesses of different
// sizes at different addresses that overlap.
__attribute__((noipa)) static int
kcsantest_setbyte(uint64 until, int locked)
{
  int rounds = 0;

  for(; nsecs() < until; rounds++)
    testvars.packed.bytes[3] = rounds;
  return rounds;
}

__attribute__((noipa)) static int
kcsantest_readword(uint64 until, int locked)
{
  int seen = 0;

  while(nsecs() < until)
    seen += testvars.packed.word != 0;
  return seen;
}

static struct {
  char *name;
  int (*run)(uint64 until, int locked);
  int locked;
} tests[] = {
  { "count", kcsantest_count, 0 },
  { "count-locked", kcsantest_count, 1 },
  { "setflag", kcsantest_setflag, 0 },
  { "setflag-locked", kcsantest_setflag, 1 },
  { "readflag", kcsantest_readflag, 0 },
  { "readflag-locked", kcsantest_readflag, 1 },
  { "setflag-unseen", kcsantest_setflag_unseen, 0 },
  { "setbyte", kcsantest_setbyte, 0 },
  { "readword", kcsantest_readword, 0 },
};

#define MAXTESTMS 10000

// ---- The device ----

// Text being written into a buffer; what does not fit is dropped.
struct text {
  char *buf;
  int size;
  int len;
};

// Append the line "name n".
static void
putline(struct text *t, char *name, uint64 n)
{
  char digits[20];   // 2^64 has 20 decimal digits
  int i = 0;

  for(; *name && t->len < t->size; name++)
    t->buf[t->len++] = *name;
  do {
    digits[i++] = '0' + n % 10;
    n /= 10;
  } while(n > 0);
  if(t->len < t->size)
    t->buf[t->len++] = ' ';
  while(i > 0 && t->len < t->size)
    t->buf[t->len++] = digits[--i];
  if(t->len < t->size)
    t->buf[t->len++] = '\n';
}

static int
kcsanread(struct file *f, int user, uint64 dst, int n)
{
  char buf[256];
  struct text t = { buf, sizeof(buf), 0 };
  struct kcsancounts c;
  uint interval, delay;
  int r = -1;

  if(n < 0)
    return -1;
  kcsan_getcounts(&c, &interval, &delay);
  putline(&t, "interval", interval);
  putline(&t, "delay", delay);
  putline(&t, "watched", c.watched);
  putline(&t, "full", c.full);
  putline(&t, "races", c.races);
  putline(&t, "reported", c.reported);
  putline(&t, "test-watched", c.testwatched);
  putline(&t, "test-races", c.testraces);

  acquire(&devlock);
  int off = f->off < t.len ? f->off : t.len;
  if(n > t.len - off)
    n = t.len - off;
  if(either_copyout(user, dst, buf + off, n) == 0){
    f->off = off + n;
    r = n;
  }
  release(&devlock);
  return r;
}

// The next word of *s (which it moves past), NUL-terminated in place;
// 0 if there is none.
static char *
word(char **s)
{
  char *p = *s, *w;

  while(*p == ' ' || *p == '\n')
    p++;
  if(*p == 0)
    return 0;
  w = p;
  while(*p && *p != ' ' && *p != '\n')
    p++;
  if(*p)
    *p++ = 0;
  *s = p;
  return w;
}

// The decimal number w, or -1 if it is not one (or too large).
static int
number(char *w)
{
  int n = 0;

  if(w == 0 || *w == 0)
    return -1;
  for(; *w; w++){
    if(*w < '0' || *w > '9' || n > 100000000)
      return -1;
    n = n * 10 + (*w - '0');
  }
  return n;
}

// Carry out one command line; returns 0, or -1 if it is not one.
static int
command(char *line)
{
  char *cmd = word(&line);
  char *arg = word(&line);
  int n;

  if(cmd == 0)
    return -1;
  if(strncmp(cmd, "test", 5) == 0){
    int ms = number(word(&line));
    if(arg == 0 || ms < 0 || ms > MAXTESTMS || word(&line))
      return -1;
    for(int i = 0; i < NELEM(tests); i++){
      if(strncmp(arg, tests[i].name, MAXPATH) == 0){
        tests[i].run(nsecs() + 1000000ULL * ms, tests[i].locked);
        return 0;
      }
    }
    return -1;
  }
  if((n = number(arg)) < 0 || word(&line))
    return -1;
  if(strncmp(cmd, "interval", 9) == 0)
    kcsan_setinterval(n);
  else if(strncmp(cmd, "delay", 6) == 0)
    kcsan_setdelay(n);
  else
    return -1;
  return 0;
}

static int
kcsanwrite(struct file *f, int user, uint64 src, int n)
{
  char line[64];

  if(n < 0 || n >= sizeof(line))
    return -1;
  if(either_copyin(line, user, src, n) < 0)
    return -1;
  line[n] = 0;
  return command(line) == 0 ? n : -1;
}
