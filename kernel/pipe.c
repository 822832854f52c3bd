// Pipes: a ring buffer in a page of its own, between a read end and a
// write end, each of them an open file.

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "sleeplock.h"
#include "fs.h"
#include "file.h"
#include "defs.h"

#define PIPESIZE 512

// lock protects every field. nread and nwrite count the bytes ever read
// and written; they wrap around together (unsigned), so nwrite - nread
// is always the number of bytes waiting, and data[x % PIPESIZE] is where
// counter x points. Readers sleep on &nread, writers on &nwrite.
struct pipe {
  struct spinlock lock;
  char data[PIPESIZE];
  uint nread;
  uint nwrite;
  int readopen;    // the read end is still open
  int writeopen;   // the write end is still open
};
_Static_assert(sizeof(struct pipe) <= PGSIZE, "a pipe must fit in a page");

// Make a pipe and its two ends. Returns 0, or -1 with nothing allocated.
int
pipealloc(struct file **rf, struct file **wf)
{
  struct pipe *pi = kalloc();

  *rf = *wf = 0;
  if(pi == 0 || (*rf = filealloc()) == 0 || (*wf = filealloc()) == 0){
    // The files are still FD_NONE, so closing them only frees the slots.
    if(*rf)
      fileclose(*rf);
    if(pi)
      kfree(pi);
    return -1;
  }

  initlock(&pi->lock, "pipe");
  pi->nread = pi->nwrite = 0;
  pi->readopen = pi->writeopen = 1;

  (*rf)->type = FD_PIPE;
  (*rf)->readable = 1;
  (*rf)->pipe = pi;
  (*wf)->type = FD_PIPE;
  (*wf)->writable = 1;
  (*wf)->pipe = pi;
  return 0;
}

// Close one end; the second close frees the pipe.
void
pipeclose(struct pipe *pi, int writable)
{
  acquire(&pi->lock);
  if(writable){
    pi->writeopen = 0;
    wakeup(&pi->nread);    // readers see end of file
  } else {
    pi->readopen = 0;
    wakeup(&pi->nwrite);   // writers see the broken pipe
  }
  if(pi->readopen || pi->writeopen){
    release(&pi->lock);
    return;
  }
  release(&pi->lock);
  // No end is left, so no one else can reach pi any more.
  freelock(&pi->lock);
  kfree(pi);
}

// Bytes that can be copied at once starting at counter pos, given that
// avail bytes are wanted: up to the end of the ring, at most.
static uint
contiguous(uint pos, uint avail)
{
  uint toend = PIPESIZE - pos % PIPESIZE;

  return avail < toend ? avail : toend;
}

// Write n bytes from the user address addr, sleeping while the pipe is
// full. Returns n; the bytes written so far if addr turns out bad (-1 if
// none); or -1 if the read end closes or the writer is killed.
int
pipewrite(struct pipe *pi, uint64 addr, int n)
{
  struct proc *p = myproc();
  int done = 0;

  acquire(&pi->lock);
  while(done < n){
    if(!pi->readopen || killed(p)){
      release(&pi->lock);
      return -1;
    }
    uint space = PIPESIZE - (pi->nwrite - pi->nread);
    if(space == 0){
      wakeup(&pi->nread);
      sleep(&pi->nwrite, &pi->lock);
      continue;
    }
    uint want = n - done;
    uint m = contiguous(pi->nwrite, want < space ? want : space);
    if(copyin(p->pagetable, &pi->data[pi->nwrite % PIPESIZE], addr + done, m) < 0)
      break;
    pi->nwrite += m;
    done += m;
  }
  wakeup(&pi->nread);
  release(&pi->lock);
  return (done > 0 || n == 0) ? done : -1;
}

// Read up to n bytes into the user address addr, sleeping until there is
// something to read or the write end is closed. Returns the bytes read
// (0 at end of file), or -1 if addr is bad or the reader is killed.
int
piperead(struct pipe *pi, uint64 addr, int n)
{
  struct proc *p = myproc();
  int done = 0;

  if(n == 0)
    return 0;

  acquire(&pi->lock);
  while(pi->nread == pi->nwrite && pi->writeopen){
    if(killed(p)){
      release(&pi->lock);
      return -1;
    }
    sleep(&pi->nread, &pi->lock);
  }
  // At most two pieces: up to the end of the ring, then from its start.
  while(done < n && pi->nread != pi->nwrite){
    uint want = n - done;
    uint avail = pi->nwrite - pi->nread;
    uint m = contiguous(pi->nread, want < avail ? want : avail);
    if(copyout(p->pagetable, addr + done, &pi->data[pi->nread % PIPESIZE], m) < 0)
      break;
    pi->nread += m;
    done += m;
  }
  wakeup(&pi->nwrite);
  release(&pi->lock);
  return (done > 0 || pi->nread == pi->nwrite) ? done : -1;
}
