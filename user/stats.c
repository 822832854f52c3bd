// stats: print the kernel's lock statistics report (the statistics device).
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

int
main(void)
{
  char buf[512];
  int fd = open("/statistics", O_RDONLY);
  int n;

  if(fd < 0){
    fprintf(2, "stats: cannot open statistics\n");
    exit(1);
  }
  while((n = read(fd, buf, sizeof(buf))) > 0)
    write(1, buf, n);
  close(fd);
  exit(n < 0 ? 1 : 0);
}
