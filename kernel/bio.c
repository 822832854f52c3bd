// Buffer cache split into hash buckets (make BCACHE=bucket).
//
// The cache keeps copies of disk blocks in NBUF buffers, so that blocks in
// use are read once, and it makes a block's buffer the one place where
// processes using that block meet: its sleep lock lets one process at a time
// look at or change the block. Hence a block must never be cached twice.
//
// A buffer that caches a block lives in the hash bucket of its
// (dev, blockno), and each bucket has its own lock. Finding a cached block
// (bread hit) takes no lock at all, and letting it go (brelse) takes the
// bucket's lock only when no one else holds the buffer: so processes using
// the same block (the log's bitmap and inode blocks, say) meet only on the
// buffer's sleep lock, and processes using blocks of different buckets
// never meet. A miss recycles the least recently used buffer that nobody
// holds, which may sit in any bucket, and moves it to the block's.
//
// Interface (bread and bwrite, built on bget, are in bread.c):
//   bget(dev, blockno)   a locked buffer for the block, its data maybe not read
//   brelse(b)            done with b (do not use it any more)
//   bpin(b), bunpin(b)   keep b cached (the log does, until it installs b)
//
// The steps taken without a lock rest on these invariants:
//
// 1. Choosing a victim takes no lock (claim_lru): refcnt and lastuse are
//    read with relaxed atomic loads, and may be stale by the time they are
//    compared. Nothing is decided on them but which buffer to try to claim.
// 2. A buffer nobody holds is claimed by changing its refcnt from 0 to 1
//    with a compare-and-swap, so two misses never claim the same buffer.
//    The claim is an acquire, and every decrement of refcnt a release, so
//    the claimer sees the buffer as its last user and its last mover left
//    it: it reads dev and blockno, to find the buffer's bucket, before it
//    takes any lock.
// 3. A buffer changes its (dev, blockno) only while its refcnt is MOVING.
//    The miss that claimed it sets MOVING holding the locks of the victim's
//    bucket and of the block's (bget_miss), with a compare-and-swap from 1,
//    its claim alone, which fails if anyone else holds the buffer: the miss
//    then gives its claim back. While refcnt is MOVING no one can take a
//    reference (a hit skips it, see 4); the miss moves the buffer
//    and ends the move by storing 1, its own reference, with a release.
//    The block missing from its bucket, checked under that bucket's lock,
//    means no one else caches it, since every buffer enters a bucket under
//    its lock. Hence a block is cached at most once, and a buffer that
//    anyone holds never changes block.
// 4. A hit takes no lock (find_and_ref). It walks its bucket's list with
//    atomic loads, and takes a reference with a compare-and-swap that
//    fails on MOVING, and is an acquire: so, once it holds the reference,
//    dev and blockno are stable (3), and it reads the values the last move
//    stored. The walk itself may be misled by a move under way: it may
//    follow a buffer into another bucket, or stop at one just removed. So
//    it takes at most NBUF steps and only finds a candidate; holding the
//    reference, the hit reads dev and blockno again, and keeps the buffer
//    only if they still name its block. Otherwise, or if it found nothing,
//    it takes the miss path, which looks again under the bucket lock.
// 5. refcnt falls to 0 only under the buffer's bucket lock (drop_ref takes
//    it for the last reference only, and a hot block that the log pins, or
//    that several processes hold, is released without any lock), and it is
//    MOVING only under the bucket lock too. So "every buffer is in use"
//    (all_in_use), decided holding every bucket lock, is exact: no buffer
//    can become free while it looks.
//
// tests/host/test_bio.c checks them with threads playing CPUs (run by
// tests/host/run.py test), each under ThreadSanitizer. Without the
// compare-and-swap of 2, or with a move that checks refcnt == 1 instead of
// setting MOVING (3), a buffer in use changes block under its user, a race
// on the buffer (rw); without the check that the block is not cached yet,
// two threads hold one block's "lock" at once, a race on the test's
// versions (same); without the acquire and release of 2, the claimer's
// read of dev is a race (rw); without the second look of 4, a hit returns
// a buffer of another block (rw). busy checks the answer of 5 (a full
// cache panics, one with a buffer free does not), though no test races a
// release with it; lru checks that the victim is the least recently used
// buffer, pin that a pinned one is never a victim; hits that hits on blocks
// of different buckets take no lock.
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

// A prime above NBUF: most buckets hold one buffer or none, and, since
// consecutive blocks go to consecutive buckets, blocks less than NBUCKET
// apart (files written one after the other, say) never share a bucket.
// The statistics report lists every bucket's lock in at most 4096 bytes,
// which leaves room for not many more.
#define NBUCKET 37
#define NODEV   ((uint)-1)  // the dev of a buffer that has never held a block
#define MOVING  ((uint)-1)  // the refcnt of a buffer changing block (invariant 3)

// Locks and what they protect:
//
// - bucket[i].lock: the writes of bucket i's list (head, and prev/next of
//   the buffers on it) and, for each buffer on it, of dev, blockno and
//   lastuse. A buffer changes its (dev, blockno), and so its bucket, only
//   under the locks of both buckets involved, and only while MOVING: so
//   whoever holds a reference may read them without a lock. Hits read
//   head, next, dev and blockno without any lock, and misses lastuse, so
//   these are loaded and stored atomically; prev is only used under the lock.
// - refcnt is changed only by atomic instructions: the last release lowers
//   it to 0 holding the bucket lock, and a miss sets and clears MOVING
//   holding it; hits, claims, pins and other releases take no lock
//   (invariants 2 to 5 above).
// - A buffer's sleep lock: valid and data (see buf.h). While refcnt is 0 no
//   one holds or waits for it, which lets a miss clear valid.
// - disk belongs to the disk driver (virtio_disk.c). The cache only sets
//   it to 0 in binit, before any I/O.
//
// Lock order: bucket locks in increasing bucket number (a miss holds two:
// the victim's bucket and the block's; all_in_use holds them all), then,
// with no spinlock held, a buffer's sleep lock. Nothing else is acquired
// while a bucket lock is held, so a miss cannot deadlock with another miss
// or with a release.
struct bucket {
  struct spinlock lock;
  struct buf *head;         // doubly linked through buf.prev/next
  char name[12];            // "bcache" and the bucket number, for the statistics
} __attribute__((aligned(64)));   // no shared cache lines between buckets

static struct {
  struct bucket bucket[NBUCKET];
  struct buf buf[NBUF];
} bcache;

_Static_assert(NBUCKET <= 99999, "bucket names have room for five digits");

// The last stamp handed out for buf.lastuse. Incremented atomically rather
// than under a lock, so that releases in different buckets share no lock;
// every stamp is distinct, so the order of releases is exact.
static uint64 lastuse_clock;

// The helpers, in the order they follow the interface.
static struct buf *bget_miss(struct bucket *bk, uint dev, uint blockno);
static struct buf *claim_lru(void);
static int all_in_use(void);
static void lock_buckets(struct bucket *a, struct bucket *b);
static void unlock_buckets(struct bucket *a, struct bucket *b);
static struct bucket *bucket_for(uint dev, uint blockno);
static struct bucket *bucket_of(struct buf *b);
static void bucket_add(struct bucket *bk, struct buf *b);
static void bucket_remove(struct bucket *bk, struct buf *b);
static struct buf *find_and_ref(struct bucket *bk, uint dev, uint blockno);
static struct buf *find_and_ref_locked(struct bucket *bk, uint dev, uint blockno);
static int names(struct buf *b, uint dev, uint blockno);
static void drop_ref(struct buf *b);
static void ref_inc(struct buf *b);
static int ref_inc_unless_moving(struct buf *b);
static uint ref_dec(struct buf *b);
static int ref_dec_unless_last(struct buf *b);
static int ref_claim(struct buf *b);
static int ref_start_move(struct buf *b);
static void ref_end_move(struct buf *b);
static uint ref_count(struct buf *b);

// ---- the interface ----

void
binit(void)
{
  for(int i = 0; i < NBUCKET; i++){
    lockname(bcache.bucket[i].name, sizeof(bcache.bucket[i].name), "bcache", i);
    initlock(&bcache.bucket[i].lock, bcache.bucket[i].name);
    bcache.bucket[i].head = 0;
  }
  // A buffer always sits in the bucket of its (dev, blockno). Unused ones
  // hold made-up blocks of no device, one each, which spreads them out.
  for(int i = 0; i < NBUF; i++){
    struct buf *b = &bcache.buf[i];
    initsleeplock(&b->lock, "buffer");
    b->dev = NODEV;
    b->blockno = i;
    b->valid = 0;
    b->disk = 0;
    b->refcnt = 0;
    b->lastuse = 0;
    bucket_add(bucket_of(b), b);
  }
}

// The buffer for (dev, blockno), locked.
struct buf *
bget(uint dev, uint blockno)
{
  struct bucket *bk = bucket_for(dev, blockno);
  struct buf *b;

  b = find_and_ref(bk, dev, blockno);
  if(b == 0)
    b = bget_miss(bk, dev, blockno);
  acquiresleep(&b->lock);
  return b;
}

// The caller holds b->lock, and gives it up with the buffer.
void
brelse(struct buf *b)
{
  if(!holdingsleep(&b->lock))
    panic("brelse");
  releasesleep(&b->lock);
  drop_ref(b);
}

// An extra reference keeps b cached while the log still has to write it.
// The caller holds b, so refcnt is neither 0 nor MOVING, and no miss can
// claim b: no lock is needed (invariant 3).
void
bpin(struct buf *b)
{
  ref_inc(b);
}

void
bunpin(struct buf *b)
{
  drop_ref(b);
}

// ---- a miss ----

// Failed claims in a row before a miss checks, with every bucket lock,
// whether the cache is really full. The log's admission control keeps
// buffer users within NBUF, so a claim fails only while other misses race
// for the last free buffers.
#define CLAIM_TRIES 1000

// A miss in bucket bk: recycle the least recently used free buffer for
// (dev, blockno), unless another process cached the block meanwhile.
// Returns the buffer with a reference taken.
//
// The victim is claimed without a lock (invariants 1 and 2), then moved
// under the locks of its bucket and of bk (invariant 3), unless a hit on
// the victim's old block has taken a reference meanwhile: then the victim
// stays as it is and we look again. Claimed, the victim cannot be moved by
// anyone else, so its bucket is known.
//
// Every process that caches (dev, blockno) puts it in bk holding bk->lock,
// after finding it is not there: so two misses on one block meet on
// bk->lock, and the second finds the first's buffer. The lock-free look of
// a hit can miss a cached block while a move misleads it (invariant 4), so
// this looks again under the lock, also when there is no buffer to claim.
static struct buf *
bget_miss(struct bucket *bk, uint dev, uint blockno)
{
  int tries = 0;

  for(;;){
    struct buf *b = claim_lru();
    if(b == 0){
      acquire(&bk->lock);
      struct buf *cached = find_and_ref_locked(bk, dev, blockno);
      release(&bk->lock);
      if(cached)
        return cached;
      if(++tries % CLAIM_TRIES == 0 && all_in_use())
        panic("bget: no buffers");
      cpu_relax();
      continue;
    }
    struct bucket *from = bucket_of(b);

    lock_buckets(bk, from);
    struct buf *cached = find_and_ref_locked(bk, dev, blockno);
    if(cached || !ref_start_move(b)){
      // Give the claim back, leaving b as it was (its last use stamp too).
      ref_dec(b);
      unlock_buckets(bk, from);
      if(cached)
        return cached;
      continue;
    }
    bucket_remove(from, b);
    __atomic_store_n(&b->dev, dev, __ATOMIC_RELAXED);
    __atomic_store_n(&b->blockno, blockno, __ATOMIC_RELAXED);
    b->valid = 0;   // no one holds b's sleep lock: we have the only reference
    bucket_add(bk, b);
    ref_end_move(b);
    unlock_buckets(bk, from);
    return b;
  }
}

// Claim the least recently used buffer that no one uses, in the whole cache,
// and return it; 0 if every buffer seemed in use. Takes no lock, so that
// misses at the same time claim different buffers instead of queueing for
// the same one (invariants 1 and 2). If another miss claims our choice
// first, take the next oldest.
static struct buf *
claim_lru(void)
{
  for(;;){
    struct buf *victim = 0;
    uint64 oldest = 0;
    for(struct buf *b = bcache.buf; b < bcache.buf + NBUF; b++){
      if(ref_count(b) != 0)
        continue;
      uint64 t = __atomic_load_n(&b->lastuse, __ATOMIC_RELAXED);
      if(victim == 0 || t < oldest){
        victim = b;
        oldest = t;
      }
    }
    if(victim == 0 || ref_claim(victim))
      return victim;
  }
}

// Is every buffer in use? Unlike claim_lru, which may see one buffer
// taken and another released while it scans, this holds every bucket lock
// (in the lock order) while it looks, so no buffer can come free
// (invariant 4). Only a miss that has found nothing to claim many times in
// a row comes here, to make sure before it panics.
static int
all_in_use(void)
{
  int busy = 1;

  for(int i = 0; i < NBUCKET; i++)
    acquire(&bcache.bucket[i].lock);
  for(struct buf *b = bcache.buf; b < bcache.buf + NBUF; b++)
    if(ref_count(b) == 0)
      busy = 0;
  for(int i = NBUCKET - 1; i >= 0; i--)
    release(&bcache.bucket[i].lock);
  return busy;
}

// Take the locks of buckets a and b (which may be the same) in increasing
// bucket number, the cache's lock order; and release them.
static void
lock_buckets(struct bucket *a, struct bucket *b)
{
  if(a > b){
    struct bucket *t = a;
    a = b;
    b = t;
  }
  acquire(&a->lock);
  if(b != a)
    acquire(&b->lock);
}

static void
unlock_buckets(struct bucket *a, struct bucket *b)
{
  release(&a->lock);
  if(b != a)
    release(&b->lock);
}

// ---- buckets ----

static struct bucket *
bucket_for(uint dev, uint blockno)
{
  return &bcache.bucket[(dev * 31u + blockno) % NBUCKET];
}

// The bucket b is in. The caller holds a reference to b or b's bucket
// lock, so b's block, and with it b's bucket, cannot change under it.
static struct bucket *
bucket_of(struct buf *b)
{
  return bucket_for(b->dev, b->blockno);
}

// Caller holds bk->lock (for bucket_add and bucket_remove). head and next
// are stored atomically, since hits walk the list without the lock.
static void
bucket_add(struct bucket *bk, struct buf *b)
{
  b->prev = 0;
  __atomic_store_n(&b->next, bk->head, __ATOMIC_RELAXED);
  if(bk->head)
    bk->head->prev = b;
  __atomic_store_n(&bk->head, b, __ATOMIC_RELAXED);
}

static void
bucket_remove(struct bucket *bk, struct buf *b)
{
  if(b->prev)
    __atomic_store_n(&b->prev->next, b->next, __ATOMIC_RELAXED);
  else
    __atomic_store_n(&bk->head, b->next, __ATOMIC_RELAXED);
  if(b->next)
    b->next->prev = b->prev;
  b->prev = 0;
  __atomic_store_n(&b->next, (struct buf *)0, __ATOMIC_RELAXED);
}

// If bk seems to hold (dev, blockno), take a reference to its buffer and
// return it; otherwise return 0, also when the block may be cached after
// all. Takes no lock (invariant 4).
static struct buf *
find_and_ref(struct bucket *bk, uint dev, uint blockno)
{
  struct buf *b = __atomic_load_n(&bk->head, __ATOMIC_RELAXED);

  for(int steps = 0; b && steps < NBUF; steps++){
    if(names(b, dev, blockno)){
      if(!ref_inc_unless_moving(b))
        return 0;
      if(names(b, dev, blockno))
        return b;
      drop_ref(b);
      return 0;
    }
    b = __atomic_load_n(&b->next, __ATOMIC_RELAXED);
  }
  return 0;
}

// If bk holds (dev, blockno), take a reference to its buffer and return
// it; otherwise return 0. The caller holds bk->lock, so no buffer of bk is
// MOVING, and the answer is exact.
static struct buf *
find_and_ref_locked(struct bucket *bk, uint dev, uint blockno)
{
  for(struct buf *b = bk->head; b; b = b->next){
    if(names(b, dev, blockno)){
      ref_inc(b);
      return b;
    }
  }
  return 0;
}

// Does b hold (dev, blockno)? The loads are atomic, for lock-free hits.
static int
names(struct buf *b, uint dev, uint blockno)
{
  return __atomic_load_n(&b->dev, __ATOMIC_RELAXED) == dev &&
         __atomic_load_n(&b->blockno, __ATOMIC_RELAXED) == blockno;
}

// ---- references ----

// Drop a reference to b. One that leaves others holding b takes no lock;
// the last one takes b's bucket lock, so that refcnt falls to 0 only under
// it (invariant 4), and stamps the time of use for LRU.
static void
drop_ref(struct buf *b)
{
  if(ref_dec_unless_last(b))
    return;

  struct bucket *bk = bucket_of(b);
  acquire(&bk->lock);
  if(ref_count(b) == 0)
    panic("bcache: refcnt underflow");
  if(ref_dec(b) == 0)
    __atomic_store_n(&b->lastuse, __atomic_add_fetch(&lastuse_clock, 1, __ATOMIC_RELAXED),
                     __ATOMIC_RELAXED);
  release(&bk->lock);
}

// The counter itself. The last release, and a miss setting and clearing
// MOVING, hold b's bucket lock; hits, claims, pins and other releases do
// not. The acquires of a claim and of a lock-free hit pair with the
// release of every decrement and of the end of a move (invariants 2 to 4).

// Take a reference: a pin (the caller holds one), or a hit holding b's
// bucket lock, when b cannot be MOVING.
static void
ref_inc(struct buf *b)
{
  __atomic_add_fetch(&b->refcnt, 1, __ATOMIC_RELAXED);
}

// Take a reference unless b is changing block; say whether it did.
static int
ref_inc_unless_moving(struct buf *b)
{
  uint n = __atomic_load_n(&b->refcnt, __ATOMIC_RELAXED);

  while(n != MOVING)
    if(__atomic_compare_exchange_n(&b->refcnt, &n, n + 1, 0,
                                   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
      return 1;
  return 0;
}

static uint
ref_dec(struct buf *b)
{
  return __atomic_sub_fetch(&b->refcnt, 1, __ATOMIC_RELEASE);
}

// Drop a reference unless it is the last one; say whether it did.
static int
ref_dec_unless_last(struct buf *b)
{
  uint n = __atomic_load_n(&b->refcnt, __ATOMIC_RELAXED);

  while(n > 1)
    if(__atomic_compare_exchange_n(&b->refcnt, &n, n - 1, 0,
                                   __ATOMIC_RELEASE, __ATOMIC_RELAXED))
      return 1;
  return 0;
}

// Take b's first reference, if no one has one.
static int
ref_claim(struct buf *b)
{
  uint unused = 0;

  return __atomic_compare_exchange_n(&b->refcnt, &unused, 1, 0,
                                     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

// Make a claimed b MOVING, if the claim is its only reference; say whether
// it did. An acquire: the miss comes after every earlier holder's last use
// of b, whose decrement was a release, taken with or without the lock.
static int
ref_start_move(struct buf *b)
{
  uint claim = 1;

  return __atomic_compare_exchange_n(&b->refcnt, &claim, MOVING, 0,
                                     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

// b has its new block: the miss keeps its one reference, and hits that
// take one after it see the new dev and blockno.
static void
ref_end_move(struct buf *b)
{
  __atomic_store_n(&b->refcnt, 1, __ATOMIC_RELEASE);
}

// For claim_lru's choice and all_in_use's count, which decide nothing on
// b's contents: whoever then uses b orders itself by a claim's acquire.
static uint
ref_count(struct buf *b)
{
  return __atomic_load_n(&b->refcnt, __ATOMIC_RELAXED);
}
