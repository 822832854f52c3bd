// stressfs: NCHILD processes each write a file of their own at the same
// time, then read it back and check every byte, exercising the log, the
// buffer cache and the inode layer concurrently. Prints "stressfs ok" on
// success and a line with "FAIL" for each problem.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define NCHILD  4
#define NBLOCKS 20
#define CHUNK   512

// Block b of child i's file: every byte says whose file and which block,
// so misplaced or mixed-up data is caught.
static void
fill(char *buf, int i, int b)
{
  for(int k = 0; k < CHUNK; k++)
    buf[k] = 'a' + i + (b + k) % 16;
}

static int
child(int i)
{
  char name[] = "stressfs0";
  char want[CHUNK], got[CHUNK];
  int fd;

  name[8] += i;
  if((fd = open(name, O_CREATE | O_RDWR | O_TRUNC)) < 0){
    printf("stressfs: FAIL: child %d cannot create %s\n", i, name);
    return 1;
  }
  for(int b = 0; b < NBLOCKS; b++){
    fill(want, i, b);
    if(write(fd, want, CHUNK) != CHUNK){
      printf("stressfs: FAIL: child %d: write %d of %s\n", i, b, name);
      return 1;
    }
  }
  close(fd);

  if((fd = open(name, O_RDONLY)) < 0){
    printf("stressfs: FAIL: child %d cannot reopen %s\n", i, name);
    return 1;
  }
  for(int b = 0; b < NBLOCKS; b++){
    fill(want, i, b);
    if(read(fd, got, CHUNK) != CHUNK || memcmp(got, want, CHUNK) != 0){
      printf("stressfs: FAIL: child %d: block %d of %s reads back wrong\n", i, b, name);
      return 1;
    }
  }
  if(read(fd, got, 1) != 0){
    printf("stressfs: FAIL: child %d: %s is longer than written\n", i, name);
    return 1;
  }
  close(fd);
  if(unlink(name) < 0){
    printf("stressfs: FAIL: child %d cannot remove %s\n", i, name);
    return 1;
  }
  return 0;
}

int
main(void)
{
  int bad = 0, status;

  printf("stressfs starting %d writers\n", NCHILD);
  for(int i = 0; i < NCHILD; i++){
    int pid = fork();
    if(pid < 0){
      printf("stressfs: FAIL: fork\n");
      bad++;
      break;
    }
    if(pid == 0)
      exit(child(i));
  }
  while(wait(&status) >= 0)
    if(status != 0)
      bad++;
  if(bad){
    printf("stressfs: FAIL: %d writers had problems\n", bad);
    return 1;
  }
  printf("stressfs ok\n");
  return 0;
}
