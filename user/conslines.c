// conslines [NPROC [NLINES]]: NPROC processes (default 4) each print
// NLINES numbered lines (default 50) on the console at the same time, then
// the parent prints "conslines done". The test driver checks that every
// line arrived, whole and once: console output from several CPUs at once
// loses nothing and mixes no lines.
#include "kernel/types.h"
#include "user/user.h"

// One printf, so one write(): a line long enough to be cut by another
// CPU's output if writes were not kept whole, made of the process and line
// numbers and a pattern that repeats them.
static void
printline(int p, int n)
{
  printf("conslines p%d n%d: %d.%d %d.%d %d.%d %d.%d %d.%d %d.%d end\n",
         p, n, p, n, p, n, p, n, p, n, p, n, p, n);
}

int
main(int argc, char *argv[])
{
  int nproc = argc > 1 ? atoi(argv[1]) : 4;
  int nlines = argc > 2 ? atoi(argv[2]) : 50;
  int failed = 0;

  for(int p = 0; p < nproc; p++){
    int pid = fork();
    if(pid < 0){
      printf("conslines: fork failed\n");
      failed = 1;
      break;
    }
    if(pid == 0){
      for(int n = 0; n < nlines; n++)
        printline(p, n);
      exit(0);
    }
  }
  int status;
  while(wait(&status) >= 0)
    failed |= status != 0;
  printf("conslines %s\n", failed ? "FAILED" : "done");
  exit(failed);
}
