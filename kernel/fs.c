// The file system proper, in layers from the bottom up:
//   blocks       allocating and freeing disk blocks (the free bitmap)
//   inodes       the in-memory inode table, reading and writing inodes,
//                mapping file offsets to blocks, reading and writing files
//   directories  files of struct dirent: lookups and new entries
//   path names   resolving "/a/b/c" and "a/b" one element at a time
//
// Every change to the disk goes through the log (log.c), so the callers of
// anything that may write (ialloc, iupdate, itrunc, writei, dirlink, and
// iput, which may free an inode) are inside begin_op()/end_op().
//
// The buffer budget in log.c relies on this file never holding more than
// two buffers at a time: each function brelse()s a block before reading
// the next, except bmap and itrunc, which hold an indirect block while the
// allocator reads one bitmap or new block.

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "stat.h"
#include "fs.h"
#include "buf.h"
#include "file.h"
#include "proc.h"
#include "defs.h"
#include "lockdep.h"
#include "crash.h"

// Read from disk once at boot, then only read.
static struct superblock sb;

static void ireclaim(uint dev);

void
fsinit(int dev)
{
  crash_init(dev);

  struct buf *b = bread(dev, 1);

  memmove(&sb, b->data, sizeof(sb));
  brelse(b);
  if(sb.magic != FSMAGIC)
    panic("fsinit: not a file system");
  // Freeing a file's blocks may touch every bitmap block in one operation,
  // next to two inodes and a directory block (unlink).
  if((sb.size + BPB - 1) / BPB + 3 > MAXOPBLOCKS)
    panic("fsinit: bitmap too big for one log operation");
  initlog(dev, &sb);
  ireclaim(dev);
}

// ---- blocks ----

static void
bzero(uint dev, uint bno)
{
  struct buf *b = bread(dev, bno);

  memset(b->data, 0, BSIZE);
  log_write(b);
  brelse(b);
}

// Allocate a block and fill it with zeros. Returns its number, or 0 if
// the disk is full.
static uint
balloc(uint dev)
{
  for(uint base = 0; base < sb.size; base += BPB){
    struct buf *bp = bread(dev, BBLOCK(base, sb));
    for(uint bi = 0; bi < BPB && base + bi < sb.size; bi++){
      uchar mask = 1 << (bi % 8);
      if((bp->data[bi / 8] & mask) == 0){
        bp->data[bi / 8] |= mask;
        log_write(bp);
        // Let the bitmap go first: the budget allows two buffers, and
        // bmap may be holding an indirect block.
        brelse(bp);
        bzero(dev, base + bi);
        return base + bi;
      }
    }
    brelse(bp);
  }
  return 0;
}

static void
bfree(uint dev, uint b)
{
  struct buf *bp = bread(dev, BBLOCK(b, sb));
  uint bi = b % BPB;
  uchar mask = 1 << (bi % 8);

  if((bp->data[bi / 8] & mask) == 0)
    panic("bfree: block already free");
  bp->data[bi / 8] &= ~mask;
  log_write(bp);
  brelse(bp);
}

// ---- inodes ----
//
// An inode in the table is in use while ref > 0 (references from open
// files, current directories and code in the middle of a lookup). Its copy
// of the disk inode is loaded by ilock() (valid says whether it has been),
// and written back by iupdate(). An inode whose last directory entry is
// gone (nlink 0) is freed on disk when its last reference goes (iput), or
// at the next boot (ireclaim) if the machine stops before that.
//
// itable.lock protects every entry's dev, inum and ref (so finding or
// taking an entry is atomic); an entry's sleep lock protects valid and the
// dinode copy. Lock order: an inode's sleep lock, then itable.lock.
static struct {
  struct spinlock lock;
  struct inode inode[NINODE];
} itable;

void
iinit(void)
{
  initlock(&itable.lock, "itable");
  for(int i = 0; i < NINODE; i++)
    initsleeplock(&itable.inode[i].lock, "inode");
}

// A reference to inode inum of dev in the table, without reading it or
// locking it. Returns 0 if the table is full.
static struct inode *
iget(uint dev, uint inum)
{
  struct inode *ip, *empty = 0;

  acquire(&itable.lock);
  for(ip = itable.inode; ip < &itable.inode[NINODE]; ip++){
    if(ip->ref > 0 && ip->dev == dev && ip->inum == inum){
      ip->ref++;
      release(&itable.lock);
      return ip;
    }
    if(empty == 0 && ip->ref == 0)
      empty = ip;
  }
  if(empty){
    empty->dev = dev;
    empty->inum = inum;
    empty->ref = 1;
    empty->valid = 0;
  }
  release(&itable.lock);
  return empty;
}

// Allocate a free inode on dev and give it type. Returns it referenced
// but unlocked, or 0 if the disk or the inode table has no room.
struct inode *
ialloc(uint dev, short type)
{
  for(uint first = 0; first < sb.ninodes; first += IPB){
    struct buf *bp = bread(dev, IBLOCK(first, sb));
    for(uint inum = first; inum < first + IPB && inum < sb.ninodes; inum++){
      struct dinode *dip = (struct dinode *)bp->data + inum % IPB;
      // Inode 0 is never used: inum 0 marks a free directory entry.
      if(inum == 0 || dip->type != 0)
        continue;
      // Take the table entry before claiming the inode on disk, so that a
      // full table leaves the disk unchanged.
      struct inode *ip = iget(dev, inum);
      if(ip){
        memset(dip, 0, sizeof(*dip));
        dip->type = type;
        log_write(bp);
      }
      brelse(bp);
      return ip;
    }
    brelse(bp);
  }
  return 0;
}

// Write ip's dinode copy to disk. The caller holds ip->lock.
void
iupdate(struct inode *ip)
{
  struct buf *bp = bread(ip->dev, IBLOCK(ip->inum, sb));
  struct dinode *dip = (struct dinode *)bp->data + ip->inum % IPB;

  dip->type = ip->type;
  dip->major = ip->major;
  dip->minor = ip->minor;
  dip->nlink = ip->nlink;
  dip->size = ip->size;
  memmove(dip->addrs, ip->addrs, sizeof(ip->addrs));
  log_write(bp);
  brelse(bp);
}

struct inode *
idup(struct inode *ip)
{
  acquire(&itable.lock);
  ip->ref++;
  release(&itable.lock);
  return ip;
}

// Lock ip, loading it from disk if need be.
void
ilock(struct inode *ip)
{
  if(ip == 0 || ip->ref < 1)
    panic("ilock");
  acquiresleep(&ip->lock);
  if(!ip->valid){
    struct buf *bp = bread(ip->dev, IBLOCK(ip->inum, sb));
    struct dinode *dip = (struct dinode *)bp->data + ip->inum % IPB;
    ip->type = dip->type;
    ip->major = dip->major;
    ip->minor = dip->minor;
    ip->nlink = dip->nlink;
    ip->size = dip->size;
    memmove(ip->addrs, dip->addrs, sizeof(ip->addrs));
    brelse(bp);
    ip->valid = 1;
    // A reference is only ever taken to an allocated inode (a directory
    // entry's, or a new one's), and a referenced inode is never freed.
    if(ip->type == 0)
      panic("ilock: no type");
  }
}

void
iunlock(struct inode *ip)
{
  if(ip == 0 || ip->ref < 1 || !holdingsleep(&ip->lock))
    panic("iunlock");
  releasesleep(&ip->lock);
}

// Drop a reference. If it was the last one and no directory entry names
// the inode any more, free the inode and its blocks on disk.
void
iput(struct inode *ip)
{
  acquire(&itable.lock);
  if(ip->ref == 1 && ip->valid && ip->nlink == 0){
    // No one else has a reference, so no one holds or waits for the lock,
    // and no lookup can take a new one (no directory entry leads here):
    // the sleep lock can wait until itable.lock is let go.
    release(&itable.lock);
    acquiresleep(&ip->lock);

    itrunc(ip);
    ip->type = 0;
    iupdate(ip);
    // Once type 0 is on disk, ialloc may hand this inode out again and
    // find this very entry: make the next ilock read the new dinode.
    ip->valid = 0;

    releasesleep(&ip->lock);
    acquire(&itable.lock);
  }
  ip->ref--;
  release(&itable.lock);
}

void
iunlockput(struct inode *ip)
{
  iunlock(ip);
  iput(ip);
}

// Free the inodes that no directory entry names: files unlinked while
// still open when the machine stopped, which iput never got to free. At
// boot nothing is open, so every allocated inode with nlink 0 is one.
// Called once the log is recovered, before anything else uses the disk.
static void
ireclaim(uint dev)
{
  for(uint inum = ROOTINO + 1; inum < sb.ninodes; inum++){
    struct buf *bp = bread(dev, IBLOCK(inum, sb));
    struct dinode *dip = (struct dinode *)bp->data + inum % IPB;
    int orphan = dip->type != 0 && dip->nlink == 0;
    brelse(bp);
    if(!orphan)
      continue;
    struct inode *ip = iget(dev, inum);
    if(ip == 0)
      panic("ireclaim: no inode table entry");
    printf("fs: freeing orphan inode %d\n", inum);
    begin_op();
    ilock(ip);
    iunlock(ip);
    iput(ip);   // the last reference to an inode with nlink 0: frees it
    end_op();
  }
}

// The disk block holding block bn of ip's contents. If there is none yet
// and alloc is set, allocate it (and the indirect block if needed).
// Returns 0 if there is no such block, or the disk is full. The caller
// holds ip->lock, and is inside an operation if alloc is set.
static uint
bmap(struct inode *ip, uint bn, int alloc)
{
  uint addr;

  if(bn < NDIRECT){
    addr = ip->addrs[bn];
    if(addr == 0 && alloc){
      addr = balloc(ip->dev);
      ip->addrs[bn] = addr;
    }
    return addr;
  }
  bn -= NDIRECT;
  if(bn >= NINDIRECT)
    return 0;

  uint ind = ip->addrs[NDIRECT];
  if(ind == 0){
    if(!alloc || (ind = balloc(ip->dev)) == 0)
      return 0;
    ip->addrs[NDIRECT] = ind;
  }
  struct buf *bp = bread(ip->dev, ind);
  uint *entry = (uint *)bp->data + bn;
  addr = *entry;
  if(addr == 0 && alloc){
    // balloc reads a bitmap block and zeroes the new block inside the
    // indirect block: buffers nested on purpose, in that order only.
    lockdep_nest(&bp->lock.info);
    addr = balloc(ip->dev);
    if(addr){
      *entry = addr;
      log_write(bp);
    }
  }
  brelse(bp);
  return addr;
}

// Free all of ip's blocks. The caller holds ip->lock.
void
itrunc(struct inode *ip)
{
  for(int i = 0; i < NDIRECT; i++){
    if(ip->addrs[i]){
      bfree(ip->dev, ip->addrs[i]);
      ip->addrs[i] = 0;
    }
  }
  if(ip->addrs[NDIRECT]){
    struct buf *bp = bread(ip->dev, ip->addrs[NDIRECT]);
    uint *entry = (uint *)bp->data;
    lockdep_nest(&bp->lock.info);   // bfree reads bitmap blocks inside it
    for(int j = 0; j < NINDIRECT; j++)
      if(entry[j])
        bfree(ip->dev, entry[j]);
    brelse(bp);
    bfree(ip->dev, ip->addrs[NDIRECT]);
    ip->addrs[NDIRECT] = 0;
  }
  ip->size = 0;
  iupdate(ip);
}

// The caller holds ip->lock.
void
stati(struct inode *ip, struct stat *st)
{
  st->dev = ip->dev;
  st->ino = ip->inum;
  st->type = ip->type;
  st->nlink = ip->nlink;
  st->size = ip->size;
}

// Copy up to n bytes at offset off of ip to dst (a user address if user
// is set). Returns the bytes copied (0 at or past the end), or -1 if dst
// is bad or off + n wraps around. The caller holds ip->lock.
int
readi(struct inode *ip, int user, uint64 dst, uint off, uint n)
{
  uint tot, m;

  if(off + n < off)
    return -1;
  if(off >= ip->size)
    return 0;
  if(n > ip->size - off)
    n = ip->size - off;

  for(tot = 0; tot < n; tot += m, off += m, dst += m){
    uint addr = bmap(ip, off / BSIZE, 0);
    if(addr == 0)
      break;   // a hole, only in a damaged file system: stop short
    struct buf *bp = bread(ip->dev, addr);
    m = BSIZE - off % BSIZE;
    if(m > n - tot)
      m = n - tot;
    int bad = either_copyout(user, dst, bp->data + off % BSIZE, m) < 0;
    brelse(bp);
    if(bad)
      return -1;
  }
  return tot;
}

// Copy n bytes from src (a user address if user is set) to offset off of
// ip, growing it as needed. Returns the bytes written, which is short if
// the disk fills up or src is bad; -1 if off is past the end, or the write
// would wrap around or grow the file beyond MAXFILE blocks. The caller
// holds ip->lock and is inside an operation; one that writes at most three
// blocks' worth of data at a time, block aligned, stays within
// MAXOPBLOCKS (see filewrite).
int
writei(struct inode *ip, int user, uint64 src, uint off, uint n)
{
  uint tot, m;

  if(off > ip->size || off + n < off || off + n > MAXFILE * BSIZE)
    return -1;

  for(tot = 0; tot < n; tot += m, off += m, src += m){
    uint addr = bmap(ip, off / BSIZE, 1);
    if(addr == 0)
      break;
    struct buf *bp = bread(ip->dev, addr);
    m = BSIZE - off % BSIZE;
    if(m > n - tot)
      m = n - tot;
    if(either_copyin(bp->data + off % BSIZE, user, src, m) < 0){
      brelse(bp);
      break;
    }
    log_write(bp);
    brelse(bp);
  }

  if(off > ip->size)
    ip->size = off;
  // Even without growing, bmap may have added blocks to addrs.
  iupdate(ip);
  return tot;
}

// ---- directories ----

int
namecmp(const char *s, const char *t)
{
  return strncmp(s, t, DIRSIZ);
}

_Static_assert(BSIZE % sizeof(struct dirent) == 0, "no entry straddles two blocks");

// Find name in directory dp. Returns its entry's inode number (and its
// offset in *poff), or 0 if there is no such entry. The caller holds
// dp->lock. Each of dp's blocks is read once, not once per entry: every
// path lookup passes through here, and a bread per entry would take the
// block's bucket lock twice for each of the 64 entries a block holds, so
// that lookups in the same directory on different CPUs met there.
static uint
dirfind(struct inode *dp, char *name, uint *poff)
{
  if(dp->type != T_DIR)
    panic("dirfind: not a directory");
  for(uint off = 0; off < dp->size; off += BSIZE){
    uint addr = bmap(dp, off / BSIZE, 0);
    if(addr == 0)
      return 0;   // a hole, only in a damaged file system
    struct buf *bp = bread(dp->dev, addr);
    uint n = dp->size - off < BSIZE ? dp->size - off : BSIZE;
    uint inum = 0;
    for(uint i = 0; i + sizeof(struct dirent) <= n && inum == 0; i += sizeof(struct dirent)){
      struct dirent *de = (struct dirent *)(bp->data + i);
      if(de->inum != 0 && namecmp(name, de->name) == 0){
        inum = de->inum;
        if(poff)
          *poff = off + i;
      }
    }
    brelse(bp);
    if(inum)
      return inum;
  }
  return 0;
}

// The inode that name in directory dp refers to, referenced but not
// locked; or 0 if there is none (or no room in the inode table).
struct inode *
dirlookup(struct inode *dp, char *name, uint *poff)
{
  uint inum = dirfind(dp, name, poff);

  return inum ? iget(dp->dev, inum) : 0;
}

// Add the entry (name, inum) to directory dp. Returns 0, or -1 if name is
// there already or the directory cannot grow. The caller holds dp->lock.
int
dirlink(struct inode *dp, char *name, uint inum)
{
  struct dirent de;
  uint off;

  if(dirfind(dp, name, 0) != 0)
    return -1;

  // Reuse a free entry, or append.
  for(off = 0; off + sizeof(de) <= dp->size; off += sizeof(de)){
    if(readi(dp, 0, (uint64)&de, off, sizeof(de)) != sizeof(de))
      return -1;
    if(de.inum == 0)
      break;
  }
  memset(&de, 0, sizeof(de));
  strncpy(de.name, name, DIRSIZ);
  de.inum = inum;
  if(writei(dp, 0, (uint64)&de, off, sizeof(de)) != sizeof(de))
    return -1;
  return 0;
}

// ---- path names ----

// Copy the first element of path into name (DIRSIZ bytes, NUL-terminated
// only if shorter; longer elements are cut) and return the rest of path,
// without leading slashes. Returns 0 if path has no element left.
//   skipelem("a/bb/c", name) = "bb/c", name "a"
//   skipelem("//a//b", name) = "b", name "a"
//   skipelem("a", name) = "", name "a"
//   skipelem("", name) = skipelem("///", name) = 0
static char *
skipelem(char *path, char *name)
{
  while(*path == '/')
    path++;
  if(*path == 0)
    return 0;
  char *start = path;
  while(*path != '/' && *path != 0)
    path++;
  int len = path - start;
  if(len >= DIRSIZ){
    memmove(name, start, DIRSIZ);
  } else {
    memmove(name, start, len);
    name[len] = 0;
  }
  while(*path == '/')
    path++;
  return path;
}

// Resolve path, from the root if it starts with '/', else from the current
// directory. With parent set, stop one element early: return the directory
// that should hold the last element, and copy that element into name.
// Returns the inode referenced but unlocked, or 0. Inside an operation,
// since dropping a reference may free an inode.
static struct inode *
namex(char *path, int parent, char *name)
{
  struct inode *ip;

  if(*path == '/')
    ip = iget(ROOTDEV, ROOTINO);
  else
    ip = idup(myproc()->cwd);
  if(ip == 0)
    return 0;

  while((path = skipelem(path, name)) != 0){
    ilock(ip);
    if(ip->type != T_DIR){
      iunlockput(ip);
      return 0;
    }
    if(parent && *path == 0){
      iunlock(ip);
      return ip;
    }
    struct inode *next = dirlookup(ip, name, 0);
    // Unlock ip before next is ever locked: next may be ip's parent ("..")
    // whose lock another lookup holds while waiting for ip's.
    iunlockput(ip);
    if(next == 0)
      return 0;
    ip = next;
  }
  if(parent){
    // The path had no element at all ("/"): there is no parent to return.
    iput(ip);
    return 0;
  }
  return ip;
}

struct inode *
namei(char *path)
{
  char name[DIRSIZ];

  return namex(path, 0, name);
}

struct inode *
nameiparent(char *path, char *name)
{
  return namex(path, 1, name);
}
