// An open file: what a file descriptor refers to.
// ref is protected by the file table's lock (file.c); the rest is fixed
// while ref > 0, except off. off is protected by ip->lock for FD_INODE;
// for FD_DEVICE only drivers that keep a position use it, each under a
// lock of its own (statslock in stats.c, offlock in lockprofdev.c, devlock
// in kcsandev.c), except /lockorder (lockdep.c), which moves it with no
// lock; the console ignores it.
struct file {
  enum { FD_NONE, FD_PIPE, FD_INODE, FD_DEVICE } type;
  int ref;
  char readable;
  char writable;
  struct pipe *pipe;   // FD_PIPE
  struct inode *ip;    // FD_INODE and FD_DEVICE
  uint off;            // FD_INODE, and devices that keep a position
  short major;         // FD_DEVICE
  void *devdata;       // FD_DEVICE: the driver's state for this open file
};

// An inode in memory: a copy of a struct dinode plus bookkeeping.
// ref is protected by the inode table's lock (fs.c); the rest by lock.
struct inode {
  uint dev;
  uint inum;
  int ref;               // references from the kernel (files, cwd, lookups)
  struct sleeplock lock;
  int valid;             // the fields below have been read from disk

  short type;            // copy of the dinode
  short major;
  short minor;
  short nlink;
  uint size;
  uint addrs[NDIRECT+1];
};

// A device driver, found by its major number.
// read and write move n bytes between the device and dst/src, which is a
// user virtual address when user is 1 and a kernel address when 0; they
// return the bytes moved or -1. open and close may be 0; open may fail
// with -1 and keep per-open state in f->devdata.
struct devsw {
  int (*read)(struct file *f, int user, uint64 dst, int n);
  int (*write)(struct file *f, int user, uint64 src, int n);
  int (*open)(struct file *f);
  void (*close)(struct file *f);
};

extern struct devsw devsw[];

#define CONSOLE     1
#define STATISTICS  2
#define LOCKSTAT    3   // the lock profiler (lockprofdev.c)
#define LOCKORDER   4   // /lockorder, the lock-order checker (make LOCKDEP=1)
#define KCSANDEV    5   // /kcsan, the race detector (make KCSAN=1; KCSAN names the build)
