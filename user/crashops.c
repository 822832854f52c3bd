// The crash test's workload: the script of each worker (see crashops.h).

#include "kernel/types.h"
#include "user/user.h"
#include "user/crashops.h"

// Between them, the operations take every path of the file system that
// writes: allocating and freeing inodes, direct and indirect blocks, and
// directory entries, in a file and a directory of their own and in the
// directory shared by all the workers.
const struct op script[] = {
  { OP_CREATE, "a", 0, 0, 0 },
  { OP_WRITE, 0, 0, 0, 200 },         // small, within a block
  { OP_WRITE, 0, 0, 0, 1600 },        // across a block boundary
  { OP_CLOSE, 0, 0, 0, 0 },
  { OP_CREATE, "b", 0, 1, 0 },
  { OP_WRITE, 0, 0, 1, 3072 },        // b grows to 18 blocks: past the
  { OP_WRITE, 0, 0, 1, 3072 },        // 12 direct ones, into the
  { OP_WRITE, 0, 0, 1, 3072 },        // indirect block
  { OP_WRITE, 0, 0, 1, 3072 },
  { OP_WRITE, 0, 0, 1, 3072 },
  { OP_WRITE, 0, 0, 1, 3072 },
  { OP_CLOSE, 0, 0, 1, 0 },
  { OP_MKDIR, "s", 0, 0, 0 },
  { OP_CREATE, "s/x", 0, 2, 0 },
  { OP_WRITE, 0, 0, 2, 504 },
  { OP_CLOSE, 0, 0, 2, 0 },
  { OP_LINK, "a", "s/a", 0, 0 },      // rename a to s/a: a second name,
  { OP_UNLINK, "a", 0, 0, 0 },        // then the first one goes
  { OP_OPEN, "s/a", 0, 0, 0 },
  { OP_WRITE, 0, 0, 0, 304 },         // append
  { OP_CLOSE, 0, 0, 0, 0 },
  { OP_CREATE, "t", 0, 3, 0 },
  { OP_WRITE, 0, 0, 3, 2048 },
  { OP_UNLINK, "t", 0, 0, 0 },        // still open: an orphan until closed
  { OP_WRITE, 0, 0, 3, 1024 },        // an orphan grows
  { OP_TRUNC, "b", 0, 1, 0 },         // frees 18 blocks and the indirect one
  { OP_WRITE, 0, 0, 1, 1000 },
  { OP_CLOSE, 0, 0, 1, 0 },
  { OP_CLOSE, 0, 0, 3, 0 },           // the orphan is freed
  { OP_UNLINK, "s/x", 0, 0, 0 },
  { OP_LINK, "s/a", "c", 0, 0 },      // rename s/a to c
  { OP_UNLINK, "s/a", 0, 0, 0 },
  { OP_UNLINK, "s", 0, 0, 0 },        // rmdir
  { OP_CREATE, "d", 0, 0, 0 },
  { OP_WRITE, 0, 0, 0, 3072 },
  { OP_WRITE, 0, 0, 0, 3072 },
  { OP_WRITE, 0, 0, 0, 3072 },
  { OP_WRITE, 0, 0, 0, 3072 },
  { OP_WRITE, 0, 0, 0, 1024 },        // d ends in its indirect block
  { OP_CLOSE, 0, 0, 0, 0 },
  { OP_UNLINK, "c", 0, 0, 0 },
};
const int nscript = sizeof(script) / sizeof(script[0]);

uint64
crashword(int worker, int seq, uint off)
{
  return WORD_MAGIC << 56 | (uint64)worker << 48 | (uint64)seq << 32 | off;
}

void
crashdata(uint64 *buf, int worker, int seq, uint off, int len)
{
  for(int i = 0; i < len / 8; i++)
    buf[i] = crashword(worker, seq, off + 8 * i);
}

void
crashpath(char *buf, int worker, const char *name)
{
  int n = strlen(CRASHDIR);

  strcpy(buf, CRASHDIR);
  buf[n++] = '/';
  buf[n++] = '0' + worker;
  strcpy(buf + n, name);
}

void
printop(int fd, int seq)
{
  static char *kinds[] = {
    [OP_CREATE] "create", [OP_OPEN] "open", [OP_TRUNC] "truncate",
    [OP_WRITE] "write", [OP_CLOSE] "close", [OP_MKDIR] "mkdir",
    [OP_LINK] "link", [OP_UNLINK] "unlink",
  };
  const struct op *o = &script[seq - 1];

  fprintf(fd, "operation %d (%s", seq, kinds[o->kind]);
  if(o->name)
    fprintf(fd, " %s", o->name);
  if(o->name2)
    fprintf(fd, " %s", o->name2);
  if(o->kind == OP_WRITE)
    fprintf(fd, " %d bytes", o->len);
  if(o->kind != OP_LINK && o->kind != OP_UNLINK && o->kind != OP_MKDIR)
    fprintf(fd, ", slot %d", o->slot);
  fprintf(fd, ")");
}
