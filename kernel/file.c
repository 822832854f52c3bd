// Open files: what file descriptors refer to. A file is a pipe end, an
// inode with a read/write position, or a device, whose driver is found in
// devsw by its major number.

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "stat.h"
#include "fs.h"
#include "file.h"
#include "proc.h"
#include "defs.h"

// Drivers fill in their entries at boot; read-only afterwards.
struct devsw devsw[NDEV];

// Every open file in the system. lock protects each file's ref (a file
// is free when ref is 0); the rest of a file is set up by whoever
// allocated it before it is shared, and fixed from then on, except off
// (see file.h).
static struct {
  struct spinlock lock;
  struct file file[NFILE];
} ftable;

void
fileinit(void)
{
  initlock(&ftable.lock, "ftable");
}

// A free file with one reference and nothing else set, or 0 if the
// table is full.
struct file *
filealloc(void)
{
  acquire(&ftable.lock);
  for(struct file *f = ftable.file; f < &ftable.file[NFILE]; f++){
    if(f->ref == 0){
      memset(f, 0, sizeof(*f));
      f->type = FD_NONE;
      f->ref = 1;
      release(&ftable.lock);
      return f;
    }
  }
  release(&ftable.lock);
  return 0;
}

struct file *
filedup(struct file *f)
{
  acquire(&ftable.lock);
  if(f->ref < 1)
    panic("filedup");
  f->ref++;
  release(&ftable.lock);
  return f;
}

// The driver of a device file, or 0 if its major number has none.
static struct devsw *
driver(struct file *f)
{
  if(f->major < 0 || f->major >= NDEV)
    return 0;
  return &devsw[f->major];
}

// Drop a reference; the last one releases what the file refers to.
void
fileclose(struct file *f)
{
  struct file last;

  acquire(&ftable.lock);
  if(f->ref < 1)
    panic("fileclose");
  if(--f->ref > 0){
    release(&ftable.lock);
    return;
  }
  // Work on a copy: once ref is 0 the slot may be handed out again, and
  // what follows may sleep, so ftable.lock cannot be kept.
  last = *f;
  f->type = FD_NONE;
  release(&ftable.lock);

  if(last.type == FD_PIPE){
    pipeclose(last.pipe, last.writable);
  } else if(last.type == FD_INODE || last.type == FD_DEVICE){
    if(last.type == FD_DEVICE){
      struct devsw *d = driver(&last);
      if(d && d->close)
        d->close(&last);
    }
    // The last reference to an unlinked inode frees it: that writes.
    begin_op();
    iput(last.ip);
    end_op();
  }
}

// Copy f's inode's metadata to the user address addr. Returns 0 or -1.
int
filestat(struct file *f, uint64 addr)
{
  struct stat st;

  if(f->type != FD_INODE && f->type != FD_DEVICE)
    return -1;
  begin_read();
  ilock(f->ip);
  stati(f->ip, &st);
  iunlock(f->ip);
  end_read();
  return copyout(myproc()->pagetable, addr, (char *)&st, sizeof(st)) < 0 ? -1 : 0;
}

// Read up to n bytes from f to the user address addr. Returns the bytes
// read (0 at end of file) or -1.
int
fileread(struct file *f, uint64 addr, int n)
{
  int r = -1;

  if(!f->readable || n < 0)
    return -1;

  switch(f->type){
  case FD_PIPE:
    r = piperead(f->pipe, addr, n);
    break;
  case FD_DEVICE: {
    struct devsw *d = driver(f);
    if(d && d->read)
      r = d->read(f, 1, addr, n);
    break;
  }
  case FD_INODE:
    begin_read();
    ilock(f->ip);
    r = readi(f->ip, 1, addr, f->off, n);
    if(r > 0)
      f->off += r;
    iunlock(f->ip);
    end_read();
    break;
  default:
    panic("fileread");
  }
  return r;
}

// Data blocks one operation of filewrite may touch. Writing them costs at
// most 2 * WRITE_BLOCKS + 3 logged blocks: each data block, a bitmap block
// for each block allocated (the data blocks and perhaps the indirect
// block), the indirect block and the inode.
#define WRITE_BLOCKS ((MAXOPBLOCKS - 3) / 2)
_Static_assert(WRITE_BLOCKS >= 1, "MAXOPBLOCKS too small for writes");

// Write n bytes from the user address addr to f at its position. Inode
// writes go in pieces of at most WRITE_BLOCKS blocks, one log operation
// each, so a big write may end up partly done if it fails halfway (disk
// full, bad address). Returns the bytes written, or -1 if none could be.
static int
inodewrite(struct file *f, uint64 addr, int n)
{
  int done = 0;

  while(done < n){
    begin_op();
    ilock(f->ip);
    // End the piece at a block boundary, so that it spans whole blocks,
    // and at the largest file size, so that a write running into it
    // writes what fits. (off never exceeds it: it moves within the file.)
    int m = WRITE_BLOCKS * BSIZE - f->off % BSIZE;
    if(m > n - done)
      m = n - done;
    if(m > MAXFILE * BSIZE - f->off)
      m = MAXFILE * BSIZE - f->off;
    int r = m > 0 ? writei(f->ip, 1, addr + done, f->off, m) : -1;
    if(r > 0){
      f->off += r;
      done += r;
    }
    iunlock(f->ip);
    end_op();
    if(r != m)
      break;
  }
  return (done > 0 || n == 0) ? done : -1;
}

int
filewrite(struct file *f, uint64 addr, int n)
{
  int r = -1;

  if(!f->writable || n < 0)
    return -1;

  switch(f->type){
  case FD_PIPE:
    r = pipewrite(f->pipe, addr, n);
    break;
  case FD_DEVICE: {
    struct devsw *d = driver(f);
    if(d && d->write)
      r = d->write(f, 1, addr, n);
    break;
  }
  case FD_INODE:
    r = inodewrite(f, addr, n);
    break;
  default:
    panic("filewrite");
  }
  return r;
}
