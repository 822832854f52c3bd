// lockdep: the state of the lock-order checker (kernels built with
// make LOCKDEP=1): whether it is on, and how many reports it made.
// lockdep -g also prints every lock class and every dependency between two
// classes seen so far ("A -> B": a lock of B was taken while one of A was
// held, with where each was taken the first time). make lock-graph draws
// them.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

// The kernel makes the text anew for each read, up to where the read
// ends: big reads make it fewer times.
static char buf[4096];

int
main(int argc, char *argv[])
{
  int graph = argc == 2 && strcmp(argv[1], "-g") == 0;
  int lines = 0, n;

  if(argc > 2 || (argc == 2 && !graph)){
    fprintf(2, "usage: lockdep [-g]\n");
    exit(1);
  }
  int fd = open("/lockorder", O_RDONLY);
  if(fd < 0){
    fprintf(2, "lockdep: cannot open /lockorder: the kernel must be built with make LOCKDEP=1\n");
    exit(1);
  }
  // Without -g, only the first two lines: the state and the counts.
  while((n = read(fd, buf, sizeof(buf))) > 0){
    int m = 0;
    while(m < n && (graph || lines < 2))
      if(buf[m++] == '\n')
        lines++;
    write(1, buf, m);
    if(m < n)
      break;
  }
  close(fd);
  exit(n < 0 ? 1 : 0);
}
