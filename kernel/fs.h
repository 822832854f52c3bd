// On-disk file system format, shared by the kernel and mkfs.
//
// Disk layout, in BSIZE blocks:
//   [ boot | superblock | log | inodes | free bitmap | data ... ]
// mkfs computes the superblock, which records where each region starts.

#define ROOTINO  1      // inode number of the root directory
#define BSIZE    1024   // block size in bytes
#define FSMAGIC  0x10203040

struct superblock {
  uint magic;        // FSMAGIC
  uint size;         // blocks in the whole image
  uint nblocks;      // data blocks
  uint ninodes;      // inodes
  uint nlog;         // log blocks (header included)
  uint logstart;     // first log block
  uint inodestart;   // first inode block
  uint bmapstart;    // first free-bitmap block
};

#define NDIRECT   12
#define NINDIRECT (BSIZE / sizeof(uint))
#define MAXFILE   (NDIRECT + NINDIRECT)

// An inode as stored on disk. addrs[NDIRECT] is the indirect block.
struct dinode {
  short type;               // 0 when free, else T_DIR, T_FILE or T_DEVICE
  short major;              // device numbers (T_DEVICE only)
  short minor;
  short nlink;              // directory entries that refer to the inode
  uint size;                // bytes
  uint addrs[NDIRECT+1];    // data block numbers
};

// Inodes per block, and the block holding inode i.
#define IPB           (BSIZE / sizeof(struct dinode))
#define IBLOCK(i, sb) ((i) / IPB + (sb).inodestart)

// Bitmap bits per block, and the bitmap block holding the bit of block b.
#define BPB           (BSIZE*8)
#define BBLOCK(b, sb) ((b)/BPB + (sb).bmapstart)

// A directory is a file holding a sequence of these; inum 0 marks a free slot.
#define DIRSIZ 14
struct dirent {
  ushort inum;
  char name[DIRSIZ];
};
