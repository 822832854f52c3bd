// mkfs IMAGE FILE...
//
// Writes a fresh file system image of FSSIZE blocks (layout in kernel/fs.h)
// whose root directory holds each FILE under its base name, minus one
// leading '_' (so user/_ls becomes /ls).
//
// The whole image is assembled in memory and written out only once every
// input has been read, so a failure never leaves a half-made image behind.
// On disk every integer is little-endian; the put/get helpers of disk.h
// convert explicitly, so the result does not depend on the host's byte order.

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/stat.h"
#include "kernel/fs.h"
#include "mkfs/disk.h"

#define NINODES 200

_Static_assert(sizeof(struct dinode) == 64, "dinode must be 64 bytes");
_Static_assert(sizeof(struct dirent) == 16, "dirent must be 16 bytes");
_Static_assert(BSIZE % sizeof(struct dinode) == 0, "inodes must tile a block");
_Static_assert(BSIZE % sizeof(struct dirent) == 0, "dirents must tile a block");

// The regions of the image, in block numbers.
#define NLOG        (LOGSIZE + 1)                  // log header + LOGSIZE blocks
#define LOGSTART    2
#define NINODEBLKS  ((NINODES + (int)IPB - 1) / (int)IPB)
#define INODESTART  (LOGSTART + NLOG)
#define NBITMAP     ((FSSIZE + BPB - 1) / BPB)
#define BMAPSTART   (INODESTART + NINODEBLKS)
#define NMETA       (BMAPSTART + NBITMAP)          // blocks before the first data block

static uchar image[FSSIZE][BSIZE];
static uint nextblock = NMETA;    // next data block to hand out
static uint nextinum = ROOTINO;   // next inode number to hand out

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void
die(const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  fprintf(stderr, "mkfs: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(1);
}

static uchar *
inodeptr(uint inum)
{
  return image[INODESTART + inum / IPB] + (inum % IPB) * sizeof(struct dinode);
}

static uint
ialloc(short type)
{
  if(nextinum >= NINODES)
    die("too many files: at most %d fit in the image", NINODES - ROOTINO - 1);
  uint inum = nextinum++;
  uchar *ip = inodeptr(inum);
  put16(DFIELD(ip, type), type);
  put16(DFIELD(ip, nlink), 1);
  return inum;
}

static uint
balloc(const char *what)
{
  if(nextblock >= FSSIZE)
    die("image full while adding %s", what);
  return nextblock++;
}

// The block holding byte offset `off` of inode inum, allocated (with the
// indirect block, if needed) when missing. `what` names the file for errors.
static uint
fileblock(uint inum, uint off, const char *what)
{
  uchar *ip = inodeptr(inum);
  uint bn = off / BSIZE;
  uchar *slot;

  if(bn >= MAXFILE)
    die("%s is too big for the file system", what);
  if(bn < NDIRECT){
    slot = DFIELD(ip, addrs) + 4 * bn;
  } else {
    uchar *islot = DFIELD(ip, addrs) + 4 * NDIRECT;
    if(get32(islot) == 0)
      put32(islot, balloc(what));
    slot = image[get32(islot)] + 4 * (bn - NDIRECT);
  }
  if(get32(slot) == 0)
    put32(slot, balloc(what));
  return get32(slot);
}

// Append n bytes to inode inum.
static void
iappend(uint inum, const void *data, uint n, const char *what)
{
  uchar *ip = inodeptr(inum);
  uint size = get32(DFIELD(ip, size));
  const uchar *src = data;

  while(n > 0){
    uint b = fileblock(inum, size, what);
    uint m = BSIZE - size % BSIZE;
    if(m > n)
      m = n;
    memcpy(image[b] + size % BSIZE, src, m);
    size += m;
    src += m;
    n -= m;
    put32(DFIELD(ip, size), size);
  }
}

static void
dirlink(uint dir, uint inum, const char *name)
{
  uchar de[sizeof(struct dirent)];

  memset(de, 0, sizeof(de));
  put16(de + offsetof(struct dirent, inum), inum);
  // Names of exactly DIRSIZ characters are stored without a terminating 0.
  memcpy(de + offsetof(struct dirent, name), name, strlen(name));
  iappend(dir, de, sizeof(de), "the root directory");
}

// Does the root directory already hold `name`?
static int
inroot(const char *name)
{
  uint size = get32(DFIELD(inodeptr(ROOTINO), size));

  for(uint off = 0; off < size; off += sizeof(struct dirent)){
    uint b = fileblock(ROOTINO, off, "the root directory");
    const char *n = (char *)image[b] + off % BSIZE + offsetof(struct dirent, name);
    if(strncmp(n, name, DIRSIZ) == 0)
      return 1;
  }
  return 0;
}

// The name a host path gets in the image: its base name minus one leading '_'.
static const char *
imagename(const char *path)
{
  const char *name = strrchr(path, '/');

  name = name ? name + 1 : path;
  if(*name == '_')
    name++;
  if(*name == 0)
    die("%s: empty file name", path);
  if(strlen(name) > DIRSIZ)
    die("%s: name longer than %d characters", path, DIRSIZ);
  return name;
}

static void
addfile(const char *path)
{
  const char *name = imagename(path);
  char buf[BSIZE];
  size_t n;

  if(inroot(name))
    die("%s: name already in the root directory", name);
  FILE *f = fopen(path, "rb");
  if(f == 0)
    die("cannot open %s: %s", path, strerror(errno));
  uint inum = ialloc(T_FILE);
  while((n = fread(buf, 1, sizeof(buf), f)) > 0)
    iappend(inum, buf, n, path);
  if(ferror(f))
    die("cannot read %s", path);
  fclose(f);
  dirlink(ROOTINO, inum, name);
}

static void
writesuper(void)
{
  uchar *p = image[1];
  uint fields[] = {
    FSMAGIC, FSSIZE, FSSIZE - NMETA, NINODES, NLOG, LOGSTART, INODESTART, BMAPSTART,
  };

  _Static_assert(sizeof(fields) == sizeof(struct superblock), "superblock fields");
  for(uint i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
    put32(p + 4 * i, fields[i]);
}

// Mark every block handed out so far (metadata included) as in use.
// Bit b%8 of byte b/8 of the bitmap stands for block b.
static void
writebitmap(void)
{
  uchar *bitmap = image[BMAPSTART];

  for(uint b = 0; b < nextblock; b++)
    bitmap[b / 8] |= 1 << (b % 8);
}

static void
writeimage(const char *path)
{
  FILE *f = fopen(path, "wb");

  if(f == 0)
    die("cannot create %s", path);
  if(fwrite(image, sizeof(image), 1, f) != 1 || fclose(f) != 0){
    unlink(path);
    die("cannot write %s", path);
  }
}

int
main(int argc, char *argv[])
{
  if(argc < 2){
    fprintf(stderr, "usage: mkfs IMAGE FILE...\n");
    return 1;
  }

  uint root = ialloc(T_DIR);
  if(root != ROOTINO)
    die("root directory got inode %u, not %d", root, ROOTINO);
  dirlink(root, root, ".");
  dirlink(root, root, "..");

  for(int i = 2; i < argc; i++)
    addfile(argv[i]);

  writesuper();
  writebitmap();
  writeimage(argv[1]);
  printf("mkfs: %s: %d blocks (%d meta, %d data used), %d inodes used of %d\n",
         argv[1], FSSIZE, NMETA, nextblock - NMETA, nextinum - 1, NINODES);
  return 0;
}
