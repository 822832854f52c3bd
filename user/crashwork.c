// crashwork: the crash test's workload (user/crashops.h, docs/crash.md).
// Makes CRASHDIR, then runs the script in NWORKERS processes at once, so
// that their operations share log commits and directory blocks. Prints
// "crashwork: done" when every worker has finished; the crash test cuts
// the power somewhere before that.

#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "kernel/param.h"
#include "user/user.h"
#include "user/crashops.h"

// The kernel writes a file in log operations of at most this many bytes,
// ending at a block boundary (WRITE_BLOCKS in kernel/file.c). A longer
// write would be several operations, and a crash could keep part of it.
#define OPBYTES (3 * BSIZE)

static uint64 buf[OPBYTES / 8];

static void work(int worker);

int
main(void)
{
  int failed = 0;

  if(mkdir(CRASHDIR) < 0){
    fprintf(2, "crashwork: cannot make %s\n", CRASHDIR);
    exit(1);
  }
  for(int w = 0; w < NWORKERS; w++){
    int pid = fork();
    if(pid < 0){
      fprintf(2, "crashwork: fork failed\n");
      exit(1);
    }
    if(pid == 0){
      work(w);
      exit(0);
    }
  }
  for(int w = 0; w < NWORKERS; w++){
    int status;
    if(wait(&status) < 0 || status != 0)
      failed = 1;
  }
  if(failed){
    printf("crashwork: FAILED\n");
    exit(1);
  }
  printf("crashwork: done\n");
  exit(0);
}

static void
fail(int worker, int seq, char *why)
{
  fprintf(2, "crashwork: worker %d: ", worker);
  printop(2, seq);
  fprintf(2, ": %s\n", why);
  exit(1);
}

// Open a script name into a slot; returns the descriptor or fails.
static int
openname(int worker, int seq, int mode)
{
  char path[MAXPATH];
  int fd;

  crashpath(path, worker, script[seq - 1].name);
  if((fd = open(path, mode)) < 0)
    fail(worker, seq, "open failed");
  return fd;
}

static void
work(int worker)
{
  int fd[NSLOTS];
  uint off[NSLOTS];
  char path[MAXPATH], path2[MAXPATH];
  int r;

  for(int seq = 1; seq <= nscript; seq++){
    const struct op *o = &script[seq - 1];
    switch(o->kind){
    case OP_CREATE:
      fd[o->slot] = openname(worker, seq, O_CREATE | O_RDWR);
      off[o->slot] = 0;
      break;
    case OP_TRUNC:
      fd[o->slot] = openname(worker, seq, O_TRUNC | O_RDWR);
      off[o->slot] = 0;
      break;
    case OP_OPEN:
      fd[o->slot] = openname(worker, seq, O_RDWR);
      off[o->slot] = 0;
      while((r = read(fd[o->slot], buf, sizeof(buf))) > 0)
        off[o->slot] += r;
      if(r < 0)
        fail(worker, seq, "read failed");
      break;
    case OP_WRITE:
      if(o->len % 8 != 0 || o->len > OPBYTES - off[o->slot] % BSIZE)
        fail(worker, seq, "not one log operation: fix the script");
      crashdata(buf, worker, seq, off[o->slot], o->len);
      if(write(fd[o->slot], buf, o->len) != o->len)
        fail(worker, seq, "write failed");
      off[o->slot] += o->len;
      break;
    case OP_CLOSE:
      if(close(fd[o->slot]) < 0)
        fail(worker, seq, "close failed");
      break;
    case OP_MKDIR:
      crashpath(path, worker, o->name);
      if(mkdir(path) < 0)
        fail(worker, seq, "mkdir failed");
      break;
    case OP_LINK:
      crashpath(path, worker, o->name);
      crashpath(path2, worker, o->name2);
      if(link(path, path2) < 0)
        fail(worker, seq, "link failed");
      break;
    case OP_UNLINK:
      crashpath(path, worker, o->name);
      if(unlink(path) < 0)
        fail(worker, seq, "unlink failed");
      break;
    }
  }
}
