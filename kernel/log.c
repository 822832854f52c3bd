// The file system's write-ahead (redo) log, which makes each file system
// operation atomic with respect to crashes.
//
// An operation (a system call's worth of changes) runs between begin_op()
// and end_op(), and changes blocks only through log_write(), which records
// the block in the log header in memory and pins its buffer so that the
// block stays in the cache. Nothing reaches the disk's home locations yet.
// When the last of the operations running at the same time ends, they are
// committed together (group commit):
//   1. every logged block is copied into the log area on disk;
//   2. the header, listing the blocks' home addresses, is written: this is
//      the commit point;
//   3. the blocks are written to their homes and unpinned;
//   4. the header is cleared.
// A crash before 2 loses the operations entirely; a crash after 2 is
// repaired at boot by initlog(), which redoes 3 and 4.
//
// On-disk layout of the log: block logstart holds the header, the next
// LOGSIZE blocks hold copies of the logged blocks, in header order.
//
// begin_read()/end_read() bracket reads of files outside any operation
// (fileread, filestat); they take no log space, but they use buffers, and
// admission accounts for every buffer user (see "the buffer budget").
//
// Admission rests on these invariants:
//
// 1. An operation is admitted (begin_op) under wal.lock, on lh.n,
//    outstanding and committing, which change only under it. Operations
//    never look at the readers: the readers' share of the buffer budget is
//    fixed (READ_SLOTS).
// 2. A read slot is taken without the lock (try_read_slot): a reader adds 1
//    to readers and keeps the slot only if the sum is at most READ_SLOTS,
//    else subtracts its 1 again. The count may pass READ_SLOTS for a
//    moment, but the slots held never do: when the last of the holders
//    took its slot, all the others were in the sum it saw.
// 3. No reader sleeps through a freed slot: one about to sleep raises
//    readwaiters before it tries again, and end_read lowers readers before
//    it reads readwaiters. All four accesses are sequentially consistent,
//    so in their one total order either the retry sees the freed slot or
//    end_read sees the waiter, and then wakes it under wal.lock, which the
//    waiter holds until sleep() has released it. (With weaker orderings
//    both could see the old value: each is a store followed by a load of
//    another location.)
//
// tests/host/test_log.c checks them with threads playing CPUs (run by
// tests/host/run.py test): without the buffer budget of 1, mix runs the
// cache out of buffers ("bget: no buffers"); if readers could keep a slot
// past READ_SLOTS, slots sees too many inside; if end_read looked at
// readwaiters before lowering readers, handoff would leave a reader asleep
// with a slot free, and its watchdog fail the test. (That last race is
// narrow: the test caught it with the window widened by a yield. And on an
// x86 host every atomic read-modify-write is a full barrier, so weaker
// orderings than sequentially consistent would not show there at all.)
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
#include "lockdep.h"

// The header, both on disk and in memory.
struct logheader {
  int n;                  // blocks logged
  int block[LOGSIZE];     // their home block numbers
};
// Writing the header is the commit point, so it must reach the disk whole
// or not at all. A disk writes a 512-byte sector atomically, but a block
// is two sectors, of which a power cut may leave only the first written.
_Static_assert(sizeof(struct logheader) <= 512, "log header must fit in a disk sector");

// lock protects outstanding, committing and lh. The committing process
// alone also reads lh without the lock: while committing is set no
// operation runs, so nothing else changes it. readers is changed only by
// atomic instructions, without the lock, so that readers of different files
// never wait on each other (see begin_read); readwaiters is changed
// atomically under the lock and read without it. dev and start are set once at
// boot. Lock order: lock before a buffer cache lock (log_write pins under it).
static struct {
  struct spinlock lock;
  uint dev;
  uint start;             // block number of the header
  int outstanding;        // operations between begin_op and end_op
  int committing;         // a commit is under way: operations must wait
  int readwaiters;        // readers asleep in begin_read, waiting for a slot
  struct logheader lh;    // blocks logged by this group of operations
  int readers __attribute__((aligned(64)));   // read slots taken, or being tried
} wal;

// ---- the buffer budget ----
//
// The buffer cache has NBUF buffers and panics when all of them are in use
// and one more is asked for. A buffer is in use while it is pinned by the
// log or held (bread without brelse yet, or waited for in bread) by a
// process. Admission keeps the worst case within NBUF:
//
//   pinned: at most lh.n + MAXOPBLOCKS per running operation, since each
//           operation logs at most MAXOPBLOCKS distinct blocks (fs.c and
//           file.c size their operations so);
//   held by a running operation: at most OP_HELD at a time, because fs.c
//           never holds more than two buffers at once (bmap holds the
//           indirect block while balloc reads the bitmap or zeroes the new
//           block; itrunc holds it while bfree reads the bitmap);
//   held by readers: at most READ_SLOTS, since a reader holds one block
//           at a time and at most READ_SLOTS readers run at once;
//   held by the commit: COMMIT_HELD, a log block or the header, one at a
//           time (the blocks it installs are pinned ones). A commit runs
//           while no operation does, but readers may go on, so it is
//           counted always.
//
// Held buffers may also be pinned ones; counting them twice only makes the
// bound safe. The readers' share is fixed: what is left once two operations
// and a commit are provided for (5 with the default NBUF 30 and MAXOPBLOCKS
// 10). So operations never look at readers, and a reader takes a slot with
// one atomic add, without the log's lock. begin_op waits until one more
// operation fits both the log (its MAXOPBLOCKS) and the buffer budget;
// begin_read until a slot is free. Whoever waits holds no buffer and no
// inode lock, and everyone admitted finishes without waiting for admission,
// so waiting cannot deadlock.
#define OP_HELD      2
#define COMMIT_HELD  1
#define READ_SLOTS   (NBUF - COMMIT_HELD - 2 * (MAXOPBLOCKS + OP_HELD))

_Static_assert(MAXOPBLOCKS <= LOGSIZE, "an operation must fit in the log");
_Static_assert(READ_SLOTS >= 1, "two operations and a reader must fit in the buffer cache");

// The helpers, in the order they follow the interface.
static int admit_op(void);
static int try_read_slot(void);
static void commit(void);
static void write_body(void);
static void write_header(void);
static void install(int recovering);
static void recover(struct superblock *sb);
static void read_header(void);

// ---- the interface ----

void
initlog(int dev, struct superblock *sb)
{
  if(sb->nlog < LOGSIZE + 1)
    panic("initlog: log too small");
  initlock(&wal.lock, "log");
  wal.dev = dev;
  wal.start = sb->logstart;
  recover(sb);
}

// Start a file system operation: wait until it is sure to fit.
void
begin_op(void)
{
  acquire(&wal.lock);
  while(!admit_op())
    sleep(&wal, &wal.lock);
  wal.outstanding++;
  release(&wal.lock);
}

// End an operation; the last one of a group commits the group.
void
end_op(void)
{
  int docommit = 0;

  acquire(&wal.lock);
  if(wal.outstanding < 1 || wal.committing)
    panic("end_op");
  wal.outstanding--;
  if(wal.outstanding == 0){
    docommit = 1;
    wal.committing = 1;
  } else {
    // What this operation did not log is free again for those waiting.
    wakeup(&wal);
  }
  release(&wal.lock);

  if(docommit){
    // Sleeps on the disk, so no spinlock may be held.
    commit();
    acquire(&wal.lock);
    wal.committing = 0;
    wakeup(&wal);
    release(&wal.lock);
  }
}

// Start reading a file outside any operation: wait for a read slot. Only
// when all slots are taken does a reader need the log's lock, to sleep.
void
begin_read(void)
{
  if(try_read_slot())
    return;
  acquire(&wal.lock);
  // Raised before the retry, so end_read cannot miss us (invariant 3).
  __atomic_add_fetch(&wal.readwaiters, 1, __ATOMIC_SEQ_CST);
  while(!try_read_slot())
    sleep(&wal.readers, &wal.lock);
  __atomic_sub_fetch(&wal.readwaiters, 1, __ATOMIC_SEQ_CST);
  release(&wal.lock);
}

void
end_read(void)
{
  if(__atomic_sub_fetch(&wal.readers, 1, __ATOMIC_SEQ_CST) < 0)
    panic("end_read");
  if(__atomic_load_n(&wal.readwaiters, __ATOMIC_SEQ_CST) > 0){
    acquire(&wal.lock);
    wakeup(&wal.readers);
    release(&wal.lock);
  }
}

// Record that the running operation changed b (which the caller holds):
// b is written at commit. Logging a block again costs nothing more.
void
log_write(struct buf *b)
{
  int i;

  acquire(&wal.lock);
  if(wal.outstanding < 1)
    panic("log_write outside of an operation");
  for(i = 0; i < wal.lh.n; i++)
    if(wal.lh.block[i] == b->blockno)
      break;
  if(i == wal.lh.n){
    if(wal.lh.n >= LOGSIZE)
      panic("log_write: operation too big");
    wal.lh.block[wal.lh.n++] = b->blockno;
    bpin(b);
  }
  release(&wal.lock);
}

// ---- admission ----

// May one more operation start now? The caller holds wal.lock.
static int
admit_op(void)
{
  int ops = wal.outstanding + 1;

  return !wal.committing &&
         wal.lh.n + ops * MAXOPBLOCKS <= LOGSIZE &&
         wal.lh.n + ops * (MAXOPBLOCKS + OP_HELD) + READ_SLOTS + COMMIT_HELD <= NBUF;
}

// Try to take a read slot; a failed try gives back what it added
// (invariant 2).
static int
try_read_slot(void)
{
  if(__atomic_add_fetch(&wal.readers, 1, __ATOMIC_SEQ_CST) <= READ_SLOTS)
    return 1;
  __atomic_sub_fetch(&wal.readers, 1, __ATOMIC_SEQ_CST);
  return 0;
}

// ---- moving blocks between the log and their homes ----

// Called with committing set and no operation running.
static void
commit(void)
{
  if(wal.lh.n == 0)
    return;
  write_body();
  write_header();
  install(0);
  // The blocks are home and unpinned: give their share of the budget back.
  acquire(&wal.lock);
  wal.lh.n = 0;
  release(&wal.lock);
  write_header();
}

// Copy each logged block from its cached (pinned) buffer into the log.
static void
write_body(void)
{
  for(int i = 0; i < wal.lh.n; i++){
    struct buf *to = bread(wal.dev, wal.start + 1 + i);
    // The block's buffer is taken inside the log block's. (Recovery nests
    // them the other way round, in install(), but it runs alone at boot.)
    lockdep_nest(&to->lock.info);
    struct buf *from = bread(wal.dev, wal.lh.block[i]);
    memmove(to->data, from->data, BSIZE);
    brelse(from);
    bwrite(to);
    brelse(to);
  }
}

// Write the in-memory header to disk. With lh.n > 0 this commits.
static void
write_header(void)
{
  struct buf *b = bread(wal.dev, wal.start);

  memmove(b->data, &wal.lh, sizeof(wal.lh));
  bwrite(b);
  brelse(b);
}

// Write the logged blocks to their home locations. After a commit, the
// cached buffers hold the new contents and are unpinned once written; at
// recovery nothing is cached yet, so the contents come from the log.
static void
install(int recovering)
{
  for(int i = 0; i < wal.lh.n; i++){
    struct buf *home = bread(wal.dev, wal.lh.block[i]);
    if(recovering){
      lockdep_nest(&home->lock.info);   // see write_body
      struct buf *copy = bread(wal.dev, wal.start + 1 + i);
      memmove(home->data, copy->data, BSIZE);
      brelse(copy);
    }
    bwrite(home);
    if(!recovering)
      bunpin(home);
    brelse(home);
  }
}

static void
recover(struct superblock *sb)
{
  read_header();
  if(wal.lh.n < 0 || wal.lh.n > LOGSIZE)
    panic("initlog: bad log header");
  for(int i = 0; i < wal.lh.n; i++)
    if(wal.lh.block[i] <= 0 || (uint)wal.lh.block[i] >= sb->size)
      panic("initlog: bad block in log");
  if(wal.lh.n > 0)
    printf("log: recovering %d blocks\n", wal.lh.n);
  install(1);
  wal.lh.n = 0;
  write_header();
}

static void
read_header(void)
{
  struct buf *b = bread(wal.dev, wal.start);

  memmove(&wal.lh, b->data, sizeof(wal.lh));
  brelse(b);
}
