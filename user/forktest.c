// forktest: fork until the process table is full, then check that every
// child can be waited for exactly once and that wait then reports no
// children. Prints "fork test OK" on success.
#include "kernel/types.h"
#include "user/user.h"

#define N 1000

int
main(void)
{
  int n;

  printf("fork test\n");
  for(n = 0; n < N; n++){
    int pid = fork();
    if(pid < 0)
      break;
    if(pid == 0)
      exit(0);
  }
  if(n == N){
    printf("forktest: FAIL: fork succeeded %d times, the process table has no limit\n", N);
    exit(1);
  }
  if(n < 2){
    printf("forktest: FAIL: only %d forks succeeded\n", n);
    exit(1);
  }
  for(int i = 0; i < n; i++){
    if(wait(0) < 0){
      printf("forktest: FAIL: wait stopped early, after %d of %d children\n", i, n);
      exit(1);
    }
  }
  if(wait(0) != -1){
    printf("forktest: FAIL: wait found a child after all were reaped\n");
    exit(1);
  }
  printf("fork test OK\n");
  return 0;
}
