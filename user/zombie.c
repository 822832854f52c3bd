// zombie: leave a zombie child behind for a moment. The child exits at once;
// the parent sleeps without waiting for it, then exits too, so init
// inherits the zombie and must reap it.
#include "kernel/types.h"
#include "user/user.h"

int
main(void)
{
  int pid = fork();

  if(pid < 0){
    fprintf(2, "zombie: fork failed\n");
    return 1;
  }
  if(pid > 0)
    sleep(5);
  return 0;
}
