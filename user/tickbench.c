// tickbench [TICKS]: contention on the tick counter's lock, the one that
// uptime() and sleep() take (named "time"). One process per CPU, pinned
// there, calls uptime() CALLS times and then sleeps one tick, over and
// over, for TICKS ticks (default 50). Prints what they did and the time
// lock's line of the statistics report before and after: its failed
// test-and-set attempts (#test-and-set) and its acquires. Build the kernel
// with TICKS=spin to compare with a plain spinlock.
#include "kernel/types.h"
#include "user/user.h"

#define CALLS 1000

static char report[8192];   // larger than any report (at most 4096 bytes)

// Print the time lock's line of the statistics report, headed by when.
static void
timeline(char *when)
{
  int n = statistics(report, sizeof(report) - 1);

  if(n <= 0){
    printf("tickbench: cannot read the statistics device\n");
    exit(1);
  }
  report[n] = 0;
  for(char *line = report; *line; ){
    char *end = strchr(line, '\n');
    if(end)
      *end = 0;
    if(memcmp(line, "lock: time: ", 12) == 0){
      printf("tickbench: %s: %s\n", when, line);
      return;
    }
    if(end == 0)
      break;
    line = end + 1;
  }
  printf("tickbench: %s: time is not among the top 5 contended locks\n", when);
}

// Call uptime() until `ticks` ticks have passed; exit with the number of
// thousands of calls made.
static void
caller(int cpu, int ticks)
{
  if(cpupin(cpu) < 0)
    exit(-1);
  int start = uptime(), thousands = 0;
  while(uptime() - start < ticks){
    for(int i = 0; i < CALLS; i++)
      uptime();
    thousands += CALLS / 1000;
    sleep(1);
  }
  exit(thousands);
}

int
main(int argc, char *argv[])
{
  int ticks = argc > 1 ? atoi(argv[1]) : 50;
  int n = ncpus();

  if(ticks <= 0){
    printf("usage: tickbench [TICKS]\n");
    exit(1);
  }
  timeline("before");
  int start = uptime();
  for(int cpu = 0; cpu < n; cpu++){
    int pid = fork();
    if(pid < 0){
      printf("tickbench: fork failed\n");
      exit(1);
    }
    if(pid == 0)
      caller(cpu, ticks);
  }
  int status, thousands = 0, bad = 0;
  while(wait(&status) >= 0){
    if(status < 0)
      bad = 1;
    else
      thousands += status;
  }
  if(bad){
    printf("tickbench: a caller could not pin itself\n");
    exit(1);
  }
  printf("tickbench: %d CPUs, %d ticks: %d000 uptime calls\n", n, uptime() - start, thousands);
  timeline("after");
  exit(0);
}
