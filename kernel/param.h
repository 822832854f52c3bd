// Compile-time limits of the kernel. The values are part of the xv6
// interface (docs/ABI.md).
#define NPROC        64                 // processes
#define NCPU          8                 // harts the kernel can run on
#define NOFILE       16                 // open files per process
#define NFILE       100                 // open files in the whole system
#define NINODE       50                 // in-memory inodes
#define NDEV         10                 // device major numbers
#define ROOTDEV       1                 // device number of the root file system
#define MAXARG       32                 // exec arguments
#define MAXOPBLOCKS  10                 // blocks one file system operation may write
#define LOGSIZE      (MAXOPBLOCKS*3)    // data blocks in the on-disk log
#define NBUF         (MAXOPBLOCKS*3)    // buffers in the block cache
#define FSSIZE       2000               // blocks in the file system image
#define MAXPATH      128                // longest path name
#define USERSTACK    1                  // pages of user stack
