// rwlktest: run the kernel's self-test of its read-write spinlocks on every
// CPU at once: one child per CPU, pinned there, each making the rwlktest
// system call. Prints "rwlktest: N/M CPUs succeeded"; the kernel says on
// the console what failed, if anything did.
#include "kernel/types.h"
#include "kernel/param.h"
#include "user/user.h"

int
main(void)
{
  int n = ncpus();

  if(n < 2){
    printf("rwlktest: needs at least 2 CPUs, found %d\n", n);
    exit(1);
  }
  for(int cpu = 0; cpu < n; cpu++){
    int pid = fork();
    if(pid < 0){
      printf("rwlktest: fork failed\n");
      break;
    }
    if(pid == 0)
      exit(cpupin(cpu) == 0 && rwlktest() == 0 ? 0 : 1);
  }
  int ok = 0, status;
  while(wait(&status) >= 0)
    ok += status == 0;
  printf("rwlktest: %d/%d CPUs succeeded\n", ok, n);
  exit(ok == n ? 0 : 1);
}
