// fsck IMAGE
//
// Checks a file system image as a stopped kernel leaves it. Prints one line
// per problem and exits 1, or prints that the image is clean and exits 0.
// It checks, in this order:
//   - the superblock: the magic number, and regions that fit the image in
//     their order (boot, superblock, log, inodes, bitmap, data);
//   - the log header is empty: recovery has run;
//   - every inode's type, its size, its block pointers (inside the data
//     region, none missing below the size), and no block used twice;
//   - the free bitmap marks exactly the metadata and the blocks of inodes;
//   - every directory, from the root: "." names itself, ".." its parent,
//     no entry names a free inode, no name appears twice, and a directory
//     has only one name;
//   - every allocated inode is named by some directory (or it is an
//     orphan: a file unlinked while open when the machine stopped), and its
//     link count is the number of entries naming it, counting a
//     subdirectory's ".." for its parent.

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/stat.h"
#include "kernel/fs.h"
#include "mkfs/disk.h"

static const char *imgname;
static uchar *img;          // the whole image
static uint nblk;           // blocks in the image file
static struct superblock sb;
static uint datastart;      // first data block
static int problems;

// Per block: the inode that has it (0 for none; inode 0 is never used).
static uint *owner;
// Per inode: directory entries naming it, and for directories whether
// the walk from the root has reached them.
static uint *refs;
static uchar *reached;

static int checksuper(void);
static void checklog(void);
static void checkinodes(void);
static void checkbitmap(void);
static void checkdirs(void);
static void checklinks(void);

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
problem(const char *fmt, ...)
{
  va_list ap;

  printf("fsck: %s: ", imgname);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  problems++;
}

static void
readimage(void)
{
  FILE *f = fopen(imgname, "rb");
  long len;

  if(f == 0 || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0){
    fprintf(stderr, "fsck: cannot read %s: %s\n", imgname, strerror(errno));
    exit(2);
  }
  if(len < 2 * BSIZE || len % BSIZE != 0){
    fprintf(stderr, "fsck: %s: %ld bytes, not a whole number of blocks\n", imgname, len);
    exit(2);
  }
  nblk = len / BSIZE;
  img = malloc(len);
  rewind(f);
  if(img == 0 || fread(img, len, 1, f) != 1){
    fprintf(stderr, "fsck: cannot read %s\n", imgname);
    exit(2);
  }
  fclose(f);
}

int
main(int argc, char *argv[])
{
  if(argc != 2){
    fprintf(stderr, "usage: fsck IMAGE\n");
    return 2;
  }
  imgname = argv[1];
  readimage();
  if(checksuper() < 0)
    return 1;   // no layout to go by
  owner = calloc(sb.size, sizeof(*owner));
  refs = calloc(sb.ninodes, sizeof(*refs));
  reached = calloc(sb.ninodes, 1);
  if(owner == 0 || refs == 0 || reached == 0){
    fprintf(stderr, "fsck: out of memory\n");
    return 2;
  }
  checklog();
  checkinodes();
  checkbitmap();
  checkdirs();
  checklinks();
  if(problems)
    return 1;

  uint inodes = 0, blocks = 0;
  for(uint b = datastart; b < sb.size; b++)
    blocks += owner[b] != 0;
  for(uint i = 0; i < sb.ninodes; i++)
    inodes += refs[i] != 0;
  printf("fsck: %s: clean: %u inodes, %u data blocks in use\n", imgname, inodes, blocks);
  return 0;
}

// ---- reading the image ----

static uchar *
block(uint b)
{
  return img + (size_t)b * BSIZE;
}

static uchar *
dinode(uint inum)
{
  return block(sb.inodestart + inum / IPB) + (inum % IPB) * sizeof(struct dinode);
}

static short
itype(uint inum)
{
  return get16(DFIELD(dinode(inum), type));
}

static int
isdata(uint b)
{
  return b >= datastart && b < sb.size;
}

// The block number stored for block bn of the inode at ip, or 0 if there
// is none or the indirect block is out of range (reported elsewhere).
static uint
fileblock(uchar *ip, uint bn)
{
  if(bn < NDIRECT)
    return get32(DFIELD(ip, addrs) + 4 * bn);
  uint ind = get32(DFIELD(ip, addrs) + 4 * NDIRECT);
  if(bn - NDIRECT >= NINDIRECT || !isdata(ind))
    return 0;
  return get32(block(ind) + 4 * (bn - NDIRECT));
}

// ---- the checks ----

static uint
blocksfor(uint64 n, uint per)
{
  return (n + per - 1) / per;
}

static int
checksuper(void)
{
  uint *f = (uint *)&sb;

  for(uint i = 0; i < sizeof(sb) / sizeof(uint); i++)
    f[i] = get32(block(1) + 4 * i);
  if(sb.magic != FSMAGIC){
    problem("superblock: bad magic number %#x", sb.magic);
    return -1;
  }
  if(sb.size != nblk)
    problem("superblock: %u blocks, but the image has %u", sb.size, nblk);
  datastart = sb.bmapstart + blocksfor(sb.size, BPB);
  // 64-bit sums: garbage must not wrap around into something plausible.
  if(sb.logstart < 2 || sb.nlog < 2 ||
     (uint64)sb.logstart + sb.nlog > sb.inodestart || sb.ninodes < 2 ||
     (uint64)sb.inodestart + blocksfor(sb.ninodes, IPB) > sb.bmapstart ||
     (uint64)sb.bmapstart + blocksfor(sb.size, BPB) > sb.size ||
     sb.size > nblk || sb.nblocks != sb.size - datastart){
    problem("superblock: regions do not fit: size %u, log %u+%u, inodes %u (%u), "
            "bitmap %u, data %u", sb.size, sb.logstart, sb.nlog, sb.inodestart,
            sb.ninodes, sb.bmapstart, sb.nblocks);
    return -1;
  }
  return 0;
}

static void
checklog(void)
{
  uint n = get32(block(sb.logstart));

  if(n != 0)
    problem("log header lists %u blocks: the log has not been recovered", n);
}

// Record that inode inum has block b. Returns whether b may be read.
static int
claim(uint inum, uint b)
{
  if(!isdata(b)){
    problem("inode %u: block pointer %u outside the data region", inum, b);
    return 0;
  }
  if(owner[b])
    problem("block %u used twice: by inode %u and inode %u", b, owner[b], inum);
  else
    owner[b] = inum;
  return 1;
}

static void
checkinode(uint inum)
{
  uchar *ip = dinode(inum);
  uint size = get32(DFIELD(ip, size));
  uint need = blocksfor(size, BSIZE);
  int hole = -1;

  if(size > MAXFILE * BSIZE){
    problem("inode %u: size %u, more than a file can hold", inum, size);
    need = MAXFILE;
  }
  if(itype(inum) == T_DIR && size % sizeof(struct dirent) != 0)
    problem("inode %u: a directory of size %u, not whole entries", inum, size);
  for(uint bn = 0; bn < NDIRECT; bn++){
    uint b = fileblock(ip, bn);
    if(b)
      claim(inum, b);
    else if(bn < need && hole < 0)
      hole = bn;
  }
  uint ind = get32(DFIELD(ip, addrs) + 4 * NDIRECT);
  if(ind && claim(inum, ind)){
    for(uint bn = NDIRECT; bn < MAXFILE; bn++){
      uint b = fileblock(ip, bn);
      if(b)
        claim(inum, b);
      else if(bn < need && hole < 0)
        hole = bn;
    }
  } else if(need > NDIRECT && hole < 0){
    hole = NDIRECT;
  }
  if(hole >= 0)
    problem("inode %u: size %u, but it has no block %d", inum, size, hole);
}

static void
checkinodes(void)
{
  if(itype(0) != 0)
    problem("inode 0 in use (type %d): it marks free directory entries", itype(0));
  for(uint inum = 1; inum < sb.ninodes; inum++){
    short t = itype(inum);
    if(t == 0)
      continue;
    if(t != T_DIR && t != T_FILE && t != T_DEVICE)
      problem("inode %u: bad type %d", inum, t);
    else
      checkinode(inum);
  }
}

static int
marked(uint b)
{
  return block(sb.bmapstart + b / BPB)[(b % BPB) / 8] >> (b % 8) & 1;
}

static void
checkbitmap(void)
{
  for(uint b = 0; b < sb.size; b++){
    if(b < datastart && !marked(b))
      problem("block %u: metadata, but marked free", b);
    else if(b >= datastart && marked(b) && !owner[b])
      problem("block %u: marked in use, but no inode has it (leaked)", b);
    else if(b >= datastart && !marked(b) && owner[b])
      problem("block %u: inode %u has it, but it is marked free", b, owner[b]);
  }
}

// Check directory dir, whose parent is parent. Adds its subdirectories to
// the queue at *tail.
static void
checkdir(uint dir, uint parent, uint *queue, uint *tail)
{
  uchar *ip = dinode(dir);
  uint size = get32(DFIELD(ip, size));
  int dot = 0, dotdot = 0;

  for(uint off = 0; off + sizeof(struct dirent) <= size && off < MAXFILE * BSIZE;
      off += sizeof(struct dirent)){
    uint b = fileblock(ip, off / BSIZE);
    if(!isdata(b))
      continue;   // a hole, reported already
    uchar *de = block(b) + off % BSIZE;
    uint inum = get16(de + offsetof(struct dirent, inum));
    char name[DIRSIZ + 1];
    memcpy(name, de + offsetof(struct dirent, name), DIRSIZ);
    name[DIRSIZ] = 0;
    if(inum == 0)
      continue;
    if(inum >= sb.ninodes){
      problem("directory %u: \"%s\" names inode %u, beyond the last", dir, name, inum);
      continue;
    }
    if(itype(inum) == 0){
      problem("directory %u: \"%s\" names free inode %u", dir, name, inum);
      continue;
    }
    if(name[0] == 0)
      problem("directory %u: an entry with no name, for inode %u", dir, inum);
    for(uint o = 0; o < off; o += sizeof(struct dirent)){
      uint ob = fileblock(ip, o / BSIZE);
      if(!isdata(ob))
        continue;
      uchar *other = block(ob) + o % BSIZE;
      if(get16(other + offsetof(struct dirent, inum)) != 0 &&
         strncmp((char *)other + offsetof(struct dirent, name), name, DIRSIZ) == 0){
        problem("directory %u: \"%s\" appears twice", dir, name);
        break;
      }
    }
    if(strcmp(name, ".") == 0){
      dot++;
      if(inum != dir)
        problem("directory %u: \".\" names inode %u", dir, inum);
      continue;   // a directory's "." is not one of its links
    }
    refs[inum]++;
    if(strcmp(name, "..") == 0){
      dotdot++;
      if(inum != parent)
        problem("directory %u: \"..\" names inode %u, not its parent %u", dir, inum, parent);
      continue;
    }
    if(itype(inum) == T_DIR){
      if(reached[inum]){
        problem("directory %u: \"%s\" names directory %u, which has another name",
                dir, name, inum);
      } else {
        reached[inum] = 1;
        queue[(*tail)++] = inum;
        queue[(*tail)++] = dir;
      }
    }
  }
  if(dot != 1)
    problem("directory %u: %d \".\" entries", dir, dot);
  if(dotdot != 1)
    problem("directory %u: %d \"..\" entries", dir, dotdot);
}

// Walk the tree from the root, breadth first: the queue holds pairs of a
// directory and its parent, each directory at most once.
static void
checkdirs(void)
{
  uint *queue = malloc(2 * sizeof(uint) * sb.ninodes);
  uint head = 0, tail = 0;

  if(queue == 0){
    fprintf(stderr, "fsck: out of memory\n");
    exit(2);
  }
  if(itype(ROOTINO) != T_DIR){
    problem("the root, inode %d, is not a directory", ROOTINO);
    free(queue);
    return;
  }
  reached[ROOTINO] = 1;
  queue[tail++] = ROOTINO;
  queue[tail++] = ROOTINO;
  while(head < tail){
    uint dir = queue[head++], parent = queue[head++];
    checkdir(dir, parent, queue, &tail);
  }
  free(queue);
}

static void
checklinks(void)
{
  for(uint inum = 1; inum < sb.ninodes; inum++){
    short t = itype(inum);
    short nlink = get16(DFIELD(dinode(inum), nlink));
    if(t == 0)
      continue;
    if(refs[inum] == 0){
      uint blocks = 0;
      for(uint b = datastart; b < sb.size; b++)
        blocks += owner[b] == inum;
      problem("inode %u: an orphan: type %d, link count %d, %u blocks, in no directory",
              inum, t, nlink, blocks);
    } else if(nlink != refs[inum]){
      problem("inode %u: link count %d, but %u directory entries name it",
              inum, nlink, refs[inum]);
    }
  }
}
