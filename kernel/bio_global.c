// Buffer cache under a single lock (make BCACHE=global): the baseline that
// kernel/bio.c is measured against. Same interface and behaviour: NBUF
// buffers, a block cached at most once, the least recently released free
// buffer recycled on a miss. Every bread and brelse takes the one lock, so
// processes on different CPUs wait for each other even when they use
// different blocks.
//
// This file also builds on the host (tests/host) against a shim: it must use
// only defs.h functions, and no RISC-V assembly.

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "fs.h"
#include "buf.h"
#include "defs.h"

// lock protects the list (first, and every buffer's prev/next), clock, and
// each buffer's dev, blockno, refcnt and lastuse. A buffer's sleep lock
// protects its valid and data; nobody holds it while refcnt is 0. Lock
// order: lock is released before a buffer's sleep lock is taken.
//
// The list holds all NBUF buffers, most recently looked up first, so that
// blocks in use are found after few steps.
static struct {
  struct spinlock lock;
  struct buf *first;
  uint64 clock;             // the last lastuse stamp handed out
  struct buf buf[NBUF];
} bcache;

static void
push_front(struct buf *b)
{
  b->prev = 0;
  b->next = bcache.first;
  if(bcache.first)
    bcache.first->prev = b;
  bcache.first = b;
}

static void
move_to_front(struct buf *b)
{
  if(b == bcache.first)
    return;
  b->prev->next = b->next;
  if(b->next)
    b->next->prev = b->prev;
  push_front(b);
}

void
binit(void)
{
  initlock(&bcache.lock, "bcache");
  bcache.first = 0;
  bcache.clock = 0;
  for(struct buf *b = bcache.buf; b < bcache.buf + NBUF; b++){
    initsleeplock(&b->lock, "buffer");
    // No real device is numbered -1: an unused buffer matches no lookup.
    b->dev = (uint)-1;
    b->blockno = 0;
    b->valid = 0;
    b->disk = 0;
    b->refcnt = 0;
    b->lastuse = 0;
    push_front(b);
  }
}

// The buffer for (dev, blockno), locked. One pass over the list finds the
// block, or else the free buffer released longest ago to recycle for it.
struct buf *
bget(uint dev, uint blockno)
{
  struct buf *b, *oldest = 0;

  acquire(&bcache.lock);
  for(b = bcache.first; b; b = b->next){
    if(b->dev == dev && b->blockno == blockno)
      break;
    if(b->refcnt == 0 && (oldest == 0 || b->lastuse < oldest->lastuse))
      oldest = b;
  }
  if(b == 0){
    if(oldest == 0)
      panic("bget: no buffers");
    b = oldest;
    b->dev = dev;
    b->blockno = blockno;
    b->valid = 0;
  }
  b->refcnt++;
  move_to_front(b);
  release(&bcache.lock);

  acquiresleep(&b->lock);
  return b;
}

// Caller holds bcache.lock. The last reference gone stamps b for LRU.
static void
drop(struct buf *b)
{
  if(b->refcnt == 0)
    panic("bcache: refcnt underflow");
  if(--b->refcnt == 0)
    b->lastuse = ++bcache.clock;
}

// The caller holds b->lock, and gives it up with the buffer.
void
brelse(struct buf *b)
{
  if(!holdingsleep(&b->lock))
    panic("brelse");
  releasesleep(&b->lock);
  acquire(&bcache.lock);
  drop(b);
  release(&bcache.lock);
}

// An extra reference keeps b cached while the log still has to write it.
void
bpin(struct buf *b)
{
  acquire(&bcache.lock);
  b->refcnt++;
  release(&bcache.lock);
}

void
bunpin(struct buf *b)
{
  acquire(&bcache.lock);
  drop(b);
  release(&bcache.lock);
}
