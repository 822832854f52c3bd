// kcsanctl [interval N | delay N]: show the race detector's settings and
// counts (make KCSAN=1), or change a setting: watch about one access in N
// on each CPU (0: none), or make each watch last N microseconds.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

int
main(int argc, char *argv[])
{
  char buf[512];
  int fd = open("/kcsan", O_RDWR);
  int n;

  if(fd < 0){
    fprintf(2, "kcsanctl: no /kcsan: boot a kernel built with make KCSAN=1\n");
    exit(1);
  }
  if(argc == 3){
    n = strlen(argv[1]);
    memmove(buf, argv[1], n);
    buf[n++] = ' ';
    if(n + strlen(argv[2]) >= sizeof(buf))
      exit(1);
    strcpy(buf + n, argv[2]);
    n += strlen(argv[2]);
    if(write(fd, buf, n) != n){
      fprintf(2, "usage: kcsanctl [interval N | delay N]\n");
      exit(1);
    }
    exit(0);
  }
  if(argc != 1){
    fprintf(2, "usage: kcsanctl [interval N | delay N]\n");
    exit(1);
  }
  while((n = read(fd, buf, sizeof(buf))) > 0)
    write(1, buf, n);
  exit(n < 0 ? 1 : 0);
}
