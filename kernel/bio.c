// Buffer cache split into hash buckets (make BCACHE=bucket).
//
// The cache keeps copies of disk blocks in NBUF buffers, so that blocks in
// use are read once, and it makes a block's buffer the one place where
// processes using that block meet: its sleep lock lets one process at a time
// look at or change the block. Hence a block must never be cached twice.
//
// A buffer that caches a block lives in the hash bucket of its
// (dev, blockno), and each bucket has its own lock, so that finding a
// cached block (bread hit) and letting it go (brelse) take one bucket lock
// and nothing else: processes using blocks of different buckets never wait
// for each other. A miss recycles the least recently used buffer that
// nobody holds, which may sit in any bucket, and moves it to the block's.
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
// 3. A claim is checked under the locks of the victim's bucket and of the
//    block's bucket (bget_miss). refcnt rises only by a claim from 0, by a
//    hit holding the buffer's bucket lock, or by a holder pinning it (never
//    from 0); it may fall at any time, but to 0 only under the bucket lock
//    (see 4). So refcnt == 1 there, read with an acquire load, means that
//    only the claim holds the buffer, that every other holder is done with
//    it, and that no hit can find it before it has moved; and the block missing
//    from its bucket means no one else caches it. Only then does the buffer
//    change its (dev, blockno). Hence a block is cached at most once, and a
//    buffer in use never changes block.
// 4. refcnt falls to 0 only under the buffer's bucket lock (drop_ref takes
//    it for the last reference only, and a hot block that the log pins, or
//    that several processes hold, is released without any lock). So "every
//    buffer is in use" (all_in_use), decided holding every bucket lock, is
//    exact: no buffer can become free while it looks.
//
// tests/host/test_bio.c checks them with threads playing CPUs (run by
// tests/host/run.py test), each under ThreadSanitizer. Without the
// compare-and-swap of 2 or the refcnt check of 3, a buffer in use changes
// block under its user, a race on the buffer (rw); without the check that
// the block is not cached yet, two threads hold one block's "lock" at once,
// a race on the test's versions (same); without the acquire and release of
// 2, the claimer's read of dev is a race (rw). busy checks the answer of 4 (a full cache
// panics, one with a buffer free does not), though no test races a release
// with it; lru checks that the victim is the least recently used buffer,
// pin that a pinned one is never a victim.
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

// Locks and what they protect:
//
// - bucket[i].lock: bucket i's list (head, and prev/next of the buffers on
//   it) and, for each buffer on it, dev, blockno and lastuse. A buffer
//   changes its (dev, blockno), and so its bucket, only under the locks of
//   both buckets involved, and only while the miss that recycles it holds
//   its one reference: so whoever holds a reference may read them without
//   a lock. lastuse is stored atomically, because a miss reads it without
//   any lock to pick a victim.
// - refcnt is changed only by atomic read-modify-write instructions: hits
//   raise it holding the bucket lock, and the last release lowers it to 0
//   holding it; a miss claims a victim, a holder pins its buffer, and a
//   release that is not the last lowers it without any lock (invariants 2
//   to 4 above).
// - A buffer's sleep lock: valid and data (see buf.h). While refcnt is 0 no
//   one holds or waits for it, which lets a miss clear valid.
// - The disk driver's lock (virtio_disk.c): disk. The cache only sets it
//   to 0 in binit, before any I/O.
//
// Lock order: bucket locks in increasing bucket number (a miss holds two:
// the victim's bucket and the block's; all_in_use holds them all), then,
// with no spinlock held, a buffer's sleep lock. Nothing else is acquired
// while a bucket lock is held, so a miss cannot deadlock with another miss
// or with a hit.
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
static void drop_ref(struct buf *b);
static void ref_inc(struct buf *b);
static uint ref_dec(struct buf *b);
static int ref_dec_unless_last(struct buf *b);
static int ref_claim(struct buf *b);
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
// The caller holds b, so refcnt is not 0 and no miss can claim b: no lock
// is needed (invariant 3).
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
// The victim is claimed without a lock (invariants 1 and 2), then checked
// under the locks of its bucket and of bk (invariant 3): a hit on the
// victim's old block may have taken a reference meanwhile (from the
// victim's bucket, which it found the victim in); then the victim stays as
// it is and we look again. Claimed, the victim cannot be moved by anyone
// else, so its bucket is known.
//
// Every process that caches (dev, blockno) puts it in bk holding bk->lock,
// after finding it is not there: so two misses on one block meet on
// bk->lock, and the second finds the first's buffer.
static struct buf *
bget_miss(struct bucket *bk, uint dev, uint blockno)
{
  int tries = 0;

  for(;;){
    struct buf *b = claim_lru();
    if(b == 0){
      if(++tries % CLAIM_TRIES == 0 && all_in_use())
        panic("bget: no buffers");
      cpu_relax();
      continue;
    }
    struct bucket *from = bucket_of(b);

    lock_buckets(bk, from);
    struct buf *cached = find_and_ref_locked(bk, dev, blockno);
    if(cached || ref_count(b) != 1){
      // Give the claim back, leaving b as it was (its last use stamp too).
      ref_dec(b);
      unlock_buckets(bk, from);
      if(cached)
        return cached;
      continue;
    }
    bucket_remove(from, b);
    b->dev = dev;
    b->blockno = blockno;
    b->valid = 0;   // no one holds b's sleep lock: we have the only reference
    bucket_add(bk, b);
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

// Caller holds bk->lock (for bucket_add and bucket_remove).
static void
bucket_add(struct bucket *bk, struct buf *b)
{
  b->prev = 0;
  b->next = bk->head;
  if(bk->head)
    bk->head->prev = b;
  bk->head = b;
}

static void
bucket_remove(struct bucket *bk, struct buf *b)
{
  if(b->prev)
    b->prev->next = b->next;
  else
    bk->head = b->next;
  if(b->next)
    b->next->prev = b->prev;
  b->prev = b->next = 0;
}

// If bk holds (dev, blockno), take a reference to its buffer and return
// it; otherwise return 0.
static struct buf *
find_and_ref(struct bucket *bk, uint dev, uint blockno)
{
  acquire(&bk->lock);
  struct buf *b = find_and_ref_locked(bk, dev, blockno);
  release(&bk->lock);
  return b;
}

// The same, for a caller that holds bk->lock.
static struct buf *
find_and_ref_locked(struct bucket *bk, uint dev, uint blockno)
{
  for(struct buf *b = bk->head; b; b = b->next){
    if(b->dev == dev && b->blockno == blockno){
      ref_inc(b);
      return b;
    }
  }
  return 0;
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

// The counter itself. A hit takes a reference holding b's bucket lock, and
// so does the last release; a miss claims an unused buffer and gives the
// claim back, a holder pins b, and other releases drop theirs, without. The
// claim's acquire pairs with the release of every decrement (invariant 2).
static void
ref_inc(struct buf *b)
{
  __atomic_add_fetch(&b->refcnt, 1, __ATOMIC_RELAXED);
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

// An acquire load: a miss that finds only its own claim left (bget_miss)
// comes after every earlier holder's last use of b, whose decrement was a
// release, taken with or without the bucket lock.
static uint
ref_count(struct buf *b)
{
  return __atomic_load_n(&b->refcnt, __ATOMIC_ACQUIRE);
}
