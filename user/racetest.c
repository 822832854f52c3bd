// racetest [MS]: the race detector's self-test (make KCSAN=1). In each case
// two processes run the two sides of a test in the kernel at the same
// time, for MS milliseconds (default 1000), through /kcsan. The detector
// must find races on the test's variables in the unlocked cases, and none
// when the test takes its lock, though it watched them as often. The
// kernel prints a report for each race it finds (once per pair of code
// locations). Prints "racetest OK" at the end.
//
// The two sides race only while their harts really run at once, which
// under QEMU on a busy host (each hart a host thread) can be seldom; so an
// unlocked case that found nothing runs again, up to TRIES times.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

static struct {
  char *name;
  char *side[2];   // the two processes' tests (kernel/kcsandev.c)
  int racy;        // must races be found?
} cases[] = {
  { "unlocked counter", { "count", "count" }, 1 },
  { "counter with its lock", { "count-locked", "count-locked" }, 0 },
  { "unlocked flag", { "setflag", "readflag" }, 1 },
  { "flag with its lock", { "setflag-locked", "readflag-locked" }, 0 },
  { "flag set with data_race(), unseen", { "setflag-unseen", "readflag" }, 1 },
  { "byte written, word read", { "setbyte", "readword" }, 1 },
};

// A case with its lock is no evidence unless the detector watched the
// test's variables this often.
#define MINWATCHED 20
#define TRIES 5

// The number after "name " in /kcsan, or -1 if it cannot be read.
static int
count(char *name)
{
  char buf[512];
  int fd = open("/kcsan", O_RDONLY);
  int n = 0, r;

  if(fd < 0)
    return -1;
  while(n < sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
    n += r;
  close(fd);
  buf[n] = 0;
  int len = strlen(name);
  for(char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : 0)
    if(memcmp(line, name, len) == 0 && line[len] == ' ')
      return atoi(line + len + 1);
  return -1;
}

// Append s to the string at *end, moving *end past it.
static void
append(char **end, char *s)
{
  while(*s)
    *(*end)++ = *s++;
  **end = 0;
}

// Run test `side` in the kernel for ms milliseconds, in a child.
static void
spawn(char *side, int ms)
{
  char cmd[64], digits[12], *end = cmd;
  int n = sizeof(digits) - 1, pid;

  digits[n] = 0;
  do {
    digits[--n] = '0' + ms % 10;
    ms /= 10;
  } while(ms > 0);
  append(&end, "test ");
  append(&end, side);
  append(&end, " ");
  append(&end, digits + n);

  if((pid = fork()) < 0){
    printf("racetest: fork failed\n");
    exit(1);
  }
  if(pid == 0){
    int fd = open("/kcsan", O_WRONLY);
    int len = end - cmd;
    exit(fd >= 0 && write(fd, cmd, len) == len ? 0 : 1);
  }
}

int
main(int argc, char *argv[])
{
  int ms = argc > 1 ? atoi(argv[1]) : 1000;

  if(ms <= 0 || ms > 10000){
    printf("usage: racetest [MS], 1 to 10000 milliseconds per case\n");
    exit(1);
  }
  int failed = 0;

  if(count("races") < 0){
    printf("racetest: no /kcsan: boot a kernel built with make KCSAN=1\n");
    exit(1);
  }
  for(int c = 0; c < sizeof(cases) / sizeof(cases[0]); c++){
    int races = count("test-races"), watched = count("test-watched");
    int ok = 1, runs = 0;
    do {
      for(int s = 0; s < 2; s++)
        spawn(cases[c].side[s], ms);
      for(int s = 0; s < 2; s++){
        int status;
        wait(&status);
        ok = ok && status == 0;
      }
      runs++;
    } while(ok && cases[c].racy && count("test-races") == races && runs < TRIES);
    races = count("test-races") - races;
    watched = count("test-watched") - watched;
    if(!ok)
      printf("racetest: %s: a test did not run\n", cases[c].name);
    else if(cases[c].racy ? races == 0 : races != 0 || watched < MINWATCHED)
      ok = 0;
    printf("racetest: %s: %d races found in %d watches, %d run%s: %s\n", cases[c].name,
           races, watched, runs, runs == 1 ? "" : "s", ok ? "OK" : "FAIL");
    failed += !ok;
  }
  printf(failed ? "racetest FAILED\n" : "racetest OK\n");
  exit(failed ? 1 : 0);
}
