// Reading a block through the buffer cache, and writing a cached block back
// to the disk: the same for both caches (bio.c, and bio_global.c for
// make BCACHE=global), which differ only in how bget finds a buffer.
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

// The buffer holding block blockno of dev, locked, with its data read in.
struct buf *
bread(uint dev, uint blockno)
{
  struct buf *b = bget(dev, blockno);

  if(!b->valid){
    virtio_disk_rw(b, 0);
    b->valid = 1;
  }
  return b;
}

// Write b's data to the disk. The caller holds b->lock.
void
bwrite(struct buf *b)
{
  if(!holdingsleep(&b->lock))
    panic("bwrite");
  virtio_disk_rw(b, 1);
}
