// lockdeptest: the lock-order checker's self-tests, in kernels built with
// make LOCKDEP=1. Each test has the kernel do, through the device
// /lockorder, something that the checker must report, or must not, and then
// looks at the device's first line for what it reported:
//
//   abba        two locks taken in both orders by one process: reported,
//               though one CPU alone cannot deadlock
//   recursive   two locks of one class held at once: reported
//   nested      the same, with the nesting declared: not reported
//               (recursive is its control: the same locks, undeclared)
//   sleeplock   a sleep lock taken while holding a spinlock: reported
//   unheld      a sleep lock released while not held: reported
//   userret     back in user space holding a sleep lock: reported
//
// With no arguments it runs them all and ends with "lockdeptest OK".
// "lockdeptest sleep" has the kernel call sleep() holding a spinlock: the
// checker reports it, and then the kernel panics.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define CIRCULAR  "possible circular locking dependency"
#define RECURSIVE "recursive locking"
#define SLEEPING  "sleeping while holding a spinlock"
#define UNHELD    "releasing a lock not held"
#define USERRET   "returning to user space with locks held"

static struct {
  char *name;
  char *expect;         // the report's title, or 0 for none
} tests[] = {
  { "abba", CIRCULAR },
  { "recursive", RECURSIVE },
  { "nested", 0 },
  { "sleeplock", SLEEPING },
  { "unheld", UNHELD },
  { "userret", USERRET },
};

// The device's first line: "lockdep: on|off, reports: N[, last: TITLE]".
struct state {
  int on;
  int reports;
  char last[64];
};

static int
startswith(char *s, char *prefix)
{
  return strlen(s) >= strlen(prefix) && memcmp(s, prefix, strlen(prefix)) == 0;
}

static int
getstate(struct state *st)
{
  char line[128];
  int fd = open("/lockorder", O_RDONLY);
  int n = 0;

  if(fd < 0)
    return -1;
  // One read may return less than the line.
  while(n < sizeof(line) - 1){
    int m = read(fd, line + n, sizeof(line) - 1 - n);
    if(m <= 0)
      break;
    n += m;
    line[n] = 0;
    if(strchr(line, '\n'))
      break;
  }
  close(fd);
  line[n] = 0;
  char *end = strchr(line, '\n');
  if(end == 0)
    return -1;
  *end = 0;

  char *p = line;
  if(startswith(p, "lockdep: on, ")){
    st->on = 1;
    p += strlen("lockdep: on, ");
  } else if(startswith(p, "lockdep: off, ")){
    st->on = 0;
    p += strlen("lockdep: off, ");
  } else {
    return -1;
  }
  if(!startswith(p, "reports: "))
    return -1;
  p += strlen("reports: ");
  st->reports = atoi(p);
  st->last[0] = 0;
  char *last = strchr(p, ',');
  if(last){
    if(!startswith(last, ", last: "))
      return -1;
    strcpy(st->last, last + strlen(", last: "));
  }
  return 0;
}

// Ask the kernel to run a self-test; 0 if it did.
static int
ask(char *name)
{
  int fd = open("/lockorder", O_WRONLY);
  int r = fd >= 0 && write(fd, name, strlen(name)) == strlen(name) ? 0 : -1;

  if(fd >= 0)
    close(fd);
  return r;
}

// Run test t; return 1 if it went as expected.
static int
run(int t)
{
  struct state before, after;
  char *name = tests[t].name;

  if(getstate(&before) < 0){
    printf("lockdeptest: %s: FAIL: cannot read /lockorder\n", name);
    return 0;
  }
  if(ask(name) < 0){
    printf("lockdeptest: %s: FAIL: the kernel refused to run it "
           "(the checker is off after a report of its own?)\n", name);
    return 0;
  }
  // The report came on the way back from the write; let the lock go.
  if(strcmp(name, "userret") == 0 && ask("userret-release") < 0){
    printf("lockdeptest: userret: FAIL: cannot release its lock\n");
    return 0;
  }
  if(getstate(&after) < 0){
    printf("lockdeptest: %s: FAIL: cannot read /lockorder\n", name);
    return 0;
  }

  int made = after.reports - before.reports;
  if(tests[t].expect == 0){
    if(made == 0 && after.on){
      printf("lockdeptest: %s: OK (no report)\n", name);
      return 1;
    }
    printf("lockdeptest: %s: FAIL: reported: %s\n", name, after.last);
    return 0;
  }
  if(made == 1 && strcmp(after.last, tests[t].expect) == 0){
    printf("lockdeptest: %s: OK (reported: %s)\n", name, after.last);
    return 1;
  }
  printf("lockdeptest: %s: FAIL: %d reports, the last: %s (expected: %s)\n",
         name, made, made > 0 ? after.last : "none", tests[t].expect);
  return 0;
}

#define NTESTS (sizeof(tests) / sizeof(tests[0]))

// Is test t among the arguments (or are there none)?
static int
asked(int t, int argc, char *argv[])
{
  for(int i = 1; i < argc; i++)
    if(strcmp(argv[i], tests[t].name) == 0)
      return 1;
  return argc == 1;
}

int
main(int argc, char *argv[])
{
  struct state st;
  int failed = 0;

  if(getstate(&st) < 0){
    fprintf(2, "lockdeptest: cannot read /lockorder: the kernel must be built with "
            "make LOCKDEP=1\n");
    exit(1);
  }
  if(argc == 2 && strcmp(argv[1], "sleep") == 0){
    ask("sleep");
    printf("lockdeptest: sleep: FAIL: the kernel did not panic\n");
    exit(1);
  }
  for(int i = 1; i < argc; i++){
    int t = 0;
    while(t < NTESTS && strcmp(argv[i], tests[t].name) != 0)
      t++;
    if(t == NTESTS){
      fprintf(2, "usage: lockdeptest [sleep | abba recursive nested sleeplock unheld userret]\n");
      exit(1);
    }
  }
  for(int t = 0; t < NTESTS; t++)
    if(asked(t, argc, argv))
      failed += !run(t);
  if(failed){
    printf("lockdeptest: %d FAILED\n", failed);
    exit(1);
  }
  printf("lockdeptest OK\n");
  exit(0);
}
