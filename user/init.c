// init: the first user program. It creates the device files, gives itself
// the console as standard input, output and error, and keeps a shell
// running. As the ancestor of every orphan it also reaps them.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "user/user.h"

// Device major numbers (docs/ABI.md; kernel/file.h is kernel-only).
#define CONSOLE     1
#define STATISTICS  2
#define LOCKSTAT    3
#define LOCKORDER   4   // only kernels built with make LOCKDEP=1 have it
#define KCSANDEV    5   // the race detector's device, in make KCSAN=1 kernels

static char *shargv[] = { "sh", 0 };

// Create device node `name` with the given major number unless it exists.
static void
makedev(char *name, int major)
{
  struct stat st;

  if(stat(name, &st) == 0)
    return;
  if(mknod(name, major, 0) < 0)
    fprintf(2, "init: cannot create %s\n", name);
}

int
main(void)
{
  makedev("console", CONSOLE);
  // Without a console there is nowhere to even report the failure.
  if(open("console", O_RDWR) != 0)
    exit(1);
  dup(0);
  dup(0);
  makedev("statistics", STATISTICS);
  makedev("lockprof", LOCKSTAT);
  makedev("lockorder", LOCKORDER);
  makedev("kcsan", KCSANDEV);

  for(;;){
    printf("init: starting sh\n");
    int pid = fork();
    if(pid < 0){
      printf("init: fork failed, retrying\n");
      sleep(10);
      continue;
    }
    if(pid == 0){
      exec("sh", shargv);
      printf("init: exec sh failed\n");
      exit(1);
    }
    // Reap orphans until the shell itself exits, then start a new one.
    // wait fails only if no children are left, so the shell is gone too.
    int r;
    while((r = wait(0)) != pid && r >= 0)
      ;
  }
}
